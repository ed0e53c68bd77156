//! Group messages: one message in the group's thread, fanned out to every member's conversation
//! row and event log (O(members) per message, O(1) per member).

use super::events;
use super::groups::{has_member_row, live_group, members};
use super::thread::{self, NewRow};
use crate::store::{ConvRef, GroupRefusal, NewMessage, SendOutcome, StoreResult};
use rusqlite::{params, Connection};

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
    let everyone = members(conn, app, group_id)?;
    // Receipts are awaited from the other members as they are now.
    let others = everyone.iter().filter(|m| **m != conv.owner).count();
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
            receipt: message
                .need_receipt
                .then_some(u32::try_from(others).unwrap_or(u32::MAX)),
        },
        |_| message.msg_id.clone(),
    )?;
    let wire = stored.wire_in(&conv.conversation_id);
    let mut logged = Vec::with_capacity(everyone.len());
    for member in &everyone {
        // Members got their row when they joined; a missing one starts just below this message.
        // The sender reads up to here; everyone else has one more unread.
        let sql = if *member == conv.owner {
            "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                        cleared_seq, read_seq, update_time, last_activity)
             VALUES (?1, ?2, ?3, ?4, 1, ?5 - 1, ?5, ?6, ?7)
             ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE SET
                 visible = 1, read_seq = excluded.read_seq,
                 update_time = excluded.update_time, last_activity = excluded.last_activity"
        } else {
            "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                        cleared_seq, read_seq, unread, update_time,
                                        last_activity)
             VALUES (?1, ?2, ?3, ?4, 1, ?5 - 1, ?5 - 1, 1, ?6, ?7)
             ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE SET
                 visible = 1, unread = unread + 1,
                 update_time = excluded.update_time, last_activity = excluded.last_activity"
        };
        conn.prepare_cached(sql)?.execute(params![
            app,
            member,
            conv.conversation_id,
            conv.conv_key,
            seq,
            message.time,
            activity
        ])?;
        logged.push(events::append_message(
            conn,
            app,
            member,
            None,
            &conv.conv_key,
            wire.clone(),
            message.time,
        )?);
    }
    Ok(Ok(SendOutcome::Stored {
        message: stored,
        events: logged,
    }))
}
