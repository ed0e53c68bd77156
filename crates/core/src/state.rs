//! The logged-in user's conversation list as the SDK holds it, and how server news changes it.

use crate::constants::types;
use crate::shapes::Conversation;
/// hashbrown's tables with std's hasher: see Cargo.toml.
type HashMap<K, V> = hashbrown::HashMap<K, V, std::hash::RandomState>;
type HashSet<K> = hashbrown::HashSet<K, std::hash::RandomState>;
use tim_proto::frame::ReadScope;
use tim_proto::model::WireGroup;
use tim_proto::{WireConversation, WireMessage};

/// setMessageRemindType's settings as the state holds them: the default as the server sends
/// it (empty), then the others.
const REMIND_TYPES: [&str; 3] = [
    "",
    tim_proto::remind::ACCEPT_NOT_NOTIFY,
    tim_proto::remind::DISCARD,
];

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
    /// How this user's file links are made (set at login: the server's address, the ticket).
    pub links: crate::files::FileLinks,
    entries: HashMap<String, WireConversation>,
    /// Recency within the same second: the server's list order, then local arrival order, so
    /// ties sort as the server sorts them (it knows the exact order of commits).
    activity: HashMap<String, u64>,
    next_activity: u64,
    /// Per conversation, the deletion watermark: messages at or below it are gone for this user,
    /// so a late or replayed push of one can never bring the conversation back.
    cleared: HashMap<String, u64>,
    /// setMessageRemindType settings heard this session, listed or not: a conversation a
    /// message brings back (or starts) has its setting at once (the server keeps it apart
    /// from the list row too).
    /// The setting as its index in [`REMIND_TYPES`] (0: the default, set again): a map
    /// type the state has anyway, where strings would cost the SDK a map of their own.
    reminds: HashMap<String, u64>,
    // What changed since the last `take_dirty`, for the local cache.
    full_rewrite: bool,
    dirty_ids: HashSet<String>,
    removed_ids: HashSet<String>,
    dirty_watermarks: HashSet<String>,
}

/// The changes to write to the local cache: entries to put, entries to drop (with their cached
/// messages), and watermarks. `full` means the whole list was replaced.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Dirty {
    pub full: bool,
    pub upserts: Vec<WireConversation>,
    pub removed: Vec<String>,
    pub watermarks: Vec<(String, u64)>,
}

impl Dirty {
    pub fn is_empty(&self) -> bool {
        !self.full
            && self.upserts.is_empty()
            && self.removed.is_empty()
            && self.watermarks.is_empty()
    }
}

impl ConversationState {
    pub fn new(me: &str) -> Self {
        ConversationState {
            me: me.to_owned(),
            links: crate::files::FileLinks::default(),
            entries: HashMap::default(),
            activity: HashMap::default(),
            next_activity: 1,
            cleared: HashMap::default(),
            reminds: HashMap::default(),
            full_rewrite: false,
            dirty_ids: HashSet::default(),
            removed_ids: HashSet::default(),
            dirty_watermarks: HashSet::default(),
        }
    }

    pub fn me(&self) -> &str {
        &self.me
    }

    /// Replaces everything with the server's list; reports a change only if something differs.
    pub fn replace_all(&mut self, list: Vec<WireConversation>) -> Change {
        let before = self.total_unread();
        // The server sends its list newest first: the first entry is the most recent.
        let n = list.len() as u64;
        let base = self.next_activity;
        self.activity = list
            .iter()
            .enumerate()
            .map(|(i, c)| (c.conversation_id.clone(), base + n - i as u64))
            .collect();
        self.next_activity = base + n + 1;
        let mut entries: HashMap<String, WireConversation> = list
            .into_iter()
            .map(|c| (c.conversation_id.clone(), c))
            .collect();
        // Drafts are this tab's own: the server's list has none.
        for (id, c) in &mut entries {
            if let Some(old) = self.entries.get(id) {
                c.draft_text.clone_from(&old.draft_text);
            }
        }
        let changed = entries != self.entries;
        self.entries = entries;
        if changed {
            self.full_rewrite = true;
        }
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
                group: None,
                peer_nick: String::new(),
                peer_avatar: String::new(),
                pinned: false,
                remind_type: self
                    .reminds
                    .get(&msg.conversation_id)
                    .and_then(|&i| REMIND_TYPES.get(i as usize))
                    .map_or_else(String::new, |&k| k.to_owned()),
                at_info: Vec::new(),
                draft_text: String::new(),
            });
        let newest = entry.last_message.as_ref().map_or(0, |m| m.seq);
        if msg.seq <= newest {
            return Change::default();
        }
        entry.last_message = Some(msg.clone());
        self.activity
            .insert(msg.conversation_id.clone(), self.next_activity);
        self.next_activity += 1;
        entry.update_time = entry.update_time.max(msg.time);
        if counts_unread && msg.from != self.me {
            entry.unread_count = entry.unread_count.saturating_add(1);
            // An unread @ message for this user joins the conversation's groupAtInfoList.
            if let Some(at_type) = msg.body.at_type_for(&self.me) {
                entry.at_info.push(msg.seq.to_string());
                entry.at_info.push(at_type.to_string());
            }
        }
        // A C2C peer's message carries their nick and avatar as of now: the freshest we know.
        if msg.from != self.me && msg.conversation_id.starts_with(types::CONV_C2C) {
            entry.peer_nick.clone_from(&msg.nick);
            entry.peer_avatar.clone_from(&msg.avatar);
        }
        self.touched(&msg.conversation_id);
        Change {
            list: true,
            total_unread: before != self.total_unread(),
        }
    }

    /// A message was revoked or modified: a listed conversation whose last message it is shows
    /// it as it is now, and a revoked @ message leaves its groupAtInfoList (as Tencent's does).
    /// Whether the conversation is listed (only then is the change told).
    pub fn apply_edit(&mut self, msg: &WireMessage) -> (bool, Change) {
        let Some(entry) = self.entries.get_mut(msg.conversation_id.as_str()) else {
            return (false, Change::default());
        };
        let unmentioned = msg.revoked && unmention(&mut entry.at_info, msg.seq);
        match entry.last_message.as_mut().filter(|m| m.id == msg.id) {
            Some(last) => *last = msg.clone(),
            None if !unmentioned => return (true, Change::default()),
            None => {}
        }
        self.touched(&msg.conversation_id);
        (
            true,
            Change {
                list: true,
                total_unread: false,
            },
        )
    }

    /// Messages `seqs` of the conversation were deleted for this user (deleteMessage): they
    /// leave its groupAtInfoList.
    pub fn unmention(&mut self, conversation_id: &str, seqs: &[u64]) -> Change {
        let Some(entry) = self.entries.get_mut(conversation_id) else {
            return Change::default();
        };
        let mut changed = false;
        for &seq in seqs {
            changed |= unmention(&mut entry.at_info, seq);
        }
        if changed {
            self.touched(conversation_id);
        }
        Change {
            list: changed,
            total_unread: false,
        }
    }

    fn raise_watermark(&mut self, conversation_id: &str, seq: u64) -> u64 {
        let w = self.cleared.entry(conversation_id.to_owned()).or_default();
        if seq > *w {
            *w = seq;
            self.dirty_watermarks.insert(conversation_id.to_owned());
        }
        *w
    }

    fn touched(&mut self, conversation_id: &str) {
        self.removed_ids.remove(conversation_id);
        self.dirty_ids.insert(conversation_id.to_owned());
    }

    /// The conversation was deleted (here or, when synced, on another session) with watermark
    /// `cleared_seq`: the entry goes, and messages at or below the watermark stay out.
    pub fn delete(&mut self, conversation_id: &str, cleared_seq: u64) -> Change {
        let watermark = self.raise_watermark(conversation_id, cleared_seq);
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
        let watermark = self.raise_watermark(conversation_id, cleared_seq);
        let before = self.total_unread();
        let Some(c) = self.entries.get_mut(conversation_id) else {
            return Change::default();
        };
        let mut list = false;
        if c.last_message.as_ref().is_some_and(|m| m.seq <= watermark) {
            c.last_message = None;
            list = true;
        }
        if (c.unread_count > 0 || !c.at_info.is_empty()) && c.last_message.is_none() {
            c.unread_count = 0;
            c.at_info.clear();
            list = true;
        }
        if list {
            self.touched(conversation_id);
        }
        Change {
            list,
            total_unread: before != self.total_unread(),
        }
    }

    /// Drops the entry without a watermark (the server says it is not in the list).
    pub fn remove(&mut self, conversation_id: &str) -> Change {
        match self.entries.remove(conversation_id) {
            Some(gone) => {
                self.dirty_ids.remove(conversation_id);
                self.removed_ids.insert(conversation_id.to_owned());
                Change {
                    list: true,
                    total_unread: gone.unread_count > 0,
                }
            }
            None => Change::default(),
        }
    }

    pub fn mark_read(&mut self, conversation_id: &str) -> Change {
        match self.entries.get_mut(conversation_id) {
            Some(c) if c.unread_count > 0 || !c.at_info.is_empty() => {
                c.unread_count = 0;
                // Read, the @ messages are no longer news (Tencent clears groupAtInfoList).
                c.at_info.clear();
                self.touched(conversation_id);
                Change {
                    list: true,
                    total_unread: true,
                }
            }
            _ => Change::default(),
        }
    }

    /// Pins or unpins a listed conversation (a conversation not in the list has no pin: the
    /// server unpins on deletion, and its list says so when the conversation comes back).
    pub fn set_pinned(&mut self, conversation_id: &str, pinned: bool) -> Change {
        match self.entries.get_mut(conversation_id) {
            Some(c) if c.pinned != pinned => {
                c.pinned = pinned;
                self.touched(conversation_id);
                Change {
                    list: true,
                    total_unread: false,
                }
            }
            _ => Change::default(),
        }
    }

    /// setConversationDraft on a listed conversation (empty text: no draft). Kept in the entry
    /// (a deletion drops it with the entry), never cached nor sent.
    pub fn set_draft(&mut self, conversation_id: &str, text: String) -> Change {
        match self.entries.get_mut(conversation_id) {
            Some(c) => {
                c.draft_text = text;
                Change {
                    list: true,
                    total_unread: false,
                }
            }
            None => Change::default(),
        }
    }

    /// The draft of a listed conversation (empty when none).
    pub fn draft_text(&self, conversation_id: &str) -> String {
        self.entries
            .get(conversation_id)
            .map(|c| c.draft_text.clone())
            .unwrap_or_default()
    }

    /// setMessageRemindType: `kind` for each of `ids` (`parts` of a `messageRemindType` push:
    /// the setting, then the IDs). Muting changes the total unread count, not the entry's.
    pub fn set_remind(&mut self, parts: &[String]) -> Change {
        let Some((kind, ids)) = parts.split_first() else {
            return Change::default();
        };
        // The default is stored as the server sends it: empty.
        let index = REMIND_TYPES.iter().position(|k| k == kind).unwrap_or(0);
        let kind = REMIND_TYPES[index];
        let before = self.total_unread();
        let mut list = false;
        for id in ids {
            self.reminds.insert(id.clone(), index as u64);
            if let Some(c) = self.entries.get_mut(id) {
                if c.remind_type != kind {
                    kind.clone_into(&mut c.remind_type);
                    list = true;
                    self.touched(id);
                }
            }
        }
        Change {
            list,
            total_unread: before != self.total_unread(),
        }
    }

    /// The conversations of `scope` with unread messages (what setAllMessageRead reads), by ID.
    pub fn unread_in(&self, scope: ReadScope) -> Vec<String> {
        let mut ids: Vec<String> = self
            .entries
            .values()
            .filter(|c| c.unread_count > 0 && scope.covers(&c.conversation_id))
            .map(|c| c.conversation_id.clone())
            .collect();
        crate::sort::sort_by(&mut ids, |a, b| a.cmp(b));
        ids
    }

    /// Replaces one entry with the server's view of it.
    pub fn upsert(&mut self, mut conversation: WireConversation) -> Change {
        let before = self.total_unread();
        if let Some(old) = self.entries.get(&conversation.conversation_id) {
            conversation.draft_text.clone_from(&old.draft_text);
        }
        let changed = self.entries.get(&conversation.conversation_id) != Some(&conversation);
        let id = conversation.conversation_id.clone();
        self.entries.insert(id.clone(), conversation);
        if changed {
            self.touched(&id);
        }
        Change {
            list: changed,
            total_unread: before != self.total_unread(),
        }
    }

    /// Loads what the local cache held, without marking anything to write back.
    pub fn restore(&mut self, list: Vec<WireConversation>, watermarks: Vec<(String, u64)>) {
        self.entries = list
            .into_iter()
            .map(|c| (c.conversation_id.clone(), c))
            .collect();
        self.cleared = watermarks.into_iter().collect();
    }

    /// What to write to the local cache since the last call.
    pub fn take_dirty(&mut self) -> Dirty {
        let full = std::mem::take(&mut self.full_rewrite);
        let ids = std::mem::take(&mut self.dirty_ids);
        let upserts = if full {
            self.entries.values().cloned().collect()
        } else {
            ids.iter()
                .filter_map(|id| self.entries.get(id).cloned())
                .collect()
        };
        Dirty {
            full,
            upserts,
            removed: std::mem::take(&mut self.removed_ids).into_iter().collect(),
            watermarks: std::mem::take(&mut self.dirty_watermarks)
                .into_iter()
                .filter_map(|id| self.cleared.get(&id).map(|&w| (id, w)))
                .collect(),
        }
    }

    /// The newest message seq this user has of a conversation (what an offline deletion covers).
    pub fn last_seq(&self, conversation_id: &str) -> Option<u64> {
        self.entries
            .get(conversation_id)
            .map(|c| c.last_message.as_ref().map_or(0, |m| m.seq))
    }

    /// Gives a group conversation its group (name, type) when it has none: one that a pushed
    /// message brought into the list knows only the group's ID (the server's list carries the
    /// group). Returns false when `groups` (the SDK's group list) lacks it too: the caller then
    /// fetches the conversation from the server.
    pub fn fill_group(&mut self, conversation_id: &str, groups: &[WireGroup]) -> bool {
        let Some(group_id) = conversation_id.strip_prefix(types::CONV_GROUP) else {
            return true;
        };
        let Some(entry) = self.entries.get_mut(conversation_id) else {
            return true;
        };
        if entry.group.is_some() {
            return true;
        }
        let Some(group) = groups.iter().find(|g| g.group_id == group_id) else {
            return false;
        };
        entry.group = Some(group.clone());
        self.touched(conversation_id);
        true
    }

    pub fn contains(&self, conversation_id: &str) -> bool {
        self.entries.contains_key(conversation_id)
    }

    pub fn get(&self, conversation_id: &str) -> Option<Conversation> {
        self.entries
            .get(conversation_id)
            .map(|c| Conversation::from_wire(c, &self.links))
    }

    /// Muted conversations (setMessageRemindType) are left out, as Tencent documents.
    pub fn total_unread(&self) -> u32 {
        self.entries
            .values()
            .filter(|c| !tim_proto::remind::is_muted(&c.remind_type))
            .fold(0u32, |sum, c| sum.saturating_add(c.unread_count))
    }

    /// The documented order: pinned first, then newest last message first.
    pub fn list(&self) -> Vec<Conversation> {
        // Each entry's keys are read once, not in every comparison: the recency lookup hashed
        // two conversation IDs per comparison, ~8 % of a 10,000-conversation list's time.
        let mut entries: Vec<(SortKey, &WireConversation)> = self
            .entries
            .values()
            .map(|c| {
                let recency = self.activity.get(&c.conversation_id).copied();
                ((c.pinned, sort_time(c), c.update_time, recency), c)
            })
            .collect();
        crate::sort::sort_by(&mut entries, |(ka, a), (kb, b)| {
            kb.cmp(ka)
                .then_with(|| a.conversation_id.cmp(&b.conversation_id))
        });
        entries
            .into_iter()
            .map(|(_, c)| Conversation::from_wire(c, &self.links))
            .collect()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.cleared.clear();
        self.full_rewrite = true;
    }
}

/// A conversation's place in the list, greatest first: pinned, newest message (or update),
/// update time, most recent activity seen here.
type SortKey = (bool, i64, i64, Option<u64>);

fn sort_time(c: &WireConversation) -> i64 {
    c.last_message.as_ref().map_or(c.update_time, |m| m.time)
}

/// Removes message `seq`'s pair from a groupAtInfoList's flat `[seq, atType, ...]`; whether it
/// was there.
fn unmention(at_info: &mut Vec<String>, seq: u64) -> bool {
    let seq = seq.to_string();
    let Some(i) = at_info.chunks_exact(2).position(|p| p[0] == seq) else {
        return false;
    };
    at_info.remove(2 * i);
    at_info.remove(2 * i);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use tim_proto::model::WireBody;

    fn msg(conv: &str, from: &str, seq: u64, time: i64) -> WireMessage {
        WireMessage {
            id: format!("m{seq}"),
            seq,
            time,
            body: WireBody::Text {
                text: format!("t{seq}"),
            },
            ..fixtures::text_message(conv, from, "x")
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
    fn a_pushed_group_message_gets_its_group_from_the_group_list_or_asks() {
        let team = WireGroup {
            group_id: "team".into(),
            name: "Team".into(),
            kind: "Private".into(),
            owner_id: "bob".into(),
            member_count: 2,
            create_time: 1,
            is_member: true,
            dismissed: false,
            profile: Vec::new(),
        };
        let mut s = ConversationState::new("alice");
        s.apply_message(&msg("GROUPteam", "bob", 1, 10), true);
        s.apply_message(&msg("GROUPother", "bob", 1, 10), true);
        s.take_dirty();
        assert!(s.fill_group("GROUPteam", std::slice::from_ref(&team)));
        let g = s
            .get("GROUPteam")
            .and_then(|c| c.group_profile)
            .expect("a group");
        assert_eq!((g.name.as_str(), g.kind.as_str()), ("Team", "Private"));
        assert_eq!(s.take_dirty().upserts.len(), 1, "written to the cache");
        assert!(!s.fill_group("GROUPother", &[team]), "unknown: fetch it");
        assert!(s.fill_group("C2Cbob", &[]), "not a group conversation");
        assert!(s.fill_group("GROUPnone", &[]), "not in the list");
    }

    #[test]
    fn a_revoked_mention_leaves_the_group_at_info_list() {
        let mut s = ConversationState::new("alice");
        let at = |seq: u64| WireMessage {
            body: WireBody::AtText {
                text: "@".into(),
                at_user_list: vec!["alice".into()],
            },
            ..msg("GROUPg", "bob", seq, 10)
        };
        for seq in 1..=3 {
            s.apply_message(&at(seq), true);
        }
        let seqs = |s: &ConversationState| -> Vec<u64> {
            let c = s.get("GROUPg").expect("listed");
            c.group_at_info_list
                .iter()
                .map(|a| a.message_sequence)
                .collect()
        };
        assert_eq!(seqs(&s), [1, 2, 3]);
        s.take_dirty();
        // A modification changes no mention; a revoke of one that is not the last message
        // drops it (the list is told), the last message's too.
        let (listed, ch) = s.apply_edit(&at(2));
        assert!(listed && ch == Change::default());
        let revoked = |seq| WireMessage {
            revoked: true,
            ..at(seq)
        };
        let (_, ch) = s.apply_edit(&revoked(2));
        assert!(ch.list && !ch.total_unread);
        assert_eq!(seqs(&s), [1, 3]);
        assert_eq!(s.take_dirty().upserts.len(), 1, "written to the cache");
        s.apply_edit(&revoked(3));
        assert_eq!(seqs(&s), [1]);
        // deleteMessage of a mention drops it; of anything else changes nothing.
        s.take_dirty();
        assert_eq!(s.unmention("GROUPg", &[7]), Change::default());
        assert_eq!(s.unmention("GROUPx", &[1]), Change::default());
        assert!(s.unmention("GROUPg", &[7, 1]).list);
        assert_eq!(seqs(&s), Vec::<u64>::new());
        assert_eq!(s.take_dirty().upserts.len(), 1, "written to the cache");
        assert_eq!(
            s.total_unread(),
            3,
            "the unread count is not the list's business"
        );
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
    fn unread_at_messages_for_me_are_listed_until_read_or_gone() {
        use tim_proto::model::{at_type, AT_ALL};
        let at = |from: &str, seq: u64, list: &[&str]| WireMessage {
            body: WireBody::AtText {
                text: "@".into(),
                at_user_list: list.iter().map(|s| (*s).to_owned()).collect(),
            },
            ..msg("GROUPg", from, seq, 10 + seq as i64)
        };
        let at_list = |s: &ConversationState| {
            s.get("GROUPg")
                .map(|c| {
                    c.group_at_info_list
                        .iter()
                        .map(|a| (a.message_sequence, a.at_type_array.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        let mut s = ConversationState::new("alice");
        s.apply_message(&at("bob", 1, &["alice"]), true);
        s.apply_message(&at("bob", 2, &["carol"]), true);
        s.apply_message(&at("bob", 3, &[AT_ALL, "alice"]), true);
        // Mine, and my own session's sends, are not news.
        s.apply_message(&at("alice", 4, &[AT_ALL]), true);
        s.apply_message(&at("bob", 5, &[AT_ALL]), false);
        // A repeat of a message counts once.
        s.apply_message(&at("bob", 3, &[AT_ALL, "alice"]), true);
        assert_eq!(
            at_list(&s),
            vec![(1, vec![at_type::AT_ME]), (3, vec![at_type::AT_ALL_AT_ME])]
        );
        assert_eq!(
            s.mark_read("GROUPg"),
            Change {
                list: true,
                total_unread: true
            }
        );
        assert!(at_list(&s).is_empty());
        s.apply_message(&at("bob", 6, &[AT_ALL]), true);
        assert_eq!(at_list(&s), vec![(6, vec![at_type::AT_ALL])]);
        s.clear_history("GROUPg", 6);
        assert!(at_list(&s).is_empty());
        s.apply_message(&at("bob", 7, &["alice"]), true);
        s.delete("GROUPg", 7);
        s.apply_message(&msg("GROUPg", "bob", 8, 20), true);
        assert!(at_list(&s).is_empty(), "back with only the new message");
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
    fn same_second_ties_keep_the_server_order_then_arrival_order() {
        let mut s = ConversationState::new("alice");
        let conv = |id: &str| WireConversation {
            last_message: Some(msg(id, "x", 1, 10)),
            update_time: 10,
            ..fixtures::conversation(id)
        };
        // The server says gus is more recent than fay within the same second.
        s.replace_all(vec![conv("C2Cgus"), conv("C2Cfay")]);
        let ids = |s: &ConversationState| {
            s.list()
                .into_iter()
                .map(|c| c.conversation_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&s), vec!["C2Cgus", "C2Cfay"]);
        // A later message in the same second puts fay first.
        s.apply_message(&msg("C2Cfay", "fay", 2, 10), true);
        assert_eq!(ids(&s), vec!["C2Cfay", "C2Cgus"]);
    }

    #[test]
    fn dirty_tracks_what_the_cache_must_write() {
        let mut s = ConversationState::new("alice");
        s.apply_message(&msg("C2Cbob", "bob", 1, 10), true);
        s.apply_message(&msg("C2Ccarol", "carol", 1, 11), true);
        let d = s.take_dirty();
        assert!(!d.full);
        let mut ids: Vec<_> = d
            .upserts
            .iter()
            .map(|c| c.conversation_id.as_str())
            .collect();
        ids.sort_unstable();
        assert_eq!(ids, vec!["C2Cbob", "C2Ccarol"]);
        assert!(s.take_dirty().is_empty());
        s.delete("C2Cbob", 1);
        let d = s.take_dirty();
        assert_eq!(d.removed, vec!["C2Cbob".to_string()]);
        assert_eq!(d.watermarks, vec![("C2Cbob".to_string(), 1)]);
        assert!(d.upserts.is_empty());
        // Back with a new message: an upsert again, no longer a removal.
        s.apply_message(&msg("C2Cbob", "bob", 2, 12), true);
        let d = s.take_dirty();
        assert!(d.removed.is_empty());
        assert_eq!(d.upserts.len(), 1);
    }

    #[test]
    fn restore_loads_without_dirtying_and_keeps_watermarks() {
        let mut s = ConversationState::new("alice");
        s.restore(Vec::new(), vec![("C2Cbob".into(), 5)]);
        assert!(s.take_dirty().is_empty());
        assert_eq!(
            s.apply_message(&msg("C2Cbob", "bob", 5, 10), true),
            Change::default()
        );
        assert_eq!(s.last_seq("C2Cbob"), None);
        s.apply_message(&msg("C2Cbob", "bob", 6, 10), true);
        assert_eq!(s.last_seq("C2Cbob"), Some(6));
    }

    #[test]
    fn replace_all_reports_unread_changes() {
        let mut s = ConversationState::new("alice");
        let bob = || WireConversation {
            unread_count: 3,
            update_time: 1,
            ..fixtures::conversation("C2Cbob")
        };
        let ch = s.replace_all(vec![bob()]);
        assert!(ch.list && ch.total_unread);
        assert_eq!(s.total_unread(), 3);
        let same = s.list().len();
        assert_eq!(same, 1);
        let again = s.replace_all(vec![bob()]);
        assert_eq!(again, Change::default());
    }

    #[test]
    fn pinned_conversations_come_first_until_unpinned() {
        let mut s = ConversationState::new("alice");
        s.apply_message(&msg("C2Cbob", "bob", 1, 10), true);
        s.apply_message(&msg("C2Ccarol", "carol", 1, 11), true);
        let ids = |s: &ConversationState| {
            s.list()
                .into_iter()
                .map(|c| (c.conversation_id, c.is_pinned))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&s)[0].0, "C2Ccarol");
        let ch = s.set_pinned("C2Cbob", true);
        assert!(ch.list && !ch.total_unread);
        assert_eq!(
            ids(&s),
            [("C2Cbob".to_owned(), true), ("C2Ccarol".to_owned(), false)]
        );
        s.apply_message(&msg("C2Ccarol", "carol", 2, 12), true);
        assert_eq!(
            ids(&s)[0].0,
            "C2Cbob",
            "a newer message does not pass a pin"
        );
        assert_eq!(s.set_pinned("C2Cbob", true), Change::default(), "no change");
        assert_eq!(
            s.set_pinned("C2Cdan", true),
            Change::default(),
            "not listed"
        );
        s.set_pinned("C2Cbob", false);
        assert_eq!(ids(&s)[0], ("C2Ccarol".to_owned(), false));
        s.set_pinned("C2Cbob", true);
        s.delete("C2Cbob", 1);
        s.apply_message(&msg("C2Cbob", "bob", 2, 13), true);
        assert_eq!(
            ids(&s)[0],
            ("C2Cbob".to_owned(), false),
            "deleted and brought back: not pinned"
        );
    }

    #[test]
    fn a_remind_setting_outlives_the_entry_and_the_default_is_stored_empty() {
        let mut s = ConversationState::new("alice");
        s.apply_message(&msg("C2Cbob", "bob", 1, 10), true);
        let parts = |kind: &str| vec![kind.to_owned(), "C2Cbob".to_owned()];
        assert!(s.set_remind(&parts("AcceptNotNotify")).list);
        assert!(!s.set_remind(&parts("AcceptNotNotify")).list, "same again");
        s.delete("C2Cbob", 1);
        s.apply_message(&msg("C2Cbob", "bob", 2, 20), true);
        let bob = s.get("C2Cbob").expect("back");
        assert_eq!(bob.message_remind_type, "AcceptNotNotify");
        assert_eq!((bob.unread_count, s.total_unread()), (1, 0));
        let ch = s.set_remind(&parts("AcceptAndNotify"));
        assert!(ch.list && ch.total_unread);
        assert_eq!(
            s.take_dirty().upserts[0].remind_type,
            "",
            "as the server sends it"
        );
        assert!(!s.set_remind(&[]).list);
    }
}
