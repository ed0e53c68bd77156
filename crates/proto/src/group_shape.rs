//! The documented Group shape (getGroupList, getGroupProfile, createGroup, a group's
//! setMessageRemindType): made by the SDK from a `WireGroup`, and by the server where a
//! passed-through call answers with a group.

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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SelfInfo {
    /// `Owner` or `Member` (empty when not a member).
    pub role: String,
}

impl Group {
    pub fn from_wire(g: &WireGroup, me: &str) -> Group {
        let role = if !g.is_member {
            ""
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
            avatar: String::new(),
            introduction: String::new(),
            notification: String::new(),
            self_info: SelfInfo {
                role: role.to_owned(),
            },
            is_member: g.is_member,
            dismissed: g.dismissed,
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
    }
}
