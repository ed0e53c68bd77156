//! Reading groups in SQLite: a group's row, its members, and the group as one user sees it.
//! Changes are in [`super::group_changes`].

use crate::store::{GroupRefusal, GroupType, StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};
use tim_proto::model::WireGroup;
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

pub(super) fn wire(
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
