//! setMessageRemindType's settings: only non-default ones are stored, one row per owner and
//! conversation, apart from the list row (a deletion keeps them).

use super::events;
use crate::store::{StoreResult, UserEvent};
use rusqlite::{params, Connection};
use tim_proto::{remind, Push};

/// Sets `remind_type` for each of `ids` inside the caller's transaction; logs one
/// [`Push::remind_change`] of the IDs whose setting changed, if any did.
pub(super) fn set(
    conn: &Connection,
    app: i64,
    owner: &str,
    ids: &[String],
    remind_type: &str,
    now: i64,
) -> StoreResult<Option<UserEvent>> {
    let mut changed = Vec::new();
    for id in ids {
        let n = if remind_type == remind::ACCEPT_AND_NOTIFY {
            conn.prepare_cached(
                "DELETE FROM remind_types
                 WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3",
            )?
            .execute(params![app, owner, id])?
        } else {
            conn.prepare_cached(
                "INSERT INTO remind_types (sdk_app_id, owner, conversation_id, remind_type)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE
                 SET remind_type = excluded.remind_type
                 WHERE remind_types.remind_type <> excluded.remind_type",
            )?
            .execute(params![app, owner, id, remind_type])?
        };
        if n > 0 {
            changed.push(id.clone());
        }
    }
    if changed.is_empty() {
        return Ok(None);
    }
    let push = Push::remind_change(remind_type, &changed);
    Ok(Some(events::append(conn, app, owner, push, now)?))
}

/// The owner's stored settings: `(conversationID, setting)`.
pub(super) fn all(conn: &Connection, app: i64, owner: &str) -> StoreResult<Vec<(String, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT conversation_id, remind_type FROM remind_types
             WHERE sdk_app_id = ?1 AND owner = ?2",
        )?
        .query_map(params![app, owner], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?)
}
