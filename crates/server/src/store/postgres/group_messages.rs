//! Group messages: one message in the group's thread, fanned out to every member's conversation
//! row and event log (O(members) per message, O(1) per member).

use super::groups::{has_member_row, live_group, members};
use super::thread::{self, NewRow};
use super::{events, execute, Tx};
use crate::store::{ConvRef, GroupRefusal, NewMessage, SendOutcome, StoreResult};

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
    let everyone = members(tx, app, group_id).await?;
    // Receipts are awaited from the other members as they are now.
    let others = everyone.iter().filter(|m| **m != conv.owner).count();
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
            receipt: message
                .need_receipt
                .then_some(u32::try_from(others).unwrap_or(u32::MAX)),
        },
        |_| message.msg_id.clone(),
    )
    .await?;
    let wire = stored.wire_in(&conv.conversation_id);
    let mut logged = Vec::with_capacity(everyone.len());
    for member in &everyone {
        // Members got their row when they joined; a missing one starts just below this message.
        // The sender reads up to here; everyone else has one more unread.
        let sql = if *member == conv.owner {
            "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                        cleared_seq, read_seq, update_time, last_activity)
             VALUES ($1, $2, $3, $4, TRUE, $5::BIGINT - 1, $5, $6, $7)
             ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE SET
                 visible = TRUE, read_seq = excluded.read_seq,
                 update_time = excluded.update_time, last_activity = excluded.last_activity"
        } else {
            "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                        cleared_seq, read_seq, unread, update_time,
                                        last_activity)
             VALUES ($1, $2, $3, $4, TRUE, $5::BIGINT - 1, $5::BIGINT - 1, 1, $6, $7)
             ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE SET
                 visible = TRUE, unread = conversations.unread + 1,
                 update_time = excluded.update_time, last_activity = excluded.last_activity"
        };
        execute(
            tx,
            sql,
            &[
                &app,
                member,
                &conv.conversation_id,
                &conv.conv_key,
                &seq,
                &message.time,
                &activity,
            ],
        )
        .await?;
        logged.push(
            events::append_message(
                tx,
                app,
                member,
                None,
                &conv.conv_key,
                wire.clone(),
                message.time,
            )
            .await?,
        );
    }
    Ok(Ok(SendOutcome::Stored {
        message: stored,
        events: logged,
    }))
}
