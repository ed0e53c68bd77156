//! Changing groups in SQLite: creating, joining, quitting, dismissing, adding and removing
//! members. Every function runs inside the caller's transaction; a refusal returns before
//! anything was written.
//!
//! Membership and conversations meet in two places: a new member's conversation row starts at
//! the group's newest seq (nothing from before they joined), and a leaving member's row gets
//! `left_seq` (nothing from after they left). See [`super::notices`] for the system notices.

use super::groups::{admin_flag, group_row, has_member_row, live_group, members, wire, GroupRow};
use super::last_seq;
use super::notices::{self, Notice};
use crate::store::{
    ConvRef, GroupChange, GroupEdit, GroupOutcome, GroupRefusal, GroupType, MemberResults,
    NewGroup, StoreResult, UserEvent,
};
use rusqlite::{params, Connection};
use tim_proto::group_profile::DISABLE_APPLY;
use tim_proto::model::{notice, WireGroup};

fn ensure_user(conn: &Connection, app: i64, user_id: &str, now: i64) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO users (sdk_app_id, user_id, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![app, user_id, now])?;
    Ok(())
}

/// Makes `user_id` a member. Their conversation row sees the group from now on: a new row
/// starts hidden at the newest seq; a row kept from an earlier membership keeps its history
/// unless messages came while they were away, which they never see (the history then restarts
/// here too).
fn add_member(
    conn: &Connection,
    app: i64,
    group_id: &str,
    user_id: &str,
    now: i64,
) -> StoreResult<()> {
    ensure_user(conn, app, user_id, now)?;
    conn.prepare_cached(
        "INSERT INTO group_members (sdk_app_id, group_id, user_id, join_time)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![app, group_id, user_id, now])?;
    let conv = ConvRef::group(user_id, group_id);
    let newest = last_seq(conn, app, &conv.conv_key)?;
    conn.prepare_cached(
        "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                    cleared_seq, read_seq, update_time)
         VALUES (?1, ?2, ?3, ?4, 0, ?5, ?5, ?6)
         ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE SET
             cleared_seq = CASE WHEN left_seq < ?5 THEN MAX(cleared_seq, ?5) ELSE cleared_seq END,
             read_seq = CASE WHEN left_seq < ?5 THEN MAX(read_seq, ?5) ELSE read_seq END,
             unread = CASE WHEN left_seq < ?5 THEN 0 ELSE unread END,
             left_seq = NULL",
    )?
    .execute(params![
        app,
        conv.owner,
        conv.conversation_id,
        conv.conv_key,
        newest,
        now
    ])?;
    Ok(())
}

/// Ends `user_id`'s membership (the member row stays when `keep_row`: a dismissal). Their
/// conversation, if they have one, stays as it is but sees nothing newer than now: one row.
fn end_membership(
    conn: &Connection,
    app: i64,
    group_id: &str,
    user_id: &str,
    keep_row: bool,
) -> StoreResult<()> {
    if !keep_row {
        conn.prepare_cached(
            "DELETE FROM group_members WHERE sdk_app_id = ?1 AND group_id = ?2 AND user_id = ?3",
        )?
        .execute(params![app, group_id, user_id])?;
    }
    let conv = ConvRef::group(user_id, group_id);
    let newest = last_seq(conn, app, &conv.conv_key)?;
    conn.prepare_cached(
        "UPDATE conversations SET left_seq = ?4
         WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3",
    )?
    .execute(params![app, conv.owner, conv.conversation_id, newest])?;
    Ok(())
}

/// The notice of `operation_type` about group `g`, done by `operator`.
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

pub(super) fn create(
    conn: &Connection,
    app: i64,
    new: &NewGroup,
    now: i64,
) -> StoreResult<GroupOutcome<WireGroup>> {
    let id = new.group_id.as_str();
    if group_row(conn, app, id)?.is_some() {
        return Ok(Err(GroupRefusal::IdInUse));
    }
    ensure_user(conn, app, &new.owner, now)?;
    conn.prepare_cached(
        "INSERT INTO chat_groups (sdk_app_id, group_id, kind, name, owner, create_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        app,
        id,
        new.kind.as_str(),
        new.name,
        new.owner,
        now
    ])?;
    // The thread exists from the start, so members' conversation rows can refer to it.
    conn.prepare_cached(
        "INSERT INTO threads (sdk_app_id, conv_key, last_seq) VALUES (?1, ?2, 0)
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![app, ConvRef::group(&new.owner, id).conv_key])?;
    let g = GroupRow::new(new.kind, &new.name, &new.owner, now);
    add_member(conn, app, id, &new.owner, now)?;
    let mut events = vec![notices::send(
        conn,
        app,
        &new.owner,
        &notice_of(notice::CREATED, id, &g, &new.owner),
        now,
    )?];
    let mut changed = vec![new.owner.clone()];
    for user in &new.members {
        if changed.contains(user) {
            continue;
        }
        add_member(conn, app, id, user, now)?;
        events.push(notices::send(
            conn,
            app,
            user,
            &notice_of(notice::INVITED, id, &g, &new.owner),
            now,
        )?);
        changed.push(user.clone());
    }
    let group = wire(conn, app, id, &g, &new.owner)?;
    Ok(change(group, events, changed))
}

pub(super) fn join(
    conn: &Connection,
    app: i64,
    group_id: &str,
    user_id: &str,
    now: i64,
) -> StoreResult<GroupOutcome<WireGroup>> {
    let g = match live_group(conn, app, group_id)? {
        Ok(g) => g,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if has_member_row(conn, app, group_id, user_id)? {
        return Ok(Err(GroupRefusal::AlreadyMember));
    }
    if !g.kind.open_to_join() || g.kind.join_option(&g.join_option) == DISABLE_APPLY {
        return Ok(Err(GroupRefusal::JoinByInvitation));
    }
    add_member(conn, app, group_id, user_id, now)?;
    let group = wire(conn, app, group_id, &g, user_id)?;
    Ok(change(group, Vec::new(), vec![user_id.to_owned()]))
}

pub(super) fn quit(
    conn: &Connection,
    app: i64,
    group_id: &str,
    user_id: &str,
    now: i64,
) -> StoreResult<GroupOutcome<()>> {
    let g = match live_group(conn, app, group_id)? {
        Ok(g) => g,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if !has_member_row(conn, app, group_id, user_id)? {
        return Ok(Err(GroupRefusal::NotMember));
    }
    if g.owner == user_id {
        return Ok(Err(GroupRefusal::OwnerCannotQuit));
    }
    end_membership(conn, app, group_id, user_id, false)?;
    let event = notices::send(
        conn,
        app,
        user_id,
        &notice_of(notice::QUIT, group_id, &g, user_id),
        now,
    )?;
    Ok(change((), vec![event], vec![user_id.to_owned()]))
}

pub(super) fn dismiss(
    conn: &Connection,
    app: i64,
    group_id: &str,
    user_id: &str,
    now: i64,
) -> StoreResult<GroupOutcome<()>> {
    let g = match live_group(conn, app, group_id)? {
        Ok(g) => g,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if g.owner != user_id {
        return Ok(Err(GroupRefusal::NotOwner));
    }
    conn.prepare_cached(
        "UPDATE chat_groups SET dismissed = 1 WHERE sdk_app_id = ?1 AND group_id = ?2",
    )?
    .execute(params![app, group_id])?;
    let everyone = members(conn, app, group_id)?;
    let mut events = Vec::with_capacity(everyone.len());
    for member in &everyone {
        end_membership(conn, app, group_id, member, true)?;
        events.push(notices::send(
            conn,
            app,
            member,
            &notice_of(notice::DISMISSED, group_id, &g, user_id),
            now,
        )?);
    }
    Ok(change((), events, everyone))
}

pub(super) fn add_members(
    conn: &Connection,
    app: i64,
    group_id: &str,
    operator: &str,
    user_ids: &[String],
    now: i64,
) -> StoreResult<GroupOutcome<MemberResults>> {
    let g = match live_group(conn, app, group_id)? {
        Ok(g) => g,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if !has_member_row(conn, app, group_id, operator)? {
        return Ok(Err(GroupRefusal::NotMember));
    }
    if !g.kind.members_invite() && g.owner != operator {
        return Ok(Err(GroupRefusal::NotOwner));
    }
    let (mut succeeded, mut existed, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for user in user_ids {
        if has_member_row(conn, app, group_id, user)? {
            existed.push(user.clone());
            continue;
        }
        add_member(conn, app, group_id, user, now)?;
        events.push(notices::send(
            conn,
            app,
            user,
            &notice_of(notice::INVITED, group_id, &g, operator),
            now,
        )?);
        succeeded.push(user.clone());
    }
    let results = MemberResults {
        succeeded: succeeded.clone(),
        failed: Vec::new(),
        existed,
        group: wire(conn, app, group_id, &g, operator)?,
    };
    Ok(change(results, events, succeeded))
}

pub(super) fn remove_members(
    conn: &Connection,
    app: i64,
    group_id: &str,
    operator: &str,
    user_ids: &[String],
    now: i64,
) -> StoreResult<GroupOutcome<MemberResults>> {
    let g = match live_group(conn, app, group_id)? {
        Ok(g) => g,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if g.owner != operator {
        return Ok(Err(GroupRefusal::NotOwner));
    }
    let (mut succeeded, mut failed, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for user in user_ids {
        // The owner stays (dismiss the group instead); non-members cannot be removed.
        if *user == g.owner || !has_member_row(conn, app, group_id, user)? {
            failed.push(user.clone());
            continue;
        }
        end_membership(conn, app, group_id, user, false)?;
        events.push(notices::send(
            conn,
            app,
            user,
            &notice_of(notice::KICKED, group_id, &g, operator),
            now,
        )?);
        succeeded.push(user.clone());
    }
    let results = MemberResults {
        succeeded: succeeded.clone(),
        failed,
        existed: Vec::new(),
        group: wire(conn, app, group_id, &g, operator)?,
    };
    Ok(change(results, events, succeeded))
}

/// setGroupMemberRole, changeGroupOwner, updateGroupProfile (see [`GroupEdit`]).
pub(super) fn edit(
    conn: &Connection,
    app: i64,
    group_id: &str,
    operator: &str,
    edit: &GroupEdit,
    now: i64,
) -> StoreResult<GroupOutcome<WireGroup>> {
    let g = match live_group(conn, app, group_id)? {
        Ok(g) => g,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let Some(operator_admin) = admin_flag(conn, app, group_id, operator)? else {
        return Ok(Err(GroupRefusal::NotMember));
    };
    let is_owner = g.owner == operator;
    let (mut events, changed) = (
        Vec::new(),
        match edit {
            GroupEdit::Role { user_id, .. } => vec![user_id.clone()],
            _ => members(conn, app, group_id)?,
        },
    );
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
            let Some(was_admin) = admin_flag(conn, app, group_id, user_id)? else {
                return Ok(Err(GroupRefusal::TargetNotMember));
            };
            if was_admin == *admin {
                // Nothing changes: nobody is told.
                let group = wire(conn, app, group_id, &g, operator)?;
                return Ok(change(group, Vec::new(), Vec::new()));
            }
            set_admin(conn, app, group_id, user_id, *admin)?;
            let kind = if *admin {
                notice::SET_ADMIN
            } else {
                notice::CANCELED_ADMIN
            };
            events.push(notices::send(
                conn,
                app,
                user_id,
                &notice_of(kind, group_id, &g, operator),
                now,
            )?);
        }
        GroupEdit::Owner(new_owner) => {
            if !is_owner {
                return Ok(Err(GroupRefusal::NotOwner));
            }
            if *new_owner == g.owner {
                return Ok(Err(GroupRefusal::OwnerRole));
            }
            if !has_member_row(conn, app, group_id, new_owner)? {
                return Ok(Err(GroupRefusal::TargetNotMember));
            }
            // The new owner is no admin any more (owners are not), the old one a plain member.
            set_admin(conn, app, group_id, new_owner, false)?;
            conn.prepare_cached(
                "UPDATE chat_groups SET owner = ?3 WHERE sdk_app_id = ?1 AND group_id = ?2",
            )?
            .execute(params![app, group_id, new_owner])?;
        }
        GroupEdit::Profile(p) => {
            if !is_owner && !operator_admin {
                return Ok(Err(GroupRefusal::NotAdmin));
            }
            if g.kind == GroupType::Private && p.join_option.is_some() {
                return Ok(Err(GroupRefusal::NotForPrivate));
            }
            conn.prepare_cached(
                "UPDATE chat_groups SET name = COALESCE(?3, name),
                     introduction = COALESCE(?4, introduction),
                     notification = COALESCE(?5, notification), avatar = COALESCE(?6, avatar),
                     join_option = COALESCE(?7, join_option), mute_all = COALESCE(?8, mute_all)
                 WHERE sdk_app_id = ?1 AND group_id = ?2",
            )?
            .execute(params![
                app,
                group_id,
                p.name,
                p.introduction,
                p.notification,
                p.avatar,
                p.join_option,
                p.mute_all_members
            ])?;
        }
    }
    let after = group_row(conn, app, group_id)?.unwrap_or(g);
    let group = wire(conn, app, group_id, &after, operator)?;
    Ok(change(group, events, changed))
}

fn set_admin(
    conn: &Connection,
    app: i64,
    group_id: &str,
    user_id: &str,
    admin: bool,
) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE group_members SET admin = ?4
         WHERE sdk_app_id = ?1 AND group_id = ?2 AND user_id = ?3",
    )?
    .execute(params![app, group_id, user_id, admin])?;
    Ok(())
}
