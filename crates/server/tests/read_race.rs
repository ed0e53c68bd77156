//! setMessageRead racing a message from the peer, over real WebSockets: every session of the
//! reader, the reading one included, ends with the unread count the server has.
//!
//! The reading session gets `done` as soon as its read commits, possibly ahead of the push of a
//! message committed just before the read (and covered by it). The `conversationRead` push,
//! which the reading session gets as well, comes after that message and carries `readSeq`.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{wire, Client, TestServer};
use serde_json::{json, Value};

/// One conversation as a client keeps it from the frames it gets, by the SDK's rules: a newer
/// message from the peer is unread; the `done` of its own read and a `conversationRead` push
/// read everything (a push covers up to `readSeq`, and comes before any newer message).
#[derive(Default)]
struct View {
    unread: u64,
    newest: u64,
    /// Frames of the client's `seen` already applied.
    applied: usize,
}

impl View {
    fn apply(&mut self, f: &Value, read_request: Option<u64>) {
        match (f["t"].as_str(), f["kind"].as_str()) {
            (Some("push"), Some("message")) => {
                let m = &f["value"]["message"];
                let seq = m["seq"].as_u64().expect("seq");
                if seq > self.newest {
                    self.newest = seq;
                    if m["from"] == "bob" {
                        self.unread += 1;
                    }
                }
            }
            (Some("reply"), Some("done"))
                if read_request.is_some() && f["id"] == json!(read_request) =>
            {
                self.unread = 0;
            }
            (Some("push"), Some("conversationRead")) => {
                let read_seq = f["value"]["readSeq"].as_u64().expect("readSeq");
                assert!(
                    read_seq >= self.newest,
                    "a read push comes after every message it covers: {f}"
                );
                self.unread = 0;
            }
            _ => {}
        }
    }

    fn follow(&mut self, c: &Client, read_request: Option<u64>) {
        for f in &c.seen[self.applied..] {
            self.apply(f, read_request);
        }
        self.applied = c.seen.len();
    }
}

async fn server_unread(c: &mut Client) -> u64 {
    c.conversations()
        .await
        .iter()
        .find(|e| e["conversationID"] == "C2Cbob")
        .map_or(0, |e| e["unreadCount"].as_u64().expect("unread"))
}

#[tokio::test]
async fn every_session_ends_with_the_servers_unread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(&dir.path().join("tim.db")).await;
    let mut bob = server.login("bob").await;
    let mut reader = server.login("alice").await;
    let mut other = server.login("alice").await;
    let (mut mine, mut theirs) = (View::default(), View::default());
    bob.send("alice", "b0", "first").await;
    for round in 1..=60u64 {
        // Both at once: bob's message and alice's read, on their own connections.
        let read_id = 10_000 + round;
        bob.send_text(
            wire::request(
                round,
                "sendMessage",
                Some(json!({"conversationID": "C2Calice",
                   "ID": format!("b{round}"), "body": {"type": "text", "text": "hi"}})),
            )
            .to_string(),
        )
        .await;
        reader
            .send_text(
                wire::request(
                    read_id,
                    "setMessageRead",
                    Some(json!({"conversationID": "C2Cbob"})),
                )
                .to_string(),
            )
            .await;
        let sent = bob.next_answer().await;
        assert_eq!(sent["kind"], "sent", "{sent}");
        let done = reader.next_answer().await;
        assert_eq!(done["kind"], "done", "{done}");

        // The list request comes after every push queued before it.
        let expected = server_unread(&mut reader).await;
        mine.follow(&reader, Some(read_id));
        assert_eq!(mine.unread, expected, "the reading session, round {round}");
        assert_eq!(server_unread(&mut other).await, expected);
        theirs.follow(&other, None);
        assert_eq!(theirs.unread, expected, "another session, round {round}");
    }
    server.stop().await;
}
