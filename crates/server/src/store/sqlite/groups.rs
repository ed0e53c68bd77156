//! Groups in SQLite: creating, joining, quitting, dismissing, adding and removing members, and
//! reading groups as one user sees them. Every function runs inside the caller's transaction;
//! a refusal returns before anything was written.
//!
//! Membership and conversations meet in two places: a new member's conversation row starts at
//! the group's newest seq (nothing from before they joined), and a leaving member's row gets
//! `left_seq` (nothing from after they left). See [`notices`] for the system notices.

use super::last_seq;
use super::notices::{self, Notice};
use crate::store::{
    ConvRef, GroupChange, GroupOutcome, GroupRefusal, GroupType, MemberResults, NewGroup,
    StoreError, StoreResult, UserEvent,
};
use rusqlite::{params, Connection, OptionalExtension};
use tim_proto::model::{notice, WireGroup};
use tim_proto::ConversationId;

/// A group's row.
pub(super) struct GroupRow {
    pub kind: GroupType,
    pub name: String,
    pub owner: String,
    pub create_time: i64,
    pub dismissed: bool,
}

pub(super) fn group_row(
    conn: &Connection,
    app: i64,
    group_id: &str,
) -> StoreResult<Option<GroupRow>> {
    let row = conn
        .prepare_cached(
            "SELECT kind, name, owner, create_time, dismissed FROM chat_groups
             WHERE sdk_app_id = ?1 AND group_id = ?2",
        )?
        .query_row(params![app, group_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })
        .optional()?;
    let Some((kind, name, owner, create_time, dismissed)) = row else {
        return Ok(None);
    };
    let kind = GroupType::parse(&kind)
        .ok_or_else(|| StoreError::Corrupt(format!("group {group_id} has type {kind:?}")))?;
    Ok(Some(GroupRow {
        kind,
        name,
        owner,
        create_time,
        dismissed,
    }))
}

/// The group if it exists and was not dismissed.
pub(super) fn live_group(
    conn: &Connection,
    app: i64,
    group_id: &str,
) -> StoreResult<Result<GroupRow, GroupRefusal>> {
    Ok(match group_row(conn, app, group_id)? {
        None => Err(GroupRefusal::NotFound),
        Some(g) if g.dismissed => Err(GroupRefusal::Dismissed),
        Some(g) => Ok(g),
    })
}

/// Whether `user_id` has a member row (of a dismissed group: was a member when it went).
pub(super) fn has_member_row(
    conn: &Connection,
    app: i64,
    group_id: &str,
    user_id: &str,
) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM group_members WHERE sdk_app_id = ?1 AND group_id = ?2 AND user_id = ?3",
        )?
        .query_row(params![app, group_id, user_id], |_| Ok(()))
        .optional()?
        .is_some())
}

pub(super) fn members(conn: &Connection, app: i64, group_id: &str) -> StoreResult<Vec<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT user_id FROM group_members WHERE sdk_app_id = ?1 AND group_id = ?2
             ORDER BY join_time, user_id",
        )?
        .query_map(params![app, group_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?)
}

fn member_count(conn: &Connection, app: i64, group_id: &str) -> StoreResult<u32> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM group_members WHERE sdk_app_id = ?1 AND group_id = ?2",
        )?
        .query_row(params![app, group_id], |r| r.get(0))?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

fn wire(
    conn: &Connection,
    app: i64,
    group_id: &str,
    g: &GroupRow,
    viewer: &str,
) -> StoreResult<WireGroup> {
    Ok(WireGroup {
        group_id: group_id.to_owned(),
        name: g.name.clone(),
        kind: g.kind.as_str().to_owned(),
        owner_id: g.owner.clone(),
        member_count: member_count(conn, app, group_id)?,
        create_time: g.create_time,
        is_member: !g.dismissed && has_member_row(conn, app, group_id, viewer)?,
        dismissed: g.dismissed,
    })
}

/// The group of a `GROUP<id>` conversation as its owner sees it; `None` for other conversations.
pub(super) fn of_conversation(
    conn: &Connection,
    app: i64,
    owner: &str,
    conversation_id: &str,
) -> StoreResult<Option<WireGroup>> {
    let Ok(ConversationId::Group(group_id)) = ConversationId::parse(conversation_id) else {
        return Ok(None);
    };
    match group_row(conn, app, &group_id)? {
        Some(g) => Ok(Some(wire(conn, app, &group_id, &g, owner)?)),
        None => Ok(None),
    }
}

/// The highest seq `owner` may see in a conversation: `left_seq` of a group they left.
pub(super) fn seen_until(
    conn: &Connection,
    app: i64,
    owner: &str,
    conversation_id: &str,
) -> StoreResult<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT left_seq FROM conversations
             WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3",
        )?
        .query_row(params![app, owner, conversation_id], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .optional()?
        .flatten())
}

pub(super) fn profile(
    conn: &Connection,
    app: i64,
    group_id: &str,
    viewer: &str,
) -> StoreResult<Result<WireGroup, GroupRefusal>> {
    let Some(g) = group_row(conn, app, group_id)? else {
        return Ok(Err(GroupRefusal::NotFound));
    };
    // A dismissed group is still shown to those who were members then, so their clients can
    // show what became of it; to anyone else it no longer exists.
    if g.dismissed && !has_member_row(conn, app, group_id, viewer)? {
        return Ok(Err(GroupRefusal::Dismissed));
    }
    Ok(Ok(wire(conn, app, group_id, &g, viewer)?))
}

pub(super) fn groups_of(conn: &Connection, app: i64, user_id: &str) -> StoreResult<Vec<WireGroup>> {
    let ids: Vec<String> = conn
        .prepare_cached(
            "SELECT m.group_id FROM group_members m
             JOIN chat_groups g ON g.sdk_app_id = m.sdk_app_id AND g.group_id = m.group_id
             WHERE m.sdk_app_id = ?1 AND m.user_id = ?2 AND g.dismissed = 0
             ORDER BY m.join_time, m.group_id",
        )?
        .query_map(params![app, user_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    let mut groups = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(g) = group_row(conn, app, &id)? {
            groups.push(wire(conn, app, &id, &g, user_id)?);
        }
    }
    Ok(groups)
}

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
    let g = GroupRow {
        kind: new.kind,
        name: new.name.clone(),
        owner: new.owner.clone(),
        create_time: now,
        dismissed: false,
    };
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
    if !g.kind.open_to_join() {
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
