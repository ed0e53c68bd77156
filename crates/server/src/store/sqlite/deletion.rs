//! Deleting conversations from their owners' lists, alone or as a batch in one transaction.
//!
//! One deletion is a fixed amount of work whatever the history size: two lookups by primary key
//! and one row update (plus the log entry when the app syncs deletions). The list entry, its
//! unread count, its read mark and its watermark change in that one UPDATE, so they never
//! disagree.

use super::{events, last_seq, to_u64, visible_row};
use crate::store::{ConvRef, DeleteMode, DeleteOutcome, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};
use tim_proto::Push;

/// Whether the app tells a user's other sessions about a deletion. Read inside the deleting
/// transaction, never cached: a change by the CLI, REST or console applies to the very next one.
pub(super) fn sync_setting(conn: &Connection, app: i64) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT sync_conversation_deletion FROM apps WHERE sdk_app_id = ?1")?
        .query_row([app], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

/// Deletes `conv` for its owner inside the caller's transaction. With `sync`, logs
/// [`Push::ConversationDeleted`] carrying the newest seq (the new watermark with
/// [`DeleteMode::ClearHistory`]; with [`DeleteMode::KeepHistory`] the point up to which clients
/// drop the entry and their cache, while the server keeps the history).
pub(super) fn delete_one(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    mode: DeleteMode,
    sync: bool,
    now: i64,
) -> StoreResult<DeleteOutcome> {
    let Some(row) = visible_row(conn, app, &conv.owner, &conv.conversation_id)? else {
        return Ok(DeleteOutcome::NotFound);
    };
    let newest = last_seq(conn, app, &conv.conv_key)?;
    let watermark = match mode {
        DeleteMode::ClearHistory => newest.max(row.cleared_seq),
        DeleteMode::KeepHistory => row.cleared_seq,
    };
    conn.prepare_cached(
        "UPDATE conversations
         SET visible = 0, cleared_seq = ?4, read_seq = ?5, unread = 0
         WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3",
    )?
    .execute(params![
        app,
        conv.owner,
        conv.conversation_id,
        watermark,
        newest
    ])?;
    let through_seq = to_u64(newest);
    let event = if sync {
        let push = Push::ConversationDeleted {
            conversation_id: conv.conversation_id.clone(),
            cleared_seq: through_seq,
        };
        Some(events::append(conn, app, &conv.owner, push, now)?)
    } else {
        None
    };
    Ok(DeleteOutcome::Deleted { through_seq, event })
}
