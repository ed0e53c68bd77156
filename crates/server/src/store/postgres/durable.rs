//! Durable sends without the writer waiting for each batch's WAL flush: a batch's transaction
//! runs on a task of the store's runtime, which hands the outcomes back to the writer as soon
//! as its statements are done and then sends COMMIT (a synchronous commit, as every other
//! write). The writer applies the next batch at once, on another pooled connection, while that
//! commit waits for the flush (PostgreSQL flushes concurrent commits together); the batch's
//! sync step (`SyncSends`, run before anyone is answered) waits for its commit and for every
//! earlier batch's, so an answer still means "flushed to disk".
//!
//! Why not `synchronous_commit = off` plus a barrier commit: PostgreSQL commits a transaction
//! that wrote no WAL of its own asynchronously even with `synchronous_commit` on (a barrier of
//! `SELECT txid_current()` returns before anything is flushed: measured, the WAL syncs hardly
//! rose), so a barrier would have to write a row; asynchronous commits are also visible to
//! other nodes before they are durable, and a restart between commit and barrier must be
//! detected. Commits in flight keep every commit synchronous: nothing is visible before it is
//! durable, and a commit that fails (the connection lost in a restart) fails its sends.
//!
//! A batch holds its rows' locks until its commit is flushed, so a later batch touching the
//! same thread or user waits for it (their order is kept); disjoint batches overlap.

use super::{lost_race, send, Pool, StoreError, StoreResult, ATTEMPTS};
use crate::store::{GroupRefusal, SendItem, SendOutcome, SyncSends};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

type Outcomes = Vec<Result<SendOutcome, GroupRefusal>>;

/// The commits in flight.
pub(super) struct Commits {
    pool: Pool,
    runtime: tokio::runtime::Handle,
    /// Batches whose commit was sent and not yet waited for: (number, its result), oldest first.
    pending: Mutex<VecDeque<(u64, oneshot::Receiver<StoreResult<()>>)>>,
    next_batch: AtomicU64,
    /// A step failed and the writer has not asked [`Commits::flush`] yet: it must fail too.
    failed: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn lost() -> StoreError {
    StoreError::PostgresUnavailable("the commit of a batch of sends was lost".into())
}

impl Commits {
    pub(super) fn new(pool: Pool, runtime: tokio::runtime::Handle) -> Arc<Commits> {
        Arc::new(Commits {
            pool,
            runtime,
            pending: Mutex::new(VecDeque::new()),
            next_batch: AtomicU64::new(1),
            failed: AtomicBool::new(false),
        })
    }

    fn block_on<T>(&self, fut: impl std::future::Future<Output = T>) -> T {
        let _context = self.runtime.enter();
        futures::executor::block_on(tokio::task::unconstrained(fut))
    }

    /// Applies `batch` in one transaction and sends its COMMIT without waiting for it: the
    /// outcomes, and the step that waits for this commit and every earlier one. An error: the
    /// batch was not applied (rolled back).
    pub(super) fn apply(
        self: &Arc<Self>,
        batch: &[SendItem],
    ) -> StoreResult<(Outcomes, SyncSends)> {
        let (outcomes_tx, outcomes_rx) = oneshot::channel::<StoreResult<Outcomes>>();
        let (commit_tx, commit_rx) = oneshot::channel();
        let items = batch.to_vec();
        let pool = self.pool.clone();
        // Numbered before the task starts, so that batches wait in the writer's order.
        let n = {
            let mut pending = lock(&self.pending);
            let n = self.next_batch.fetch_add(1, Ordering::Relaxed);
            pending.push_back((n, commit_rx));
            n
        };
        self.runtime.spawn(async move {
            let mut outcomes_tx = Some(outcomes_tx);
            let committed = run_batch(&pool, &items, &mut outcomes_tx).await;
            let _ = commit_tx.send(committed);
        });
        let outcomes = self.block_on(outcomes_rx).unwrap_or_else(|_| Err(lost()));
        match outcomes {
            Ok(outcomes) => {
                let commits = Arc::clone(self);
                Ok((outcomes, Box::new(move || commits.wait(Some(n)))))
            }
            Err(e) => {
                // Nothing of it to wait for.
                lock(&self.pending).retain(|(b, _)| *b != n);
                Err(e)
            }
        }
    }

    /// Waits for the commits of the batches up to `upto` (all: `None`).
    fn wait(&self, upto: Option<u64>) -> StoreResult<()> {
        let waiting: Vec<_> = {
            let mut pending = lock(&self.pending);
            let n = pending
                .iter()
                .take_while(|(b, _)| upto.is_none_or(|u| *b <= u))
                .count();
            pending.drain(..n).collect()
        };
        let mut outcome = Ok(());
        for (_, commit) in waiting {
            let result = self.block_on(commit).unwrap_or_else(|_| Err(lost()));
            if let Err(e) = result {
                tracing::error!("a batch of sends failed to commit: {e}");
                if outcome.is_ok() {
                    outcome = Err(e);
                }
            }
        }
        if outcome.is_err() {
            self.failed.store(true, Ordering::Release);
        }
        outcome
    }

    /// Every batch applied so far committed, or an error; fails once after a failed step (the
    /// writer asks this before failing that step's sends).
    pub(super) fn flush(&self) -> StoreResult<()> {
        if self.failed.swap(false, Ordering::AcqRel) {
            return Err(lost());
        }
        self.wait(None)
    }
}

/// The batch's transaction: its outcomes go to `outcomes` once its statements are done (run
/// again from the start when it loses a race), then the COMMIT's result is returned.
async fn run_batch(
    pool: &Pool,
    items: &[SendItem],
    outcomes: &mut Option<oneshot::Sender<StoreResult<Outcomes>>>,
) -> StoreResult<()> {
    let mut attempt = 1;
    loop {
        match once(pool, items, outcomes).await {
            // Handed over: what is left is the commit's result.
            done if outcomes.is_none() => return done,
            Err(StoreError::Postgres(e)) if attempt < ATTEMPTS && lost_race(&e) => {
                tracing::debug!(
                    attempt,
                    "a batch of sends lost a race ({e}); running it again"
                );
                attempt += 1;
            }
            failed => {
                if let Some(to) = outcomes.take() {
                    let _ = to.send(failed.and(Err(lost())));
                }
                return Err(lost());
            }
        }
    }
}

/// One run of the batch's transaction: the outcomes handed over, then COMMIT.
async fn once(
    pool: &Pool,
    items: &[SendItem],
    outcomes: &mut Option<oneshot::Sender<StoreResult<Outcomes>>>,
) -> StoreResult<()> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let done = send::apply(&tx, items).await?;
    if let Some(to) = outcomes.take() {
        let _ = to.send(Ok(done));
    }
    Ok(tx.commit().await?)
}
