//! Group messages: one message in the group's thread, fanned out to every member's conversation
//! row and event log: O(members) rows per message in a fixed number of statements over the
//! member table (one per member and table was most of a send's time in a large group).

use super::groups::{has_member_row, live_group};
use super::thread::{self, NewRow};
use super::{execute, query, query_opt, to_u64, Tx};
use crate::store::event_codec;
use crate::store::{ConvRef, GroupRefusal, NewMessage, SendOutcome, StoreResult, UserEvent};
use tim_proto::Push;

/// Stores a message from `conv.owner` to the group `conv.peer` inside the caller's transaction.
/// The group's row is locked first (as every group change does, before the thread), so
/// membership changes from other nodes land wholly before or after the message.
pub(super) async fn send(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    message: &NewMessage,
) -> StoreResult<Result<SendOutcome, GroupRefusal>> {
    let group_id = conv.peer.as_str();
    if let Err(refusal) = live_group(tx, app, group_id).await? {
        return Ok(Err(refusal));
    }
    if !has_member_row(tx, app, group_id, &conv.owner).await? {
        return Ok(Err(GroupRefusal::NotMember));
    }
    if let Some(repeat) = thread::repeated_send(tx, app, conv, &message.msg_id).await? {
        return Ok(Ok(repeat));
    }
    // Read receipts are awaited from the other members as they are now.
    let receipt = if message.need_receipt {
        let row = query_opt(
            tx,
            "SELECT count(*) FROM group_members
             WHERE sdk_app_id = $1 AND group_id = $2 AND user_id <> $3",
            &[&app, &group_id, &conv.owner],
        )
        .await?;
        let others: i64 = match row {
            Some(r) => r.try_get(0)?,
            None => 0,
        };
        Some(u32::try_from(others).unwrap_or(u32::MAX))
    } else {
        None
    };
    let thread::Appended {
        message: stored,
        seq,
        activity,
    } = thread::append(
        tx,
        app,
        &NewRow {
            conv_key: &conv.conv_key,
            from: &conv.owner,
            to: group_id,
            body: &message.body,
            time: message.time,
            receipt,
        },
        |_| message.msg_id.clone(),
    )
    .await?;
    // Members got their row when they joined; a missing one starts just below this message.
    // The sender reads up to here; everyone else has one more unread.
    execute(
        tx,
        "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                    cleared_seq, read_seq, unread, update_time, last_activity)
         SELECT m.sdk_app_id, m.user_id, $3::TEXT, $4::TEXT, TRUE, $5::BIGINT - 1,
                CASE WHEN m.user_id = $2 THEN $5::BIGINT ELSE $5::BIGINT - 1 END,
                CASE WHEN m.user_id = $2 THEN 0 ELSE 1 END, $6::BIGINT, $7::BIGINT
         FROM group_members m WHERE m.sdk_app_id = $1 AND m.group_id = $8::TEXT
         ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE SET
             visible = TRUE,
             read_seq = CASE WHEN excluded.owner = $2 THEN excluded.read_seq
                             ELSE conversations.read_seq END,
             unread = CASE WHEN excluded.owner = $2 THEN conversations.unread
                           ELSE conversations.unread + 1 END,
             update_time = excluded.update_time, last_activity = excluded.last_activity",
        &[
            &app,
            &conv.owner,
            &conv.conversation_id,
            &conv.conv_key,
            &seq,
            &message.time,
            &activity,
            &group_id,
        ],
    )
    .await?;
    let wire = stored.wire_in(&conv.conversation_id);
    // Every member's entry is the same: where the message is.
    let payload = event_codec::encode_message_at(&conv.conv_key, &wire)?;
    // Each member's next event number (their rows locked in key order, as a batch of
    // one-to-one sends locks them, so the two queue instead of deadlocking), then the entry
    // under it: numbers stay dense and increasing per user.
    let rows = query(
        tx,
        "WITH locked AS (
             SELECT u.user_id FROM users u
             JOIN group_members m ON m.sdk_app_id = u.sdk_app_id AND m.user_id = u.user_id
             WHERE m.sdk_app_id = $1 AND m.group_id = $2
             ORDER BY u.user_id FOR UPDATE OF u),
         numbered AS (
             UPDATE users u SET last_ev = u.last_ev + 1 FROM locked l
             WHERE u.sdk_app_id = $1 AND u.user_id = l.user_id
             RETURNING u.user_id, u.last_ev),
         logged AS (
             INSERT INTO user_events (sdk_app_id, user_id, ev, kind, payload_json, time)
             SELECT $1::BIGINT, user_id, last_ev, $3::TEXT, $4::TEXT, $5::BIGINT FROM numbered
             RETURNING user_id, ev)
         SELECT l.user_id, l.ev FROM logged l
         JOIN group_members m ON m.sdk_app_id = $1 AND m.group_id = $2 AND m.user_id = l.user_id
         ORDER BY m.join_time, m.user_id",
        &[
            &app,
            &group_id,
            &event_codec::MESSAGE_AT,
            &payload,
            &message.time,
        ],
    )
    .await?;
    let mut logged = Vec::with_capacity(rows.len());
    for r in &rows {
        logged.push(UserEvent {
            user_id: r.try_get(0)?,
            ev: to_u64(r.try_get(1)?),
            push: Push::Message {
                message: wire.clone(),
            },
        });
    }
    Ok(Ok(SendOutcome::Stored {
        message: stored,
        events: logged,
    }))
}
