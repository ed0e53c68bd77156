//! Background housekeeping: physically deleting messages nobody can see any more, trimming
//! the per-user event logs, forgetting old opIds, and removing uploads no message links to.
//!
//! Deletion itself only moves a watermark (O(1) in the request); this task reclaims the space
//! later, in small batches so it never holds the database for long.

use crate::clock::unix_now;
use crate::files::disk::Blobs;
use crate::store::{HiddenTrim, Store, StoreResult};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Rows removed per transaction.
pub const PURGE_BATCH: u32 = 1000;
/// Pause between rounds.
pub const PURGE_INTERVAL: Duration = Duration::from_secs(300);
/// Messages younger than this are kept even when invisible, so a client retrying an old send
/// (same message ID) still gets the stored message back instead of a new copy.
pub const PURGE_MIN_AGE_SECS: i64 = 24 * 3600;
/// Every user keeps at least their newest this many events...
pub const EVENT_KEEP_LAST: u64 = 10_000;
/// ...and every event younger than this. A client resuming from before what is kept is told to
/// resync.
pub const EVENT_KEEP_SECS: i64 = 7 * 24 * 3600;

/// How long an opId is remembered: a repeat within this time gets the first answer; after it,
/// the request is applied as new (a deletion up to a seq is then at most a no-op or a 2500).
pub const CLIENT_OP_KEEP_SECS: i64 = 7 * 24 * 3600;

/// An upload not sent within this long is removed (rows and bytes); so is one every message of
/// which was purged, once this old.
pub const UNSENT_FILE_KEEP_SECS: i64 = 24 * 3600;

/// Removes the uploads [`UNSENT_FILE_KEEP_SECS`] lets go: their rows first (nobody can be
/// served them after that), then their bytes. Returns how many went.
pub async fn purge_files_once(store: &Arc<dyn Store>, blobs: &Blobs) -> u64 {
    let before = unix_now().saturating_sub(UNSENT_FILE_KEEP_SECS);
    let mut total = 0;
    loop {
        let step = on_pool(store, "file purge", move |s| {
            s.take_stale_files(before, PURGE_BATCH)
        });
        let Some(taken) = step.await else {
            return total;
        };
        for (app, file_id) in &taken {
            blobs.forget(*app, file_id).await;
        }
        total += taken.len() as u64;
        if taken.len() < PURGE_BATCH as usize {
            return total;
        }
    }
}

/// Removes every currently invisible message, batch by batch. Returns how many went.
pub async fn purge_once(store: &Arc<dyn Store>) -> u64 {
    let sent_before = unix_now().saturating_sub(PURGE_MIN_AGE_SECS);
    in_batches(store, "purge", move |s| {
        s.purge_invisible(PURGE_BATCH, sent_before)
    })
    .await
}

/// Forgets every deleteMessage mark its owner's watermark has passed: one pass over the marks,
/// [`PURGE_BATCH`] looked at per transaction. Returns how many went.
pub async fn trim_hidden_once(store: &Arc<dyn Store>) -> u64 {
    let mut total = 0;
    let mut after = None;
    loop {
        let from = after.take();
        let step = on_pool(store, "hidden-mark trim", move |s| {
            s.trim_hidden(from.as_ref(), PURGE_BATCH)
        });
        let Some(HiddenTrim { trimmed, next }) = step.await else {
            return total;
        };
        total += trimmed;
        match next {
            Some(next) => after = Some(next),
            None => return total,
        }
    }
}

/// Trims every user's event log down to what [`EVENT_KEEP_LAST`] and [`EVENT_KEEP_SECS`] keep.
/// Returns how many entries went.
pub async fn trim_events_once(store: &Arc<dyn Store>) -> u64 {
    let logged_before = unix_now().saturating_sub(EVENT_KEEP_SECS);
    in_batches(store, "event trim", move |s| {
        s.trim_events(EVENT_KEEP_LAST, logged_before, PURGE_BATCH)
    })
    .await
}

/// Forgets every opId older than [`CLIENT_OP_KEEP_SECS`]. Returns how many went.
pub async fn trim_client_ops_once(store: &Arc<dyn Store>) -> u64 {
    let recorded_before = unix_now().saturating_sub(CLIENT_OP_KEEP_SECS);
    in_batches(store, "opId trim", move |s| {
        s.trim_client_ops(recorded_before, PURGE_BATCH)
    })
    .await
}

/// Repeats `batch` on the blocking pool until it removes less than a full batch or fails.
async fn in_batches<F>(store: &Arc<dyn Store>, what: &'static str, batch: F) -> u64
where
    F: Fn(&dyn Store) -> StoreResult<u64> + Clone + Send + 'static,
{
    let mut total = 0;
    loop {
        let Some(n) = on_pool(store, what, batch.clone()).await else {
            return total;
        };
        total += n;
        if n < u64::from(PURGE_BATCH) {
            return total;
        }
    }
}

/// Runs one step of housekeeping on the blocking pool (the store's calls block); `None`, logged,
/// if it failed: the next round tries again.
async fn on_pool<T, F>(store: &Arc<dyn Store>, what: &'static str, step: F) -> Option<T>
where
    F: FnOnce(&dyn Store) -> StoreResult<T> + Send + 'static,
    T: Send + 'static,
{
    let s = Arc::clone(store);
    match tokio::task::spawn_blocking(move || step(s.as_ref())).await {
        Ok(Ok(done)) => Some(done),
        Ok(Err(e)) => {
            tracing::warn!("{what} failed: {e}");
            None
        }
        Err(e) => {
            tracing::warn!("{what} task failed: {e}");
            None
        }
    }
}

/// Purges and trims (messages, deleteMessage marks, events, opIds, uploads) every [`PURGE_INTERVAL`] until `stop`
/// turns true.
pub async fn run_purge(store: Arc<dyn Store>, blobs: Arc<Blobs>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(PURGE_INTERVAL) => {}
        }
        let n = purge_once(&store).await;
        if n > 0 {
            tracing::info!(messages = n, "purged messages nobody can see");
        }
        let n = trim_hidden_once(&store).await;
        if n > 0 {
            tracing::info!(marks = n, "forgot deleteMessage marks below a watermark");
        }
        let n = trim_events_once(&store).await;
        if n > 0 {
            tracing::info!(events = n, "trimmed old events");
        }
        let n = trim_client_ops_once(&store).await;
        if n > 0 {
            tracing::info!(ops = n, "forgot old opIds");
        }
        // After the messages: a file whose last message just went goes in the same round.
        let n = purge_files_once(&store, &blobs).await;
        if n > 0 {
            tracing::info!(files = n, "removed uploads no message links to");
        }
    }
}
