//! Deletions made while offline (or whose answer was lost): kept durably until the server has
//! them, replayed with the same operation ID so that the server applies each exactly once.

use crate::error::SdkError;
use serde::{Deserialize, Serialize};
use tim_proto::ErrorCode;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    /// Unique per deletion; the server remembers it and answers a repeat without re-applying.
    pub op_id: String,
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    /// The newest message the user had seen when deleting: what the deletion covers. Messages
    /// that reached the server later stay (the deletion cannot have meant them).
    pub up_to_seq: Option<u64>,
    pub created_ms: f64,
}

/// The outbox is replayed in the order the deletions were made.
#[inline]
pub fn oldest_first(entries: &mut Vec<OutboxEntry>) {
    crate::sort::sort_by(entries, |a, b| a.created_ms.total_cmp(&b.created_ms));
}

/// What to do with an entry after trying to send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// The server has it, or refused it for good: drop the entry.
    Done,
    /// No answer (connection lost, timeout): keep it for the next connection.
    Retry,
}

pub fn replay_decision<T>(result: &Result<T, SdkError>) -> Replay {
    match result {
        Ok(_) => Replay::Done,
        // 2903: the server applied and stored nothing; 60016: its database was unreachable
        // (maybe applied, maybe not). The opId makes a retry safe either way.
        Err(e)
            if is_transient(e.code)
                || matches!(e.code, ErrorCode::Internal | ErrorCode::StorageUnavailable) =>
        {
            Replay::Retry
        }
        Err(_) => Replay::Done,
    }
}

/// Failures that say nothing about the request itself: it may or may not have arrived.
pub fn is_transient(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::NetworkError | ErrorCode::Timeout | ErrorCode::NoNetwork
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lost_answers_are_retried() {
        let ok: Result<(), SdkError> = Ok(());
        assert_eq!(replay_decision(&ok), Replay::Done);
        for (code, want) in [
            (ErrorCode::NetworkError, Replay::Retry),
            (ErrorCode::Timeout, Replay::Retry),
            (ErrorCode::NoNetwork, Replay::Retry),
            (ErrorCode::StorageUnavailable, Replay::Retry),
            (ErrorCode::ConversationNotFound, Replay::Done),
            (ErrorCode::InvalidConversationId, Replay::Done),
            (ErrorCode::Internal, Replay::Retry),
            (ErrorCode::InvalidParameter, Replay::Done),
        ] {
            let r: Result<(), SdkError> = Err(SdkError::new(code, "x"));
            assert_eq!(replay_decision(&r), want, "{code:?}");
        }
    }

    #[test]
    fn replayed_oldest_first() {
        let at = |op: &str, ms: f64| OutboxEntry {
            op_id: op.into(),
            conversation_id: "C2Cbob".into(),
            up_to_seq: None,
            created_ms: ms,
        };
        let mut entries = vec![at("b", 2.0), at("c", 3.0), at("a", 1.0)];
        oldest_first(&mut entries);
        let ops: Vec<&str> = entries.iter().map(|e| e.op_id.as_str()).collect();
        assert_eq!(ops, vec!["a", "b", "c"]);
    }

    #[test]
    fn entries_round_trip_through_json() {
        let e = OutboxEntry {
            op_id: "op1".into(),
            conversation_id: "C2Cbob".into(),
            up_to_seq: Some(4),
            created_ms: 1.0,
        };
        let v = serde_json::to_value(&e).expect("encode");
        assert_eq!(v["conversationID"], "C2Cbob");
        assert_eq!(v["opId"], "op1");
        assert_eq!(serde_json::from_value::<OutboxEntry>(v).expect("decode"), e);
        let none = OutboxEntry {
            up_to_seq: None,
            created_ms: 1.5,
            ..e
        };
        let v = serde_json::to_value(&none).expect("encode");
        assert_eq!(v["upToSeq"], serde_json::Value::Null);
        assert_eq!(
            serde_json::from_value::<OutboxEntry>(v).expect("decode"),
            none
        );
    }
}
