//! Read receipts (issue 16), the same for every engine: a message sent with needReadReceipt
//! counts each reader's sendMessageReadReceipt once; its sender hears of it (one
//! `messageReadReceipt` entry per call and sender) while the sender's view holds the message.
//! A reader whose view no longer holds a message (a deleted conversation or message) changes
//! nothing with it; a conversation deleted and brought back holds none of the old messages, so
//! none of their receipt state either.

use super::StoredMessage;
use std::collections::BTreeMap;
use tim_proto::{Push, WireMessage};

/// One more reader of `m`.
pub(super) fn counted(m: &mut StoredMessage) {
    m.read_count = m.read_count.saturating_add(1);
    m.unread_count = m.unread_count.saturating_sub(1);
}

/// The messages each sender is told about, in their own conversation.
#[derive(Default)]
pub(super) struct SenderNews(BTreeMap<String, Vec<WireMessage>>);

impl SenderNews {
    /// `m` as its sender sees it in `conversation_id`.
    pub(super) fn add(&mut self, conversation_id: &str, m: &StoredMessage) {
        self.0
            .entry(m.from.clone())
            .or_default()
            .push(m.wire_in(conversation_id));
    }

    /// Each sender and the push telling them.
    pub(super) fn pushes(self) -> impl Iterator<Item = (String, Push)> {
        self.0
            .into_iter()
            .map(|(sender, list)| (sender, Push::MessageReadReceipt(list)))
    }
}
