//! What the batch form of deleteConversation resolves with, and the `data` of its rejection when
//! nothing was deleted: `{ conversationIDList, failedList: [{ code, conversationID, message }] }`.
//! A typed shape rather than a `serde_json::Value`: the wasm then needs no `Value` serializer.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_documented_json_shape() {
        let data = BatchDeleted {
            deleted: vec!["C2Ca".into()],
            failed: vec![Failed {
                code: 2503,
                conversation_id: "abc".into(),
                message: "bad".into(),
            }],
        };
        let v = serde_json::to_value(data).expect("encode");
        assert_eq!(
            v.to_string(),
            r#"{"conversationIDList":["C2Ca"],"failedList":[{"code":2503,"conversationID":"abc","message":"bad"}]}"#
        );
    }
}
