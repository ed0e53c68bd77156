//! A group conversation's unread @ messages (`WireConversation::at_info`, Tencent's
//! `groupAtInfoList`), derived at read time from the owner's unread messages: no column of its
//! own, so a read (unread 0), a deletion or a cleared history empties it with the row.
//!
//! The unread messages are the newest `unread` messages from others above the owner's
//! watermark (a group message counts one unread for every member but its sender; a read sets
//! the count to 0), at most `limits::MAX_AT_INFO_SCAN` of them. Each store reads those rows
//! whose body holds [`AT_LIST_MARK`] (the rest are never decoded), leaving out the revoked ones
//! (Tencent drops a revoked @ message for everyone) and those the owner deleted for themselves
//! (deleteMessage: for them only); [`pairs`] keeps the ones that mention the owner.

use super::{StoreError, StoreResult};
use tim_proto::limits::MAX_AT_INFO_SCAN;
use tim_proto::model::WireBody;

/// What every stored @ message body holds (the JSON key of its list).
pub const AT_LIST_MARK: &str = "\"atUserList\"";

/// How many of the newest messages from others to look through: `unread`, bounded; 0 for a
/// conversation other than a group's.
pub fn scan_len(conversation_id: &str, unread: i64) -> i64 {
    if !conversation_id.starts_with(tim_proto::conversation_id::GROUP_PREFIX) {
        return 0;
    }
    unread.clamp(0, i64::from(MAX_AT_INFO_SCAN))
}

/// `seq, at_type` pairs of the rows (`(seq, body_json)`, oldest first) that @-mention `owner`.
pub fn pairs(rows: Vec<(i64, String)>, owner: &str) -> StoreResult<Vec<u64>> {
    let mut out = Vec::new();
    for (seq, body_json) in rows {
        let body: WireBody = serde_json::from_str(&body_json)
            .map_err(|e| StoreError::Corrupt(format!("message {seq} body: {e}")))?;
        if let Some(at_type) = body.at_type_for(owner) {
            out.extend([u64::try_from(seq).unwrap_or(0), at_type]);
        }
    }
    Ok(out)
}
