//! Group system notices: messages from `@TIM#SYSTEM` in each user's own `@TIM#SYSTEM`
//! conversation (thread `system#<userID>`), stored, counted unread and logged like any message.
//! Deleting that conversation is an ordinary deletion (a watermark); the next notice brings it
//! back holding only itself.

use super::events;
use super::thread::{self, NewRow};
use crate::store::{ConvRef, StoreResult, UserEvent};
use rusqlite::Connection;
use tim_proto::conversation_id::SYSTEM_ID;
use tim_proto::model::WireBody;

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
    let appended = thread::append(
        conn,
        app,
        &NewRow {
            conv_key: &conv.conv_key,
            from: SYSTEM_ID,
            to: user_id,
            body: &body,
            time: now,
            receipt: None,
        },
        // Seqs never repeat in a thread, so neither do these IDs.
        |seq| format!("notice-{seq}"),
    )?;
    thread::one_more_unread(conn, app, &conv, now, appended.activity)?;
    let wire = appended.message.wire_in(&conv.conversation_id);
    events::append_message(conn, app, user_id, None, &conv.conv_key, wire, now)
}
