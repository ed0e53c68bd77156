//! sendMessageReadReceipt and getMessageReadReceiptList take the app's message objects, which the
//! SDK sends on unread (`tim_proto::frame::SENT_AS_OPTIONS`): over the real WebSocket, each bad
//! argument gets its code with nothing changed for anyone, and whole SDK message objects work.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_error, TestServer};
use serde_json::{json, Value};
use tim_proto::limits::MAX_READ_RECEIPT_MESSAGES;

/// A message object as the SDK shows it to its reader, all its fields there.
fn sdk_message(id: &str, conversation_id: &str) -> Value {
    json!({
        "ID": id, "conversationID": conversation_id, "conversationType": "C2C",
        "from": "alice", "to": "bob", "flow": "in", "type": "TIMTextElem",
        "payload": {"text": "t"}, "time": 1, "isRevoked": false, "nick": "", "avatar": "",
        "needReadReceipt": true,
        "readReceiptInfo": {"isPeerRead": false, "readCount": 0, "unreadCount": 0}
    })
}

#[tokio::test]
async fn bad_receipt_arguments_are_coded_with_nothing_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let srv = TestServer::start_without_demo(&dir.path().join("tim.db")).await;
    let mut alice = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    let sent = alice
        .request(
            "sendMessage",
            Some(
                json!({"conversationID": "C2Cbob", "ID": "m1", "needReadReceipt": true,
                        "body": {"type": "text", "text": "t"}}),
            ),
        )
        .await;
    assert_eq!(sent["kind"], "sent", "{sent}");
    assert_eq!(bob.next_push().await["kind"], "message");

    let many = Value::Array(vec![
        sdk_message("m1", "C2Calice");
        MAX_READ_RECEIPT_MESSAGES + 1
    ]);
    for op in ["sendMessageReadReceipt", "getMessageReadReceiptList"] {
        let cases = [
            (json!([]), 2100),
            (sdk_message("m1", "C2Calice"), 2100),
            (json!("m1"), 2100),
            (json!([{"ID": "m1"}]), 2100),
            (
                json!([sdk_message("m1", "C2Calice"), sdk_message("m1", "C2Ccarol")]),
                2100,
            ),
            (many.clone(), 2100),
            (json!([sdk_message("", "C2Calice")]), 2100),
            (json!([sdk_message("m1", "bogus")]), 2503),
        ];
        for (options, code) in cases {
            let r = bob.request(op, Some(options.clone())).await;
            assert_error(&r, code);
        }
    }
    alice.assert_no_push().await;
    bob.assert_no_push().await;
    let list = alice
        .request(
            "getMessageReadReceiptList",
            Some(json!([sdk_message("m1", "C2Cbob")])),
        )
        .await;
    assert_eq!(list["kind"], "messageList", "{list}");
    let m = &list["value"]["messages"][0];
    assert_eq!(
        (m["unreadCount"].clone(), m.get("readCount")),
        (json!(1), None),
        "{list}"
    );

    // The reader's whole SDK message object is what the call takes.
    let r = bob
        .request(
            "sendMessageReadReceipt",
            Some(json!([sdk_message("m1", "C2Calice")])),
        )
        .await;
    assert_eq!(r["kind"], "done", "{r}");
    let p = alice.next_push().await;
    assert_eq!(p["kind"], "messageReadReceipt", "{p}");
    assert_eq!(p["value"][0]["readCount"], 1, "{p}");
    bob.assert_no_push().await;
    srv.stop().await;
}
