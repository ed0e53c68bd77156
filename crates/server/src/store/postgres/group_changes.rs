//! Changing groups in PostgreSQL (the rules are `store/sqlite/group_changes.rs`'s). Every
//! function runs inside the caller's transaction and locks the group's row first, then its
//! thread: changes to one group from different nodes take turns, and a message to the group
//! lands wholly before or after a membership change. A refusal returns before anything was
//! written.

use super::groups::{admin_flag, group_row, has_member_row, live_group, members, wire, GroupRow};
use super::notices::{self, Notice};
use super::{execute, lock_thread, Tx};
use crate::store::{
    ConvRef, GroupChange, GroupEdit, GroupOutcome, GroupRefusal, GroupType, MemberResults,
    NewGroup, StoreResult, UserEvent,
};
use tim_proto::group_profile::DISABLE_APPLY;
use tim_proto::model::{notice, WireGroup};

async fn ensure_user(tx: &Tx<'_>, app: i64, user_id: &str, now: i64) -> StoreResult<()> {
    execute(
        tx,
        "INSERT INTO users (sdk_app_id, user_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        &[&app, &user_id, &now],
    )
    .await?;
    Ok(())
}

/// Makes `user_id` a member; their conversation row sees the group from now on.
async fn add_member(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    user_id: &str,
    now: i64,
) -> StoreResult<()> {
    ensure_user(tx, app, user_id, now).await?;
    execute(
        tx,
        "INSERT INTO group_members (sdk_app_id, group_id, user_id, join_time)
         VALUES ($1, $2, $3, $4)",
        &[&app, &group_id, &user_id, &now],
    )
    .await?;
    let conv = ConvRef::group(user_id, group_id);
    let newest = lock_thread(tx, app, &conv.conv_key).await?;
    execute(
        tx,
        "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                    cleared_seq, read_seq, update_time)
         VALUES ($1, $2, $3, $4, FALSE, $5, $5, $6)
         ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE SET
             cleared_seq = CASE WHEN conversations.left_seq < $5
                 THEN GREATEST(conversations.cleared_seq, $5) ELSE conversations.cleared_seq END,
             read_seq = CASE WHEN conversations.left_seq < $5
                 THEN GREATEST(conversations.read_seq, $5) ELSE conversations.read_seq END,
             unread = CASE WHEN conversations.left_seq < $5 THEN 0 ELSE conversations.unread END,
             left_seq = NULL",
        &[
            &app,
            &conv.owner,
            &conv.conversation_id,
            &conv.conv_key,
            &newest,
            &now,
        ],
    )
    .await?;
    Ok(())
}

/// Ends `user_id`'s membership (the member row stays when `keep_row`: a dismissal). Their
/// conversation sees nothing newer than now.
async fn end_membership(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    user_id: &str,
    keep_row: bool,
) -> StoreResult<()> {
    if !keep_row {
        execute(
            tx,
            "DELETE FROM group_members WHERE sdk_app_id = $1 AND group_id = $2 AND user_id = $3",
            &[&app, &group_id, &user_id],
        )
        .await?;
    }
    let conv = ConvRef::group(user_id, group_id);
    let newest = lock_thread(tx, app, &conv.conv_key).await?;
    execute(
        tx,
        "UPDATE conversations SET left_seq = $4
         WHERE sdk_app_id = $1 AND owner = $2 AND conversation_id = $3",
        &[&app, &conv.owner, &conv.conversation_id, &newest],
    )
    .await?;
    Ok(())
}

fn notice_of<'a>(
    operation_type: u32,
    group_id: &'a str,
    g: &'a GroupRow,
    operator: &'a str,
) -> Notice<'a> {
    Notice {
        operation_type,
        group_id,
        group_name: &g.name,
        operator_id: operator,
    }
}

fn change<T>(value: T, events: Vec<UserEvent>, groups_changed: Vec<String>) -> GroupOutcome<T> {
    Ok(GroupChange {
        value,
        events,
        groups_changed,
    })
}

pub(super) async fn create(
    tx: &Tx<'_>,
    app: i64,
    new: &NewGroup,
    now: i64,
) -> StoreResult<GroupOutcome<WireGroup>> {
    let id = new.group_id.as_str();
    // Two nodes creating the same ID at once: the second insert breaks the key and its
    // transaction runs again, finding the group.
    if group_row(tx, app, id, false).await?.is_some() {
        return Ok(Err(GroupRefusal::IdInUse));
    }
    ensure_user(tx, app, &new.owner, now).await?;
    execute(
        tx,
        "INSERT INTO chat_groups (sdk_app_id, group_id, kind, name, owner, create_time)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[&app, &id, &new.kind.as_str(), &new.name, &new.owner, &now],
    )
    .await?;
    // The thread exists from the start, so members' conversation rows can refer to it.
    execute(
        tx,
        "INSERT INTO threads (sdk_app_id, conv_key, last_seq) VALUES ($1, $2, 0)
         ON CONFLICT DO NOTHING",
        &[&app, &ConvRef::group(&new.owner, id).conv_key],
    )
    .await?;
    let g = GroupRow::new(new.kind, &new.name, &new.owner, now);
    add_member(tx, app, id, &new.owner, now).await?;
    let mut events = vec![
        notices::send(
            tx,
            app,
            &new.owner,
            &notice_of(notice::CREATED, id, &g, &new.owner),
            now,
        )
        .await?,
    ];
    let mut changed = vec![new.owner.clone()];
    for user in &new.members {
        if changed.contains(user) {
            continue;
        }
        add_member(tx, app, id, user, now).await?;
        events.push(
            notices::send(
                tx,
                app,
                user,
                &notice_of(notice::INVITED, id, &g, &new.owner),
                now,
            )
            .await?,
        );
        changed.push(user.clone());
    }
    let group = wire(tx, app, id, &g, &new.owner).await?;
    Ok(change(group, events, changed))
}

pub(super) async fn join(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    user_id: &str,
    now: i64,
) -> StoreResult<GroupOutcome<WireGroup>> {
    let g = match live_group(tx, app, group_id).await? {
        Ok(g) => g,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if has_member_row(tx, app, group_id, user_id).await? {
        return Ok(Err(GroupRefusal::AlreadyMember));
    }
    if !g.kind.open_to_join() || g.kind.join_option(&g.join_option) == DISABLE_APPLY {
        return Ok(Err(GroupRefusal::JoinByInvitation));
    }
    add_member(tx, app, group_id, user_id, now).await?;
    let group = wire(tx, app, group_id, &g, user_id).await?;
    Ok(change(group, Vec::new(), vec![user_id.to_owned()]))
}

pub(super) async fn quit(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    user_id: &str,
    now: i64,
) -> StoreResult<GroupOutcome<()>> {
    let g = match live_group(tx, app, group_id).await? {
        Ok(g) => g,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if !has_member_row(tx, app, group_id, user_id).await? {
        return Ok(Err(GroupRefusal::NotMember));
    }
    if g.owner == user_id {
        return Ok(Err(GroupRefusal::OwnerCannotQuit));
    }
    end_membership(tx, app, group_id, user_id, false).await?;
    let event = notices::send(
        tx,
        app,
        user_id,
        &notice_of(notice::QUIT, group_id, &g, user_id),
        now,
    )
    .await?;
    Ok(change((), vec![event], vec![user_id.to_owned()]))
}

pub(super) async fn dismiss(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    user_id: &str,
    now: i64,
) -> StoreResult<GroupOutcome<()>> {
    let g = match live_group(tx, app, group_id).await? {
        Ok(g) => g,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if g.owner != user_id {
        return Ok(Err(GroupRefusal::NotOwner));
    }
    execute(
        tx,
        "UPDATE chat_groups SET dismissed = TRUE WHERE sdk_app_id = $1 AND group_id = $2",
        &[&app, &group_id],
    )
    .await?;
    let everyone = members(tx, app, group_id).await?;
    let mut events = Vec::with_capacity(everyone.len());
    for member in &everyone {
        end_membership(tx, app, group_id, member, true).await?;
        events.push(
            notices::send(
                tx,
                app,
                member,
                &notice_of(notice::DISMISSED, group_id, &g, user_id),
                now,
            )
            .await?,
        );
    }
    Ok(change((), events, everyone))
}

pub(super) async fn add_members(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    operator: &str,
    user_ids: &[String],
    now: i64,
) -> StoreResult<GroupOutcome<MemberResults>> {
    let g = match live_group(tx, app, group_id).await? {
        Ok(g) => g,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if !has_member_row(tx, app, group_id, operator).await? {
        return Ok(Err(GroupRefusal::NotMember));
    }
    if !g.kind.members_invite() && g.owner != operator {
        return Ok(Err(GroupRefusal::NotOwner));
    }
    let (mut succeeded, mut existed, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for user in user_ids {
        if has_member_row(tx, app, group_id, user).await? {
            existed.push(user.clone());
            continue;
        }
        add_member(tx, app, group_id, user, now).await?;
        events.push(
            notices::send(
                tx,
                app,
                user,
                &notice_of(notice::INVITED, group_id, &g, operator),
                now,
            )
            .await?,
        );
        succeeded.push(user.clone());
    }
    let results = MemberResults {
        succeeded: succeeded.clone(),
        failed: Vec::new(),
        existed,
        group: wire(tx, app, group_id, &g, operator).await?,
    };
    Ok(change(results, events, succeeded))
}

pub(super) async fn remove_members(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    operator: &str,
    user_ids: &[String],
    now: i64,
) -> StoreResult<GroupOutcome<MemberResults>> {
    let g = match live_group(tx, app, group_id).await? {
        Ok(g) => g,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if g.owner != operator {
        return Ok(Err(GroupRefusal::NotOwner));
    }
    let (mut succeeded, mut failed, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for user in user_ids {
        // The owner stays (dismiss the group instead); non-members cannot be removed.
        if *user == g.owner || !has_member_row(tx, app, group_id, user).await? {
            failed.push(user.clone());
            continue;
        }
        end_membership(tx, app, group_id, user, false).await?;
        events.push(
            notices::send(
                tx,
                app,
                user,
                &notice_of(notice::KICKED, group_id, &g, operator),
                now,
            )
            .await?,
        );
        succeeded.push(user.clone());
    }
    let results = MemberResults {
        succeeded: succeeded.clone(),
        failed,
        existed: Vec::new(),
        group: wire(tx, app, group_id, &g, operator).await?,
    };
    Ok(change(results, events, succeeded))
}

/// setGroupMemberRole, changeGroupOwner, updateGroupProfile (SQLite's rules).
pub(super) async fn edit(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    operator: &str,
    edit: &GroupEdit,
    now: i64,
) -> StoreResult<GroupOutcome<WireGroup>> {
    let g = match live_group(tx, app, group_id).await? {
        Ok(g) => g,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let Some(operator_admin) = admin_flag(tx, app, group_id, operator).await? else {
        return Ok(Err(GroupRefusal::NotMember));
    };
    let is_owner = g.owner == operator;
    let changed = match edit {
        GroupEdit::Role { user_id, .. } => vec![user_id.clone()],
        _ => members(tx, app, group_id).await?,
    };
    let mut events = Vec::new();
    match edit {
        GroupEdit::Role { user_id, admin } => {
            if !is_owner {
                return Ok(Err(GroupRefusal::NotOwner));
            }
            if g.kind == GroupType::Private {
                return Ok(Err(GroupRefusal::NotForPrivate));
            }
            if *user_id == g.owner {
                return Ok(Err(GroupRefusal::OwnerRole));
            }
            let Some(was_admin) = admin_flag(tx, app, group_id, user_id).await? else {
                return Ok(Err(GroupRefusal::TargetNotMember));
            };
            if was_admin == *admin {
                let group = wire(tx, app, group_id, &g, operator).await?;
                return Ok(change(group, Vec::new(), Vec::new()));
            }
            set_admin(tx, app, group_id, user_id, *admin).await?;
            let kind = if *admin {
                notice::SET_ADMIN
            } else {
                notice::CANCELED_ADMIN
            };
            let notice = notice_of(kind, group_id, &g, operator);
            events.push(notices::send(tx, app, user_id, &notice, now).await?);
        }
        GroupEdit::Owner(new_owner) => {
            if !is_owner {
                return Ok(Err(GroupRefusal::NotOwner));
            }
            if *new_owner == g.owner {
                return Ok(Err(GroupRefusal::OwnerRole));
            }
            if !has_member_row(tx, app, group_id, new_owner).await? {
                return Ok(Err(GroupRefusal::TargetNotMember));
            }
            set_admin(tx, app, group_id, new_owner, false).await?;
            execute(
                tx,
                "UPDATE chat_groups SET owner = $3 WHERE sdk_app_id = $1 AND group_id = $2",
                &[&app, &group_id, new_owner],
            )
            .await?;
        }
        GroupEdit::Profile(p) => {
            if !is_owner && !operator_admin {
                return Ok(Err(GroupRefusal::NotAdmin));
            }
            if g.kind == GroupType::Private && p.join_option.is_some() {
                return Ok(Err(GroupRefusal::NotForPrivate));
            }
            execute(
                tx,
                "UPDATE chat_groups SET name = COALESCE($3, name),
                     introduction = COALESCE($4, introduction),
                     notification = COALESCE($5, notification), avatar = COALESCE($6, avatar),
                     join_option = COALESCE($7, join_option), mute_all = COALESCE($8, mute_all)
                 WHERE sdk_app_id = $1 AND group_id = $2",
                &[
                    &app,
                    &group_id,
                    &p.name,
                    &p.introduction,
                    &p.notification,
                    &p.avatar,
                    &p.join_option,
                    &p.mute_all_members,
                ],
            )
            .await?;
        }
    }
    let after = group_row(tx, app, group_id, false).await?.unwrap_or(g);
    let group = wire(tx, app, group_id, &after, operator).await?;
    Ok(change(group, events, changed))
}

async fn set_admin(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    user_id: &str,
    admin: bool,
) -> StoreResult<()> {
    execute(
        tx,
        "UPDATE group_members SET admin = $4
         WHERE sdk_app_id = $1 AND group_id = $2 AND user_id = $3",
        &[&app, &group_id, &user_id, &admin],
    )
    .await?;
    Ok(())
}
