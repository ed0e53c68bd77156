//! Batches of sends (`Store::send_messages`, what the group-commit writer calls), on both
//! engines: a batch ends exactly where its sends one by one would (outcomes, seqs, event
//! numbers, conversation rows, logs), whatever it mixes: repeats of earlier and of same-batch
//! message IDs, IDs another sender took, blocked senders, chats with oneself, both directions
//! of one conversation, a conversation deleted between batches. And two nodes sending
//! batches for the same users at once keep every counter dense.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use std::sync::{Arc, Barrier};
use tim_proto::model::WireBody;
use tim_server::store::{ConvRef, DeleteMode, NewMessage, SendItem, SendOutcome, Store};

const APP: u64 = 7;

fn item(from: &str, to: &str, id: &str, time: i64) -> SendItem {
    SendItem {
        sdk_app_id: APP,
        conv: ConvRef::c2c(from, to),
        message: NewMessage {
            msg_id: id.into(),
            body: WireBody::Text {
                text: format!("{from} says {id}"),
            },
            time,
            need_receipt: false,
        },
    }
}

/// Three batches with a deletion and a blacklist change between them.
fn script() -> Vec<Vec<SendItem>> {
    vec![
        vec![
            item("alice", "bob", "m1", 100),
            item("carol", "bob", "m2", 100),
            // The same sender retrying inside the same batch: the stored message.
            item("alice", "bob", "m1", 100),
            // Another sender's message ID in that conversation: refused.
            item("bob", "alice", "m1", 100),
            // Both directions of one conversation in one batch.
            item("bob", "alice", "m3", 101),
            item("alice", "bob", "m4", 101),
            item("bob", "alice", "m5", 102),
            // A chat with oneself is logged once.
            item("alice", "alice", "note", 102),
            item("dave", "erin", "d1", 103),
        ],
        // (bob deletes his conversation with alice; erin blacklists dave)
        vec![
            // A repeat of a message sent in an earlier batch (since deleted by bob).
            item("alice", "bob", "m4", 104),
            item("dave", "erin", "d2", 104),
            item("alice", "bob", "m6", 105),
            item("erin", "dave", "e1", 105),
            item("dave", "erin", "d1", 105),
            item("bob", "carol", "m2", 106),
        ],
        vec![
            item("erin", "dave", "e2", 107),
            item("bob", "alice", "m7", 107),
        ],
    ]
}

fn between_batches(store: &dyn Store, after: usize) {
    if after == 0 {
        store
            .delete_conversation(
                APP,
                &ConvRef::c2c("bob", "alice"),
                DeleteMode::ClearHistory,
                103,
            )
            .expect("delete");
        let blocked = ["dave".to_owned()];
        store
            .change_blacklist(APP, "erin", &blocked, true, 103)
            .expect("blacklist");
    }
}

/// Everything a user can read back: conversations and the whole log.
fn state(store: &dyn Store, user: &str) -> String {
    let conversations = store.conversations(APP, user).expect("conversations");
    let log = store.catch_up(APP, user, Some(0), 1000).expect("log");
    format!("{conversations:?}\n{log:?}")
}

fn a_batch_ends_where_its_sends_one_by_one_end(db: TestDb) {
    let batched = db.open_with_app(APP);
    let alone_db = TestDb::new(db.engine).expect("a second database");
    let alone = alone_db.open_with_app(APP);
    for (n, batch) in script().iter().enumerate() {
        let together: Vec<SendOutcome> = batched
            .send_messages(batch)
            .expect("batch")
            .into_iter()
            .map(|o| o.expect("send").expect("one-to-one"))
            .collect();
        let one_by_one: Vec<SendOutcome> = batch
            .iter()
            .map(|i| alone.send_message(APP, &i.conv, &i.message).expect("send"))
            .collect();
        assert_eq!(together, one_by_one, "batch {n}");
        between_batches(batched.as_ref(), n);
        between_batches(alone.as_ref(), n);
    }
    for user in ["alice", "bob", "carol", "dave", "erin"] {
        assert_eq!(
            state(batched.as_ref(), user),
            state(alone.as_ref(), user),
            "{user}"
        );
    }

    // And what that is, spelled out for the first batch's trickiest parts.
    let first = script().remove(0);
    let fresh_db = TestDb::new(db.engine).expect("a third database");
    let fresh = fresh_db.open_with_app(APP);
    let outcomes: Vec<SendOutcome> = fresh
        .send_messages(&first)
        .expect("batch")
        .into_iter()
        .map(|o| o.expect("send").expect("one-to-one"))
        .collect();
    let numbers = |o: &SendOutcome| match o {
        SendOutcome::Stored { message, events } => (
            message.seq,
            events
                .iter()
                .map(|e| (e.user_id.clone(), e.ev))
                .collect::<Vec<_>>(),
        ),
        other => panic!("expected Stored, got {other:?}"),
    };
    assert_eq!(
        numbers(&outcomes[0]),
        (1, vec![("bob".into(), 1), ("alice".into(), 1)])
    );
    assert_eq!(
        numbers(&outcomes[1]),
        (1, vec![("bob".into(), 2), ("carol".into(), 1)])
    );
    assert!(
        matches!(&outcomes[2], SendOutcome::Duplicate(m) if m.seq == 1 && m.msg_id == "m1"),
        "{:?}",
        outcomes[2]
    );
    assert_eq!(outcomes[3], SendOutcome::IdTaken);
    assert_eq!(
        numbers(&outcomes[4]),
        (2, vec![("alice".into(), 2), ("bob".into(), 3)])
    );
    assert_eq!(numbers(&outcomes[7]), (1, vec![("alice".into(), 5)]));
    // bob's m5 came after alice's m4: the newest of the conversation either way round.
    let alice = fresh
        .conversation(APP, &ConvRef::c2c("alice", "bob"))
        .expect("view")
        .expect("visible");
    assert_eq!(alice.last_message.map(|m| m.msg_id), Some("m5".into()));
}

/// Two nodes send batches at once that share users (everyone writes to bob, and to each
/// other): each thread's seqs and each user's event numbers end up dense, every send stored
/// once.
fn two_nodes_sending_batches_for_the_same_users_keep_counters_dense(db: TestDb) {
    const BATCHES: usize = 15;
    let nodes: [Arc<dyn Store>; 2] = [db.open_with_app(APP), db.open()];
    let start = Barrier::new(2);
    std::thread::scope(|scope| {
        for (n, node) in nodes.iter().enumerate() {
            let start = &start;
            scope.spawn(move || {
                start.wait();
                for b in 0..BATCHES {
                    let batch: Vec<SendItem> = (0..6)
                        .map(|i| {
                            let from = format!("u{}", (n + i) % 4);
                            let to = if i % 2 == 0 {
                                "bob".to_owned()
                            } else {
                                format!("u{}", (i + 1) % 4)
                            };
                            item(&from, &to, &format!("n{n}b{b}i{i}"), 10)
                        })
                        .collect();
                    for o in node.send_messages(&batch).expect("batch") {
                        o.expect("send").expect("one-to-one");
                    }
                }
            });
        }
    });
    for user in ["bob", "u0", "u1", "u2", "u3"] {
        let log = nodes[0].catch_up(APP, user, Some(0), 100_000).expect("log");
        assert!(!log.resync_required);
        let numbers: Vec<u64> = log.missed.iter().map(|e| e.ev).collect();
        assert_eq!(
            numbers,
            (1..=log.latest).collect::<Vec<_>>(),
            "{user}: dense"
        );
    }
    // (SQLite keeps recent sends in its own log until flushed.)
    for node in &nodes {
        node.flush().expect("flush");
    }
    let messages = db.count("SELECT count(*) FROM messages");
    assert_eq!(messages, (2 * BATCHES * 6) as i64);
    let threads_dense = db.count(
        "SELECT count(*) FROM (SELECT conv_key FROM messages GROUP BY conv_key
                               HAVING max(seq) <> count(*) OR min(seq) <> 1) AS gaps",
    );
    assert_eq!(threads_dense, 0, "every thread's seqs run 1..n");
}

for_each_engine!(
    a_batch_ends_where_its_sends_one_by_one_end,
    two_nodes_sending_batches_for_the_same_users_keep_counters_dense,
);
