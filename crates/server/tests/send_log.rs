//! Sends made durable by the send log and committed to the database in bulk: they wait in the
//! open transaction (seen by this store, not yet by other connections), reach the file with the
//! next change, with the flusher's commit, or when the store is dropped; a second store on the
//! same file commits its own sends directly. (A hard kill and the replay: tests/cli.rs.)

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::store::add_app;
use common::WAIT;
use std::path::Path;
use std::time::{Duration, Instant};
use tim_proto::model::WireBody;
use tim_server::store::{
    ConvRef, DeleteMode, GroupRefusal, NewMessage, SendItem, SqliteStore, Store,
};

const APP: u64 = 7;
const AN_HOUR: Duration = Duration::from_secs(3600);

fn open(path: &Path, commit_after: Duration) -> SqliteStore {
    let store = SqliteStore::open_with(path, commit_after).expect("open");
    if store.app(APP).expect("app").is_none() {
        add_app(&store, APP, false);
    }
    store
}

fn item(from: &str, to: &str, id: &str) -> SendItem {
    SendItem {
        sdk_app_id: APP,
        conv: ConvRef::c2c(from, to),
        message: NewMessage {
            msg_id: id.into(),
            body: WireBody::Text { text: id.into() },
            time: 100,
            need_receipt: false,
        },
    }
}

fn send(store: &SqliteStore, batch: &[SendItem]) {
    for outcome in store.send_messages(batch).expect("batch") {
        outcome.expect("stored").expect("not refused");
    }
}

/// What another connection to the file sees: committed rows only.
fn messages_in_file(path: &Path) -> i64 {
    let raw = rusqlite::Connection::open(path).expect("open");
    raw.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
        .expect("count")
}

fn history(store: &SqliteStore, owner: &str, peer: &str) -> Vec<String> {
    common::store::history(store, APP, owner, peer)
}

#[test]
fn sends_wait_in_the_log_and_reach_the_file_with_the_next_change() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("tim.db");
    let store = open(&path, AN_HOUR);
    send(
        &store,
        &[item("alice", "bob", "m1"), item("carol", "bob", "m2")],
    );
    send(&store, &[item("alice", "bob", "m3")]);
    assert_eq!(messages_in_file(&path), 0, "only in the log so far");
    // This store reads them already.
    assert_eq!(history(&store, "bob", "alice"), ["m1", "m3"]);

    // A deletion commits with them, in one transaction.
    let conv = ConvRef::c2c("bob", "carol");
    store
        .delete_conversation(APP, &conv, DeleteMode::ClearHistory, 200)
        .expect("delete");
    assert_eq!(messages_in_file(&path), 3);
    let raw = rusqlite::Connection::open(&path).expect("open");
    let cleared: i64 = raw
        .query_row(
            "SELECT cleared_seq FROM conversations WHERE owner = 'bob' AND conversation_id = 'C2Ccarol'",
            [],
            |r| r.get(0),
        )
        .expect("bob's row");
    assert_eq!(cleared, 1);
}

#[test]
fn a_refused_change_still_commits_the_sends_before_it() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("tim.db");
    let store = open(&path, AN_HOUR);
    send(&store, &[item("alice", "bob", "m1")]);
    let refused = store
        .join_group(APP, "no-such-group", "alice", 200)
        .expect("join");
    assert_eq!(refused, Err(GroupRefusal::NotFound));
    assert_eq!(messages_in_file(&path), 1);
    assert_eq!(history(&store, "bob", "alice"), ["m1"]);
    // And sending goes on afterwards.
    send(&store, &[item("alice", "bob", "m2")]);
    assert_eq!(history(&store, "bob", "alice"), ["m1", "m2"]);
}

#[test]
fn the_flusher_commits_sends_within_the_delay_when_nothing_else_writes() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("tim.db");
    let store = open(&path, Duration::from_millis(50));
    send(
        &store,
        &[item("alice", "bob", "m1"), item("alice", "bob", "m2")],
    );
    let started = Instant::now();
    while messages_in_file(&path) < 2 {
        assert!(started.elapsed() < WAIT, "never committed");
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(store);
}

#[test]
fn a_store_dropped_with_sends_waiting_commits_them() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("tim.db");
    let store = open(&path, AN_HOUR);
    send(&store, &[item("alice", "bob", "m1")]);
    assert_eq!(messages_in_file(&path), 0);
    drop(store);
    assert_eq!(messages_in_file(&path), 1);
    // Nothing left to replay: reopening adds nothing.
    let again = open(&path, AN_HOUR);
    assert_eq!(history(&again, "bob", "alice"), ["m1"]);
    drop(again);
    assert_eq!(messages_in_file(&path), 1);
}

#[test]
fn a_second_store_on_the_file_commits_its_own_sends_directly() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("tim.db");
    let first = open(&path, Duration::from_millis(20));
    let second = open(&path, AN_HOUR);
    // The first owns the log; the second's sends are in the file when it answers.
    send(&second, &[item("carol", "dave", "c1")]);
    assert_eq!(messages_in_file(&path), 1);
    // The first's wait in its log, then reach the file; each store reads both.
    send(&first, &[item("alice", "bob", "a1")]);
    send(&second, &[item("carol", "dave", "c2")]);
    assert_eq!(history(&first, "dave", "carol"), ["c1", "c2"]);
    assert_eq!(history(&second, "bob", "alice"), ["a1"]);
    assert_eq!(messages_in_file(&path), 3);
}

/// A send log that goes on past a gap (the database file restored from an older copy without
/// it) is refused at open with what to do, rather than replayed onto the wrong state.
#[test]
fn a_database_older_than_its_send_log_is_refused_at_open() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("tim.db");
    drop(open(&path, AN_HOUR));
    // Group 7 where the database holds none: as the log would look after groups 1 to 6 reached
    // a copy of the file that was then replaced by an older one.
    let payload = serde_json::to_vec(&[item("alice", "bob", "m7")]).expect("json");
    let mut record = Vec::new();
    record.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    let mut checked = 7u64.to_le_bytes().to_vec();
    checked.extend_from_slice(&payload);
    record.extend_from_slice(&crc32fast::hash(&checked).to_le_bytes());
    record.extend_from_slice(&checked);
    std::fs::write(dir.path().join("tim.db-sends"), &record).expect("write log");
    match SqliteStore::open(&path) {
        Err(e) => assert!(e.to_string().contains("older than its send log"), "{e}"),
        Ok(_) => panic!("opened onto a gap"),
    }
    assert_eq!(messages_in_file(&path), 0, "nothing applied");
}
