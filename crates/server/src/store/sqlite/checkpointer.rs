//! Checkpoints on a thread of their own. In WAL mode commits append to the log, and a
//! checkpoint copies the log back into the database file so the log can start over. SQLite
//! does that inside whichever commit crosses its threshold, on the thread that commits, which
//! here is the one thread every send waits on. Instead, the committing connection's WAL hook
//! only wakes this thread, which checkpoints on a second connection (PASSIVE: it never blocks
//! the writer). Checkpoints happen as often as SQLite's own would (every `WAKE_PAGES` pages of
//! log), so a lightly loaded server does no more I/O than before.

use rusqlite::hooks::Wal;
use rusqlite::wal::CheckpointMode;
use rusqlite::Connection;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Log size (pages) at which a checkpoint is due: SQLite's own default.
const WAKE_PAGES: i32 = 1000;
/// Log size at which the committing connection checkpoints itself after all: the thread has
/// fallen far behind (64 MiB of log).
const BACKSTOP_PAGES: i32 = 16_384;
/// Least time between two checkpoints.
const MIN_GAP: Duration = Duration::from_millis(50);

/// The running thread; dropping this stops it and waits for it, so its connection is closed
/// by the time the store is gone (a seeder or a test may then reopen the file exclusively).
pub(super) struct Checkpointer {
    wake: SyncSender<()>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Full means a wake-up is already pending, which also ends the wait.
        let _ = self.wake.try_send(());
        if let Some(thread) = self.thread.take() {
            // It only ever returns; a panic inside is already reported on stderr.
            let _ = thread.join();
        }
    }
}

impl Checkpointer {
    /// Starts checkpointing for `main` (the store's connection, open in WAL mode on `path`).
    /// If the thread cannot start, `main` keeps SQLite's own automatic checkpoints.
    pub(super) fn start(main: &mut Connection, path: &Path) -> Option<Self> {
        let conn = match open(path) {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!("background checkpoints off: {e}");
                return None;
            }
        };
        let (wake, woken) = mpsc::sync_channel::<()>(1);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("tim-checkpoint".into())
            .spawn(move || run(&conn, &woken, &stopped));
        let thread = match thread {
            Ok(thread) => thread,
            Err(e) => {
                tracing::warn!("background checkpoints off: {e}");
                return None;
            }
        };
        let nudge = wake.clone();
        // Replaces SQLite's automatic checkpoint (which is itself a WAL hook).
        let hooked = main.wal_hook(Some(move |wal: &mut Wal, pages: i32| {
            if pages >= BACKSTOP_PAGES {
                wal.checkpoint_v2(CheckpointMode::PASSIVE)?;
            } else if pages >= WAKE_PAGES {
                match nudge.try_send(()) {
                    Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
                }
            }
            Ok(())
        }));
        if let Err(e) = hooked {
            tracing::warn!("background checkpoints off: {e}");
            return None;
        }
        Some(Checkpointer {
            wake,
            stop,
            thread: Some(thread),
        })
    }
}

/// Checkpoints each time it is woken, but at most once per `MIN_GAP`: every commit past
/// `WAKE_PAGES` wakes it until the log starts over, and a checkpoint per commit would cost
/// an fsync of the database file per commit.
fn run(conn: &Connection, woken: &Receiver<()>, stop: &AtomicBool) {
    // Ends when told to stop, or when every sender (the handle, the hook) is gone.
    while woken.recv().is_ok() && !stop.load(Ordering::Acquire) {
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(0))
        {
            tracing::warn!("checkpoint failed (the backstop still applies): {e}");
        }
        // Wake-ups during the gap are folded into the next checkpoint.
        let until = Instant::now() + MIN_GAP;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match woken.recv_timeout(left) {
                Ok(()) if stop.load(Ordering::Acquire) => return,
                Ok(()) => {}
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    // FULL: the database file is synced before the log is reused.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // This connection never writes rows, so it never checkpoints on its own.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(conn)
}
