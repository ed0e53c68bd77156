//! Marking a conversation read for its owner.

use super::{events, execute, lock_thread, query, query_opt, to_u64, Tx};
use crate::store::{ConvRef, ReadOutcome, StoreResult, UserEvent};
use tim_proto::frame::ReadScope;
use tim_proto::{ConversationId, Push};

/// Sets unread to 0 and the read mark to the newest seq (the thread locked first), and logs
/// [`Push::ConversationRead`] for the owner; a read that changes nothing logs nothing.
pub(super) async fn mark_read(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    now: i64,
) -> StoreResult<ReadOutcome> {
    let newest = lock_thread(tx, app, &conv.conv_key).await?;
    let row = query_opt(
        tx,
        "SELECT unread, read_seq FROM conversations
         WHERE sdk_app_id = $1 AND owner = $2 AND conversation_id = $3 AND visible FOR UPDATE",
        &[&app, &conv.owner, &conv.conversation_id],
    )
    .await?;
    let Some(r) = row else {
        return Ok(ReadOutcome::NotFound);
    };
    let (unread, read_seq): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
    if unread == 0 && read_seq >= newest {
        return Ok(ReadOutcome::Read { event: None });
    }
    execute(
        tx,
        "UPDATE conversations SET read_seq = $4, unread = 0
         WHERE sdk_app_id = $1 AND owner = $2 AND conversation_id = $3",
        &[&app, &conv.owner, &conv.conversation_id, &newest],
    )
    .await?;
    let push = Push::ConversationRead {
        conversation_id: conv.conversation_id.clone(),
        read_seq: to_u64(newest),
    };
    let event = events::append(tx, app, &conv.owner, push, now).await?;
    Ok(ReadOutcome::Read { event: Some(event) })
}

/// [`mark_read`] for each of the owner's listed conversations in `scope` with unread messages,
/// in conversation ID order (so concurrent ones lock threads in the same order).
pub(super) async fn mark_all_read(
    tx: &Tx<'_>,
    app: i64,
    owner: &str,
    scope: ReadScope,
    now: i64,
) -> StoreResult<Vec<UserEvent>> {
    let rows = query(
        tx,
        "SELECT conversation_id FROM conversations
         WHERE sdk_app_id = $1 AND owner = $2 AND visible AND unread > 0
         ORDER BY conversation_id",
        &[&app, &owner],
    )
    .await?;
    let mut events = Vec::new();
    for row in rows {
        let id: String = row.try_get(0)?;
        if !scope.covers(&id) {
            continue;
        }
        // A stored ID always parses; one that does not is not a conversation to read.
        let Ok(parsed) = ConversationId::parse(&id) else {
            continue;
        };
        let mut outcome = mark_read(tx, app, &ConvRef::of(owner, &parsed), now).await?;
        events.extend(outcome.take_events());
    }
    Ok(events)
}
