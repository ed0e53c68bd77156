//! User and group IDs are any Unicode text up to the byte limit (issue 15): end to end over
//! the wire and the admin REST API with IDs like `用户`, `é`, `😀x`, `mail@example.com`,
//! `a-b_c.d`, `a|b`, `a b`; only empty, over-limit and control-character IDs are refused. And
//! the C2C thread keys stored before IDs could hold `|` are rewritten by the schema migration,
//! on every engine.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::{Engine, TestDb};
use common::groups::{group_send, private_group};
use common::http::{post, raw};
use common::{assert_error, texts, Client, TestServer, APP};
use serde_json::{json, Value};
use std::sync::Arc;
use tim_proto::model::WireBody;
use tim_server::store::{
    App, ConvRef, GroupType, NewGroup, NewMessage, PageOutcome, SendOutcome, Store,
};

/// The peers of `ME`: each is listed, read and deleted by its conversation ID `C2C<peer>`.
const PEERS: [&str; 7] = [
    "é",
    "😀x",
    "mail@example.com",
    "a-b_c.d",
    "a|b",
    "a b",
    "@TIM#SYSTEM",
];
const ME: &str = "用户";

fn ids(list: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = list
        .iter()
        .map(|c| c["conversationID"].as_str().unwrap_or_default().to_owned())
        .collect();
    v.sort();
    v
}

fn sorted(v: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = v.into_iter().collect();
    v.sort();
    v
}

async fn start() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().expect("tempdir");
    let srv = TestServer::start(&dir.path().join("tim.db")).await;
    (dir, srv)
}

#[tokio::test]
async fn unicode_ids_log_in_send_list_read_and_delete() {
    let (_dir, srv) = start().await;
    let mut me = srv.login(ME).await;
    let mut peers: Vec<Client> = Vec::new();
    for (i, peer) in PEERS.iter().enumerate() {
        let mut c = srv.login(peer).await;
        let m = me.send(peer, &format!("m{i}"), &format!("to {peer}")).await;
        assert_eq!(m["conversationID"], format!("C2C{peer}"), "{m}");
        assert_eq!(m["from"], ME);
        assert_eq!(m["to"], *peer);
        let p = c.next_push().await;
        assert_eq!(p["kind"], "message", "{p}");
        let pushed = &p["value"]["message"];
        assert_eq!(pushed["conversationID"], format!("C2C{ME}"), "{p}");
        assert_eq!(pushed["from"], ME, "{p}");
        let r = c.send(ME, &format!("r{i}"), &format!("from {peer}")).await;
        assert_eq!(r["conversationID"], format!("C2C{ME}"));
        peers.push(c);
    }
    let want = sorted(PEERS.iter().map(|p| format!("C2C{p}")));
    let listed = me.conversations().await;
    assert_eq!(ids(&listed), want);
    for (i, (peer, c)) in PEERS.iter().zip(peers.iter_mut()).enumerate() {
        let conv = format!("C2C{peer}");
        assert_eq!(
            texts(&me.messages(&conv, 15).await),
            [format!("to {peer}"), format!("from {peer}")],
            "{peer}"
        );
        assert_eq!(ids(&c.conversations().await), [format!("C2C{ME}")]);
        // Half of them deleted one by one, the rest in one batch below.
        if i % 2 == 0 {
            let d = me.delete(&conv).await;
            assert_eq!(d["kind"], "conversationDeleted", "{peer}: {d}");
            assert_eq!(d["value"]["conversationID"], conv, "{peer}: {d}");
            assert!(texts(&me.messages(&conv, 15).await).is_empty(), "{peer}");
            // The peer keeps theirs.
            assert_eq!(texts(&c.messages(&format!("C2C{ME}"), 15).await).len(), 2);
        }
    }
    let rest: Vec<String> = PEERS
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, p)| format!("C2C{p}"))
        .collect();
    assert_eq!(ids(&me.conversations().await), sorted(rest.clone()));
    let refs: Vec<&str> = rest.iter().map(String::as_str).collect();
    let d = me.delete_batch(&refs, true).await;
    assert_eq!(d["t"], "reply", "{d}");
    assert!(me.conversations().await.is_empty());
    // A new message brings one back, holding only itself.
    peers[4].send(ME, "again", "again").await;
    assert_eq!(texts(&me.messages("C2Ca|b", 15).await), ["again"]);
    srv.stop().await;
}

/// `a|b` + `c` and `a` + `b|c` made the same thread key while `|` joined keys: they are two
/// conversations, each with its own history.
#[tokio::test]
async fn ids_holding_the_old_separator_keep_their_conversations_apart() {
    let (_dir, srv) = start().await;
    let mut ab = srv.login("a|b").await;
    let mut a = srv.login("a").await;
    let mut c = srv.login("c").await;
    let mut bc = srv.login("b|c").await;
    ab.send("c", "x1", "a|b to c").await;
    a.send("b|c", "x2", "a to b|c").await;
    assert_eq!(texts(&c.messages("C2Ca|b", 15).await), ["a|b to c"]);
    assert_eq!(texts(&bc.messages("C2Ca", 15).await), ["a to b|c"]);
    assert_eq!(ids(&c.conversations().await), ["C2Ca|b"]);
    assert_eq!(ids(&bc.conversations().await), ["C2Ca"]);
    assert_eq!(c.messages("C2Ca|b", 15).await["messages"][0]["seq"], 1);
    assert_eq!(bc.messages("C2Ca", 15).await["messages"][0]["seq"], 1);
    // A user named like a group thread is still a user.
    let mut g = srv.login("group#x").await;
    g.send("y", "x3", "to y").await;
    let mut y = srv.login("y").await;
    assert_eq!(ids(&y.conversations().await), ["C2Cgroup#x"]);
    srv.stop().await;
}

#[tokio::test]
async fn unicode_group_ids_work_like_any_other() {
    let (_dir, srv) = start().await;
    let mut me = srv.login(ME).await;
    let mut e = srv.login("é").await;
    for (i, group) in ["群组😀", "a|b", "g#1 x"].into_iter().enumerate() {
        private_group(&mut me, group, &["é"]).await;
        group_send(&mut me, group, &format!("g{i}"), "hello").await;
        let conv = format!("GROUP{group}");
        assert!(ids(&e.conversations().await).contains(&conv), "{group}");
        assert_eq!(texts(&e.messages(&conv, 15).await), ["hello"], "{group}");
        let d = e.delete(&conv).await;
        assert_eq!(d["kind"], "conversationDeleted", "{group}: {d}");
        assert_eq!(d["value"]["conversationID"], conv, "{group}: {d}");
        assert!(!ids(&e.conversations().await).contains(&conv), "{group}");
        assert_eq!(texts(&me.messages(&conv, 15).await), ["hello"], "{group}");
    }
    srv.stop().await;
}

#[tokio::test]
async fn empty_over_limit_and_control_character_ids_are_refused() {
    let (_dir, srv) = start().await;
    let long = "用".repeat(22); // 22 characters, 66 bytes: over the 64-byte limit
    for bad in [
        "",
        "a\u{1}b",
        "a\nb",
        "a\u{1f}b",
        "a\u{7f}",
        "\u{85}",
        "a\u{fffd}",
        long.as_str(),
    ] {
        let mut c = srv.connect().await;
        assert_error(&c.login(bad, &srv.sig(bad)).await, 2100);
    }
    // 21 of them are 63 bytes: allowed.
    let fits = "用".repeat(21);
    srv.login(&fits).await;
    let mut me = srv.login(ME).await;
    for bad in ["C2Ca\u{0}b", "C2Ca\tb", &format!("C2C{long}")] {
        let r = me
            .request(
                "sendMessage",
                Some(json!({"conversationID": bad, "ID": "z1",
                            "body": {"type": "text", "text": "t"}})),
            )
            .await;
        assert_error(&r, 2503);
    }
    for bad in ["a\u{1}b", &"群".repeat(17)] {
        let r = me
            .request(
                "createGroup",
                Some(json!({"groupID": bad, "name": "X", "type": "Public"})),
            )
            .await;
        assert_error(&r, 10015);
    }
    srv.stop().await;
}

fn admin_query(srv: &TestServer) -> String {
    format!(
        "sdkappid={APP}&identifier=administrator&usersig={}&random=4242&contenttype=json",
        srv.admin_sig()
    )
}

async fn rest(srv: &TestServer, api: &str, body: Value) -> Value {
    let r = post(
        srv.addr,
        &format!("/v4/{api}?{}", admin_query(srv)),
        &body.to_string(),
    )
    .await;
    assert_eq!(r.status, 200, "{api}: {}", r.body);
    r.json()
}

#[tokio::test]
async fn recentcontact_lists_and_deletes_unicode_conversations() {
    let (_dir, srv) = start().await;
    let mut me = srv.login(ME).await;
    for (i, peer) in PEERS.iter().enumerate() {
        srv.login(peer).await;
        me.send(peer, &format!("m{i}"), "hi").await;
    }
    private_group(&mut me, "群组😀", &["é"]).await;
    group_send(&mut me, "群组😀", "g1", "hello").await;

    let listed = rest(&srv, "recentcontact/get_list", json!({"From_Account": ME})).await;
    assert_eq!(listed["ActionStatus"], "OK", "{listed}");
    let items = listed["SessionItem"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut peers: Vec<String> = items
        .iter()
        .filter(|i| i["Type"] == 1)
        .map(|i| i["To_Account"].as_str().unwrap_or_default().to_owned())
        .collect();
    peers.sort();
    assert_eq!(peers, sorted(PEERS.iter().map(|p| p.to_string())));
    assert!(
        items
            .iter()
            .any(|i| i["Type"] == 2 && i["GroupId"] == "群组😀"),
        "{listed}"
    );

    for peer in PEERS {
        let body = json!({"From_Account": ME, "Type": 1, "To_Account": peer, "ClearRamble": 1});
        let v = rest(&srv, "recentcontact/delete", body).await;
        assert_eq!(v["ActionStatus"], "OK", "{peer}: {v}");
        assert!(texts(&me.messages(&format!("C2C{peer}"), 15).await).is_empty());
    }
    let body = json!({"From_Account": ME, "Type": 2, "ToGroupid": "群组😀", "ClearRamble": 1});
    assert_eq!(
        rest(&srv, "recentcontact/delete", body).await["ActionStatus"],
        "OK"
    );
    // What is left are the group's system notices (creating it).
    assert_eq!(ids(&me.conversations().await), ["@TIM#SYSTEM"]);
    let listed = rest(&srv, "recentcontact/get_list", json!({"From_Account": ME})).await;
    let items = listed["SessionItem"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        items
            .iter()
            .all(|i| i["Type"] != 1 && i["GroupId"] != "群组😀"),
        "{listed}"
    );

    // Refused: what no ID may be (50002, a bad parameter), named in the answer.
    for (from, to) in [("a\u{1}b", "é"), (ME, ""), (ME, "x\u{1f}y")] {
        let body = json!({"From_Account": from, "Type": 1, "To_Account": to, "ClearRamble": 1});
        let v = rest(&srv, "recentcontact/delete", body).await;
        assert_eq!(v["ActionStatus"], "FAIL", "{from:?} {to:?}: {v}");
        assert_eq!(v["ErrorCode"], 50002, "{from:?} {to:?}: {v}");
    }
    srv.stop().await;
}

/// The demo page asks `GET /api/demo/usersig?userID=<encodeURIComponent(id)>`: the ticket it
/// gets is for the decoded ID (signed over its UTF-8 bytes, as TLS Sig v2 does) and logs in.
#[tokio::test]
async fn the_demo_usersig_endpoint_takes_percent_encoded_unicode() {
    let (_dir, srv) = start().await;
    for (encoded, id) in [
        ("%E7%94%A8%E6%88%B7", "用户"),
        ("%C3%A9", "é"),
        ("%F0%9F%98%80x", "😀x"),
        ("mail%40example.com", "mail@example.com"),
        ("a%7Cb", "a|b"),
        ("a%20b", "a b"),
    ] {
        let req = format!(
            "GET /api/demo/usersig?userID={encoded} HTTP/1.1\r\nHost: {addr}\r\n\
             Origin: http://{addr}\r\nConnection: close\r\n\r\n",
            addr = srv.addr
        );
        let r = raw(srv.addr, &req).await;
        assert_eq!(r.status, 200, "{id}: {}", r.body);
        let v = r.json();
        assert_eq!(v["userID"], id);
        let sig = v["userSig"].as_str().expect("userSig");
        let checked = tim_server::usersig::verify(sig, &srv.secret_key, APP, id, common::now());
        assert!(checked.is_ok(), "{id}: {checked:?}");
        let mut c = srv.connect().await;
        assert_eq!(c.login(id, sig).await["kind"], "loggedIn", "{id}");
    }
    // Bytes that are not UTF-8 decode to U+FFFD (so %FF and %FE would be one user): refused.
    for encoded in ["a%FF", "a%FE", "%01", ""] {
        let req = format!(
            "GET /api/demo/usersig?userID={encoded} HTTP/1.1\r\nHost: {addr}\r\n\
             Origin: http://{addr}\r\nConnection: close\r\n\r\n",
            addr = srv.addr
        );
        let r = raw(srv.addr, &req).await;
        assert_eq!(r.status, 400, "{encoded}: {}", r.body);
        assert_eq!(r.json()["code"], 2100, "{encoded}: {}", r.body);
    }
    srv.stop().await;
}

// ---- the migration of stored thread keys ----

const MAPP: u64 = 7;

fn open(db: &TestDb, create: bool) -> Arc<dyn Store> {
    let store = db.open();
    if create {
        store
            .create_app(&App {
                sdk_app_id: MAPP,
                secret_key: "k".into(),
                admin_identifier: "administrator".into(),
                sync_conversation_deletion: false,
                created_at: 0,
            })
            .expect("app");
    }
    store
}

fn send(s: &dyn Store, from: &str, to: &str, id: &str) -> u64 {
    let msg = NewMessage {
        msg_id: id.into(),
        body: WireBody::Text { text: id.into() },
        time: 100,
        need_receipt: false,
    };
    match s
        .send_message(MAPP, &ConvRef::c2c(from, to), &msg)
        .expect("send")
    {
        SendOutcome::Stored { message, .. } => message.seq,
        other => panic!("expected Stored, got {other:?}"),
    }
}

fn history(s: &dyn Store, owner: &str, peer: &str) -> Vec<String> {
    match s
        .messages(MAPP, &ConvRef::c2c(owner, peer), None, 15)
        .expect("messages")
    {
        PageOutcome::Page(p) => p.messages.iter().map(|m| m.msg_id.clone()).collect(),
        PageOutcome::UnknownAnchor => panic!("no anchor given"),
    }
}

/// A database of the schema before the key change, made from one of today's: its C2C keys
/// (threads, messages, conversations, the log's message entries) back to `a|b`, the later
/// migrations' tables and columns (issue 16's profiles, blacklists, the messages' nick and
/// avatar, pins and remind types, revoked / revoke_time_limit / hidden_messages, group admins
/// and profiles, uploaded files, read receipts) gone, its
/// version back to the one before.
fn downgrade(db: &TestDb) {
    let (chr, version) = match db.engine {
        Engine::Sqlite => ("char(31)", "PRAGMA user_version = 5;"),
        Engine::Postgres => ("chr(31)", "UPDATE schema_version SET version = 1;"),
    };
    let has = format!("conv_key LIKE '%' || {chr} || '%'");
    db.execute(&format!(
        "INSERT INTO threads (sdk_app_id, conv_key, last_seq)
             SELECT sdk_app_id, replace(conv_key, {chr}, '|'), last_seq FROM threads WHERE {has};
         UPDATE messages SET conv_key = replace(conv_key, {chr}, '|') WHERE {has};
         UPDATE conversations SET conv_key = replace(conv_key, {chr}, '|') WHERE {has};
         DELETE FROM threads WHERE {has};
         UPDATE user_events SET payload_json = replace(payload_json, '\\u001f', '|')
             WHERE kind = 'messageAt';
         DROP TABLE profiles;
         DROP TABLE blacklist;
         ALTER TABLE messages DROP COLUMN nick;
         ALTER TABLE messages DROP COLUMN avatar;
         DROP TABLE hidden_messages;
         ALTER TABLE messages DROP COLUMN revoked;
         ALTER TABLE apps DROP COLUMN revoke_time_limit;
         DROP TABLE remind_types;
         ALTER TABLE conversations DROP COLUMN pinned;
         ALTER TABLE group_members DROP COLUMN admin;
         ALTER TABLE chat_groups DROP COLUMN introduction;
         ALTER TABLE chat_groups DROP COLUMN notification;
         ALTER TABLE chat_groups DROP COLUMN avatar;
         ALTER TABLE chat_groups DROP COLUMN join_option;
         ALTER TABLE chat_groups DROP COLUMN mute_all;
         DROP TABLE files;
         DROP TABLE file_links;
         DROP TABLE message_reads;
         ALTER TABLE messages DROP COLUMN need_receipt;
         ALTER TABLE messages DROP COLUMN read_count;
         ALTER TABLE messages DROP COLUMN unread_count;
         {version}"
    ));
}

fn c2c_keys_of_the_old_form_are_rewritten_by_the_migration(db: TestDb) {
    let chr = match db.engine {
        Engine::Sqlite => "char(31)",
        Engine::Postgres => "chr(31)",
    };
    let old_keys = "SELECT count(*) FROM threads WHERE conv_key LIKE '%|%'";
    let new_keys = format!("SELECT count(*) FROM threads WHERE conv_key LIKE '%' || {chr} || '%'");
    {
        let s = open(&db, true);
        assert_eq!(send(&*s, "alice", "bob", "m1"), 1);
        assert_eq!(send(&*s, "bob", "alice", "m2"), 2);
        assert_eq!(send(&*s, "alice", "carol", "c1"), 1);
        s.ensure_user(MAPP, "dave", 100).expect("dave");
        s.create_group(
            MAPP,
            &NewGroup {
                group_id: "g1".into(),
                kind: GroupType::Private,
                name: "G".into(),
                owner: "alice".into(),
                members: vec!["dave".into()],
            },
            100,
        )
        .expect("store")
        .expect("group created");
        s.flush().expect("flush");
    }
    assert_eq!(db.count(&new_keys), 2);
    downgrade(&db);
    assert_eq!(
        db.count(old_keys),
        2,
        "the old form, as a server before it left it"
    );
    assert_eq!(db.count(&new_keys), 0);

    let s = open(&db, false);
    assert_eq!(db.count(old_keys), 0, "no key of the old form is left");
    assert_eq!(db.count(&new_keys), 2);
    for table in ["messages", "conversations"] {
        assert_eq!(
            db.count(&format!(
                "SELECT count(*) FROM {table} WHERE conv_key LIKE '%|%'"
            )),
            0,
            "{table}"
        );
    }
    assert_eq!(
        db.count("SELECT count(*) FROM user_events WHERE payload_json LIKE '%|%'"),
        0
    );
    assert_eq!(
        db.count("SELECT count(*) FROM threads WHERE conv_key = 'group#g1'"),
        1,
        "group keys are untouched"
    );
    // Everything reads as before, and the threads go on from their seqs.
    assert_eq!(history(&*s, "alice", "bob"), ["m1", "m2"]);
    assert_eq!(history(&*s, "bob", "alice"), ["m1", "m2"]);
    assert_eq!(history(&*s, "carol", "alice"), ["c1"]);
    let mut convs: Vec<String> = s
        .conversations(MAPP, "alice")
        .expect("list")
        .iter()
        .map(|c| c.conversation_id.clone())
        .collect();
    convs.sort();
    // (The group has no message yet: its creation is a system notice.)
    assert_eq!(convs, ["@TIM#SYSTEM", "C2Cbob", "C2Ccarol"]);
    assert_eq!(send(&*s, "bob", "alice", "m3"), 3);
    assert_eq!(history(&*s, "alice", "bob"), ["m1", "m2", "m3"]);
    // The log's message entries find their messages in the rewritten threads.
    let caught = s.catch_up(MAPP, "bob", Some(0), 100).expect("catch up");
    let logged: Vec<String> = caught
        .missed
        .iter()
        .filter_map(|e| match &e.push {
            tim_proto::Push::Message { message } => Some(message.id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(logged, ["m1", "m2", "m3"]);
    drop(s);
    // Opening again migrates nothing more.
    let s = open(&db, false);
    assert_eq!(history(&*s, "alice", "bob"), ["m1", "m2", "m3"]);
}

for_each_engine!(c2c_keys_of_the_old_form_are_rewritten_by_the_migration);

/// `application/x-www-form-urlencoded`-style percent-encoding of every byte but `A-Z a-z 0-9`,
/// as the console's `URLSearchParams` does for non-ASCII text.
fn percent_encoded(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The console and the admin REST API with an app whose admin identifier is Unicode: the
/// console's login answers it, its UserSig works on the REST API with the identifier
/// percent-encoded in the query; an admin identifier no login could use is refused at creation.
#[tokio::test]
async fn a_unicode_admin_identifier_works_in_the_console_and_the_rest_api() {
    let (_dir, srv) = start().await;
    const ADMIN_APP: u64 = 1_400_000_777;
    const ADMIN: &str = "管理员 é";
    let key = "0123456789abcdefghijklmnopqrstuvwxyz";
    {
        let store = tim_server::store::open(
            &srv.db.to_string_lossy(),
            tim_server::config::DEFAULT_SEND_COMMIT_AFTER,
        )
        .expect("open");
        let app = tim_server::apps::create_app(
            store.as_ref(),
            Some(ADMIN_APP),
            Some(key.into()),
            Some(ADMIN.into()),
            false,
        )
        .expect("an app with a Unicode admin");
        assert_eq!(app.admin_identifier, ADMIN);
        for bad in ["", "admin\n", "a\u{1f}b"] {
            let refused = tim_server::apps::create_app(
                store.as_ref(),
                Some(ADMIN_APP + 1),
                Some(key.into()),
                Some(bad.into()),
                false,
            );
            assert!(refused.is_err(), "{bad:?}");
        }
    }
    let r = post(
        srv.addr,
        "/api/console/login",
        &json!({"SDKAppID": ADMIN_APP, "secretKey": key}).to_string(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["identifier"], ADMIN);
    let sig = v["userSig"].as_str().expect("userSig");
    let query = format!(
        "sdkappid={ADMIN_APP}&identifier={}&usersig={sig}&random=7&contenttype=json",
        percent_encoded(ADMIN)
    );
    let r = post(
        srv.addr,
        &format!("/v4/tim_wasm_app/get_settings?{query}"),
        "{}",
    )
    .await;
    let v = r.json();
    assert_eq!(v["ActionStatus"], "OK", "{v}");
    assert_eq!(v["Settings"]["SyncConversationDeletion"], false);
    // Past the admin check, the command itself: 用户 never logged in to this app (50001).
    let body = json!({"From_Account": "用户"}).to_string();
    let r = post(
        srv.addr,
        &format!("/v4/recentcontact/get_list?{query}"),
        &body,
    )
    .await;
    let v = r.json();
    assert_eq!(v["ErrorCode"], 50001, "{v}");
    assert!(
        v["ErrorInfo"].as_str().is_some_and(|i| i.contains("用户")),
        "{v}"
    );
    srv.stop().await;
}
