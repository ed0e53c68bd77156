//! Pinning a conversation for its owner.

use super::{events, execute, query_opt, Tx};
use crate::store::{ConvRef, PinOutcome, StoreResult, UserEvent};
use tim_proto::limits::MAX_PINNED_CONVERSATIONS;
use tim_proto::Push;

/// Sets the pinned flag of the owner's visible conversation (its row locked) and logs
/// [`Push::pin_change`] when it changed.
pub(super) async fn pin(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    pinned: bool,
    now: i64,
) -> StoreResult<PinOutcome> {
    let row = query_opt(
        tx,
        "SELECT pinned FROM conversations
         WHERE sdk_app_id = $1 AND owner = $2 AND conversation_id = $3 AND visible FOR UPDATE",
        &[&app, &conv.owner, &conv.conversation_id],
    )
    .await?;
    let Some(r) = row else {
        return Ok(PinOutcome::NotFound);
    };
    let was: bool = r.try_get(0)?;
    if was == pinned {
        return Ok(PinOutcome::Done { event: None });
    }
    if pinned {
        // The user's row locked first: two concurrent pins of one user cannot both pass the
        // count. Deleted rows are never pinned, so every pinned row is a listed conversation.
        query_opt(
            tx,
            "SELECT 1 FROM users WHERE sdk_app_id = $1 AND user_id = $2 FOR UPDATE",
            &[&app, &conv.owner],
        )
        .await?;
        let count: i64 = match query_opt(
            tx,
            "SELECT COUNT(*) FROM conversations
             WHERE sdk_app_id = $1 AND owner = $2 AND pinned",
            &[&app, &conv.owner],
        )
        .await?
        {
            Some(r) => r.try_get(0)?,
            None => 0,
        };
        if usize::try_from(count).unwrap_or(usize::MAX) >= MAX_PINNED_CONVERSATIONS {
            return Ok(PinOutcome::TooMany);
        }
    }
    execute(
        tx,
        "UPDATE conversations SET pinned = $4
         WHERE sdk_app_id = $1 AND owner = $2 AND conversation_id = $3",
        &[&app, &conv.owner, &conv.conversation_id, &pinned],
    )
    .await?;
    let push = Push::pin_change(conv.conversation_id.clone(), pinned);
    let event = events::append(tx, app, &conv.owner, push, now).await?;
    Ok(PinOutcome::Done { event: Some(event) })
}

/// Before a deletion that takes the conversation out of the list (its row locked by the
/// caller): logs its unpinning if it was pinned (the deletion's UPDATE clears the flag).
pub(super) async fn unpin_deleted(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    now: i64,
) -> StoreResult<Option<UserEvent>> {
    let row = query_opt(
        tx,
        "SELECT pinned FROM conversations
         WHERE sdk_app_id = $1 AND owner = $2 AND conversation_id = $3",
        &[&app, &conv.owner, &conv.conversation_id],
    )
    .await?;
    let pinned: bool = match row {
        Some(r) => r.try_get(0)?,
        None => false,
    };
    if !pinned {
        return Ok(None);
    }
    let push = Push::pin_change(conv.conversation_id.clone(), false);
    Ok(Some(events::append(tx, app, &conv.owner, push, now).await?))
}
