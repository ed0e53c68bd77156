//! Marking a conversation read for its owner.

use super::{events, last_seq, to_u64};
use crate::store::{ConvRef, ReadOutcome, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};
use tim_proto::Push;

/// Sets unread to 0 and the read mark to the newest seq inside the caller's transaction, and
/// logs [`Push::ConversationRead`] for the owner, so every session's unread count agrees. A read
/// that changes nothing (nothing unread, read mark already at the newest) logs nothing.
pub(super) fn mark_read(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    now: i64,
) -> StoreResult<ReadOutcome> {
    let row = conn
        .prepare_cached(
            "SELECT unread, read_seq FROM conversations
             WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3 AND visible = 1",
        )?
        .query_row(params![app, conv.owner, conv.conversation_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })
        .optional()?;
    let Some((unread, read_seq)) = row else {
        return Ok(ReadOutcome::NotFound);
    };
    let newest = last_seq(conn, app, &conv.conv_key)?;
    if unread == 0 && read_seq >= newest {
        return Ok(ReadOutcome::Read { event: None });
    }
    conn.prepare_cached(
        "UPDATE conversations SET read_seq = ?4, unread = 0
         WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3",
    )?
    .execute(params![app, conv.owner, conv.conversation_id, newest])?;
    let push = Push::ConversationRead {
        conversation_id: conv.conversation_id.clone(),
        read_seq: to_u64(newest),
    };
    let event = events::append(conn, app, &conv.owner, push, now)?;
    Ok(ReadOutcome::Read { event: Some(event) })
}
