//! Appending to a conversation's thread: the next message seq and the message row. C2C sends,
//! group sends and system notices all append the same way; only whose rows they touch differs.

use super::{bump, message_by_id, to_u64};
use crate::store::model::{ConvRef, SendOutcome, StoredMessage};
use crate::store::{StoreError, StoreResult};
use rusqlite::{params, Connection};
use tim_proto::model::WireBody;

/// A send whose message ID is already in the thread: the stored message again when the same
/// sender retries it, [`SendOutcome::IdTaken`] when it is someone else's. `None`: a new ID.
pub(super) fn repeated_send(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    msg_id: &str,
) -> StoreResult<Option<SendOutcome>> {
    Ok(
        message_by_id(conn, app, &conv.conv_key, msg_id)?.map(|existing| {
            if existing.from == conv.owner {
                SendOutcome::Duplicate(existing)
            } else {
                SendOutcome::IdTaken
            }
        }),
    )
}

/// The next seq of the thread `conv_key` (from 1; never reused, even after a purge).
fn next_seq(conn: &Connection, app: i64, conv_key: &str) -> rusqlite::Result<i64> {
    let bumped = bump(
        conn,
        "UPDATE threads SET last_seq = last_seq + 1 WHERE sdk_app_id = ?1 AND conv_key = ?2",
        "SELECT last_seq FROM threads WHERE sdk_app_id = ?1 AND conv_key = ?2",
        params![app, conv_key],
    )?;
    if let Some(seq) = bumped {
        return Ok(seq);
    }
    conn.prepare_cached("INSERT INTO threads (sdk_app_id, conv_key, last_seq) VALUES (?1, ?2, 1)")?
        .execute(params![app, conv_key])?;
    Ok(1)
}

/// Shows `conv` to its owner again with one more unread message (one the owner did not send),
/// the message with rowid `activity` at `time` now its newest.
pub(super) fn one_more_unread(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    time: i64,
    activity: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                    unread, update_time, last_activity)
         VALUES (?1, ?2, ?3, ?4, 1, 1, ?5, ?6)
         ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE SET
             visible = 1, unread = unread + 1,
             update_time = excluded.update_time, last_activity = excluded.last_activity",
    )?
    .execute(params![
        app,
        conv.owner,
        conv.conversation_id,
        conv.conv_key,
        time,
        activity
    ])?;
    Ok(())
}

/// A message to append to a thread; the thread hands out its seq.
pub(super) struct NewRow<'a> {
    pub conv_key: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub body: &'a WireBody,
    pub time: i64,
    /// Sent with needReadReceipt: how many parties it waits for (its first `unread_count`).
    pub receipt: Option<u32>,
}

/// A message [`append`] stored, and the rowid of its row: which orders conversations updated
/// in the same second (`conversations.last_activity`).
pub(super) struct Appended {
    pub message: StoredMessage,
    /// Its seq, as SQLite stores it.
    pub seq: i64,
    pub activity: i64,
}

/// Appends `row` to its thread with the next seq, under the ID `msg_id` makes of that seq (a
/// send's own ID, or one derived from the seq).
pub(super) fn append(
    conn: &Connection,
    app: i64,
    row: &NewRow<'_>,
    msg_id: impl FnOnce(i64) -> String,
) -> StoreResult<Appended> {
    let body_json = serde_json::to_string(row.body)
        .map_err(|e| StoreError::Corrupt(format!("encoding a message body: {e}")))?;
    let seq = next_seq(conn, app, row.conv_key)?;
    let msg_id = msg_id(seq);
    // The sender's nick and avatar go with the message as they are now (Tencent's too).
    let (nick, avatar) = super::profiles::brief(conn, app, row.from)?;
    conn.prepare_cached(
        "INSERT INTO messages (sdk_app_id, conv_key, seq, msg_id, from_user, to_user,
                               body_json, time, nick, avatar, need_receipt, unread_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        app,
        row.conv_key,
        seq,
        msg_id,
        row.from,
        row.to,
        body_json,
        row.time,
        nick,
        avatar,
        row.receipt.is_some(),
        row.receipt.unwrap_or(0)
    ])?;
    Ok(Appended {
        seq,
        activity: conn.last_insert_rowid(),
        message: StoredMessage {
            seq: to_u64(seq),
            msg_id,
            from: row.from.to_owned(),
            to: row.to.to_owned(),
            body: row.body.clone(),
            time: row.time,
            nick,
            avatar,
            revoked: false,
            need_receipt: row.receipt.is_some(),
            read_count: 0,
            unread_count: row.receipt.unwrap_or(0),
        },
    })
}
