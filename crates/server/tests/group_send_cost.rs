//! What one message to a 5,000-member group costs the SQLite writer (issue 13's fair fan-out):
//! CPU time of the thread that applies it, through the writer's path (`send_messages`: applied
//! in the open send transaction, logged, synced), and the commit of the rows afterwards. A
//! measurement, not a test of behaviour: ignored by default, run in release:
//! `cargo test --release -p tim-server --test group_send_cost -- --ignored --nocapture`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;
use tim_proto::model::WireBody;
use tim_server::store::{
    App, ConvRef, GroupType, NewGroup, NewMessage, SendItem, SqliteStore, Store,
};

const APP: u64 = 7;
const MEMBERS: usize = 5_000;
const SENDS: usize = 60;

/// This thread's CPU time so far, in ns (first field of its schedstat).
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

#[test]
#[ignore = "a measurement; run in release with --ignored --nocapture"]
fn one_message_to_a_5000_member_group() {
    let dir = tempfile::tempdir().expect("tempdir");
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
    let members: Vec<String> = (1..MEMBERS).map(|i| format!("fm{i}")).collect();
    for m in members.iter().chain(std::iter::once(&"owner".to_owned())) {
        store.ensure_user(APP, m, 1).expect("user");
    }
    let created = store
        .create_group(
            APP,
            &NewGroup {
                group_id: "flood".into(),
                name: "G".into(),
                kind: GroupType::Public,
                owner: "owner".into(),
                members,
            },
            1,
        )
        .expect("create");
    assert!(created.is_ok());
    let item = |i: usize| SendItem {
        sdk_app_id: APP,
        conv: ConvRef::group("owner", "flood"),
        message: NewMessage {
            msg_id: format!("m{i}"),
            body: WireBody::Text {
                text: "hello everyone".into(),
            },
            time: 2,
            need_receipt: false,
        },
    };
    // Warm up (caches, the first rows of every member).
    for i in 0..5 {
        store.send_messages(&[item(i)]).expect("send");
    }
    let (cpu, wall) = (cpu_ns(), Instant::now());
    for i in 5..5 + SENDS {
        let out = store.send_messages(&[item(i)]).expect("send");
        assert!(matches!(out[0], Ok(Ok(_))));
    }
    let sends_cpu = cpu_ns() - cpu;
    let sends_wall = wall.elapsed();
    let (cpu, wall) = (cpu_ns(), Instant::now());
    store.flush().expect("commit");
    let commit_cpu = cpu_ns() - cpu;
    let commit_wall = wall.elapsed();
    println!(
        "group of {MEMBERS}: per message {:.1} ms CPU ({:.1} ms wall) to apply, log and sync; \
         committing the {SENDS} messages' rows: {:.1} ms CPU ({:.1} ms wall), {:.1} ms a message",
        sends_cpu as f64 / 1e6 / SENDS as f64,
        sends_wall.as_secs_f64() * 1e3 / SENDS as f64,
        commit_cpu as f64 / 1e6,
        commit_wall.as_secs_f64() * 1e3,
        commit_wall.as_secs_f64() * 1e3 / SENDS as f64,
    );
}
