//! Clearing a conversation's history for its owner while keeping it in the list.

use super::{events, last_seq, to_u64};
use crate::store::{ClearOutcome, ConvRef, StoreResult};
use rusqlite::{params, Connection};
use tim_proto::Push;

/// Raises the owner's watermark to the newest seq and marks everything read, in one row update
/// inside the caller's transaction; logs [`Push::HistoryCleared`] for the owner.
pub(super) fn clear(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    now: i64,
) -> StoreResult<ClearOutcome> {
    let newest = last_seq(conn, app, &conv.conv_key)?;
    let changed = conn
        .prepare_cached(
            "UPDATE conversations
             SET cleared_seq = MAX(cleared_seq, ?4), read_seq = ?4, unread = 0
             WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3 AND visible = 1",
        )?
        .execute(params![app, conv.owner, conv.conversation_id, newest])?;
    if changed == 0 {
        return Ok(ClearOutcome::NotFound);
    }
    let cleared_seq = to_u64(newest);
    let push = Push::HistoryCleared {
        conversation_id: conv.conversation_id.clone(),
        cleared_seq,
    };
    let event = events::append(conn, app, &conv.owner, push, now)?;
    Ok(ClearOutcome::Cleared {
        cleared_seq,
        event: Some(event),
    })
}
