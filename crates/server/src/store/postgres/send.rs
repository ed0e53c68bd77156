//! A one-to-one send inside the caller's transaction: the duplicate check, the thread's next
//! seq and the message row, both parties' conversation rows, and one event-log entry each.
//! `Store::send_messages` runs a whole batch, group messages among them, in one transaction.
//!
//! Row locks are taken thread first, then users in ID order, so two sends between the same
//! users from two nodes queue up instead of deadlocking.

use super::events;
use super::group_messages;
use super::profiles;
use super::thread::{self, NewRow};
use super::{app_key, execute, Tx};
use crate::store::model::{ConvRef, NewMessage, SendOutcome};
use crate::store::{GroupRefusal, SendItem, StoreResult};

/// Every send of `batch`, in order, inside the caller's transaction.
pub(super) async fn apply(
    tx: &Tx<'_>,
    batch: &[SendItem],
) -> StoreResult<Vec<Result<SendOutcome, GroupRefusal>>> {
    let mut out = Vec::with_capacity(batch.len());
    for item in batch {
        let app = app_key(item.sdk_app_id)?;
        out.push(if item.conv.is_group() {
            group_messages::send(tx, app, &item.conv, &item.message).await?
        } else {
            Ok(c2c(tx, app, &item.conv, &item.message).await?)
        });
    }
    Ok(out)
}

pub(super) async fn c2c(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    message: &NewMessage,
) -> StoreResult<SendOutcome> {
    if let Some(repeat) = thread::repeated_send(tx, app, conv, &message.msg_id).await? {
        return Ok(repeat);
    }
    if conv.peer != conv.owner && profiles::blocks(tx, app, &conv.peer, &conv.owner).await? {
        return Ok(SendOutcome::Blocked);
    }
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
            to: &conv.peer,
            body: &message.body,
            time: message.time,
        },
        |_| message.msg_id.clone(),
    )
    .await?;

    // Records either party if new (a first message creates its recipient) and numbers their
    // entries; a chat with oneself logs the message once.
    let mut parties = vec![conv.owner.as_str()];
    if conv.peer != conv.owner {
        parties.push(conv.peer.as_str());
    }
    parties.sort_unstable();
    let mut numbers = Vec::with_capacity(2);
    for user in &parties {
        numbers.push((
            *user,
            events::next_number_ensuring_user(tx, app, user, message.time).await?,
        ));
    }

    // Sending brings the conversation back for the sender too, and reads it up to here.
    execute(
        tx,
        "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                    read_seq, update_time, last_activity)
         VALUES ($1, $2, $3, $4, TRUE, $5, $6, $7)
         ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE SET
             visible = TRUE, read_seq = excluded.read_seq,
             update_time = excluded.update_time, last_activity = excluded.last_activity",
        &[
            &app,
            &conv.owner,
            &conv.conversation_id,
            &conv.conv_key,
            &seq,
            &message.time,
            &activity,
        ],
    )
    .await?;
    if conv.peer != conv.owner {
        let peer_view = ConvRef::c2c(&conv.peer, &conv.owner);
        thread::one_more_unread(tx, app, &peer_view, message.time, activity).await?;
    }

    // Each party logs the message as they see it: the recipient's entry first, as SQLite's.
    numbers.sort_by_key(|(user, _)| *user == conv.owner);
    let mut logged = Vec::with_capacity(2);
    for (user, ev) in numbers {
        let wire = stored.to_wire(user);
        logged.push(
            events::append_message(tx, app, user, Some(ev), &conv.conv_key, wire, message.time)
                .await?,
        );
    }
    Ok(SendOutcome::Stored {
        message: stored,
        events: logged,
    })
}
