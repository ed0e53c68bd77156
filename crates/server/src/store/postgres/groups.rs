//! Reading groups in PostgreSQL: a group's row, its members, and the group as one user sees
//! it. Changes are in [`super::group_changes`].

use super::{query, query_opt, Tx};
use crate::store::{GroupRefusal, GroupType, StoreError, StoreResult};
use tim_proto::group_profile::WireGroupMember;
use tim_proto::model::WireGroup;
use tim_proto::ConversationId;

pub(super) use crate::store::GroupRow;

/// The group's row; `lock` takes its row lock, so changes to one group (from any node) take
/// turns.
pub(super) async fn group_row(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    lock: bool,
) -> StoreResult<Option<GroupRow>> {
    let sql = if lock {
        "SELECT kind, name, owner, create_time, dismissed, introduction, notification, avatar,
                join_option, mute_all
         FROM chat_groups WHERE sdk_app_id = $1 AND group_id = $2 FOR UPDATE"
    } else {
        "SELECT kind, name, owner, create_time, dismissed, introduction, notification, avatar,
                join_option, mute_all
         FROM chat_groups WHERE sdk_app_id = $1 AND group_id = $2"
    };
    let Some(r) = query_opt(tx, sql, &[&app, &group_id]).await? else {
        return Ok(None);
    };
    let kind: String = r.try_get(0)?;
    let kind = GroupType::parse(&kind)
        .ok_or_else(|| StoreError::Corrupt(format!("group {group_id} has type {kind:?}")))?;
    Ok(Some(GroupRow {
        kind,
        name: r.try_get(1)?,
        owner: r.try_get(2)?,
        create_time: r.try_get(3)?,
        dismissed: r.try_get(4)?,
        introduction: r.try_get(5)?,
        notification: r.try_get(6)?,
        avatar: r.try_get(7)?,
        join_option: r.try_get(8)?,
        mute_all: r.try_get(9)?,
    }))
}

/// The group, locked, if it exists and was not dismissed.
pub(super) async fn live_group(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
) -> StoreResult<Result<GroupRow, GroupRefusal>> {
    Ok(match group_row(tx, app, group_id, true).await? {
        None => Err(GroupRefusal::NotFound),
        Some(g) if g.dismissed => Err(GroupRefusal::Dismissed),
        Some(g) => Ok(g),
    })
}

/// Whether `user_id` has a member row (of a dismissed group: was a member when it went).
pub(super) async fn has_member_row(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    user_id: &str,
) -> StoreResult<bool> {
    Ok(admin_flag(tx, app, group_id, user_id).await?.is_some())
}

/// `user_id`'s member row's admin flag; `None` without a row.
pub(super) async fn admin_flag(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    user_id: &str,
) -> StoreResult<Option<bool>> {
    query_opt(
        tx,
        "SELECT admin FROM group_members
         WHERE sdk_app_id = $1 AND group_id = $2 AND user_id = $3",
        &[&app, &group_id, &user_id],
    )
    .await?
    .map(|r| Ok(r.try_get(0)?))
    .transpose()
}

/// Every member with their role, nick and avatar, in join order.
pub(super) async fn member_list(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    g: &GroupRow,
) -> StoreResult<Vec<WireGroupMember>> {
    query(
        tx,
        "SELECT m.user_id, m.join_time, m.admin, COALESCE(p.nick, ''), COALESCE(p.avatar, '')
         FROM group_members m
         LEFT JOIN profiles p ON p.sdk_app_id = m.sdk_app_id AND p.user_id = m.user_id
         WHERE m.sdk_app_id = $1 AND m.group_id = $2 ORDER BY m.join_time, m.user_id",
        &[&app, &group_id],
    )
    .await?
    .iter()
    .map(|r| {
        let user_id: String = r.try_get(0)?;
        Ok(WireGroupMember {
            role: g.role_of(&user_id, r.try_get(2)?).to_owned(),
            user_id,
            join_time: r.try_get(1)?,
            nick: r.try_get(3)?,
            avatar: r.try_get(4)?,
            name_card: String::new(),
            mute_until: 0,
            member_custom_field: Vec::new(),
        })
    })
    .collect()
}

/// The members of a live group, for a viewer who is one.
pub(super) async fn members_for(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    viewer: &str,
) -> StoreResult<Result<Vec<WireGroupMember>, GroupRefusal>> {
    let g = match group_row(tx, app, group_id, false).await? {
        None => return Ok(Err(GroupRefusal::NotFound)),
        Some(g) if g.dismissed => return Ok(Err(GroupRefusal::Dismissed)),
        Some(g) => g,
    };
    if !has_member_row(tx, app, group_id, viewer).await? {
        return Ok(Err(GroupRefusal::NotMember));
    }
    Ok(Ok(member_list(tx, app, group_id, &g).await?))
}

pub(super) async fn members(tx: &Tx<'_>, app: i64, group_id: &str) -> StoreResult<Vec<String>> {
    query(
        tx,
        "SELECT user_id FROM group_members WHERE sdk_app_id = $1 AND group_id = $2
         ORDER BY join_time, user_id",
        &[&app, &group_id],
    )
    .await?
    .iter()
    .map(|r| Ok(r.try_get(0)?))
    .collect()
}

async fn member_count(tx: &Tx<'_>, app: i64, group_id: &str) -> StoreResult<u32> {
    let n: i64 = query_opt(
        tx,
        "SELECT COUNT(*) FROM group_members WHERE sdk_app_id = $1 AND group_id = $2",
        &[&app, &group_id],
    )
    .await?
    .map(|r| r.try_get(0))
    .transpose()?
    .unwrap_or(0);
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

pub(super) async fn wire(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    g: &GroupRow,
    viewer: &str,
) -> StoreResult<WireGroup> {
    let admin = admin_flag(tx, app, group_id, viewer).await?;
    let is_member = !g.dismissed && admin.is_some();
    Ok(WireGroup {
        group_id: group_id.to_owned(),
        name: g.name.clone(),
        kind: g.kind.as_str().to_owned(),
        owner_id: g.owner.clone(),
        member_count: member_count(tx, app, group_id).await?,
        create_time: g.create_time,
        is_member,
        dismissed: g.dismissed,
        profile: g.profile(viewer, admin.filter(|_| is_member)),
    })
}

/// The group of a `GROUP<id>` conversation as its owner sees it; `None` for other conversations.
pub(super) async fn of_conversation(
    tx: &Tx<'_>,
    app: i64,
    owner: &str,
    conversation_id: &str,
) -> StoreResult<Option<WireGroup>> {
    let Ok(ConversationId::Group(group_id)) = ConversationId::parse(conversation_id) else {
        return Ok(None);
    };
    match group_row(tx, app, &group_id, false).await? {
        Some(g) => Ok(Some(wire(tx, app, &group_id, &g, owner).await?)),
        None => Ok(None),
    }
}

pub(super) async fn profile(
    tx: &Tx<'_>,
    app: i64,
    group_id: &str,
    viewer: &str,
) -> StoreResult<Result<WireGroup, GroupRefusal>> {
    let Some(g) = group_row(tx, app, group_id, false).await? else {
        return Ok(Err(GroupRefusal::NotFound));
    };
    // A dismissed group is still shown to those who were members then.
    if g.dismissed && !has_member_row(tx, app, group_id, viewer).await? {
        return Ok(Err(GroupRefusal::Dismissed));
    }
    Ok(Ok(wire(tx, app, group_id, &g, viewer).await?))
}

pub(super) async fn groups_of(tx: &Tx<'_>, app: i64, user_id: &str) -> StoreResult<Vec<WireGroup>> {
    let ids: Vec<String> = query(
        tx,
        "SELECT m.group_id FROM group_members m
         JOIN chat_groups g ON g.sdk_app_id = m.sdk_app_id AND g.group_id = m.group_id
         WHERE m.sdk_app_id = $1 AND m.user_id = $2 AND NOT g.dismissed
         ORDER BY m.join_time, m.group_id",
        &[&app, &user_id],
    )
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, _>>()?;
    let mut groups = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(g) = group_row(tx, app, &id, false).await? {
            groups.push(wire(tx, app, &id, &g, user_id).await?);
        }
    }
    Ok(groups)
}
