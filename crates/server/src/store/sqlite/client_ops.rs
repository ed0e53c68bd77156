//! Applying an opId-tagged request once: the lookup, the change and the record of its answer
//! all happen inside the caller's (IMMEDIATE) transaction, so two requests with the same opId,
//! however close together, are serialised and only the first one changes anything.

use crate::store::{Once, OpAnswer, OpRecord, StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};

/// Runs `apply` unless `op` was recorded before; with `op`, records the answer its outcome gets.
/// Call inside a write transaction that also holds `apply`'s changes.
pub(super) fn once<O>(
    conn: &Connection,
    app: i64,
    user_id: &str,
    op: Option<&OpRecord<'_, O>>,
    now: i64,
    apply: impl FnOnce() -> StoreResult<O>,
) -> StoreResult<Once<O>> {
    let Some(op) = op else {
        return Ok(Once::Applied(apply()?));
    };
    if let Some((request, reply_json)) = lookup(conn, app, user_id, op.op_id)? {
        if request != op.request {
            return Ok(Once::Conflict);
        }
        let answer: OpAnswer = serde_json::from_str(&reply_json)
            .map_err(|e| StoreError::Corrupt(format!("recorded answer of {}: {e}", op.op_id)))?;
        return Ok(Once::Repeated(answer));
    }
    let outcome = apply()?;
    let reply_json = serde_json::to_string(&(op.answer)(&outcome))
        .map_err(|e| StoreError::Corrupt(format!("encoding an answer: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO client_ops (sdk_app_id, user_id, op_id, request, reply_json, time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![app, user_id, op.op_id, op.request, reply_json, now])?;
    Ok(Once::Applied(outcome))
}

/// `(request, reply_json)` recorded for the opId: one primary-key lookup.
fn lookup(
    conn: &Connection,
    app: i64,
    user_id: &str,
    op_id: &str,
) -> StoreResult<Option<(String, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT request, reply_json FROM client_ops
             WHERE sdk_app_id = ?1 AND user_id = ?2 AND op_id = ?3",
        )?
        .query_row(params![app, user_id, op_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Forgets up to `max_rows` opIds recorded before `recorded_before`.
pub(super) fn trim(conn: &Connection, recorded_before: i64, max_rows: u32) -> StoreResult<u64> {
    let deleted = conn
        .prepare_cached(
            "DELETE FROM client_ops WHERE (sdk_app_id, user_id, op_id) IN (
                 SELECT sdk_app_id, user_id, op_id FROM client_ops WHERE time < ?1 LIMIT ?2)",
        )?
        .execute(params![recorded_before, max_rows])?;
    Ok(deleted as u64)
}
