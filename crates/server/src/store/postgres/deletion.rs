//! Deleting conversations from their owners' lists (see `store/sqlite/deletion.rs` for the
//! rules, which are the same). One deletion is a fixed amount of work whatever the history
//! size: the thread's and the conversation's rows, one row update, and the log entry when the
//! app syncs deletions.
//!
//! The thread's row is locked first: a message from another node either committed before (the
//! deletion covers it) or waits and commits after (it brings the conversation back). Commit
//! order decides, as on SQLite.

use super::{events, execute, lock_thread, query_opt, to_u64, visible_row, Tx, VisibleRow};
use crate::store::{ConvRef, DeleteMode, DeleteOutcome, StoreResult, UserEvent};
use tim_proto::Push;

/// Whether the app tells a user's other sessions about a deletion. Read inside the deleting
/// transaction, never cached: a change from any node applies to the very next deletion.
pub(super) async fn sync_setting(tx: &Tx<'_>, app: i64) -> StoreResult<bool> {
    Ok(query_opt(
        tx,
        "SELECT sync_conversation_deletion FROM apps WHERE sdk_app_id = $1",
        &[&app],
    )
    .await?
    .map(|r| r.try_get(0))
    .transpose()?
    .unwrap_or(false))
}

/// Deletes `conv` for its owner inside the caller's transaction (`store/sqlite/deletion.rs`'s
/// `delete_one`, step for step).
pub(super) async fn delete_one(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    mode: DeleteMode,
    up_to: Option<u64>,
    sync: bool,
    now: i64,
) -> StoreResult<DeleteOutcome> {
    let newest = lock_thread(tx, app, &conv.conv_key).await?;
    let Some(row) = visible_row(tx, app, &conv.owner, &conv.conversation_id, true).await? else {
        return Ok(DeleteOutcome::NotFound);
    };
    let covered = up_to.map_or(newest, |seq| {
        i64::try_from(seq).unwrap_or(i64::MAX).min(newest)
    });
    let (watermark, through) = match mode {
        DeleteMode::ClearHistory => {
            let watermark = covered.max(row.cleared_seq);
            (watermark, watermark)
        }
        DeleteMode::KeepHistory => (row.cleared_seq, newest),
    };
    let seen_newest = row.left_seq.map_or(newest, |left| left.min(newest));
    if mode == DeleteMode::ClearHistory && watermark < seen_newest {
        return keep_newer(tx, app, conv, &row, (watermark, seen_newest), sync, now).await;
    }
    // A deletion unpins: a new message brings the conversation back unpinned.
    let unpinned = super::pins::unpin_deleted(tx, app, conv, now).await?;
    execute(
        tx,
        "UPDATE conversations
         SET visible = FALSE, cleared_seq = $4, read_seq = $5, unread = 0, pinned = FALSE
         WHERE sdk_app_id = $1 AND owner = $2 AND conversation_id = $3",
        &[
            &app,
            &conv.owner,
            &conv.conversation_id,
            &watermark,
            &newest,
        ],
    )
    .await?;
    let through_seq = to_u64(through);
    let event = log(tx, app, conv, through_seq, sync, now).await?;
    Ok(DeleteOutcome::Deleted {
        through_seq,
        event,
        unpinned,
    })
}

/// A deletion up to `watermark` while messages the owner can see lie above it: they stay, and
/// so does the conversation; unread keeps the unread ones above the new watermark.
async fn keep_newer(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    row: &VisibleRow,
    range: (i64, i64),
    sync: bool,
    now: i64,
) -> StoreResult<DeleteOutcome> {
    let (watermark, seen_newest) = range;
    if watermark <= row.cleared_seq {
        return Ok(DeleteOutcome::Deleted {
            through_seq: to_u64(row.cleared_seq),
            event: None,
            unpinned: None,
        });
    }
    // Messages not from the owner above the watermark, counting no further than the unread.
    let unread: i64 = query_opt(
        tx,
        "SELECT COUNT(*) FROM (
             SELECT 1 FROM messages
             WHERE sdk_app_id = $1 AND conv_key = $2 AND seq > $3 AND seq <= $4
               AND from_user <> $5
             LIMIT $6) AS unread",
        &[
            &app,
            &conv.conv_key,
            &watermark,
            &seen_newest,
            &conv.owner,
            &row.unread.max(0),
        ],
    )
    .await?
    .map(|r| r.try_get(0))
    .transpose()?
    .unwrap_or(0);
    execute(
        tx,
        "UPDATE conversations
         SET cleared_seq = $4, read_seq = GREATEST(read_seq, $4), unread = $5
         WHERE sdk_app_id = $1 AND owner = $2 AND conversation_id = $3",
        &[
            &app,
            &conv.owner,
            &conv.conversation_id,
            &watermark,
            &unread,
        ],
    )
    .await?;
    let through_seq = to_u64(watermark);
    let event = log(tx, app, conv, through_seq, sync, now).await?;
    // Still listed (with its newer messages): the pin stays.
    Ok(DeleteOutcome::Deleted {
        through_seq,
        event,
        unpinned: None,
    })
}

/// With `sync`, logs the deletion for the owner with the watermark clients apply.
async fn log(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    cleared_seq: u64,
    sync: bool,
    now: i64,
) -> StoreResult<Option<UserEvent>> {
    if !sync {
        return Ok(None);
    }
    let push = Push::ConversationDeleted {
        conversation_id: conv.conversation_id.clone(),
        cleared_seq,
    };
    Ok(Some(events::append(tx, app, &conv.owner, push, now).await?))
}
