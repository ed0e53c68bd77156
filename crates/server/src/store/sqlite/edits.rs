//! Revoking, modifying and hiding messages in SQLite (see `store/edits.rs`).

use super::{events, message_by_id, to_u64, visible_row};
use crate::store::edits::{push_for, refusal};
use crate::store::{
    ConvRef, EditOutcome, HiddenKey, HiddenTrim, HideOutcome, MessageEdit, StoreError, StoreResult,
    StoredMessage,
};
use rusqlite::{params, Connection, OptionalExtension};

/// [`crate::store::Store::edit_message`] inside the caller's transaction.
pub(super) fn edit(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    msg_id: &str,
    edit: &MessageEdit,
    now: i64,
) -> StoreResult<EditOutcome> {
    let Some(mut message) = message_by_id(conn, app, &conv.conv_key, msg_id)? else {
        return Ok(EditOutcome::NotFound);
    };
    let limit: i64 = conn
        .prepare_cached("SELECT revoke_time_limit FROM apps WHERE sdk_app_id = ?1")?
        .query_row([app], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    if let Some(refused) = refusal(&message, &conv.owner, edit, now, limit) {
        return Ok(refused);
    }
    let seq = i64::try_from(message.seq).unwrap_or(i64::MAX);
    match edit {
        MessageEdit::Revoke { .. } if message.revoked => {
            return Ok(EditOutcome::Edited {
                message,
                events: Vec::new(),
            })
        }
        MessageEdit::Revoke { .. } => {
            conn.prepare_cached(
                "UPDATE messages SET revoked = 1
                 WHERE sdk_app_id = ?1 AND conv_key = ?2 AND seq = ?3",
            )?
            .execute(params![app, conv.conv_key, seq])?;
            message.revoked = true;
        }
        MessageEdit::Modify(body) => {
            let body_json = serde_json::to_string(body)
                .map_err(|e| StoreError::Corrupt(format!("encoding a message body: {e}")))?;
            conn.prepare_cached(
                "UPDATE messages SET body_json = ?4
                 WHERE sdk_app_id = ?1 AND conv_key = ?2 AND seq = ?3",
            )?
            .execute(params![app, conv.conv_key, seq, body_json])?;
            message.body = body.clone();
        }
    }
    let mut logged = Vec::new();
    for (owner, conversation_id) in holders(conn, app, &conv.conv_key, seq)? {
        let push = push_for(&message, &conversation_id);
        logged.push(events::append(conn, app, &owner, push, now)?);
    }
    Ok(EditOutcome::Edited {
        message,
        events: logged,
    })
}

/// The users whose view of thread `conv_key` holds its message `seq`, and their conversation.
fn holders(
    conn: &Connection,
    app: i64,
    conv_key: &str,
    seq: i64,
) -> StoreResult<Vec<(String, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT c.owner, c.conversation_id FROM conversations c
             WHERE c.sdk_app_id = ?1 AND c.conv_key = ?2 AND c.visible = 1
               AND c.cleared_seq < ?3 AND (c.left_seq IS NULL OR c.left_seq >= ?3)
               AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                               WHERE h.sdk_app_id = ?1 AND h.owner = c.owner
                                 AND h.conv_key = ?2 AND h.seq = ?3)
             ORDER BY c.owner",
        )?
        .query_map(params![app, conv_key, seq], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

/// [`crate::store::Store::hide_messages`] inside the caller's transaction.
pub(super) fn hide(
    conn: &Connection,
    app: i64,
    conv: &ConvRef,
    msg_ids: &[String],
) -> StoreResult<HideOutcome> {
    let row = visible_row(conn, app, &conv.owner, &conv.conversation_id)?;
    let mut hidden: Vec<StoredMessage> = Vec::with_capacity(msg_ids.len());
    for id in msg_ids {
        let found = match (&row, message_by_id(conn, app, &conv.conv_key, id)?) {
            (Some(row), Some(m))
                if m.seq > to_u64(row.cleared_seq)
                    && row.left_seq.is_none_or(|left| m.seq <= to_u64(left)) =>
            {
                m
            }
            // The caller's transaction is dropped on this outcome: nothing stays hidden.
            _ => return Ok(HideOutcome::NotFound(id.clone())),
        };
        conn.prepare_cached(
            "INSERT INTO hidden_messages (sdk_app_id, owner, conv_key, seq)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            app,
            conv.owner,
            conv.conv_key,
            i64::try_from(found.seq).unwrap_or(i64::MAX)
        ])?;
        hidden.push(found);
    }
    Ok(HideOutcome::Hidden(hidden))
}

/// [`crate::store::Store::trim_hidden`]: marks at or below their owner's watermark.
pub(super) fn trim_hidden(
    conn: &Connection,
    after: Option<&HiddenKey>,
    scan: u32,
) -> StoreResult<HiddenTrim> {
    let scanned = conn
        .prepare_cached(
            "SELECT h.sdk_app_id, h.owner, h.conv_key, h.seq,
                    EXISTS (SELECT 1 FROM conversations c
                            WHERE c.sdk_app_id = h.sdk_app_id AND c.owner = h.owner
                              AND c.conv_key = h.conv_key AND h.seq <= c.cleared_seq)
             FROM hidden_messages h
             WHERE ?1 IS NULL OR (h.sdk_app_id, h.owner, h.conv_key, h.seq) > (?1, ?2, ?3, ?4)
             ORDER BY h.sdk_app_id, h.owner, h.conv_key, h.seq
             LIMIT ?5",
        )?
        .query_map(
            params![
                after.map(|k| k.app),
                after.map(|k| k.owner.as_str()),
                after.map(|k| k.conv_key.as_str()),
                after.map(|k| k.seq),
                scan
            ],
            |r| {
                Ok((
                    HiddenKey {
                        app: r.get(0)?,
                        owner: r.get(1)?,
                        conv_key: r.get(2)?,
                        seq: r.get(3)?,
                    },
                    r.get::<_, bool>(4)?,
                ))
            },
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut forget = conn.prepare_cached(
        "DELETE FROM hidden_messages
         WHERE sdk_app_id = ?1 AND owner = ?2 AND conv_key = ?3 AND seq = ?4",
    )?;
    let mut trimmed = 0;
    for (key, _) in scanned.iter().filter(|(_, under)| *under) {
        trimmed += forget.execute(params![key.app, key.owner, key.conv_key, key.seq])? as u64;
    }
    Ok(HiddenTrim::of(scanned, scan, trimmed))
}
