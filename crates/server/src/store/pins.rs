//! Pinned conversations (pinConversation): a flag on the owner's list row, cleared by a
//! deletion, so a conversation a new message brings back is not pinned.

use super::UserEvent;

/// What became of a pin or unpin.
#[derive(Debug, Clone, PartialEq)]
// One per call, matched at once: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum PinOutcome {
    /// The owner has no visible conversation by that ID; nothing changed.
    NotFound,
    /// Pinning one more would pass `limits::MAX_PINNED_CONVERSATIONS`; nothing changed.
    TooMany,
    Done {
        /// Logged (for every session, whatever the deletion-sync setting) when the flag changed;
        /// pinning a pinned conversation logs nothing.
        event: Option<UserEvent>,
    },
}

impl PinOutcome {
    /// Moves the logged event out (to be published), leaving the rest.
    pub fn take_events(&mut self) -> Vec<UserEvent> {
        match self {
            PinOutcome::Done { event } => event.take().into_iter().collect(),
            PinOutcome::NotFound | PinOutcome::TooMany => Vec::new(),
        }
    }
}
