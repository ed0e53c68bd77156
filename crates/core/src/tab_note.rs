//! What one tab tells the other tabs of the same user (same browser) about a local change, so they
//! show it at once without a server round trip, whatever the multi-client setting.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// Externally tagged (`{"deleted":{...}}`): read in one pass, without serde buffering it.
#[serde(rename_all = "camelCase")]
pub enum TabNote {
    #[serde(rename_all = "camelCase")]
    Deleted {
        #[serde(rename = "conversationID")]
        conversation_id: String,
        cleared_seq: u64,
    },
    /// Deleted with its history kept on the server: the entry goes, no watermark.
    #[serde(rename_all = "camelCase")]
    Removed {
        #[serde(rename = "conversationID")]
        conversation_id: String,
    },
    #[serde(rename_all = "camelCase")]
    HistoryCleared {
        #[serde(rename = "conversationID")]
        conversation_id: String,
        cleared_seq: u64,
    },
    #[serde(rename_all = "camelCase")]
    Read {
        #[serde(rename = "conversationID")]
        conversation_id: String,
    },
}

impl TabNote {
    /// Applies the note to the state, returning what changed.
    pub fn apply(&self, state: &mut crate::state::ConversationState) -> crate::state::Change {
        match self {
            TabNote::Deleted {
                conversation_id,
                cleared_seq,
            } => state.delete(conversation_id, *cleared_seq),
            TabNote::Removed { conversation_id } => state.remove(conversation_id),
            TabNote::HistoryCleared {
                conversation_id,
                cleared_seq,
            } => state.clear_history(conversation_id, *cleared_seq),
            TabNote::Read { conversation_id } => state.mark_read(conversation_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::ConversationState;

    #[test]
    fn notes_round_trip_and_apply() {
        let note = TabNote::Deleted {
            conversation_id: "C2Cbob".into(),
            cleared_seq: 1,
        };
        let json = serde_json::to_string(&note).expect("encode");
        assert_eq!(
            json,
            r#"{"deleted":{"conversationID":"C2Cbob","clearedSeq":1}}"#
        );
        assert_eq!(
            serde_json::from_str::<TabNote>(&json).expect("decode"),
            note
        );
        for n in [
            note.clone(),
            TabNote::Removed {
                conversation_id: "C2Cbob".into(),
            },
            TabNote::HistoryCleared {
                conversation_id: "C2Cbob".into(),
                cleared_seq: 2,
            },
            TabNote::Read {
                conversation_id: "C2Cbob".into(),
            },
        ] {
            let v = serde_json::to_value(&n).expect("encode");
            assert_eq!(serde_json::from_value::<TabNote>(v).expect("decode"), n);
        }
        for bad in [
            serde_json::json!({"deleted": {"conversationID": "C2Cbob"}}),
            serde_json::json!({"other": {"conversationID": "C2Cbob"}}),
            serde_json::json!({"read": {}}),
        ] {
            assert!(serde_json::from_value::<TabNote>(bad.clone()).is_err());
        }
        let mut s = ConversationState::new("alice");
        s.apply_message(
            &crate::fixtures::text_message("C2Cbob", "bob", "alice"),
            true,
        );
        assert!(note.apply(&mut s).list);
        assert!(!s.contains("C2Cbob"));
    }
}
