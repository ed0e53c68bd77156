//! The per-user event log in SQLite: appended to inside the transaction of the change it
//! reports, read back for a reconnecting session, trimmed by the purge task.
//!
//! A user's newest number lives in `users.last_ev`, so numbers stay dense and never restart
//! even when old entries are trimmed. An entry stores the push's `kind` and its `value` as JSON,
//! except a message: it stores where the message is (`event_codec::MESSAGE_AT`), read back from the
//! messages table on catch-up. A message is logged for every party, and copying it into each
//! entry was the biggest single cost of a send.

use super::{bump, message_at, to_u64};
use crate::store::event_codec::{self, encode, Stored};
use crate::store::{Catchup, StoreResult, UserEvent};
use rusqlite::{params, Connection, OptionalExtension};
use tim_proto::frame::LoggedEvent;
use tim_proto::{Push, WireMessage};

/// Appends `push` to `user_id`'s log (the user row must exist) and returns the entry.
pub(super) fn append(
    conn: &Connection,
    app: i64,
    user_id: &str,
    push: Push,
    time: i64,
) -> StoreResult<UserEvent> {
    let ev = next_number(conn, app, user_id)?;
    append_numbered(conn, app, user_id, ev, push, time)
}

/// Hands out `user_id`'s next event number (the user row must exist).
fn next_number(conn: &Connection, app: i64, user_id: &str) -> StoreResult<i64> {
    bump_number(conn, app, user_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows.into())
}

/// Hands out `user_id`'s next event number, first recording the user if new (`time` is then
/// their creation time): the send path does this for both parties of every message.
pub(super) fn next_number_ensuring_user(
    conn: &Connection,
    app: i64,
    user_id: &str,
    time: i64,
) -> StoreResult<i64> {
    if let Some(ev) = bump_number(conn, app, user_id)? {
        return Ok(ev);
    }
    conn.prepare_cached(
        "INSERT INTO users (sdk_app_id, user_id, created_at, last_ev) VALUES (?1, ?2, ?3, 1)",
    )?
    .execute(params![app, user_id, time])?;
    Ok(1)
}

fn bump_number(conn: &Connection, app: i64, user_id: &str) -> rusqlite::Result<Option<i64>> {
    bump(
        conn,
        "UPDATE users SET last_ev = last_ev + 1 WHERE sdk_app_id = ?1 AND user_id = ?2",
        "SELECT last_ev FROM users WHERE sdk_app_id = ?1 AND user_id = ?2",
        params![app, user_id],
    )
}

/// Writes entry `ev` (handed out by [`next_number_ensuring_user`] in this transaction).
pub(super) fn append_numbered(
    conn: &Connection,
    app: i64,
    user_id: &str,
    ev: i64,
    push: Push,
    time: i64,
) -> StoreResult<UserEvent> {
    let (kind, payload) = encode(&push)?;
    insert(conn, app, user_id, ev, &kind, &payload, time)?;
    Ok(UserEvent {
        user_id: user_id.to_owned(),
        ev: to_u64(ev),
        push,
    })
}

/// Writes entry `ev` for a message of thread `conv_key` (handed out by
/// [`next_number_ensuring_user`] in this transaction, or numbered here when `ev` is `None`),
/// storing only where the message is.
pub(super) fn append_message(
    conn: &Connection,
    app: i64,
    user_id: &str,
    ev: Option<i64>,
    conv_key: &str,
    message: WireMessage,
    time: i64,
) -> StoreResult<UserEvent> {
    let ev = match ev {
        Some(ev) => ev,
        None => next_number(conn, app, user_id)?,
    };
    let payload = event_codec::encode_message_at(conv_key, &message)?;
    insert(
        conn,
        app,
        user_id,
        ev,
        event_codec::MESSAGE_AT,
        &payload,
        time,
    )?;
    Ok(UserEvent {
        user_id: user_id.to_owned(),
        ev: to_u64(ev),
        push: Push::Message { message },
    })
}

fn insert(
    conn: &Connection,
    app: i64,
    user_id: &str,
    ev: i64,
    kind: &str,
    payload: &str,
    time: i64,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO user_events (sdk_app_id, user_id, ev, kind, payload_json, time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![app, user_id, ev, kind, payload, time])?;
    Ok(())
}

/// Reads what a session resuming after `after` missed. Call inside one read transaction so the
/// newest number and the entries are one snapshot.
pub(super) fn catch_up(
    conn: &Connection,
    app: i64,
    user_id: &str,
    after: Option<u64>,
    max_missed: u32,
    page: u32,
) -> StoreResult<Catchup> {
    let latest = conn
        .prepare_cached("SELECT last_ev FROM users WHERE sdk_app_id = ?1 AND user_id = ?2")?
        .query_row(params![app, user_id], |r| r.get::<_, i64>(0))
        .optional()?
        .map_or(0, to_u64);
    let nothing = |resync_required| Catchup {
        latest,
        missed: Vec::new(),
        resync_required,
        more: false,
    };
    let Some(after) = after else {
        return Ok(nothing(false));
    };
    // Ahead of the log: the client remembers a history this database never had (it was
    // replaced or restored), so its state cannot be trusted.
    if after > latest {
        return Ok(nothing(true));
    }
    let span = latest - after;
    if span == 0 {
        return Ok(nothing(false));
    }
    if span > u64::from(max_missed) {
        return Ok(nothing(true));
    }
    // This page ends at `end`; the rest is asked for page by page.
    let end = latest.min(after.saturating_add(u64::from(page.max(1))));
    let span = end - after;
    let rows = conn
        .prepare_cached(
            "SELECT ev, kind, payload_json FROM user_events
             WHERE sdk_app_id = ?1 AND user_id = ?2 AND ev > ?3 AND ev <= ?4
             ORDER BY ev",
        )?
        .query_map(params![app, user_id, to_i64(after), to_i64(end)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // Numbers are dense, so anything but one row per number means part was trimmed.
    if rows.len() as u64 != span {
        return Ok(nothing(true));
    }
    let mut missed = Vec::with_capacity(rows.len());
    for (ev, kind, payload) in rows {
        // A message purged since (invisible to all its parties): what the session missed can
        // no longer be replayed entry by entry.
        let Some(push) = decode(conn, app, &kind, &payload)? else {
            return Ok(nothing(true));
        };
        missed.push(LoggedEvent {
            ev: to_u64(ev),
            push,
        });
    }
    Ok(Catchup {
        latest,
        missed,
        resync_required: false,
        more: end < latest,
    })
}

/// Deletes up to `max_rows` entries older than `logged_before` that are not among their user's
/// newest `keep_last`.
pub(super) fn trim(
    conn: &Connection,
    keep_last: u64,
    logged_before: i64,
    max_rows: u32,
) -> StoreResult<u64> {
    let deleted = conn
        .prepare_cached(
            "DELETE FROM user_events WHERE (sdk_app_id, user_id, ev) IN (
                 SELECT e.sdk_app_id, e.user_id, e.ev FROM user_events e
                 JOIN users u ON u.sdk_app_id = e.sdk_app_id AND u.user_id = e.user_id
                 WHERE e.time < ?2 AND e.ev <= u.last_ev - ?1
                 LIMIT ?3)",
        )?
        .execute(params![to_i64(keep_last), logged_before, max_rows])?;
    Ok(deleted as u64)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The push an entry stands for; `None` if it is a message that is gone.
fn decode(conn: &Connection, app: i64, kind: &str, payload: &str) -> StoreResult<Option<Push>> {
    match event_codec::decode(kind, payload)? {
        Stored::Push(push) => Ok(Some(push)),
        Stored::MessageAt(at) => {
            let seq = i64::try_from(at.seq).unwrap_or(i64::MAX);
            Ok(
                message_at(conn, app, &at.conv_key, seq)?.map(|m| Push::Message {
                    message: m.wire_in(&at.conversation_id),
                }),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::event_codec::MESSAGE_AT;
    use crate::store::migrations::migrate;
    use crate::store::StoreError;
    use serde_json::Value;
    use tim_proto::model::WireBody;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().expect("memory");
        migrate(&mut conn).expect("migrate");
        conn
    }

    #[test]
    fn pushes_other_than_messages_are_stored_whole() {
        let conn = db();
        let push = Push::ConversationDeleted {
            conversation_id: "C2Cbob".into(),
            cleared_seq: 4,
        };
        let (kind, payload) = encode(&push).expect("encode");
        assert_eq!(
            decode(&conn, 1, &kind, &payload).expect("decode"),
            Some(push)
        );
        for (kind, payload) in [
            ("conversationDeleted", "{\"conversationID\":1}"),
            ("explode", "{}"),
            ("message", "not json"),
            (MESSAGE_AT, "{\"c\":\"C2Cbob\"}"),
        ] {
            assert!(
                matches!(decode(&conn, 1, kind, payload), Err(StoreError::Corrupt(_))),
                "{kind} {payload}"
            );
        }
    }

    #[test]
    fn entries_keep_the_kind_and_value_rows_have_always_had() {
        let conn = db();
        // Rows as protocol 1 wrote them; protocol 2 writes the same.
        let rows = [
            (
                "conversationDeleted",
                r#"{"conversationID":"C2Cbob","clearedSeq":4}"#,
                Push::ConversationDeleted {
                    conversation_id: "C2Cbob".into(),
                    cleared_seq: 4,
                },
            ),
            (
                "conversationRead",
                r#"{"conversationID":"C2Cbob"}"#,
                Push::ConversationRead {
                    conversation_id: "C2Cbob".into(),
                    read_seq: 0,
                },
            ),
            ("groupsChanged", "null", Push::GroupsChanged),
        ];
        for (kind, payload, push) in rows {
            assert_eq!(
                decode(&conn, 1, kind, payload).expect("decode"),
                Some(push.clone())
            );
            let (k, p) = encode(&push).expect("encode");
            assert_eq!(k, kind);
            if kind != "conversationRead" {
                let same: Value = serde_json::from_str(payload).expect("json");
                assert_eq!(serde_json::from_str::<Value>(&p).expect("json"), same);
            }
        }
    }

    #[test]
    fn a_message_entry_is_read_back_from_its_thread_until_the_message_is_gone() {
        let conn = db();
        conn.execute_batch(
            "INSERT INTO apps (sdk_app_id, secret_key, admin_identifier, sync_conversation_deletion,
                               created_at) VALUES (1, 'k', 'administrator', 0, 0);
             INSERT INTO threads VALUES (1, 'alice|bob', 4);
             INSERT INTO messages (sdk_app_id, conv_key, seq, msg_id, from_user, to_user,
                                   body_json, time)
             VALUES (1, 'alice|bob', 4, 'm1', 'alice', 'bob', '{\"type\":\"text\",\"text\":\"hi\"}', 9);",
        )
        .expect("seed");
        let message = WireMessage {
            revoked: false,
            need_read_receipt: false,
            read_count: 0,
            unread_count: 0,
            id: "m1".into(),
            conversation_id: "C2Calice".into(),
            from: "alice".into(),
            to: "bob".into(),
            seq: 4,
            time: 9,
            body: WireBody::Text { text: "hi".into() },
            nick: String::new(),
            avatar: String::new(),
        };
        let payload = r#"{"c":"C2Calice","k":"alice|bob","s":4}"#;
        assert_eq!(
            decode(&conn, 1, MESSAGE_AT, payload).expect("decode"),
            Some(Push::Message { message })
        );
        conn.execute_batch("DELETE FROM messages").expect("purge");
        assert_eq!(decode(&conn, 1, MESSAGE_AT, payload).expect("decode"), None);
    }
}
