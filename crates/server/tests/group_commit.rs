//! Group commit: many one-to-one sends in one durable commit, each with the outcome it would
//! have had alone; a failing one does not sink the others; pushes leave in commit order; and
//! the log is checkpointed into the database file in the background.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::store::open_store;
use common::{TestServer, WAIT};
use rusqlite::OpenFlags;
use std::collections::BTreeSet;
use std::path::Path;
use tim_proto::model::WireBody;
use tim_proto::Push;
use tim_server::store::{
    BatchedSend, ConvRef, GroupRefusal, GroupType, NewGroup, NewMessage, PageOutcome, SendItem,
    SendOutcome, SqliteStore, Store,
};

const APP: u64 = 7;

fn open() -> (tempfile::TempDir, SqliteStore) {
    let (dir, _, store) = open_store(APP, false);
    (dir, store)
}

fn item(app: u64, from: &str, to: &str, id: &str) -> SendItem {
    SendItem {
        sdk_app_id: app,
        conv: ConvRef::c2c(from, to),
        message: NewMessage {
            msg_id: id.into(),
            body: WireBody::Text {
                text: format!("{from} says {id}"),
            },
            time: 100,
            need_receipt: false,
        },
    }
}

/// `(seq, event numbers logged, the users they were logged for)` of a stored send.
fn stored(outcome: &SendOutcome) -> (u64, Vec<(String, u64)>) {
    match outcome {
        SendOutcome::Stored { message, events } => (
            message.seq,
            events.iter().map(|e| (e.user_id.clone(), e.ev)).collect(),
        ),
        other => panic!("expected Stored, got {other:?}"),
    }
}

fn history(store: &SqliteStore, owner: &str, peer: &str) -> Vec<String> {
    common::store::history(store, APP, owner, peer)
}

#[test]
fn a_batch_gives_each_send_the_outcome_it_would_have_had_alone() {
    let (_dir, store) = open();
    let batch = [
        item(APP, "alice", "bob", "m1"),
        item(APP, "carol", "bob", "m2"),
        // The same sender retrying inside the same batch: the stored message, nothing logged.
        item(APP, "alice", "bob", "m1"),
        // Another sender's message ID in that conversation: refused.
        item(APP, "bob", "alice", "m1"),
        item(APP, "alice", "bob", "m3"),
        // A chat with oneself is logged once.
        item(APP, "alice", "alice", "note"),
    ];
    let outcomes: Vec<SendOutcome> = store
        .send_messages(&batch)
        .expect("batch commits")
        .into_iter()
        .map(|o| o.expect("each send succeeds").expect("not refused"))
        .collect();
    assert_eq!(outcomes.len(), batch.len());

    // Seqs count per thread; event numbers count per user, densely, in batch order.
    assert_eq!(
        stored(&outcomes[0]),
        (1, vec![("bob".into(), 1), ("alice".into(), 1)])
    );
    assert_eq!(
        stored(&outcomes[1]),
        (1, vec![("bob".into(), 2), ("carol".into(), 1)])
    );
    match &outcomes[2] {
        SendOutcome::Duplicate(m) => assert_eq!((m.seq, m.msg_id.as_str()), (1, "m1")),
        other => panic!("expected Duplicate, got {other:?}"),
    }
    assert!(
        matches!(outcomes[3], SendOutcome::IdTaken),
        "{:?}",
        outcomes[3]
    );
    assert_eq!(
        stored(&outcomes[4]),
        (2, vec![("bob".into(), 3), ("alice".into(), 2)])
    );
    assert_eq!(stored(&outcomes[5]), (1, vec![("alice".into(), 3)]));

    // Stored once each, and readable as any other send.
    assert_eq!(history(&store, "bob", "alice"), ["m1", "m3"]);
    assert_eq!(history(&store, "bob", "carol"), ["m2"]);
    assert_eq!(history(&store, "alice", "alice"), ["note"]);
    let bob = store.catch_up(APP, "bob", Some(0), 100).expect("catch up");
    assert_eq!(bob.latest, 3);
    let ids: Vec<String> = bob
        .missed
        .iter()
        .map(|e| match &e.push {
            Push::Message { message } => message.id.clone(),
            other => panic!("expected a message, got {other:?}"),
        })
        .collect();
    assert_eq!(ids, ["m1", "m2", "m3"]);
}

#[test]
fn group_messages_share_the_batch_and_refusals_stay_outcomes() {
    let (_dir, store) = open();
    let new = NewGroup {
        group_id: "team".into(),
        name: "Team".into(),
        kind: GroupType::Private,
        owner: "alice".into(),
        members: vec!["bob".into()],
    };
    assert!(store.create_group(APP, &new, 100).expect("create").is_ok());
    let to_group = |from: &str, id: &str| SendItem {
        conv: ConvRef::group(from, "team"),
        ..item(APP, from, "team", id)
    };
    let batch = [
        to_group("alice", "g1"),
        // Not a member: refused, and the batch goes on.
        to_group("mallory", "x1"),
        item(APP, "carol", "bob", "c1"),
        to_group("bob", "g2"),
    ];
    let outcomes = store.send_messages(&batch).expect("batch commits");
    let seq = |o: &BatchedSend| match o {
        Ok(Ok(SendOutcome::Stored { message, .. })) => message.seq,
        other => panic!("expected Stored, got {other:?}"),
    };
    assert_eq!(seq(&outcomes[0]), 1);
    assert!(
        matches!(outcomes[1], Ok(Err(GroupRefusal::NotMember))),
        "{:?}",
        outcomes[1]
    );
    assert_eq!(seq(&outcomes[2]), 1);
    assert_eq!(seq(&outcomes[3]), 2);
    match store
        .messages(APP, &ConvRef::group("bob", "team"), None, 100)
        .expect("messages")
    {
        PageOutcome::Page(page) => assert_eq!(
            page.messages
                .iter()
                .map(|m| m.msg_id.as_str())
                .collect::<Vec<_>>(),
            ["g1", "g2"]
        ),
        PageOutcome::UnknownAnchor => panic!("no anchor was given"),
    }
    assert_eq!(history(&store, "bob", "carol"), ["c1"]);
}

#[test]
fn a_send_that_fails_fails_alone() {
    let (_dir, store) = open();
    // An app that does not exist: its user rows break a foreign key, which fails the batch's
    // transaction; the store then retries each send on its own.
    let batch = [
        item(APP, "alice", "bob", "m1"),
        item(999, "mallory", "bob", "x1"),
        item(APP, "carol", "bob", "m2"),
    ];
    let outcomes = store.send_messages(&batch).expect("the batch as a whole");
    assert!(matches!(outcomes[0], Ok(Ok(_))), "{:?}", outcomes[0]);
    assert!(outcomes[1].is_err(), "{:?}", outcomes[1]);
    assert!(matches!(outcomes[2], Ok(Ok(_))), "{:?}", outcomes[2]);
    assert_eq!(history(&store, "bob", "alice"), ["m1"]);
    assert_eq!(history(&store, "bob", "carol"), ["m2"]);
    assert!(!store.user_exists(999, "mallory").expect("lookup"));
    // Numbered as if the failed send had never been tried.
    assert_eq!(
        store
            .catch_up(APP, "bob", Some(0), 100)
            .expect("catch up")
            .latest,
        2
    );
}

/// How many messages the database file holds on its own, without its write-ahead log; `None`
/// while a copy caught mid-write cannot be read.
fn messages_in_file_alone(db: &Path, scratch: &Path) -> Option<i64> {
    std::fs::copy(db, scratch).ok()?;
    let conn =
        rusqlite::Connection::open_with_flags(scratch, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
        .ok()
}

#[test]
fn committed_sends_reach_the_database_file_in_the_background() {
    let (dir, db, store) = open_store(APP, false);
    // Send until the log holds more than SQLite's usual checkpoint threshold (1,000 pages),
    // far below the committing connection's own backstop (16,384 pages): only the background
    // checkpoint can then copy anything into the database file.
    let wal = dir.path().join("tim.db-wal");
    let mut sent = 0;
    while std::fs::metadata(&wal).map_or(0, |m| m.len()) < 1_100 * 4_096 {
        assert!(sent < 200_000, "the log never grew");
        let batch: Vec<SendItem> = (sent..sent + 20)
            .map(|i| item(APP, &format!("u{}", i % 50), "bob", &format!("m{i}")))
            .collect();
        for outcome in store.send_messages(&batch).expect("batch") {
            outcome.expect("send").expect("not refused");
        }
        sent += 20;
    }
    let scratch = dir.path().join("copy.db");
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if messages_in_file_alone(&db, &scratch).unwrap_or(0) > 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the database file alone never held any of the {sent} messages"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sends_are_each_answered_stored_once_and_pushed_in_log_order() {
    const SENDERS: usize = 16;
    const EACH: usize = 12;
    let dir = tempfile::tempdir().expect("tempdir");
    let srv = TestServer::start(&dir.path().join("tim.db")).await;
    let mut bob = srv.login("bob").await;

    let mut tasks = Vec::new();
    for s in 0..SENDERS {
        let mut client = srv.login(&format!("snd{s}")).await;
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for k in 0..EACH {
                let m = client.send("bob", &format!("s{s}k{k}"), "hello").await;
                seqs.push(m["seq"].as_u64().expect("seq"));
            }
            // Its own messages come back as replies, never as pushes to itself.
            client.assert_no_push().await;
            seqs
        }));
    }
    for t in tasks {
        // Each sender's thread with bob numbers its messages 1, 2, 3, ...
        let seqs = t.await.expect("sender");
        assert_eq!(seqs, (1..=EACH as u64).collect::<Vec<_>>());
    }

    // Bob hears every message once, with his event numbers in order and without gaps.
    let mut ids = BTreeSet::new();
    for n in 1..=(SENDERS * EACH) as u64 {
        let p = tokio::time::timeout(WAIT, bob.next_push())
            .await
            .expect("a push in time");
        assert_eq!(p["ev"], n, "{p}");
        assert!(
            ids.insert(p["value"]["message"]["id"].as_str().expect("id").to_owned()),
            "pushed twice: {p}"
        );
    }
    bob.assert_no_push().await;
    // After a clean stop the database file itself holds every answered send.
    let db = srv.db.clone();
    srv.stop().await;
    let store = SqliteStore::open(&db).expect("open");
    let count: usize = (0..SENDERS)
        .map(|s| history_len(&store, &format!("snd{s}")))
        .sum();
    assert_eq!(count, SENDERS * EACH);
}

fn history_len(store: &SqliteStore, peer: &str) -> usize {
    match store
        .messages(common::APP, &ConvRef::c2c("bob", peer), None, 100)
        .expect("messages")
    {
        PageOutcome::Page(page) => page.messages.len(),
        PageOutcome::UnknownAnchor => 0,
    }
}

/// The writer holds the commit order while batches are in flight; a stream of sends that never
/// stops must still let a deletion through, and the deletion lands after the sends it follows.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deletion_gets_through_a_stream_of_sends_that_never_stops() {
    const SENDERS: usize = 16;
    let dir = tempfile::tempdir().expect("tempdir");
    let srv = TestServer::start(&dir.path().join("tim.db")).await;
    let mut alice = srv.login("alice").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for s in 0..SENDERS {
        let mut client = srv.login(&format!("snd{s}")).await;
        let stop = std::sync::Arc::clone(&stop);
        tasks.push(tokio::spawn(async move {
            let mut k = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                client.send("alice", &format!("s{s}k{k}"), "hi").await;
                k += 1;
            }
            k
        }));
    }
    // While it runs, alice writes to one of the senders and deletes that conversation, a few
    // times over.
    for round in 0..5 {
        alice.send("snd0", &format!("a{round}"), "hello").await;
        let deleted = tokio::time::timeout(WAIT, alice.delete("C2Csnd0"))
            .await
            .unwrap_or_else(|_| panic!("deletion {round} starved by the sends"));
        assert_eq!(deleted["kind"], "conversationDeleted", "{deleted}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("sender");
    }
    assert!(total > 0);
    srv.stop().await;
}

/// Senders that always have a send queued keep the writer applying batch after batch; another
/// change waiting for the commit order must still get it (the writer ends a run after a bounded
/// number of syncs and lets queued changes in), and commits between two batches.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_change_gets_through_a_queue_of_sends_that_never_empties() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    use tim_server::group_commit::GroupCommit;
    use tim_server::hub::{LocalHub, SessionId};
    use tim_server::publish::Publisher;

    let (_dir, _, store) = open_store(APP, false);
    let store: Arc<dyn Store> = Arc::new(store);
    let publisher = Arc::new(Publisher::new(Arc::new(LocalHub::new())));
    let sends =
        Arc::new(GroupCommit::start(Arc::clone(&store), Arc::clone(&publisher)).expect("writer"));
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let mut senders = Vec::new();
    for s in 0..512u64 {
        let (sends, stop, answered) =
            (Arc::clone(&sends), Arc::clone(&stop), Arc::clone(&answered));
        senders.push(tokio::spawn(async move {
            let mut k = 0;
            while !stop.load(Ordering::Relaxed) {
                let send = item(APP, &format!("s{s}"), "bob", &format!("k{k}"));
                let outcome = sends.send(send, SessionId(s)).await.expect("sent");
                assert!(
                    matches!(outcome, Ok(SendOutcome::Stored { .. })),
                    "{outcome:?}"
                );
                answered.fetch_add(1, Ordering::Relaxed);
                k += 1;
            }
        }));
    }
    while answered.load(Ordering::Relaxed) < 1000 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (change_store, change_publisher) = (Arc::clone(&store), Arc::clone(&publisher));
    let change = tokio::task::spawn_blocking(move || {
        change_publisher.commit(change_store.as_ref(), APP, None, |s| {
            Ok((s.set_sync_conversation_deletion(APP, true)?, Vec::new()))
        })
    });
    let changed = tokio::time::timeout(WAIT, change)
        .await
        .expect("the change got the commit order in time")
        .expect("joined");
    assert!(changed.expect("committed"), "the app exists");
    let during = answered.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    for s in senders {
        s.await.expect("sender");
    }
    assert!(during > 1000);
    assert!(
        store
            .app(APP)
            .expect("app")
            .expect("there")
            .sync_conversation_deletion
    );
}
