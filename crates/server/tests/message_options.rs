//! revokeMessage, modifyMessage and deleteMessage take the app's message objects, which the SDK
//! sends on unread (`tim_proto::frame::SENT_AS_OPTIONS`): the server is the one that checks
//! them. Over the real WebSocket: whole SDK message objects work, and each bad argument gets its
//! code with nothing changed for anyone.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_error, texts, TestServer};
use serde_json::{json, Value};
use tim_proto::limits::{MAX_DELETE_MESSAGES, MAX_TEXT_BYTES};

/// A message object as the SDK shows it, all its fields there.
fn sdk_message(id: &str, conversation_id: &str, text: &str) -> Value {
    json!({
        "ID": id, "conversationID": conversation_id, "conversationType": "C2C",
        "from": "alice", "to": "bob", "flow": "out", "type": "TIMTextElem",
        "payload": {"text": text}, "time": 1, "isRevoked": false, "nick": "", "avatar": ""
    })
}

#[tokio::test]
async fn whole_message_objects_work_and_bad_ones_are_coded_with_nothing_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let srv = TestServer::start_without_demo(&dir.path().join("tim.db")).await;
    let mut alice = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    for (id, text) in [("m1", "one"), ("m2", "two"), ("m3", "three")] {
        alice.send("bob", id, text).await;
        assert_eq!(bob.next_push().await["kind"], "message");
    }

    let too_long = "x".repeat(MAX_TEXT_BYTES + 1);
    let many = Value::Array(vec![
        sdk_message("m1", "C2Cbob", "one");
        MAX_DELETE_MESSAGES + 1
    ]);
    let cases = [
        ("revokeMessage", json!({"ID": "m1"}), 2100),
        (
            "revokeMessage",
            json!({"ID": "m1", "conversationID": "x"}),
            2503,
        ),
        ("revokeMessage", json!({"conversationID": "C2Cbob"}), 2100),
        (
            "revokeMessage",
            json!({"ID": "", "conversationID": "C2Cbob"}),
            2100,
        ),
        ("revokeMessage", json!("m1"), 2100),
        (
            "modifyMessage",
            json!({"ID": "m1", "conversationID": "C2Cbob", "payload": {}}),
            2100,
        ),
        (
            "modifyMessage",
            sdk_message("m1", "C2Cbob", &too_long),
            80002,
        ),
        ("deleteMessage", json!([]), 2100),
        ("deleteMessage", sdk_message("m1", "C2Cbob", "one"), 2100),
        (
            "deleteMessage",
            json!([
                sdk_message("m1", "C2Cbob", "one"),
                sdk_message("m2", "C2Ccarol", "two")
            ]),
            2100,
        ),
        ("deleteMessage", many, 2100),
    ];
    for (op, options, code) in cases {
        let r = alice.request(op, Some(options.clone())).await;
        assert_error(&r, code);
    }
    bob.assert_no_push().await;
    alice.assert_no_push().await;
    assert_eq!(
        texts(&alice.messages("C2Cbob", 10).await),
        ["one", "two", "three"]
    );
    assert_eq!(
        texts(&bob.messages("C2Calice", 10).await),
        ["one", "two", "three"]
    );

    // The SDK's own message objects, every field there, are what the calls take.
    let r = alice
        .request("modifyMessage", Some(sdk_message("m2", "C2Cbob", "TWO")))
        .await;
    assert_eq!(r["kind"], "sent", "{r}");
    assert_eq!(r["value"]["message"]["body"]["text"], "TWO");
    let r = alice
        .request("revokeMessage", Some(sdk_message("m3", "C2Cbob", "three")))
        .await;
    assert_eq!(r["value"]["message"]["isRevoked"], true, "{r}");
    let r = alice
        .request(
            "deleteMessage",
            Some(json!([sdk_message("m1", "C2Cbob", "one")])),
        )
        .await;
    assert_eq!(r["kind"], "done", "{r}");
    let mine: Vec<String> = alice.messages("C2Cbob", 10).await["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(mine, ["m2", "m3"], "m1 hidden for alice only");
    assert_eq!(
        bob.messages("C2Calice", 10).await["messages"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    srv.stop().await;
}
