//! What the profile and blacklist calls of the store hand back.

use super::UserEvent;
use tim_proto::profile::WireProfile;

/// What an addToBlacklist / removeFromBlacklist did. The list is in the order users were added.
#[derive(Debug, Clone, PartialEq)]
// One per request, moved once: boxing the event would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum BlacklistOutcome {
    Changed {
        /// The users this call added (or removed), in the order named; those that already were
        /// (or were not) in the list are not among them.
        changed: Vec<String>,
        /// The whole list after the call.
        list: Vec<String>,
        /// [`tim_proto::Push::BlacklistUpdated`] for the owner, logged when something changed.
        event: Option<UserEvent>,
    },
    /// The list would hold more than `limits::MAX_BLACKLIST` users: nothing changed.
    Full,
}

/// A profile update: the profile after it and its logged
/// [`tim_proto::Push::ProfileUpdated`]; `None` for a user the app does not know.
pub type ProfileUpdate = Option<(WireProfile, UserEvent)>;
