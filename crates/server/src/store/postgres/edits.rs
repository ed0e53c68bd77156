//! Revoking, modifying and hiding messages in PostgreSQL (see `store/edits.rs`).

use super::{
    events, execute, lock_thread, message_by_id, query, query_opt, to_u64, visible_row, Tx,
};
use crate::store::edits::{push_for, refusal};
use crate::store::{
    ConvRef, EditOutcome, HiddenKey, HiddenTrim, HideOutcome, MessageEdit, StoreError, StoreResult,
    StoredMessage,
};

/// [`crate::store::Store::edit_message`] inside the caller's transaction. The thread's row lock
/// orders it with sends, deletions and other edits of the thread.
pub(super) async fn edit(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    msg_id: &str,
    edit: &MessageEdit,
    now: i64,
) -> StoreResult<EditOutcome> {
    lock_thread(tx, app, &conv.conv_key).await?;
    let Some(mut message) = message_by_id(tx, app, &conv.conv_key, msg_id).await? else {
        return Ok(EditOutcome::NotFound);
    };
    let limit: i64 = query_opt(
        tx,
        "SELECT revoke_time_limit FROM apps WHERE sdk_app_id = $1",
        &[&app],
    )
    .await?
    .map(|r| r.try_get(0))
    .transpose()?
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
            execute(
                tx,
                "UPDATE messages SET revoked = TRUE
                 WHERE sdk_app_id = $1 AND conv_key = $2 AND seq = $3",
                &[&app, &conv.conv_key, &seq],
            )
            .await?;
            message.revoked = true;
        }
        MessageEdit::Modify(body) => {
            let body_json = serde_json::to_string(body)
                .map_err(|e| StoreError::Corrupt(format!("encoding a message body: {e}")))?;
            execute(
                tx,
                "UPDATE messages SET body_json = $4
                 WHERE sdk_app_id = $1 AND conv_key = $2 AND seq = $3",
                &[&app, &conv.conv_key, &seq, &body_json],
            )
            .await?;
            message.body = body.clone();
        }
    }
    // The users whose view of the thread holds the message, and their conversation.
    let rows = query(
        tx,
        "SELECT c.owner, c.conversation_id FROM conversations c
         WHERE c.sdk_app_id = $1 AND c.conv_key = $2 AND c.visible
           AND c.cleared_seq < $3 AND (c.left_seq IS NULL OR c.left_seq >= $3)
           AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                           WHERE h.sdk_app_id = $1 AND h.owner = c.owner
                             AND h.conv_key = $2 AND h.seq = $3)
         ORDER BY c.owner",
        &[&app, &conv.conv_key, &seq],
    )
    .await?;
    let mut logged = Vec::with_capacity(rows.len());
    for r in rows {
        let (owner, conversation_id): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        let push = push_for(&message, &conversation_id);
        logged.push(events::append(tx, app, &owner, push, now).await?);
    }
    Ok(EditOutcome::Edited {
        message,
        events: logged,
    })
}

/// [`crate::store::Store::hide_messages`] inside the caller's transaction (rolled back by the
/// caller on [`HideOutcome::NotFound`]).
pub(super) async fn hide(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    msg_ids: &[String],
) -> StoreResult<HideOutcome> {
    let row = visible_row(tx, app, &conv.owner, &conv.conversation_id, false).await?;
    let mut hidden: Vec<StoredMessage> = Vec::with_capacity(msg_ids.len());
    for id in msg_ids {
        let found = match (&row, message_by_id(tx, app, &conv.conv_key, id).await?) {
            (Some(row), Some(m))
                if m.seq > to_u64(row.cleared_seq)
                    && row.left_seq.is_none_or(|left| m.seq <= to_u64(left)) =>
            {
                m
            }
            _ => return Ok(HideOutcome::NotFound(id.clone())),
        };
        let seq = i64::try_from(found.seq).unwrap_or(i64::MAX);
        execute(
            tx,
            "INSERT INTO hidden_messages (sdk_app_id, owner, conv_key, seq)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&app, &conv.owner, &conv.conv_key, &seq],
        )
        .await?;
        hidden.push(found);
    }
    Ok(HideOutcome::Hidden(hidden))
}

/// [`crate::store::Store::trim_hidden`]: marks at or below their owner's watermark.
pub(super) async fn trim_hidden(
    tx: &Tx<'_>,
    after: Option<&HiddenKey>,
    scan: u32,
) -> StoreResult<HiddenTrim> {
    let rows = query(
        tx,
        "SELECT h.sdk_app_id, h.owner, h.conv_key, h.seq,
                EXISTS (SELECT 1 FROM conversations c
                        WHERE c.sdk_app_id = h.sdk_app_id AND c.owner = h.owner
                          AND c.conv_key = h.conv_key AND h.seq <= c.cleared_seq)
         FROM hidden_messages h
         WHERE $1::bigint IS NULL
            OR (h.sdk_app_id, h.owner, h.conv_key, h.seq) > ($1, $2::text, $3::text, $4::bigint)
         ORDER BY h.sdk_app_id, h.owner, h.conv_key, h.seq
         LIMIT $5",
        &[
            &after.map(|k| k.app),
            &after.map(|k| k.owner.as_str()),
            &after.map(|k| k.conv_key.as_str()),
            &after.map(|k| k.seq),
            &i64::from(scan),
        ],
    )
    .await?;
    let mut scanned = Vec::with_capacity(rows.len());
    for r in rows {
        let key = HiddenKey {
            app: r.try_get(0)?,
            owner: r.try_get(1)?,
            conv_key: r.try_get(2)?,
            seq: r.try_get(3)?,
        };
        scanned.push((key, r.try_get::<_, bool>(4)?));
    }
    // The trimmable ones in one statement: their keys as arrays.
    let under: Vec<&HiddenKey> = scanned.iter().filter(|(_, u)| *u).map(|(k, _)| k).collect();
    let trimmed = if under.is_empty() {
        0
    } else {
        execute(
            tx,
            "DELETE FROM hidden_messages h
             USING unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[]) AS k(app, owner, conv_key, seq)
             WHERE h.sdk_app_id = k.app AND h.owner = k.owner
               AND h.conv_key = k.conv_key AND h.seq = k.seq",
            &[
                &under.iter().map(|k| k.app).collect::<Vec<_>>(),
                &under.iter().map(|k| k.owner.as_str()).collect::<Vec<_>>(),
                &under.iter().map(|k| k.conv_key.as_str()).collect::<Vec<_>>(),
                &under.iter().map(|k| k.seq).collect::<Vec<_>>(),
            ],
        )
        .await?
    };
    Ok(HiddenTrim::of(scanned, scan, trimmed))
}
