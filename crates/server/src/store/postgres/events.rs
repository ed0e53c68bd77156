//! The per-user event log in PostgreSQL, stored as SQLite stores it (`store/event_codec.rs`).
//!
//! A user's newest number is `users.last_ev`, bumped with `UPDATE .. RETURNING` in the
//! transaction that logs: the row lock makes a second node's transaction for the same user wait
//! until the first commits, then number after it. So numbers are dense, never reused (a rolled
//! back bump gives its number back), and increase in commit order.

use super::{execute, message_at, query, query_opt, to_i64, to_u64, Tx};
use crate::store::event_codec::{self, Stored};
use crate::store::{Catchup, StoreError, StoreResult, UserEvent};
use tim_proto::frame::LoggedEvent;
use tim_proto::{Push, WireMessage};

/// Appends `push` to `user_id`'s log (the user row must exist) and returns the entry.
pub(super) async fn append(
    tx: &Tx<'_>,
    app: i64,
    user_id: &str,
    push: Push,
    time: i64,
) -> StoreResult<UserEvent> {
    let ev = next_number(tx, app, user_id).await?;
    let (kind, payload) = event_codec::encode(&push)?;
    insert(tx, app, user_id, ev, &kind, &payload, time).await?;
    Ok(UserEvent {
        user_id: user_id.to_owned(),
        ev: to_u64(ev),
        push,
    })
}

/// Hands out `user_id`'s next event number (the user row must exist).
async fn next_number(tx: &Tx<'_>, app: i64, user_id: &str) -> StoreResult<i64> {
    let row = query_opt(
        tx,
        "UPDATE users SET last_ev = last_ev + 1 WHERE sdk_app_id = $1 AND user_id = $2
         RETURNING last_ev",
        &[&app, &user_id],
    )
    .await?;
    match row {
        Some(r) => Ok(r.try_get(0)?),
        None => Err(StoreError::Corrupt(format!("no user row for {user_id}"))),
    }
}

/// Writes an entry for a message of thread `conv_key` under `ev` (handed out in this
/// transaction, or numbered here when `None`), storing only where the message is.
pub(super) async fn append_message(
    tx: &Tx<'_>,
    app: i64,
    user_id: &str,
    ev: Option<i64>,
    conv_key: &str,
    message: WireMessage,
    time: i64,
) -> StoreResult<UserEvent> {
    let ev = match ev {
        Some(ev) => ev,
        None => next_number(tx, app, user_id).await?,
    };
    let payload = event_codec::encode_message_at(conv_key, &message)?;
    insert(
        tx,
        app,
        user_id,
        ev,
        event_codec::MESSAGE_AT,
        &payload,
        time,
    )
    .await?;
    Ok(UserEvent {
        user_id: user_id.to_owned(),
        ev: to_u64(ev),
        push: Push::Message { message },
    })
}

async fn insert(
    tx: &Tx<'_>,
    app: i64,
    user_id: &str,
    ev: i64,
    kind: &str,
    payload: &str,
    time: i64,
) -> StoreResult<()> {
    execute(
        tx,
        "INSERT INTO user_events (sdk_app_id, user_id, ev, kind, payload_json, time)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[&app, &user_id, &ev, &kind, &payload, &time],
    )
    .await?;
    Ok(())
}

/// What a session resuming after `after` missed; inside one snapshot, so the newest number and
/// the entries agree.
pub(super) async fn catch_up(
    tx: &Tx<'_>,
    app: i64,
    user_id: &str,
    after: Option<u64>,
    max_missed: u32,
    page: u32,
) -> StoreResult<Catchup> {
    let latest = query_opt(
        tx,
        "SELECT last_ev FROM users WHERE sdk_app_id = $1 AND user_id = $2",
        &[&app, &user_id],
    )
    .await?
    .map(|r| r.try_get::<_, i64>(0))
    .transpose()?
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
    // Ahead of the log: the client remembers a history this database never had.
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
    let rows = query(
        tx,
        "SELECT ev, kind, payload_json FROM user_events
         WHERE sdk_app_id = $1 AND user_id = $2 AND ev > $3 AND ev <= $4
         ORDER BY ev",
        &[&app, &user_id, &to_i64(after), &to_i64(end)],
    )
    .await?;
    // Numbers are dense, so anything but one row per number means part was trimmed.
    if rows.len() as u64 != span {
        return Ok(nothing(true));
    }
    let mut missed = Vec::with_capacity(rows.len());
    for r in rows {
        let (ev, kind, payload): (i64, String, String) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let push = match event_codec::decode(&kind, &payload)? {
            Stored::Push(push) => push,
            Stored::MessageAt(at) => {
                let seq = to_i64(at.seq);
                // A message purged since: what was missed can no longer be replayed.
                let Some(m) = message_at(tx, app, &at.conv_key, seq).await? else {
                    return Ok(nothing(true));
                };
                Push::Message {
                    message: m.wire_in(&at.conversation_id),
                }
            }
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
pub(super) async fn trim(
    tx: &Tx<'_>,
    keep_last: u64,
    logged_before: i64,
    max_rows: u32,
) -> StoreResult<u64> {
    execute(
        tx,
        "DELETE FROM user_events WHERE (sdk_app_id, user_id, ev) IN (
             SELECT e.sdk_app_id, e.user_id, e.ev FROM user_events e
             JOIN users u ON u.sdk_app_id = e.sdk_app_id AND u.user_id = e.user_id
             WHERE e.time < $2 AND e.ev <= u.last_ev - $1::BIGINT
             LIMIT $3)",
        &[&to_i64(keep_last), &logged_before, &i64::from(max_rows)],
    )
    .await
}
