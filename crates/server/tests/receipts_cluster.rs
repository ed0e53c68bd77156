//! Read receipts across two nodes (issue 16): the reader on one node, the sender's sessions on
//! both; the receipt reaches each of the sender's sessions once, over NATS, with the same event
//! number, and a session that resumes after it gets it from the log. Real PostgreSQL and a real
//! nats-server on loopback (skipped, loudly, without nats-server, as `cluster.rs` is).

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::nats;
use common::{ev, pg, TestServer};
use serde_json::json;
use std::path::Path;

#[tokio::test]
async fn a_receipt_reaches_the_senders_sessions_on_both_nodes_once() {
    if pg::skipped() {
        eprintln!("TIM_TEST_NO_PG=1: skipped");
        return;
    }
    let Some(nats) = nats::start_or_skip("a_receipt_reaches_the_senders_sessions_on_both_nodes")
    else {
        return;
    };
    let url = pg::server().fresh_database();
    let a = TestServer::start_node(Path::new(&url), &nats.url()).await;
    let b = TestServer::start_node(Path::new(&url), &nats.url()).await;
    let mut alice_a = a.login("alice").await;
    let mut alice_b = b.login("alice").await;
    let mut bob_b = b.login("bob").await;

    let sent = alice_a
        .request(
            "sendMessage",
            Some(
                json!({"conversationID": "C2Cbob", "ID": "m1", "needReadReceipt": true,
                        "body": {"type": "text", "text": "read me"}}),
            ),
        )
        .await;
    assert_eq!(sent["kind"], "sent", "{sent}");
    assert_eq!(sent["value"]["message"]["needReadReceipt"], true, "{sent}");
    assert_eq!(sent["value"]["message"]["unreadCount"], 1, "{sent}");
    for s in [&mut alice_b, &mut bob_b] {
        let p = s.next_push().await;
        assert_eq!(p["kind"], "message", "{p}");
        assert_eq!(p["value"]["message"]["needReadReceipt"], true, "{p}");
    }

    let r = bob_b
        .request(
            "sendMessageReadReceipt",
            Some(json!([{"conversationID": "C2Calice", "ID": "m1", "flow": "in"}])),
        )
        .await;
    assert_eq!(r["kind"], "done", "{r}");
    let mut evs = Vec::new();
    for s in [&mut alice_a, &mut alice_b] {
        let p = s.next_push().await;
        assert_eq!(p["kind"], "messageReadReceipt", "{p}");
        let m = &p["value"][0];
        assert_eq!(
            (
                m["id"].clone(),
                m["conversationID"].clone(),
                m["readCount"].clone()
            ),
            (json!("m1"), json!("C2Cbob"), json!(1)),
            "{p}"
        );
        assert!(m.get("unreadCount").is_none(), "0 is absent: {p}");
        evs.push(ev(&p));
        s.assert_no_push().await;
    }
    assert_eq!(evs[0], evs[1]);
    bob_b.assert_no_push().await;

    // A session resuming just before it gets it once from the log.
    let (_late, answer) = a.login_resume("alice", evs[0] - 1).await;
    let missed = answer["missed"].as_array().expect("missed").clone();
    assert_eq!(missed.len(), 1, "{answer}");
    assert_eq!(missed[0]["ev"], evs[0], "{answer}");
    a.stop().await;
    b.stop().await;
}
