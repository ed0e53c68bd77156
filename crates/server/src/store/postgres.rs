//! The scale-out store: PostgreSQL, shared by every node (the source of truth).
//!
//! The `Store` trait is synchronous (SQLite's calls block, and the service runs them on the
//! blocking pool or the group-commit writer thread), so this store keeps its own small tokio
//! runtime for `tokio-postgres` and its pool, and each method drives its future to the end on
//! the calling thread (`run`). The calling thread may itself be inside another runtime (the
//! writer thread's event loop), where a nested `Runtime::block_on` would panic; a plain
//! executor that only waits does not.
//!
//! Concurrency between nodes: every write is one READ COMMITTED transaction. Counters (a
//! thread's seqs, a user's event numbers) are rows bumped with `UPDATE .. RETURNING`, so a second
//! writer waits for the first to commit and numbers stay gap-free and increasing in commit
//! order. Changes that read a thread's newest seq (deletion, read, clear, membership) lock that
//! thread's row first, so they and the sends of that thread happen in commit order. A
//! transaction that loses a race (deadlock, serialisation failure, a unique key another node
//! took a moment ago) is run again from the start, where it sees the winner's rows.

mod at_info;
mod client_ops;
mod deletion;
mod durable;
mod edits;
mod events;
mod files;
mod group_changes;
mod group_messages;
mod groups;
mod history;
mod notices;
mod pins;
mod profiles;
mod reading;
mod receipts;
mod remind;
mod schema;
mod send;
mod send_batch;
mod thread;

use super::list_page::{self, ListKey, ListPage};
use super::model::{
    App, Catchup, ClearOutcome, ConvRef, ConversationSlice, ConversationView, DeleteMode,
    DeleteOutcome, MessagePage, NewMessage, PageOutcome, ReadOutcome, SendOutcome, StoredMessage,
};
use super::once::{Once, OpRecord};
use super::{
    BatchedSend, GroupEdit, GroupOutcome, GroupRefusal, MemberResults, NewGroup, SendItem, Store,
    StoreError, StoreResult, SyncSends,
};
use super::{EditOutcome, HiddenKey, HiddenTrim, HideOutcome, MessageEdit};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::future::Future;
use std::str::FromStr;
use std::time::Duration;
use tim_proto::frame::ReadScope;
use tim_proto::group_profile::WireGroupMember;
use tim_proto::model::{WireBody, WireGroup};
use tim_proto::profile::{ProfilePatch, WireProfile};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{IsolationLevel, NoTls, Row};

/// A transaction of the pool's.
type Tx<'a> = deadpool_postgres::Transaction<'a>;
/// Query parameters.
type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Connections per node: enough for the blocking pool's concurrent requests, well under
/// PostgreSQL's default `max_connections` (100) for a few nodes.
const POOL_SIZE: usize = 16;
/// How long opening a connection, or waiting for a free one, may take before the request fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Runs of a transaction that keeps losing races before its error is returned.
const ATTEMPTS: u32 = 8;

const MESSAGE_COLUMNS: &str =
    "seq, msg_id, from_user, to_user, body_json, time, nick, avatar, revoked, \
     need_receipt, read_count, unread_count";

pub struct PgStore {
    pool: Pool,
    /// The writer's send batches whose commit is in flight (`durable.rs`).
    commits: std::sync::Arc<durable::Commits>,
    /// Drives the connections; `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // A runtime may not be dropped inside another one (the last handle may go in a task).
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host/dbname`), checks that the server keeps commits
    /// durable, and brings the schema up to date. Fails with a message naming the server when
    /// it cannot be reached.
    pub fn open(url: &str) -> StoreResult<Self> {
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::PostgresSetup(format!("bad database URL: {e}")))?;
        // An acknowledged send or deletion must survive a crash of PostgreSQL.
        let options = config.get_options().unwrap_or("").to_owned();
        config.options(format!("{options} -c synchronous_commit=on").trim());
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let target = describe(&config);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("tim-pg")
            .enable_all()
            .build()?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .create_timeout(Some(CONNECT_TIMEOUT))
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| StoreError::PostgresSetup(format!("connection pool: {e}")))?;
        let store = PgStore {
            commits: durable::Commits::new(pool.clone(), runtime.handle().clone()),
            pool,
            runtime: Some(runtime),
        };
        let version = store.run(async {
            let mut client = store.pool.get().await.map_err(|e| {
                let why = match &e {
                    deadpool_postgres::PoolError::Backend(e) => explain(e),
                    other => other.to_string(),
                };
                StoreError::PostgresSetup(format!(
                    "cannot connect to PostgreSQL at {target}: {why}"
                ))
            })?;
            schema::check_durability(&client).await?;
            schema::migrate(&mut client).await
        })?;
        tracing::info!(server = %target, schema = version, "PostgreSQL store open");
        Ok(store)
    }

    /// Drives `fut` to completion on this thread, with the store's runtime as the context its
    /// connections and timers belong to.
    fn run<T>(&self, fut: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
        let Some(rt) = &self.runtime else {
            return Err(StoreError::PostgresUnavailable(
                "the store is closing".into(),
            ));
        };
        let _context = rt.enter();
        // Outside tokio's cooperative budget: inside the writer thread's event loop, a budget
        // spent by a long run of batches made a tokio resource (the pool's semaphore, a timer)
        // answer "not now" and defer its wake-up to that loop's scheduler, which this blocking
        // call keeps from ever running: the writer parked for good (seen in the cluster
        // benchmark, every connection idle).
        futures::executor::block_on(tokio::task::unconstrained(fut))
    }

    /// Runs `change` in a write transaction, committed when it returns `Ok((_, true))` and
    /// rolled back otherwise; run again from the start when it loses a race with another
    /// transaction (see the module doc).
    fn write<T>(&self, change: impl AsyncFn(&Tx<'_>) -> StoreResult<(T, bool)>) -> StoreResult<T> {
        self.run(async {
            let mut attempt = 1;
            loop {
                match self.write_once(&change).await {
                    Err(StoreError::Postgres(e)) if attempt < ATTEMPTS && lost_race(&e) => {
                        tracing::debug!(attempt, "transaction lost a race ({e}); running it again");
                        attempt += 1;
                    }
                    done => return done,
                }
            }
        })
    }

    async fn write_once<T>(
        &self,
        change: &impl AsyncFn(&Tx<'_>) -> StoreResult<(T, bool)>,
    ) -> StoreResult<T> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let (value, keep) = change(&tx).await?;
        if keep {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(value)
    }

    /// [`PgStore::write`] for a change that is always kept.
    fn change<T>(&self, change: impl AsyncFn(&Tx<'_>) -> StoreResult<T>) -> StoreResult<T> {
        self.write(async |tx: &Tx<'_>| Ok((change(tx).await?, true)))
    }

    /// [`PgStore::write`] for a change that may be refused: a refusal leaves nothing.
    fn refusable<T, R>(
        &self,
        sdk_app_id: u64,
        change: impl AsyncFn(&Tx<'_>, i64) -> StoreResult<Result<T, R>>,
    ) -> StoreResult<Result<T, R>> {
        let app = app_key(sdk_app_id)?;
        self.write(async |tx: &Tx<'_>| {
            let outcome = change(tx, app).await?;
            let keep = outcome.is_ok();
            Ok((outcome, keep))
        })
    }

    /// Runs `read` in one read-only snapshot (REPEATABLE READ), so what it reads together is
    /// consistent even while other nodes write.
    fn read<T>(&self, read: impl AsyncFn(&Tx<'_>) -> StoreResult<T>) -> StoreResult<T> {
        self.run(async {
            let mut client = self.pool.get().await?;
            let tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let value = read(&tx).await?;
            tx.commit().await?;
            Ok(value)
        })
    }
}

/// What went wrong, with its cause: the server's own message, or the I/O error under
/// tokio-postgres' summary ("error connecting to server").
pub(super) fn explain(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.to_string();
    }
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// Whether `e` means the connection to the server is gone or could not be made (I/O, closed,
/// the server shutting down or starting up), rather than a problem with the statement.
pub(super) fn is_connection_failure(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        let code = code.code();
        // Class 08: connection exception; 57P01..57P03: admin / crash shutdown, cannot
        // connect now (starting up or shutting down).
        return code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03");
    }
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        if c.is::<std::io::Error>() {
            return true;
        }
        cause = c.source();
    }
    false
}

/// `host:port/dbname` for messages (never the password).
fn describe(config: &tokio_postgres::Config) -> String {
    use tokio_postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("{host}:{port}/{db}")
}

/// Whether a transaction failed only because another one got there first: running it again
/// sees what that one committed.
fn lost_race(e: &tokio_postgres::Error) -> bool {
    e.code().is_some_and(|c| {
        *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::T_R_DEADLOCK_DETECTED
            || *c == SqlState::UNIQUE_VIOLATION
    })
}

/// PostgreSQL's BIGINT is signed; an SDKAppID beyond it cannot be stored, so it names no app.
fn app_key(sdk_app_id: u64) -> StoreResult<i64> {
    i64::try_from(sdk_app_id)
        .map_err(|_| StoreError::Corrupt(format!("SDKAppID {sdk_app_id} out of range")))
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The rows of a statement, prepared once per connection.
async fn query(tx: &Tx<'_>, sql: &str, params: Params<'_>) -> StoreResult<Vec<Row>> {
    let stmt = tx.prepare_cached(sql).await?;
    Ok(tx.query(&stmt, params).await?)
}

/// The row of a statement that returns at most one.
async fn query_opt(tx: &Tx<'_>, sql: &str, params: Params<'_>) -> StoreResult<Option<Row>> {
    let stmt = tx.prepare_cached(sql).await?;
    Ok(tx.query_opt(&stmt, params).await?)
}

/// How many rows a statement changed.
async fn execute(tx: &Tx<'_>, sql: &str, params: Params<'_>) -> StoreResult<u64> {
    let stmt = tx.prepare_cached(sql).await?;
    Ok(tx.execute(&stmt, params).await?)
}

fn app_from_row(r: &Row) -> StoreResult<App> {
    Ok(App {
        sdk_app_id: to_u64(r.try_get(0)?),
        secret_key: r.try_get(1)?,
        admin_identifier: r.try_get(2)?,
        sync_conversation_deletion: r.try_get(3)?,
        created_at: r.try_get(4)?,
    })
}

/// A stored receipt count (never negative, never near `u32::MAX`).
fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// A row in [`MESSAGE_COLUMNS`] order; a bad body is a store error rather than a panic.
fn message_from_row(r: &Row) -> StoreResult<StoredMessage> {
    let msg_id: String = r.try_get(1)?;
    let body_json: String = r.try_get(4)?;
    let body: WireBody = serde_json::from_str(&body_json)
        .map_err(|e| StoreError::Corrupt(format!("message {msg_id} body: {e}")))?;
    Ok(StoredMessage {
        seq: to_u64(r.try_get(0)?),
        msg_id,
        from: r.try_get(2)?,
        to: r.try_get(3)?,
        body,
        time: r.try_get(5)?,
        nick: r.try_get(6)?,
        avatar: r.try_get(7)?,
        revoked: r.try_get(8)?,
        need_receipt: r.try_get(9)?,
        read_count: count(r.try_get(10)?),
        unread_count: count(r.try_get(11)?),
    })
}

/// The owner's row of a conversation, if visible.
struct VisibleRow {
    cleared_seq: i64,
    unread: i64,
    /// For a group the owner left: the newest seq they may see.
    left_seq: Option<i64>,
}

/// The owner's visible row; `lock` takes its row lock (for a change that rewrites it).
async fn visible_row(
    tx: &Tx<'_>,
    app: i64,
    owner: &str,
    conversation_id: &str,
    lock: bool,
) -> StoreResult<Option<VisibleRow>> {
    let sql = if lock {
        "SELECT cleared_seq, unread, left_seq FROM conversations
         WHERE sdk_app_id = $1 AND owner = $2 AND conversation_id = $3 AND visible FOR UPDATE"
    } else {
        "SELECT cleared_seq, unread, left_seq FROM conversations
         WHERE sdk_app_id = $1 AND owner = $2 AND conversation_id = $3 AND visible"
    };
    let Some(r) = query_opt(tx, sql, &[&app, &owner, &conversation_id]).await? else {
        return Ok(None);
    };
    Ok(Some(VisibleRow {
        cleared_seq: r.try_get(0)?,
        unread: r.try_get(1)?,
        left_seq: r.try_get(2)?,
    }))
}

/// The newest seq of a thread (0: none yet), taking the thread's row lock: until this transaction ends no message joins
/// the thread, so what is decided from the newest seq holds at commit.
async fn lock_thread(tx: &Tx<'_>, app: i64, conv_key: &str) -> StoreResult<i64> {
    let row = query_opt(
        tx,
        "SELECT last_seq FROM threads WHERE sdk_app_id = $1 AND conv_key = $2 FOR UPDATE",
        &[&app, &conv_key],
    )
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?.unwrap_or(0))
}

/// A `messages` row (of thread `$2` of app `$1`) that user `$5` did not hide (deleteMessage).
const NOT_HIDDEN: &str = "NOT EXISTS (SELECT 1 FROM hidden_messages h
    WHERE h.sdk_app_id = $1 AND h.owner = $5 AND h.conv_key = $2 AND h.seq = messages.seq)";

/// Newest message above the watermark (and at or below `left_seq` for a group the owner left)
/// that the owner did not hide.
async fn newest_visible(
    tx: &Tx<'_>,
    app: i64,
    owner: &str,
    conv_key: &str,
    cleared_seq: i64,
    left_seq: Option<i64>,
) -> StoreResult<Option<StoredMessage>> {
    let upper = left_seq.unwrap_or(i64::MAX);
    query_opt(
        tx,
        &format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages
             WHERE sdk_app_id = $1 AND conv_key = $2 AND seq > $3 AND seq <= $4 AND {NOT_HIDDEN}
             ORDER BY seq DESC LIMIT 1"
        ),
        &[&app, &conv_key, &cleared_seq, &upper, &owner],
    )
    .await?
    .as_ref()
    .map(message_from_row)
    .transpose()
}

/// The owner's visible conversations in list order, `limit` of them (`None`: all) from `offset`.
async fn conversation_views(
    tx: &Tx<'_>,
    app: i64,
    owner: &str,
    offset: i64,
    limit: Option<i64>,
    after: Option<&ListKey>,
) -> StoreResult<Vec<ConversationView>> {
    let rows = query(
        tx,
        "SELECT conversation_id, conv_key, cleared_seq, unread, update_time, left_seq, pinned,
                last_activity
         FROM conversations
         WHERE sdk_app_id = $1 AND owner = $2 AND visible
           AND ($5::boolean IS NULL OR pinned < $5 OR (pinned = $5 AND (update_time < $6
                OR (update_time = $6 AND (last_activity < $7
                OR (last_activity = $7 AND conversation_id COLLATE \"C\" > $8))))))
         ORDER BY pinned DESC, update_time DESC, last_activity DESC, conversation_id COLLATE \"C\"
         LIMIT $3 OFFSET $4",
        &[
            &app,
            &owner,
            &limit,
            &offset,
            &after.map(|k| k.pinned),
            &after.map(|k| k.update_time),
            &after.map(|k| k.activity),
            &after.map(|k| k.conversation_id.as_str()),
        ],
    )
    .await?;
    let mut list = Vec::with_capacity(rows.len());
    for r in rows {
        let conversation_id: String = r.try_get(0)?;
        let conv_key: String = r.try_get(1)?;
        let cleared_seq: i64 = r.try_get(2)?;
        let left_seq: Option<i64> = r.try_get(5)?;
        let unread: i64 = r.try_get(3)?;
        list.push(ConversationView {
            group: groups::of_conversation(tx, app, owner, &conversation_id).await?,
            at_info: at_info::unread_at(
                tx,
                app,
                owner,
                &conversation_id,
                &conv_key,
                (cleared_seq, left_seq, unread),
            )
            .await?,
            last_message: newest_visible(tx, app, owner, &conv_key, cleared_seq, left_seq).await?,
            conversation_id,
            unread: to_u64(unread),
            update_time: r.try_get(4)?,
            activity: r.try_get(7)?,
            pinned: r.try_get(6)?,
        });
    }
    Ok(list)
}

/// The message with `seq` in thread `conv_key`, if it is still there.
async fn message_at(
    tx: &Tx<'_>,
    app: i64,
    conv_key: &str,
    seq: i64,
) -> StoreResult<Option<StoredMessage>> {
    query_opt(
        tx,
        &format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages
             WHERE sdk_app_id = $1 AND conv_key = $2 AND seq = $3"
        ),
        &[&app, &conv_key, &seq],
    )
    .await?
    .as_ref()
    .map(message_from_row)
    .transpose()
}

async fn message_by_id(
    tx: &Tx<'_>,
    app: i64,
    conv_key: &str,
    msg_id: &str,
) -> StoreResult<Option<StoredMessage>> {
    query_opt(
        tx,
        &format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages
             WHERE sdk_app_id = $1 AND conv_key = $2 AND msg_id = $3"
        ),
        &[&app, &conv_key, &msg_id],
    )
    .await?
    .as_ref()
    .map(message_from_row)
    .transpose()
}

const APP_COLUMNS: &str =
    "sdk_app_id, secret_key, admin_identifier, sync_conversation_deletion, created_at";

impl Store for PgStore {
    fn app(&self, sdk_app_id: u64) -> StoreResult<Option<App>> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(None);
        };
        self.read(async |tx: &Tx<'_>| {
            let sql = format!("SELECT {APP_COLUMNS} FROM apps WHERE sdk_app_id = $1");
            query_opt(tx, &sql, &[&app])
                .await?
                .as_ref()
                .map(app_from_row)
                .transpose()
        })
    }

    fn apps(&self) -> StoreResult<Vec<App>> {
        self.read(async |tx: &Tx<'_>| {
            let sql = format!("SELECT {APP_COLUMNS} FROM apps ORDER BY sdk_app_id");
            query(tx, &sql, &[])
                .await?
                .iter()
                .map(app_from_row)
                .collect()
        })
    }

    fn create_app(&self, app: &App) -> StoreResult<()> {
        let key = app_key(app.sdk_app_id)?;
        let inserted = self.change(async |tx: &Tx<'_>| {
            execute(
                tx,
                "INSERT INTO apps (sdk_app_id, secret_key, admin_identifier,
                                   sync_conversation_deletion, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sdk_app_id) DO NOTHING",
                &[
                    &key,
                    &app.secret_key,
                    &app.admin_identifier,
                    &app.sync_conversation_deletion,
                    &app.created_at,
                ],
            )
            .await
        })?;
        if inserted == 0 {
            return Err(StoreError::AppExists(app.sdk_app_id));
        }
        Ok(())
    }

    fn set_sync_conversation_deletion(&self, sdk_app_id: u64, on: bool) -> StoreResult<bool> {
        let app = app_key(sdk_app_id)?;
        let changed = self.change(async |tx: &Tx<'_>| {
            execute(
                tx,
                "UPDATE apps SET sync_conversation_deletion = $2 WHERE sdk_app_id = $1",
                &[&app, &on],
            )
            .await
        })?;
        Ok(changed == 1)
    }

    fn ensure_user(&self, sdk_app_id: u64, user_id: &str, now: i64) -> StoreResult<()> {
        // Every login lands here: a user already known costs a read, not a commit.
        if self.user_exists(sdk_app_id, user_id)? {
            return Ok(());
        }
        let app = app_key(sdk_app_id)?;
        self.change(async |tx: &Tx<'_>| {
            execute(
                tx,
                "INSERT INTO users (sdk_app_id, user_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&app, &user_id, &now],
            )
            .await?;
            Ok(())
        })
    }

    fn user_exists(&self, sdk_app_id: u64, user_id: &str) -> StoreResult<bool> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(false);
        };
        self.read(async |tx: &Tx<'_>| {
            Ok(query_opt(
                tx,
                "SELECT 1 FROM users WHERE sdk_app_id = $1 AND user_id = $2",
                &[&app, &user_id],
            )
            .await?
            .is_some())
        })
    }

    fn send_message(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        message: &NewMessage,
    ) -> StoreResult<SendOutcome> {
        let app = app_key(sdk_app_id)?;
        self.change(async |tx: &Tx<'_>| send::c2c(tx, app, conv, message).await)
    }

    fn send_messages(&self, batch: &[SendItem]) -> StoreResult<Vec<BatchedSend>> {
        // One transaction, one durable commit, for the whole batch.
        match self.change(async |tx: &Tx<'_>| send::apply(tx, batch).await) {
            Ok(outcomes) => Ok(outcomes.into_iter().map(Ok).collect()),
            // One bad send must not sink the others: each on its own.
            Err(e) => {
                tracing::warn!(
                    "a group commit of {} sends failed ({e}); retrying one by one",
                    batch.len()
                );
                Ok(batch.iter().map(|i| self.send_one(i)).collect())
            }
        }
    }

    fn send_messages_unsynced(
        &self,
        batch: &[SendItem],
    ) -> StoreResult<(Vec<BatchedSend>, Option<SyncSends>)> {
        // Applied now, committed (durably) in flight while the writer goes on.
        match self.commits.apply(batch) {
            Ok((outcomes, step)) => Ok((outcomes.into_iter().map(Ok).collect(), Some(step))),
            Err(e) => {
                tracing::warn!(
                    "a group commit of {} sends failed ({e}); retrying one by one",
                    batch.len()
                );
                Ok((batch.iter().map(|i| self.send_one(i)).collect(), None))
            }
        }
    }

    fn flush(&self) -> StoreResult<()> {
        self.commits.flush()
    }

    fn conversations(&self, sdk_app_id: u64, owner: &str) -> StoreResult<Vec<ConversationView>> {
        let app = app_key(sdk_app_id)?;
        self.read(async |tx: &Tx<'_>| conversation_views(tx, app, owner, 0, None, None).await)
    }

    fn conversation_slice(
        &self,
        sdk_app_id: u64,
        owner: &str,
        offset: u64,
        limit: u32,
    ) -> StoreResult<ConversationSlice> {
        let app = app_key(sdk_app_id)?;
        let offset = to_i64(offset);
        // One extra row tells whether the list goes on.
        let mut conversations = self.read(async |tx: &Tx<'_>| {
            conversation_views(tx, app, owner, offset, Some(i64::from(limit) + 1), None).await
        })?;
        let complete = !list_page::cut_to(&mut conversations, limit);
        Ok(ConversationSlice {
            conversations,
            complete,
        })
    }

    fn conversation_page(
        &self,
        sdk_app_id: u64,
        owner: &str,
        after: Option<&ListKey>,
        limit: u32,
    ) -> StoreResult<ListPage> {
        let app = app_key(sdk_app_id)?;
        self.read(async |tx: &Tx<'_>| {
            // One extra row tells whether the list goes on.
            let extra = Some(i64::from(limit) + 1);
            let rows = conversation_views(tx, app, owner, 0, extra, after).await?;
            Ok(list_page::page(rows, limit))
        })
    }

    fn conversation(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
    ) -> StoreResult<Option<ConversationView>> {
        let app = app_key(sdk_app_id)?;
        self.read(async |tx: &Tx<'_>| {
            let row = query_opt(
                tx,
                "SELECT cleared_seq, unread, update_time, left_seq, pinned, last_activity
                 FROM conversations
                 WHERE sdk_app_id = $1 AND owner = $2 AND conversation_id = $3 AND visible",
                &[&app, &conv.owner, &conv.conversation_id],
            )
            .await?;
            let Some(r) = row else {
                return Ok(None);
            };
            let cleared_seq: i64 = r.try_get(0)?;
            let left_seq: Option<i64> = r.try_get(3)?;
            let unread: i64 = r.try_get(1)?;
            Ok(Some(ConversationView {
                conversation_id: conv.conversation_id.clone(),
                unread: to_u64(unread),
                at_info: at_info::unread_at(
                    tx,
                    app,
                    &conv.owner,
                    &conv.conversation_id,
                    &conv.conv_key,
                    (cleared_seq, left_seq, unread),
                )
                .await?,
                last_message: newest_visible(
                    tx,
                    app,
                    &conv.owner,
                    &conv.conv_key,
                    cleared_seq,
                    left_seq,
                )
                .await?,
                update_time: r.try_get(2)?,
                activity: r.try_get(5)?,
                group: groups::of_conversation(tx, app, &conv.owner, &conv.conversation_id).await?,
                pinned: r.try_get(4)?,
            }))
        })
    }

    fn messages(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        before: Option<&str>,
        count: u32,
    ) -> StoreResult<PageOutcome> {
        let app = app_key(sdk_app_id)?;
        self.read(async |tx: &Tx<'_>| {
            let Some(row) = visible_row(tx, app, &conv.owner, &conv.conversation_id, false).await?
            else {
                // Never existed or deleted: nothing to show, and nothing more to fetch.
                return Ok(PageOutcome::Page(MessagePage {
                    messages: Vec::new(),
                    is_completed: true,
                }));
            };
            let upper = match before {
                None => i64::MAX,
                Some(id) => match message_by_id(tx, app, &conv.conv_key, id).await? {
                    Some(m) if to_u64(row.cleared_seq) < m.seq => to_i64(m.seq),
                    _ => return Ok(PageOutcome::UnknownAnchor),
                },
            };
            // A group the owner left: nothing after they left.
            let upper = match row.left_seq {
                Some(left_seq) => upper.min(left_seq.saturating_add(1)),
                None => upper,
            };
            // One extra row tells whether an older page exists.
            let rows = query(
                tx,
                &format!(
                    "SELECT {MESSAGE_COLUMNS} FROM messages
                     WHERE sdk_app_id = $1 AND conv_key = $2 AND seq > $3 AND seq < $4
                       AND {NOT_HIDDEN}
                     ORDER BY seq DESC LIMIT $6"
                ),
                &[
                    &app,
                    &conv.conv_key,
                    &row.cleared_seq,
                    &upper,
                    &conv.owner,
                    &(i64::from(count) + 1),
                ],
            )
            .await?;
            let is_completed = rows.len() <= count as usize;
            let messages = rows
                .iter()
                .take(count as usize)
                .rev()
                .map(message_from_row)
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(PageOutcome::Page(MessagePage {
                messages,
                is_completed,
            }))
        })
    }

    fn delete_conversation(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        mode: DeleteMode,
        now: i64,
    ) -> StoreResult<DeleteOutcome> {
        let app = app_key(sdk_app_id)?;
        self.change(async |tx: &Tx<'_>| {
            let sync = deletion::sync_setting(tx, app).await?;
            deletion::delete_one(tx, app, conv, mode, None, sync, now).await
        })
    }

    fn delete_up_to(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        up_to_seq: Option<u64>,
        op: Option<&OpRecord<'_, DeleteOutcome>>,
        now: i64,
    ) -> StoreResult<Once<DeleteOutcome>> {
        let app = app_key(sdk_app_id)?;
        // The opId lookup, the deletion and the record of its answer are one transaction; two
        // nodes applying the same opId at once both try to record it, and the loser runs again
        // and finds the winner's record.
        self.change(async |tx: &Tx<'_>| {
            client_ops::once(tx, app, &conv.owner, op, now, async || {
                let sync = deletion::sync_setting(tx, app).await?;
                let mode = DeleteMode::ClearHistory;
                deletion::delete_one(tx, app, conv, mode, up_to_seq, sync, now).await
            })
            .await
        })
    }

    fn delete_conversations(
        &self,
        sdk_app_id: u64,
        convs: &[ConvRef],
        mode: DeleteMode,
        now: i64,
    ) -> StoreResult<Vec<DeleteOutcome>> {
        let app = app_key(sdk_app_id)?;
        // An error undoes the whole batch.
        self.change(async |tx: &Tx<'_>| {
            let sync = deletion::sync_setting(tx, app).await?;
            let mut outcomes = Vec::with_capacity(convs.len());
            for conv in convs {
                outcomes.push(deletion::delete_one(tx, app, conv, mode, None, sync, now).await?);
            }
            Ok(outcomes)
        })
    }

    fn clear_history(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        now: i64,
    ) -> StoreResult<ClearOutcome> {
        let app = app_key(sdk_app_id)?;
        self.change(async |tx: &Tx<'_>| history::clear(tx, app, conv, now).await)
    }

    fn mark_read(&self, sdk_app_id: u64, conv: &ConvRef, now: i64) -> StoreResult<ReadOutcome> {
        let app = app_key(sdk_app_id)?;
        self.change(async |tx: &Tx<'_>| reading::mark_read(tx, app, conv, now).await)
    }

    fn pin_conversation(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        pinned: bool,
        now: i64,
    ) -> StoreResult<super::PinOutcome> {
        let app = app_key(sdk_app_id)?;
        self.change(async |tx: &Tx<'_>| pins::pin(tx, app, conv, pinned, now).await)
    }

    fn set_remind_type(
        &self,
        sdk_app_id: u64,
        owner: &str,
        conversation_ids: &[String],
        remind_type: &str,
        now: i64,
    ) -> StoreResult<Option<super::UserEvent>> {
        let app = app_key(sdk_app_id)?;
        self.change(async |tx: &Tx<'_>| {
            remind::set(tx, app, owner, conversation_ids, remind_type, now).await
        })
    }

    fn remind_types(&self, sdk_app_id: u64, owner: &str) -> StoreResult<Vec<(String, String)>> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(Vec::new());
        };
        self.read(async |tx: &Tx<'_>| remind::all(tx, app, owner).await)
    }

    fn mark_all_read(
        &self,
        sdk_app_id: u64,
        owner: &str,
        scope: ReadScope,
        now: i64,
    ) -> StoreResult<Vec<super::UserEvent>> {
        let app = app_key(sdk_app_id)?;
        self.change(async |tx: &Tx<'_>| reading::mark_all_read(tx, app, owner, scope, now).await)
    }

    fn catch_up_page(
        &self,
        sdk_app_id: u64,
        user_id: &str,
        after: Option<u64>,
        max_missed: u32,
        page: u32,
    ) -> StoreResult<Catchup> {
        let app = app_key(sdk_app_id)?;
        self.read(async |tx: &Tx<'_>| {
            events::catch_up(tx, app, user_id, after, max_missed, page).await
        })
    }

    fn trim_events(&self, keep_last: u64, logged_before: i64, max_rows: u32) -> StoreResult<u64> {
        self.change(async |tx: &Tx<'_>| events::trim(tx, keep_last, logged_before, max_rows).await)
    }

    fn trim_client_ops(&self, recorded_before: i64, max_rows: u32) -> StoreResult<u64> {
        self.change(async |tx: &Tx<'_>| client_ops::trim(tx, recorded_before, max_rows).await)
    }

    fn purge_invisible(&self, max_rows: u32, sent_before: i64) -> StoreResult<u64> {
        // Per thread, the lowest watermark of its parties; everything at or below it is
        // invisible to all of them. Seqs keep counting from `threads.last_seq`, so removing
        // rows never lets a seq be reused. A purged message's read receipts go with it, in the
        // same statement.
        self.change(async |tx: &Tx<'_>| {
            let row = query_opt(
                tx,
                "WITH gone AS (
                     DELETE FROM messages WHERE id IN (
                         SELECT m.id FROM threads t
                         JOIN messages m
                           ON m.sdk_app_id = t.sdk_app_id AND m.conv_key = t.conv_key
                         WHERE m.seq <= (SELECT MIN(c.cleared_seq) FROM conversations c
                                         WHERE c.sdk_app_id = t.sdk_app_id
                                           AND c.conv_key = t.conv_key)
                           AND m.time < $2
                         LIMIT $1)
                     RETURNING sdk_app_id, conv_key, seq, need_receipt),
                 reads AS (
                     DELETE FROM message_reads r USING gone g
                     WHERE g.need_receipt AND r.sdk_app_id = g.sdk_app_id
                       AND r.conv_key = g.conv_key AND r.seq = g.seq)
                 SELECT COUNT(*) FROM gone",
                &[&i64::from(max_rows), &sent_before],
            )
            .await?;
            let n: i64 = match row {
                Some(r) => r.try_get(0)?,
                None => 0,
            };
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    fn trim_hidden(&self, after: Option<&HiddenKey>, scan: u32) -> StoreResult<HiddenTrim> {
        self.change(async |tx: &Tx<'_>| edits::trim_hidden(tx, after, scan).await)
    }

    fn create_group(
        &self,
        sdk_app_id: u64,
        group: &NewGroup,
        now: i64,
    ) -> StoreResult<GroupOutcome<WireGroup>> {
        self.refusable(sdk_app_id, async |tx: &Tx<'_>, app| {
            group_changes::create(tx, app, group, now).await
        })
    }

    fn join_group(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<GroupOutcome<WireGroup>> {
        self.refusable(sdk_app_id, async |tx: &Tx<'_>, app| {
            group_changes::join(tx, app, group_id, user_id, now).await
        })
    }

    fn quit_group(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<GroupOutcome<()>> {
        self.refusable(sdk_app_id, async |tx: &Tx<'_>, app| {
            group_changes::quit(tx, app, group_id, user_id, now).await
        })
    }

    fn dismiss_group(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<GroupOutcome<()>> {
        self.refusable(sdk_app_id, async |tx: &Tx<'_>, app| {
            group_changes::dismiss(tx, app, group_id, user_id, now).await
        })
    }

    fn add_group_members(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        operator: &str,
        user_ids: &[String],
        now: i64,
    ) -> StoreResult<GroupOutcome<MemberResults>> {
        self.refusable(sdk_app_id, async |tx: &Tx<'_>, app| {
            group_changes::add_members(tx, app, group_id, operator, user_ids, now).await
        })
    }

    fn remove_group_members(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        operator: &str,
        user_ids: &[String],
        now: i64,
    ) -> StoreResult<GroupOutcome<MemberResults>> {
        self.refusable(sdk_app_id, async |tx: &Tx<'_>, app| {
            group_changes::remove_members(tx, app, group_id, operator, user_ids, now).await
        })
    }

    fn edit_group(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        operator: &str,
        edit: &GroupEdit,
        now: i64,
    ) -> StoreResult<GroupOutcome<WireGroup>> {
        self.refusable(sdk_app_id, async |tx: &Tx<'_>, app| {
            group_changes::edit(tx, app, group_id, operator, edit, now).await
        })
    }

    fn group_members(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        viewer: &str,
    ) -> StoreResult<Result<Vec<WireGroupMember>, GroupRefusal>> {
        let app = app_key(sdk_app_id)?;
        self.read(async |tx: &Tx<'_>| groups::members_for(tx, app, group_id, viewer).await)
    }

    fn groups_of(&self, sdk_app_id: u64, user_id: &str) -> StoreResult<Vec<WireGroup>> {
        let app = app_key(sdk_app_id)?;
        self.read(async |tx: &Tx<'_>| groups::groups_of(tx, app, user_id).await)
    }

    fn group_profile(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        viewer: &str,
    ) -> StoreResult<Result<WireGroup, GroupRefusal>> {
        let app = app_key(sdk_app_id)?;
        self.read(async |tx: &Tx<'_>| groups::profile(tx, app, group_id, viewer).await)
    }

    fn send_group_message(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        message: &NewMessage,
    ) -> StoreResult<Result<SendOutcome, GroupRefusal>> {
        self.refusable(sdk_app_id, async |tx: &Tx<'_>, app| {
            group_messages::send(tx, app, conv, message).await
        })
    }

    fn profiles(&self, sdk_app_id: u64, user_ids: &[String]) -> StoreResult<Vec<WireProfile>> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(Vec::new());
        };
        // One query for the whole list (a conversation list asks for every C2C peer at once).
        self.read(async |tx: &Tx<'_>| profiles::profiles(tx, app, user_ids).await)
    }

    fn update_profile(
        &self,
        sdk_app_id: u64,
        user_id: &str,
        patch: &ProfilePatch,
        now: i64,
    ) -> StoreResult<super::ProfileUpdate> {
        let app = app_key(sdk_app_id)?;
        self.change(async |tx: &Tx<'_>| profiles::update(tx, app, user_id, patch, now).await)
    }

    fn blacklist(&self, sdk_app_id: u64, owner: &str) -> StoreResult<Vec<(String, i64)>> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(Vec::new());
        };
        self.read(async |tx: &Tx<'_>| profiles::entries(tx, app, owner).await)
    }

    fn change_blacklist(
        &self,
        sdk_app_id: u64,
        owner: &str,
        user_ids: &[String],
        add: bool,
        now: i64,
    ) -> StoreResult<super::BlacklistOutcome> {
        let app = app_key(sdk_app_id)?;
        self.write(async |tx: &Tx<'_>| {
            let outcome = profiles::change(tx, app, owner, user_ids, add, now).await?;
            let keep = !matches!(outcome, super::BlacklistOutcome::Full);
            Ok((outcome, keep))
        })
    }

    fn edit_message(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        msg_id: &str,
        edit: &MessageEdit,
        now: i64,
    ) -> StoreResult<EditOutcome> {
        let app = app_key(sdk_app_id)?;
        self.change(async |tx: &Tx<'_>| edits::edit(tx, app, conv, msg_id, edit, now).await)
    }

    fn send_read_receipts(
        &self,
        sdk_app_id: u64,
        reader: &ConvRef,
        msg_ids: &[String],
        now: i64,
    ) -> StoreResult<Vec<super::UserEvent>> {
        let app = app_key(sdk_app_id)?;
        self.change(async |tx: &Tx<'_>| receipts::send(tx, app, reader, msg_ids, now).await)
    }

    fn read_receipt_list(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        msg_ids: &[String],
    ) -> StoreResult<Vec<StoredMessage>> {
        let app = app_key(sdk_app_id)?;
        self.read(async |tx: &Tx<'_>| receipts::list(tx, app, conv, msg_ids).await)
    }

    fn hide_messages(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        msg_ids: &[String],
    ) -> StoreResult<HideOutcome> {
        // A refusal undoes the rows hidden before it.
        let outcome = self.refusable(sdk_app_id, async |tx: &Tx<'_>, app| {
            Ok(match edits::hide(tx, app, conv, msg_ids).await? {
                HideOutcome::Hidden(list) => Ok(list),
                HideOutcome::NotFound(id) => Err(id),
            })
        })?;
        Ok(outcome.map_or_else(HideOutcome::NotFound, HideOutcome::Hidden))
    }

    fn revoke_time_limit(&self, sdk_app_id: u64) -> StoreResult<Option<u32>> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(None);
        };
        let limit: Option<i64> = self.read(async |tx: &Tx<'_>| {
            query_opt(
                tx,
                "SELECT revoke_time_limit FROM apps WHERE sdk_app_id = $1",
                &[&app],
            )
            .await?
            .map(|r| r.try_get(0))
            .transpose()
            .map_err(StoreError::from)
        })?;
        Ok(limit.map(|l| u32::try_from(l).unwrap_or(u32::MAX)))
    }

    fn set_revoke_time_limit(&self, sdk_app_id: u64, seconds: u32) -> StoreResult<bool> {
        let app = app_key(sdk_app_id)?;
        let seconds = i64::from(seconds);
        let changed = self.change(async |tx: &Tx<'_>| {
            execute(
                tx,
                "UPDATE apps SET revoke_time_limit = $2 WHERE sdk_app_id = $1",
                &[&app, &seconds],
            )
            .await
        })?;
        Ok(changed == 1)
    }

    fn add_file(&self, sdk_app_id: u64, file: &super::FileRecord) -> StoreResult<()> {
        let app = app_key(sdk_app_id)?;
        self.change(async |tx: &Tx<'_>| files::add(tx, app, file).await)
    }

    fn file(&self, sdk_app_id: u64, file_id: &str) -> StoreResult<Option<super::FileRecord>> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(None);
        };
        self.read(async |tx: &Tx<'_>| files::get(tx, app, file_id).await)
    }

    fn link_file(&self, sdk_app_id: u64, file_id: &str, seq: u64) -> StoreResult<()> {
        let app = app_key(sdk_app_id)?;
        self.change(async |tx: &Tx<'_>| files::link(tx, app, file_id, seq).await)
    }

    fn take_stale_files(
        &self,
        uploaded_before: i64,
        max_rows: u32,
    ) -> StoreResult<Vec<(u64, String)>> {
        self.change(async |tx: &Tx<'_>| files::take_stale(tx, uploaded_before, max_rows).await)
    }

    fn visible_file(
        &self,
        sdk_app_id: u64,
        file_id: &str,
        viewer: &str,
    ) -> StoreResult<Option<super::FileRecord>> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(None);
        };
        self.read(async |tx: &Tx<'_>| files::visible(tx, app, file_id, viewer).await)
    }
}
