//! A one-to-one send inside the caller's transaction: the duplicate check, the thread's next
//! seq and the message row, both parties' conversation rows, and one event-log entry each.
//! `Store::send_message` runs it in a transaction of its own; `Store::send_messages` runs many,
//! group messages among them, in one transaction (one fsync).

use super::events;
use super::group_messages;
use super::profiles;
use super::thread::{self, NewRow};
use crate::store::model::{ConvRef, NewMessage, SendOutcome};
use crate::store::StoreResult;
use crate::store::{GroupRefusal, SendItem};
use rusqlite::{params, Connection, TransactionBehavior};

/// Every send of `batch` (one-to-one or to a group) in one transaction, or none of them (the
/// first error is returned; a group's refusal is an outcome, not an error). No savepoint per
/// send: they cost a page copy per page touched, and a send only fails with its transaction
/// (disk full, I/O error), so the caller retries one by one instead.
pub(super) fn all_or_nothing(
    conn: &mut Connection,
    batch: &[SendItem],
) -> StoreResult<Vec<Result<SendOutcome, GroupRefusal>>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = apply(&tx, batch)?;
    tx.commit()?;
    Ok(out)
}

/// Every send of `batch`, in order, inside the caller's transaction.
pub(super) fn apply(
    conn: &Connection,
    batch: &[SendItem],
) -> StoreResult<Vec<Result<SendOutcome, GroupRefusal>>> {
    let mut out = Vec::with_capacity(batch.len());
    for item in batch {
        let app = super::app_key(item.sdk_app_id)?;
        out.push(if item.conv.is_group() {
            group_messages::send(conn, app, &item.conv, &item.message)?
        } else {
            Ok(c2c(conn, app, &item.conv, &item.message)?)
        });
    }
    Ok(out)
}

pub(super) fn c2c(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    message: &NewMessage,
) -> StoreResult<SendOutcome> {
    if let Some(repeat) = thread::repeated_send(conn, app, conv, &message.msg_id)? {
        return Ok(repeat);
    }
    if conv.peer != conv.owner && profiles::blocks(conn, app, &conv.peer, &conv.owner)? {
        return Ok(SendOutcome::Blocked);
    }

    // Records either party if new (a first message creates its recipient) and numbers their
    // event-log entries; a chat with oneself logs the message once.
    let peer_ev = if conv.peer != conv.owner {
        Some(events::next_number_ensuring_user(
            conn,
            app,
            &conv.peer,
            message.time,
        )?)
    } else {
        None
    };
    let owner_ev = events::next_number_ensuring_user(conn, app, &conv.owner, message.time)?;

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
            to: &conv.peer,
            body: &message.body,
            time: message.time,
            // The peer's receipt, none from oneself.
            receipt: message
                .need_receipt
                .then_some(u32::from(conv.peer != conv.owner)),
        },
        |_| message.msg_id.clone(),
    )?;

    // Sending brings the conversation back for the sender too, and reads it up to here.
    conn.prepare_cached(
        "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                    read_seq, update_time, last_activity)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7)
         ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE SET
             visible = 1, read_seq = excluded.read_seq,
             update_time = excluded.update_time, last_activity = excluded.last_activity",
    )?
    .execute(params![
        app,
        conv.owner,
        conv.conversation_id,
        conv.conv_key,
        seq,
        message.time,
        activity
    ])?;

    if conv.peer != conv.owner {
        let peer_view = ConvRef::c2c(&conv.peer, &conv.owner);
        thread::one_more_unread(conn, app, &peer_view, message.time, activity)?;
    }

    // Each party logs the message as they see it.
    let parties = [(&conv.peer, peer_ev), (&conv.owner, Some(owner_ev))];
    let mut logged = Vec::with_capacity(2);
    for (user, ev) in parties {
        if let Some(ev) = ev {
            let wire = stored.to_wire(user);
            logged.push(events::append_message(
                conn,
                app,
                user,
                Some(ev),
                &conv.conv_key,
                wire,
                message.time,
            )?);
        }
    }

    Ok(SendOutcome::Stored {
        message: stored,
        events: logged,
    })
}
