//! The embedded default store: one SQLite file in WAL mode.
//!
//! One connection behind a mutex: SQLite serialises writers anyway, and every method is short.

mod at_info;
mod checkpointer;
mod client_ops;
mod deferred;
mod deletion;
mod edits;
mod events;
mod files;
mod flusher;
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
mod send;
mod send_log;
#[cfg(test)]
mod statement_reuse;
mod thread;

use super::list_page::{self, ListKey, ListPage};
use super::migrations::migrate;
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
use crate::config::DEFAULT_SEND_COMMIT_AFTER;
use checkpointer::Checkpointer;
use deferred::Db;
use flusher::Flusher;
use rusqlite::config::DbConfig;
use rusqlite::{params, Connection, OptionalExtension, Row};
use send_log::SendLog;
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tim_proto::frame::ReadScope;
use tim_proto::group_profile::WireGroupMember;
use tim_proto::model::{WireBody, WireGroup};
use tim_proto::profile::{ProfilePatch, WireProfile};

pub struct SqliteStore {
    db: Arc<Mutex<Db>>,
    /// Commits deferred sends; `None` when another store owns the send log.
    _flusher: Option<Flusher>,
    /// Stops with the store; `None` if it could not start (the backstop then checkpoints).
    _checkpointer: Option<Checkpointer>,
}

/// The connection, held: a store method's access to the database.
struct Held<'a>(MutexGuard<'a, Db>);

impl Deref for Held<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.0.conn
    }
}

impl DerefMut for Held<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0.conn
    }
}

/// Prepared statements kept per connection: more than the store has.
const STATEMENT_CACHE: usize = 128;

const MESSAGE_COLUMNS: &str =
    "seq, msg_id, from_user, to_user, body_json, time, nick, avatar, revoked, \
     need_receipt, read_count, unread_count";

impl SqliteStore {
    /// Opens (creating file and parent directory if needed) and migrates the database, with
    /// the default commit delay for sends (`--send-commit-ms`).
    pub fn open(path: &Path) -> StoreResult<Self> {
        Self::open_with(path, DEFAULT_SEND_COMMIT_AFTER)
    }

    /// [`SqliteStore::open`], with answered sends committed to the database at most
    /// `commit_after` after the first of them (`deferred.rs`).
    pub fn open_with(path: &Path, commit_after: Duration) -> StoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut conn = Connection::open(path)?;
        // WAL: readers do not block the writer. FULL: a commit survives power loss.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(%mode, "SQLite refused WAL mode");
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Statement journals (an UPSERT in a many-statement transaction keeps one) in memory,
        // not in temporary files: a third of a send's CPU went to writing them.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // 32 MiB of page cache (default 2 MiB): the pages sends dirty between two commits of
        // the send transaction (`deferred.rs`) stay in memory instead of spilling to the log.
        conn.pragma_update(None, "cache_size", -32768)?;
        // Other processes (the CLI, tests) may hold the file briefly.
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // One plan per statement whatever the values bound: without this SQLite re-parses and
        // re-plans a statement whenever a rebound value might change its plan (`seq > ?` and
        // `col = ?` terms did on every step), which was most of a conversation list's time.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        // Room for every statement the store prepares (about 90; rusqlite keeps 16), so one
        // kind of request does not evict the statements of the next.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        migrate(&mut conn)?;
        // Checkpoints (copying the WAL into the database file) run on a thread of their own,
        // off the one that commits.
        let checkpointer = Checkpointer::start(&mut conn, path);
        // Sends are logged there and committed to the database in bulk (`deferred.rs`);
        // what a crash kept only in the log is replayed here.
        let log = SendLog::open(&send_log::path_of(path))?;
        let db = Arc::new(Mutex::new(Db::open(conn, log, commit_after)?));
        let mut flusher = None;
        let mut held = lock(&db);
        if held.owns_log() {
            let (started, wake) = Flusher::start(Arc::downgrade(&db))?;
            held.set_wake(wake);
            flusher = Some(started);
        }
        drop(held);
        Ok(SqliteStore {
            db,
            _flusher: flusher,
            _checkpointer: checkpointer,
        })
    }

    /// The connection for a read: inside the open send transaction, if there is one, so it
    /// sees every answered send.
    fn reader(&self) -> StoreResult<Held<'_>> {
        let mut db = lock(&self.db);
        db.ready_to_read()?;
        Ok(Held(db))
    }

    /// Rows changed by INSERT/UPDATE/DELETE since the store was opened. Lets tests prove that
    /// an operation did a fixed amount of work, whatever the size of the data.
    pub fn total_changes(&self) -> u64 {
        lock(&self.db).conn.total_changes()
    }

    /// Runs `change` in the write transaction (see `Db::change`): committed, durably, when it
    /// returns `Ok(_)`; its writes undone on an error.
    fn change<T>(&self, change: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        lock(&self.db).change(|conn| Ok((change(conn)?, true)))
    }

    /// [`SqliteStore::change`] for a change that may be refused: a refusal (`Ok(Err(_))`)
    /// leaves nothing, like an error.
    fn write<T, R>(
        &self,
        sdk_app_id: u64,
        change: impl FnOnce(&Connection, i64) -> StoreResult<Result<T, R>>,
    ) -> StoreResult<Result<T, R>> {
        let app = app_key(sdk_app_id)?;
        lock(&self.db).change(|conn| {
            let outcome = change(conn, app)?;
            let keep = outcome.is_ok();
            Ok((outcome, keep))
        })
    }
}

fn lock(db: &Mutex<Db>) -> MutexGuard<'_, Db> {
    // A panic while holding the lock dropped its statement or transaction, which rolled back:
    // the connection is still consistent, so poisoning is safe to ignore.
    db.lock().unwrap_or_else(PoisonError::into_inner)
}

/// SQLite integers are signed; an SDKAppID beyond i64 cannot be stored, so it names no app.
fn app_key(sdk_app_id: u64) -> StoreResult<i64> {
    i64::try_from(sdk_app_id)
        .map_err(|_| StoreError::Corrupt(format!("SDKAppID {sdk_app_id} out of range")))
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn app_from_row(r: &Row<'_>) -> rusqlite::Result<App> {
    Ok(App {
        sdk_app_id: to_u64(r.get(0)?),
        secret_key: r.get(1)?,
        admin_identifier: r.get(2)?,
        sync_conversation_deletion: r.get(3)?,
        created_at: r.get(4)?,
    })
}

/// Columns in [`MESSAGE_COLUMNS`] order; the body is decoded afterwards so a bad body is a
/// store error rather than a panic.
struct MessageRow {
    seq: i64,
    msg_id: String,
    from: String,
    to: String,
    body_json: String,
    time: i64,
    nick: String,
    avatar: String,
    revoked: bool,
    need_receipt: bool,
    read_count: u32,
    unread_count: u32,
}

impl MessageRow {
    fn read(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(MessageRow {
            seq: r.get(0)?,
            msg_id: r.get(1)?,
            from: r.get(2)?,
            to: r.get(3)?,
            body_json: r.get(4)?,
            time: r.get(5)?,
            nick: r.get(6)?,
            avatar: r.get(7)?,
            revoked: r.get(8)?,
            need_receipt: r.get(9)?,
            read_count: r.get(10)?,
            unread_count: r.get(11)?,
        })
    }

    fn decode(self) -> StoreResult<StoredMessage> {
        let body: WireBody = serde_json::from_str(&self.body_json)
            .map_err(|e| StoreError::Corrupt(format!("message {} body: {e}", self.msg_id)))?;
        Ok(StoredMessage {
            seq: to_u64(self.seq),
            msg_id: self.msg_id,
            from: self.from,
            to: self.to,
            body,
            time: self.time,
            nick: self.nick,
            avatar: self.avatar,
            revoked: self.revoked,
            need_receipt: self.need_receipt,
            read_count: self.read_count,
            unread_count: self.unread_count,
        })
    }
}

/// The owner's row of a conversation, if visible.
struct VisibleRow {
    cleared_seq: i64,
    unread: i64,
    /// For a group the owner left: the newest seq they may see.
    left_seq: Option<i64>,
}

fn visible_row(
    conn: &Connection,
    app: i64,
    owner: &str,
    conversation_id: &str,
) -> StoreResult<Option<VisibleRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT cleared_seq, unread, left_seq FROM conversations
             WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3 AND visible = 1",
        )?
        .query_row(params![app, owner, conversation_id], |r| {
            Ok(VisibleRow {
                cleared_seq: r.get(0)?,
                unread: r.get(1)?,
                left_seq: r.get(2)?,
            })
        })
        .optional()?)
}

fn last_seq(conn: &Connection, app: i64, conv_key: &str) -> StoreResult<i64> {
    Ok(conn
        .prepare_cached("SELECT last_seq FROM threads WHERE sdk_app_id = ?1 AND conv_key = ?2")?
        .query_row(params![app, conv_key], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// A `messages` row (of thread `?2` of app `?1`) that user `?5` did not hide (deleteMessage).
const NOT_HIDDEN: &str = "NOT EXISTS (SELECT 1 FROM hidden_messages h
    WHERE h.sdk_app_id = ?1 AND h.owner = ?5 AND h.conv_key = ?2 AND h.seq = messages.seq)";

/// The newest visible message's query, formatted once (it runs for every listed conversation).
static NEWEST_VISIBLE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages
         WHERE sdk_app_id = ?1 AND conv_key = ?2 AND seq > ?3 AND seq <= ?4 AND {NOT_HIDDEN}
         ORDER BY seq DESC LIMIT 1"
    )
});

/// Newest message above the watermark (and at or below `left_seq`, for a group the owner left)
/// that the owner did not hide: steps down the primary-key index.
fn newest_visible(
    conn: &Connection,
    app: i64,
    owner: &str,
    conv_key: &str,
    cleared_seq: i64,
    left_seq: Option<i64>,
) -> StoreResult<Option<StoredMessage>> {
    conn.prepare_cached(&NEWEST_VISIBLE)?
        .query_row(
            params![
                app,
                conv_key,
                cleared_seq,
                left_seq.unwrap_or(i64::MAX),
                owner
            ],
            MessageRow::read,
        )
        .optional()?
        .map(MessageRow::decode)
        .transpose()
}

/// The owner's visible conversations in list order, `limit` of them from `offset`
/// (a negative limit: all).
fn conversation_views(
    conn: &Connection,
    app: i64,
    owner: &str,
    offset: i64,
    limit: i64,
    after: Option<&ListKey>,
) -> StoreResult<Vec<ConversationView>> {
    let rows = conn
        .prepare_cached(
            "SELECT conversation_id, conv_key, cleared_seq, unread, update_time, left_seq, pinned,
                    last_activity
             FROM conversations
             WHERE sdk_app_id = ?1 AND owner = ?2 AND visible = 1
               AND (?5 IS NULL OR pinned < ?5 OR (pinned = ?5 AND (update_time < ?6
                    OR (update_time = ?6 AND (last_activity < ?7
                    OR (last_activity = ?7 AND conversation_id > ?8))))))
             ORDER BY pinned DESC, update_time DESC, last_activity DESC, conversation_id
             LIMIT ?3 OFFSET ?4",
        )?
        .query_map(
            params![
                app,
                owner,
                limit,
                offset,
                after.map(|k| i64::from(k.pinned)),
                after.map(|k| k.update_time),
                after.map(|k| k.activity),
                after.map(|k| k.conversation_id.as_str()),
            ],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, i64>(6)? != 0,
                    r.get::<_, i64>(7)?,
                ))
            },
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut list = Vec::with_capacity(rows.len());
    for (conversation_id, conv_key, cleared_seq, unread, update_time, left_seq, pinned, activity) in
        rows
    {
        list.push(ConversationView {
            group: groups::of_conversation(conn, app, owner, &conversation_id)?,
            at_info: at_info::unread_at(
                conn,
                app,
                owner,
                &conversation_id,
                &conv_key,
                (cleared_seq, left_seq, unread),
            )?,
            conversation_id,
            unread: to_u64(unread),
            last_message: newest_visible(conn, app, owner, &conv_key, cleared_seq, left_seq)?,
            update_time,
            activity,
            pinned,
        });
    }
    Ok(list)
}

/// Adds one to a counter column of one row (`update`, keyed by `key`) and reads the new value
/// back (`select`); `None` if there is no such row. A plain UPDATE and a SELECT: an UPSERT with
/// RETURNING costs a statement journal and a temporary table each time, several times the price
/// on the send path, which counts seqs and event numbers for every message.
fn bump(
    conn: &Connection,
    update: &str,
    select: &str,
    key: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<Option<i64>> {
    if conn.prepare_cached(update)?.execute(key)? == 0 {
        return Ok(None);
    }
    conn.prepare_cached(select)?
        .query_row(key, |r| r.get(0))
        .map(Some)
}

/// The message with `seq` in thread `conv_key`, if it is still there.
fn message_at(
    conn: &Connection,
    app: i64,
    conv_key: &str,
    seq: i64,
) -> StoreResult<Option<StoredMessage>> {
    message_where(conn, "seq", params![app, conv_key, seq])
}

fn message_by_id(
    conn: &Connection,
    app: i64,
    conv_key: &str,
    msg_id: &str,
) -> StoreResult<Option<StoredMessage>> {
    message_where(conn, "msg_id", params![app, conv_key, msg_id])
}

/// The message of a thread (`[app, conv_key, value]`) whose `column` (`seq` or `msg_id`, both
/// unique in a thread) is `value`.
fn message_where(
    conn: &Connection,
    column: &str,
    key: &[&dyn rusqlite::ToSql],
) -> StoreResult<Option<StoredMessage>> {
    conn.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages
         WHERE sdk_app_id = ?1 AND conv_key = ?2 AND {column} = ?3"
    ))?
    .query_row(key, MessageRow::read)
    .optional()?
    .map(MessageRow::decode)
    .transpose()
}

impl Store for SqliteStore {
    fn app(&self, sdk_app_id: u64) -> StoreResult<Option<App>> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(None);
        };
        Ok(self
            .reader()?
            .prepare_cached(
                "SELECT sdk_app_id, secret_key, admin_identifier, sync_conversation_deletion,
                        created_at
                 FROM apps WHERE sdk_app_id = ?1",
            )?
            .query_row([app], app_from_row)
            .optional()?)
    }

    fn apps(&self) -> StoreResult<Vec<App>> {
        let conn = self.reader()?;
        let mut stmt = conn.prepare_cached(
            "SELECT sdk_app_id, secret_key, admin_identifier, sync_conversation_deletion,
                    created_at
             FROM apps ORDER BY sdk_app_id",
        )?;
        let apps = stmt
            .query_map([], app_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(apps)
    }

    fn create_app(&self, app: &App) -> StoreResult<()> {
        let key = app_key(app.sdk_app_id)?;
        let inserted = self.change(|conn| {
            Ok(conn.execute(
                "INSERT INTO apps (sdk_app_id, secret_key, admin_identifier,
                               sync_conversation_deletion, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (sdk_app_id) DO NOTHING",
                params![
                    key,
                    app.secret_key,
                    app.admin_identifier,
                    app.sync_conversation_deletion,
                    app.created_at
                ],
            )?)
        })?;
        if inserted == 0 {
            return Err(StoreError::AppExists(app.sdk_app_id));
        }
        Ok(())
    }

    fn set_sync_conversation_deletion(&self, sdk_app_id: u64, on: bool) -> StoreResult<bool> {
        let app = app_key(sdk_app_id)?;
        let changed = self.change(|conn| {
            Ok(conn.execute(
                "UPDATE apps SET sync_conversation_deletion = ?2 WHERE sdk_app_id = ?1",
                params![app, on],
            )?)
        })?;
        Ok(changed == 1)
    }

    fn ensure_user(&self, sdk_app_id: u64, user_id: &str, now: i64) -> StoreResult<()> {
        // Every login lands here: a user already known costs a read, not a commit (which
        // would also commit the sends waiting in the send transaction).
        if self.user_exists(sdk_app_id, user_id)? {
            return Ok(());
        }
        let app = app_key(sdk_app_id)?;
        self.change(|conn| {
            conn.prepare_cached(
                "INSERT INTO users (sdk_app_id, user_id, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![app, user_id, now])?;
            Ok(())
        })
    }

    fn user_exists(&self, sdk_app_id: u64, user_id: &str) -> StoreResult<bool> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(false);
        };
        Ok(self
            .reader()?
            .prepare_cached("SELECT 1 FROM users WHERE sdk_app_id = ?1 AND user_id = ?2")?
            .query_row(params![app, user_id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn send_message(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        message: &NewMessage,
    ) -> StoreResult<SendOutcome> {
        let app = app_key(sdk_app_id)?;
        self.change(|conn| send::c2c(conn, app, conv, message))
    }

    fn flush(&self) -> StoreResult<()> {
        lock(&self.db).settle()
    }

    fn send_messages(&self, batch: &[SendItem]) -> StoreResult<Vec<BatchedSend>> {
        let (outcomes, step) = self.send_messages_unsynced(batch)?;
        if let Some(step) = step {
            if let Err(e) = step() {
                tracing::error!("syncing the send log failed ({e}); committing instead");
                self.flush()?;
            }
        }
        Ok(outcomes)
    }

    fn send_messages_unsynced(
        &self,
        batch: &[SendItem],
    ) -> StoreResult<(Vec<BatchedSend>, Option<SyncSends>)> {
        let mut db = lock(&self.db);
        let sent = if db.owns_log() {
            db.send_logged(batch)
                .map(|(outcomes, step)| (outcomes, Some(step)))
        } else {
            db.settle()?;
            send::all_or_nothing(&mut db.conn, batch).map(|outcomes| (outcomes, None))
        };
        match sent {
            Ok((outcomes, step)) => Ok((outcomes.into_iter().map(Ok).collect(), step)),
            // Something failed (a disk error, most likely), and with it the whole transaction:
            // try each on its own, so one bad send cannot sink the others.
            Err(e) => {
                tracing::warn!(
                    "a group commit of {} sends failed ({e}); retrying one by one",
                    batch.len()
                );
                drop(db);
                Ok((batch.iter().map(|i| self.send_one(i)).collect(), None))
            }
        }
    }

    fn conversations(&self, sdk_app_id: u64, owner: &str) -> StoreResult<Vec<ConversationView>> {
        let app = app_key(sdk_app_id)?;
        let mut conn = self.reader()?;
        // One read transaction so the list and its last messages are one snapshot.
        let tx = conn.savepoint()?;
        conversation_views(&tx, app, owner, 0, -1, None)
    }

    fn conversation_slice(
        &self,
        sdk_app_id: u64,
        owner: &str,
        offset: u64,
        limit: u32,
    ) -> StoreResult<ConversationSlice> {
        let app = app_key(sdk_app_id)?;
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let mut conn = self.reader()?;
        let tx = conn.savepoint()?;
        // One extra row tells whether the list goes on.
        let mut conversations =
            conversation_views(&tx, app, owner, offset, i64::from(limit) + 1, None)?;
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
        let mut conn = self.reader()?;
        let tx = conn.savepoint()?;
        // One extra row tells whether the list goes on.
        let rows = conversation_views(&tx, app, owner, 0, i64::from(limit) + 1, after)?;
        Ok(list_page::page(rows, limit))
    }

    fn conversation(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
    ) -> StoreResult<Option<ConversationView>> {
        let app = app_key(sdk_app_id)?;
        let mut conn = self.reader()?;
        let tx = conn.savepoint()?;
        let row = tx
            .prepare_cached(
                "SELECT cleared_seq, unread, update_time, left_seq, pinned, last_activity
                 FROM conversations
                 WHERE sdk_app_id = ?1 AND owner = ?2 AND conversation_id = ?3 AND visible = 1",
            )?
            .query_row(params![app, conv.owner, conv.conversation_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, i64>(4)? != 0,
                    r.get::<_, i64>(5)?,
                ))
            })
            .optional()?;
        let Some((cleared_seq, unread, update_time, left_seq, pinned, activity)) = row else {
            return Ok(None);
        };
        Ok(Some(ConversationView {
            conversation_id: conv.conversation_id.clone(),
            unread: to_u64(unread),
            last_message: newest_visible(
                &tx,
                app,
                &conv.owner,
                &conv.conv_key,
                cleared_seq,
                left_seq,
            )?,
            update_time,
            activity,
            group: groups::of_conversation(&tx, app, &conv.owner, &conv.conversation_id)?,
            pinned,
            at_info: at_info::unread_at(
                &tx,
                app,
                &conv.owner,
                &conv.conversation_id,
                &conv.conv_key,
                (cleared_seq, left_seq, unread),
            )?,
        }))
    }

    fn messages(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        before: Option<&str>,
        count: u32,
    ) -> StoreResult<PageOutcome> {
        let app = app_key(sdk_app_id)?;
        let mut conn = self.reader()?;
        let tx = conn.savepoint()?;
        let Some(row) = visible_row(&tx, app, &conv.owner, &conv.conversation_id)? else {
            // Never existed or deleted: nothing to show, and nothing more to fetch.
            return Ok(PageOutcome::Page(MessagePage {
                messages: Vec::new(),
                is_completed: true,
            }));
        };
        let upper = match before {
            None => i64::MAX,
            Some(id) => match message_by_id(&tx, app, &conv.conv_key, id)? {
                Some(m) if to_u64(row.cleared_seq) < m.seq => {
                    i64::try_from(m.seq).unwrap_or(i64::MAX)
                }
                _ => return Ok(PageOutcome::UnknownAnchor),
            },
        };
        // A group the owner left: nothing after they left.
        let upper = match row.left_seq {
            Some(left_seq) => upper.min(left_seq.saturating_add(1)),
            None => upper,
        };
        // One extra row tells whether an older page exists.
        let mut newest_first = tx
            .prepare_cached(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages
                 WHERE sdk_app_id = ?1 AND conv_key = ?2 AND seq > ?3 AND seq < ?4
                   AND {NOT_HIDDEN}
                 ORDER BY seq DESC LIMIT ?6"
            ))?
            .query_map(
                params![
                    app,
                    conv.conv_key,
                    row.cleared_seq,
                    upper,
                    conv.owner,
                    i64::from(count) + 1
                ],
                MessageRow::read,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let is_completed = newest_first.len() <= count as usize;
        newest_first.truncate(count as usize);
        let messages = newest_first
            .into_iter()
            .rev()
            .map(MessageRow::decode)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(PageOutcome::Page(MessagePage {
            messages,
            is_completed,
        }))
    }

    fn delete_conversation(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        mode: DeleteMode,
        now: i64,
    ) -> StoreResult<DeleteOutcome> {
        let app = app_key(sdk_app_id)?;
        self.change(|tx| {
            let sync = deletion::sync_setting(tx, app)?;
            deletion::delete_one(tx, app, conv, mode, None, sync, now)
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
        // One write transaction: the opId lookup, the deletion and the record of its answer
        // hold the write lock together, so a second request with the same opId sees the first
        // one's record.
        self.change(|tx| {
            client_ops::once(tx, app, &conv.owner, op, now, || {
                let sync = deletion::sync_setting(tx, app)?;
                let mode = DeleteMode::ClearHistory;
                deletion::delete_one(tx, app, conv, mode, up_to_seq, sync, now)
            })
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
        self.change(|tx| {
            let sync = deletion::sync_setting(tx, app)?;
            convs
                .iter()
                .map(|conv| deletion::delete_one(tx, app, conv, mode, None, sync, now))
                .collect::<StoreResult<Vec<_>>>()
        })
    }

    fn clear_history(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        now: i64,
    ) -> StoreResult<ClearOutcome> {
        let app = app_key(sdk_app_id)?;
        self.change(|tx| history::clear(tx, app, conv, now))
    }

    fn mark_read(&self, sdk_app_id: u64, conv: &ConvRef, now: i64) -> StoreResult<ReadOutcome> {
        let app = app_key(sdk_app_id)?;
        self.change(|tx| reading::mark_read(tx, app, conv, now))
    }

    fn pin_conversation(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        pinned: bool,
        now: i64,
    ) -> StoreResult<super::PinOutcome> {
        let app = app_key(sdk_app_id)?;
        self.change(|tx| pins::pin(tx, app, conv, pinned, now))
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
        self.change(|tx| remind::set(tx, app, owner, conversation_ids, remind_type, now))
    }

    fn remind_types(&self, sdk_app_id: u64, owner: &str) -> StoreResult<Vec<(String, String)>> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(Vec::new());
        };
        let conn = self.reader()?;
        remind::all(&conn, app, owner)
    }

    fn mark_all_read(
        &self,
        sdk_app_id: u64,
        owner: &str,
        scope: ReadScope,
        now: i64,
    ) -> StoreResult<Vec<super::UserEvent>> {
        let app = app_key(sdk_app_id)?;
        self.change(|tx| reading::mark_all_read(tx, app, owner, scope, now))
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
        let mut conn = self.reader()?;
        let tx = conn.savepoint()?;
        events::catch_up(&tx, app, user_id, after, max_missed, page)
    }

    fn trim_events(&self, keep_last: u64, logged_before: i64, max_rows: u32) -> StoreResult<u64> {
        self.change(|conn| events::trim(conn, keep_last, logged_before, max_rows))
    }

    fn trim_client_ops(&self, recorded_before: i64, max_rows: u32) -> StoreResult<u64> {
        self.change(|conn| client_ops::trim(conn, recorded_before, max_rows))
    }

    fn purge_invisible(&self, max_rows: u32, sent_before: i64) -> StoreResult<u64> {
        // Per thread, the lowest watermark of its parties; everything at or below it is
        // invisible to all of them. Seqs keep counting from `threads.last_seq`, so removing
        // rows never lets a seq be reused. A purged message's read receipts go with it, in the
        // same transaction (RETURNING: a background batch, not a request's hot path).
        let deleted = self.change(|conn| {
            let gone = conn
                .prepare_cached(
                    "DELETE FROM messages WHERE rowid IN (
                     SELECT m.rowid FROM threads t
                     JOIN messages m ON m.sdk_app_id = t.sdk_app_id AND m.conv_key = t.conv_key
                     WHERE m.seq <= (SELECT MIN(c.cleared_seq) FROM conversations c
                                     WHERE c.sdk_app_id = t.sdk_app_id AND c.conv_key = t.conv_key)
                       AND m.time < ?2
                     LIMIT ?1)
                     RETURNING sdk_app_id, conv_key, seq, need_receipt",
                )?
                .query_map(params![max_rows, sent_before], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, bool>(3)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut reads = conn.prepare_cached(
                "DELETE FROM message_reads WHERE sdk_app_id = ?1 AND conv_key = ?2 AND seq = ?3",
            )?;
            for (app, conv_key, seq, _) in gone.iter().filter(|g| g.3) {
                reads.execute(params![app, conv_key, seq])?;
            }
            Ok(gone.len())
        })?;
        Ok(deleted as u64)
    }
    fn trim_hidden(&self, after: Option<&HiddenKey>, scan: u32) -> StoreResult<HiddenTrim> {
        self.change(|conn| edits::trim_hidden(conn, after, scan))
    }

    fn create_group(
        &self,
        sdk_app_id: u64,
        group: &NewGroup,
        now: i64,
    ) -> StoreResult<GroupOutcome<WireGroup>> {
        self.write(sdk_app_id, |tx, app| {
            group_changes::create(tx, app, group, now)
        })
    }

    fn join_group(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<GroupOutcome<WireGroup>> {
        self.write(sdk_app_id, |tx, app| {
            group_changes::join(tx, app, group_id, user_id, now)
        })
    }

    fn quit_group(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<GroupOutcome<()>> {
        self.write(sdk_app_id, |tx, app| {
            group_changes::quit(tx, app, group_id, user_id, now)
        })
    }

    fn dismiss_group(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<GroupOutcome<()>> {
        self.write(sdk_app_id, |tx, app| {
            group_changes::dismiss(tx, app, group_id, user_id, now)
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
        self.write(sdk_app_id, |tx, app| {
            group_changes::add_members(tx, app, group_id, operator, user_ids, now)
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
        self.write(sdk_app_id, |tx, app| {
            group_changes::remove_members(tx, app, group_id, operator, user_ids, now)
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
        self.write(sdk_app_id, |tx, app| {
            group_changes::edit(tx, app, group_id, operator, edit, now)
        })
    }

    fn group_members(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        viewer: &str,
    ) -> StoreResult<Result<Vec<WireGroupMember>, GroupRefusal>> {
        let app = app_key(sdk_app_id)?;
        let mut conn = self.reader()?;
        let tx = conn.savepoint()?;
        groups::members_for(&tx, app, group_id, viewer)
    }

    fn groups_of(&self, sdk_app_id: u64, user_id: &str) -> StoreResult<Vec<WireGroup>> {
        let app = app_key(sdk_app_id)?;
        let mut conn = self.reader()?;
        let tx = conn.savepoint()?;
        groups::groups_of(&tx, app, user_id)
    }

    fn group_profile(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        viewer: &str,
    ) -> StoreResult<Result<WireGroup, GroupRefusal>> {
        let app = app_key(sdk_app_id)?;
        let mut conn = self.reader()?;
        let tx = conn.savepoint()?;
        groups::profile(&tx, app, group_id, viewer)
    }

    fn send_group_message(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        message: &NewMessage,
    ) -> StoreResult<Result<SendOutcome, GroupRefusal>> {
        self.write(sdk_app_id, |tx, app| {
            group_messages::send(tx, app, conv, message)
        })
    }

    fn profiles(&self, sdk_app_id: u64, user_ids: &[String]) -> StoreResult<Vec<WireProfile>> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(Vec::new());
        };
        let conn = self.reader()?;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for id in user_ids.iter().filter(|id| seen.insert(id.as_str())) {
            out.extend(profiles::profile(&conn, app, id)?);
        }
        Ok(out)
    }

    fn update_profile(
        &self,
        sdk_app_id: u64,
        user_id: &str,
        patch: &ProfilePatch,
        now: i64,
    ) -> StoreResult<super::ProfileUpdate> {
        let app = app_key(sdk_app_id)?;
        self.change(|tx| profiles::update(tx, app, user_id, patch, now))
    }

    fn blacklist(&self, sdk_app_id: u64, owner: &str) -> StoreResult<Vec<(String, i64)>> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(Vec::new());
        };
        let conn = self.reader()?;
        profiles::entries(&conn, app, owner)
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
        lock(&self.db).change(|tx| {
            let outcome = profiles::change(tx, app, owner, user_ids, add, now)?;
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
        self.change(|tx| edits::edit(tx, app, conv, msg_id, edit, now))
    }

    fn send_read_receipts(
        &self,
        sdk_app_id: u64,
        reader: &ConvRef,
        msg_ids: &[String],
        now: i64,
    ) -> StoreResult<Vec<super::UserEvent>> {
        let app = app_key(sdk_app_id)?;
        self.change(|tx| receipts::send(tx, app, reader, msg_ids, now))
    }

    fn read_receipt_list(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        msg_ids: &[String],
    ) -> StoreResult<Vec<StoredMessage>> {
        let app = app_key(sdk_app_id)?;
        let mut conn = self.reader()?;
        let tx = conn.savepoint()?;
        receipts::list(&tx, app, conv, msg_ids)
    }

    fn hide_messages(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        msg_ids: &[String],
    ) -> StoreResult<HideOutcome> {
        // A refusal undoes the rows hidden before it.
        let outcome = self.write(sdk_app_id, |tx, app| {
            Ok(match edits::hide(tx, app, conv, msg_ids)? {
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
        let limit: Option<i64> = self
            .reader()?
            .prepare_cached("SELECT revoke_time_limit FROM apps WHERE sdk_app_id = ?1")?
            .query_row([app], |r| r.get(0))
            .optional()?;
        Ok(limit.map(|l| u32::try_from(l).unwrap_or(u32::MAX)))
    }

    fn set_revoke_time_limit(&self, sdk_app_id: u64, seconds: u32) -> StoreResult<bool> {
        let app = app_key(sdk_app_id)?;
        let changed = self.change(|conn| {
            Ok(conn.execute(
                "UPDATE apps SET revoke_time_limit = ?2 WHERE sdk_app_id = ?1",
                params![app, seconds],
            )?)
        })?;
        Ok(changed == 1)
    }

    fn add_file(&self, sdk_app_id: u64, file: &super::FileRecord) -> StoreResult<()> {
        let app = app_key(sdk_app_id)?;
        self.change(|tx| files::add(tx, app, file))
    }

    fn file(&self, sdk_app_id: u64, file_id: &str) -> StoreResult<Option<super::FileRecord>> {
        let Ok(app) = i64::try_from(sdk_app_id) else {
            return Ok(None);
        };
        let conn = self.reader()?;
        files::get(&conn, app, file_id)
    }

    fn link_file(&self, sdk_app_id: u64, file_id: &str, seq: u64) -> StoreResult<()> {
        let app = app_key(sdk_app_id)?;
        self.change(|tx| files::link(tx, app, file_id, seq))
    }

    fn take_stale_files(
        &self,
        uploaded_before: i64,
        max_rows: u32,
    ) -> StoreResult<Vec<(u64, String)>> {
        self.change(|tx| files::take_stale(tx, uploaded_before, max_rows))
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
        let conn = self.reader()?;
        files::visible(&conn, app, file_id, viewer)
    }
}
