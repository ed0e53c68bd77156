//! Appending to a conversation's thread: the next message seq and the message row. C2C sends,
//! group sends and system notices all append the same way; only whose rows they touch differs.

use super::message_by_id;
use crate::store::model::{ConvRef, SendOutcome};
use crate::store::StoreResult;
use rusqlite::{params, Connection};

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
/// A plain UPDATE and a SELECT: an UPSERT with RETURNING costs a statement journal and a
/// temporary table each time, several times the price on the send path.
pub(super) fn next_seq(conn: &Connection, app: i64, conv_key: &str) -> rusqlite::Result<i64> {
    let bumped = conn
        .prepare_cached(
            "UPDATE threads SET last_seq = last_seq + 1 WHERE sdk_app_id = ?1 AND conv_key = ?2",
        )?
        .execute(params![app, conv_key])?;
    if bumped == 0 {
        conn.prepare_cached(
            "INSERT INTO threads (sdk_app_id, conv_key, last_seq) VALUES (?1, ?2, 1)",
        )?
        .execute(params![app, conv_key])?;
        return Ok(1);
    }
    conn.prepare_cached("SELECT last_seq FROM threads WHERE sdk_app_id = ?1 AND conv_key = ?2")?
        .query_row(params![app, conv_key], |r| r.get(0))
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

/// One message row, as stored.
pub(super) struct NewRow<'a> {
    pub conv_key: &'a str,
    pub seq: i64,
    pub msg_id: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub body_json: &'a str,
    pub time: i64,
}

/// Inserts the message; returns its rowid, which orders conversations updated in the same
/// second (`conversations.last_activity`).
pub(super) fn insert_message(
    conn: &Connection,
    app: i64,
    row: &NewRow<'_>,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO messages (sdk_app_id, conv_key, seq, msg_id, from_user, to_user,
                               body_json, time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        app,
        row.conv_key,
        row.seq,
        row.msg_id,
        row.from,
        row.to,
        row.body_json,
        row.time
    ])?;
    Ok(conn.last_insert_rowid())
}
