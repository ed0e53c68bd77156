//! Batch deletion, clearing history and reads with their log entries, directly on the SQLite
//! store (a real file): outcomes, one transaction per batch, fixed work per conversation,
//! unread counts.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use tim_proto::model::WireBody;
use tim_proto::Push;
use tim_server::store::{
    ClearOutcome, ConvRef, DeleteMode, DeleteOutcome, NewMessage, PageOutcome, ReadOutcome,
    SendOutcome, SqliteStore, Store,
};

const APP: u64 = 7;

fn open(sync: bool) -> (tempfile::TempDir, PathBuf, SqliteStore) {
    common::store::open_store(APP, sync)
}

fn send(s: &SqliteStore, from: &str, to: &str, id: &str) {
    let msg = NewMessage {
        msg_id: id.into(),
        body: WireBody::Text { text: id.into() },
        time: 10,
        need_receipt: false,
    };
    let outcome = s
        .send_message(APP, &ConvRef::c2c(from, to), &msg)
        .expect("send");
    assert!(matches!(outcome, SendOutcome::Stored { .. }), "{outcome:?}");
}

/// alice's conversations with `peers`.
fn convs(peers: &[String]) -> Vec<ConvRef> {
    peers.iter().map(|p| ConvRef::c2c("alice", p)).collect()
}

fn peers(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("p{i}")).collect()
}

/// `(conversationID, unread)` of alice's list, sorted by ID.
fn list(s: &SqliteStore) -> Vec<(String, u64)> {
    let mut l: Vec<_> = s
        .conversations(APP, "alice")
        .expect("list")
        .into_iter()
        .map(|c| (c.conversation_id, c.unread))
        .collect();
    l.sort();
    l
}

fn total_unread(s: &SqliteStore) -> u64 {
    list(s).iter().map(|(_, n)| n).sum()
}

fn history(s: &SqliteStore, owner: &str, peer: &str) -> Vec<String> {
    match s
        .messages(APP, &ConvRef::c2c(owner, peer), None, 100)
        .expect("messages")
    {
        PageOutcome::Page(p) => p.messages.into_iter().map(|m| m.msg_id).collect(),
        PageOutcome::UnknownAnchor => panic!("anchor"),
    }
}

fn latest_event(s: &SqliteStore, user: &str) -> u64 {
    s.catch_up(APP, user, None, 10).expect("catch up").latest
}

/// Outcomes as `(deleted?, through_seq)`; panics on a logged event unless `logged`.
fn shape(outcomes: &[DeleteOutcome]) -> Vec<Option<u64>> {
    outcomes
        .iter()
        .map(|o| match o {
            DeleteOutcome::Deleted { through_seq, .. } => Some(*through_seq),
            DeleteOutcome::NotFound => None,
        })
        .collect()
}

/// `peer` p<i> sends alice i % 3 + 1 messages.
fn seed(s: &SqliteStore, n: usize) {
    for (i, p) in peers(0..n).iter().enumerate() {
        for k in 0..=(i % 3) {
            send(s, p, "alice", &format!("{p}m{k}"));
        }
    }
}

fn unread_of(i: usize) -> u64 {
    (i % 3 + 1) as u64
}

#[test]
fn batches_of_1_2_and_100_delete_each_with_one_row_update_and_recount_unread() {
    let (_dir, _path, s) = open(false);
    seed(&s, 103);
    let expected_total: u64 = (0..103).map(unread_of).sum();
    assert_eq!(total_unread(&s), expected_total);

    let mut remaining = expected_total;
    for range in [0..1, 1..3, 3..103] {
        let batch = convs(&peers(range.clone()));
        let before = s.total_changes();
        let outcomes = s
            .delete_conversations(APP, &batch, DeleteMode::ClearHistory, 100)
            .expect("batch");
        // One row per conversation, whatever its history: the list entry, its unread count,
        // its read mark and its watermark in one UPDATE. Sync is off: nothing logged.
        assert_eq!(s.total_changes() - before, batch.len() as u64, "{range:?}");
        let want: Vec<Option<u64>> = range.clone().map(|i| Some(unread_of(i))).collect();
        assert_eq!(shape(&outcomes), want, "newest seq of each, in order");
        remaining -= range.clone().map(unread_of).sum::<u64>();
        assert_eq!(total_unread(&s), remaining, "after {range:?}");
        assert_eq!(list(&s).len(), 103 - range.end);
    }
    assert_eq!(remaining, 0);
    assert_eq!(
        latest_event(&s, "alice"),
        expected_total,
        "only the seeded messages are logged: sync is off"
    );
    // Every message is still stored (the peers see theirs); none is visible to alice.
    assert_eq!(history(&s, "p5", "alice").len(), 3);
    assert!(history(&s, "alice", "p5").is_empty());
}

#[test]
fn with_sync_on_a_batch_logs_one_deletion_per_conversation_in_request_order() {
    let (_dir, _path, s) = open(true);
    seed(&s, 100);
    let seeded = latest_event(&s, "alice");
    let mut batch = convs(&peers(0..100));
    batch.reverse();
    // A conversation that is not in the list gets no entry.
    batch.insert(50, ConvRef::c2c("alice", "stranger"));
    let before = s.total_changes();
    let mut outcomes = s
        .delete_conversations(APP, &batch, DeleteMode::ClearHistory, 100)
        .expect("batch");
    // Per deleted conversation: the row, the user's event counter, the log entry.
    assert_eq!(s.total_changes() - before, 300);
    assert_eq!(shape(&outcomes)[50], None);
    let events: Vec<_> = outcomes
        .iter_mut()
        .flat_map(DeleteOutcome::take_events)
        .collect();
    assert_eq!(events.len(), 100);
    let expected: Vec<(u64, Push)> = (0..100)
        .rev()
        .enumerate()
        .map(|(k, i)| {
            (
                seeded + 1 + k as u64,
                Push::ConversationDeleted {
                    conversation_id: format!("C2Cp{i}"),
                    cleared_seq: unread_of(i),
                },
            )
        })
        .collect();
    let got: Vec<(u64, Push)> = events.into_iter().map(|e| (e.ev, e.push)).collect();
    assert_eq!(got, expected);
    // The log holds exactly what was handed back, after the seeded messages.
    let replay = s
        .catch_up(APP, "alice", Some(seeded), 1000)
        .expect("catch up");
    assert_eq!(replay.missed.len(), 100);
    assert_eq!(replay.missed[0].push, expected[0].1);
    assert!(list(&s).is_empty());
}

#[test]
fn a_failure_mid_batch_leaves_nothing_applied() {
    let (_dir, path, s) = open(true);
    seed(&s, 100);
    let list_before = list(&s);
    let log_before = latest_event(&s, "alice");
    // Fault injection from outside: the 51st deletion of the batch fails inside SQLite.
    let raw = rusqlite::Connection::open(&path).expect("raw");
    raw.execute_batch(
        "CREATE TRIGGER fail_p50 BEFORE UPDATE OF visible ON conversations
         WHEN NEW.conversation_id = 'C2Cp50' AND NEW.visible = 0
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
    )
    .expect("trigger");
    let batch = convs(&peers(0..100));
    let failed = s.delete_conversations(APP, &batch, DeleteMode::ClearHistory, 100);
    assert!(failed.is_err(), "{failed:?}");
    assert_eq!(
        list(&s),
        list_before,
        "the first 50 deletions were rolled back"
    );
    assert_eq!(latest_event(&s, "alice"), log_before, "nothing logged");
    assert_eq!(history(&s, "alice", "p0").len(), 1, "no watermark moved");

    raw.execute_batch("DROP TRIGGER fail_p50").expect("drop");
    let outcomes = s
        .delete_conversations(APP, &batch, DeleteMode::ClearHistory, 100)
        .expect("retry");
    assert!(shape(&outcomes).iter().all(Option::is_some));
    assert!(list(&s).is_empty());
    assert_eq!(latest_event(&s, "alice"), log_before + 100);
}

#[test]
fn keep_history_hides_the_entries_and_a_new_message_brings_the_old_history_back() {
    let (_dir, _path, s) = open(true);
    send(&s, "bob", "alice", "b1");
    send(&s, "bob", "alice", "b2");
    send(&s, "carol", "alice", "c1");
    let mut outcomes = s
        .delete_conversations(
            APP,
            &convs(&["bob".into(), "carol".into()]),
            DeleteMode::KeepHistory,
            100,
        )
        .expect("batch");
    assert_eq!(shape(&outcomes), [Some(2), Some(1)]);
    // Clients drop the entry up to the newest seq, though the server keeps the history.
    let pushes: Vec<Push> = outcomes
        .iter_mut()
        .flat_map(DeleteOutcome::take_events)
        .map(|e| e.push)
        .collect();
    assert_eq!(
        pushes,
        [
            Push::ConversationDeleted {
                conversation_id: "C2Cbob".into(),
                cleared_seq: 2
            },
            Push::ConversationDeleted {
                conversation_id: "C2Ccarol".into(),
                cleared_seq: 1
            }
        ]
    );
    assert!(list(&s).is_empty());
    assert!(
        history(&s, "alice", "bob").is_empty(),
        "hidden while out of the list"
    );

    send(&s, "bob", "alice", "b3");
    assert_eq!(history(&s, "alice", "bob"), ["b1", "b2", "b3"]);
    assert_eq!(
        list(&s),
        [("C2Cbob".into(), 1)],
        "only the new message is unread"
    );

    // With the history: only what comes after is ever shown.
    send(&s, "carol", "alice", "c2");
    assert_eq!(history(&s, "alice", "carol"), ["c1", "c2"]);
    let outcomes = s
        .delete_conversations(
            APP,
            &convs(&["carol".into(), "bob".into()]),
            DeleteMode::ClearHistory,
            100,
        )
        .expect("batch");
    assert_eq!(shape(&outcomes), [Some(2), Some(3)]);
    send(&s, "carol", "alice", "c3");
    assert_eq!(history(&s, "alice", "carol"), ["c3"]);
    assert_eq!(
        history(&s, "carol", "alice"),
        ["c1", "c2", "c3"],
        "carol keeps hers"
    );
}

#[test]
fn a_repeated_or_unknown_entry_is_not_found_and_changes_nothing() {
    let (_dir, _path, s) = open(false);
    send(&s, "bob", "alice", "b1");
    let outcomes = s
        .delete_conversations(
            APP,
            &convs(&["nobody".into(), "bob".into(), "bob".into()]),
            DeleteMode::ClearHistory,
            100,
        )
        .expect("batch");
    assert_eq!(shape(&outcomes), [None, Some(1), None]);
    let before = s.total_changes();
    let outcomes = s
        .delete_conversations(APP, &convs(&["bob".into()]), DeleteMode::ClearHistory, 100)
        .expect("again");
    assert_eq!(shape(&outcomes), [None]);
    assert_eq!(s.total_changes(), before, "nothing written");
}

#[test]
fn clearing_history_keeps_the_entry_blank_and_read_and_is_always_logged() {
    // Sync off: clearing is logged anyway.
    let (_dir, _path, s) = open(false);
    for i in 1..=3 {
        send(&s, "bob", "alice", &format!("b{i}"));
    }
    send(&s, "carol", "alice", "c1");
    assert_eq!(total_unread(&s), 4);
    let log_before = latest_event(&s, "alice");
    let bob = ConvRef::c2c("alice", "bob");

    let before = s.total_changes();
    let mut outcome = s.clear_history(APP, &bob, 100).expect("clear");
    // The row, the event counter, the log entry: whatever the history size.
    assert_eq!(s.total_changes() - before, 3);
    let events = outcome.take_events();
    assert_eq!(
        outcome,
        ClearOutcome::Cleared {
            cleared_seq: 3,
            event: None
        }
    );
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].ev, log_before + 1);
    assert_eq!(
        events[0].push,
        Push::HistoryCleared {
            conversation_id: "C2Cbob".into(),
            cleared_seq: 3
        }
    );

    let view = s
        .conversation(APP, &bob)
        .expect("get")
        .expect("still listed");
    assert_eq!((view.unread, view.last_message), (0, None));
    assert_eq!(total_unread(&s), 1, "carol's message is still unread");
    assert!(history(&s, "alice", "bob").is_empty());
    assert_eq!(
        history(&s, "bob", "alice"),
        ["b1", "b2", "b3"],
        "bob keeps his"
    );

    send(&s, "bob", "alice", "b4");
    assert_eq!(history(&s, "alice", "bob"), ["b4"]);
    let view = s.conversation(APP, &bob).expect("get").expect("listed");
    assert_eq!(view.unread, 1);
    assert_eq!(view.last_message.map(|m| m.msg_id), Some("b4".into()));

    assert_eq!(
        s.clear_history(APP, &ConvRef::c2c("alice", "nobody"), 100)
            .expect("clear"),
        ClearOutcome::NotFound
    );
    s.delete_conversation(APP, &bob, DeleteMode::ClearHistory, 100)
        .expect("delete");
    assert_eq!(
        s.clear_history(APP, &bob, 100).expect("clear"),
        ClearOutcome::NotFound,
        "a deleted conversation is not in the list"
    );
}

#[test]
fn a_read_is_logged_when_something_was_unread_and_only_then() {
    let (_dir, _path, s) = open(false);
    send(&s, "bob", "alice", "b1");
    send(&s, "bob", "alice", "b2");
    let bob = ConvRef::c2c("alice", "bob");
    let log_before = latest_event(&s, "alice");
    let mut outcome = s.mark_read(APP, &bob, 100).expect("read");
    let events = outcome.take_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].ev, log_before + 1);
    assert_eq!(
        events[0].push,
        Push::ConversationRead {
            conversation_id: "C2Cbob".into(),
            read_seq: 2,
        },
        "the read covers everything up to the newest message"
    );
    assert_eq!(total_unread(&s), 0);

    let before = s.total_changes();
    assert_eq!(
        s.mark_read(APP, &bob, 100).expect("again"),
        ReadOutcome::Read { event: None }
    );
    assert_eq!(
        s.total_changes(),
        before,
        "a read that changes nothing writes nothing"
    );
    assert_eq!(latest_event(&s, "alice"), log_before + 1);
    assert_eq!(
        s.mark_read(APP, &ConvRef::c2c("alice", "nobody"), 100)
            .expect("read"),
        ReadOutcome::NotFound
    );
}

#[test]
fn the_deletions_survive_reopening_the_file() {
    let (_dir, path, s) = open(false);
    seed(&s, 5);
    s.delete_conversations(APP, &convs(&peers(0..3)), DeleteMode::ClearHistory, 100)
        .expect("batch");
    s.clear_history(APP, &ConvRef::c2c("alice", "p3"), 100)
        .expect("clear");
    drop(s);
    let s = reopen(&path);
    assert_eq!(
        list(&s),
        [("C2Cp3".into(), 0), ("C2Cp4".into(), unread_of(4))]
    );
    assert!(history(&s, "alice", "p0").is_empty());
    assert!(history(&s, "alice", "p3").is_empty());
}

fn reopen(path: &Path) -> SqliteStore {
    SqliteStore::open(path).expect("reopen")
}
