//! The send log: a file beside the database (`<db>-sends`) where each group of sends is
//! appended and synced before its senders are answered. The database takes the same sends in
//! a transaction that stays open across many groups and is committed every few dozen
//! milliseconds (`deferred.rs`), so a message costs one sequential append instead of a write
//! of every B-tree page it touched; after a crash the groups the database lacks are replayed
//! from here.
//!
//! A record is `[payload length: u32][CRC-32 of number and payload: u32][number: u64][payload]`
//! (little endian), the payload the group's sends as JSON. Numbers count up by one. Once the
//! database has committed everything up to some number, the log starts again at offset 0 with
//! the next one; reading stops at the first record that is torn, fails its checksum or does not
//! continue the numbering, so whatever an earlier round left further on is never read as new.
//!
//! One store owns the log at a time (an exclusive lock on the file); another store opened on
//! the same database (the CLI, a test) writes straight to the database instead.

use crate::store::{SendItem, StoreError, StoreResult};
use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const HEADER: usize = 16;
/// A payload longer than this is not one this server wrote: the end of the log.
const MAX_PAYLOAD: usize = 256 << 20;

/// One logged group of sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Record {
    pub n: u64,
    pub items: Vec<SendItem>,
}

pub(super) struct SendLog {
    /// Shared with the sync steps of [`SendLog::syncer`].
    file: Arc<File>,
    /// Where the next record goes.
    end: u64,
    buf: Vec<u8>,
}

/// The log file of the database at `db`.
pub(super) fn path_of(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-sends");
    PathBuf::from(name)
}

impl SendLog {
    /// Opens (creating if needed) and locks the log at `path`; `None` when another store holds
    /// it.
    pub fn open(path: &Path) -> StoreResult<Option<SendLog>> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(SendLog {
                file: Arc::new(file),
                end: 0,
                buf: Vec::new(),
            })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e.into()),
        }
    }

    /// Every intact record from the start of the file, in order.
    pub fn records(&mut self) -> StoreResult<Vec<Record>> {
        let len = usize::try_from(self.file.metadata()?.len())
            .map_err(|_| StoreError::Corrupt("send log larger than memory".into()))?;
        let mut bytes = vec![0; len];
        self.file.read_exact_at(&mut bytes, 0)?;
        let mut records = Vec::new();
        let mut at = 0;
        while let Some((n, payload)) = record_at(&bytes, at) {
            if records.last().is_some_and(|r: &Record| n != r.n + 1) {
                break;
            }
            let items = serde_json::from_slice(payload).map_err(|e| {
                StoreError::Corrupt(format!("send log record {n} passed its checksum: {e}"))
            })?;
            records.push(Record { n, items });
            at += HEADER + payload.len();
        }
        Ok(records)
    }

    /// Writes record `n` after the last one (not yet durable: see [`SendLog::sync`]).
    pub fn append(&mut self, n: u64, items: &[SendItem]) -> StoreResult<()> {
        self.buf.clear();
        self.buf.resize(HEADER, 0);
        serde_json::to_writer(&mut self.buf, items)
            .map_err(|e| StoreError::Corrupt(format!("encoding sends for the log: {e}")))?;
        let len = u32::try_from(self.buf.len() - HEADER)
            .map_err(|_| StoreError::Corrupt("a group of sends too large to log".into()))?;
        self.buf[8..16].copy_from_slice(&n.to_le_bytes());
        let crc = crc32fast::hash(&self.buf[8..]);
        self.buf[0..4].copy_from_slice(&len.to_le_bytes());
        self.buf[4..8].copy_from_slice(&crc.to_le_bytes());
        self.file.write_all_at(&self.buf, self.end)?;
        self.end += self.buf.len() as u64;
        Ok(())
    }

    /// Makes every appended record durable.
    pub fn sync(&self) -> StoreResult<()> {
        Ok(self.file.sync_data()?)
    }

    /// [`SendLog::sync`], to run on another thread while records are appended.
    pub fn syncer(&self) -> impl FnOnce() -> StoreResult<()> + Send + 'static {
        let file = Arc::clone(&self.file);
        move || Ok(file.sync_data()?)
    }

    /// The database holds everything logged so far: the next record goes to the start.
    pub fn restart(&mut self) {
        self.end = 0;
    }
}

/// The number and payload of the intact record at `at`, if there is one.
fn record_at(bytes: &[u8], at: usize) -> Option<(u64, &[u8])> {
    let header = bytes.get(at..at.checked_add(HEADER)?)?;
    let word =
        |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let len = word(0) as usize;
    if len > MAX_PAYLOAD {
        return None;
    }
    let checked = bytes.get(at + 8..at + HEADER + len)?;
    if crc32fast::hash(checked) != word(4) {
        return None;
    }
    let mut n = [0; 8];
    n.copy_from_slice(&checked[..8]);
    Some((u64::from_le_bytes(n), &checked[8..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ConvRef, NewMessage};
    use tim_proto::model::WireBody;

    fn items(text: &str) -> Vec<SendItem> {
        vec![SendItem {
            sdk_app_id: 1,
            conv: ConvRef::c2c("alice", "bob"),
            message: NewMessage {
                msg_id: format!("id-{text}"),
                body: WireBody::Text { text: text.into() },
                time: 7,
                need_receipt: false,
            },
        }]
    }

    fn numbers(log: &mut SendLog) -> Vec<u64> {
        log.records().expect("read").iter().map(|r| r.n).collect()
    }

    #[test]
    fn records_come_back_in_order_until_a_torn_one() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("db-sends");
        let mut log = SendLog::open(&path).expect("open").expect("lock");
        for n in 1..=3 {
            log.append(n, &items(&format!("m{n}"))).expect("append");
        }
        log.sync().expect("sync");
        let read = log.records().expect("read");
        assert_eq!(read.len(), 3);
        assert_eq!(
            read[1],
            Record {
                n: 2,
                items: items("m2")
            }
        );

        // A crash in the middle of the fourth record: its first bytes only.
        let len = std::fs::metadata(&path).expect("size").len();
        log.append(4, &items("m4")).expect("append");
        let file = OpenOptions::new().write(true).open(&path).expect("file");
        file.set_len(len + 20).expect("tear");
        assert_eq!(numbers(&mut log), [1, 2, 3]);
    }

    #[test]
    fn a_damaged_record_ends_the_log() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("db-sends");
        let mut log = SendLog::open(&path).expect("open").expect("lock");
        log.append(1, &items("one")).expect("append");
        log.append(2, &items("two")).expect("append");
        let mut bytes = std::fs::read(&path).expect("read");
        let last = bytes.len() - 3;
        bytes[last] ^= 0x20;
        std::fs::write(&path, &bytes).expect("write");
        assert_eq!(numbers(&mut log), [1]);
    }

    #[test]
    fn after_a_restart_what_the_last_round_left_is_not_read() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("db-sends");
        let mut log = SendLog::open(&path).expect("open").expect("lock");
        for n in 1..=4 {
            log.append(n, &items(&format!("round one {n}")))
                .expect("append");
        }
        log.restart();
        // Shorter records than the first round's, so old ones follow them in the file.
        log.append(5, &items("5")).expect("append");
        log.append(6, &items("6")).expect("append");
        assert_eq!(numbers(&mut log), [5, 6]);
    }

    #[test]
    fn one_store_owns_the_log() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("db-sends");
        let first = SendLog::open(&path).expect("open");
        assert!(first.is_some());
        assert!(SendLog::open(&path).expect("open").is_none(), "locked");
        drop(first);
        assert!(SendLog::open(&path).expect("open").is_some(), "free again");
    }

    #[test]
    fn an_empty_or_zeroed_file_has_no_records() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("db-sends");
        let mut log = SendLog::open(&path).expect("open").expect("lock");
        assert!(numbers(&mut log).is_empty());
        std::fs::write(&path, vec![0u8; 4096]).expect("zeros");
        assert!(numbers(&mut log).is_empty());
    }

    /// A log written by a server from before C2C keys changed form names the thread `alice|bob`:
    /// replayed, its send lands in the thread as it is keyed now, with the messages before it.
    #[test]
    fn a_send_logged_with_an_old_thread_key_is_replayed_into_todays_thread() {
        use crate::store::{App, PageOutcome, SqliteStore, Store};
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("tim.db");
        let conv = ConvRef::c2c("alice", "bob");
        let message = |id: &str| NewMessage {
            msg_id: id.into(),
            body: WireBody::Text { text: id.into() },
            time: 7,
            need_receipt: false,
        };
        {
            let store = SqliteStore::open(&db).expect("open");
            store
                .create_app(&App {
                    sdk_app_id: 1,
                    secret_key: "k".into(),
                    admin_identifier: "administrator".into(),
                    sync_conversation_deletion: false,
                    created_at: 0,
                })
                .expect("app");
            let _ = store.send_message(1, &conv, &message("m1")).expect("send");
        }
        // What the database has applied of the log: the next group is one more.
        let applied: u64 = rusqlite::Connection::open(&db)
            .expect("raw")
            .query_row("SELECT applied FROM send_log_applied", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| u64::try_from(n).expect("not negative"))
            .expect("applied");
        {
            let mut log = SendLog::open(&path_of(&db)).expect("open").expect("lock");
            let mut old = conv.clone();
            old.conv_key = "alice|bob".into();
            let item = SendItem {
                sdk_app_id: 1,
                conv: old,
                message: message("m2"),
            };
            log.append(applied + 1, &[item]).expect("append");
            log.sync().expect("sync");
        }
        let store = SqliteStore::open(&db).expect("reopen replays");
        let PageOutcome::Page(page) = store.messages(1, &conv, None, 15).expect("messages") else {
            panic!("no anchor given");
        };
        let ids: Vec<_> = page.messages.iter().map(|m| m.msg_id.as_str()).collect();
        assert_eq!(ids, ["m1", "m2"]);
        assert_eq!(page.messages[1].seq, 2);
        let raw = rusqlite::Connection::open(&db).expect("raw");
        let old_keys: i64 = raw
            .query_row(
                "SELECT count(*) FROM threads WHERE instr(conv_key, '|') > 0",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(old_keys, 0);
    }
}
