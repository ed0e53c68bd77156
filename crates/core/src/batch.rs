//! What the batch form of deleteConversation resolves with, and the `data` of its rejection when
//! nothing was deleted: `{ conversationIDList, failedList: [{ code, conversationID, message }] }`.
//! A typed shape rather than a `serde_json::Value`: the wasm then needs no `Value` serializer.

use crate::error::SdkError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchDeleted {
    /// The IDs deleted, in the caller's order.
    #[serde(rename = "conversationIDList")]
    pub deleted: Vec<String>,
    #[serde(rename = "failedList")]
    pub failed: Vec<Failed>,
}

/// One entry of `failedList`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failed {
    pub code: u32,
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    pub message: String,
}

impl BatchDeleted {
    pub fn new(deleted: Vec<String>, failed: &[(String, SdkError)]) -> Self {
        let failed = failed
            .iter()
            .map(|(id, e)| Failed {
                code: e.code.as_u32(),
                conversation_id: id.clone(),
                message: e.message.clone(),
            })
            .collect();
        BatchDeleted { deleted, failed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tim_proto::ErrorCode;

    #[test]
    fn keeps_the_documented_json_shape() {
        let failed = [(
            "abc".to_owned(),
            SdkError::new(ErrorCode::InvalidConversationId, "bad"),
        )];
        let v =
            serde_json::to_value(BatchDeleted::new(vec!["C2Ca".into()], &failed)).expect("encode");
        assert_eq!(
            v.to_string(),
            r#"{"conversationIDList":["C2Ca"],"failedList":[{"code":2503,"conversationID":"abc","message":"bad"}]}"#
        );
    }
}
