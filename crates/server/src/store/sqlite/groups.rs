//! Reading groups in SQLite: a group's row, its members, and the group as one user sees it.
//! Changes are in [`super::group_changes`].

use crate::store::{GroupRefusal, GroupType, StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};
use tim_proto::group_profile::WireGroupMember;
use tim_proto::model::WireGroup;
use tim_proto::ConversationId;

pub(super) use crate::store::GroupRow;

pub(super) fn group_row(
    conn: &Connection,
    app: i64,
    group_id: &str,
) -> StoreResult<Option<GroupRow>> {
    let row = conn
        .prepare_cached(
            "SELECT kind, name, owner, create_time, dismissed, introduction, notification,
                    avatar, join_option, mute_all
             FROM chat_groups WHERE sdk_app_id = ?1 AND group_id = ?2",
        )?
        .query_row(params![app, group_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                GroupRow {
                    kind: GroupType::Private,
                    name: r.get(1)?,
                    owner: r.get(2)?,
                    create_time: r.get(3)?,
                    dismissed: r.get(4)?,
                    introduction: r.get(5)?,
                    notification: r.get(6)?,
                    avatar: r.get(7)?,
                    join_option: r.get(8)?,
                    mute_all: r.get(9)?,
                },
            ))
        })
        .optional()?;
    let Some((kind, mut g)) = row else {
        return Ok(None);
    };
    g.kind = GroupType::parse(&kind)
        .ok_or_else(|| StoreError::Corrupt(format!("group {group_id} has type {kind:?}")))?;
    Ok(Some(g))
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
    Ok(admin_flag(conn, app, group_id, user_id)?.is_some())
}

/// `user_id`'s member row's admin flag; `None` without a row.
pub(super) fn admin_flag(
    conn: &Connection,
    app: i64,
    group_id: &str,
    user_id: &str,
) -> StoreResult<Option<bool>> {
    Ok(conn
        .prepare_cached(
            "SELECT admin FROM group_members
             WHERE sdk_app_id = ?1 AND group_id = ?2 AND user_id = ?3",
        )?
        .query_row(params![app, group_id, user_id], |r| r.get(0))
        .optional()?)
}

/// Every member with their role, nick and avatar, in join order.
pub(super) fn member_list(
    conn: &Connection,
    app: i64,
    group_id: &str,
    g: &GroupRow,
) -> StoreResult<Vec<WireGroupMember>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.user_id, m.join_time, m.admin, COALESCE(p.nick, ''), COALESCE(p.avatar, '')
         FROM group_members m
         LEFT JOIN profiles p ON p.sdk_app_id = m.sdk_app_id AND p.user_id = m.user_id
         WHERE m.sdk_app_id = ?1 AND m.group_id = ?2 ORDER BY m.join_time, m.user_id",
    )?;
    let rows = stmt.query_map(params![app, group_id], |r| {
        let user_id: String = r.get(0)?;
        Ok(WireGroupMember {
            role: g.role_of(&user_id, r.get(2)?).to_owned(),
            user_id,
            join_time: r.get(1)?,
            nick: r.get(3)?,
            avatar: r.get(4)?,
            name_card: String::new(),
            mute_until: 0,
            member_custom_field: Vec::new(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The members of a live group, for a viewer who is one.
pub(super) fn members_for(
    conn: &Connection,
    app: i64,
    group_id: &str,
    viewer: &str,
) -> StoreResult<Result<Vec<WireGroupMember>, GroupRefusal>> {
    let g = match live_group(conn, app, group_id)? {
        Ok(g) => g,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if !has_member_row(conn, app, group_id, viewer)? {
        return Ok(Err(GroupRefusal::NotMember));
    }
    Ok(Ok(member_list(conn, app, group_id, &g)?))
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
    let admin = admin_flag(conn, app, group_id, viewer)?;
    let is_member = !g.dismissed && admin.is_some();
    Ok(WireGroup {
        group_id: group_id.to_owned(),
        name: g.name.clone(),
        kind: g.kind.as_str().to_owned(),
        owner_id: g.owner.clone(),
        member_count: member_count(conn, app, group_id)?,
        create_time: g.create_time,
        is_member,
        dismissed: g.dismissed,
        profile: g.profile(viewer, admin.filter(|_| is_member)),
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
