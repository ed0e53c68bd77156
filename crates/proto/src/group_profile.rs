//! A group's editable profile and its members: the role and join option strings, what
//! updateGroupProfile may set, and one member as getGroupMemberList / getGroupMemberProfile
//! show it. Declared once for the SDK's typings (TIM.TYPES) and the server's checks.

use crate::limits::{
    MAX_GROUP_AVATAR_BYTES, MAX_GROUP_INTRODUCTION_BYTES, MAX_GROUP_NOTIFICATION_BYTES,
};
use crate::rules::{check_group_name, Refusal};
use serde::{Deserialize, Serialize};

/// `TIM.TYPES.GRP_MBR_ROLE_OWNER / _ADMIN / _MEMBER`.
pub const ROLES: [&str; 3] = ["Owner", "Admin", "Member"];
pub const OWNER: &str = ROLES[0];
pub const ADMIN: &str = ROLES[1];
pub const MEMBER: &str = ROLES[2];

/// `TIM.TYPES.JOIN_OPTIONS_FREE_ACCESS / _NEED_PERMISSION / _DISABLE_APPLY`.
pub const JOIN_OPTIONS: [&str; 3] = ["FreeAccess", "NeedPermission", "DisableApply"];
pub const FREE_ACCESS: &str = JOIN_OPTIONS[0];
pub const NEED_PERMISSION: &str = JOIN_OPTIONS[1];
pub const DISABLE_APPLY: &str = JOIN_OPTIONS[2];

/// The positions in `WireGroup::profile`.
pub const P_ROLE: usize = 0;
pub const P_INTRODUCTION: usize = 1;
pub const P_NOTIFICATION: usize = 2;
pub const P_AVATAR: usize = 3;
pub const P_JOIN_OPTION: usize = 4;
pub const P_MUTE_ALL: usize = 5;

/// `WireGroup::profile` from its fields.
pub fn profile_list(
    role: &str,
    introduction: &str,
    notification: &str,
    avatar: &str,
    join_option: &str,
    mute_all: bool,
) -> Vec<String> {
    let mute = if mute_all { "1" } else { "" };
    [role, introduction, notification, avatar, join_option, mute]
        .map(str::to_owned)
        .to_vec()
}

/// updateGroupProfile's options: the fields given are set, the rest stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupPatch {
    #[serde(rename = "groupID")]
    pub group_id: String,
    pub name: Option<String>,
    pub introduction: Option<String>,
    pub notification: Option<String>,
    pub avatar: Option<String>,
    pub join_option: Option<String>,
    pub mute_all_members: Option<bool>,
}

impl GroupPatch {
    /// Whether it sets anything.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.introduction.is_none()
            && self.notification.is_none()
            && self.avatar.is_none()
            && self.join_option.is_none()
            && self.mute_all_members.is_none()
    }
}

/// The patch's fields within Tencent's limits, the join option one of [`JOIN_OPTIONS`] but
/// `NeedPermission` (there is no approval step), and at least one field (2100 otherwise).
pub fn check_group_patch(p: &GroupPatch) -> Result<(), Refusal> {
    if p.is_empty() {
        return Err(Refusal::invalid(
            "updateGroupProfile: give at least one of name, introduction, notification, avatar, \
             joinOption, muteAllMembers",
        ));
    }
    if let Some(name) = &p.name {
        check_group_name(name)?;
    }
    let texts = [
        (
            "introduction",
            &p.introduction,
            MAX_GROUP_INTRODUCTION_BYTES,
        ),
        (
            "notification",
            &p.notification,
            MAX_GROUP_NOTIFICATION_BYTES,
        ),
        ("avatar", &p.avatar, MAX_GROUP_AVATAR_BYTES),
    ];
    for (field, value, max) in texts {
        if let Some(v) = value {
            if v.len() > max {
                return Err(Refusal::invalid(format!(
                    "{field} is {} bytes; the limit is {max}",
                    v.len()
                )));
            }
        }
    }
    match p.join_option.as_deref() {
        None | Some(FREE_ACCESS | DISABLE_APPLY) => Ok(()),
        Some(NEED_PERMISSION) => Err(Refusal::invalid(
            "joinOption NeedPermission is not supported: this server has no approval step \
             (FreeAccess or DisableApply)",
        )),
        Some(other) => Err(Refusal::invalid(format!(
            "joinOption {other:?} is not one of FreeAccess, DisableApply"
        ))),
    }
}

/// One member (Tencent's GroupMember fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireGroupMember {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub nick: String,
    pub avatar: String,
    /// One of [`ROLES`].
    pub role: String,
    /// Unix seconds.
    pub join_time: i64,
    /// Ours has no name cards, mutes or custom fields: always empty.
    pub name_card: String,
    pub mute_until: i64,
    pub member_custom_field: Vec<String>,
}

/// getGroupMemberList / getGroupMemberProfile's `data`, as JSON text.
pub fn member_list_text(members: &[WireGroupMember]) -> String {
    #[derive(Serialize)]
    struct Data<'a> {
        #[serde(rename = "memberList")]
        member_list: &'a [WireGroupMember],
    }
    crate::profile::to_text(&Data {
        member_list: members,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_are_checked() {
        let ok = |p: GroupPatch| check_group_patch(&p).is_ok();
        let base = GroupPatch {
            group_id: "g".into(),
            ..GroupPatch::default()
        };
        assert!(!ok(base.clone()), "nothing to set");
        assert!(ok(GroupPatch {
            mute_all_members: Some(true),
            ..base.clone()
        }));
        assert!(!ok(GroupPatch {
            name: Some(String::new()),
            ..base.clone()
        }));
        assert!(!ok(GroupPatch {
            introduction: Some("x".repeat(MAX_GROUP_INTRODUCTION_BYTES + 1)),
            ..base.clone()
        }));
        assert!(ok(GroupPatch {
            notification: Some("x".repeat(MAX_GROUP_NOTIFICATION_BYTES)),
            ..base.clone()
        }));
        for (option, good) in [
            ("FreeAccess", true),
            ("DisableApply", true),
            ("NeedPermission", false),
            ("freeaccess", false),
        ] {
            let p = GroupPatch {
                join_option: Some(option.into()),
                ..base.clone()
            };
            assert_eq!(ok(p), good, "{option}");
        }
    }

    #[test]
    fn member_list_text_is_the_documented_shape() {
        let m = WireGroupMember {
            user_id: "u".into(),
            nick: "N".into(),
            avatar: String::new(),
            role: ADMIN.into(),
            join_time: 5,
            name_card: String::new(),
            mute_until: 0,
            member_custom_field: Vec::new(),
        };
        let v: serde_json::Value = serde_json::from_str(&member_list_text(&[m])).expect("json");
        assert_eq!(v["memberList"][0]["userID"], "u");
        assert_eq!(v["memberList"][0]["role"], "Admin");
        assert_eq!(v["memberList"][0]["joinTime"], 5);
        assert_eq!(v["memberList"][0]["nameCard"], "");
    }
}
