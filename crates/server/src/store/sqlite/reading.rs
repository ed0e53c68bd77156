//! Marking a conversation read for its owner.

use super::{events, last_seq, to_u64};
use crate::store::{ConvRef, ReadOutcome, StoreResult, UserEvent};
use rusqlite::{params, Connection, OptionalExtension};
use tim_proto::frame::ReadScope;
use tim_proto::{ConversationId, Push};

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

/// [`mark_read`] for each of the owner's listed conversations in `scope` with unread messages,
/// in conversation ID order, inside the caller's transaction.
pub(super) fn mark_all_read(
    conn: &Connection,
    app: i64,
    owner: &str,
    scope: ReadScope,
    now: i64,
) -> StoreResult<Vec<UserEvent>> {
    let ids = conn
        .prepare_cached(
            "SELECT conversation_id FROM conversations
             WHERE sdk_app_id = ?1 AND owner = ?2 AND visible = 1 AND unread > 0
             ORDER BY conversation_id",
        )?
        .query_map(params![app, owner], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut events = Vec::new();
    for id in ids.iter().filter(|id| scope.covers(id)) {
        // A stored ID always parses; one that does not is not a conversation to read.
        let Ok(parsed) = ConversationId::parse(id) else {
            continue;
        };
        let mut outcome = mark_read(conn, app, &ConvRef::of(owner, &parsed), now)?;
        events.extend(outcome.take_events());
    }
    Ok(events)
}
