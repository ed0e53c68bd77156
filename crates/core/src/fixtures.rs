//! Wire values for tim-core's tests, spelled once: a test names only the fields it is about,
//! `WireMessage { seq: 3, ..fixtures::text_message("C2Cbob", "bob", "alice") }`, so a field
//! added to a wire shape is added here, not in every test module.

use tim_proto::model::WireBody;
use tim_proto::{WireConversation, WireMessage};

/// Message "m1" from `from` to `to` in `conversation_id` (as its receiver names it): text "x",
/// seq 1, time 1, no edits, no receipt.
pub fn text_message(conversation_id: &str, from: &str, to: &str) -> WireMessage {
    WireMessage {
        id: "m1".into(),
        conversation_id: conversation_id.into(),
        from: from.into(),
        to: to.into(),
        seq: 1,
        time: 1,
        body: WireBody::Text { text: "x".into() },
        nick: String::new(),
        avatar: String::new(),
        revoked: false,
        need_read_receipt: false,
        read_count: 0,
        unread_count: 0,
    }
}

/// The list entry of `conversation_id` with nothing in it: no message, nothing unread, time 0.
pub fn conversation(conversation_id: &str) -> WireConversation {
    WireConversation {
        conversation_id: conversation_id.into(),
        unread_count: 0,
        last_message: None,
        update_time: 0,
        group: None,
        peer_nick: String::new(),
        peer_avatar: String::new(),
        pinned: false,
        remind_type: String::new(),
        at_info: Vec::new(),
        draft_text: String::new(),
    }
}
