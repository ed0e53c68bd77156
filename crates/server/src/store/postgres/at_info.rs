//! A group conversation's unread @ messages, read from PostgreSQL (see store/at_info.rs).

use super::{query, Tx};
use crate::store::at_info::{pairs, scan_len, AT_LIST_MARK};
use crate::store::StoreResult;

/// The `seq, at_type` pairs of the owner's unread @ messages in `conv_key` (the conversation
/// `conversation_id`, with `unread` unread messages above `cleared_seq`, at or below `left_seq`
/// for a group the owner left), neither revoked nor hidden by the owner (deleteMessage). One
/// step down the primary-key index per unread message, one more per @ message.
pub(super) async fn unread_at(
    tx: &Tx<'_>,
    app: i64,
    owner: &str,
    conversation_id: &str,
    conv_key: &str,
    (cleared_seq, left_seq, unread): (i64, Option<i64>, i64),
) -> StoreResult<Vec<u64>> {
    let scan = scan_len(conversation_id, unread);
    if scan == 0 {
        return Ok(Vec::new());
    }
    let rows = query(
        tx,
        "SELECT seq, body_json FROM (
             SELECT seq, body_json, revoked FROM messages
             WHERE sdk_app_id = $1 AND conv_key = $2 AND seq > $3 AND seq <= $4
               AND from_user <> $5
             ORDER BY seq DESC LIMIT $6) AS unread
         WHERE strpos(body_json, $7) > 0 AND NOT revoked
           AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                           WHERE h.sdk_app_id = $1 AND h.owner = $5
                             AND h.conv_key = $2 AND h.seq = unread.seq)
         ORDER BY seq",
        &[
            &app,
            &conv_key,
            &cleared_seq,
            &left_seq.unwrap_or(i64::MAX),
            &owner,
            &scan,
            &AT_LIST_MARK,
        ],
    )
    .await?;
    let mut found = Vec::with_capacity(rows.len());
    for r in rows {
        found.push((r.try_get(0)?, r.try_get(1)?));
    }
    pairs(found, owner)
}
