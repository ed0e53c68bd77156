//! Commits the open send transaction once it is due (`--send-commit-ms` after it opened), so that sends reach the
//! database file (and other connections: the CLI, a second process) within that time even when
//! nothing else writes. Woken by the store when it opens one; stops with the store.

use super::deferred::Db;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Mutex, PoisonError, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Wait before retrying a commit that failed.
const RETRY: Duration = Duration::from_millis(100);

pub(super) struct Flusher {
    thread: Option<JoinHandle<()>>,
}

impl Flusher {
    /// Starts the thread; the sender is the store's to wake it with. The thread stops once the
    /// store (the only strong owner of `db`) and with it the sender are gone.
    pub fn start(db: Weak<Mutex<Db>>) -> std::io::Result<(Flusher, SyncSender<()>)> {
        let (wake, woken) = sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("tim-flusher".into())
            .spawn(move || run(&db, &woken))?;
        Ok((
            Flusher {
                thread: Some(thread),
            },
            wake,
        ))
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(db: &Weak<Mutex<Db>>, woken: &Receiver<()>) {
    while woken.recv().is_ok() {
        // Until no transaction is open: one may be opened again while the last is committed.
        loop {
            let Some(due) = commit_if_due(db) else { return };
            let Some(due) = due else { break };
            match woken.recv_timeout(due.saturating_duration_since(Instant::now())) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

/// Commits the open transaction if it is due. `None`: the store is gone; `Some(None)`: no
/// transaction is open; `Some(Some(t))`: one is, due at `t`.
fn commit_if_due(db: &Weak<Mutex<Db>>) -> Option<Option<Instant>> {
    let shared = db.upgrade()?;
    let mut db = shared.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(due) = db.due() else {
        return Some(None);
    };
    if Instant::now() < due {
        return Some(Some(due));
    }
    if let Err(e) = db.settle() {
        tracing::error!("committing deferred sends failed: {e}");
    }
    // Still open only if the commit failed and so did its replay: look again in a while.
    Some(db.due().map(|_| Instant::now() + RETRY))
}
