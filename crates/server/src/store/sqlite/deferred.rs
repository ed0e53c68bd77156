//! The store's connection, with the send transaction it keeps open between commits.
//!
//! Committing every group of sends makes SQLite write every B-tree page each group touched
//! (a message in each of 256 conversations dirties a thousand pages or more), which capped the
//! server near 10,000 sends a second. So a group of sends is applied inside a transaction that
//! stays open, and is made durable by appending it to the send log (`send_log.rs`, one write
//! and one `fdatasync`) before anyone is answered. The open transaction is committed when it
//! has been open for `commit_after` (`--send-commit-ms`, the flusher thread's job), when it
//! holds [`MAX_DEFERRED`] sends, and before anything else writes: every other change keeps
//! its own durable commit, after every send before it. Reads run inside the open transaction, so they see every answered
//! send. After a crash, the log's groups the database lacks are replayed at open.
//!
//! If a commit or a log write fails, the open transaction is rolled back and the log replayed
//! into the database, so no answered send is lost; until that succeeds, every operation
//! retries it first and fails with its error.

use super::send_log::SendLog;
use super::{send, to_u64};
use crate::store::{GroupRefusal, SendItem, SendOutcome, StoreError, StoreResult, SyncSends};
use rusqlite::{params, Connection, TransactionBehavior};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most sends in the open transaction: bounds its dirty pages and the log's size.
const MAX_DEFERRED: usize = 65_536;

pub(super) struct Db {
    pub conn: Connection,
    /// `None` when another store on the same file owns the log: sends commit one group each.
    log: Option<SendLog>,
    /// Sends applied in the open transaction, and since when it is open.
    deferred: usize,
    opened: Option<Instant>,
    /// The number of the newest logged group, and of the newest known durable (synced in the
    /// log, or committed): reads wait for the ones between.
    last_logged: u64,
    synced: Arc<AtomicU64>,
    /// A failed commit or log write left answered sends only in the log.
    must_replay: bool,
    /// Tells the flusher a transaction was opened.
    wake: Option<SyncSender<()>>,
    /// How long the open transaction may stay open.
    commit_after: Duration,
}

type Outcomes = Vec<Result<SendOutcome, GroupRefusal>>;

impl Db {
    /// Takes over `conn` (migrated) and replays what the log holds beyond the database.
    pub fn open(conn: Connection, log: Option<SendLog>, commit_after: Duration) -> StoreResult<Db> {
        let mut db = Db {
            conn,
            log,
            deferred: 0,
            opened: None,
            last_logged: 0,
            synced: Arc::new(AtomicU64::new(0)),
            must_replay: false,
            wake: None,
            commit_after,
        };
        if db.log.is_some() {
            let replayed = db.replay()?;
            if replayed > 0 {
                tracing::info!(replayed, "replayed sends from the send log");
            }
        }
        Ok(db)
    }

    pub fn set_wake(&mut self, wake: SyncSender<()>) {
        self.wake = Some(wake);
    }

    pub fn owns_log(&self) -> bool {
        self.log.is_some()
    }

    /// When the open send transaction is due to be committed, if one is open.
    pub fn due(&self) -> Option<Instant> {
        self.opened.map(|opened| opened + self.commit_after)
    }

    /// Commits the open send transaction (or finishes a pending replay): what a clean stop and
    /// the flusher do.
    pub fn settle(&mut self) -> StoreResult<()> {
        if self.must_replay {
            return self.replay().map(drop);
        }
        if self.opened.is_none() {
            return Ok(());
        }
        self.commit()
    }

    /// Commits the transaction that is open. If that fails with sends in it, they are replayed
    /// from the log.
    fn commit(&mut self) -> StoreResult<()> {
        match self.conn.execute_batch("COMMIT") {
            Ok(()) => {
                self.committed();
                Ok(())
            }
            Err(e) if self.opened.is_some() => {
                tracing::error!("committing {} sends failed ({e}); replaying", self.deferred);
                self.must_replay = true;
                self.replay().map(drop)
            }
            Err(e) => {
                if !self.conn.is_autocommit() {
                    self.conn.execute_batch("ROLLBACK")?;
                }
                Err(e.into())
            }
        }
    }

    /// Runs a change other than a send inside the write transaction: the open send
    /// transaction if there is one (one durable commit for both), else a new IMMEDIATE one, so
    /// its checks and writes cannot interleave with another writer. `change` says whether to
    /// keep what it wrote (a refusal does not); either way the transaction is then committed,
    /// with the sends before it.
    pub fn change<T>(
        &mut self,
        change: impl FnOnce(&Connection) -> StoreResult<(T, bool)>,
    ) -> StoreResult<T> {
        if self.must_replay {
            self.replay()?;
        }
        if self.opened.is_none() {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
        }
        let changed = in_savepoint(&mut self.conn, change);
        let committed = self.commit();
        let value = changed?;
        committed?;
        Ok(value)
    }

    /// What an operation that reads needs: a pending replay done, and every applied send
    /// durable (a read must never show a send a crash could take back).
    pub fn ready_to_read(&mut self) -> StoreResult<()> {
        if self.must_replay {
            self.replay()?;
        }
        let logged = self.last_logged;
        if self.synced.load(Ordering::Acquire) < logged {
            if let Some(log) = &self.log {
                log.sync()?;
            }
            self.synced.fetch_max(logged, Ordering::AcqRel);
        }
        Ok(())
    }

    /// Applies `batch` in the open transaction and appends it to the log. The sends are durable
    /// once the returned step has run (on any thread; the next batch may be applied meanwhile).
    /// On an error nothing of the batch is kept (the log is replayed), and the caller may retry
    /// its sends one by one.
    pub fn send_logged(&mut self, batch: &[SendItem]) -> StoreResult<(Outcomes, SyncSends)> {
        if self.must_replay || self.deferred >= MAX_DEFERRED {
            self.settle()?;
        }
        if self.opened.is_none() {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
            self.opened = Some(Instant::now());
            if let Some(wake) = &self.wake {
                // Full: the flusher is already due to look.
                let _ = wake.try_send(());
            }
        }
        let n = self.last_logged + 1;
        match self.apply_and_log(n, batch) {
            Ok(outcomes) => {
                self.last_logged = n;
                self.deferred += batch.len();
                let sync = self.log.as_ref().map(SendLog::syncer);
                let synced = Arc::clone(&self.synced);
                let step: SyncSends = Box::new(move || {
                    if let Some(sync) = sync {
                        sync()?;
                    }
                    synced.fetch_max(n, Ordering::AcqRel);
                    Ok(())
                });
                Ok((outcomes, step))
            }
            Err(e) => {
                tracing::error!("a group of {} sends failed ({e}); replaying", batch.len());
                self.must_replay = true;
                if let Err(again) = self.replay() {
                    tracing::error!("replaying the send log failed: {again}");
                }
                Err(e)
            }
        }
    }

    fn apply_and_log(&mut self, n: u64, batch: &[SendItem]) -> StoreResult<Outcomes> {
        let outcomes = send::apply(&self.conn, batch)?;
        set_applied(&self.conn, n)?;
        if let Some(log) = &mut self.log {
            log.append(n, batch)?;
        }
        Ok(outcomes)
    }

    fn committed(&mut self) {
        self.synced.fetch_max(self.last_logged, Ordering::AcqRel);
        self.opened = None;
        self.deferred = 0;
        if let Some(log) = &mut self.log {
            log.restart();
        }
    }

    /// Rolls back any open transaction, then applies the logged groups the database lacks and
    /// commits them. Returns how many sends it applied.
    fn replay(&mut self) -> StoreResult<usize> {
        self.opened = None;
        self.deferred = 0;
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("ROLLBACK")?;
        }
        let Some(log) = &mut self.log else {
            self.must_replay = false;
            return Ok(0);
        };
        // Only the log's owner moves `applied`, so it can be read before the write lock.
        let mut applied = to_u64(self.conn.query_row(
            "SELECT applied FROM send_log_applied WHERE id = 1",
            [],
            |r| r.get::<_, i64>(0),
        )?);
        let missing: Vec<_> = log
            .records()?
            .into_iter()
            .filter(|r| r.n > applied)
            .collect();
        if missing.is_empty() {
            // The common case at open: nothing to write.
            self.last_logged = applied;
            self.must_replay = false;
            self.committed();
            return Ok(0);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut sends = 0;
        for record in missing {
            if record.n != applied + 1 {
                return Err(StoreError::Corrupt(format!(
                    "the send log goes on from group {} but the database stops at group \
                     {applied}: the database is older than its send log (restore the two \
                     together; or move the send log away to start without its sends)",
                    record.n
                )));
            }
            // A log written before C2C keys changed form (migration 6) names threads the
            // old way: keyed afresh, its sends land in the threads as they are keyed now.
            let items: Vec<_> = record
                .items
                .into_iter()
                .map(|mut item| {
                    item.conv = item.conv.rekeyed();
                    item
                })
                .collect();
            send::apply(&tx, &items)?;
            applied = record.n;
            sends += items.len();
        }
        set_applied(&tx, applied)?;
        tx.commit()?;
        self.last_logged = applied;
        self.must_replay = false;
        self.committed();
        Ok(sends)
    }
}

impl Drop for Db {
    /// A clean stop commits what the log holds, so the next open has nothing to replay.
    fn drop(&mut self) {
        if let Err(e) = self.settle() {
            tracing::error!("committing sends at shutdown failed ({e}); the log keeps them");
        }
    }
}

/// `change` in a savepoint: released if it keeps what it wrote, rolled back otherwise (also on
/// an error).
fn in_savepoint<T>(
    conn: &mut Connection,
    change: impl FnOnce(&Connection) -> StoreResult<(T, bool)>,
) -> StoreResult<T> {
    let savepoint = conn.savepoint()?;
    let (value, keep) = change(&savepoint)?;
    if keep {
        savepoint.commit()?;
    }
    Ok(value)
}

fn set_applied(conn: &Connection, n: u64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE send_log_applied SET applied = ?1 WHERE id = 1")?
        .execute(params![i64::try_from(n).unwrap_or(i64::MAX)])?;
    Ok(())
}
