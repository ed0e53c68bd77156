//! Group messages: one message in the group's thread, fanned out to every member's conversation
//! row and event log: O(members) rows per message, but a fixed number of statements, each over
//! the member table (a send to a 5,000-member group was 20,000 statements, most of the single
//! writer's time under a flood; issue 13).

use super::groups::{has_member_row, live_group};
use super::thread::{self, NewRow};
use super::to_u64;
use crate::store::event_codec;
use crate::store::UserEvent;
use crate::store::{ConvRef, GroupRefusal, NewMessage, SendOutcome, StoreError, StoreResult};
use rusqlite::{params, Connection};
use tim_proto::Push;

/// Stores a message from `conv.owner` to the group `conv.peer`, inside the caller's (IMMEDIATE)
/// transaction. The sender must be a member of the live group; a retry of the sender's message
/// ID is answered with the stored message and changes nothing.
pub(super) fn send(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    message: &NewMessage,
) -> StoreResult<Result<SendOutcome, GroupRefusal>> {
    let group_id = conv.peer.as_str();
    if let Err(refusal) = live_group(conn, app, group_id)? {
        return Ok(Err(refusal));
    }
    if !has_member_row(conn, app, group_id, &conv.owner)? {
        return Ok(Err(GroupRefusal::NotMember));
    }
    if let Some(repeat) = thread::repeated_send(conn, app, conv, &message.msg_id)? {
        return Ok(Ok(repeat));
    }
    // Read receipts are awaited from the other members as they are now.
    let receipt = if message.need_receipt {
        let others: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM group_members
                 WHERE sdk_app_id = ?1 AND group_id = ?2 AND user_id <> ?3",
            )?
            .query_row(params![app, group_id, conv.owner], |r| r.get(0))?;
        Some(u32::try_from(others).unwrap_or(u32::MAX))
    } else {
        None
    };
    let thread::Appended {
        message: stored,
        seq,
        activity,
    } = thread::append(
        conn,
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
    )?;
    // Members got their row when they joined; a missing one starts just below this message.
    // The sender reads up to here; everyone else has one more unread.
    conn.prepare_cached(
        "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                    cleared_seq, read_seq, unread, update_time, last_activity)
         SELECT m.sdk_app_id, m.user_id, ?3, ?4, 1, ?5 - 1,
                CASE WHEN m.user_id = ?2 THEN ?5 ELSE ?5 - 1 END,
                CASE WHEN m.user_id = ?2 THEN 0 ELSE 1 END, ?6, ?7
         FROM group_members m WHERE m.sdk_app_id = ?1 AND m.group_id = ?8
         ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE SET
             visible = 1,
             read_seq = CASE WHEN excluded.owner = ?2 THEN excluded.read_seq ELSE read_seq END,
             unread = CASE WHEN excluded.owner = ?2 THEN unread ELSE unread + 1 END,
             update_time = excluded.update_time, last_activity = excluded.last_activity",
    )?
    .execute(params![
        app,
        conv.owner,
        conv.conversation_id,
        conv.conv_key,
        seq,
        message.time,
        activity,
        group_id
    ])?;
    // Each member's next event number, then the entry under it: numbers stay dense and
    // increasing per user, as one `events::append_message` each kept them.
    let numbered = conn
        .prepare_cached(
            "UPDATE users SET last_ev = last_ev + 1
             WHERE sdk_app_id = ?1 AND user_id IN (
                 SELECT user_id FROM group_members WHERE sdk_app_id = ?1 AND group_id = ?2)",
        )?
        .execute(params![app, group_id])?;
    let wire = stored.wire_in(&conv.conversation_id);
    // Every member's entry is the same: where the message is.
    let payload = event_codec::encode_message_at(&conv.conv_key, &wire)?;
    let logged_rows = conn
        .prepare_cached(
            "INSERT INTO user_events (sdk_app_id, user_id, ev, kind, payload_json, time)
             SELECT u.sdk_app_id, u.user_id, u.last_ev, ?3, ?4, ?5
             FROM group_members m
             JOIN users u ON u.sdk_app_id = m.sdk_app_id AND u.user_id = m.user_id
             WHERE m.sdk_app_id = ?1 AND m.group_id = ?2",
        )?
        .execute(params![
            app,
            group_id,
            event_codec::MESSAGE_AT,
            payload,
            message.time
        ])?;
    let mut stmt = conn.prepare_cached(
        "SELECT m.user_id, u.last_ev FROM group_members m
         JOIN users u ON u.sdk_app_id = m.sdk_app_id AND u.user_id = m.user_id
         WHERE m.sdk_app_id = ?1 AND m.group_id = ?2
         ORDER BY m.join_time, m.user_id",
    )?;
    let logged = stmt
        .query_map(params![app, group_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?
        .map(|row| {
            row.map(|(user_id, ev)| UserEvent {
                user_id,
                ev: to_u64(ev),
                push: Push::Message {
                    message: wire.clone(),
                },
            })
        })
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // A member without a user row (the foreign key forbids it) would have no entry.
    if numbered != logged.len() || logged_rows != logged.len() {
        return Err(StoreError::Corrupt(format!(
            "group {group_id}: {} members, {numbered} numbered, {logged_rows} logged",
            logged.len()
        )));
    }
    Ok(Ok(SendOutcome::Stored {
        message: stored,
        events: logged,
    }))
}
