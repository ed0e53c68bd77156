//! The cluster mode over real WebSockets: two nodes (in-process servers, the code `serve --db
//! postgres://… --nats nats://…` runs) on one real PostgreSQL and one real nats-server on
//! loopback. A user's sessions sit on different nodes; pushes cross between them over NATS, and
//! what NATS loses is filled from the database, so every session still gets each event once
//! and in order.
//!
//! Without a nats-server binary these tests skip, saying so loudly (scripts/setup.sh
//! --with-test-servers installs it); PostgreSQL is required as for the store tests.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::http::{get, post};
use common::nats::{self, NatsServer};
use common::{ev, pg, texts, Client, TestServer, APP, WAIT};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

/// Two nodes on a fresh database and the given NATS server (named twice to B, as the servers
/// of a NATS cluster are: comma-separated).
async fn two_nodes(nats: &NatsServer) -> (TestServer, TestServer) {
    let url = pg::server().fresh_database();
    let a = TestServer::start_node(Path::new(&url), &nats.url()).await;
    let servers = format!("{},{}", nats.url(), nats.url());
    let b = TestServer::start_node(Path::new(&url), &servers).await;
    (a, b)
}

/// The NATS server and PostgreSQL for a test, or `None` (skipped) without them.
fn servers(test: &str) -> Option<NatsServer> {
    if pg::skipped() {
        eprintln!("TIM_TEST_NO_PG=1: skipped {test}");
        return None;
    }
    nats::start_or_skip(test)
}

/// Changes the app's deletion sync through `node`'s admin REST API.
async fn set_sync_over_rest(node: &TestServer, on: bool) {
    let query = format!(
        "sdkappid={APP}&identifier=administrator&usersig={}&random=1&contenttype=json",
        node.admin_sig()
    );
    let body = json!({"SyncConversationDeletion": on}).to_string();
    let r = post(
        node.addr,
        &format!("/v4/tim_wasm_app/set_settings?{query}"),
        &body,
    )
    .await;
    assert_eq!(r.json()["ActionStatus"], "OK", "{}", r.body);
}

/// The next push that is a message, with its event number; other pushes must not come first.
async fn next_message(c: &mut Client) -> (u64, String) {
    let p = c.next_push().await;
    assert_eq!(p["kind"], "message", "expected a message push, got {p}");
    let id = p["value"]["message"]["id"].as_str().expect("id").to_owned();
    (ev(&p), id)
}

#[tokio::test]
async fn deletions_and_messages_cross_nodes_as_the_sync_setting_says() {
    let Some(nats) = servers("deletions_and_messages_cross_nodes") else {
        return;
    };
    let (a, b) = two_nodes(&nats).await;
    set_sync_over_rest(&b, true).await;
    let mut alice_a = a.login("alice").await;
    let mut alice_b = b.login("alice").await;
    let mut bob_b = b.login("bob").await;

    // bob on B to alice on A, in real time (and to alice's session on B).
    bob_b.send("alice", "b1", "hi").await;
    assert_eq!(next_message(&mut alice_a).await, (1, "b1".into()));
    assert_eq!(next_message(&mut alice_b).await, (1, "b1".into()));

    // Sync on (set on B): alice's deletion on A reaches her session on B at once.
    let r = alice_a.delete("C2Cbob").await;
    assert_eq!(r["kind"], "conversationDeleted", "{r}");
    let p = alice_b.next_push().await;
    assert_eq!(
        (p["kind"].clone(), ev(&p)),
        (json!("conversationDeleted"), 2)
    );
    assert_eq!(p["value"]["conversationID"], "C2Cbob");
    alice_a.assert_no_push().await;
    // A fresh login on B does not list it.
    let mut alice_fresh = b.login("alice").await;
    assert!(alice_fresh.conversations().await.is_empty());

    // Sync off, set on A: the next deletion on A is not told to B (not logged either): the next
    // push there is bob's next message, numbered right after the first deletion.
    set_sync_over_rest(&a, false).await;
    bob_b.send("alice", "b2", "again").await;
    for s in [&mut alice_a, &mut alice_b, &mut alice_fresh] {
        assert_eq!(next_message(s).await, (3, "b2".into()));
    }
    let r = alice_a.delete("C2Cbob").await;
    assert_eq!(r["kind"], "conversationDeleted", "{r}");
    bob_b.send("alice", "b3", "still here?").await;
    for s in [&mut alice_b, &mut alice_fresh, &mut alice_a] {
        assert_eq!(
            next_message(s).await,
            (4, "b3".into()),
            "no deletion push before"
        );
        s.assert_no_push().await;
    }
    a.stop().await;
    b.stop().await;
}

/// Every kind of push crosses: a read, a cleared history, a batch deletion (sync on), a group's
/// notice and its unlogged `groupsChanged`.
#[tokio::test]
async fn reads_clears_batch_deletions_and_group_changes_reach_the_other_node() {
    let Some(nats) = servers("reads_clears_batch_deletions_and_group_changes") else {
        return;
    };
    let (a, b) = two_nodes(&nats).await;
    set_sync_over_rest(&a, true).await;
    let mut alice_a = a.login("alice").await;
    let mut alice_b = b.login("alice").await;
    let mut bob_b = b.login("bob").await;
    let mut carol_b = b.login("carol").await;
    bob_b.send("alice", "b1", "from bob").await;
    carol_b.send("alice", "c1", "from carol").await;
    for s in [&mut alice_a, &mut alice_b] {
        assert_eq!(next_message(s).await, (1, "b1".into()));
        assert_eq!(next_message(s).await, (2, "c1".into()));
    }

    // A read reaches every session, the reading one included.
    alice_a.mark_read("C2Cbob").await;
    for s in [&mut alice_a, &mut alice_b] {
        let p = s.next_push().await;
        assert_eq!(
            (p["kind"].clone(), ev(&p)),
            (json!("conversationRead"), 3),
            "{p}"
        );
    }
    let r = alice_a.clear_history("C2Ccarol").await;
    assert_eq!(r["t"], "reply", "{r}");
    let p = alice_b.next_push().await;
    assert_eq!(
        (p["kind"].clone(), ev(&p)),
        (json!("historyCleared"), 4),
        "{p}"
    );
    assert_eq!(p["value"]["conversationID"], "C2Ccarol");
    let r = alice_a.delete_batch(&["C2Cbob", "C2Ccarol"], true).await;
    assert_eq!(r["t"], "reply", "{r}");
    let mut deleted = Vec::new();
    for _ in 0..2 {
        let p = alice_b.next_push().await;
        assert_eq!(p["kind"], "conversationDeleted", "{p}");
        deleted.push((ev(&p), p["value"]["conversationID"].clone()));
    }
    deleted.sort_by_key(|d| d.0);
    assert_eq!(deleted.iter().map(|d| d.0).collect::<Vec<_>>(), [5, 6]);
    let mut ids: Vec<_> = deleted.into_iter().map(|d| d.1).collect();
    ids.sort_by_key(|v| v.to_string());
    assert_eq!(ids, [json!("C2Cbob"), json!("C2Ccarol")]);
    alice_a.assert_no_push().await;

    // A group made on A: bob on B gets his notice and groupsChanged.
    common::groups::private_group(&mut alice_a, "g1", &["bob"]).await;
    let notice = bob_b.next_push().await;
    assert_eq!(notice["kind"], "message", "{notice}");
    assert_eq!(notice["value"]["message"]["conversationID"], "@TIM#SYSTEM");
    let changed = bob_b.next_push().await;
    assert_eq!(changed["kind"], "groupsChanged", "{changed}");
    assert!(changed.get("ev").is_none(), "not logged: {changed}");
    assert_eq!(common::groups::group_ids(&mut bob_b).await, ["g1"]);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn pushes_lost_while_nats_is_down_are_filled_from_the_database() {
    let Some(mut nats) = servers("pushes_lost_while_nats_is_down") else {
        return;
    };
    let (a, b) = two_nodes(&nats).await;
    let mut alice_a = a.login("alice").await;
    let mut bob_b = b.login("bob").await;
    bob_b.send("alice", "b1", "before").await;
    assert_eq!(next_message(&mut alice_a).await, (1, "b1".into()));

    // NATS gone: B commits and answers, but its pushes cannot reach A.
    nats.stop();
    wait_health(&a, 503, "disconnected").await;
    for i in 2..=4 {
        bob_b.send("alice", &format!("b{i}"), "while down").await;
    }
    // NATS back: A's sessions read what they missed from the database, each event once.
    nats.resume();
    wait_health(&a, 200, "ok").await;
    for i in 2..=4 {
        assert_eq!(next_message(&mut alice_a).await, (i, format!("b{i}")));
    }
    bob_b.send("alice", "b5", "after").await;
    assert_eq!(next_message(&mut alice_a).await, (5, "b5".into()));
    alice_a.assert_no_push().await;
    a.stop().await;
    b.stop().await;
}

/// NATS loses one push with the link up (here: too large for the server's `max_payload`, so
/// it is never delivered): the session on the other node sees the gap at the next push and
/// reads the lost one from the database first, so both arrive, once, in order.
#[tokio::test]
async fn a_push_lost_by_nats_is_filled_at_the_next_one() {
    if pg::skipped() {
        eprintln!("TIM_TEST_NO_PG=1: skipped");
        return;
    }
    let Some(bin) = nats::binary_or_skip("a_push_lost_by_nats_is_filled_at_the_next_one") else {
        return;
    };
    let nats = NatsServer::start_max_payload(bin, 2048);
    let (a, b) = two_nodes(&nats).await;
    let mut alice_a = a.login("alice").await;
    let mut bob_b = b.login("bob").await;
    bob_b.send("alice", "small1", "fits").await;
    assert_eq!(next_message(&mut alice_a).await, (1, "small1".into()));
    let big = "x".repeat(4000);
    bob_b.send("alice", "big", &big).await;
    // Nothing comes for it: NATS never carried it.
    alice_a.assert_no_push().await;
    bob_b.send("alice", "small2", "fits too").await;
    let p = alice_a.next_push().await;
    assert_eq!(
        (ev(&p), p["value"]["message"]["id"].clone()),
        (2, json!("big"))
    );
    assert_eq!(p["value"]["message"]["body"]["text"], big.as_str());
    assert_eq!(next_message(&mut alice_a).await, (3, "small2".into()));
    alice_a.assert_no_push().await;
    a.stop().await;
    b.stop().await;
}

/// Sends flow from B to A while nats-server is killed and restarted in the middle: alice's
/// session on A ends with every message exactly once, in order (events 1..=N, no repeat).
#[tokio::test]
async fn a_nats_restart_during_traffic_loses_and_repeats_nothing() {
    const N: u64 = 30;
    let Some(mut nats) = servers("a_nats_restart_during_traffic") else {
        return;
    };
    let (a, b) = two_nodes(&nats).await;
    let mut alice_a = a.login("alice").await;
    let mut alice_b = b.login("alice").await;
    let mut bob_b = b.login("bob").await;
    for i in 1..=N {
        if i == 10 {
            nats.stop();
        }
        if i == 20 {
            nats.resume();
        }
        bob_b.send("alice", &format!("m{i}"), "x").await;
    }
    for session in [&mut alice_a, &mut alice_b] {
        let mut got = Vec::new();
        while got.len() < N as usize {
            got.push(next_message(session).await);
        }
        let expected: Vec<(u64, String)> = (1..=N).map(|i| (i, format!("m{i}"))).collect();
        assert_eq!(got, expected);
        session.assert_no_push().await;
    }
    a.stop().await;
    b.stop().await;
}

/// Waits until `node`'s /healthz answers `status` with NATS `nats`.
async fn wait_health(node: &TestServer, status: u16, nats: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let r = get(node.addr, "/healthz").await;
        let body: Value = serde_json::from_str(&r.body).expect("health is JSON");
        if r.status == status && body["nats"] == nats {
            assert_eq!(body["database"], "ok", "{body}");
            let want = if status == 200 { "ok" } else { "unavailable" };
            assert_eq!(body["status"], want, "{body}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "health still {} {body}, waiting for {status} {nats}",
            r.status
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_unreachable_nats_is_refused_at_start_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("tim.db");
    let config = |nats: &str| tim_server::ServeConfig {
        addr: "127.0.0.1:0".into(),
        db: db.clone(),
        www: dir.path().join("www"),
        pkg: dir.path().join("pkg"),
        demo: false,
        send_commit_after: tim_server::config::DEFAULT_SEND_COMMIT_AFTER,
        nats: Some(nats.into()),
        files: None,
        limits: Default::default(),
    };
    // Port 1 on loopback: nothing listens there.
    let err = tim_server::bind(&config("nats://127.0.0.1:1"))
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("cannot connect to NATS at nats://127.0.0.1:1"),
        "{err}"
    );
    let err = tim_server::bind(&config("nats://127.0.0.1:notaport"))
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("cannot connect to NATS at nats://127.0.0.1:notaport"),
        "{err}"
    );
}

/// A node as its own `tim-server serve` process, killed with the test.
struct NodeProcess {
    child: std::process::Child,
    addr: std::net::SocketAddr,
}

impl NodeProcess {
    fn start(db: &str, nats: &str) -> NodeProcess {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tim-server"))
            .args(["serve", "--addr", "127.0.0.1:0", "--db", db, "--nats", nats])
            .args(["--www", "/nonexistent", "--pkg", "/nonexistent"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn tim-server");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("tim-server says where it listens")
                .expect("read stdout");
            if let Some(rest) = line.strip_prefix("tim-server listening on http://") {
                break rest.trim_end_matches('/').parse().expect("an address");
            }
        };
        NodeProcess { child, addr }
    }

    /// SIGTERM, as an orchestrator stops a node; waits until it has exited, successfully.
    fn stop_cleanly(&mut self) {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        let status = self.child.wait().expect("wait for the node");
        assert!(status.success(), "the node exits cleanly: {status}");
    }

    /// `kill -9`: no shutdown, no flush, connections dropped.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A node process is killed (-9) while alice's session on it has sends and a deletion in
/// flight. Whatever it answered is in the database; the client then does what the SDK's outbox
/// does, resending everything unconfirmed with the same message IDs and opId to the other node,
/// and each is applied once: bob has every message once, in order, and alice's deletion covers
/// exactly what was sent before it.
#[tokio::test]
async fn a_node_killed_mid_traffic_loses_nothing_answered_and_applies_nothing_twice() {
    let Some(nats) = servers("a_node_killed_mid_traffic") else {
        return;
    };
    let url = pg::server().fresh_database();
    let b = TestServer::start_node(Path::new(&url), &nats.url()).await;
    set_sync_over_rest(&b, true).await;
    let mut process = NodeProcess::start(&url, &nats.url());
    let a = TestServer::external(process.addr, Path::new(&url), &b.secret_key);
    let mut bob_b = b.login("bob").await;
    let mut alice_a = a.login("alice").await;

    // The burst: m1..m10, the deletion, m11..m20, written without waiting for answers.
    let mut burst = Vec::new();
    for i in 1..=20u64 {
        let send = json!({"conversationID": "C2Cbob", "ID": format!("m{i}"),
                          "body": {"type": "text", "text": format!("t{i}")}});
        burst.push(common::wire::request(i, "sendMessage", Some(send)));
        if i == 10 {
            let args = common::delete_args("C2Cbob", Some("d1"), None);
            burst.push(common::wire::request(100, "deleteConversation", Some(args)));
        }
    }
    for frame in &burst {
        alice_a.send_text(frame.to_string()).await;
    }
    // Kill the node once the deletion is answered, with m11..m20 in flight: the resent
    // deletion must then be answered as recorded, not applied again over m11.. (which would
    // hide them from alice).
    let mut answered = Vec::new();
    loop {
        let answer = alice_a.next_answer().await;
        assert_eq!(answer["t"], "reply", "{answer}");
        let done = answer["id"] == 100;
        answered.push(answer);
        if done {
            break;
        }
    }
    process.kill();
    while let Ok(Some(Ok(msg))) =
        tokio::time::timeout(WAIT, futures::StreamExt::next(&mut alice_a.ws)).await
    {
        if let tokio_tungstenite::tungstenite::Message::Text(t) = msg {
            let frame = common::wire::flat(&serde_json::from_str(t.as_str()).expect("JSON"));
            if frame["t"] != "push" {
                answered.push(frame);
            }
        }
    }
    // Nothing answered is lost: every message answered as sent is in bob's history.
    let history = texts(&bob_b.messages("C2Calice", 100).await);
    for a in &answered {
        if a["kind"] == "sent" {
            let text = a["value"]["message"]["body"]["text"]
                .as_str()
                .expect("text");
            assert!(
                history.iter().any(|h| h == text),
                "{text} answered but lost"
            );
        }
    }

    // The outbox's resend, on the other node, in the same order.
    let mut alice = b.login("alice").await;
    for frame in &burst {
        let r = alice
            .request(
                frame["req"]
                    .as_object()
                    .and_then(|m| m.keys().next())
                    .expect("op"),
                frame["req"]
                    .as_object()
                    .and_then(|m| m.values().next())
                    .cloned(),
            )
            .await;
        assert_eq!(r["t"], "reply", "{frame} resent: {r}");
    }
    let all: Vec<String> = (1..=20).map(|i| format!("t{i}")).collect();
    assert_eq!(
        texts(&bob_b.messages("C2Calice", 100).await),
        all,
        "once each, in order"
    );
    let after_deletion: Vec<String> = (11..=20).map(|i| format!("t{i}")).collect();
    assert_eq!(texts(&alice.messages("C2Cbob", 100).await), after_deletion);
    let mut fresh = b.login("alice").await;
    assert_eq!(texts(&fresh.messages("C2Cbob", 100).await), after_deletion);
    b.stop().await;
}

/// A node stopped cleanly right after answering a burst of sends has handed every push for the
/// other nodes to NATS before exiting (a subscriber of the test counts them).
#[tokio::test]
async fn a_node_stopped_cleanly_publishes_everything_it_answered() {
    const N: u64 = 100;
    let Some(nats) = servers("a_node_stopped_cleanly") else {
        return;
    };
    let url = pg::server().fresh_database();
    let b = TestServer::start_node(Path::new(&url), &nats.url()).await;
    let listener = async_nats::connect(nats.url())
        .await
        .expect("connect to NATS");
    let mut heard = listener.subscribe("tim.ev.>").await.expect("subscribe");
    listener.flush().await.expect("flush");
    let mut process = NodeProcess::start(&url, &nats.url());
    let a = TestServer::external(process.addr, Path::new(&url), &b.secret_key);
    let mut bob_a = a.login("bob").await;
    for i in 1..=N {
        let send = json!({"conversationID": "C2Calice", "ID": format!("m{i}"),
                          "body": {"type": "text", "text": "x"}});
        let frame = common::wire::request(i, "sendMessage", Some(send));
        bob_a.send_text(frame.to_string()).await;
    }
    for _ in 1..=N {
        assert_eq!(bob_a.next_answer().await["kind"], "sent");
    }
    tokio::task::spawn_blocking(move || process.stop_cleanly())
        .await
        .expect("stopped");
    // Each of alice's events, numbered 1..=N, once.
    let mut alice_events = Vec::new();
    while alice_events.len() < N as usize {
        let message = tokio::time::timeout(WAIT, futures::StreamExt::next(&mut heard))
            .await
            .expect("every push published")
            .expect("subscription open");
        let envelope: Value = serde_json::from_slice(&message.payload).expect("JSON");
        if envelope["user"] == "alice" {
            alice_events.push(envelope["ev"].as_u64().expect("ev"));
        }
    }
    assert_eq!(alice_events, (1..=N).collect::<Vec<_>>());
    b.stop().await;
}

/// Waits until `node`'s /healthz answers `status` with the database `database` (NATS up).
async fn wait_database_health(node: &TestServer, status: u16, database: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let r = get(node.addr, "/healthz").await;
        let body: Value = serde_json::from_str(&r.body).expect("health is JSON");
        if r.status == status && body["database"] == database {
            assert_eq!(body["nats"], "ok", "{body}");
            let want = if status == 200 { "ok" } else { "unavailable" };
            assert_eq!(body["status"], want, "{body}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "health still {} {body}, waiting for {status} {database}",
            r.status
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// bob's message `m{i}` to alice.
fn send_args(i: u64) -> Value {
    json!({"conversationID": "C2Calice", "ID": format!("m{i}"),
           "body": {"type": "text", "text": format!("t{i}")}})
}

/// PostgreSQL is stopped (`pg_ctl stop -m fast`, as in a restart or a failover) while bob on
/// node B sends to alice, whose sessions are on both nodes. Each request is answered at once
/// either as done or with 60016 (not a hang, and the nodes stay up: sessions answer pings,
/// /healthz says 503 `database: unreachable`), a login too. When PostgreSQL is back the nodes
/// recover by themselves (/healthz 200) and the client's retries with the same IDs and opId
/// (what the SDK does) apply each once: nothing answered is lost, nothing is doubled, and
/// alice's sessions get every event exactly once and in order.
#[tokio::test]
async fn a_stopped_postgres_fails_requests_with_a_code_and_the_nodes_recover_by_themselves() {
    let Some(nats) = servers("a_stopped_postgres") else {
        return;
    };
    let postgres = std::sync::Arc::new(pg::private());
    let url = postgres.fresh_database();
    let a = TestServer::start_node(Path::new(&url), &nats.url()).await;
    let b = TestServer::start_node(Path::new(&url), &nats.url()).await;
    set_sync_over_rest(&b, true).await;
    let mut alice_a = a.login("alice").await;
    let mut alice_b = b.login("alice").await;
    let mut bob_b = b.login("bob").await;

    // Traffic before: all answered.
    let mut i = 0;
    while i < 5 {
        i += 1;
        let r = bob_b.request("sendMessage", Some(send_args(i))).await;
        assert_eq!(r["kind"], "sent", "{r}");
    }
    // PostgreSQL goes away while the sends go on: each is answered, as sent or with 60016.
    let stopping = {
        let postgres = postgres.clone();
        tokio::task::spawn_blocking(move || postgres.stop())
    };
    let mut failed = Vec::new();
    // (At most 80 in all, so that one page of history holds them.)
    while !stopping.is_finished() && i < 80 {
        i += 1;
        let r = bob_b.request("sendMessage", Some(send_args(i))).await;
        if r["t"] == "reply" {
            assert_eq!(r["kind"], "sent", "{r}");
            assert!(failed.is_empty(), "m{i} sent after one failed: {r}");
        } else {
            common::assert_error(&r, 60016);
            failed.push(i);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stopping.await.expect("stopped");
    // Down: every request fails with 60016 at once, on both nodes; the sessions stay.
    for _ in 0..5 {
        i += 1;
        let started = Instant::now();
        let r = bob_b.request("sendMessage", Some(send_args(i))).await;
        common::assert_error(&r, 60016);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "answered at once"
        );
        failed.push(i);
    }
    let r = alice_a.delete_op("C2Cbob", Some("d1"), None).await;
    common::assert_error(&r, 60016);
    let r = alice_a.request("getConversationList", None).await;
    common::assert_error(&r, 60016);
    let mut late = a.connect().await;
    let r = late.login("carol", &a.sig("carol")).await;
    common::assert_error(&r, 60016);
    for node in [&a, &b] {
        wait_database_health(node, 503, "unreachable").await;
    }
    for s in [&mut alice_a, &mut alice_b, &mut bob_b] {
        let pong = s.request("ping", None).await;
        assert_eq!(pong["kind"], "pong", "{pong}");
    }

    // Back: the nodes recover by themselves.
    let resuming = {
        let postgres = postgres.clone();
        tokio::task::spawn_blocking(move || postgres.resume())
    };
    resuming.await.expect("started");
    for node in [&a, &b] {
        wait_database_health(node, 200, "ok").await;
    }
    // The client retries what failed, with the same IDs: each applied once, in order.
    for &k in &failed {
        let r = bob_b.request("sendMessage", Some(send_args(k))).await;
        assert_eq!(r["kind"], "sent", "m{k} resent: {r}");
    }
    let all: Vec<String> = (1..=i).map(|k| format!("t{k}")).collect();
    assert_eq!(
        texts(&bob_b.messages("C2Calice", 100).await),
        all,
        "nothing answered lost, nothing doubled"
    );
    // The deletion's retry, same opId: applied once; alice's session on B is told.
    let r = alice_a.delete_op("C2Cbob", Some("d1"), None).await;
    assert_eq!(r["kind"], "conversationDeleted", "{r}");
    let again = alice_a.delete_op("C2Cbob", Some("d1"), None).await;
    assert_eq!(common::without_id(&again), common::without_id(&r));
    for s in [&mut alice_a, &mut alice_b] {
        let mut got = Vec::new();
        while got.len() < i as usize {
            got.push(next_message(s).await);
        }
        let expected: Vec<(u64, String)> = (1..=i).map(|k| (k, format!("m{k}"))).collect();
        assert_eq!(got, expected, "every message once, in order");
    }
    let p = alice_b.next_push().await;
    assert_eq!(
        (p["kind"].clone(), ev(&p)),
        (json!("conversationDeleted"), i + 1),
        "{p}"
    );
    alice_a.assert_no_push().await;
    alice_b.assert_no_push().await;
    let mut fresh = a.login("alice").await;
    assert!(fresh.conversations().await.is_empty());
    let mut carol = b.login("carol").await;
    assert!(carol.conversations().await.is_empty());
    a.stop().await;
    b.stop().await;
}
