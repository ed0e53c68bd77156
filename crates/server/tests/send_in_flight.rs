//! The PostgreSQL store's commits in flight (`store/postgres/durable.rs`): the group-commit
//! writer gets a batch's outcomes before its COMMIT is done, and the batch's sync step waits for
//! that commit (and every earlier batch's) before anyone is answered. On a PostgreSQL of the
//! test's own, crashed on purpose (`pg_ctl stop -m immediate`):
//! - a batch whose step succeeded survives a crash right after (what "answered" promises);
//! - a step waits for its batch's commit (held back here by a synchronous
//!   standby that never answers), and the rows are not visible meanwhile; a crash then fails
//!   the step with 60016, and the writer's fallback (`Store::flush`) too, so the sends are never
//!   answered as stored; their resends are kept exactly once, and the next batches work.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::pg;
use tim_proto::model::WireBody;
use tim_proto::ErrorCode;
use tim_server::config::DEFAULT_SEND_COMMIT_AFTER;
use tim_server::error::ApiError;
use tim_server::store::{self, ConvRef, NewMessage, SendItem, SendOutcome, Store};

const APP: u64 = 7;

fn item(from: &str, to: &str, id: &str) -> SendItem {
    SendItem {
        sdk_app_id: APP,
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

fn batch(ids: &[&str]) -> Vec<SendItem> {
    ids.iter().map(|id| item("alice", "bob", id)).collect()
}

/// A private PostgreSQL with a fresh database and a store on it with app [`APP`]; `None` when
/// the PostgreSQL runs are switched off.
fn setup() -> Option<(pg::PgServer, String, std::sync::Arc<dyn Store>)> {
    if pg::skipped() {
        eprintln!("TIM_TEST_NO_PG=1: skipping");
        return None;
    }
    let server = pg::private();
    let url = server.fresh_database();
    let dbname = url.rsplit('/').next().unwrap_or_default().to_owned();
    let store = store::open(&url, DEFAULT_SEND_COMMIT_AFTER).expect("open the store");
    store
        .create_app(&store::App {
            sdk_app_id: APP,
            secret_key: "k".into(),
            admin_identifier: "administrator".into(),
            sync_conversation_deletion: false,
            created_at: 0,
        })
        .expect("app");
    Some((server, dbname, store))
}

fn stored(outcome: &store::BatchedSend) -> bool {
    matches!(outcome, Ok(Ok(SendOutcome::Stored { .. })))
}

fn count(server: &pg::PgServer, dbname: &str, sql: &str) -> i64 {
    server.psql(dbname, sql).parse().expect("an integer")
}

#[test]
fn a_batch_whose_step_succeeded_survives_a_crash_right_after() {
    let Some((server, dbname, store)) = setup() else {
        return;
    };
    let (outcomes, step) = store
        .send_messages_unsynced(&batch(&["m1", "m2", "m3"]))
        .expect("applied");
    assert!(outcomes.iter().all(stored), "{outcomes:?}");
    // Its commit in flight: done once the step has run.
    let step = step.expect("a step that waits for the commit");
    step().expect("the commit");
    // Seen from another connection at once, and still there after a crash (no checkpoint, the
    // WAL buffers lost): the commit the step waited for was flushed.
    assert_eq!(count(&server, &dbname, "SELECT count(*) FROM messages"), 3);
    server.crash();
    server.resume();
    assert_eq!(count(&server, &dbname, "SELECT count(*) FROM messages"), 3);
    assert_eq!(
        server.psql(
            &dbname,
            "SELECT string_agg(msg_id, ',' ORDER BY seq) FROM messages"
        ),
        "m1,m2,m3"
    );
}

#[test]
fn a_step_waits_for_the_commit_and_a_crash_fails_it_with_60016() {
    let Some((server, dbname, store)) = setup() else {
        return;
    };
    // Every synchronous commit from now on waits for a standby that does not exist: commits
    // stay in flight until the crash.
    server.psql(
        "postgres",
        "ALTER SYSTEM SET synchronous_standby_names = 'nobody'",
    );
    server.psql("postgres", "SELECT pg_reload_conf()");
    // Two batches applied; the writer runs only the newest step.
    let (first, older_step) = store
        .send_messages_unsynced(&batch(&["m1", "m2"]))
        .expect("applied");
    // (Other users: a batch touching the first one's rows would wait for its commit.)
    let (second, step) = store
        .send_messages_unsynced(&[item("carol", "dave", "m3")])
        .expect("applied");
    assert!(first.iter().chain(&second).all(stored));
    assert!(older_step.is_some());
    drop(older_step);
    let step = step.expect("a commit in flight");
    let waiting = std::thread::spawn(step);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(!waiting.is_finished(), "the step waits for the commits");
    assert_eq!(
        count(&server, &dbname, "SELECT count(*) FROM messages"),
        0,
        "nothing visible before its commit is done"
    );

    server.crash();
    let e = waiting
        .join()
        .expect("the step returns")
        .expect_err("a commit lost in a crash fails its step");
    assert!(e.is_unavailable(), "{e}");
    assert_eq!(ApiError::from(e).code, ErrorCode::StorageUnavailable);
    let e = store.flush().expect_err("the fallback fails too");
    assert_eq!(ApiError::from(e).code, ErrorCode::StorageUnavailable);
    server.resume();
    server.psql("postgres", "ALTER SYSTEM RESET synchronous_standby_names");
    server.psql("postgres", "SELECT pg_reload_conf()");

    // The clients resend: each message kept exactly once (stored again, or its stored copy:
    // the commit record may have reached the disk before the crash, unanswered).
    let mut resent = None;
    for _ in 0..50 {
        let mut resends = batch(&["m1", "m2"]);
        resends.push(item("carol", "dave", "m3"));
        // (The pool may still hand out a connection of the crashed server once.)
        if let Ok((outcomes, step)) = store.send_messages_unsynced(&resends) {
            if outcomes.iter().all(|o| o.is_ok()) && step.is_none_or(|step| step().is_ok()) {
                resent = Some(outcomes);
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let outcomes = resent.expect("the resends go through once PostgreSQL is back");
    for o in &outcomes {
        assert!(
            matches!(
                o,
                Ok(Ok(SendOutcome::Stored { .. } | SendOutcome::Duplicate(_)))
            ),
            "{o:?}"
        );
    }
    store.flush().expect("nothing left to wait for");
    assert_eq!(
        server.psql(
            &dbname,
            "SELECT string_agg(msg_id, ',' ORDER BY msg_id) FROM messages"
        ),
        "m1,m2,m3"
    );
    // And the next batch goes the same way again.
    let (outcomes, step) = store
        .send_messages_unsynced(&batch(&["m4"]))
        .expect("applied");
    assert!(outcomes.iter().all(stored));
    step.expect("in flight")().expect("its commit");
    assert_eq!(count(&server, &dbname, "SELECT count(*) FROM messages"), 4);
}
