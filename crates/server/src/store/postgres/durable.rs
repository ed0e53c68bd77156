//! Durable sends without a WAL flush per batch: the group-commit writer's batches commit with
//! `SET LOCAL synchronous_commit = off` (the commit returns once its record is in PostgreSQL's
//! WAL buffers, not on disk), so the writer applies the next batch at once; before any sender
//! is answered, a *barrier* makes them durable: one small synchronous commit
//! (`SELECT txid_current()`, which assigns a transaction ID, so its commit writes a record and
//! waits for the WAL to be flushed up to it). The WAL is one sequence, so that flush covers
//! every commit record written before it: one barrier vouches for every batch committed before
//! it started (the writer runs only the newest step, see [`crate::group_commit`]).
//!
//! The catch is a restart between a batch's commit and its barrier: the unflushed commits are
//! gone, yet a barrier on the restarted server would succeed. `pg_postmaster_start_time()`
//! does not tell, as a crash of any backend makes the postmaster reinitialise shared memory
//! (the WAL buffers with it) without restarting itself. What does tell: every such restart,
//! crash, shutdown or failover ends *every* backend. So barriers run on one connection of
//! their own, held open, and a batch commits asynchronously only if that connection was
//! already open when the batch began (it records the connection's generation); a barrier that
//! succeeds on that same connection proves the server never restarted between the batch's
//! commit and the flush. Any other case (the barrier connection broke, or a batch began under
//! an earlier one) fails the sends with [`StoreError::PostgresUnavailable`] (60016): they may
//! or may not be kept, and resending them is safe (message IDs are applied once). With no
//! barrier connection at all, batches commit synchronously as before.
//!
//! What is given up: other sessions and nodes may read a batch's rows up to one barrier
//! (~1 ms) before they are durable, as SQLite's readers see its unsynced batches. A change
//! that builds on them (a deletion, a read) commits synchronously after them in the WAL, so it
//! makes them durable too.

use super::{Pool, StoreError, StoreResult};
use crate::store::SyncSends;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// The barrier's connection and what waits for it.
pub(super) struct Barrier {
    pool: Pool,
    runtime: tokio::runtime::Handle,
    /// The connection barriers run on and its generation; `None` once it broke.
    conn: Mutex<Option<(u64, deadpool_postgres::Object)>>,
    /// The generation of the open barrier connection; 0: none (batches commit synchronously).
    live: AtomicU64,
    next_generation: AtomicU64,
    /// Batches committed asynchronously and not yet vouched for: (number, the generation of
    /// the barrier connection open when they began), oldest first.
    pending: Mutex<VecDeque<(u64, u64)>>,
    next_batch: AtomicU64,
    /// A barrier failed and the writer has not asked [`Barrier::flush`] yet: it must fail too.
    failed: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn restarted() -> StoreError {
    StoreError::PostgresUnavailable(
        "PostgreSQL could not confirm that these sends reached its disk (the connection they \
         were committed under broke: a restart may have lost them); resending them is safe"
            .into(),
    )
}

impl Barrier {
    pub(super) fn new(pool: Pool, runtime: tokio::runtime::Handle) -> Arc<Barrier> {
        Arc::new(Barrier {
            pool,
            runtime,
            conn: Mutex::new(None),
            live: AtomicU64::new(0),
            next_generation: AtomicU64::new(1),
            pending: Mutex::new(VecDeque::new()),
            next_batch: AtomicU64::new(1),
            failed: AtomicBool::new(false),
        })
    }

    fn block_on<T>(&self, fut: impl std::future::Future<Output = T>) -> T {
        let _context = self.runtime.enter();
        futures::executor::block_on(tokio::task::unconstrained(fut))
    }

    /// The generation of the open barrier connection, opening one if there is none and no
    /// barrier is running; `None`: the next batch commits synchronously.
    pub(super) fn generation(&self) -> Option<u64> {
        let live = self.live.load(Ordering::Acquire);
        let Ok(mut conn) = self.conn.try_lock() else {
            // A barrier is running on it (if it fails, so will this batch's: conservative).
            return (live != 0).then_some(live);
        };
        if conn.as_ref().is_some_and(|(_, c)| c.is_closed()) {
            // Closed since its last barrier (PostgreSQL went away): the batches recorded
            // under it fail at their barrier; the next ones begin under a new connection.
            *conn = None;
            self.live.store(0, Ordering::Release);
        }
        if conn.is_none() {
            match self.block_on(self.pool.get()) {
                Ok(c) => {
                    let generation = self.next_generation.fetch_add(1, Ordering::Relaxed);
                    *conn = Some((generation, c));
                    self.live.store(generation, Ordering::Release);
                }
                Err(e) => {
                    tracing::warn!("no connection for send barriers ({e}); committing in line");
                    return None;
                }
            }
        }
        conn.as_ref().map(|(g, _)| *g)
    }

    /// Records a batch committed asynchronously after [`Barrier::generation`] said `generation`;
    /// the step that makes it (and every batch before it) durable.
    pub(super) fn applied(self: &Arc<Self>, generation: u64) -> SyncSends {
        let n = {
            let mut pending = lock(&self.pending);
            let n = self.next_batch.fetch_add(1, Ordering::Relaxed);
            pending.push_back((n, generation));
            n
        };
        let barrier = Arc::clone(self);
        Box::new(move || barrier.sync(Some(n)))
    }

    /// Makes the batches up to `upto` (all: `None`) durable, or fails them all.
    fn sync(&self, upto: Option<u64>) -> StoreResult<()> {
        let mut conn = lock(&self.conn);
        let covered: Vec<(u64, u64)> = {
            let mut pending = lock(&self.pending);
            let n = pending
                .iter()
                .take_while(|(b, _)| upto.is_none_or(|u| *b <= u))
                .count();
            pending.drain(..n).collect()
        };
        if covered.is_empty() {
            return Ok(());
        }
        let outcome = match conn.as_mut() {
            Some((generation, c)) if covered.iter().all(|(_, g)| g == generation) => {
                self.block_on(async {
                    let stmt = c.prepare_cached("SELECT txid_current()").await?;
                    c.query_one(&stmt, &[]).await?;
                    Ok::<_, StoreError>(())
                })
            }
            _ => Err(restarted()),
        };
        if let Err(e) = outcome {
            tracing::error!(batches = covered.len(), "a send barrier failed: {e}");
            // Whatever broke, the next batches begin under a new connection.
            *conn = None;
            self.live.store(0, Ordering::Release);
            self.failed.store(true, Ordering::Release);
            return Err(restarted());
        }
        Ok(())
    }

    /// Every batch applied so far durable, or an error; fails once after a failed barrier (the
    /// writer asks this before failing that barrier's sends).
    pub(super) fn flush(&self) -> StoreResult<()> {
        if self.failed.swap(false, Ordering::AcqRel) {
            return Err(restarted());
        }
        self.sync(None)
    }
}
