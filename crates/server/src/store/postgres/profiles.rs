//! Profiles and blacklists in PostgreSQL: SQLite's tables and rules (`store/sqlite/profiles.rs`).

use super::{events, execute, query, query_opt, Tx};
use crate::store::profiles::{BlacklistOutcome, ProfileUpdate};
use crate::store::{StoreError, StoreResult};
use tim_proto::limits::MAX_BLACKLIST;
use tim_proto::profile::{to_text, ProfilePatch, WireProfile};
use tim_proto::Push;

/// The user's nick and avatar now (empty when never set).
pub(super) async fn brief(tx: &Tx<'_>, app: i64, user_id: &str) -> StoreResult<(String, String)> {
    let row = query_opt(
        tx,
        "SELECT nick, avatar FROM profiles WHERE sdk_app_id = $1 AND user_id = $2",
        &[&app, &user_id],
    )
    .await?;
    match row {
        Some(r) => Ok((r.try_get(0)?, r.try_get(1)?)),
        None => Ok(Default::default()),
    }
}

/// The profile of a known user (the empty one if never set); `None` for an unknown user.
/// `lock`: the user row is locked for the rest of the transaction (an update).
pub(super) async fn profile(
    tx: &Tx<'_>,
    app: i64,
    user_id: &str,
    lock: bool,
) -> StoreResult<Option<WireProfile>> {
    let sql = if lock {
        "SELECT (SELECT profile_json FROM profiles p
                 WHERE p.sdk_app_id = u.sdk_app_id AND p.user_id = u.user_id)
         FROM users u WHERE u.sdk_app_id = $1 AND u.user_id = $2 FOR UPDATE"
    } else {
        "SELECT (SELECT profile_json FROM profiles p
                 WHERE p.sdk_app_id = u.sdk_app_id AND p.user_id = u.user_id)
         FROM users u WHERE u.sdk_app_id = $1 AND u.user_id = $2"
    };
    let Some(row) = query_opt(tx, sql, &[&app, &user_id]).await? else {
        return Ok(None);
    };
    match row.try_get::<_, Option<String>>(0)? {
        None => Ok(Some(WireProfile::empty(user_id))),
        Some(json) => serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("profile of {user_id}: {e}"))),
    }
}

/// The profiles of the known users among `user_ids`, in the order named, each once; one query.
pub(super) async fn profiles(
    tx: &Tx<'_>,
    app: i64,
    user_ids: &[String],
) -> StoreResult<Vec<WireProfile>> {
    let rows = query(
        tx,
        "SELECT u.user_id, p.profile_json FROM users u
         LEFT JOIN profiles p ON p.sdk_app_id = u.sdk_app_id AND p.user_id = u.user_id
         WHERE u.sdk_app_id = $1 AND u.user_id = ANY($2)",
        &[&app, &user_ids],
    )
    .await?;
    let mut found = std::collections::HashMap::with_capacity(rows.len());
    for r in rows {
        let id: String = r.try_get(0)?;
        let profile = match r.try_get::<_, Option<String>>(1)? {
            None => WireProfile::empty(&id),
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("profile of {id}: {e}")))?,
        };
        found.insert(id, profile);
    }
    // In the order named, each once (a repeat finds its profile taken).
    Ok(user_ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// Sets `patch` over the user's profile and logs the result for them.
pub(super) async fn update(
    tx: &Tx<'_>,
    app: i64,
    user_id: &str,
    patch: &ProfilePatch,
    now: i64,
) -> StoreResult<ProfileUpdate> {
    let Some(old) = profile(tx, app, user_id, true).await? else {
        return Ok(None);
    };
    let new = old.patched(patch, now);
    let json = serde_json::to_string(&new)
        .map_err(|e| StoreError::Corrupt(format!("encoding a profile: {e}")))?;
    execute(
        tx,
        "INSERT INTO profiles (sdk_app_id, user_id, nick, avatar, profile_json)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (sdk_app_id, user_id) DO UPDATE SET
             nick = excluded.nick, avatar = excluded.avatar, profile_json = excluded.profile_json",
        &[&app, &user_id, &new.nick, &new.avatar, &json],
    )
    .await?;
    let push = Push::ProfileUpdated(to_text(&new));
    let event = events::append(tx, app, user_id, push, now).await?;
    Ok(Some((new, event)))
}

/// The users `owner` blacklisted, in the order added.
pub(super) async fn list(tx: &Tx<'_>, app: i64, owner: &str) -> StoreResult<Vec<String>> {
    query(
        tx,
        "SELECT blocked FROM blacklist WHERE sdk_app_id = $1 AND owner = $2 ORDER BY id",
        &[&app, &owner],
    )
    .await?
    .iter()
    .map(|r| Ok(r.try_get(0)?))
    .collect()
}

/// [`list`] with when each user was added.
pub(super) async fn entries(tx: &Tx<'_>, app: i64, owner: &str) -> StoreResult<Vec<(String, i64)>> {
    query(
        tx,
        "SELECT blocked, added_at FROM blacklist WHERE sdk_app_id = $1 AND owner = $2 ORDER BY id",
        &[&app, &owner],
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect()
}

/// Adds (or removes) `user_ids` to (from) `owner`'s blacklist, the owner's user row locked
/// first so concurrent changes of one list queue up; logs the new list for the owner when
/// something changed. `Full` leaves the caller to roll back.
pub(super) async fn change(
    tx: &Tx<'_>,
    app: i64,
    owner: &str,
    user_ids: &[String],
    add: bool,
    now: i64,
) -> StoreResult<BlacklistOutcome> {
    query_opt(
        tx,
        "SELECT 1 FROM users WHERE sdk_app_id = $1 AND user_id = $2 FOR UPDATE",
        &[&app, &owner],
    )
    .await?;
    let mut changed = Vec::new();
    for id in user_ids {
        let n = if add {
            execute(
                tx,
                "INSERT INTO blacklist (sdk_app_id, owner, blocked, added_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&app, &owner, id, &now],
            )
            .await?
        } else {
            execute(
                tx,
                "DELETE FROM blacklist WHERE sdk_app_id = $1 AND owner = $2 AND blocked = $3",
                &[&app, &owner, id],
            )
            .await?
        };
        if n > 0 {
            changed.push(id.clone());
        }
    }
    let list = list(tx, app, owner).await?;
    if list.len() > MAX_BLACKLIST {
        return Ok(BlacklistOutcome::Full);
    }
    let event = if changed.is_empty() {
        None
    } else {
        let push = Push::BlacklistUpdated(list.clone());
        Some(events::append(tx, app, owner, push, now).await?)
    };
    Ok(BlacklistOutcome::Changed {
        changed,
        list,
        event,
    })
}
