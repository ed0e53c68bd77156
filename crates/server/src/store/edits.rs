//! Changes to stored messages after they were sent (issue 16): revoking and modifying (the
//! sender's, seen by everyone) and hiding (deleteMessage, the caller's own view only).
//!
//! A revoke or a modification is logged for every party whose view still holds the message:
//! its conversation listed, the message above their watermark (and, for a group they left, at
//! or below `left_seq`) and not hidden by them. Nobody else's conversation comes back, and a
//! conversation deleted and brought back later holds none of the old messages at all.

use super::{StoredMessage, UserEvent};
use tim_proto::model::WireBody;

/// A deleteMessage mark's key (`hidden_messages`, in its primary key's order): where a trim
/// of the marks stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HiddenKey {
    pub app: i64,
    pub owner: String,
    pub conv_key: String,
    pub seq: i64,
}

/// One step of a trim of deleteMessage marks (`Store::trim_hidden`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HiddenTrim {
    /// Marks forgotten in this step.
    pub trimmed: u64,
    /// Where the next step starts; `None`: every mark has been looked at.
    pub next: Option<HiddenKey>,
}

impl HiddenTrim {
    /// The step's result from the marks it looked at (`scanned`, in key order, each with
    /// whether it was forgotten), given how many it was allowed to look at.
    pub fn of(scanned: Vec<(HiddenKey, bool)>, scan: u32, trimmed: u64) -> HiddenTrim {
        let full = scanned.len() >= scan as usize;
        HiddenTrim {
            trimmed,
            next: scanned
                .into_iter()
                .next_back()
                .filter(|_| full)
                .map(|(k, _)| k),
        }
    }
}

/// What to do to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageEdit {
    /// Mark it revoked; `time_limited`: only within the app's revoke time limit (a session's
    /// revokeMessage; the admin REST API has no limit, as at Tencent).
    Revoke { time_limited: bool },
    /// Replace its body (modifyMessage).
    Modify(WireBody),
}

/// What became of an edit.
#[derive(Debug)]
// One per call, matched at once: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum EditOutcome {
    /// Applied (a repeated revoke changes nothing and logs nothing); the message as stored now
    /// and the entries logged for its parties.
    Edited {
        message: StoredMessage,
        events: Vec<UserEvent>,
    },
    /// No message with that ID in the conversation.
    NotFound,
    /// The caller did not send it.
    NotSender,
    /// Older than the app's revoke time limit.
    TooLate,
    /// A modification of a revoked message.
    Revoked,
    /// A modification of a message that is not a text message (an image or a file: its upload
    /// stays linked to it, so it must keep naming it).
    NotText,
}

impl EditOutcome {
    /// Takes the logged entries out, for publishing.
    pub fn take_events(&mut self) -> Vec<UserEvent> {
        match self {
            EditOutcome::Edited { events, .. } => std::mem::take(events),
            _ => Vec::new(),
        }
    }
}

/// What became of a deleteMessage.
#[derive(Debug, PartialEq, Eq)]
pub enum HideOutcome {
    /// Every message is hidden for the owner now (some may have been already).
    Hidden(Vec<StoredMessage>),
    /// This ID is not a message of the owner's view of the conversation; nothing changed.
    NotFound(String),
}

/// The refusal (if any) of `edit` by `editor` of `message` at `now`, under `limit` seconds.
pub(super) fn refusal(
    message: &StoredMessage,
    editor: &str,
    edit: &MessageEdit,
    now: i64,
    limit: i64,
) -> Option<EditOutcome> {
    if message.from != editor {
        return Some(EditOutcome::NotSender);
    }
    match edit {
        MessageEdit::Revoke { time_limited } => {
            (*time_limited && !message.revoked && now.saturating_sub(message.time) > limit)
                .then_some(EditOutcome::TooLate)
        }
        MessageEdit::Modify(_) if message.revoked => Some(EditOutcome::Revoked),
        MessageEdit::Modify(_) => {
            (!matches!(message.body, WireBody::Text { .. })).then_some(EditOutcome::NotText)
        }
    }
}

/// The push telling a party about `message` as it is now, in their conversation `conversation_id`
/// (a revoke or a modification: the message's `isRevoked` says which).
pub(super) fn push_for(message: &StoredMessage, conversation_id: &str) -> tim_proto::Push {
    tim_proto::Push::MessageEdited {
        message: message.wire_in(conversation_id),
    }
}
