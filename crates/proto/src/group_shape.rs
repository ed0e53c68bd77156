//! The documented Group shape (getGroupList, GROUP_LIST_UPDATED, getGroupProfile, createGroup,
//! a group's setMessageRemindType): made by the SDK from a `WireGroup`, and by the server where a
//! passed-through call answers with a group; the same fields either way.

use crate::model::WireGroup;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub avatar: String,
    pub create_time: i64,
    /// Ours: the group was dismissed.
    pub dismissed: bool,
    #[serde(rename = "groupID")]
    pub group_id: String,
    pub introduction: String,
    /// Ours: false once the user left, was removed, or the group was dismissed.
    pub is_member: bool,
    pub member_num: u32,
    pub name: String,
    pub notification: String,
    #[serde(rename = "ownerID")]
    pub owner_id: String,
    pub self_info: SelfInfo,
    #[serde(rename = "type")]
    pub kind: String,
    /// `FreeAccess` / `NeedPermission` / `DisableApply`; absent when the group came without its
    /// profile (a local cache written before the SDK read it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_option: Option<String>,
    /// Absent like `join_option`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mute_all_members: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SelfInfo {
    /// `Owner`, `Admin` (the server's answers) or `Member`; empty when not a member.
    pub role: String,
}

impl Group {
    /// The shape of `g` for `me`: the role, introduction, notification, avatar, join option and
    /// mute flag from the group's profile list (`WireGroup::profile`), the role by ownership
    /// when the list has none.
    pub fn from_wire(g: &WireGroup, me: &str) -> Group {
        use crate::group_profile::{
            P_AVATAR, P_INTRODUCTION, P_JOIN_OPTION, P_MUTE_ALL, P_NOTIFICATION, P_ROLE,
        };
        let listed = g.profile_at(P_ROLE);
        let role = if !g.is_member {
            ""
        } else if !listed.is_empty() {
            listed.as_str()
        } else if g.owner_id == me {
            "Owner"
        } else {
            "Member"
        };
        Group {
            group_id: g.group_id.clone(),
            name: g.name.clone(),
            kind: g.kind.clone(),
            owner_id: g.owner_id.clone(),
            member_num: g.member_count,
            create_time: g.create_time,
            avatar: g.profile_at(P_AVATAR),
            introduction: g.profile_at(P_INTRODUCTION),
            notification: g.profile_at(P_NOTIFICATION),
            self_info: SelfInfo {
                role: role.to_owned(),
            },
            is_member: g.is_member,
            dismissed: g.dismissed,
            join_option: g.profile.get(P_JOIN_OPTION).cloned(),
            mute_all_members: g.profile.get(P_MUTE_ALL).map(|m| !m.is_empty()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_field_names_and_role() {
        let w = WireGroup {
            group_id: "g1".into(),
            name: "G".into(),
            kind: "Private".into(),
            owner_id: "alice".into(),
            member_count: 2,
            create_time: 9,
            is_member: true,
            dismissed: false,
            profile: Vec::new(),
        };
        let v = serde_json::to_value(Group::from_wire(&w, "alice")).expect("encode");
        assert_eq!(
            serde_json::to_string(&Group::from_wire(&w, "alice")).expect("encode"),
            v.to_string(),
            "fields in sorted order"
        );
        assert_eq!(v["groupID"], "g1");
        assert_eq!(v["type"], "Private");
        assert_eq!(v["ownerID"], "alice");
        assert_eq!(v["memberNum"], 2);
        assert_eq!(v["selfInfo"]["role"], "Owner");
        assert_eq!(Group::from_wire(&w, "bob").self_info.role, "Member");
        assert!(v.get("joinOption").is_none(), "only with the profile");
        assert_eq!(v["introduction"], "");
    }

    #[test]
    fn with_the_profile_the_answer_has_every_field() {
        let w = WireGroup {
            group_id: "g1".into(),
            name: "G".into(),
            kind: "Public".into(),
            owner_id: "alice".into(),
            member_count: 2,
            create_time: 9,
            is_member: true,
            dismissed: false,
            profile: crate::group_profile::profile_list(
                "Admin",
                "intro",
                "notice",
                "https://a/b.png",
                "NeedPermission",
                true,
            ),
        };
        let v = serde_json::to_value(Group::from_wire(&w, "bob")).expect("encode");
        assert_eq!(v["selfInfo"]["role"], "Admin");
        assert_eq!(v["introduction"], "intro");
        assert_eq!(v["notification"], "notice");
        assert_eq!(v["avatar"], "https://a/b.png");
        assert_eq!(v["joinOption"], "NeedPermission");
        assert_eq!(v["muteAllMembers"], true);
    }
}
