//! Group system notices: messages from `@TIM#SYSTEM` in each user's own `@TIM#SYSTEM`
//! conversation (thread `system#<userID>`), stored, counted unread and logged like any message.
//! Deleting that conversation is an ordinary deletion (a watermark); the next notice brings it
//! back holding only itself.

use super::thread::{self, NewRow};
use super::{events, to_u64};
use crate::store::{ConvRef, StoreError, StoreResult, StoredMessage, UserEvent};
use rusqlite::Connection;
use tim_proto::conversation_id::SYSTEM_ID;
use tim_proto::model::WireBody;
use tim_proto::Push;

/// What a notice says (Tencent's group system notice fields).
#[derive(Debug, Clone, Copy)]
pub(super) struct Notice<'a> {
    /// One of `tim_proto::model::notice`.
    pub operation_type: u32,
    pub group_id: &'a str,
    pub group_name: &'a str,
    pub operator_id: &'a str,
}

/// Stores `notice` for `user_id` (whose user row must exist), brings their `@TIM#SYSTEM`
/// conversation back with one more unread, and logs it for them.
pub(super) fn send(
    conn: &Connection,
    app: i64,
    user_id: &str,
    notice: &Notice<'_>,
    now: i64,
) -> StoreResult<UserEvent> {
    let conv = ConvRef::system(user_id);
    let body = WireBody::GroupNotice {
        operation_type: notice.operation_type,
        group_id: notice.group_id.to_owned(),
        group_name: notice.group_name.to_owned(),
        operator_id: notice.operator_id.to_owned(),
    };
    let body_json = serde_json::to_string(&body)
        .map_err(|e| StoreError::Corrupt(format!("encoding a notice: {e}")))?;
    let seq = thread::next_seq(conn, app, &conv.conv_key)?;
    // Seqs never repeat in a thread, so neither do these IDs.
    let msg_id = format!("notice-{seq}");
    let activity = thread::insert_message(
        conn,
        app,
        &NewRow {
            conv_key: &conv.conv_key,
            seq,
            msg_id: &msg_id,
            from: SYSTEM_ID,
            to: user_id,
            body_json: &body_json,
            time: now,
        },
    )?;
    thread::one_more_unread(conn, app, &conv, now, activity)?;
    let stored = StoredMessage {
        seq: to_u64(seq),
        msg_id,
        from: SYSTEM_ID.to_owned(),
        to: user_id.to_owned(),
        body,
        time: now,
    };
    let push = Push::Message {
        message: stored.wire_in(&conv.conversation_id),
    };
    events::append(conn, app, user_id, push, now)
}
