//! Answers of opId-tagged requests: recorded as [`OpAnswer`]s, and given back to a repeat
//! exactly as the first request got them.

use crate::error::ApiError;
use crate::store::OpAnswer;
use tim_proto::{ErrorCode, Reply};

/// What a request's answer is recorded as.
pub(super) fn record(answer: &Result<Reply, ApiError>) -> OpAnswer {
    match answer {
        Ok(reply) => OpAnswer::Reply {
            reply: Box::new(reply.clone()),
        },
        Err(e) => OpAnswer::Error {
            code: e.code,
            message: e.message.clone(),
        },
    }
}

/// A recorded answer, as the repeat gets it.
pub(super) fn replay(answer: OpAnswer) -> Result<Reply, ApiError> {
    match answer {
        OpAnswer::Reply { reply } => Ok(*reply),
        OpAnswer::Error { code, message } => Err(ApiError::new(code, message)),
    }
}

/// The refusal of an opId recorded for another request.
pub(super) fn conflict(op_id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidParameter,
        format!(
            "opId {op_id:?} was already used for another request; use a new opId per operation"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_back_as_recorded() {
        let answers = [
            Ok(Reply::ConversationDeleted {
                conversation_id: "C2Cbob".into(),
                cleared_seq: 4,
            }),
            Err(ApiError::new(
                ErrorCode::ConversationNotFound,
                "no conversation C2Cbob",
            )),
        ];
        for answer in answers {
            let recorded = record(&answer);
            let json = serde_json::to_string(&recorded).expect("encode");
            let back: OpAnswer = serde_json::from_str(&json).expect("decode");
            assert_eq!(replay(back), answer, "{json}");
        }
    }
}
