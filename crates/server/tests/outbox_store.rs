//! What a client's outbox of deletions relies on, directly on the store (a real SQLite file;
//! most tests on PostgreSQL too): opIds applied once (also by two stores on one database at the
//! same moment), their recorded answers, deletions up to a seq, and forgetting old opIds.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use std::path::PathBuf;
use std::sync::{Arc, Barrier};
use tim_proto::model::WireBody;
use tim_proto::{ErrorCode, Push, Reply};
use tim_server::store::{
    ConvRef, DeleteOutcome, GroupType, NewGroup, NewMessage, Once, OpAnswer, OpRecord, PageOutcome,
    SendOutcome, SqliteStore, Store,
};

const APP: u64 = 7;

fn open(sync: bool) -> (tempfile::TempDir, PathBuf, SqliteStore) {
    common::store::open_store(APP, sync)
}

/// A store on `db` with the app, for the tests that run on every engine.
fn open_on(db: &TestDb, sync: bool) -> Arc<dyn Store> {
    let store = db.open();
    store
        .create_app(&tim_server::store::App {
            sdk_app_id: APP,
            secret_key: "k".into(),
            admin_identifier: "administrator".into(),
            sync_conversation_deletion: sync,
            created_at: 0,
        })
        .expect("app");
    store
}

fn send(s: &dyn Store, from: &str, to: &str, id: &str) -> u64 {
    let msg = NewMessage {
        msg_id: id.into(),
        body: WireBody::Text { text: id.into() },
        time: 10,
        need_receipt: false,
    };
    match s
        .send_message(APP, &ConvRef::c2c(from, to), &msg)
        .expect("send")
    {
        SendOutcome::Stored { message, .. } => message.seq,
        other => panic!("expected Stored, got {other:?}"),
    }
}

/// The answer the service records: the watermark, or 2500.
fn answer(o: &DeleteOutcome) -> OpAnswer {
    match o {
        DeleteOutcome::Deleted { through_seq, .. } => OpAnswer::Reply {
            reply: Box::new(Reply::ConversationDeleted {
                conversation_id: "C2Cbob".into(),
                cleared_seq: *through_seq,
            }),
        },
        DeleteOutcome::NotFound => OpAnswer::Error {
            code: ErrorCode::ConversationNotFound,
            message: "no conversation C2Cbob".into(),
        },
    }
}

/// alice deletes C2Cbob up to `up_to`, with opId `op` when given, at time `now`.
fn delete(s: &dyn Store, up_to: Option<u64>, op: Option<&str>, now: i64) -> Once<DeleteOutcome> {
    let record = op.map(|op_id| OpRecord {
        op_id,
        request: "deleteConversation C2Cbob",
        answer: &answer,
    });
    s.delete_up_to(
        APP,
        &ConvRef::c2c("alice", "bob"),
        up_to,
        record.as_ref(),
        now,
    )
    .expect("delete")
}

fn applied(once: Once<DeleteOutcome>) -> DeleteOutcome {
    match once {
        Once::Applied(o) => o,
        other => panic!("expected Applied, got {other:?}"),
    }
}

/// alice's view of C2Cbob: `(unread, last message ID)`, or `None` when not in her list.
fn entry(s: &dyn Store) -> Option<(u64, Option<String>)> {
    s.conversation(APP, &ConvRef::c2c("alice", "bob"))
        .expect("conversation")
        .map(|c| (c.unread, c.last_message.map(|m| m.msg_id)))
}

fn history(s: &dyn Store, owner: &str, peer: &str) -> Vec<String> {
    match s
        .messages(APP, &ConvRef::c2c(owner, peer), None, 100)
        .expect("messages")
    {
        PageOutcome::Page(p) => p.messages.into_iter().map(|m| m.msg_id).collect(),
        PageOutcome::UnknownAnchor => panic!("anchor"),
    }
}

fn latest_event(s: &dyn Store, user: &str) -> u64 {
    s.catch_up(APP, user, None, 10).expect("catch up").latest
}

fn op_rows(path: &PathBuf) -> i64 {
    rusqlite::Connection::open(path)
        .expect("open raw")
        .query_row("SELECT COUNT(*) FROM client_ops", [], |r| r.get(0))
        .expect("count")
}

fn op_rows_in(db: &TestDb) -> i64 {
    db.count("SELECT COUNT(*) FROM client_ops")
}

#[test]
fn an_op_id_is_applied_once_and_its_answer_recorded() {
    let (_dir, path, s) = open(true);
    for id in ["b1", "b2", "b3"] {
        send(&s, "bob", "alice", id);
    }
    let first = applied(delete(&s, None, Some("op-1"), 100));
    let DeleteOutcome::Deleted {
        through_seq, event, ..
    } = first
    else {
        panic!("deleted")
    };
    assert_eq!(through_seq, 3);
    assert!(event.is_some(), "logged with sync on");
    let after_first = latest_event(&s, "alice");
    let changes = s.total_changes();

    // Bob writes again: the conversation is back for alice. A repeat of op-1 must not delete it.
    send(&s, "bob", "alice", "b4");
    let changes = s.total_changes() - changes;
    let after_message = latest_event(&s, "alice");
    assert_eq!(after_message, after_first + 1);
    let before_repeat = s.total_changes();
    for _ in 0..3 {
        assert_eq!(
            delete(&s, None, Some("op-1"), 101),
            Once::Repeated(OpAnswer::Reply {
                reply: Box::new(Reply::ConversationDeleted {
                    conversation_id: "C2Cbob".into(),
                    cleared_seq: 3
                })
            })
        );
    }
    assert_eq!(s.total_changes(), before_repeat, "a repeat writes nothing");
    assert!(changes > 0);
    assert_eq!(
        latest_event(&s, "alice"),
        after_message,
        "a repeat logs nothing"
    );
    assert_eq!(entry(&s), Some((1, Some("b4".into()))));
    assert_eq!(op_rows(&path), 1);

    // A new opId is a new deletion.
    let DeleteOutcome::Deleted { through_seq, .. } = applied(delete(&s, None, Some("op-2"), 102))
    else {
        panic!("deleted")
    };
    assert_eq!(through_seq, 4);
    assert_eq!(entry(&s), None);

    // The same opId for another request is refused, and changes nothing.
    let other = OpRecord {
        op_id: "op-2",
        request: "deleteConversation C2Ccarol",
        answer: &answer,
    };
    let before = s.total_changes();
    assert_eq!(
        s.delete_up_to(
            APP,
            &ConvRef::c2c("alice", "carol"),
            None,
            Some(&other),
            103
        )
        .expect("conflict"),
        Once::Conflict
    );
    assert_eq!(s.total_changes(), before);

    // opIds are per user: bob's op-1 is his own.
    let bobs = OpRecord {
        op_id: "op-1",
        request: "deleteConversation C2Calice",
        answer: &answer,
    };
    let got = s
        .delete_up_to(APP, &ConvRef::c2c("bob", "alice"), None, Some(&bobs), 104)
        .expect("bob deletes");
    assert!(
        matches!(got, Once::Applied(DeleteOutcome::Deleted { .. })),
        "{got:?}"
    );
    assert_eq!(history(&s, "bob", "alice"), Vec::<String>::new());
}

#[test]
fn a_not_found_outcome_is_recorded_too() {
    let (_dir, _path, s) = open(true);
    assert_eq!(
        applied(delete(&s, Some(3), Some("gone"), 100)),
        DeleteOutcome::NotFound
    );
    send(&s, "bob", "alice", "b1");
    let before = s.total_changes();
    assert_eq!(
        delete(&s, Some(3), Some("gone"), 101),
        Once::Repeated(OpAnswer::Error {
            code: ErrorCode::ConversationNotFound,
            message: "no conversation C2Cbob".into()
        })
    );
    assert_eq!(s.total_changes(), before);
    assert_eq!(entry(&s), Some((1, Some("b1".into()))), "b1 stays");
}

fn without_an_op_id_nothing_is_recorded(db: TestDb) {
    let s = open_on(&db, false);
    let s = s.as_ref();
    send(s, "bob", "alice", "b1");
    assert!(matches!(
        applied(delete(s, None, None, 100)),
        DeleteOutcome::Deleted {
            through_seq: 1,
            event: None,
            unpinned: None,
        }
    ));
    assert_eq!(applied(delete(s, None, None, 100)), DeleteOutcome::NotFound);
    assert_eq!(op_rows_in(&db), 0);
}

#[test]
fn a_deletion_up_to_a_seq_keeps_the_newer_messages() {
    let (_dir, _path, s) = open(true);
    for id in ["b1", "b2", "b3"] {
        send(&s, "bob", "alice", id);
    }
    // What alice's offline device saw ends here; then more arrives: two from bob, one that
    // alice sent from another device.
    send(&s, "bob", "alice", "b4");
    send(&s, "alice", "bob", "a5");
    send(&s, "bob", "alice", "b6");
    assert_eq!(entry(&s), Some((5, Some("b6".into()))));
    let before = latest_event(&s, "alice");

    let DeleteOutcome::Deleted {
        through_seq, event, ..
    } = applied(delete(&s, Some(3), None, 100))
    else {
        panic!("deleted")
    };
    assert_eq!(through_seq, 3, "the watermark written");
    let event = event.expect("logged with sync on");
    assert_eq!(
        event.push,
        Push::ConversationDeleted {
            conversation_id: "C2Cbob".into(),
            cleared_seq: 3
        }
    );
    assert_eq!(event.ev, before + 1);
    // Stays, with only the newer messages; unread: bob's two above the watermark.
    assert_eq!(entry(&s), Some((2, Some("b6".into()))));
    assert_eq!(history(&s, "alice", "bob"), ["b4", "a5", "b6"]);
    assert_eq!(
        history(&s, "bob", "alice"),
        ["b1", "b2", "b3", "b4", "a5", "b6"],
        "bob's history is his own"
    );
    let listed: Vec<_> = s
        .conversations(APP, "alice")
        .expect("list")
        .into_iter()
        .map(|c| (c.conversation_id, c.unread))
        .collect();
    assert_eq!(listed, [("C2Cbob".to_owned(), 2)]);

    // A point at or below the watermark covers nothing new: nothing changes, nothing is logged.
    let changes = s.total_changes();
    let DeleteOutcome::Deleted {
        through_seq, event, ..
    } = applied(delete(&s, Some(2), None, 101))
    else {
        panic!("answered")
    };
    assert_eq!((through_seq, event), (3, None));
    assert_eq!(s.total_changes(), changes);
    assert_eq!(entry(&s), Some((2, Some("b6".into()))));

    // Up to the newest (or beyond: clamped) is a plain deletion.
    let DeleteOutcome::Deleted { through_seq, .. } = applied(delete(&s, Some(99), None, 102))
    else {
        panic!("deleted")
    };
    assert_eq!(through_seq, 6);
    assert_eq!(entry(&s), None);
    assert_eq!(history(&s, "alice", "bob"), Vec::<String>::new());
    // Not in the list any more: 2500 even with a point.
    assert_eq!(
        applied(delete(&s, Some(6), None, 103)),
        DeleteOutcome::NotFound
    );
    // A new message brings back only itself.
    send(&s, "bob", "alice", "b7");
    assert_eq!(entry(&s), Some((1, Some("b7".into()))));
    assert_eq!(history(&s, "alice", "bob"), ["b7"]);
}

fn reads_made_elsewhere_stay_read_after_a_partial_deletion(db: TestDb) {
    let s = open_on(&db, false);
    let s = s.as_ref();
    for id in ["b1", "b2", "b3", "b4"] {
        send(s, "bob", "alice", id);
    }
    // Another device read all four; the offline one had seen up to 2.
    s.mark_read(APP, &ConvRef::c2c("alice", "bob"), 50)
        .expect("read");
    assert!(matches!(
        applied(delete(s, Some(2), None, 100)),
        DeleteOutcome::Deleted {
            through_seq: 2,
            event: None,
            unpinned: None,
        }
    ));
    assert_eq!(entry(s), Some((0, Some("b4".into()))), "b3, b4 were read");
    assert_eq!(history(s, "alice", "bob"), ["b3", "b4"]);

    // One more arrives and is unread; a deletion up to 3 leaves b4 (read) and b5 (unread).
    send(s, "bob", "alice", "b5");
    applied(delete(s, Some(3), None, 101));
    assert_eq!(entry(s), Some((1, Some("b5".into()))));
    assert_eq!(history(s, "alice", "bob"), ["b4", "b5"]);
    // And a read after that reads b5.
    s.mark_read(APP, &ConvRef::c2c("alice", "bob"), 102)
        .expect("read");
    assert_eq!(entry(s), Some((0, Some("b5".into()))));
}

fn a_chat_with_oneself_never_counts_unread(db: TestDb) {
    let s = open_on(&db, false);
    let s = s.as_ref();
    let me = ConvRef::c2c("alice", "alice");
    for id in ["n1", "n2", "n3"] {
        send(s, "alice", "alice", id);
    }
    let got = s
        .delete_up_to(APP, &me, Some(1), None, 100)
        .expect("delete");
    assert!(matches!(
        got,
        Once::Applied(DeleteOutcome::Deleted { through_seq: 1, .. })
    ));
    let view = s.conversation(APP, &me).expect("view").expect("listed");
    assert_eq!(view.unread, 0);
    assert_eq!(history(s, "alice", "alice"), ["n2", "n3"]);
}

/// Two connections to the same file (two server processes, or a server and the CLI), each
/// deleting with the same opId at the same moment: each round applies once.
fn the_same_op_id_from_two_connections_at_once_applies_once(db: TestDb) {
    let s_arc = open_on(&db, true);
    let other = db.open();
    let stores = [Arc::clone(&s_arc), other];
    for round in 0..25 {
        let peer = format!("p{round}");
        send(stores[0].as_ref(), &peer, "alice", &format!("m{round}"));
        let before = latest_event(stores[0].as_ref(), "alice");
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = stores
            .iter()
            .map(|store| {
                let store = Arc::clone(store);
                let barrier = Arc::clone(&barrier);
                let peer = peer.clone();
                std::thread::spawn(move || {
                    let conv = ConvRef::c2c("alice", &peer);
                    let request = format!("deleteConversation {}", conv.conversation_id);
                    // One opId per round (and conversation), sent on both connections.
                    let op_id = format!("op-{peer}");
                    let op = OpRecord {
                        op_id: &op_id,
                        request: &request,
                        answer: &answer,
                    };
                    barrier.wait();
                    store
                        .delete_up_to(APP, &conv, None, Some(&op), 100)
                        .expect("delete")
                })
            })
            .collect();
        let outcomes: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect();
        let applied = outcomes
            .iter()
            .filter(|o| matches!(o, Once::Applied(DeleteOutcome::Deleted { .. })))
            .count();
        let repeated: Vec<_> = outcomes
            .iter()
            .filter_map(|o| match o {
                Once::Repeated(a) => Some(a.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(applied, 1, "round {round}: {outcomes:?}");
        assert_eq!(repeated.len(), 1, "round {round}: {outcomes:?}");
        assert_eq!(
            repeated[0],
            answer(&DeleteOutcome::Deleted {
                through_seq: 1,
                event: None,
                unpinned: None,
            })
        );
        assert_eq!(
            latest_event(stores[1].as_ref(), "alice"),
            before + 1,
            "one event"
        );
    }
}

#[tokio::test]
async fn the_purge_task_forgets_op_ids_after_seven_days() {
    let (_dir, path, s) = open(false);
    let now = tim_server::clock::unix_now();
    let keep = tim_server::purge::CLIENT_OP_KEEP_SECS;
    for id in ["b1", "b2"] {
        send(&s, "bob", "alice", id);
    }
    assert!(matches!(
        delete(&s, Some(1), Some("old"), now - keep - 10),
        Once::Applied(_)
    ));
    assert!(matches!(
        delete(&s, None, Some("recent"), now - keep + 3600),
        Once::Applied(_)
    ));
    assert_eq!(op_rows(&path), 2);
    let store: Arc<dyn Store> = Arc::new(s);
    assert_eq!(tim_server::purge::trim_client_ops_once(&store).await, 1);
    assert_eq!(op_rows(&path), 1);
    // The recent one is still answered as recorded; the old one is applied as new (2500: the
    // conversation is gone by now).
    assert!(matches!(
        store
            .delete_up_to(
                APP,
                &ConvRef::c2c("alice", "bob"),
                None,
                Some(&OpRecord {
                    op_id: "recent",
                    request: "deleteConversation C2Cbob",
                    answer: &answer
                }),
                now
            )
            .expect("repeat"),
        Once::Repeated(_)
    ));
    assert_eq!(
        store
            .delete_up_to(
                APP,
                &ConvRef::c2c("alice", "bob"),
                Some(1),
                Some(&OpRecord {
                    op_id: "old",
                    request: "deleteConversation C2Cbob",
                    answer: &answer
                }),
                now
            )
            .expect("again"),
        Once::Applied(DeleteOutcome::NotFound)
    );
    assert_eq!(tim_server::purge::trim_client_ops_once(&store).await, 0);
}

fn group_send(s: &dyn Store, from: &str, id: &str) -> u64 {
    let msg = NewMessage {
        msg_id: id.into(),
        body: WireBody::Text { text: id.into() },
        time: 10,
        need_receipt: false,
    };
    match s
        .send_group_message(APP, &ConvRef::group(from, "g1"), &msg)
        .expect("send")
    {
        Ok(SendOutcome::Stored { message, .. }) => message.seq,
        other => panic!("{from} {id}: {other:?}"),
    }
}

fn group_view(s: &dyn Store, owner: &str) -> Option<(u64, Option<String>, Vec<String>)> {
    let conv = ConvRef::group(owner, "g1");
    let view = s.conversation(APP, &conv).expect("view")?;
    let PageOutcome::Page(page) = s.messages(APP, &conv, None, 100).expect("page") else {
        panic!("anchor")
    };
    Some((
        view.unread,
        view.last_message.map(|m| m.msg_id),
        page.messages.into_iter().map(|m| m.msg_id).collect(),
    ))
}

fn group_conversations_delete_up_to_a_seq_the_same_way(db: TestDb) {
    let s = open_on(&db, false);
    let s = s.as_ref();
    let new = NewGroup {
        group_id: "g1".into(),
        name: "G".into(),
        kind: GroupType::Private,
        owner: "owner".into(),
        members: vec!["alice".into(), "bob".into()],
    };
    assert!(s.create_group(APP, &new, 10).expect("create").is_ok());
    group_send(s, "bob", "g1");
    group_send(s, "owner", "g2");
    // alice's offline device saw up to here.
    group_send(s, "alice", "g3");
    group_send(s, "bob", "g4");
    group_send(s, "owner", "g5");
    assert_eq!(
        group_view(s, "alice").map(|v| v.0),
        Some(4),
        "alice's own message does not count"
    );
    let g = ConvRef::group("alice", "g1");
    let got = s.delete_up_to(APP, &g, Some(2), None, 100).expect("delete");
    assert!(matches!(
        got,
        Once::Applied(DeleteOutcome::Deleted { through_seq: 2, .. })
    ));
    // Unread: g4 and g5 (g3 is alice's own).
    assert_eq!(
        group_view(s, "alice"),
        Some((
            2,
            Some("g5".into()),
            vec!["g3".into(), "g4".into(), "g5".into()]
        ))
    );

    // bob leaves after g5; the group goes on without him. His conversation shows up to g5.
    assert!(s.quit_group(APP, "g1", "bob", 20).expect("quit").is_ok());
    group_send(s, "owner", "g6");
    group_send(s, "alice", "g7");
    let b = ConvRef::group("bob", "g1");
    assert!(matches!(
        s.delete_up_to(APP, &b, Some(3), None, 100).expect("delete"),
        Once::Applied(DeleteOutcome::Deleted { through_seq: 3, .. })
    ));
    assert_eq!(
        group_view(s, "bob").map(|v| (v.1, v.2)),
        Some((Some("g5".into()), vec!["g4".into(), "g5".into()]))
    );
    // Up to g5, the last he can see: a plain deletion, though the group went on.
    assert!(matches!(
        s.delete_up_to(APP, &b, Some(5), None, 100).expect("delete"),
        Once::Applied(DeleteOutcome::Deleted { through_seq: 5, .. })
    ));
    assert_eq!(group_view(s, "bob"), None);
}

for_each_engine!(
    without_an_op_id_nothing_is_recorded,
    reads_made_elsewhere_stay_read_after_a_partial_deletion,
    a_chat_with_oneself_never_counts_unread,
    the_same_op_id_from_two_connections_at_once_applies_once,
    group_conversations_delete_up_to_a_seq_the_same_way,
);
