//! Storage semantics, directly on the store: every engine (SQLite in a tempdir, a private
//! PostgreSQL), from one set of tests.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use rusqlite::params;
use std::sync::Arc;
use tim_proto::frame::ReadScope;
use tim_proto::model::WireBody;
use tim_proto::Push;
use tim_server::store::{
    App, ConvRef, DeleteMode, DeleteOutcome, MessagePage, NewMessage, PageOutcome, ReadOutcome,
    SendOutcome, SqliteStore, Store, StoredMessage,
};

const APP: u64 = 7;

fn open(db: &TestDb) -> Arc<dyn Store> {
    db.open_with_app(APP)
}

fn send(store: &dyn Store, from: &str, to: &str, id: &str, time: i64) -> StoredMessage {
    match send_outcome(store, from, to, id, time) {
        SendOutcome::Stored { message, .. } => message,
        other => panic!("expected Stored, got {other:?}"),
    }
}

fn send_outcome(store: &dyn Store, from: &str, to: &str, id: &str, time: i64) -> SendOutcome {
    let msg = NewMessage {
        msg_id: id.into(),
        body: WireBody::Text {
            text: format!("text of {id}"),
        },
        time,
        need_receipt: false,
    };
    store
        .send_message(APP, &ConvRef::c2c(from, to), &msg)
        .expect("send")
}

/// Deletes as the SDK does (history too); whether there was anything to delete.
fn delete(store: &dyn Store, owner: &str, peer: &str) -> bool {
    match store
        .delete_conversation(
            APP,
            &ConvRef::c2c(owner, peer),
            DeleteMode::ClearHistory,
            100,
        )
        .expect("delete")
    {
        DeleteOutcome::Deleted { .. } => true,
        DeleteOutcome::NotFound => false,
    }
}

fn page(store: &dyn Store, owner: &str, peer: &str, before: Option<&str>, n: u32) -> MessagePage {
    match store
        .messages(APP, &ConvRef::c2c(owner, peer), before, n)
        .expect("messages")
    {
        PageOutcome::Page(p) => p,
        PageOutcome::UnknownAnchor => panic!("unknown anchor {before:?}"),
    }
}

fn ids(p: &MessagePage) -> Vec<&str> {
    p.messages.iter().map(|m| m.msg_id.as_str()).collect()
}

fn unread(store: &dyn Store, owner: &str, peer: &str) -> Option<u64> {
    store
        .conversation(APP, &ConvRef::c2c(owner, peer))
        .expect("conversation")
        .map(|c| c.unread)
}

fn both_parties_share_seqs_and_see_their_own_conversation(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    assert_eq!(send(s, "alice", "bob", "m1", 10).seq, 1);
    assert_eq!(send(s, "bob", "alice", "m2", 11).seq, 2);
    assert_eq!(
        send(s, "alice", "carol", "m3", 12).seq,
        1,
        "seq is per conversation"
    );

    let alice = s.conversations(APP, "alice").expect("list");
    let names: Vec<_> = alice.iter().map(|c| c.conversation_id.as_str()).collect();
    assert_eq!(names, ["C2Ccarol", "C2Cbob"], "newest first");
    assert_eq!(alice[1].last_message.as_ref().map(|m| m.seq), Some(2));
    let bob = s.conversations(APP, "bob").expect("list");
    assert_eq!(bob.len(), 1);
    assert_eq!(bob[0].conversation_id, "C2Calice");
    // carol never logged in; the message waits for her.
    assert_eq!(unread(s, "carol", "alice"), Some(1));
}

fn unread_counts_follow_messages_reads_and_deletion(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    send(s, "alice", "bob", "m1", 10);
    send(s, "alice", "bob", "m2", 11);
    assert_eq!(unread(s, "bob", "alice"), Some(2));
    assert_eq!(
        unread(s, "alice", "bob"),
        Some(0),
        "own messages are not unread"
    );
    send(s, "bob", "alice", "m3", 12);
    assert_eq!(unread(s, "alice", "bob"), Some(1));
    assert_eq!(
        unread(s, "bob", "alice"),
        Some(2),
        "replying does not mark read"
    );
    assert!(matches!(
        s.mark_read(APP, &ConvRef::c2c("bob", "alice"), 20)
            .expect("read"),
        ReadOutcome::Read { event: Some(_) }
    ));
    assert_eq!(unread(s, "bob", "alice"), Some(0));
    assert!(delete(s, "alice", "bob"));
    send(s, "bob", "alice", "m4", 13);
    assert_eq!(
        unread(s, "alice", "bob"),
        Some(1),
        "only the new message is unread"
    );
    assert_eq!(
        s.mark_read(APP, &ConvRef::c2c("alice", "nobody"), 20)
            .expect("read"),
        ReadOutcome::NotFound
    );
}

fn read_all_reads_each_unread_conversation_of_its_scope_once(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    send(s, "carol", "alice", "c1", 10);
    send(s, "bob", "alice", "b1", 11);
    send(s, "bob", "alice", "b2", 12);
    send(s, "dan", "alice", "d1", 13);
    send(s, "alice", "erin", "a1", 14); // nothing unread there
    assert!(delete(s, "alice", "dan")); // not listed: not read
    send(s, "alice", "bob", "to-bob", 15); // bob's unread, not alice's

    assert!(
        s.mark_all_read(APP, "alice", ReadScope::Group, 20)
            .expect("groups")
            .is_empty(),
        "no group conversation: nothing read"
    );
    assert_eq!(unread(s, "alice", "bob"), Some(2));

    let events = s
        .mark_all_read(APP, "alice", ReadScope::All, 20)
        .expect("all");
    let pushes: Vec<_> = events.iter().map(|e| e.push.clone()).collect();
    assert_eq!(
        pushes,
        vec![
            Push::ConversationRead {
                conversation_id: "C2Cbob".into(),
                read_seq: 3,
            },
            Push::ConversationRead {
                conversation_id: "C2Ccarol".into(),
                read_seq: 1,
            },
        ],
        "one read each, in conversation ID order, covering the newest message"
    );
    assert_eq!(events[1].ev, events[0].ev + 1, "consecutive log entries");
    for peer in ["bob", "carol", "erin"] {
        assert_eq!(unread(s, "alice", peer), Some(0), "{peer}");
    }
    assert_eq!(
        unread(s, "alice", "dan"),
        None,
        "the deleted one stays deleted"
    );
    assert_eq!(
        unread(s, "bob", "alice"),
        Some(1),
        "the peers' counts are theirs"
    );
    assert!(
        s.mark_all_read(APP, "alice", ReadScope::C2c, 21)
            .expect("again")
            .is_empty(),
        "nothing left unread: nothing logged"
    );
}

fn deletion_sets_a_watermark_for_the_deleter_only(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    for i in 1..=5 {
        send(s, "alice", "bob", &format!("m{i}"), 10 + i);
    }
    assert!(delete(s, "alice", "bob"));

    // Gone for alice: list, lookup, history.
    assert!(s.conversations(APP, "alice").expect("list").is_empty());
    assert_eq!(unread(s, "alice", "bob"), None);
    let p = page(s, "alice", "bob", None, 15);
    assert!(p.messages.is_empty() && p.is_completed);
    // A second delete finds nothing and changes nothing.
    assert!(!delete(s, "alice", "bob"));

    // Bob's side is untouched.
    assert_eq!(
        ids(&page(s, "bob", "alice", None, 15)),
        ["m1", "m2", "m3", "m4", "m5"]
    );
    assert_eq!(unread(s, "bob", "alice"), Some(5));

    // A new message brings the conversation back for alice with only the new message.
    send(s, "bob", "alice", "m6", 20);
    assert_eq!(ids(&page(s, "alice", "bob", None, 15)), ["m6"]);
    let list = s.conversations(APP, "alice").expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0].last_message.as_ref().map(|m| m.msg_id.as_str()),
        Some("m6")
    );
    assert_eq!(list[0].unread, 1);
    // ... and bob sees everything.
    assert_eq!(page(s, "bob", "alice", None, 15).messages.len(), 6);
    // Paging back from alice's oldest visible message is not allowed below her watermark.
    assert_eq!(
        s.messages(APP, &ConvRef::c2c("alice", "bob"), Some("m3"), 15)
            .expect("messages"),
        PageOutcome::UnknownAnchor
    );
}

fn the_deleters_own_new_message_brings_the_conversation_back_too(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    send(s, "alice", "bob", "m1", 10);
    assert!(delete(s, "alice", "bob"));
    send(s, "alice", "bob", "m2", 11);
    let list = s.conversations(APP, "alice").expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].unread, 0);
    assert_eq!(ids(&page(s, "alice", "bob", None, 15)), ["m2"]);
}

fn the_peers_deletion_never_blocks_later_messages(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    send(s, "alice", "bob", "m1", 10);
    assert!(delete(s, "bob", "alice"));
    assert!(delete(s, "alice", "bob"));
    assert_eq!(send(s, "bob", "alice", "m2", 11).seq, 2);
    assert_eq!(ids(&page(s, "alice", "bob", None, 15)), ["m2"]);
    assert_eq!(ids(&page(s, "bob", "alice", None, 15)), ["m2"]);
}

/// On SQLite a retry provably writes no row at all (the connection counts changed rows).
#[test]
fn resending_a_message_id_writes_no_row_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(&dir.path().join("tim.db")).expect("open");
    s.create_app(&App {
        sdk_app_id: APP,
        secret_key: "k".into(),
        admin_identifier: "administrator".into(),
        sync_conversation_deletion: false,
        created_at: 0,
    })
    .expect("app");
    let first = send(&s, "alice", "bob", "same", 10);
    let before = s.total_changes();
    assert_eq!(
        send_outcome(&s, "alice", "bob", "same", 99),
        SendOutcome::Duplicate(first.clone())
    );
    assert_eq!(s.total_changes(), before, "a retry writes nothing");
}

fn resending_a_message_id_is_idempotent_and_other_senders_cannot_take_it(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    let first = send(s, "alice", "bob", "same", 10);
    let before = db.contents();
    assert_eq!(
        send_outcome(s, "alice", "bob", "same", 99),
        SendOutcome::Duplicate(first.clone())
    );
    assert_eq!(db.contents(), before, "a retry changes nothing");
    assert_eq!(
        send_outcome(s, "bob", "alice", "same", 11),
        SendOutcome::IdTaken
    );
    assert_eq!(page(s, "bob", "alice", None, 15).messages, vec![first]);
    assert_eq!(unread(s, "bob", "alice"), Some(1));
}

/// Custom and @ bodies are stored as the JSON they are sent as and read back the same; a
/// resend of one (same ID) stores nothing more.
fn custom_and_at_bodies_are_stored_once_and_read_back_as_sent(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    let bodies = [
        WireBody::Custom {
            data: "{\"order\":1}".into(),
            description: "an order".into(),
            extension: "".into(),
        },
        WireBody::AtText {
            text: "@bob".into(),
            at_user_list: vec!["bob".into(), tim_proto::model::AT_ALL.into()],
        },
    ];
    for (i, body) in bodies.iter().enumerate() {
        let msg = NewMessage {
            msg_id: format!("k{i}"),
            body: body.clone(),
            time: 10 + i as i64,
            need_receipt: false,
        };
        let conv = ConvRef::c2c("alice", "bob");
        let SendOutcome::Stored { message, .. } = s.send_message(APP, &conv, &msg).expect("send")
        else {
            panic!("not stored");
        };
        assert_eq!(&message.body, body);
        assert_eq!(
            s.send_message(APP, &conv, &msg).expect("resend"),
            SendOutcome::Duplicate(message)
        );
    }
    let got: Vec<WireBody> = page(s, "bob", "alice", None, 15)
        .messages
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(got, bodies);
}

fn chatting_with_oneself_uses_one_conversation(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    send(s, "me", "me", "n1", 10);
    send(s, "me", "me", "n2", 11);
    let list = s.conversations(APP, "me").expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].conversation_id, "C2Cme");
    assert_eq!(list[0].unread, 0);
    assert_eq!(ids(&page(s, "me", "me", None, 15)), ["n1", "n2"]);
}

fn paging_goes_back_from_the_newest_and_reports_completion(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    for i in 1..=7 {
        send(s, "alice", "bob", &format!("m{i}"), 10 + i);
    }
    let p1 = page(s, "bob", "alice", None, 3);
    assert_eq!(ids(&p1), ["m5", "m6", "m7"]);
    assert!(!p1.is_completed);
    assert_eq!(p1.next_req_message_id().as_deref(), Some("m5"));
    let p2 = page(s, "bob", "alice", Some("m5"), 3);
    assert_eq!(ids(&p2), ["m2", "m3", "m4"]);
    assert!(!p2.is_completed);
    let p3 = page(s, "bob", "alice", Some("m2"), 3);
    assert_eq!(ids(&p3), ["m1"]);
    assert!(p3.is_completed);
    assert_eq!(p3.next_req_message_id(), None);
    // Exactly a page left: completed, no next ID.
    let exact = page(s, "bob", "alice", Some("m4"), 3);
    assert_eq!(ids(&exact), ["m1", "m2", "m3"]);
    assert!(exact.is_completed);
    assert_eq!(
        s.messages(APP, &ConvRef::c2c("bob", "alice"), Some("nope"), 3)
            .expect("messages"),
        PageOutcome::UnknownAnchor
    );
    // A conversation that never existed is simply empty.
    let none = page(s, "bob", "zed", None, 3);
    assert!(none.messages.is_empty() && none.is_completed);
}

fn conversations_active_in_the_same_second_keep_their_order(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    send(s, "alice", "bob", "m1", 10);
    send(s, "alice", "carol", "m2", 10);
    send(s, "alice", "bob", "m3", 10);
    let list = s.conversations(APP, "alice").expect("list");
    let names: Vec<_> = list.iter().map(|c| c.conversation_id.as_str()).collect();
    assert_eq!(names, ["C2Cbob", "C2Ccarol"]);
}

/// Deletion must cost the same whatever the history size: with 20,000 messages, deleting changes
/// exactly one row (the deleter's conversation row) and no message row.
#[test]
fn deleting_a_huge_conversation_changes_one_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tim.db");
    let s = SqliteStore::open(&path).expect("open");
    s.create_app(&App {
        sdk_app_id: APP,
        secret_key: "k".into(),
        admin_identifier: "administrator".into(),
        sync_conversation_deletion: false,
        created_at: 0,
    })
    .expect("app");
    send(&s, "alice", "bob", "first", 1);

    // Bulk history written straight into the file in one transaction (20,000 separate sends
    // would mostly measure fsync).
    const N: i64 = 20_000;
    let key = ConvRef::c2c("alice", "bob").conv_key;
    let mut raw = rusqlite::Connection::open(&path).expect("raw open");
    let tx = raw.transaction().expect("tx");
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO messages (sdk_app_id, conv_key, seq, msg_id, from_user, to_user,
                                       body_json, time)
                 VALUES (?1, ?4, ?2, ?3, 'bob', 'alice',
                         '{\"type\":\"text\",\"text\":\"x\"}', 2)",
            )
            .expect("prepare");
        for seq in 2..=N + 1 {
            insert
                .execute(params![APP as i64, seq, format!("bulk{seq}"), key])
                .expect("insert");
        }
    }
    tx.execute(
        "UPDATE threads SET last_seq = ?1 WHERE conv_key = ?2",
        params![N + 1, key],
    )
    .expect("thread");
    tx.commit().expect("commit");
    drop(raw);

    let before = s.total_changes();
    assert!(delete(&s, "alice", "bob"));
    assert_eq!(
        s.total_changes() - before,
        1,
        "deletion touched exactly one row"
    );

    let check = rusqlite::Connection::open(&path).expect("check open");
    let (messages, cleared): (i64, i64) = check
        .query_row(
            "SELECT (SELECT COUNT(*) FROM messages),
                    (SELECT cleared_seq FROM conversations WHERE owner = 'alice')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("count");
    assert_eq!(messages, N + 1, "no message row was deleted");
    assert_eq!(cleared, N + 1, "the watermark is the newest seq");

    assert!(page(&s, "alice", "bob", None, 100).messages.is_empty());
    let bob = page(&s, "bob", "alice", None, 100);
    assert_eq!(bob.messages.len(), 100);
    assert!(!bob.is_completed);
    assert_eq!(bob.messages.last().map(|m| m.seq), Some((N + 1) as u64));
}

fn data_survives_reopening_the_file(db: TestDb) {
    {
        let s = db.open();
        let s = s.as_ref();
        s.create_app(&App {
            sdk_app_id: APP,
            secret_key: "k".into(),
            admin_identifier: "administrator".into(),
            sync_conversation_deletion: true,
            created_at: 0,
        })
        .expect("app");
        send(s, "alice", "bob", "m1", 1);
        assert!(delete(s, "alice", "bob"));
        assert!(s
            .create_app(&App {
                sdk_app_id: APP,
                secret_key: "other".into(),
                admin_identifier: "x".into(),
                sync_conversation_deletion: false,
                created_at: 0,
            })
            .is_err());
    }
    let s = db.open();
    let s = s.as_ref();
    let app = s.app(APP).expect("app").expect("exists");
    assert_eq!(app.secret_key, "k");
    assert!(app.sync_conversation_deletion);
    assert!(s.conversations(APP, "alice").expect("list").is_empty());
    assert_eq!(page(s, "bob", "alice", None, 15).messages.len(), 1);
    assert_eq!(s.app(u64::MAX).expect("lookup"), None);
}

fn purge_removes_only_what_every_party_has_deleted(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    for i in 1..=4 {
        send(s, "alice", "bob", &format!("m{i}"), i);
    }
    send(s, "alice", "carol", "c1", 5);
    assert!(delete(s, "alice", "bob"));
    let all = i64::MAX;
    assert_eq!(
        s.purge_invisible(100, all).expect("purge"),
        0,
        "bob sees them"
    );

    send(s, "bob", "alice", "m5", 6);
    assert!(delete(s, "bob", "alice"));
    // Bob's watermark is 5, alice's 4: m1..m4 go, m5 stays for alice. Only old enough ones.
    assert_eq!(
        s.purge_invisible(100, 3).expect("purge"),
        2,
        "sent before 3"
    );
    assert_eq!(
        s.purge_invisible(1, all).expect("purge"),
        1,
        "bounded batch"
    );
    assert_eq!(s.purge_invisible(100, all).expect("purge"), 1);
    assert_eq!(s.purge_invisible(100, all).expect("purge"), 0);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM messages"),
        2,
        "m5 and carol's message remain"
    );
    assert_eq!(ids(&page(s, "alice", "bob", None, 15)), ["m5"]);

    // Seqs carry on after the purge; nothing old comes back.
    assert_eq!(send(s, "bob", "alice", "m6", 7).seq, 6);
    assert_eq!(ids(&page(s, "bob", "alice", None, 15)), ["m6"]);
    assert_eq!(ids(&page(s, "alice", "bob", None, 15)), ["m5", "m6"]);
}

#[test]
fn the_file_is_in_wal_mode_at_the_current_schema_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A nested path: the store creates missing directories.
    let _s = open(&TestDb::sqlite_at(&dir.path().join("nested/dir/tim.db")));
    let raw = rusqlite::Connection::open(dir.path().join("nested/dir/tim.db")).expect("open");
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal_mode");
    assert_eq!(mode, "wal");
    let version: i64 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version");
    assert_eq!(version, 12);
    // Reopening an up-to-date file migrates nothing and keeps the data.
    let again = SqliteStore::open(&dir.path().join("nested/dir/tim.db")).expect("reopen");
    assert!(again.app(APP).expect("app").is_some());
}

for_each_engine!(
    both_parties_share_seqs_and_see_their_own_conversation,
    unread_counts_follow_messages_reads_and_deletion,
    read_all_reads_each_unread_conversation_of_its_scope_once,
    deletion_sets_a_watermark_for_the_deleter_only,
    the_deleters_own_new_message_brings_the_conversation_back_too,
    the_peers_deletion_never_blocks_later_messages,
    resending_a_message_id_is_idempotent_and_other_senders_cannot_take_it,
    custom_and_at_bodies_are_stored_once_and_read_back_as_sent,
    chatting_with_oneself_uses_one_conversation,
    paging_goes_back_from_the_newest_and_reports_completion,
    conversations_active_in_the_same_second_keep_their_order,
    data_survives_reopening_the_file,
    purge_removes_only_what_every_party_has_deleted,
);
