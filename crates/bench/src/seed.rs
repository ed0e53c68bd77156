//! Seeding a database directly, before the server starts: sending a million messages through
//! the protocol would take longer than the benchmark itself.
//!
//! The schema comes from the server's own store (`SqliteStore::open` runs its migrations) and
//! the app from its own `create_app`. The rows are what the server would have written had
//! every message been sent through `send_message`, and then its housekeeping had run:
//! - `threads`: `last_seq` = the number of messages;
//! - `messages`: seqs 1..=n, alternately from each party (the first from `a`), IDs `seed-<seq>`;
//! - `conversations`: one visible row per party, watermark 0; `read_seq` = the party's last own
//!   message (sending reads up to it), `unread` = messages received (sending does not reset
//!   it), `update_time` / `last_activity` = time / rowid of the newest message;
//! - `users`: `last_ev` = every event ever logged for them (one per message they sent or got);
//! - `user_events`: only each user's newest 10,000 entries, because the messages are dated more
//!   than 7 days ago and the purge task would have trimmed the rest
//!   (`tim_server::purge::EVENT_KEEP_LAST`).

use anyhow::{ensure, Context, Result};
use rusqlite::{params, Connection};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use tim_proto::model::WireBody;
use tim_server::apps::create_app;
use tim_server::config::DEMO_SDK_APP_ID;
use tim_server::purge::EVENT_KEEP_LAST;
use tim_server::store::{ConvRef, SqliteStore, StoredMessage};

/// One C2C thread between two different users, holding `messages` messages.
#[derive(Debug, Clone)]
pub struct Thread {
    pub a: String,
    pub b: String,
    pub messages: u64,
}

impl Thread {
    pub fn new(a: impl Into<String>, b: impl Into<String>, messages: u64) -> Thread {
        Thread {
            a: a.into(),
            b: b.into(),
            messages,
        }
    }
}

/// The app of a freshly created database.
#[derive(Debug, Clone)]
pub struct SeededApp {
    pub sdk_app_id: u64,
    pub secret_key: String,
}

/// Messages are dated from this long ago (beyond the 7 days events are kept).
const AGE_SECS: i64 = 60 * 24 * 3600;
/// Seeded messages per second of message time.
const PER_SECOND: u64 = 100;

/// Creates `db` with the server's schema and the demo app (sync setting as given), then seeds
/// `threads` (in order, each newer than the last) and `users` (known users without messages).
pub fn create(
    db: &Path,
    sync_deletion: bool,
    threads: &[Thread],
    users: &[String],
) -> Result<SeededApp> {
    let app = {
        let store = SqliteStore::open(db)?;
        create_app(&store, Some(DEMO_SDK_APP_ID), None, None, sync_deletion)?
    };
    let mut conn = Connection::open(db)?;
    // A throwaway file: no journal, no syncing while seeding; back to WAL at the end.
    conn.query_row("PRAGMA journal_mode = OFF", [], |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -262_144i64)?;
    let tx = conn.transaction()?;
    let mut seeder = Seeder::new(app.sdk_app_id, threads)?;
    seeder.users(&tx, users)?;
    for thread in threads {
        seeder.thread(&tx, thread)?;
    }
    tx.commit()?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    ensure!(
        mode.eq_ignore_ascii_case("wal"),
        "seeded database is not WAL: {mode}"
    );
    Ok(SeededApp {
        sdk_app_id: app.sdk_app_id,
        secret_key: app.secret_key,
    })
}

struct Seeder {
    app: i64,
    base_time: i64,
    /// Messages seeded so far, across threads: gives each its time.
    clock: u64,
    /// Events each user will have in total, and has been given so far.
    total_events: HashMap<String, u64>,
    events: HashMap<String, u64>,
}

impl Seeder {
    fn new(sdk_app_id: u64, threads: &[Thread]) -> Result<Seeder> {
        let mut total_events: HashMap<String, u64> = HashMap::new();
        let mut all = 0;
        for t in threads {
            ensure!(t.a != t.b, "seeding a chat with oneself is not supported");
            *total_events.entry(t.a.clone()).or_default() += t.messages;
            *total_events.entry(t.b.clone()).or_default() += t.messages;
            all += t.messages;
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs();
        let base_time = i64::try_from(now)? - AGE_SECS - i64::try_from(all / PER_SECOND)?;
        Ok(Seeder {
            app: i64::try_from(sdk_app_id)?,
            base_time,
            clock: 0,
            total_events,
            events: HashMap::new(),
        })
    }

    fn users(&self, conn: &Connection, extra: &[String]) -> Result<()> {
        let mut stmt = conn.prepare(
            "INSERT INTO users (sdk_app_id, user_id, created_at, last_ev) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO NOTHING",
        )?;
        for (user, total) in &self.total_events {
            let total = i64::try_from(*total)?;
            stmt.execute(params![self.app, user, self.base_time, total])?;
        }
        for user in extra {
            stmt.execute(params![self.app, user, self.base_time, 0])?;
        }
        Ok(())
    }

    fn thread(&mut self, conn: &Connection, t: &Thread) -> Result<()> {
        let conv = ConvRef::c2c(&t.a, &t.b);
        let n = i64::try_from(t.messages)?;
        conn.execute(
            "INSERT INTO threads (sdk_app_id, conv_key, last_seq) VALUES (?1, ?2, ?3)",
            params![self.app, conv.conv_key, n],
        )?;
        let mut insert = conn.prepare_cached(
            "INSERT INTO messages (sdk_app_id, conv_key, seq, msg_id, from_user, to_user,
                                   body_json, time)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut last = (0i64, 0i64); // (time, rowid) of the newest message
        for seq in 1..=t.messages {
            let (from, to) = if seq % 2 == 1 {
                (&t.a, &t.b)
            } else {
                (&t.b, &t.a)
            };
            let time = self.base_time + i64::try_from(self.clock / PER_SECOND)?;
            self.clock += 1;
            let message = StoredMessage {
                seq,
                msg_id: format!("seed-{seq}"),
                from: from.clone(),
                to: to.clone(),
                body: WireBody::Text {
                    text: format!("seeded message {seq} of {}", t.messages),
                },
                time,
                // Seeded users have no profile (the column defaults are the same).
                nick: String::new(),
                avatar: String::new(),
                revoked: false,
                need_receipt: false,
                read_count: 0,
                unread_count: 0,
            };
            let body_json = serde_json::to_string(&message.body)?;
            insert.execute(params![
                self.app,
                conv.conv_key,
                i64::try_from(seq)?,
                message.msg_id,
                from,
                to,
                body_json,
                time
            ])?;
            last = (time, conn.last_insert_rowid());
            // The server logs the recipient's entry first, then the sender's.
            self.event(conn, to, &message)?;
            self.event(conn, from, &message)?;
        }
        // Party a sent the odd seqs, b the even ones.
        let last_odd = if n % 2 == 1 { n } else { n - 1 };
        let last_even = if n % 2 == 0 { n } else { n - 1 };
        let (a_sent, b_sent) = ((n + 1) / 2, n / 2);
        let mut row = conn.prepare_cached(
            "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                        cleared_seq, read_seq, unread, update_time, last_activity)
             VALUES (?1, ?2, ?3, ?4, 1, 0, ?5, ?6, ?7, ?8)",
        )?;
        let views = [
            (ConvRef::c2c(&t.a, &t.b), last_odd.max(0), b_sent),
            (ConvRef::c2c(&t.b, &t.a), last_even.max(0), a_sent),
        ];
        for (view, read_seq, unread) in views {
            row.execute(params![
                self.app,
                view.owner,
                view.conversation_id,
                view.conv_key,
                read_seq,
                unread,
                last.0,
                last.1
            ])
            .with_context(|| format!("conversation row of {}", view.owner))?;
        }
        Ok(())
    }

    /// Gives `user` their next event number; stores the entry if it is among their newest.
    fn event(&mut self, conn: &Connection, user: &str, message: &StoredMessage) -> Result<()> {
        let ev = self.events.entry(user.to_owned()).or_default();
        *ev += 1;
        let total = self.total_events.get(user).copied().unwrap_or(0);
        if *ev + EVENT_KEEP_LAST <= total {
            return Ok(());
        }
        let payload = json!({ "message": message.to_wire(user) }).to_string();
        conn.prepare_cached(
            "INSERT INTO user_events (sdk_app_id, user_id, ev, kind, payload_json, time)
             VALUES (?1, ?2, ?3, 'message', ?4, ?5)",
        )?
        .execute(params![
            self.app,
            user,
            i64::try_from(*ev)?,
            payload,
            message.time
        ])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tim_server::store::Store;

    /// What the server reads back from a seeded file matches what the seed says it wrote.
    #[test]
    fn the_server_reads_seeded_rows_like_its_own() {
        let dir = std::env::temp_dir().join(format!("tim-bench-seed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let db = dir.join("t.db");
        let _ = std::fs::remove_file(&db);
        let threads = [
            Thread::new("alice", "bob", 5),
            Thread::new("alice", "carol", 2),
        ];
        let app = create(&db, false, &threads, &["dave".to_owned()]).expect("seed");
        let store = SqliteStore::open(&db).expect("open");
        let list = store.conversations(app.sdk_app_id, "alice").expect("list");
        // carol's thread is newer, so it comes first.
        let ids: Vec<_> = list.iter().map(|c| c.conversation_id.as_str()).collect();
        assert_eq!(ids, ["C2Ccarol", "C2Cbob"]);
        assert_eq!(list[1].unread, 2); // bob sent seqs 2 and 4
        assert_eq!(list[1].last_message.as_ref().map(|m| m.seq), Some(5));
        let bob = store.conversations(app.sdk_app_id, "bob").expect("list");
        assert_eq!(bob[0].unread, 3);
        let catchup = store
            .catch_up(app.sdk_app_id, "alice", Some(0), 100)
            .expect("catch up");
        assert_eq!(catchup.latest, 7);
        assert_eq!(catchup.missed.len(), 7);
        assert!(!catchup.resync_required);
        assert!(store.user_exists(app.sdk_app_id, "dave").expect("dave"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
