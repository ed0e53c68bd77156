//! Read receipts in SQLite (sendMessageReadReceipt, getMessageReadReceiptList; see
//! `Store::send_read_receipts`).

use super::{events, message_by_id};
use crate::store::receipts::{counted, SenderNews};
use crate::store::{ConvRef, StoreResult, StoredMessage, UserEvent};
use rusqlite::{params, Connection, OptionalExtension};

/// The conversation in which `owner`'s view of thread `conv_key` holds its message `seq`: listed,
/// above their watermark, not after they left the group, not hidden by them.
fn held_by(
    conn: &Connection,
    app: i64,
    owner: &str,
    conv_key: &str,
    seq: i64,
) -> StoreResult<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT c.conversation_id FROM conversations c
             WHERE c.sdk_app_id = ?1 AND c.owner = ?4 AND c.conv_key = ?2 AND c.visible = 1
               AND c.cleared_seq < ?3 AND (c.left_seq IS NULL OR c.left_seq >= ?3)
               AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                               WHERE h.sdk_app_id = ?1 AND h.owner = ?4
                                 AND h.conv_key = ?2 AND h.seq = ?3)",
        )?
        .query_row(params![app, conv_key, seq, owner], |r| r.get(0))
        .optional()?)
}

fn seq_of(m: &StoredMessage) -> i64 {
    i64::try_from(m.seq).unwrap_or(i64::MAX)
}

/// [`crate::store::Store::send_read_receipts`] inside the caller's transaction.
pub(super) fn send(
    conn: &Connection,
    app: i64,
    reader: &ConvRef,
    msg_ids: &[String],
    now: i64,
) -> StoreResult<Vec<UserEvent>> {
    let mut news = SenderNews::default();
    for id in msg_ids {
        let Some(mut m) = message_by_id(conn, app, &reader.conv_key, id)? else {
            continue;
        };
        let seq = seq_of(&m);
        if !m.need_receipt
            || m.from == reader.owner
            || held_by(conn, app, &reader.owner, &reader.conv_key, seq)?.is_none()
        {
            continue;
        }
        let added = conn
            .prepare_cached(
                "INSERT INTO message_reads (sdk_app_id, conv_key, seq, reader)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )?
            .execute(params![app, reader.conv_key, seq, reader.owner])?;
        if added == 0 {
            continue;
        }
        conn.prepare_cached(
            "UPDATE messages SET read_count = read_count + 1,
                                 unread_count = MAX(unread_count - 1, 0)
             WHERE sdk_app_id = ?1 AND conv_key = ?2 AND seq = ?3",
        )?
        .execute(params![app, reader.conv_key, seq])?;
        counted(&mut m);
        if let Some(conversation_id) = held_by(conn, app, &m.from, &reader.conv_key, seq)? {
            news.add(&conversation_id, &m);
        }
    }
    let mut logged = Vec::new();
    for (sender, push) in news.pushes() {
        logged.push(events::append(conn, app, &sender, push, now)?);
    }
    Ok(logged)
}

/// [`crate::store::Store::read_receipt_list`].
pub(super) fn list(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    msg_ids: &[String],
) -> StoreResult<Vec<StoredMessage>> {
    let mut out = Vec::with_capacity(msg_ids.len());
    for id in msg_ids {
        if let Some(m) = message_by_id(conn, app, &conv.conv_key, id)? {
            if held_by(conn, app, &conv.owner, &conv.conv_key, seq_of(&m))?.is_some() {
                out.push(m);
            }
        }
    }
    Ok(out)
}
