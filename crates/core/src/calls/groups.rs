//! createGroup, joinGroup, quitGroup, dismissGroup, getGroupProfile, addGroupMember,
//! deleteGroupMember, getGroupList. Each that changes the user's groups refreshes the group list
//! after.

use super::{expect_done, unexpected, Data, Finish, Finished, Prepared};
use crate::error::SdkError;
use crate::group_args;
use crate::shapes::Group;
use crate::state::ConversationState;
use serde_json::Value;
use tim_proto::{Reply, Request};

pub(super) fn prepare(name: &str, arg: &Value) -> Option<Result<Prepared, SdkError>> {
    let changed = |request, finish| Prepared::new(request, finish).refreshing_groups();
    match name {
        "createGroup" => {
            return Some(group_args::create_group(arg).map(|a| {
                let request = Request::CreateGroup {
                    group_id: a.group_id,
                    name: a.name,
                    kind: a.kind,
                    member_list: a.member_list,
                };
                changed(request, Finish::GroupProfile)
            }))
        }
        "addGroupMember" | "deleteGroupMember" => {
            return Some(group_args::member_change(arg).map(|(group_id, user_ids)| {
                let request = if name == "addGroupMember" {
                    Request::AddGroupMember { group_id, user_ids }
                } else {
                    Request::DeleteGroupMember { group_id, user_ids }
                };
                changed(request, Finish::Members)
            }))
        }
        "getGroupList" => {
            return Some(Ok(
                Prepared::new(Request::GetGroupList, Finish::GroupList).idempotent()
            ))
        }
        _ => {}
    }
    if !matches!(
        name,
        "joinGroup" | "quitGroup" | "dismissGroup" | "getGroupProfile"
    ) {
        return None;
    }
    // One check for the four (each takes a groupID, as a string or as `{ groupID }`).
    Some(group_args::group_id(arg).map(|group_id| match name {
        // Public and ChatRoom groups are joined at once (no approval step in this version).
        "joinGroup" => {
            Prepared::new(Request::JoinGroup { group_id }, Finish::Joined).refreshing_groups()
        }
        "quitGroup" => {
            let finish = Finish::GroupId(group_id.clone());
            Prepared::new(Request::QuitGroup { group_id }, finish).refreshing_groups()
        }
        "dismissGroup" => {
            let finish = Finish::GroupId(group_id.clone());
            Prepared::new(Request::DismissGroup { group_id }, finish).refreshing_groups()
        }
        _ => {
            Prepared::new(Request::GetGroupProfile { group_id }, Finish::GroupProfile).idempotent()
        }
    }))
}

fn group_of(reply: Reply, state: &ConversationState) -> Result<Group, SdkError> {
    match reply {
        Reply::Group { group } => Ok(Group::from_wire(&group, state.me())),
        other => Err(unexpected(&other)),
    }
}

pub(super) fn finish_joined(reply: Reply, state: &ConversationState) -> Result<Finished, SdkError> {
    Ok(Finished::data(Data::Joined {
        group: group_of(reply, state)?,
        status: "JoinedSuccess",
    }))
}

pub(super) fn finish_profile(
    reply: Reply,
    state: &ConversationState,
) -> Result<Finished, SdkError> {
    Ok(Finished::data(Data::Group {
        group: group_of(reply, state)?,
    }))
}

pub(super) fn finish_group_id(reply: Reply, group_id: String) -> Result<Finished, SdkError> {
    expect_done(&reply)?;
    Ok(Finished::data(Data::GroupId { group_id }))
}

/// addGroupMember / deleteGroupMember: who was changed, who not, who already was, and the group.
pub(super) fn finish_members(
    reply: Reply,
    state: &ConversationState,
) -> Result<Finished, SdkError> {
    let Reply::MembersChanged {
        succeeded,
        failed,
        existed,
        group,
    } = reply
    else {
        return Err(unexpected(&reply));
    };
    Ok(Finished::data(Data::Members {
        success_user_ids: succeeded,
        failure_user_ids: failed,
        existed_user_ids: existed,
        group: Group::from_wire(&group, state.me()),
    }))
}

/// getGroupList: `{ groupList }`, and the list for the SDK to keep (GROUP_LIST_UPDATED).
pub(super) fn finish_list(reply: Reply, state: &ConversationState) -> Result<Finished, SdkError> {
    let Reply::GroupList { groups } = reply else {
        return Err(unexpected(&reply));
    };
    let group_list = groups
        .iter()
        .map(|g| Group::from_wire(g, state.me()))
        .collect();
    let mut finished = Finished::data(Data::GroupList { group_list });
    finished.groups = Some(groups);
    Ok(finished)
}
