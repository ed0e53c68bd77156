//! The logged-in user's conversation list as the SDK holds it, and how server news changes it.

use crate::shapes::Conversation;
use std::collections::HashMap;
use tim_proto::{WireConversation, WireMessage};

/// What a change did, so the caller knows which events to emit.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub list: bool,
    pub total_unread: bool,
}

impl Change {
    pub fn merge(self, other: Change) -> Change {
        Change {
            list: self.list || other.list,
            total_unread: self.total_unread || other.total_unread,
        }
    }
}

pub struct ConversationState {
    me: String,
    entries: HashMap<String, WireConversation>,
    /// Per conversation, the deletion watermark: messages at or below it are gone for this user,
    /// so a late or replayed push of one can never bring the conversation back.
    cleared: HashMap<String, u64>,
}

impl ConversationState {
    pub fn new(me: &str) -> Self {
        ConversationState {
            me: me.to_owned(),
            entries: HashMap::new(),
            cleared: HashMap::new(),
        }
    }

    pub fn me(&self) -> &str {
        &self.me
    }

    /// Replaces everything with the server's list; reports a change only if something differs.
    pub fn replace_all(&mut self, list: Vec<WireConversation>) -> Change {
        let before = self.total_unread();
        let entries: HashMap<String, WireConversation> = list
            .into_iter()
            .map(|c| (c.conversation_id.clone(), c))
            .collect();
        let changed = entries != self.entries;
        self.entries = entries;
        Change {
            list: changed,
            total_unread: before != self.total_unread(),
        }
    }

    /// A message arrived (push) or was sent by this session (`counts_unread` false).
    /// A message brings a deleted conversation back; seeing the same message twice changes nothing.
    pub fn apply_message(&mut self, msg: &WireMessage, counts_unread: bool) -> Change {
        if self
            .cleared
            .get(&msg.conversation_id)
            .is_some_and(|&w| msg.seq <= w)
        {
            return Change::default();
        }
        let before = self.total_unread();
        let entry = self
            .entries
            .entry(msg.conversation_id.clone())
            .or_insert_with(|| WireConversation {
                conversation_id: msg.conversation_id.clone(),
                unread_count: 0,
                last_message: None,
                update_time: msg.time,
            });
        let newest = entry.last_message.as_ref().map_or(0, |m| m.seq);
        if msg.seq <= newest {
            return Change::default();
        }
        entry.last_message = Some(msg.clone());
        entry.update_time = entry.update_time.max(msg.time);
        if counts_unread && msg.from != self.me {
            entry.unread_count = entry.unread_count.saturating_add(1);
        }
        Change {
            list: true,
            total_unread: before != self.total_unread(),
        }
    }

    /// The conversation was deleted (here or, when synced, on another session) with watermark
    /// `cleared_seq`: the entry goes, and messages at or below the watermark stay out.
    pub fn delete(&mut self, conversation_id: &str, cleared_seq: u64) -> Change {
        let w = self.cleared.entry(conversation_id.to_owned()).or_default();
        *w = (*w).max(cleared_seq);
        let watermark = *w;
        // A message newer than the watermark already applied (server order: message after the
        // deletion) keeps the conversation; anything else goes.
        let keep = self
            .entries
            .get(conversation_id)
            .and_then(|c| c.last_message.as_ref())
            .is_some_and(|m| m.seq > watermark);
        if keep {
            return Change::default();
        }
        self.remove(conversation_id)
    }

    /// History cleared up to `cleared_seq`: the entry stays, with no last message (unless a newer
    /// one arrived meanwhile) and nothing unread.
    pub fn clear_history(&mut self, conversation_id: &str, cleared_seq: u64) -> Change {
        let w = self.cleared.entry(conversation_id.to_owned()).or_default();
        *w = (*w).max(cleared_seq);
        let watermark = *w;
        let before = self.total_unread();
        let Some(c) = self.entries.get_mut(conversation_id) else {
            return Change::default();
        };
        let mut list = false;
        if c.last_message.as_ref().is_some_and(|m| m.seq <= watermark) {
            c.last_message = None;
            list = true;
        }
        if c.unread_count > 0 && c.last_message.is_none() {
            c.unread_count = 0;
            list = true;
        }
        Change {
            list,
            total_unread: before != self.total_unread(),
        }
    }

    /// Drops the entry without a watermark (the server says it is not in the list).
    pub fn remove(&mut self, conversation_id: &str) -> Change {
        match self.entries.remove(conversation_id) {
            Some(gone) => Change {
                list: true,
                total_unread: gone.unread_count > 0,
            },
            None => Change::default(),
        }
    }

    pub fn mark_read(&mut self, conversation_id: &str) -> Change {
        match self.entries.get_mut(conversation_id) {
            Some(c) if c.unread_count > 0 => {
                c.unread_count = 0;
                Change {
                    list: true,
                    total_unread: true,
                }
            }
            _ => Change::default(),
        }
    }

    /// Replaces one entry with the server's view of it.
    pub fn upsert(&mut self, conversation: WireConversation) -> Change {
        let before = self.total_unread();
        let changed = self.entries.get(&conversation.conversation_id) != Some(&conversation);
        self.entries
            .insert(conversation.conversation_id.clone(), conversation);
        Change {
            list: changed,
            total_unread: before != self.total_unread(),
        }
    }

    pub fn contains(&self, conversation_id: &str) -> bool {
        self.entries.contains_key(conversation_id)
    }

    pub fn get(&self, conversation_id: &str) -> Option<Conversation> {
        self.entries
            .get(conversation_id)
            .map(Conversation::from_wire)
    }

    pub fn total_unread(&self) -> u32 {
        self.entries
            .values()
            .fold(0u32, |sum, c| sum.saturating_add(c.unread_count))
    }

    /// The documented order: newest last message first (pinning comes with a later issue).
    pub fn list(&self) -> Vec<Conversation> {
        let mut entries: Vec<&WireConversation> = self.entries.values().collect();
        entries.sort_by(|a, b| {
            sort_time(b)
                .cmp(&sort_time(a))
                .then_with(|| b.update_time.cmp(&a.update_time))
                .then_with(|| a.conversation_id.cmp(&b.conversation_id))
        });
        entries.into_iter().map(Conversation::from_wire).collect()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.cleared.clear();
    }
}

fn sort_time(c: &WireConversation) -> i64 {
    c.last_message.as_ref().map_or(c.update_time, |m| m.time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tim_proto::model::WireBody;

    fn msg(conv: &str, from: &str, seq: u64, time: i64) -> WireMessage {
        WireMessage {
            id: format!("m{seq}"),
            conversation_id: conv.into(),
            from: from.into(),
            to: "x".into(),
            seq,
            time,
            body: WireBody::Text {
                text: format!("t{seq}"),
            },
        }
    }

    #[test]
    fn incoming_messages_create_entries_and_count_unread() {
        let mut s = ConversationState::new("alice");
        let ch = s.apply_message(&msg("C2Cbob", "bob", 1, 10), true);
        assert_eq!(
            ch,
            Change {
                list: true,
                total_unread: true
            }
        );
        s.apply_message(&msg("C2Cbob", "bob", 2, 11), true);
        s.apply_message(&msg("C2Ccarol", "alice", 1, 12), true);
        assert_eq!(s.total_unread(), 2);
        let list = s.list();
        assert_eq!(list[0].conversation_id, "C2Ccarol");
        assert_eq!(list[1].unread_count, 2);
        assert_eq!(list[1].last_message.last_sequence, 2);
    }

    #[test]
    fn the_same_message_twice_counts_once() {
        let mut s = ConversationState::new("alice");
        s.apply_message(&msg("C2Cbob", "bob", 1, 10), true);
        assert_eq!(
            s.apply_message(&msg("C2Cbob", "bob", 1, 10), true),
            Change::default()
        );
        assert_eq!(s.total_unread(), 1);
    }

    #[test]
    fn removing_drops_the_entry_and_its_unread() {
        let mut s = ConversationState::new("alice");
        s.apply_message(&msg("C2Cbob", "bob", 1, 10), true);
        s.apply_message(&msg("C2Ccarol", "carol", 1, 11), true);
        let ch = s.delete("C2Cbob", 1);
        assert_eq!(
            ch,
            Change {
                list: true,
                total_unread: true
            }
        );
        assert_eq!(s.total_unread(), 1);
        assert!(!s.contains("C2Cbob"));
        assert_eq!(s.delete("C2Cbob", 1), Change::default());
    }

    #[test]
    fn a_new_message_brings_a_removed_conversation_back_with_only_itself() {
        let mut s = ConversationState::new("alice");
        s.apply_message(&msg("C2Cbob", "bob", 1, 10), true);
        s.delete("C2Cbob", 1);
        s.apply_message(&msg("C2Cbob", "bob", 2, 20), true);
        let c = s.get("C2Cbob").expect("back");
        assert_eq!(c.unread_count, 1);
        assert_eq!(c.last_message.last_sequence, 2);
    }

    #[test]
    fn messages_at_or_below_the_watermark_never_bring_it_back() {
        let mut s = ConversationState::new("alice");
        s.apply_message(&msg("C2Cbob", "bob", 1, 10), true);
        s.apply_message(&msg("C2Cbob", "bob", 2, 11), true);
        s.delete("C2Cbob", 2);
        // A late or replayed push of an old message changes nothing.
        assert_eq!(
            s.apply_message(&msg("C2Cbob", "bob", 2, 11), true),
            Change::default()
        );
        assert!(!s.contains("C2Cbob"));
        s.apply_message(&msg("C2Cbob", "bob", 3, 12), true);
        assert_eq!(s.get("C2Cbob").map(|c| c.unread_count), Some(1));
    }

    #[test]
    fn a_deletion_ordered_before_a_newer_message_keeps_the_newer_one() {
        let mut s = ConversationState::new("alice");
        s.apply_message(&msg("C2Cbob", "bob", 1, 10), true);
        s.apply_message(&msg("C2Cbob", "bob", 2, 11), true);
        // The server deleted at watermark 1, then stored message 2: the entry stays with it.
        assert_eq!(s.delete("C2Cbob", 1), Change::default());
        assert_eq!(
            s.get("C2Cbob").map(|c| c.last_message.last_sequence),
            Some(2)
        );
    }

    #[test]
    fn clearing_history_keeps_the_entry_blank_and_read() {
        let mut s = ConversationState::new("alice");
        s.apply_message(&msg("C2Cbob", "bob", 1, 10), true);
        s.apply_message(&msg("C2Cbob", "bob", 2, 11), true);
        let ch = s.clear_history("C2Cbob", 2);
        assert_eq!(
            ch,
            Change {
                list: true,
                total_unread: true
            }
        );
        let c = s.get("C2Cbob").expect("kept");
        assert_eq!((c.unread_count, c.last_message.last_sequence), (0, 0));
        assert_eq!(
            s.apply_message(&msg("C2Cbob", "bob", 2, 11), true),
            Change::default()
        );
        s.apply_message(&msg("C2Cbob", "bob", 3, 12), true);
        assert_eq!(s.get("C2Cbob").map(|c| c.unread_count), Some(1));
    }

    #[test]
    fn own_messages_and_mark_read_leave_unread_right() {
        let mut s = ConversationState::new("alice");
        s.apply_message(&msg("C2Cbob", "bob", 1, 10), true);
        s.apply_message(&msg("C2Cbob", "alice", 2, 11), false);
        assert_eq!(s.total_unread(), 1);
        assert!(s.mark_read("C2Cbob").total_unread);
        assert_eq!(s.total_unread(), 0);
        assert_eq!(s.mark_read("C2Cbob"), Change::default());
    }

    #[test]
    fn replace_all_reports_unread_changes() {
        let mut s = ConversationState::new("alice");
        let ch = s.replace_all(vec![WireConversation {
            conversation_id: "C2Cbob".into(),
            unread_count: 3,
            last_message: None,
            update_time: 1,
        }]);
        assert!(ch.list && ch.total_unread);
        assert_eq!(s.total_unread(), 3);
        let same = s.list().len();
        assert_eq!(same, 1);
        let again = s.replace_all(vec![WireConversation {
            conversation_id: "C2Cbob".into(),
            unread_count: 3,
            last_message: None,
            update_time: 1,
        }]);
        assert_eq!(again, Change::default());
    }
}
