//! The documented JS shapes (Message, Conversation), built from wire data for one user.

use crate::constants::types;
use serde::{Deserialize, Serialize};
use tim_proto::model::WireBody;
use tim_proto::{WireConversation, WireMessage};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextPayload {
    pub text: String,
}

/// A message as `tim.createTextMessage` returns it and events carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub payload: TextPayload,
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    pub conversation_type: String,
    pub to: String,
    pub from: String,
    /// `in` or `out`, from the point of view of the logged-in user.
    pub flow: String,
    /// Server time (unix seconds); the client time until the server accepted it.
    pub time: i64,
    pub client_time: i64,
    pub sequence: u64,
    /// `unSend`, `success` or `fail`.
    pub status: String,
    pub is_read: bool,
    pub is_revoked: bool,
    pub is_peer_read: bool,
    pub nick: String,
    pub avatar: String,
    pub priority: String,
    pub cloud_custom_data: String,
}

impl Message {
    /// A text message not yet sent (what createTextMessage returns).
    pub fn new_text(id: String, from: &str, to: &str, text: String, now: i64) -> Message {
        Message {
            id,
            kind: types::MSG_TEXT.to_owned(),
            payload: TextPayload { text },
            conversation_id: format!("{}{to}", types::CONV_C2C),
            conversation_type: types::CONV_C2C.to_owned(),
            to: to.to_owned(),
            from: from.to_owned(),
            flow: "out".to_owned(),
            time: now,
            client_time: now,
            sequence: 0,
            status: "unSend".to_owned(),
            is_read: true,
            is_revoked: false,
            is_peer_read: false,
            nick: String::new(),
            avatar: String::new(),
            priority: "Normal".to_owned(),
            cloud_custom_data: String::new(),
        }
    }

    /// A stored message as user `me` sees it.
    pub fn from_wire(w: &WireMessage, me: &str) -> Message {
        let WireBody::Text { text } = &w.body;
        let outgoing = w.from == me;
        Message {
            id: w.id.clone(),
            kind: types::MSG_TEXT.to_owned(),
            payload: TextPayload { text: text.clone() },
            conversation_id: w.conversation_id.clone(),
            conversation_type: types::CONV_C2C.to_owned(),
            to: w.to.clone(),
            from: w.from.clone(),
            flow: if outgoing { "out" } else { "in" }.to_owned(),
            time: w.time,
            client_time: w.time,
            sequence: w.seq,
            status: "success".to_owned(),
            is_read: outgoing,
            is_revoked: false,
            is_peer_read: false,
            nick: String::new(),
            avatar: String::new(),
            priority: "Normal".to_owned(),
            cloud_custom_data: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LastMessage {
    pub last_time: i64,
    pub last_sequence: u64,
    pub from_account: String,
    pub message_for_show: String,
    pub payload: Option<TextPayload>,
    #[serde(rename = "type")]
    pub kind: String,
    pub is_revoked: bool,
}

impl LastMessage {
    fn blank() -> LastMessage {
        LastMessage {
            last_time: 0,
            last_sequence: 0,
            from_account: String::new(),
            message_for_show: String::new(),
            payload: None,
            kind: String::new(),
            is_revoked: false,
        }
    }

    fn from_wire(w: &WireMessage) -> LastMessage {
        let WireBody::Text { text } = &w.body;
        LastMessage {
            last_time: w.time,
            last_sequence: w.seq,
            from_account: w.from.clone(),
            message_for_show: text.clone(),
            payload: Some(TextPayload { text: text.clone() }),
            kind: types::MSG_TEXT.to_owned(),
            is_revoked: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub nick: String,
    pub avatar: String,
}

/// A conversation list entry as the documented API shapes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub unread_count: u32,
    pub last_message: LastMessage,
    pub user_profile: UserProfile,
    pub is_pinned: bool,
    pub peer_read_time: i64,
    pub remark: String,
    pub message_remind_type: String,
    pub mark_list: Vec<String>,
    pub custom_data: String,
}

impl Conversation {
    pub fn from_wire(w: &WireConversation) -> Conversation {
        let peer = w
            .conversation_id
            .strip_prefix(types::CONV_C2C)
            .unwrap_or_default();
        Conversation {
            conversation_id: w.conversation_id.clone(),
            kind: types::CONV_C2C.to_owned(),
            unread_count: w.unread_count,
            last_message: w
                .last_message
                .as_ref()
                .map_or_else(LastMessage::blank, LastMessage::from_wire),
            user_profile: UserProfile {
                user_id: peer.to_owned(),
                nick: String::new(),
                avatar: String::new(),
            },
            is_pinned: false,
            peer_read_time: 0,
            remark: String::new(),
            message_remind_type: String::new(),
            mark_list: Vec::new(),
            custom_data: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wire(from: &str, to: &str, conv: &str) -> WireMessage {
        WireMessage {
            id: "m1".into(),
            conversation_id: conv.into(),
            from: from.into(),
            to: to.into(),
            seq: 4,
            time: 1_700_000_000,
            body: WireBody::Text { text: "hi".into() },
        }
    }

    #[test]
    fn message_has_documented_field_names_and_flow() {
        let m = Message::from_wire(&wire("bob", "alice", "C2Cbob"), "alice");
        let v = serde_json::to_value(&m).expect("encode");
        assert_eq!(v["ID"], "m1");
        assert_eq!(v["type"], "TIMTextElem");
        assert_eq!(v["payload"], json!({"text": "hi"}));
        assert_eq!(v["conversationID"], "C2Cbob");
        assert_eq!(v["conversationType"], "C2C");
        assert_eq!(v["flow"], "in");
        assert_eq!(v["sequence"], 4);
        assert_eq!(v["status"], "success");
        assert_eq!(v["isRead"], false);
        let mine = Message::from_wire(&wire("alice", "bob", "C2Cbob"), "alice");
        assert_eq!(mine.flow, "out");
    }

    #[test]
    fn conversation_shape_with_and_without_last_message() {
        let c = Conversation::from_wire(&WireConversation {
            conversation_id: "C2Cbob".into(),
            unread_count: 2,
            last_message: Some(wire("bob", "alice", "C2Cbob")),
            update_time: 5,
        });
        let v = serde_json::to_value(&c).expect("encode");
        assert_eq!(v["conversationID"], "C2Cbob");
        assert_eq!(v["type"], "C2C");
        assert_eq!(v["unreadCount"], 2);
        assert_eq!(v["userProfile"]["userID"], "bob");
        assert_eq!(v["lastMessage"]["messageForShow"], "hi");
        assert_eq!(v["lastMessage"]["lastSequence"], 4);
        assert_eq!(v["lastMessage"]["fromAccount"], "bob");

        let empty = Conversation::from_wire(&WireConversation {
            conversation_id: "C2Cbob".into(),
            unread_count: 0,
            last_message: None,
            update_time: 5,
        });
        let v = serde_json::to_value(&empty).expect("encode");
        assert_eq!(v["lastMessage"]["lastTime"], 0);
        assert_eq!(v["lastMessage"]["payload"], serde_json::Value::Null);
    }

    #[test]
    fn a_created_message_round_trips_through_json() {
        let m = Message::new_text("id1".into(), "alice", "bob", "yo".into(), 10);
        let back: Message =
            serde_json::from_value(serde_json::to_value(&m).expect("encode")).expect("decode");
        assert_eq!(back, m);
        assert_eq!(m.status, "unSend");
        assert_eq!(m.conversation_id, "C2Cbob");
    }
}
