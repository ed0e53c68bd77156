//! Read receipts in PostgreSQL (see `store/receipts.rs` and `Store::send_read_receipts`).

use super::{events, execute, lock_thread, message_by_id, query_opt, Tx};
use crate::store::receipts::{counted, SenderNews};
use crate::store::{ConvRef, StoreResult, StoredMessage, UserEvent};

/// The conversation in which `owner`'s view of thread `conv_key` holds its message `seq`.
async fn held_by(
    tx: &Tx<'_>,
    app: i64,
    owner: &str,
    conv_key: &str,
    seq: i64,
) -> StoreResult<Option<String>> {
    let row = query_opt(
        tx,
        "SELECT c.conversation_id FROM conversations c
         WHERE c.sdk_app_id = $1 AND c.owner = $4 AND c.conv_key = $2 AND c.visible
           AND c.cleared_seq < $3 AND (c.left_seq IS NULL OR c.left_seq >= $3)
           AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                           WHERE h.sdk_app_id = $1 AND h.owner = $4
                             AND h.conv_key = $2 AND h.seq = $3)",
        &[&app, &conv_key, &seq, &owner],
    )
    .await?;
    Ok(match row {
        Some(r) => Some(r.try_get(0)?),
        None => None,
    })
}

fn seq_of(m: &StoredMessage) -> i64 {
    i64::try_from(m.seq).unwrap_or(i64::MAX)
}

/// [`crate::store::Store::send_read_receipts`] inside the caller's transaction. The thread's
/// row lock orders it with deletions and edits of the thread, as on SQLite.
pub(super) async fn send(
    tx: &Tx<'_>,
    app: i64,
    reader: &ConvRef,
    msg_ids: &[String],
    now: i64,
) -> StoreResult<Vec<UserEvent>> {
    lock_thread(tx, app, &reader.conv_key).await?;
    let mut news = SenderNews::default();
    for id in msg_ids {
        let Some(mut m) = message_by_id(tx, app, &reader.conv_key, id).await? else {
            continue;
        };
        let seq = seq_of(&m);
        if !m.need_receipt
            || m.from == reader.owner
            || held_by(tx, app, &reader.owner, &reader.conv_key, seq)
                .await?
                .is_none()
        {
            continue;
        }
        let added = execute(
            tx,
            "INSERT INTO message_reads (sdk_app_id, conv_key, seq, reader)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&app, &reader.conv_key, &seq, &reader.owner],
        )
        .await?;
        if added == 0 {
            continue;
        }
        execute(
            tx,
            "UPDATE messages SET read_count = read_count + 1,
                                 unread_count = GREATEST(unread_count - 1, 0)
             WHERE sdk_app_id = $1 AND conv_key = $2 AND seq = $3",
            &[&app, &reader.conv_key, &seq],
        )
        .await?;
        counted(&mut m);
        if let Some(conversation_id) = held_by(tx, app, &m.from, &reader.conv_key, seq).await? {
            news.add(&conversation_id, &m);
        }
    }
    let mut logged = Vec::new();
    for (sender, push) in news.pushes() {
        logged.push(events::append(tx, app, &sender, push, now).await?);
    }
    Ok(logged)
}

/// [`crate::store::Store::read_receipt_list`].
pub(super) async fn list(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    msg_ids: &[String],
) -> StoreResult<Vec<StoredMessage>> {
    let mut out = Vec::with_capacity(msg_ids.len());
    for id in msg_ids {
        if let Some(m) = message_by_id(tx, app, &conv.conv_key, id).await? {
            if held_by(tx, app, &conv.owner, &conv.conv_key, seq_of(&m))
                .await?
                .is_some()
            {
                out.push(m);
            }
        }
    }
    Ok(out)
}
