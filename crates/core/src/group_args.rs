//! Checks the arguments of the group calls (createGroup, joinGroup, quitGroup, dismissGroup,
//! getGroupProfile, addGroupMember, deleteGroupMember).

use crate::constants::types;
use crate::error::SdkError;
use crate::value_type::type_name;
use serde_json::Value;
use tim_proto::rules::{
    check_custom_group_id, check_group_id, check_group_name, check_member_count, check_user_id,
};

/// A caller-chosen group ID (createGroup): the shared rule, 10015 when refused.
pub fn validate_group_id(id: &str) -> Result<(), SdkError> {
    Ok(check_group_id(id)?)
}

/// A group ID given as a string (`quitGroup(groupID)`) or as `{ groupID }`.
pub fn group_id(v: &Value) -> Result<String, SdkError> {
    let id = match v {
        Value::String(s) => s,
        Value::Object(m) => match m.get("groupID") {
            Some(Value::String(s)) => s,
            _ => return Err(SdkError::invalid("needs { groupID: string }")),
        },
        other => {
            return Err(SdkError::invalid(format!(
                "groupID must be a string, got {}",
                type_name(other)
            )))
        }
    };
    validate_group_id(id)?;
    Ok(id.clone())
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateGroupArgs {
    pub group_id: Option<String>,
    pub name: String,
    pub kind: String,
    pub member_list: Vec<String>,
}

pub fn create_group(v: &Value) -> Result<CreateGroupArgs, SdkError> {
    let kind = match v.get("type").and_then(Value::as_str) {
        None => types::GRP_WORK,
        Some(k @ (types::GRP_WORK | types::GRP_PUBLIC | types::GRP_MEETING)) => k,
        Some(other) => {
            return Err(SdkError::invalid(format!(
                "group type {other:?} is not supported: use TIM.TYPES.GRP_WORK, GRP_PUBLIC or GRP_MEETING"
            )))
        }
    };
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| SdkError::invalid("createGroup needs { name: string }"))?;
    check_group_name(name)?;
    let group_id = match v.get("groupID") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => {
            check_custom_group_id(s)?;
            Some(s.clone())
        }
        Some(other) => {
            return Err(SdkError::invalid(format!(
                "groupID must be a string, got {}",
                type_name(other)
            )))
        }
    };
    let member_list = match v.get("memberList") {
        None | Some(Value::Null) => Vec::new(),
        Some(list) => user_list(list, "memberList", true)?,
    };
    Ok(CreateGroupArgs {
        group_id,
        name: name.to_owned(),
        kind: kind.to_owned(),
        member_list,
    })
}

/// `{ groupID, userIDList }` for addGroupMember / deleteGroupMember.
pub fn member_change(v: &Value) -> Result<(String, Vec<String>), SdkError> {
    let group = group_id(v)?;
    let list = v
        .get("userIDList")
        .ok_or_else(|| SdkError::invalid("needs { groupID, userIDList: string[] }"))?;
    let users = user_list(list, "userIDList", false)?;
    if users.is_empty() {
        return Err(SdkError::invalid("userIDList is empty"));
    }
    Ok((group, users))
}

/// A list of user IDs (strings, or `{ userID }` objects where `objects_ok`, as createGroup's
/// documented memberList), at most [`tim_proto::limits::MAX_MEMBER_LIST`], without repeats.
fn user_list(v: &Value, what: &str, objects_ok: bool) -> Result<Vec<String>, SdkError> {
    let Value::Array(items) = v else {
        return Err(SdkError::invalid(format!("{what} must be an array")));
    };
    check_member_count(what, items.len(), true)?;
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let id = match item {
            Value::String(s) => s,
            Value::Object(m) if objects_ok => match m.get("userID") {
                Some(Value::String(s)) => s,
                _ => return Err(SdkError::invalid(format!("{what} entries need a userID"))),
            },
            other => {
                return Err(SdkError::invalid(format!(
                    "{what} must hold user IDs, it holds {}",
                    type_name(other)
                )))
            }
        };
        check_user_id(&format!("{what}: userID"), id)?;
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code<T: std::fmt::Debug>(r: Result<T, SdkError>) -> u32 {
        r.expect_err("should be refused").code.as_u32()
    }

    #[test]
    fn group_ids() {
        assert_eq!(group_id(&json!("g1")), Ok("g1".to_owned()));
        assert_eq!(group_id(&json!({"groupID": "g1"})), Ok("g1".to_owned()));
        assert_eq!(code(group_id(&json!(null))), 2100);
        assert_eq!(code(group_id(&json!({}))), 2100);
        assert_eq!(code(group_id(&json!(""))), 10015);
        assert_eq!(code(group_id(&json!("a\u{1f}b"))), 10015);
        assert_eq!(code(group_id(&json!("g".repeat(49)))), 10015);
    }

    #[test]
    fn create_group_checks() {
        let a = create_group(&json!({"type": "Public", "name": "G", "groupID": "g1",
            "memberList": [{"userID": "bob"}, "carol", "bob"]}))
        .expect("valid");
        assert_eq!(a.member_list, vec!["bob", "carol"]);
        assert_eq!(a.kind, "Public");
        assert_eq!(
            create_group(&json!({"name": "G"})).expect("default").kind,
            "Private"
        );
        assert_eq!(code(create_group(&json!({"name": ""}))), 2100);
        assert_eq!(code(create_group(&json!({"name": "x".repeat(31)}))), 2100);
        assert_eq!(
            code(create_group(&json!({"name": "G", "type": "AVChatRoom"}))),
            2100
        );
        assert_eq!(
            code(create_group(&json!({"name": "G", "groupID": "@TGS_x"}))),
            10015
        );
        assert_eq!(
            code(create_group(&json!({"name": "G", "memberList": "bob"}))),
            2100
        );
    }

    #[test]
    fn member_change_checks() {
        assert_eq!(
            member_change(&json!({"groupID": "g1", "userIDList": ["a", "b"]})),
            Ok(("g1".to_owned(), vec!["a".to_owned(), "b".to_owned()]))
        );
        assert_eq!(
            code(member_change(&json!({"groupID": "g1", "userIDList": []}))),
            2100
        );
        assert_eq!(code(member_change(&json!({"groupID": "g1"}))), 2100);
        assert_eq!(
            code(member_change(
                &json!({"groupID": "g1", "userIDList": [{"userID": "a"}]})
            )),
            2100
        );
    }
}
