//! Messages as the SDK's methods take them back (revokeMessage, modifyMessage, deleteMessage):
//! the app passes the message objects the SDK gave it, and the SDK sends them on as they are
//! (see `frame::SENT_AS_OPTIONS`). Only the fields named here are read; the rest of a message
//! object is ignored.

use serde::Deserialize;

/// Which message: its conversation and its ID.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MessageRef {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(rename = "ID")]
    pub id: String,
}

/// A text message given back with its `payload.text` changed (modifyMessage).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ModifiedMessage {
    #[serde(flatten)]
    pub message: MessageRef,
    pub payload: TextPayload,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TextPayload {
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_whole_message_object_reads_as_its_reference() {
        let sdk_message = json!({
            "ID": "m1", "conversationID": "C2Cbob", "conversationType": "C2C", "from": "alice",
            "to": "bob", "flow": "out", "type": "TIMTextElem", "payload": {"text": "new"},
            "isRevoked": false, "time": 5
        });
        let m: ModifiedMessage = serde_json::from_value(sdk_message).expect("message");
        assert_eq!(
            (m.message.conversation_id.as_str(), m.message.id.as_str()),
            ("C2Cbob", "m1")
        );
        assert_eq!(m.payload.text, "new");
        assert!(serde_json::from_value::<MessageRef>(json!({"ID": "m1"})).is_err());
    }
}
