//! The server over real WebSockets: an in-process server on 127.0.0.1:0 with a SQLite file.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_error, now, texts, wire, Client, TestServer, APP, WAIT};
use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

async fn server() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(&dir.path().join("tim.db")).await;
    (dir, server)
}

#[tokio::test]
async fn login_must_come_first_and_only_once() {
    let (_dir, srv) = server().await;
    let mut c = srv.connect().await;
    assert_error(&c.request("getConversationList", None).await, 2024);
    assert_error(&c.request("ping", None).await, 2024);
    let r = c.login("alice", &srv.sig("alice")).await;
    assert_eq!(r["kind"], "loggedIn", "{r}");
    assert_eq!(r["value"]["userID"], "alice");
    assert!(r["value"]["sigExpiresAt"].as_i64().unwrap_or(0) > now());
    assert!((r["value"]["serverTime"].as_i64().unwrap_or(0) - now()).abs() < 5);
    assert_error(&c.login("alice", &srv.sig("alice")).await, 2025);

    // Logout keeps the connection but ends the session.
    assert_eq!(c.request("logout", None).await["kind"], "done");
    assert_error(&c.request("getConversationList", None).await, 2024);
    assert_eq!(
        c.login("alice", &srv.sig("alice")).await["kind"],
        "loggedIn"
    );
    srv.stop().await;
}

#[tokio::test]
async fn login_refusals_carry_usersig_codes() {
    let (_dir, srv) = server().await;
    let mut c = srv.connect().await;
    let key = srv.secret_key.clone();
    let gen = |app: u64, user: &str, expire: i64, time: i64| {
        tim_server::usersig::generate(app, &key, user, expire, time).expect("sig")
    };
    assert_error(&c.login("alice", "garbage").await, 70003);
    assert_error(
        &c.login("alice", &gen(APP, "bob", 3600, now())).await,
        70013,
    );
    assert_error(
        &c.login("alice", &gen(APP + 1, "alice", 3600, now())).await,
        70014,
    );
    assert_error(
        &c.login("alice", &gen(APP, "alice", 60, now() - 3600)).await,
        70001,
    );
    let forged =
        tim_server::usersig::generate(APP, "not-the-key", "alice", 3600, now()).expect("sig");
    assert_error(&c.login("alice", &forged).await, 70003);
    let other_app = c
        .request(
            "login",
            Some(json!({"SDKAppID": 999u64, "userID": "alice", "userSig": srv.sig("alice"), "protocol": 2})),
        )
        .await;
    assert_error(&other_app, 70020);
    let huge_app = c
        .request(
            "login",
            Some(json!({"SDKAppID": u64::MAX, "userID": "alice", "userSig": "x", "protocol": 2})),
        )
        .await;
    assert_error(&huge_app, 70020);
    let old_protocol = c
        .request(
            "login",
            Some(json!({"SDKAppID": APP, "userID": "alice", "userSig": srv.sig("alice"), "protocol": 99})),
        )
        .await;
    assert_error(&old_protocol, 60006);
    let protocol_1 = c
        .request(
            "login",
            Some(json!({"SDKAppID": APP, "userID": "alice", "userSig": srv.sig("alice"), "protocol": 1})),
        )
        .await;
    assert_error(&protocol_1, 60006);
    // A protocol 1 client's frame (`op`/`args`) is told the version, with its id.
    c.send_text(
        json!({"id": 77, "op": "login", "args": {"SDKAppID": APP, "userID": "alice",
               "userSig": srv.sig("alice"), "protocol": 1}})
        .to_string(),
    )
    .await;
    let f = c.next_answer().await;
    assert_error(&f, 60006);
    assert_eq!(f["id"], 77);
    assert_error(&c.login("bad\nid", &srv.sig("alice")).await, 2100);
    // After all of that the same connection logs in.
    assert_eq!(
        c.login("alice", &srv.sig("alice")).await["kind"],
        "loggedIn"
    );
    srv.stop().await;
}

#[tokio::test]
async fn delete_hides_history_for_the_deleter_only_and_new_messages_bring_it_back() {
    let (_dir, srv) = server().await;
    let mut alice = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    for i in 1..=3 {
        alice
            .send("bob", &format!("a{i}"), &format!("hello {i}"))
            .await;
    }
    assert_eq!(bob.conversations().await[0]["unreadCount"], 3);

    let r = alice.delete("C2Cbob").await;
    assert_eq!(r["kind"], "conversationDeleted", "{r}");
    assert_eq!(r["value"]["conversationID"], "C2Cbob");
    let mine = alice.messages("C2Cbob", 15).await;
    assert!(texts(&mine).is_empty());
    assert_eq!(mine["isCompleted"], true);
    assert!(alice.conversations().await.is_empty());
    assert_error(&alice.delete("C2Cbob").await, 2500);
    assert_error(
        &alice
            .request("getConversation", Some(json!({"conversationID": "C2Cbob"})))
            .await,
        2500,
    );
    assert_eq!(
        texts(&bob.messages("C2Calice", 15).await),
        ["hello 1", "hello 2", "hello 3"]
    );

    bob.send("alice", "b1", "back again").await;
    assert_eq!(texts(&alice.messages("C2Cbob", 15).await), ["back again"]);
    let list = alice.conversations().await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["conversationID"], "C2Cbob");
    assert_eq!(list[0]["unreadCount"], 1);
    assert_eq!(list[0]["lastMessage"]["body"]["text"], "back again");
    assert_eq!(
        bob.messages("C2Calice", 15).await["messages"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );

    let read = alice
        .request("setMessageRead", Some(json!({"conversationID": "C2Cbob"})))
        .await;
    assert_eq!(read["kind"], "done");
    assert_eq!(alice.conversations().await[0]["unreadCount"], 0);
    srv.stop().await;
}

#[tokio::test]
async fn deletion_survives_a_restart_on_the_same_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("tim.db");
    let srv = TestServer::start(&db).await;
    let key = srv.secret_key.clone();
    {
        let mut alice = srv.login("alice").await;
        let mut bob = srv.login("bob").await;
        alice.send("bob", "m1", "one").await;
        bob.send("alice", "m2", "two").await;
        assert_eq!(alice.delete("C2Cbob").await["kind"], "conversationDeleted");
    }
    srv.stop().await;

    let srv = TestServer::start(&db).await;
    assert_eq!(srv.secret_key, key, "the demo app is kept, not recreated");
    let mut alice = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    assert!(alice.conversations().await.is_empty());
    assert!(texts(&alice.messages("C2Cbob", 15).await).is_empty());
    assert_eq!(texts(&bob.messages("C2Calice", 15).await), ["one", "two"]);
    // Seqs continue where they were.
    assert_eq!(bob.send("alice", "m3", "three").await["seq"], 3);
    assert_eq!(texts(&alice.messages("C2Cbob", 15).await), ["three"]);
    srv.stop().await;
}

#[tokio::test]
async fn every_session_of_a_user_gets_pushes() {
    let (_dir, srv) = server().await;
    let mut tab1 = srv.login("alice").await;
    let mut tab2 = srv.login("alice").await;
    let mut bob = srv.login("bob").await;

    bob.send("alice", "b1", "to both tabs").await;
    for tab in [&mut tab1, &mut tab2] {
        let p = tab.next_push().await;
        assert_eq!(p["kind"], "message", "{p}");
        assert_eq!(p["value"]["message"]["conversationID"], "C2Cbob");
        assert_eq!(p["value"]["message"]["body"]["text"], "to both tabs");
    }
    bob.assert_no_push().await;

    // Alice's own message reaches her other tab (named by the peer) and bob, not the sender tab.
    let sent = tab1.send("bob", "a1", "from tab 1").await;
    assert_eq!(sent["conversationID"], "C2Cbob");
    let p = tab2.next_push().await;
    assert_eq!(p["value"]["message"]["conversationID"], "C2Cbob");
    assert_eq!(p["value"]["message"]["id"], "a1");
    let p = bob.next_push().await;
    assert_eq!(p["value"]["message"]["conversationID"], "C2Calice");
    tab1.assert_no_push().await;

    // A retry of the same message ID is answered the same and pushed to nobody.
    let again = tab1.send("bob", "a1", "from tab 1").await;
    assert_eq!(again, sent);
    tab2.assert_no_push().await;
    bob.assert_no_push().await;
    srv.stop().await;
}

#[tokio::test]
async fn deletion_is_pushed_to_other_sessions_only_when_the_app_syncs_it() {
    let (_dir, srv) = server().await;
    let mut tab1 = srv.login("alice").await;
    let mut tab2 = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    bob.send("alice", "b1", "hi").await;
    bob.send("alice", "b2", "hi again").await;
    tab1.next_push().await;
    tab2.next_push().await;
    tab2.next_push().await;
    tab1.next_push().await;

    // Off by default: the other tab is not told (its next list sync no longer has it).
    assert_eq!(tab1.delete("C2Cbob").await["kind"], "conversationDeleted");
    tab2.assert_no_push().await;
    assert!(tab2.conversations().await.is_empty());

    srv.set_sync_deletion(true);
    bob.send("alice", "b3", "third").await;
    tab1.next_push().await;
    tab2.next_push().await;
    assert_eq!(tab1.delete("C2Cbob").await["kind"], "conversationDeleted");
    let p = tab2.next_push().await;
    assert_eq!(p["kind"], "conversationDeleted", "{p}");
    assert_eq!(p["value"]["conversationID"], "C2Cbob");
    tab1.assert_no_push().await;
    bob.assert_no_push().await;
    srv.stop().await;
}

#[tokio::test]
async fn bad_frames_get_coded_errors_and_the_connection_keeps_working() {
    let (_dir, srv) = server().await;
    let mut bystander = srv.login("bob").await;
    let mut c = srv.login("alice").await;
    let cases: &[(&str, u32, Option<u64>)] = &[
        ("this is not json", 60003, None),
        ("{\"id\":1,\"req\":\"pi", 60003, None),
        ("[1,2,3]", 60003, None),
        ("{\"req\":\"ping\"}", 60003, None),
        ("{\"id\":\"seven\",\"req\":\"ping\"}", 60003, None),
        ("{\"id\":3,\"req\":\"explode\"}", 60003, Some(3)),
        (
            "{\"id\":4,\"req\":{\"deleteConversation\":{\"conversationID\":42}}}",
            60003,
            Some(4),
        ),
        (
            "{\"id\":5,\"req\":{\"getMessageList\":{\"conversationID\":\"C2Cbob\"}}}",
            60003,
            Some(5),
        ),
        ("{\"id\":6,\"op\":\"ping\"}", 60006, Some(6)),
    ];
    for (text, code, id) in cases {
        c.send_text(*text).await;
        let f = c.next_answer().await;
        assert_error(&f, *code);
        assert_eq!(f["id"], json!(id), "{text}: {f}");
    }

    c.ws.send(Message::binary(vec![1u8, 2, 3]))
        .await
        .expect("send");
    let f = c.next_answer().await;
    assert_error(&f, 60003);
    assert_eq!(f["id"], json!(null));

    // Over the 64 KB protocol limit, well-formed: refused whole, nothing stored.
    let big = wire::request(
        6,
        "sendMessage",
        Some(json!({
        "conversationID": "C2Cbob", "ID": "big", "body": {"type": "text", "text": "z".repeat(100 * 1024)}})),
    );
    c.send_text(big.to_string()).await;
    let f = c.next_answer().await;
    assert_error(&f, 60005);
    assert_eq!(f["id"], json!(null));
    c.send_text("x".repeat(1024 * 1024)).await;
    assert_error(&c.next_answer().await, 60005);

    // Requests with bad arguments.
    let send = |conv: &str, id: &str, text: String| json!({"conversationID": conv, "ID": id, "body": {"type": "text", "text": text}});
    let cases = [
        ("sendMessage", send("bob", "x1", "t".into()), 2503),
        ("sendMessage", send("C2C", "x1", "t".into()), 2503),
        // No such group; system notices come from the server only.
        ("sendMessage", send("GROUPg1", "x1", "t".into()), 10010),
        ("sendMessage", send("@TIM#SYSTEM", "x1", "t".into()), 2100),
        ("sendMessage", send("C2Cbob", "bad id", "t".into()), 2100),
        ("sendMessage", send("C2Cbob", "", "t".into()), 2100),
        (
            "sendMessage",
            send("C2Cbob", "x1", "t".repeat(12 * 1024 + 1)),
            80002,
        ),
        // A custom message's three strings count together; @ messages go to groups only.
        (
            "sendMessage",
            json!({"conversationID": "C2Cbob", "ID": "x1", "body": {"type": "custom",
                   "data": "d".repeat(6 * 1024), "description": "s".repeat(6 * 1024 + 1)}}),
            80002,
        ),
        (
            "sendMessage",
            json!({"conversationID": "C2Cbob", "ID": "x1", "body": {"type": "text",
                   "text": "@bob", "atUserList": ["bob"]}}),
            2100,
        ),
        (
            "getMessageList",
            json!({"conversationID": "C2Cbob", "count": 0}),
            2100,
        ),
        (
            "getMessageList",
            json!({"conversationID": "C2Cbob", "count": 101}),
            2100,
        ),
        (
            "getMessageList",
            json!({"conversationID": "nope", "count": 15}),
            2503,
        ),
        (
            "getConversation",
            json!({"conversationID": "C2Cnobody"}),
            2500,
        ),
        (
            "setMessageRead",
            json!({"conversationID": "C2Cnobody"}),
            2500,
        ),
        ("deleteConversation", json!({"conversationID": "abc"}), 2503),
        (
            "deleteConversation",
            json!({"conversationID": "C2Cnobody"}),
            2500,
        ),
    ];
    for (op, args, code) in cases {
        let f = c.request(op, Some(args.clone())).await;
        assert_eq!(f["code"], code, "{op} {args}: {f}");
        assert_error(&f, code);
    }
    let ml = c.messages("C2Cbob", 15).await;
    assert!(texts(&ml).is_empty(), "nothing refused was stored: {ml}");

    // An unknown anchor for paging.
    c.send("bob", "ok1", "fine").await;
    let f = c
        .request(
            "getMessageList",
            Some(json!({"conversationID": "C2Cbob", "count": 15, "nextReqMessageID": "nope"})),
        )
        .await;
    assert_error(&f, 2504);

    // Still the same connection, and the bystander was never affected.
    assert_eq!(c.request("ping", None).await["kind"], "pong");
    let p = bystander.next_push().await;
    assert_eq!(p["value"]["message"]["body"]["text"], "fine");
    assert_eq!(bystander.request("ping", None).await["kind"], "pong");
    srv.stop().await;
}

#[tokio::test]
async fn a_client_that_vanishes_mid_request_harms_no_one() {
    let (_dir, srv) = server().await;
    let mut bob = srv.login("bob").await;

    // Send a burst and drop the socket without waiting for any answer.
    let mut quitter = srv.login("quitter").await;
    for i in 0..20 {
        let frame = wire::request(
            i,
            "sendMessage",
            Some(json!({
            "conversationID": "C2Cbob", "ID": format!("q{i}"), "body": {"type": "text", "text": format!("q{i}")}})),
        );
        quitter
            .ws
            .feed(Message::text(frame.to_string()))
            .await
            .expect("feed");
    }
    quitter.ws.flush().await.expect("flush");
    drop(quitter);

    // A login that is never read either.
    let mut ghost = srv.connect().await;
    ghost
        .send_text(
            wire::request(
                1,
                "login",
                Some(json!({"SDKAppID": APP, "userID": "ghost",
                   "userSig": srv.sig("ghost"), "protocol": 2})),
            )
            .to_string(),
        )
        .await;
    drop(ghost);

    // The server still serves; whatever landed, landed whole: in order, without gaps or doubles.
    let mut again = srv.login("quitter").await;
    let mine = again.messages("C2Cbob", 100).await;
    let got = texts(&mine);
    let expected: Vec<String> = (0..got.len()).map(|i| format!("q{i}")).collect();
    assert_eq!(got, expected);
    assert_eq!(texts(&bob.messages("C2Cquitter", 100).await), expected);
    again.send("bob", "back", "back").await;
    loop {
        let p = bob.next_push().await;
        if p["value"]["message"]["id"] == "back" {
            break;
        }
    }
    srv.stop().await;
}

#[tokio::test]
async fn an_expiring_usersig_kicks_the_session() {
    let (_dir, srv) = server().await;
    let mut c = srv.connect().await;
    // Valid for about one more second.
    let sig =
        tim_server::usersig::generate(APP, &srv.secret_key, "alice", 60, now() - 59).expect("sig");
    let r = c.login("alice", &sig).await;
    assert_eq!(r["kind"], "loggedIn", "{r}");
    let p = c.next_push().await;
    assert_eq!(p["kind"], "kicked", "{p}");
    assert_eq!(p["value"]["reason"], "userSigExpired");
    // Then the server closes the connection.
    let end = tokio::time::timeout(WAIT, async {
        while let Some(Ok(m)) = c.ws.next().await {
            if m.is_close() {
                return true;
            }
        }
        true
    })
    .await;
    assert_eq!(end, Ok(true));
    srv.stop().await;
}

#[tokio::test]
async fn stopping_the_server_closes_live_sessions() {
    let (_dir, srv) = server().await;
    let mut c: Client = srv.login("alice").await;
    srv.stop().await;
    let closed = tokio::time::timeout(WAIT, async {
        loop {
            match c.ws.next().await {
                Some(Ok(m)) if m.is_close() => return true,
                Some(Ok(_)) => continue,
                _ => return true,
            }
        }
    })
    .await;
    assert_eq!(closed, Ok(true));
}

/// The raw text of the next frame, as protocol 2 nests it.
async fn raw_frame(c: &mut Client) -> serde_json::Value {
    loop {
        let msg = tokio::time::timeout(WAIT, c.ws.next())
            .await
            .expect("a frame in time")
            .expect("connection open")
            .expect("frame");
        if let Message::Text(t) = msg {
            return serde_json::from_str(t.as_str()).expect("JSON frame");
        }
    }
}

#[tokio::test]
async fn protocol_2_frames_are_externally_tagged() {
    let (_dir, srv) = server().await;
    let mut c = srv.connect().await;
    c.send_text(
        json!({"id": 1, "req": {"login": {"SDKAppID": APP, "userID": "alice",
               "userSig": srv.sig("alice"), "protocol": 2}}})
        .to_string(),
    )
    .await;
    let f = raw_frame(&mut c).await;
    assert_eq!(f["reply"]["id"], 1, "{f}");
    assert_eq!(f["reply"]["value"]["loggedIn"]["userID"], "alice", "{f}");
    c.send_text(r#"{"id":2,"req":"ping"}"#).await;
    assert_eq!(
        raw_frame(&mut c).await,
        json!({"reply": {"id": 2, "value": "pong"}})
    );
    c.send_text(r#"{"id":3,"req":{"deleteConversation":{"conversationID":"C2Cnobody"}}}"#)
        .await;
    let f = raw_frame(&mut c).await;
    assert_eq!(f["error"]["id"], 3, "{f}");
    assert_eq!(f["error"]["code"], 2500, "{f}");
    let mut bob = srv.login("bob").await;
    bob.send("alice", "m1", "hi").await;
    let f = raw_frame(&mut c).await;
    assert!(f["push"]["ev"].as_u64().is_some(), "{f}");
    assert_eq!(f["push"]["value"]["message"]["message"]["id"], "m1", "{f}");
    assert_eq!(
        f["push"]["value"]["message"]["message"]["body"],
        json!({"type": "text", "text": "hi"})
    );
    srv.stop().await;
}
