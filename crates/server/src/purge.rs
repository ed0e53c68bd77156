//! Background housekeeping: physically deleting messages nobody can see any more.
//!
//! Deletion itself only moves a watermark (O(1) in the request); this task reclaims the space
//! later, in small batches so it never holds the database for long.

use crate::clock::unix_now;
use crate::store::Store;
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

/// Removes every currently invisible message, batch by batch. Returns how many went.
pub async fn purge_once(store: &Arc<dyn Store>) -> u64 {
    let mut total = 0;
    loop {
        let s = Arc::clone(store);
        let sent_before = unix_now().saturating_sub(PURGE_MIN_AGE_SECS);
        let job = move || s.purge_invisible(PURGE_BATCH, sent_before);
        match tokio::task::spawn_blocking(job).await {
            Ok(Ok(n)) => {
                total += n;
                if n < u64::from(PURGE_BATCH) {
                    return total;
                }
            }
            Ok(Err(e)) => {
                tracing::warn!("purge failed: {e}");
                return total;
            }
            Err(e) => {
                tracing::warn!("purge task failed: {e}");
                return total;
            }
        }
    }
}

/// Purges every [`PURGE_INTERVAL`] until `stop` turns true.
pub async fn run_purge(store: Arc<dyn Store>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(PURGE_INTERVAL) => {}
        }
        let n = purge_once(&store).await;
        if n > 0 {
            tracing::info!(messages = n, "purged messages nobody can see");
        }
    }
}
