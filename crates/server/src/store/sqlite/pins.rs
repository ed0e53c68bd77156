//! Pinning a conversation for its owner.

use super::events;
use crate::store::{ConvRef, PinOutcome, StoreResult, UserEvent};
use rusqlite::{params, Connection, OptionalExtension};
use tim_proto::limits::MAX_PINNED_CONVERSATIONS;
use tim_proto::Push;

/// Sets the pinned flag of the owner's visible conversation inside the caller's transaction and
/// logs [`Push::pin_change`] when it changed.
pub(super) fn pin(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    pinned: bool,
    now: i64,
) -> StoreResult<PinOutcome> {
    let was: Option<bool> = conn
        .prepare_cached(
            "SELECT pinned FROM conversations
             WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3 AND visible = 1",
        )?
        .query_row(params![app, conv.owner, conv.conversation_id], |r| {
            r.get::<_, i64>(0).map(|p| p != 0)
        })
        .optional()?;
    let Some(was) = was else {
        return Ok(PinOutcome::NotFound);
    };
    if was == pinned {
        return Ok(PinOutcome::Done { event: None });
    }
    if pinned {
        // Deleted rows are never pinned, so every pinned row is a listed conversation.
        let count: i64 = conn
            .prepare_cached(
                "SELECT COUNT(*) FROM conversations
                 WHERE sdk_app_id = ?1 AND owner = ?2 AND pinned = 1",
            )?
            .query_row(params![app, conv.owner], |r| r.get(0))?;
        if usize::try_from(count).unwrap_or(usize::MAX) >= MAX_PINNED_CONVERSATIONS {
            return Ok(PinOutcome::TooMany);
        }
    }
    conn.prepare_cached(
        "UPDATE conversations SET pinned = ?4
         WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3",
    )?
    .execute(params![
        app,
        conv.owner,
        conv.conversation_id,
        i64::from(pinned)
    ])?;
    let push = Push::pin_change(conv.conversation_id.clone(), pinned);
    let event = events::append(conn, app, &conv.owner, push, now)?;
    Ok(PinOutcome::Done { event: Some(event) })
}

/// Before a deletion that takes the conversation out of the list: logs its unpinning if it was
/// pinned (the deletion's UPDATE clears the flag).
pub(super) fn unpin_deleted(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    now: i64,
) -> StoreResult<Option<UserEvent>> {
    let pinned: i64 = conn
        .prepare_cached(
            "SELECT pinned FROM conversations
             WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3",
        )?
        .query_row(params![app, conv.owner, conv.conversation_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    if pinned == 0 {
        return Ok(None);
    }
    let push = Push::pin_change(conv.conversation_id.clone(), false);
    Ok(Some(events::append(conn, app, &conv.owner, push, now)?))
}
