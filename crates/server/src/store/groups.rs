//! Groups as the store sees them: what a group change asks for, why one is refused, and what an
//! accepted one did (the log entries to publish, the users whose group list changed).

use super::model::UserEvent;
use tim_proto::model::WireGroup;

/// The documented group types this server keeps (`TIM.TYPES.GRP_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupType {
    /// GRP_WORK: members invite (any member may add); nobody joins by themselves.
    Private,
    /// GRP_PUBLIC: anyone may join (at once: no approval step yet); the owner adds and removes.
    Public,
    /// GRP_MEETING: like Public.
    ChatRoom,
}

impl GroupType {
    pub const ALL: [GroupType; 3] = [GroupType::Private, GroupType::Public, GroupType::ChatRoom];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupType::Private => "Private",
            GroupType::Public => "Public",
            GroupType::ChatRoom => "ChatRoom",
        }
    }

    pub fn parse(s: &str) -> Option<GroupType> {
        GroupType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether a user may join without being added.
    pub fn open_to_join(self) -> bool {
        !matches!(self, GroupType::Private)
    }

    /// Whether any member (not only the owner) may add members.
    pub fn members_invite(self) -> bool {
        matches!(self, GroupType::Private)
    }
}

/// A group to create. `members` (the caller's memberList, without the owner) are added at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGroup {
    pub group_id: String,
    pub name: String,
    pub kind: GroupType,
    pub owner: String,
    pub members: Vec<String>,
}

/// Why a group operation was refused. Nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupRefusal {
    /// No group by that ID was ever created.
    NotFound,
    /// The group was dismissed.
    Dismissed,
    /// The caller is not a member (never was, quit, or was removed).
    NotMember,
    /// Only the owner may do this.
    NotOwner,
    /// A Private (Work) group: members are added by a member, nobody joins by themselves.
    JoinByInvitation,
    OwnerCannotQuit,
    AlreadyMember,
    /// The group ID is taken, by a live or a dismissed group.
    IdInUse,
    /// The group has as many members as the server allows (checked by the service).
    Full,
    /// A user would be in more groups than the server allows (checked by the service).
    TooManyGroups,
}

/// What an accepted group operation did.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupChange<T> {
    pub value: T,
    /// Logged in the same transaction (system notices): the caller publishes them.
    pub events: Vec<UserEvent>,
    /// Users whose group list changed: their sessions are told to fetch it again (not logged).
    pub groups_changed: Vec<String>,
}

/// A group operation's result: the change, or why nothing changed.
pub type GroupOutcome<T> = Result<GroupChange<T>, GroupRefusal>;

/// addGroupMember / deleteGroupMember, per user, in request order within each list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberResults {
    pub succeeded: Vec<String>,
    /// Could not be added or removed (removing a non-member or the owner).
    pub failed: Vec<String>,
    /// Already members (add only).
    pub existed: Vec<String>,
    /// The group after the change, as the caller sees it.
    pub group: WireGroup,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_parse_their_documented_names_only() {
        for t in GroupType::ALL {
            assert_eq!(GroupType::parse(t.as_str()), Some(t));
        }
        for bad in ["", "private", "AVChatRoom", "Work"] {
            assert_eq!(GroupType::parse(bad), None, "{bad}");
        }
        assert!(!GroupType::Private.open_to_join() && GroupType::Private.members_invite());
        assert!(GroupType::Public.open_to_join() && !GroupType::Public.members_invite());
        assert!(GroupType::ChatRoom.open_to_join() && !GroupType::ChatRoom.members_invite());
    }
}
