//! Groups as the store sees them: what a group change asks for, why one is refused, and what an
//! accepted one did (the log entries to publish, the users whose group list changed).

use super::model::UserEvent;
use tim_proto::group_profile::{
    profile_list, GroupPatch, ADMIN, DISABLE_APPLY, FREE_ACCESS, MEMBER, OWNER,
};
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

    /// Its join option unless updateGroupProfile set one (Private groups have no other).
    pub fn join_option(self, stored: &str) -> &str {
        match self {
            GroupType::Private => DISABLE_APPLY,
            _ if stored.is_empty() => FREE_ACCESS,
            _ => stored,
        }
    }

    /// Whether any member (not only the owner) may add members.
    pub fn members_invite(self) -> bool {
        matches!(self, GroupType::Private)
    }
}

/// A group's row (both engines).
pub struct GroupRow {
    pub kind: GroupType,
    pub name: String,
    pub owner: String,
    pub create_time: i64,
    pub dismissed: bool,
    pub introduction: String,
    pub notification: String,
    pub avatar: String,
    /// As stored (empty: the type's own).
    pub join_option: String,
    pub mute_all: bool,
}

impl GroupRow {
    /// A group just created: no profile fields set yet.
    pub fn new(kind: GroupType, name: &str, owner: &str, create_time: i64) -> GroupRow {
        GroupRow {
            kind,
            name: name.to_owned(),
            owner: owner.to_owned(),
            create_time,
            dismissed: false,
            introduction: String::new(),
            notification: String::new(),
            avatar: String::new(),
            join_option: String::new(),
            mute_all: false,
        }
    }

    /// `WireGroup::profile` for a viewer (`admin`: their admin flag if a member).
    pub fn profile(&self, viewer: &str, admin: Option<bool>) -> Vec<String> {
        let role = admin.map_or("", |admin| self.role_of(viewer, admin));
        profile_list(
            role,
            &self.introduction,
            &self.notification,
            &self.avatar,
            self.kind.join_option(&self.join_option),
            self.mute_all,
        )
    }

    /// The role of a member (`admin`: their row says so).
    pub fn role_of(&self, user_id: &str, admin: bool) -> &'static str {
        if user_id == self.owner {
            OWNER
        } else if admin {
            ADMIN
        } else {
            MEMBER
        }
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
    /// Only the owner or an admin may do this.
    NotAdmin,
    /// The user the change names is not a member.
    TargetNotMember,
    /// The owner's role changes only by changeGroupOwner; nobody hands the group to themselves.
    OwnerRole,
    /// A Private (Work) group has no admins and no join option to set.
    NotForPrivate,
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

/// setGroupMemberRole, changeGroupOwner or updateGroupProfile (checked by the service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupEdit {
    /// The owner makes `user_id` an admin (`true`) or a plain member again. Notice SET_ADMIN
    /// or CANCELED_ADMIN to them when it changes anything.
    Role { user_id: String, admin: bool },
    /// The owner hands the group to this member and becomes a plain member.
    Owner(String),
    /// The owner or an admin sets these fields.
    Profile(GroupPatch),
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
        assert_eq!(GroupType::Private.join_option("FreeAccess"), "DisableApply");
        assert_eq!(GroupType::Public.join_option(""), "FreeAccess");
        assert_eq!(
            GroupType::Public.join_option("DisableApply"),
            "DisableApply"
        );
    }
}
