//! Profiles and blacklists in SQLite. A profile is one JSON row written when the user first sets
//! a field (nick and avatar also in columns, read at every send); a user without one has the
//! empty profile.

use super::events;
use crate::store::profiles::{BlacklistOutcome, ProfileUpdate};
use crate::store::{StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};
use tim_proto::limits::MAX_BLACKLIST;
use tim_proto::profile::{to_text, ProfilePatch, WireProfile};
use tim_proto::Push;

/// The user's nick and avatar now (empty when never set).
pub(super) fn brief(conn: &Connection, app: i64, user_id: &str) -> StoreResult<(String, String)> {
    Ok(conn
        .prepare_cached("SELECT nick, avatar FROM profiles WHERE sdk_app_id = ?1 AND user_id = ?2")?
        .query_row(params![app, user_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or_default())
}

/// Whether `owner` blacklisted `sender`.
pub(super) fn blocks(conn: &Connection, app: i64, owner: &str, sender: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM blacklist WHERE sdk_app_id = ?1 AND owner = ?2 AND blocked = ?3",
        )?
        .query_row(params![app, owner, sender], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The profile of a known user (the empty one if never set); `None` for an unknown user.
pub(super) fn profile(
    conn: &Connection,
    app: i64,
    user_id: &str,
) -> StoreResult<Option<WireProfile>> {
    let row = conn
        .prepare_cached(
            "SELECT p.profile_json FROM users u
             LEFT JOIN profiles p ON p.sdk_app_id = u.sdk_app_id AND p.user_id = u.user_id
             WHERE u.sdk_app_id = ?1 AND u.user_id = ?2",
        )?
        .query_row(params![app, user_id], |r| r.get::<_, Option<String>>(0))
        .optional()?;
    match row {
        None => Ok(None),
        Some(None) => Ok(Some(WireProfile::empty(user_id))),
        Some(Some(json)) => decode(user_id, &json).map(Some),
    }
}

fn decode(user_id: &str, json: &str) -> StoreResult<WireProfile> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("profile of {user_id}: {e}")))
}

/// Sets `patch` over the user's profile and logs the result for them.
pub(super) fn update(
    conn: &Connection,
    app: i64,
    user_id: &str,
    patch: &ProfilePatch,
    now: i64,
) -> StoreResult<ProfileUpdate> {
    let Some(old) = profile(conn, app, user_id)? else {
        return Ok(None);
    };
    let new = old.patched(patch, now);
    let json = serde_json::to_string(&new)
        .map_err(|e| StoreError::Corrupt(format!("encoding a profile: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO profiles (sdk_app_id, user_id, nick, avatar, profile_json)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (sdk_app_id, user_id) DO UPDATE SET
             nick = excluded.nick, avatar = excluded.avatar, profile_json = excluded.profile_json",
    )?
    .execute(params![app, user_id, new.nick, new.avatar, json])?;
    let push = Push::ProfileUpdated(to_text(&new));
    let event = events::append(conn, app, user_id, push, now)?;
    Ok(Some((new, event)))
}

/// The users `owner` blacklisted, in the order added.
pub(super) fn list(conn: &Connection, app: i64, owner: &str) -> StoreResult<Vec<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT blocked FROM blacklist WHERE sdk_app_id = ?1 AND owner = ?2 ORDER BY rowid",
        )?
        .query_map(params![app, owner], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?)
}

/// [`list`] with when each user was added.
pub(super) fn entries(conn: &Connection, app: i64, owner: &str) -> StoreResult<Vec<(String, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT blocked, added_at FROM blacklist WHERE sdk_app_id = ?1 AND owner = ?2
             ORDER BY rowid",
        )?
        .query_map(params![app, owner], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?)
}

/// Adds (or removes) `user_ids` to (from) `owner`'s blacklist; logs the new list for the owner
/// when something changed. The owner's user row must exist (they are logged in).
pub(super) fn change(
    conn: &Connection,
    app: i64,
    owner: &str,
    user_ids: &[String],
    add: bool,
    now: i64,
) -> StoreResult<BlacklistOutcome> {
    let mut changed = Vec::new();
    for id in user_ids {
        let n = if add {
            conn.prepare_cached(
                "INSERT INTO blacklist (sdk_app_id, owner, blocked, added_at)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )?
            .execute(params![app, owner, id, now])?
        } else {
            conn.prepare_cached(
                "DELETE FROM blacklist WHERE sdk_app_id = ?1 AND owner = ?2 AND blocked = ?3",
            )?
            .execute(params![app, owner, id])?
        };
        if n > 0 {
            changed.push(id.clone());
        }
    }
    let list = list(conn, app, owner)?;
    if list.len() > MAX_BLACKLIST {
        // The caller's transaction is rolled back: nothing was added.
        return Ok(BlacklistOutcome::Full);
    }
    let event = if changed.is_empty() {
        None
    } else {
        let push = Push::BlacklistUpdated(list.clone());
        Some(events::append(conn, app, owner, push, now)?)
    };
    Ok(BlacklistOutcome::Changed {
        changed,
        list,
        event,
    })
}
