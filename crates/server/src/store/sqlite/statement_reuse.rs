//! The list's statements are prepared once and then only re-run: neither re-planned for the
//! values bound (SQLite's default re-parses a statement when a new value might change its
//! plan) nor evicted from rusqlite's statement cache by the requests in between.

use super::{SqliteStore, NEWEST_VISIBLE};
use crate::store::{App, ConvRef, DeleteMode, NewMessage, Store};
use rusqlite::StatementStatus;
use tim_proto::model::WireBody;

const APP: u64 = 7;

fn send(store: &SqliteStore, to: &str, id: &str, time: i64) {
    let msg = NewMessage {
        msg_id: id.into(),
        body: WireBody::Text { text: id.into() },
        time,
        need_receipt: false,
    };
    store
        .send_message(APP, &ConvRef::c2c("alice", to), &msg)
        .expect("send");
}

#[test]
fn a_conversation_list_runs_its_statements_without_preparing_them_again() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("tim.db")).expect("open");
    store
        .create_app(&App {
            sdk_app_id: APP,
            secret_key: "k".into(),
            admin_identifier: "administrator".into(),
            sync_conversation_deletion: false,
            created_at: 0,
        })
        .expect("app");
    for (i, peer) in ["bob", "carol", "dave", "erin"].into_iter().enumerate() {
        send(&store, peer, &format!("m{i}"), 10 + i as i64);
    }
    assert_eq!(store.conversations(APP, "alice").expect("list").len(), 4);
    // Requests of other kinds in between, with statements of their own.
    let bob = ConvRef::c2c("alice", "bob");
    send(&store, "bob", "m9", 20);
    store.profiles(APP, &["bob".into()]).expect("profiles");
    store.messages(APP, &bob, None, 20).expect("page");
    store.mark_read(APP, &bob, 21).expect("read");
    store
        .catch_up(APP, "alice", Some(0), 100)
        .expect("catch up");
    store.remind_types(APP, "alice").expect("remind types");
    store.blacklist(APP, "alice").expect("blacklist");
    store
        .delete_conversation(
            APP,
            &ConvRef::c2c("alice", "erin"),
            DeleteMode::ClearHistory,
            22,
        )
        .expect("delete");
    store
        .clear_history(APP, &ConvRef::c2c("alice", "dave"), 23)
        .expect("clear");
    assert_eq!(store.conversations(APP, "alice").expect("list").len(), 3);

    let conn = store.reader().expect("reader");
    let stmt = conn.prepare_cached(&NEWEST_VISIBLE).expect("cached");
    assert!(
        stmt.get_status(StatementStatus::Run) >= 7,
        "the statement of both lists (4 + 3 rows), still cached: {} runs",
        stmt.get_status(StatementStatus::Run)
    );
    assert_eq!(
        stmt.get_status(StatementStatus::RePrepare),
        0,
        "re-prepared for the values bound"
    );
}
