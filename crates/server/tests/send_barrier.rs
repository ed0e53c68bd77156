//! The PostgreSQL store's send barrier (`store/postgres/durable.rs`): the group-commit writer's
//! batches commit without waiting for the WAL flush, and a barrier makes them durable before
//! anyone is answered. On a PostgreSQL of the test's own, crashed on purpose
//! (`pg_ctl stop -m immediate`):
//! - a batch whose barrier succeeded survives a crash right after (what "answered" promises);
//! - a crash between a batch's commit and its barrier fails the barrier with 60016, and the
//!   writer's fallback (`Store::flush`) too, so the sends are never answered as stored; their
//!   resends are then kept exactly once, and the next barriers work again.

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
fn a_batch_whose_barrier_succeeded_survives_a_crash_right_after() {
    let Some((server, dbname, store)) = setup() else {
        return;
    };
    let (outcomes, step) = store
        .send_messages_unsynced(&batch(&["m1", "m2", "m3"]))
        .expect("applied");
    assert!(outcomes.iter().all(stored), "{outcomes:?}");
    // Committed asynchronously: durable only once the step has run.
    let step = step.expect("a barrier step (the batch committed without a flush)");
    step().expect("the barrier");
    // Seen from another connection at once, and still there after a crash (no checkpoint, the
    // WAL buffers lost): the barrier flushed the WAL past the batch's commit.
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
fn a_crash_between_commit_and_barrier_fails_the_sends_with_60016_and_resends_are_kept_once() {
    let Some((server, dbname, store)) = setup() else {
        return;
    };
    // Two batches applied, their barriers not run yet (the writer runs only the newest).
    let (first, older_step) = store
        .send_messages_unsynced(&batch(&["m1", "m2"]))
        .expect("applied");
    let (second, step) = store
        .send_messages_unsynced(&batch(&["m3"]))
        .expect("applied");
    assert!(first.iter().chain(&second).all(stored));
    assert!(older_step.is_some());
    drop(older_step);
    let step = step.expect("a barrier step");

    server.crash();
    server.resume();

    // The newest barrier vouches for both batches, and cannot: 60016, and the writer's
    // fallback fails as well, so none of the three is answered as stored.
    let e = step().expect_err("a barrier across a crash fails");
    assert!(e.is_unavailable(), "{e}");
    assert_eq!(ApiError::from(e).code, ErrorCode::StorageUnavailable);
    let e = store.flush().expect_err("the fallback fails too");
    assert_eq!(ApiError::from(e).code, ErrorCode::StorageUnavailable);

    // The clients resend: each message is kept exactly once (stored again if the crash lost
    // it, its stored copy if not), and this batch's barrier works on a new connection.
    let mut resent = None;
    for _ in 0..50 {
        match store.send_messages_unsynced(&batch(&["m1", "m2", "m3"])) {
            Ok(r) if r.0.iter().all(|o| o.is_ok()) => {
                resent = Some(r);
                break;
            }
            // The pool may still hand out a connection of the crashed server once.
            _ => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
    let (outcomes, step) = resent.expect("the resends go through once PostgreSQL is back");
    for o in &outcomes {
        assert!(
            matches!(
                o,
                Ok(Ok(SendOutcome::Stored { .. } | SendOutcome::Duplicate(_)))
            ),
            "{o:?}"
        );
    }
    if let Some(step) = step {
        step().expect("a barrier on the new connection");
    }
    store.flush().expect("nothing left to vouch for");
    assert_eq!(
        server.psql(
            &dbname,
            "SELECT string_agg(msg_id, ',' ORDER BY msg_id) FROM messages"
        ),
        "m1,m2,m3"
    );
    // And the next batch goes the fast way again, barrier included.
    let (outcomes, step) = store
        .send_messages_unsynced(&batch(&["m4"]))
        .expect("applied");
    assert!(outcomes.iter().all(stored));
    step.expect("asynchronous again")().expect("its barrier");
    assert_eq!(count(&server, &dbname, "SELECT count(*) FROM messages"), 4);
}
