//! Checkpoints on a thread of their own. In WAL mode commits append to the log, and a
//! checkpoint copies the log back into the database file so the log can start over. SQLite
//! does that inside whichever commit crosses the threshold, on the thread that commits, which
//! here is the one thread every send waits on. A second connection does it instead, in the
//! background (PASSIVE: it never blocks the writer), a few times a second.

use rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

/// The main connection's own automatic checkpoint, kept as a backstop for when this thread
/// cannot keep up: at 16,384 pages (64 MiB of log) it checkpoints anyway.
pub(super) const BACKSTOP_PAGES: i64 = 16_384;
/// How often the log is copied back.
const EVERY: Duration = Duration::from_millis(100);

/// The running thread; dropping this stops it and waits for it, so its connection is closed
/// by the time the store is gone (a seeder or a test may then reopen the file exclusively).
pub(super) struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // It only ever returns; a panic inside is already reported on stderr.
            let _ = thread.join();
        }
    }
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` (already open in WAL mode). `None`, with a
    /// warning, if its connection or thread cannot start.
    pub(super) fn start(path: &Path) -> Option<Self> {
        let conn = match open(path) {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!("background checkpoints off: {e}");
                return None;
            }
        };
        let (stop, stopped) = mpsc::channel::<()>();
        let spawned = std::thread::Builder::new()
            .name("tim-checkpoint".into())
            .spawn(move || run(&conn, &stopped));
        match spawned {
            Ok(thread) => Some(Checkpointer {
                stop: Some(stop),
                thread: Some(thread),
            }),
            Err(e) => {
                tracing::warn!("background checkpoints off: {e}");
                None
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

fn run(conn: &Connection, stopped: &mpsc::Receiver<()>) {
    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
        // Nothing new in the log costs one cheap read of the log's header.
        let result = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(0));
        if let Err(e) = result {
            tracing::warn!("checkpoint failed (the writer's backstop still applies): {e}");
        }
    }
}
