//! Deleting conversations from their owners' lists, alone or as a batch in one transaction.
//!
//! One deletion is a fixed amount of work whatever the history size: two lookups by primary key
//! and one row update (plus the log entry when the app syncs deletions). The list entry, its
//! unread count, its read mark and its watermark change in that one UPDATE, so they never
//! disagree.
//!
//! A deletion that covers only part of the conversation (`up_to`: what a client had seen when it
//! deleted offline) raises the watermark to that point and leaves the newer messages: they keep
//! the conversation in the list, as a new message brings a deleted one back.

use super::{events, last_seq, to_u64, visible_row, VisibleRow};
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
/// [`Push::ConversationDeleted`] carrying `through_seq`: the new watermark with
/// [`DeleteMode::ClearHistory`]; with [`DeleteMode::KeepHistory`] the newest seq, the point up to
/// which clients drop the entry and their cache, while the server keeps the history.
///
/// `up_to` (only with [`DeleteMode::ClearHistory`]) limits the deletion to messages at or below
/// it, clamped to the newest: the watermark becomes the higher of the current one and that
/// point. When messages the owner can see remain above it, see [`keep_newer`].
pub(super) fn delete_one(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    mode: DeleteMode,
    up_to: Option<u64>,
    sync: bool,
    now: i64,
) -> StoreResult<DeleteOutcome> {
    let Some(row) = visible_row(conn, app, &conv.owner, &conv.conversation_id)? else {
        return Ok(DeleteOutcome::NotFound);
    };
    let newest = last_seq(conn, app, &conv.conv_key)?;
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
    // The newest message the owner can see: a group they left shows nothing after leaving.
    let seen_newest = row.left_seq.map_or(newest, |left| left.min(newest));
    if mode == DeleteMode::ClearHistory && watermark < seen_newest {
        return keep_newer(conn, app, conv, &row, (watermark, seen_newest), sync, now);
    }
    // A deletion unpins: a new message brings the conversation back unpinned.
    let unpinned = super::pins::unpin_deleted(conn, app, conv, now)?;
    conn.prepare_cached(
        "UPDATE conversations
         SET visible = 0, cleared_seq = ?4, read_seq = ?5, unread = 0, pinned = 0
         WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3",
    )?
    .execute(params![
        app,
        conv.owner,
        conv.conversation_id,
        watermark,
        newest
    ])?;
    let through_seq = to_u64(through);
    let event = log(conn, app, conv, through_seq, sync, now)?;
    Ok(DeleteOutcome::Deleted {
        through_seq,
        event,
        unpinned,
    })
}

/// A deletion up to `watermark` while messages the owner can see (up to `seen_newest`) lie
/// above it (`range` = `(watermark, seen_newest)`): they stay, so the conversation stays in the list with them (its last message the
/// newest). Unread: of the messages that were unread (always the newest ones not from the
/// owner), those above the new watermark. A watermark that does not move changes nothing and
/// logs nothing.
fn keep_newer(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    row: &VisibleRow,
    range: (i64, i64),
    sync: bool,
    now: i64,
) -> StoreResult<DeleteOutcome> {
    let (watermark, _) = range;
    if watermark <= row.cleared_seq {
        return Ok(DeleteOutcome::Deleted {
            through_seq: to_u64(row.cleared_seq),
            event: None,
            unpinned: None,
        });
    }
    let unread = others_messages_in(conn, app, conv, range, row.unread)?;
    conn.prepare_cached(
        "UPDATE conversations
         SET cleared_seq = ?4, read_seq = MAX(read_seq, ?4), unread = ?5
         WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3",
    )?
    .execute(params![
        app,
        conv.owner,
        conv.conversation_id,
        watermark,
        unread
    ])?;
    let through_seq = to_u64(watermark);
    let event = log(conn, app, conv, through_seq, sync, now)?;
    // Still listed (with its newer messages): the pin stays.
    Ok(DeleteOutcome::Deleted {
        through_seq,
        event,
        unpinned: None,
    })
}

/// How many messages not sent by the owner have a seq in `(above, up_to]`, counting no further
/// than `at_most`: a range scan of the primary key, stopped after `at_most` matches.
fn others_messages_in(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    (above, up_to): (i64, i64),
    at_most: i64,
) -> StoreResult<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM (
                 SELECT 1 FROM messages
                 WHERE sdk_app_id = ?1 AND conv_key = ?2 AND seq > ?3 AND seq <= ?4
                   AND from_user <> ?5
                 LIMIT ?6)",
        )?
        .query_row(
            params![app, conv.conv_key, above, up_to, conv.owner, at_most.max(0)],
            |r| r.get(0),
        )?)
}

/// With `sync`, logs the deletion for the owner with the watermark clients apply.
fn log(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    cleared_seq: u64,
    sync: bool,
    now: i64,
) -> StoreResult<Option<crate::store::UserEvent>> {
    if !sync {
        return Ok(None);
    }
    let push = Push::ConversationDeleted {
        conversation_id: conv.conversation_id.clone(),
        cleared_seq,
    };
    Ok(Some(events::append(conn, app, &conv.owner, push, now)?))
}
