//! The values the store hands in and out.

use serde::{Deserialize, Serialize};
use tim_proto::frame::LoggedEvent;
use tim_proto::model::{WireBody, WireGroup};
use tim_proto::{ConversationId, Push, WireConversation, WireMessage};

/// A tenant: its UserSig key and settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub sdk_app_id: u64,
    pub secret_key: String,
    pub admin_identifier: String,
    /// Tell the user's other sessions when a conversation is deleted (off by default, as at Tencent).
    pub sync_conversation_deletion: bool,
    pub created_at: i64,
}

/// Separates the two user IDs of a C2C thread key: U+001F, a control character, which no ID
/// may contain (`tim_proto::user_id::validate_id`), so two different pairs of IDs never make
/// the same key. (It was `|` while IDs were `A-Z a-z 0-9 _ - . @`; schema migration 6 of
/// SQLite and 2 of PostgreSQL rewrote the stored keys.)
pub const THREAD_KEY_SEPARATOR: char = tim_proto::user_id::ID_SEPARATOR;
/// Prefix of a group's thread key (`group#<groupID>`) and of a user's system-notice thread key
/// (`system#<userID>`). Neither holds the separator, which every C2C key does, so no C2C key
/// can equal them (even one of users named `group#x` and `y`); the two prefixes differ.
const GROUP_THREAD_PREFIX: &str = "group#";
const SYSTEM_THREAD_PREFIX: &str = "system#";

/// A conversation as one user names it, plus the key of the message thread behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvRef {
    pub owner: String,
    /// The other user of a C2C conversation (the owner again for a chat with oneself); the
    /// groupID of a group conversation; `@TIM#SYSTEM` for the system conversation.
    pub peer: String,
    pub conversation_id: String,
    /// Shared by both parties: the two user IDs sorted, so both see the same seqs.
    pub conv_key: String,
}

impl ConvRef {
    pub fn c2c(owner: &str, peer: &str) -> Self {
        let (a, b) = if owner <= peer {
            (owner, peer)
        } else {
            (peer, owner)
        };
        ConvRef {
            owner: owner.to_owned(),
            peer: peer.to_owned(),
            conversation_id: ConversationId::C2c(peer.to_owned()).to_string(),
            conv_key: format!("{a}{THREAD_KEY_SEPARATOR}{b}"),
        }
    }

    /// `owner`'s conversation `GROUP<group_id>`: one thread shared by every member.
    pub fn group(owner: &str, group_id: &str) -> Self {
        ConvRef {
            owner: owner.to_owned(),
            peer: group_id.to_owned(),
            conversation_id: ConversationId::Group(group_id.to_owned()).to_string(),
            conv_key: format!("{GROUP_THREAD_PREFIX}{group_id}"),
        }
    }

    /// `owner`'s `@TIM#SYSTEM` conversation: a thread of the owner's own.
    pub fn system(owner: &str) -> Self {
        ConvRef {
            owner: owner.to_owned(),
            peer: ConversationId::System.to_string(),
            conversation_id: ConversationId::System.to_string(),
            conv_key: format!("{SYSTEM_THREAD_PREFIX}{owner}"),
        }
    }

    /// Resolves a parsed conversation ID of `owner`.
    pub fn of(owner: &str, id: &ConversationId) -> Self {
        match id {
            ConversationId::C2c(peer) => ConvRef::c2c(owner, peer),
            ConversationId::Group(group_id) => ConvRef::group(owner, group_id),
            ConversationId::System => ConvRef::system(owner),
        }
    }

    /// Whether this is a `GROUP<groupID>` conversation. (A C2C key can start with `group#`
    /// too, for a user of that name: the key alone does not say.)
    pub fn is_group(&self) -> bool {
        self.conv_key.starts_with(GROUP_THREAD_PREFIX)
            && !self.conv_key.contains(THREAD_KEY_SEPARATOR)
    }

    /// This conversation with its thread key made afresh from owner and conversation ID: a
    /// reference stored before the key's form changed (the send log) names the thread as it is
    /// keyed now. Unchanged when the conversation ID does not parse.
    pub fn rekeyed(self) -> Self {
        match ConversationId::parse(&self.conversation_id) {
            Ok(id) => ConvRef::of(&self.owner, &id),
            Err(_) => self,
        }
    }
}

/// A message to be stored; the store assigns its seq.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMessage {
    pub msg_id: String,
    pub body: WireBody,
    pub time: i64,
    /// Sent with `needReadReceipt` (absent in send-log entries from before it existed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub need_receipt: bool,
}

/// One send of a batch (`Store::send_messages`): which app, from whom to whom (a user, or a
/// group for a `ConvRef::group`), what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendItem {
    pub sdk_app_id: u64,
    pub conv: ConvRef,
    pub message: NewMessage,
}

/// A message as stored, the same for both parties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub seq: u64,
    pub msg_id: String,
    pub from: String,
    pub to: String,
    pub body: WireBody,
    pub time: i64,
    /// The sender's nick and avatar when it was sent.
    pub nick: String,
    pub avatar: String,
    /// Revoked by its sender or an admin: everyone sees `isRevoked`.
    pub revoked: bool,
    /// Sent asking for read receipts; then how many parties sent one, and how many not yet
    /// (set at the send: the group's other members, or the C2C peer).
    pub need_receipt: bool,
    pub read_count: u32,
    pub unread_count: u32,
}

impl StoredMessage {
    /// A C2C message as `viewer` sees it: named by the conversation with the other party.
    pub fn to_wire(&self, viewer: &str) -> WireMessage {
        let other = if self.from == viewer {
            &self.to
        } else {
            &self.from
        };
        self.wire_in(&ConversationId::C2c(other.clone()).to_string())
    }

    /// The message as it appears in the viewer's conversation `conversation_id` (any type).
    pub fn wire_in(&self, conversation_id: &str) -> WireMessage {
        WireMessage {
            revoked: self.revoked,
            need_read_receipt: self.need_receipt,
            read_count: self.read_count,
            unread_count: self.unread_count,
            id: self.msg_id.clone(),
            conversation_id: conversation_id.to_owned(),
            from: self.from.clone(),
            to: self.to.clone(),
            seq: self.seq,
            time: self.time,
            body: self.body.clone(),
            nick: self.nick.clone(),
            avatar: self.avatar.clone(),
        }
    }
}

/// An entry appended to one user's event log, in the same transaction as the change it reports.
/// The caller publishes it (in `ev` order) to that user's live sessions.
#[derive(Debug, Clone, PartialEq)]
pub struct UserEvent {
    pub user_id: String,
    /// Position in the user's log: dense from 1.
    pub ev: u64,
    pub push: Push,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    /// Newly stored, with the events logged for it (recipient's and sender's, or one for a chat
    /// with oneself): the caller should publish them.
    Stored {
        message: StoredMessage,
        events: Vec<UserEvent>,
    },
    /// The sender had already sent this message ID: nothing changed, nothing to push.
    Duplicate(StoredMessage),
    /// Another user already used this message ID in this conversation.
    IdTaken,
    /// The recipient blacklisted the sender: nothing stored, nothing logged (20007).
    Blocked,
}

impl SendOutcome {
    /// Moves the logged events out (to be published), leaving the rest.
    pub fn take_events(&mut self) -> Vec<UserEvent> {
        match self {
            SendOutcome::Stored { events, .. } => std::mem::take(events),
            SendOutcome::Duplicate(_) | SendOutcome::IdTaken | SendOutcome::Blocked => Vec::new(),
        }
    }
}

/// One entry of a user's conversation list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationView {
    pub conversation_id: String,
    pub unread: u64,
    /// Newest message above the owner's watermark.
    pub last_message: Option<StoredMessage>,
    pub update_time: i64,
    /// When the conversation last changed (`last_activity`): the list order's tie-breaker
    /// after `update_time`, and so part of a page's cursor (`ListKey`).
    pub activity: i64,
    /// For a `GROUP<id>` conversation: the group, as the owner sees it.
    pub group: Option<WireGroup>,
    /// Pinned to the top of the owner's list (pinConversation).
    pub pinned: bool,
    /// For a `GROUP<id>` conversation: its unread @ messages, `WireConversation::at_info`.
    pub at_info: Vec<u64>,
}

impl ConversationView {
    pub fn to_wire(&self) -> WireConversation {
        WireConversation {
            conversation_id: self.conversation_id.clone(),
            unread_count: u32::try_from(self.unread).unwrap_or(u32::MAX),
            last_message: self
                .last_message
                .as_ref()
                .map(|m| m.wire_in(&self.conversation_id)),
            update_time: self.update_time,
            group: self.group.clone(),
            peer_nick: String::new(),
            peer_avatar: String::new(),
            pinned: self.pinned,
            at_info: self.at_info.iter().map(u64::to_string).collect(),
            remind_type: String::new(),
            draft_text: String::new(),
        }
    }
}

/// What deleting a conversation does to the deleter's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteMode {
    /// The SDK's deleteConversation and REST `ClearRamble: 1`: the watermark moves to the newest
    /// message, so the history is gone for this user for good.
    ClearHistory,
    /// REST `ClearRamble: 0`: only the list entry goes; the watermark stays where it was, so the
    /// history is visible again when a new message brings the conversation back.
    KeepHistory,
}

#[derive(Debug, Clone, PartialEq)]
// One per request or batch entry, moved once: boxing the event would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum DeleteOutcome {
    /// The owner has no visible conversation by that ID; nothing changed.
    NotFound,
    Deleted {
        /// The newest seq of the conversation at deletion: everything up to here left the list
        /// (and, with [`DeleteMode::ClearHistory`], this is the new watermark).
        through_seq: u64,
        /// Logged only when the app syncs deletions across clients (read in the same
        /// transaction, so a setting changed a moment ago applies).
        event: Option<UserEvent>,
        /// The deletion unpinned the conversation: logged whatever the sync setting, as pins
        /// always reach every session.
        unpinned: Option<UserEvent>,
    },
}

impl DeleteOutcome {
    /// Moves the logged events out (to be published, in log order), leaving the rest.
    pub fn take_events(&mut self) -> Vec<UserEvent> {
        match self {
            DeleteOutcome::Deleted {
                event, unpinned, ..
            } => unpinned.take().into_iter().chain(event.take()).collect(),
            DeleteOutcome::NotFound => Vec::new(),
        }
    }
}

/// What clearing a conversation's history did (the conversation stays in the list).
#[derive(Debug, Clone, PartialEq)]
// One per request or batch entry, moved once: boxing the event would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum ClearOutcome {
    /// The owner has no visible conversation by that ID; nothing changed.
    NotFound,
    Cleared {
        /// The new watermark: the newest seq of the conversation at the moment of clearing.
        cleared_seq: u64,
        /// Always logged (whatever the deletion-sync setting): other sessions must drop the
        /// history and the unread count too, or their counts go wrong.
        event: Option<UserEvent>,
    },
}

impl ClearOutcome {
    /// Moves the logged event out (to be published), leaving the rest.
    pub fn take_events(&mut self) -> Vec<UserEvent> {
        match self {
            ClearOutcome::Cleared { event, .. } => event.take().into_iter().collect(),
            ClearOutcome::NotFound => Vec::new(),
        }
    }
}

/// What marking a conversation read did.
#[derive(Debug, Clone, PartialEq)]
// One per request or batch entry, moved once: boxing the event would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum ReadOutcome {
    /// The owner has no visible conversation by that ID; nothing changed.
    NotFound,
    Read {
        /// Logged (whatever the deletion-sync setting) when something was unread; a read that
        /// changes nothing logs nothing.
        event: Option<UserEvent>,
    },
}

impl ReadOutcome {
    /// Moves the logged event out (to be published), leaving the rest.
    pub fn take_events(&mut self) -> Vec<UserEvent> {
        match self {
            ReadOutcome::Read { event } => event.take().into_iter().collect(),
            ReadOutcome::NotFound => Vec::new(),
        }
    }
}

/// What a (re)connecting session learns from the user's event log.
#[derive(Debug, Clone, PartialEq)]
pub struct Catchup {
    /// The newest event number of the user (0 when nothing was ever logged).
    pub latest: u64,
    /// The events after the resume point, oldest first.
    pub missed: Vec<LoggedEvent>,
    /// The resume point is no longer covered by the log (trimmed, too far back, or unknown):
    /// the client must reload its state instead.
    pub resync_required: bool,
    /// `missed` is one page: the log goes on after its last event (see [`Store::catch_up_page`]).
    ///
    /// [`Store::catch_up_page`]: super::Store::catch_up_page
    pub more: bool,
}

/// A slice of a user's conversation list, in list order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationSlice {
    pub conversations: Vec<ConversationView>,
    /// Whether the list ends with this slice.
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePage {
    /// Oldest first.
    pub messages: Vec<StoredMessage>,
    /// Whether no older visible message exists.
    pub is_completed: bool,
}

impl MessagePage {
    /// What to pass as `nextReqMessageID` for the page before this one.
    pub fn next_req_message_id(&self) -> Option<String> {
        if self.is_completed {
            return None;
        }
        self.messages.first().map(|m| m.msg_id.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageOutcome {
    Page(MessagePage),
    /// `before` names no message visible to the owner.
    UnknownAnchor,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parties_share_one_thread_key() {
        let a = ConvRef::c2c("alice", "bob");
        let b = ConvRef::c2c("bob", "alice");
        assert_eq!(a.conv_key, "alice\u{1f}bob");
        assert_eq!(a.conv_key, b.conv_key);
        assert_eq!(a.conversation_id, "C2Cbob");
        assert_eq!(b.conversation_id, "C2Calice");
        assert_eq!(ConvRef::c2c("me", "me").conv_key, "me\u{1f}me");
    }

    /// With any Unicode ID allowed (`|` and `#` too), pairs that would have met under the old
    /// `|` key stay apart, and no C2C key is a group's or a system key.
    #[test]
    fn keys_of_unicode_ids_never_collide() {
        let pairs = [
            ("a|b", "c"),
            ("a", "b|c"),
            ("a", "b"),
            ("用户", "é"),
            ("😀x", "mail@example.com"),
            ("group#x", "y"),
            ("system#x", "y"),
            ("group#", "x"),
        ];
        let mut keys = std::collections::HashSet::new();
        for (a, b) in pairs {
            let c = ConvRef::c2c(a, b);
            assert_eq!(c.conv_key, ConvRef::c2c(b, a).conv_key);
            assert!(!c.is_group(), "{a} {b}");
            assert!(keys.insert(c.conv_key), "{a} {b}");
        }
        for id in ["x|y", "x", "用户", "x#y"] {
            let g = ConvRef::group("alice", id);
            assert!(g.is_group());
            assert!(keys.insert(g.conv_key), "group {id}");
            assert!(keys.insert(ConvRef::system(id).conv_key), "system {id}");
        }
        // The old form: `a|b` + `c` and `a` + `b|c` both made `a|b|c`.
        assert_ne!(
            ConvRef::c2c("a|b", "c").conv_key,
            ConvRef::c2c("a", "b|c").conv_key
        );
    }

    #[test]
    fn a_reference_of_the_old_key_form_is_rekeyed() {
        let mut old = ConvRef::c2c("alice", "bob");
        old.conv_key = "alice|bob".into();
        assert_eq!(old.rekeyed(), ConvRef::c2c("alice", "bob"));
        let g = ConvRef::group("alice", "g1");
        assert_eq!(g.clone().rekeyed(), g);
        let s = ConvRef::system("alice");
        assert_eq!(s.clone().rekeyed(), s);
    }

    #[test]
    fn group_and_system_keys_never_meet_a_c2c_key() {
        let g = ConvRef::group("alice", "x");
        assert_eq!(
            (g.conversation_id.as_str(), g.conv_key.as_str()),
            ("GROUPx", "group#x")
        );
        assert_eq!(g.conv_key, ConvRef::group("bob", "x").conv_key);
        let s = ConvRef::system("alice");
        assert_eq!(
            (s.conversation_id.as_str(), s.conv_key.as_str()),
            ("@TIM#SYSTEM", "system#alice")
        );
        assert_ne!(s.conv_key, ConvRef::system("bob").conv_key);
        // Users named like the prefixes still get separator keys, which group keys never hold.
        assert_eq!(ConvRef::c2c("group", "x").conv_key, "group\u{1f}x");
        assert!(ConvRef::c2c("group#", "x").conv_key.starts_with("group#"));
        assert!(!ConvRef::c2c("group#", "x").is_group());
        assert_eq!(ConvRef::of("alice", &ConversationId::Group("x".into())), g);
    }

    #[test]
    fn a_message_is_named_by_the_other_party() {
        let m = StoredMessage {
            seq: 1,
            msg_id: "m".into(),
            from: "alice".into(),
            to: "bob".into(),
            body: WireBody::Text { text: "hi".into() },
            time: 1,
            nick: String::new(),
            avatar: String::new(),
            revoked: false,
            need_receipt: false,
            read_count: 0,
            unread_count: 0,
        };
        assert_eq!(m.to_wire("alice").conversation_id, "C2Cbob");
        assert_eq!(m.to_wire("bob").conversation_id, "C2Calice");
    }
}
