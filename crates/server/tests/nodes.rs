//! What only matters with concurrent writers: two stores on one database ("two nodes" of a
//! cluster on PostgreSQL; two connections to one file on SQLite) writing for the same users at
//! the same moment. Every test runs on both engines.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use std::sync::{Arc, Barrier};
use tim_proto::model::WireBody;
use tim_proto::{ErrorCode, Push, Reply};
use tim_server::store::{
    App, ConvRef, DeleteOutcome, NewMessage, Once, OpAnswer, OpRecord, SendOutcome, Store,
};

const APP: u64 = 7;

/// Two nodes on a fresh database with one app.
fn two_nodes(db: &TestDb, sync: bool) -> [Arc<dyn Store>; 2] {
    let a = db.open();
    a.create_app(&App {
        sdk_app_id: APP,
        secret_key: "k".into(),
        admin_identifier: "administrator".into(),
        sync_conversation_deletion: sync,
        created_at: 0,
    })
    .expect("app");
    [a, db.open()]
}

fn message(id: &str) -> NewMessage {
    NewMessage {
        msg_id: id.into(),
        body: WireBody::Text { text: id.into() },
        time: 10,
        need_receipt: false,
    }
}

/// Every event of `user`'s log, oldest first, checking the numbers run 1, 2, 3, ...
fn whole_log(s: &dyn Store, user: &str) -> Vec<Push> {
    let c = s.catch_up(APP, user, Some(0), 100_000).expect("catch up");
    assert!(!c.resync_required, "the whole log is there");
    let numbers: Vec<u64> = c.missed.iter().map(|e| e.ev).collect();
    let expected: Vec<u64> = (1..=c.latest).collect();
    assert_eq!(numbers, expected, "dense from 1, in order");
    c.missed.into_iter().map(|e| e.push).collect()
}

/// Two nodes log messages for bob at once (from different senders, so different threads):
/// bob's numbers are strictly increasing and gap-free, each handed out once.
fn event_numbers_stay_dense_when_two_nodes_log_for_one_user(db: TestDb) {
    const EACH: usize = 40;
    let nodes = two_nodes(&db, false);
    let start = Barrier::new(2);
    let handed_out: Vec<u64> = std::thread::scope(|scope| {
        let runs: Vec<_> = ["alice", "carol"]
            .into_iter()
            .zip(&nodes)
            .map(|(from, node)| {
                let start = &start;
                scope.spawn(move || {
                    start.wait();
                    let mut mine = Vec::new();
                    for i in 0..EACH {
                        let conv = ConvRef::c2c(from, "bob");
                        let outcome = node
                            .send_message(APP, &conv, &message(&format!("{from}-{i}")))
                            .expect("send");
                        let SendOutcome::Stored { events, .. } = outcome else {
                            panic!("stored");
                        };
                        mine.extend(events.iter().filter(|e| e.user_id == "bob").map(|e| e.ev));
                    }
                    mine
                })
            })
            .collect();
        runs.into_iter()
            .flat_map(|r| r.join().expect("sender"))
            .collect()
    });
    let mut sorted = handed_out.clone();
    sorted.sort_unstable();
    let expected: Vec<u64> = (1..=(2 * EACH) as u64).collect();
    assert_eq!(sorted, expected, "every number once, none skipped");
    let log = whole_log(nodes[1].as_ref(), "bob");
    assert_eq!(log.len(), 2 * EACH);
    // Each sender's messages appear in bob's log in the order they were sent.
    for from in ["alice", "carol"] {
        let ids: Vec<String> = log
            .iter()
            .filter_map(|p| match p {
                Push::Message { message } if message.from == from => Some(message.id.clone()),
                _ => None,
            })
            .collect();
        let sent: Vec<String> = (0..EACH).map(|i| format!("{from}-{i}")).collect();
        assert_eq!(ids, sent, "{from}");
    }
}

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

/// The same queued deletion (one opId) replayed by two tabs connected to two nodes at the same
/// moment: applied once, logged once; the other gets the recorded answer.
fn one_op_id_from_two_nodes_is_applied_once(db: TestDb) {
    let nodes = two_nodes(&db, true);
    for i in 1..=3 {
        nodes[0]
            .send_message(
                APP,
                &ConvRef::c2c("bob", "alice"),
                &message(&format!("m{i}")),
            )
            .expect("send");
    }
    let start = Barrier::new(2);
    let outcomes: Vec<Once<DeleteOutcome>> = std::thread::scope(|scope| {
        let runs: Vec<_> = nodes
            .iter()
            .map(|node| {
                let start = &start;
                scope.spawn(move || {
                    let op = OpRecord {
                        op_id: "op-1",
                        request: "deleteConversation C2Cbob",
                        answer: &answer,
                    };
                    start.wait();
                    node.delete_up_to(APP, &ConvRef::c2c("alice", "bob"), None, Some(&op), 20)
                        .expect("delete")
                })
            })
            .collect();
        runs.into_iter()
            .map(|r| r.join().expect("deleter"))
            .collect()
    });
    let applied: Vec<&DeleteOutcome> = outcomes
        .iter()
        .filter_map(|o| match o {
            Once::Applied(d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(applied.len(), 1, "applied once: {outcomes:?}");
    let Some(DeleteOutcome::Deleted { through_seq: 3, .. }) = applied.first() else {
        panic!("deleted through 3: {outcomes:?}");
    };
    let repeated: Vec<&OpAnswer> = outcomes
        .iter()
        .filter_map(|o| match o {
            Once::Repeated(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(
        repeated,
        [&answer(applied[0])],
        "the other: the recorded answer"
    );
    let deletions = whole_log(nodes[0].as_ref(), "alice")
        .into_iter()
        .filter(|p| matches!(p, Push::ConversationDeleted { .. }))
        .count();
    assert_eq!(deletions, 1, "logged once");
}

/// bob sends to alice on one node while alice deletes the conversation on the other, again
/// and again: commit order decides. The deletion covers exactly the messages committed before
/// it (its watermark), every later one is visible and unread, and alice's log has the
/// deletion after the messages it covers and before the ones it does not.
fn a_message_and_a_deletion_racing_on_two_nodes_follow_commit_order(db: TestDb) {
    const ROUNDS: usize = 12;
    let nodes = two_nodes(&db, true);
    let alice_view = ConvRef::c2c("alice", "bob");
    for round in 0..ROUNDS {
        nodes[0]
            .send_message(
                APP,
                &ConvRef::c2c("bob", "alice"),
                &message(&format!("r{round}")),
            )
            .expect("first message");
        let start = Barrier::new(2);
        let through = std::thread::scope(|scope| {
            let sender = scope.spawn(|| {
                start.wait();
                for i in 0..3 {
                    nodes[0]
                        .send_message(
                            APP,
                            &ConvRef::c2c("bob", "alice"),
                            &message(&format!("r{round}-{i}")),
                        )
                        .expect("send");
                }
            });
            let deleter = scope.spawn(|| {
                start.wait();
                match nodes[1]
                    .delete_up_to(APP, &alice_view, None, None, 20)
                    .expect("delete")
                {
                    Once::Applied(DeleteOutcome::Deleted { through_seq, .. }) => through_seq,
                    other => panic!("deleted: {other:?}"),
                }
            });
            sender.join().expect("sender");
            deleter.join().expect("deleter")
        });
        let newest = 4 * (round as u64 + 1);
        let view = nodes[0].conversation(APP, &alice_view).expect("view");
        if through == newest {
            assert_eq!(
                view, None,
                "round {round}: everything deleted, nothing came after"
            );
        } else {
            let view = view.expect("later messages bring it back");
            assert_eq!(
                view.unread,
                newest - through,
                "round {round}: unread = the later ones"
            );
            assert_eq!(view.last_message.map(|m| m.seq), Some(newest));
        }
    }
    // In alice's log, each deletion sits exactly between the messages it covers and the rest.
    let mut newest_logged = 0;
    for push in whole_log(nodes[1].as_ref(), "alice") {
        match push {
            Push::Message { message } => {
                assert!(message.seq > newest_logged, "seqs in commit order");
                newest_logged = message.seq;
            }
            Push::ConversationDeleted { cleared_seq, .. } => {
                assert_eq!(
                    cleared_seq, newest_logged,
                    "covers what was logged before it"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

for_each_engine!(
    event_numbers_stay_dense_when_two_nodes_log_for_one_user,
    one_op_id_from_two_nodes_is_applied_once,
    a_message_and_a_deletion_racing_on_two_nodes_follow_commit_order,
);
