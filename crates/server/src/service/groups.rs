//! The group calls: their arguments checked, the store's refusals turned into coded errors, the
//! system notices published, and `groupsChanged` told to everyone whose group list changed.

use super::group_args::{
    invalid, member_list_of, server_group_id, split_valid, SERVER_ID_ATTEMPTS,
};
use super::{Identity, Service};
use crate::clock::unix_now;
use crate::error::ApiError;
use crate::hub::SessionId;
use crate::store::{
    ConvRef, GroupChange, GroupEdit, GroupOutcome, GroupRefusal, GroupType, NewGroup, NewMessage,
    SendItem, SendOutcome, Store, StoreResult,
};
use tim_proto::group_profile::{check_group_patch, member_list_text, ADMIN, MEMBER};
use tim_proto::group_shape::Group;
use tim_proto::limits::{DEFAULT_MEMBER_PAGE, MAX_MEMBER_PAGE};
use tim_proto::profile::to_text;
use tim_proto::rules::{
    check_custom_group_id, check_group_id, check_group_name, check_member_count, check_user_id,
};
use tim_proto::{ErrorCode, Push, Reply};

/// addGroupMember or deleteGroupMember.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Add,
    Remove,
}

impl Service {
    pub(super) async fn create_group(
        &self,
        who: &Identity,
        group_id: Option<String>,
        name: String,
        kind: &str,
        member_list: Vec<String>,
    ) -> Result<Reply, ApiError> {
        let kind = GroupType::parse(kind).ok_or_else(|| {
            invalid(format!(
                "group type {kind:?} is not supported: Private, Public or ChatRoom"
            ))
        })?;
        check_group_name(&name)?;
        let members = member_list_of(&who.user.user_id, member_list)?;
        let custom = group_id.filter(|id| !id.is_empty());
        if let Some(id) = &custom {
            check_custom_group_id(id)?;
        }
        let mut attempts = 0;
        loop {
            attempts += 1;
            let id = match &custom {
                Some(id) => id.clone(),
                None => server_group_id()?,
            };
            let new = NewGroup {
                group_id: id.clone(),
                name: name.clone(),
                kind,
                owner: who.user.user_id.clone(),
                members: members.clone(),
            };
            let caps = self.caps;
            let outcome = self
                .group_change(who, move |s, app| {
                    if 1 + new.members.len() > caps.max_members {
                        return Ok(Err(GroupRefusal::Full));
                    }
                    let everyone = std::iter::once(&new.owner).chain(&new.members);
                    for user in everyone {
                        if s.groups_of(app, user)?.len() >= caps.max_groups {
                            return Ok(Err(GroupRefusal::TooManyGroups));
                        }
                    }
                    s.create_group(app, &new, unix_now())
                })
                .await?;
            match outcome {
                Ok(group) => return Ok(Reply::Group { group }),
                Err(GroupRefusal::IdInUse) if custom.is_none() => {
                    if attempts >= SERVER_ID_ATTEMPTS {
                        return Err(ApiError::internal(
                            "every server-made group ID tried was taken",
                        ));
                    }
                }
                Err(refusal) => return Err(self.refused("createGroup", &id, refusal)),
            }
        }
    }

    pub(super) async fn join_group(
        &self,
        who: &Identity,
        group_id: &str,
    ) -> Result<Reply, ApiError> {
        check_group_id(group_id)?;
        let (id, user) = (group_id.to_owned(), who.user.user_id.clone());
        let caps = self.caps;
        let group = self
            .group_change(who, move |s, app| {
                // Checked in the change's own commit: no other change runs in between.
                if let Ok(group) = s.group_profile(app, &id, &user)? {
                    if !group.is_member && group.member_count as usize >= caps.max_members {
                        return Ok(Err(GroupRefusal::Full));
                    }
                }
                if s.groups_of(app, &user)?.len() >= caps.max_groups {
                    return Ok(Err(GroupRefusal::TooManyGroups));
                }
                s.join_group(app, &id, &user, unix_now())
            })
            .await?
            .map_err(|r| self.refused("joinGroup", group_id, r))?;
        Ok(Reply::Group { group })
    }

    pub(super) async fn quit_group(
        &self,
        who: &Identity,
        group_id: &str,
    ) -> Result<Reply, ApiError> {
        check_group_id(group_id)?;
        let (id, user) = (group_id.to_owned(), who.user.user_id.clone());
        self.group_change(who, move |s, app| s.quit_group(app, &id, &user, unix_now()))
            .await?
            .map_err(|r| refused("quitGroup", group_id, r))?;
        Ok(Reply::Done)
    }

    pub(super) async fn dismiss_group(
        &self,
        who: &Identity,
        group_id: &str,
    ) -> Result<Reply, ApiError> {
        check_group_id(group_id)?;
        let (id, user) = (group_id.to_owned(), who.user.user_id.clone());
        self.group_change(who, move |s, app| {
            s.dismiss_group(app, &id, &user, unix_now())
        })
        .await?
        .map_err(|r| refused("dismissGroup", group_id, r))?;
        Ok(Reply::Done)
    }

    pub(super) async fn group_list(&self, who: &Identity) -> Result<Reply, ApiError> {
        let user = who.user.clone();
        let groups = self
            .blocking(move |s| s.groups_of(user.sdk_app_id, &user.user_id))
            .await?;
        Ok(Reply::GroupList { groups })
    }

    pub(super) async fn group_profile(
        &self,
        who: &Identity,
        group_id: &str,
    ) -> Result<Reply, ApiError> {
        check_group_id(group_id)?;
        let (user, id) = (who.user.clone(), group_id.to_owned());
        let group = self
            .blocking(move |s| s.group_profile(user.sdk_app_id, &id, &user.user_id))
            .await?
            .map_err(|r| refused("getGroupProfile", group_id, r))?;
        Ok(Reply::Group { group })
    }

    /// addGroupMember / deleteGroupMember. IDs that are no valid userID go to the failure list;
    /// the rest are the store's business.
    pub(super) async fn change_members(
        &self,
        who: &Identity,
        group_id: &str,
        user_ids: Vec<String>,
        change: Change,
    ) -> Result<Reply, ApiError> {
        check_group_id(group_id)?;
        check_member_count("userIDList", user_ids.len(), false)?;
        let (valid, mut failed) = split_valid(user_ids);
        let (id, operator) = (group_id.to_owned(), who.user.user_id.clone());
        let caps = self.caps;
        let (results, at_cap) = self
            .group_change(who, move |s, app| match change {
                Change::Add => {
                    // Users already in as many groups as allowed go to the failure list; the
                    // rest must fit in the group. Checked in the change's own commit.
                    let (mut room, mut at_cap) = (Vec::new(), Vec::new());
                    for user in valid {
                        if s.groups_of(app, &user)?.len() >= caps.max_groups {
                            at_cap.push(user);
                        } else {
                            room.push(user);
                        }
                    }
                    if let Ok(group) = s.group_profile(app, &id, &operator)? {
                        if group.member_count as usize + room.len() > caps.max_members {
                            return Ok(Err(GroupRefusal::Full));
                        }
                    }
                    let outcome = s.add_group_members(app, &id, &operator, &room, unix_now())?;
                    Ok(outcome.map(|done| with_value(done, |results| (results, at_cap))))
                }
                Change::Remove => {
                    let outcome =
                        s.remove_group_members(app, &id, &operator, &valid, unix_now())?;
                    Ok(outcome.map(|done| with_value(done, |results| (results, Vec::new()))))
                }
            })
            .await?
            .map_err(|r| {
                let op = match change {
                    Change::Add => "addGroupMember",
                    Change::Remove => "deleteGroupMember",
                };
                self.refused(op, group_id, r)
            })?;
        failed.extend(results.failed);
        failed.extend(at_cap);
        Ok(Reply::MembersChanged {
            succeeded: results.succeeded,
            failed,
            existed: results.existed,
            group: results.group,
        })
    }

    /// getGroupMemberList (`page`: count and offset, Tencent's defaults and cap) or
    /// getGroupMemberProfile (`only`: the user IDs asked for, members among them in join order).
    pub(super) async fn group_member_list(
        &self,
        who: &Identity,
        group_id: &str,
        page: Option<(Option<u32>, Option<u32>)>,
        only: Vec<String>,
    ) -> Result<Reply, ApiError> {
        check_group_id(group_id)?;
        let op = if page.is_some() {
            "getGroupMemberList"
        } else {
            check_member_count("userIDList", only.len(), false)?;
            "getGroupMemberProfile"
        };
        let (user, id) = (who.user.clone(), group_id.to_owned());
        let mut members = self
            .blocking(move |s| s.group_members(user.sdk_app_id, &id, &user.user_id))
            .await?
            .map_err(|r| refused(op, group_id, r))?;
        match page {
            Some((count, offset)) => {
                let count = count.unwrap_or(DEFAULT_MEMBER_PAGE).min(MAX_MEMBER_PAGE) as usize;
                let offset = offset.unwrap_or(0) as usize;
                members = members.into_iter().skip(offset).take(count).collect();
            }
            None => members.retain(|m| only.contains(&m.user_id)),
        }
        Ok(Reply::Data(member_list_text(&members)))
    }

    /// setGroupMemberRole / changeGroupOwner / updateGroupProfile: `groupsChanged` to the
    /// members whose group changed (the caller's other sessions too); answered with the group.
    pub(super) async fn edit_group(
        &self,
        who: &Identity,
        group_id: &str,
        edit: GroupEdit,
    ) -> Result<Reply, ApiError> {
        check_group_id(group_id)?;
        let op = match &edit {
            GroupEdit::Role { user_id, .. } => {
                check_user_id("userID", user_id)?;
                "setGroupMemberRole"
            }
            GroupEdit::Owner(new_owner) => {
                check_user_id("newOwnerID", new_owner)?;
                "changeGroupOwner"
            }
            GroupEdit::Profile(patch) => {
                check_group_patch(patch)?;
                "updateGroupProfile"
            }
        };
        let (id, operator) = (group_id.to_owned(), who.user.user_id.clone());
        // A passed-through call: the SDK refreshes its group list on `groupsChanged`, so the
        // asking session is told too.
        let group = self
            .group_change_telling(who, None, move |s, app| {
                s.edit_group(app, &id, &operator, &edit, unix_now())
            })
            .await?
            .map_err(|r| refused(op, group_id, r))?;
        let shaped = Group::from_wire(&group, &who.user.user_id);
        Ok(Reply::Data(to_text(
            &serde_json::json!({ "group": shaped }),
        )))
    }

    /// A text message to `GROUP<id>` from a member: stored once, logged and pushed to every
    /// member (the sender's other sessions too).
    pub(super) async fn send_group_message(
        &self,
        who: &Identity,
        conv: ConvRef,
        message: NewMessage,
    ) -> Result<Reply, ApiError> {
        let item = SendItem {
            sdk_app_id: who.user.sdk_app_id,
            conv: conv.clone(),
            message,
        };
        let outcome = self.store_send(who, item).await?;
        let group_id = conv.peer.as_str();
        match outcome {
            Ok(SendOutcome::Stored { message, .. } | SendOutcome::Duplicate(message)) => {
                Ok(Reply::Sent {
                    message: message.wire_in(&conv.conversation_id),
                })
            }
            Ok(SendOutcome::IdTaken) => Err(invalid(
                "message ID already used by another sender in this conversation",
            )),
            // Only one-to-one sends are checked against a blacklist.
            Ok(SendOutcome::Blocked) => Err(ApiError::internal("a group send was blocked")),
            Err(GroupRefusal::Dismissed) => Err(ApiError::new(
                ErrorCode::GroupPermissionDenied,
                format!("group {group_id} was dismissed: nothing can be sent to it any more"),
            )),
            Err(refusal) => Err(refused("sendMessage", group_id, refusal)),
        }
    }

    /// Runs a group change in one transaction, publishes its notices in log order to every
    /// session of their users (the caller's too: its reply does not carry them), then tells every
    /// session of each user whose group list changed (but the caller's, which gets the reply) to
    /// fetch it again.
    async fn group_change<T, F>(
        &self,
        who: &Identity,
        change: F,
    ) -> Result<Result<T, GroupRefusal>, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store, u64) -> StoreResult<GroupOutcome<T>> + Send + 'static,
    {
        self.group_change_telling(who, Some(who.session), change)
            .await
    }

    /// [`Self::group_change`], telling `groupsChanged` to every session of the users it names
    /// but `except`.
    async fn group_change_telling<T, F>(
        &self,
        who: &Identity,
        except: Option<SessionId>,
        change: F,
    ) -> Result<Result<T, GroupRefusal>, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store, u64) -> StoreResult<GroupOutcome<T>> + Send + 'static,
    {
        let app = who.user.sdk_app_id;
        let outcome = self
            .commit(app, None, move |s| {
                let mut outcome = change(s, app)?;
                let events = match &mut outcome {
                    Ok(done) => std::mem::take(&mut done.events),
                    Err(_) => Vec::new(),
                };
                Ok((outcome, events))
            })
            .await?;
        Ok(outcome.map(|done| {
            self.tell_groups_changed(app, except, &done.groups_changed);
            done.value
        }))
    }

    /// `groupsChanged` is not logged: a session that misses it fetches the list when it next
    /// asks for it.
    fn tell_groups_changed(&self, sdk_app_id: u64, except: Option<SessionId>, users: &[String]) {
        // Through the fan-out queue, so it follows the change's logged events.
        self.publisher()
            .tell(sdk_app_id, except, users.to_vec(), Push::GroupsChanged);
    }
}

/// setGroupMemberRole's `role`: Admin or Member (2100 otherwise; the owner is changed by
/// changeGroupOwner).
pub(super) fn admin_role(role: &str) -> Result<bool, ApiError> {
    match role {
        ADMIN => Ok(true),
        MEMBER => Ok(false),
        other => Err(invalid(format!(
            "setGroupMemberRole: role {other:?} is not Admin or Member \
             (TIM.TYPES.GRP_MBR_ROLE_ADMIN / _MEMBER; the owner changes by changeGroupOwner)"
        ))),
    }
}

/// The change with its value turned into another.
fn with_value<T, U>(done: GroupChange<T>, f: impl FnOnce(T) -> U) -> GroupChange<U> {
    GroupChange {
        value: f(done.value),
        events: done.events,
        groups_changed: done.groups_changed,
    }
}

impl Service {
    /// [`refused`], with the server's caps named where they were the reason.
    fn refused(&self, op: &str, group_id: &str, refusal: GroupRefusal) -> ApiError {
        match refusal {
            GroupRefusal::Full => ApiError::new(
                ErrorCode::GroupFull,
                format!(
                    "{op}: group {group_id} would have more than {} members, the most this server allows",
                    self.caps.max_members
                ),
            ),
            GroupRefusal::TooManyGroups => ApiError::new(
                ErrorCode::TooManyGroups,
                format!(
                    "{op}: a user would be in more than {} groups, the most this server allows",
                    self.caps.max_groups
                ),
            ),
            other => refused(op, group_id, other),
        }
    }
}

/// The coded error for a refusal of `op` on `group_id`.
pub(super) fn refused(op: &str, group_id: &str, refusal: GroupRefusal) -> ApiError {
    let (code, why) = match refusal {
        GroupRefusal::NotFound => (ErrorCode::GroupNotFound, format!("no group {group_id}")),
        GroupRefusal::Dismissed => (
            ErrorCode::GroupNotFound,
            format!("group {group_id} was dismissed"),
        ),
        GroupRefusal::NotMember => (
            ErrorCode::GroupPermissionDenied,
            format!("you are not a member of group {group_id} (never were, quit, or were removed)"),
        ),
        GroupRefusal::NotOwner => (
            ErrorCode::GroupPermissionDenied,
            format!(
                "only the owner of group {group_id} may do this (in Public and ChatRoom groups \
                 only the owner adds members; in every group only the owner removes members \
                 and dismisses)"
            ),
        ),
        GroupRefusal::JoinByInvitation => (
            ErrorCode::GroupPermissionDenied,
            format!(
                "group {group_id} takes no one by themselves (a Private (Work) group, or its \
                 joinOption is DisableApply): join by invitation (addGroupMember)"
            ),
        ),
        GroupRefusal::NotAdmin => (
            ErrorCode::GroupPermissionDenied,
            format!("only the owner or an admin of group {group_id} may do this"),
        ),
        GroupRefusal::TargetNotMember => (
            ErrorCode::GroupPermissionDenied,
            format!("the user named is not a member of group {group_id}"),
        ),
        GroupRefusal::OwnerRole => (
            ErrorCode::GroupPermissionDenied,
            format!(
                "the owner of group {group_id} keeps their role: changeGroupOwner hands the \
                 group to another member"
            ),
        ),
        GroupRefusal::NotForPrivate => (
            ErrorCode::GroupPermissionDenied,
            format!("group {group_id} is a Private (Work) group: no admins, no joinOption"),
        ),
        GroupRefusal::OwnerCannotQuit => (
            ErrorCode::GroupOwnerCannotQuit,
            format!("you own group {group_id}: the owner cannot quit it (dismissGroup instead)"),
        ),
        GroupRefusal::AlreadyMember => (
            ErrorCode::AlreadyGroupMember,
            format!("you are already a member of group {group_id}"),
        ),
        GroupRefusal::IdInUse => (
            ErrorCode::GroupIdInUse,
            format!("group ID {group_id} is taken (by a live or a dismissed group)"),
        ),
        GroupRefusal::Full => (
            ErrorCode::GroupFull,
            format!("group {group_id} has as many members as this server allows"),
        ),
        GroupRefusal::TooManyGroups => (
            ErrorCode::TooManyGroups,
            "a user would be in more groups than this server allows".to_owned(),
        ),
    };
    ApiError::new(code, format!("{op}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_its_code() {
        let cases = [
            (GroupRefusal::NotFound, 10010),
            (GroupRefusal::Dismissed, 10010),
            (GroupRefusal::NotMember, 10007),
            (GroupRefusal::NotOwner, 10007),
            (GroupRefusal::JoinByInvitation, 10007),
            (GroupRefusal::OwnerCannotQuit, 10009),
            (GroupRefusal::AlreadyMember, 10013),
            (GroupRefusal::IdInUse, 10021),
            (GroupRefusal::NotAdmin, 10007),
            (GroupRefusal::TargetNotMember, 10007),
            (GroupRefusal::OwnerRole, 10007),
            (GroupRefusal::NotForPrivate, 10007),
        ];
        for (refusal, want) in cases {
            let e = refused("op", "g1", refusal);
            assert_eq!(e.code.as_u32(), want, "{refusal:?}");
            assert!(
                e.message.starts_with("op: ") && e.message.contains("g1"),
                "{e}"
            );
        }
    }
}
