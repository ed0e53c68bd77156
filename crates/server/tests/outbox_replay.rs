//! deleteConversation as a client's outbox sends it, over real WebSockets against a real server
//! on a real SQLite file: an opId applies once (sent again, from two connections at once, or
//! after the answer was lost), its answer is recorded (also a 2500), upToSeq deletes only what
//! the client had seen.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_error, delete_args, server, texts, wire, without_id, Client, TestServer, APP};
use serde_json::{json, Value};
use tim_proto::Push;
use tim_server::store::{SqliteStore, Store};

/// alice's logged deletions of `conversation_id`, as `clearedSeq`s in log order.
fn logged_deletions(server: &TestServer, conversation_id: &str) -> Vec<u64> {
    let store = SqliteStore::open(&server.db).expect("open");
    let log = store.catch_up(APP, "alice", Some(0), 1000).expect("log");
    assert!(!log.resync_required);
    log.missed
        .into_iter()
        .filter_map(|e| match e.push {
            Push::ConversationDeleted {
                conversation_id: id,
                cleared_seq,
            } if id == conversation_id => Some(cleared_seq),
            _ => None,
        })
        .collect()
}

/// Pushes of `kind` a client holds after a ping (so everything queued before has arrived).
async fn drain(c: &mut Client, kind: &str) -> Vec<Value> {
    let pong = c.request("ping", None).await;
    assert_eq!(pong["kind"], "pong");
    let all: Vec<Value> = c.pushes.drain(..).collect();
    all.into_iter().filter(|p| p["kind"] == kind).collect()
}

/// `(unread, last message text)` of `id` in the client's list, or `None`.
async fn listed(c: &mut Client, id: &str) -> Option<(u64, String)> {
    c.conversations()
        .await
        .into_iter()
        .find(|e| e["conversationID"] == id)
        .map(|e| {
            (
                e["unreadCount"].as_u64().expect("unread"),
                e["lastMessage"]["body"]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
}

fn deleted(frame: &Value, cleared_seq: u64) {
    assert_eq!(frame["t"], "reply", "{frame}");
    assert_eq!(frame["kind"], "conversationDeleted", "{frame}");
    assert_eq!(frame["value"]["conversationID"], "C2Cbob", "{frame}");
    assert_eq!(frame["value"]["clearedSeq"], cleared_seq, "{frame}");
}

#[tokio::test]
async fn the_same_op_id_twice_deletes_once_with_identical_answers() {
    let (_dir, server) = server(true).await;
    let mut bob = server.login("bob").await;
    let mut alice = server.login("alice").await;
    let mut tab = server.login("alice").await;
    bob.send("alice", "b1", "one").await;
    bob.send("alice", "b2", "two").await;

    let first = alice.delete_op("C2Cbob", Some("op-1"), None).await;
    deleted(&first, 2);
    let again = alice.delete_op("C2Cbob", Some("op-1"), None).await;
    assert_eq!(without_id(&again), without_id(&first));
    // The other tab replays it too: the same answer, and nobody hears of it twice.
    let from_tab = tab.delete_op("C2Cbob", Some("op-1"), None).await;
    assert_eq!(without_id(&from_tab), without_id(&first));
    let pushed = drain(&mut tab, "conversationDeleted").await;
    assert_eq!(pushed.len(), 1, "{pushed:?}");
    assert_eq!(pushed[0]["value"]["clearedSeq"], 2);
    assert!(drain(&mut alice, "conversationDeleted").await.is_empty());
    assert_eq!(logged_deletions(&server, "C2Cbob"), [2]);

    // Bob writes again: the conversation is back. A late replay of op-1 leaves it alone.
    bob.send("alice", "b3", "three").await;
    let late = alice.delete_op("C2Cbob", Some("op-1"), None).await;
    assert_eq!(without_id(&late), without_id(&first));
    assert_eq!(
        listed(&mut alice, "C2Cbob").await,
        Some((1, "three".into()))
    );
    assert_eq!(texts(&alice.messages("C2Cbob", 15).await), ["three"]);
    assert_eq!(logged_deletions(&server, "C2Cbob"), [2]);

    // The same opId for another conversation is refused; nothing changes.
    let mut carol = server.login("carol").await;
    carol.send("alice", "c1", "from carol").await;
    let reused = alice.delete_op("C2Ccarol", Some("op-1"), None).await;
    assert_error(&reused, 2100);
    assert_eq!(
        listed(&mut alice, "C2Ccarol").await,
        Some((1, "from carol".into()))
    );

    // A new opId is a new deletion; one more after it finds nothing (2500), recorded as such.
    deleted(&alice.delete_op("C2Cbob", Some("op-2"), None).await, 3);
    let gone = alice.delete_op("C2Cbob", Some("op-3"), None).await;
    assert_error(&gone, 2500);
    let gone_again = alice.delete_op("C2Cbob", Some("op-3"), None).await;
    assert_eq!(without_id(&gone_again), without_id(&gone));
    assert_eq!(logged_deletions(&server, "C2Cbob"), [2, 3]);
    assert_eq!(listed(&mut alice, "C2Cbob").await, None);
    assert_eq!(
        drain(&mut tab, "conversationDeleted").await.len(),
        1,
        "op-2 only"
    );
}

#[tokio::test]
async fn a_recorded_2500_is_answered_even_after_the_conversation_came_back() {
    let (_dir, server) = server(true).await;
    let mut alice = server.login("alice").await;
    let refused = alice.delete_op("C2Cbob", Some("early"), Some(4)).await;
    assert_error(&refused, 2500);

    let mut bob = server.login("bob").await;
    bob.send("alice", "b1", "one").await;
    let replayed = alice.delete_op("C2Cbob", Some("early"), Some(4)).await;
    assert_eq!(without_id(&replayed), without_id(&refused));
    assert_eq!(listed(&mut alice, "C2Cbob").await, Some((1, "one".into())));
    assert!(logged_deletions(&server, "C2Cbob").is_empty());
}

#[tokio::test]
async fn invalid_op_ids_are_refused_and_change_nothing() {
    let (_dir, server) = server(true).await;
    let mut bob = server.login("bob").await;
    bob.send("alice", "b1", "one").await;
    let mut alice = server.login("alice").await;
    let long = "o".repeat(65);
    for bad in ["", "a b", "op.1", "é", "op/1", long.as_str()] {
        let r = alice.delete_op("C2Cbob", Some(bad), None).await;
        assert_error(&r, 2100);
        assert!(
            r["message"].as_str().is_some_and(|m| m.contains("opId")),
            "{r}"
        );
    }
    // Not a string at all: not a readable request.
    let r = alice
        .request(
            "deleteConversation",
            Some(json!({"conversationID": "C2Cbob", "opId": 7})),
        )
        .await;
    assert_error(&r, 60003);
    let r = alice
        .request(
            "deleteConversation",
            Some(json!({"conversationID": "C2Cbob", "upToSeq": -1})),
        )
        .await;
    assert_error(&r, 60003);
    assert_eq!(listed(&mut alice, "C2Cbob").await, Some((1, "one".into())));
    assert!(logged_deletions(&server, "C2Cbob").is_empty());
    // 64 characters are fine.
    deleted(
        &alice.delete_op("C2Cbob", Some(&"o".repeat(64)), None).await,
        1,
    );
}

#[tokio::test]
async fn without_an_op_id_a_deletion_behaves_as_before() {
    let (_dir, server) = server(true).await;
    let mut bob = server.login("bob").await;
    bob.send("alice", "b1", "one").await;
    let mut alice = server.login("alice").await;
    deleted(&alice.delete("C2Cbob").await, 1);
    assert_error(&alice.delete("C2Cbob").await, 2500);
    bob.send("alice", "b2", "two").await;
    deleted(&alice.delete("C2Cbob").await, 2);
    assert_eq!(logged_deletions(&server, "C2Cbob"), [1, 2]);
}

#[tokio::test]
async fn up_to_seq_deletes_only_what_the_client_had_seen() {
    let (_dir, server) = server(true).await;
    let mut bob = server.login("bob").await;
    for (id, text) in [("b1", "one"), ("b2", "two"), ("b3", "three")] {
        bob.send("alice", id, text).await;
    }
    // The deleting device saw up to seq 3; then bob sent two more and alice one from elsewhere.
    let mut alice = server.login("alice").await;
    let mut other = server.login("alice").await;
    bob.send("alice", "b4", "four").await;
    other.send("bob", "a5", "five").await;
    bob.send("alice", "b6", "six").await;
    assert_eq!(listed(&mut alice, "C2Cbob").await, Some((5, "six".into())));

    let reply = alice.delete_op("C2Cbob", Some("offline-1"), Some(3)).await;
    deleted(&reply, 3);
    // Still listed, with only the newer messages; unread: bob's two above the watermark.
    assert_eq!(listed(&mut alice, "C2Cbob").await, Some((2, "six".into())));
    assert_eq!(
        texts(&alice.messages("C2Cbob", 15).await),
        ["four", "five", "six"]
    );
    assert_eq!(
        listed(&mut other, "C2Cbob").await,
        Some((2, "six".into())),
        "every session reads the same"
    );
    let pushed = drain(&mut other, "conversationDeleted").await;
    assert_eq!(pushed.len(), 1);
    assert_eq!(pushed[0]["value"]["clearedSeq"], 3);
    // Bob's history is his.
    assert_eq!(
        texts(&bob.messages("C2Calice", 15).await),
        ["one", "two", "three", "four", "five", "six"]
    );
    // A replay changes nothing.
    let replay = other.delete_op("C2Cbob", Some("offline-1"), Some(3)).await;
    assert_eq!(without_id(&replay), without_id(&reply));
    assert_eq!(listed(&mut alice, "C2Cbob").await, Some((2, "six".into())));
    assert_eq!(logged_deletions(&server, "C2Cbob"), [3]);

    // Up to the newest or beyond: a plain deletion, answered with the newest seq.
    deleted(
        &alice
            .delete_op("C2Cbob", Some("offline-2"), Some(100))
            .await,
        6,
    );
    assert_eq!(listed(&mut alice, "C2Cbob").await, None);
    assert!(texts(&alice.messages("C2Cbob", 15).await).is_empty());
    // Not listed now: 2500, also with a point.
    assert_error(
        &alice.delete_op("C2Cbob", Some("offline-3"), Some(6)).await,
        2500,
    );
    assert_eq!(logged_deletions(&server, "C2Cbob"), [3, 6]);
}

#[tokio::test]
async fn the_same_op_id_from_two_connections_at_once_applies_once() {
    let (_dir, server) = server(true).await;
    let mut bob = server.login("bob").await;
    let mut tab1 = server.login("alice").await;
    let mut tab2 = server.login("alice").await;
    let mut observer = server.login("alice").await;
    let rounds: u64 = 20;
    for round in 1..=rounds {
        let msg = bob
            .send("alice", &format!("b{round}"), &format!("m{round}"))
            .await;
        let seq = msg["seq"].as_u64().expect("seq");
        let op_id = format!("op-{round}");
        // Both tabs send before either reads an answer.
        for (n, tab) in [&mut tab1, &mut tab2].into_iter().enumerate() {
            let frame = wire::request(
                1 + n as u64,
                "deleteConversation",
                Some(delete_args("C2Cbob", Some(&op_id), None)),
            );
            tab.send_text(frame.to_string()).await;
        }
        let a1 = tab1.next_answer().await;
        let a2 = tab2.next_answer().await;
        deleted(&a1, seq);
        assert_eq!(without_id(&a1), without_id(&a2), "round {round}");
    }
    let one = drain(&mut tab1, "conversationDeleted").await.len();
    let two = drain(&mut tab2, "conversationDeleted").await.len();
    assert_eq!(
        one + two,
        rounds as usize,
        "per round, the tab that did not apply it hears once"
    );
    let seen = drain(&mut observer, "conversationDeleted").await;
    let seqs: Vec<u64> = seen
        .iter()
        .map(|p| p["value"]["clearedSeq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(seqs, (1..=rounds).collect::<Vec<_>>());
    assert_eq!(logged_deletions(&server, "C2Cbob"), seqs);
    assert_eq!(listed(&mut observer, "C2Cbob").await, None);
}

#[tokio::test]
async fn a_deletion_whose_answer_was_lost_is_replayed_exactly_once() {
    let (_dir, server) = server(true).await;
    let mut bob = server.login("bob").await;
    let mut observer = server.login("alice").await;
    for round in 1..=5u64 {
        bob.send("alice", &format!("b{round}"), &format!("m{round}"))
            .await;
        let op_id = format!("lost-{round}");
        // The request goes out and the connection dies before the answer is read.
        let mut doomed = server.connect().await;
        let r = doomed.login("alice", &server.sig("alice")).await;
        let last_ev = r["value"]["latestEvent"].as_u64().expect("latestEvent");
        let frame = wire::request(
            9,
            "deleteConversation",
            Some(delete_args("C2Cbob", Some(&op_id), Some(round))),
        );
        doomed.send_text(frame.to_string()).await;
        drop(doomed);
        // The server applied it (the other session hears of it), but the client never knew.
        let mut push = observer.next_push().await;
        if push["kind"] == "message" {
            push = observer.next_push().await;
        }
        assert_eq!(push["kind"], "conversationDeleted", "{push}");
        assert_eq!(push["value"]["clearedSeq"], round);

        // Reconnect, resume, replay from the outbox: the recorded answer, nothing applied twice.
        let (mut back, login) = server.login_resume("alice", last_ev).await;
        let missed = login["missed"].as_array().cloned().unwrap_or_default();
        assert_eq!(missed.len(), 1, "{login}");
        assert_eq!(missed[0]["kind"], "conversationDeleted");
        let replay = back.delete_op("C2Cbob", Some(&op_id), Some(round)).await;
        deleted(&replay, round);
        let again = back.delete_op("C2Cbob", Some(&op_id), Some(round)).await;
        assert_eq!(without_id(&again), without_id(&replay));
        assert!(drain(&mut back, "conversationDeleted").await.is_empty());
        assert!(drain(&mut observer, "conversationDeleted").await.is_empty());
    }
    assert_eq!(logged_deletions(&server, "C2Cbob"), [1, 2, 3, 4, 5]);
    assert_eq!(listed(&mut observer, "C2Cbob").await, None);
}
