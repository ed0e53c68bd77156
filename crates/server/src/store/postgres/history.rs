//! Clearing a conversation's history for its owner while keeping it in the list.

use super::{events, execute, lock_thread, to_u64, Tx};
use crate::store::{ClearOutcome, ConvRef, StoreResult};
use tim_proto::Push;

/// Raises the owner's watermark to the newest seq (the thread locked, so no message slips in
/// between) and marks everything read; logs [`Push::HistoryCleared`] for the owner.
pub(super) async fn clear(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    now: i64,
) -> StoreResult<ClearOutcome> {
    let newest = lock_thread(tx, app, &conv.conv_key).await?;
    let changed = execute(
        tx,
        "UPDATE conversations
         SET cleared_seq = GREATEST(cleared_seq, $4), read_seq = $4, unread = 0
         WHERE sdk_app_id = $1 AND owner = $2 AND conversation_id = $3 AND visible",
        &[&app, &conv.owner, &conv.conversation_id, &newest],
    )
    .await?;
    if changed == 0 {
        return Ok(ClearOutcome::NotFound);
    }
    let cleared_seq = to_u64(newest);
    let push = Push::HistoryCleared {
        conversation_id: conv.conversation_id.clone(),
        cleared_seq,
    };
    let event = events::append(tx, app, &conv.owner, push, now).await?;
    Ok(ClearOutcome::Cleared {
        cleared_seq,
        event: Some(event),
    })
}
