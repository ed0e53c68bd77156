//! Appending to a conversation's thread: the next seq and the message row. C2C sends, group
//! sends and system notices all append the same way.

use super::{execute, message_by_id, query, to_u64, Tx};
use crate::store::model::{ConvRef, SendOutcome, StoredMessage};
use crate::store::{StoreError, StoreResult};
use tim_proto::model::WireBody;

/// A send whose message ID is already in the thread: the stored message again when the same
/// sender retries it, [`SendOutcome::IdTaken`] when it is someone else's. `None`: a new ID.
/// (Two nodes storing the same new ID at once: the second insert breaks the unique key, and its
/// transaction runs again and lands here.)
pub(super) async fn repeated_send(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    msg_id: &str,
) -> StoreResult<Option<SendOutcome>> {
    Ok(message_by_id(tx, app, &conv.conv_key, msg_id)
        .await?
        .map(|existing| {
            if existing.from == conv.owner {
                SendOutcome::Duplicate(existing)
            } else {
                SendOutcome::IdTaken
            }
        }))
}

/// The next seq of the thread `conv_key` (from 1; never reused, even after a purge). Holds the
/// thread's row lock until the transaction ends.
async fn next_seq(tx: &Tx<'_>, app: i64, conv_key: &str) -> StoreResult<i64> {
    let rows = query(
        tx,
        "INSERT INTO threads (sdk_app_id, conv_key, last_seq) VALUES ($1, $2, 1)
         ON CONFLICT (sdk_app_id, conv_key) DO UPDATE SET last_seq = threads.last_seq + 1
         RETURNING last_seq",
        &[&app, &conv_key],
    )
    .await?;
    match rows.first() {
        Some(r) => Ok(r.try_get(0)?),
        None => Err(StoreError::Corrupt(format!("no thread row for {conv_key}"))),
    }
}

/// Shows `conv` to its owner again with one more unread message (one the owner did not send),
/// the message `activity` at `time` now its newest.
pub(super) async fn one_more_unread(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    time: i64,
    activity: i64,
) -> StoreResult<()> {
    execute(
        tx,
        "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                    unread, update_time, last_activity)
         VALUES ($1, $2, $3, $4, TRUE, 1, $5, $6)
         ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE SET
             visible = TRUE, unread = conversations.unread + 1,
             update_time = excluded.update_time, last_activity = excluded.last_activity",
        &[
            &app,
            &conv.owner,
            &conv.conversation_id,
            &conv.conv_key,
            &time,
            &activity,
        ],
    )
    .await?;
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

/// A message [`append`] stored, and its row's `id`: which orders conversations updated in the
/// same second (`conversations.last_activity`).
pub(super) struct Appended {
    pub message: StoredMessage,
    pub seq: i64,
    pub activity: i64,
}

/// Appends `row` to its thread with the next seq, under the ID `msg_id` makes of that seq.
pub(super) async fn append(
    tx: &Tx<'_>,
    app: i64,
    row: &NewRow<'_>,
    msg_id: impl FnOnce(i64) -> String,
) -> StoreResult<Appended> {
    let body_json = serde_json::to_string(row.body)
        .map_err(|e| StoreError::Corrupt(format!("encoding a message body: {e}")))?;
    let seq = next_seq(tx, app, row.conv_key).await?;
    let msg_id = msg_id(seq);
    // The sender's nick and avatar go with the message as they are now (Tencent's too).
    let (nick, avatar) = super::profiles::brief(tx, app, row.from).await?;
    let rows = query(
        tx,
        "INSERT INTO messages (sdk_app_id, conv_key, seq, msg_id, from_user, to_user,
                               body_json, time, nick, avatar, need_receipt, unread_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        &[
            &app,
            &row.conv_key,
            &seq,
            &msg_id,
            &row.from,
            &row.to,
            &body_json,
            &row.time,
            &nick,
            &avatar,
            &row.receipt.is_some(),
            &i64::from(row.receipt.unwrap_or(0)),
        ],
    )
    .await?;
    let activity = match rows.first() {
        Some(r) => r.try_get(0)?,
        None => {
            return Err(StoreError::Corrupt(
                "a message insert returned no id".into(),
            ))
        }
    };
    Ok(Appended {
        seq,
        activity,
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
