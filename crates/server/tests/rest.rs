//! The admin REST API and the console login, over real HTTP against an in-process server.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::http::post;
use common::{now, texts, Client, TestServer, APP};
use serde_json::{json, Value};
use tim_proto::model::WireBody;
use tim_server::store::{ConvRef, NewMessage, SqliteStore, Store};

async fn server() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().expect("tempdir");
    // No --demo: the admin API and the console login do not depend on it.
    let srv = TestServer::start_without_demo(&dir.path().join("tim.db")).await;
    (dir, srv)
}

fn admin_query(srv: &TestServer) -> String {
    format!(
        "sdkappid={APP}&identifier=administrator&usersig={}&random=4242&contenttype=json",
        srv.admin_sig()
    )
}

/// `POST /v4/<api>?<query>` with `body`; every answer is HTTP 200 JSON with the envelope.
async fn call_with(srv: &TestServer, api: &str, query: &str, body: &str) -> Value {
    let r = post(srv.addr, &format!("/v4/{api}?{query}"), body).await;
    assert_eq!(r.status, 200, "{api}: {}", r.body);
    let v = r.json();
    assert!(
        v["ActionStatus"] == "OK" || v["ActionStatus"] == "FAIL",
        "{v}"
    );
    assert!(v["ErrorCode"].is_u64() && v["ErrorInfo"].is_string(), "{v}");
    v
}

async fn call(srv: &TestServer, api: &str, body: Value) -> Value {
    call_with(srv, api, &admin_query(srv), &body.to_string()).await
}

fn assert_ok(v: &Value) {
    assert_eq!(v["ActionStatus"], "OK", "{v}");
    assert_eq!(v["ErrorCode"], 0, "{v}");
    assert_eq!(v["ErrorInfo"], "", "{v}");
}

fn assert_fail(v: &Value, code: u32, what: &str) {
    assert_eq!(v["ActionStatus"], "FAIL", "{what}: {v}");
    assert_eq!(v["ErrorCode"], code, "{what}: {v}");
    assert!(
        v["ErrorInfo"].as_str().is_some_and(|i| !i.is_empty()),
        "{what}: {v}"
    );
}

async fn sync_setting(srv: &TestServer) -> bool {
    let v = call(srv, "tim_wasm_app/get_settings", json!({})).await;
    assert_ok(&v);
    v["Settings"]["SyncConversationDeletion"]
        .as_bool()
        .expect("a boolean setting")
}

fn delete_body(from: &str, to: &str, clear: u8) -> Value {
    json!({"From_Account": from, "Type": 1, "To_Account": to, "ClearRamble": clear})
}

/// alice's conversation IDs, as her session sees the server's list.
async fn list_of(c: &mut Client) -> Vec<String> {
    c.conversations()
        .await
        .iter()
        .map(|v| v["conversationID"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn settings_are_read_and_changed_and_apply_to_the_next_deletion() {
    let (_dir, srv) = server().await;
    assert!(!sync_setting(&srv).await, "off by default");
    let mut tab1 = srv.login("alice").await;
    let mut tab2 = srv.login("alice").await;
    let mut bob = srv.login("bob").await;

    let v = call(
        &srv,
        "tim_wasm_app/set_settings",
        json!({"SyncConversationDeletion": true}),
    )
    .await;
    assert_ok(&v);
    assert_eq!(
        v["Settings"],
        json!({"SyncConversationDeletion": true, "RevokeTimeLimit": 120})
    );
    assert!(sync_setting(&srv).await);
    bob.send("alice", "b1", "hi").await;
    tab2.next_push().await;
    tab1.next_push().await;
    tab1.delete("C2Cbob").await;
    assert_eq!(tab2.next_push().await["kind"], "conversationDeleted");

    // An empty change changes nothing and reports the saved state.
    let v = call(&srv, "tim_wasm_app/set_settings", json!({})).await;
    assert_eq!(v["Settings"]["SyncConversationDeletion"], true);

    let v = call(
        &srv,
        "tim_wasm_app/set_settings",
        json!({"SyncConversationDeletion": false}),
    )
    .await;
    assert_eq!(v["Settings"]["SyncConversationDeletion"], false);
    bob.send("alice", "b2", "again").await;
    tab2.next_push().await;
    tab1.next_push().await;
    tab1.delete("C2Cbob").await;
    tab2.assert_no_push().await;
    srv.stop().await;
}

/// The revoke time limit is an app setting of the REST API (and so of the console): a bad value
/// is refused with nothing changed (the other setting in the same body included), a good one
/// applies to the next revoke.
#[tokio::test]
async fn the_revoke_time_limit_is_set_by_rest_and_applies_to_the_next_revoke() {
    let (_dir, srv) = server().await;
    let api = "tim_wasm_app/set_settings";
    for bad in [
        json!(-1),
        json!(1.5),
        json!("60"),
        json!(null),
        json!(604_801),
    ] {
        let v = call(
            &srv,
            api,
            json!({"RevokeTimeLimit": bad, "SyncConversationDeletion": true}),
        )
        .await;
        assert_fail(&v, 50002, &format!("RevokeTimeLimit {bad}"));
    }
    let v = call(&srv, "tim_wasm_app/get_settings", json!({})).await;
    assert_eq!(
        v["Settings"],
        json!({"SyncConversationDeletion": false, "RevokeTimeLimit": 120}),
        "nothing changed"
    );

    let mut alice = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    alice.send("bob", "m1", "oops").await;
    bob.next_push().await;
    let revoke = json!({"ID": "m1", "conversationID": "C2Cbob"});
    let v = call(&srv, api, json!({"RevokeTimeLimit": 0})).await;
    assert_ok(&v);
    assert_eq!(v["Settings"]["RevokeTimeLimit"], 0);
    // Times are whole seconds: with a limit of 0, a message of an earlier second is too late.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = alice.request("revokeMessage", Some(revoke.clone())).await;
    common::assert_error(&r, 20016);
    let v = call(&srv, api, json!({"RevokeTimeLimit": 604_800})).await;
    assert_eq!(v["Settings"]["RevokeTimeLimit"], 604_800);
    let r = alice.request("revokeMessage", Some(revoke)).await;
    assert_eq!(r["value"]["message"]["isRevoked"], true, "{r}");
    srv.stop().await;
}

#[tokio::test]
async fn refused_admin_requests_carry_codes_and_change_nothing() {
    let (_dir, srv) = server().await;
    let key = srv.secret_key.clone();
    let sig = |app: u64, user: &str, expire: i64, time: i64| {
        tim_server::usersig::generate(app, &key, user, expire, time).expect("sig")
    };
    let q = |app: &str, identifier: &str, usersig: &str| {
        format!(
            "sdkappid={app}&identifier={identifier}&usersig={usersig}&random=1&contenttype=json"
        )
    };
    let app = APP.to_string();
    let admin = srv.admin_sig();
    let forged = tim_server::usersig::generate(APP, "not-the-key", "administrator", 3600, now())
        .expect("sig");
    let turn_on = r#"{"SyncConversationDeletion": true}"#;
    let cases: Vec<(String, &str, &str, u32)> = vec![
        (
            q("999", "administrator", &admin),
            "set_settings",
            turn_on,
            70020,
        ),
        (
            q("abc", "administrator", &admin),
            "set_settings",
            turn_on,
            70020,
        ),
        (
            format!("identifier=administrator&usersig={admin}"),
            "set_settings",
            turn_on,
            70020,
        ),
        (
            q(&app, "administrator", &forged),
            "set_settings",
            turn_on,
            70003,
        ),
        (
            q(&app, "administrator", "garbage"),
            "set_settings",
            turn_on,
            70003,
        ),
        (
            format!("sdkappid={APP}&identifier=administrator"),
            "set_settings",
            turn_on,
            70003,
        ),
        (
            q(
                &app,
                "administrator",
                &sig(APP, "administrator", 60, now() - 3600),
            ),
            "set_settings",
            turn_on,
            70001,
        ),
        (
            q(&app, "administrator", &sig(APP, "alice", 3600, now())),
            "set_settings",
            turn_on,
            70013,
        ),
        (
            q(
                &app,
                "administrator",
                &sig(APP + 1, "administrator", 3600, now()),
            ),
            "set_settings",
            turn_on,
            70014,
        ),
        // A valid UserSig, but of an ordinary user.
        (
            q(&app, "alice", &srv.sig("alice")),
            "set_settings",
            turn_on,
            50003,
        ),
        (
            format!("sdkappid={APP}&usersig={admin}"),
            "set_settings",
            turn_on,
            50003,
        ),
        (
            admin_query(&srv),
            "set_settings",
            r#"{"SyncConversationDeletion": tru"#,
            50002,
        ),
        (admin_query(&srv), "set_settings", "not json at all", 50002),
        (admin_query(&srv), "set_settings", "[true]", 50002),
        (
            admin_query(&srv),
            "set_settings",
            r#"{"Bogus": true}"#,
            50002,
        ),
        (
            admin_query(&srv),
            "set_settings",
            r#"{"SyncConversationDeletion": true, "Bogus": 1}"#,
            50002,
        ),
        (
            admin_query(&srv),
            "set_settings",
            r#"{"SyncConversationDeletion": "yes"}"#,
            50002,
        ),
        (
            admin_query(&srv),
            "set_settings",
            r#"{"SyncConversationDeletion": 1}"#,
            50002,
        ),
        (
            admin_query(&srv),
            "set_settings",
            r#"{"SyncConversationDeletion": null}"#,
            50002,
        ),
        (admin_query(&srv), "get_settings", "[]", 50002),
        (admin_query(&srv), "explode", turn_on, 50002),
    ];
    for (query, command, body, code) in &cases {
        let v = call_with(&srv, &format!("tim_wasm_app/{command}"), query, body).await;
        assert_fail(&v, *code, &format!("{command} {query} {body}"));
    }
    assert!(
        !sync_setting(&srv).await,
        "no refused request changed anything"
    );
    srv.stop().await;
}

#[tokio::test]
async fn recentcontact_delete_refusals_change_nothing() {
    let (_dir, srv) = server().await;
    srv.set_sync_deletion(true);
    let mut alice = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    bob.send("alice", "b1", "hi").await;
    alice.next_push().await;

    let cases: Vec<(Value, u32)> = vec![
        // A group conversation alice does not have: the SDK's own code for it.
        (
            json!({"From_Account": "alice", "Type": 2, "ToGroupid": "g1", "ClearRamble": 1}),
            2500,
        ),
        (
            json!({"From_Account": "alice", "Type": 2, "ClearRamble": 1}),
            50002,
        ),
        (
            json!({"From_Account": "alice", "Type": 2, "ToGroupid": "g".repeat(49)}),
            50002,
        ),
        (
            json!({"From_Account": "alice", "Type": 3, "To_Account": "bob"}),
            50002,
        ),
        (
            json!({"From_Account": "alice", "Type": "1", "To_Account": "bob"}),
            50002,
        ),
        (json!({"From_Account": "alice", "To_Account": "bob"}), 50002),
        (json!({"Type": 1, "To_Account": "bob"}), 50002),
        (json!({"From_Account": "alice", "Type": 1}), 50002),
        (
            json!({"From_Account": "bad\u{7}id", "Type": 1, "To_Account": "bob"}),
            50002,
        ),
        (
            json!({"From_Account": "alice", "Type": 1, "To_Account": ""}),
            50002,
        ),
        (delete_body("alice", "bob", 2), 50002),
        (
            json!({"From_Account": "alice", "Type": 1, "To_Account": "bob", "ClearRamble": -1}),
            50002,
        ),
        (json!(["alice"]), 50002),
        (delete_body("ghost", "bob", 1), 50001),
        (delete_body("alice", "carol", 1), 2500),
    ];
    for (body, code) in &cases {
        let v = call(&srv, "recentcontact/delete", body.clone()).await;
        assert_fail(&v, *code, &body.to_string());
    }
    let v = call_with(
        &srv,
        "recentcontact/delete",
        &admin_query(&srv),
        "{\"From_Account\":",
    )
    .await;
    assert_fail(&v, 50002, "malformed");
    let v = call_with(
        &srv,
        "recentcontact/delete",
        &format!("sdkappid={APP}&identifier=administrator&usersig=forged"),
        &delete_body("alice", "bob", 1).to_string(),
    )
    .await;
    assert_fail(&v, 70003, "bad signature");

    assert_eq!(list_of(&mut alice).await, ["C2Cbob"]);
    assert_eq!(texts(&alice.messages("C2Cbob", 15).await), ["hi"]);
    alice.assert_no_push().await;
    srv.stop().await;
}

#[tokio::test]
async fn recentcontact_delete_clears_history_or_keeps_it_and_pushes_by_the_setting() {
    let (_dir, srv) = server().await;
    let mut tab1 = srv.login("alice").await;
    let mut tab2 = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    for (id, text) in [("m1", "one"), ("m2", "two")] {
        bob.send("alice", id, text).await;
        tab1.next_push().await;
        tab2.next_push().await;
    }

    // Setting off, ClearRamble 1: gone with its history, and no session is told.
    assert_ok(&call(&srv, "recentcontact/delete", delete_body("alice", "bob", 1)).await);
    tab1.assert_no_push().await;
    tab2.assert_no_push().await;
    assert!(list_of(&mut tab1).await.is_empty());
    bob.send("alice", "m3", "three").await;
    tab1.next_push().await;
    tab2.next_push().await;
    assert_eq!(texts(&tab1.messages("C2Cbob", 15).await), ["three"]);

    // Setting on, ClearRamble 0: every session of alice hears it (none made the call)...
    assert_ok(
        &call(
            &srv,
            "tim_wasm_app/set_settings",
            json!({"SyncConversationDeletion": true}),
        )
        .await,
    );
    assert_ok(&call(&srv, "recentcontact/delete", delete_body("alice", "bob", 0)).await);
    for tab in [&mut tab1, &mut tab2] {
        let p = tab.next_push().await;
        assert_eq!(p["kind"], "conversationDeleted", "{p}");
        assert!(p["ev"].is_u64());
        assert_eq!(
            p["value"],
            json!({"conversationID": "C2Cbob", "clearedSeq": 3})
        );
    }
    assert!(list_of(&mut tab1).await.is_empty());
    let listed = call(
        &srv,
        "recentcontact/get_list",
        json!({"From_Account": "alice", "TimeStamp": 0, "StartIndex": 0,
               "TopTimeStamp": 0, "TopStartIndex": 0, "AssistFlags": 7}),
    )
    .await;
    assert_eq!(listed["SessionItem"], json!([]));
    // ...and the history it kept comes back with the next message (not what ClearRamble 1
    // cleared before).
    bob.send("alice", "m4", "four").await;
    assert_eq!(texts(&tab1.messages("C2Cbob", 15).await), ["three", "four"]);
    assert_eq!(tab1.conversations().await[0]["unreadCount"], 1);
    // Bob kept everything throughout.
    assert_eq!(
        texts(&bob.messages("C2Calice", 15).await),
        ["one", "two", "three", "four"]
    );
    srv.stop().await;
}

#[tokio::test]
async fn recentcontact_deletes_and_lists_group_conversations() {
    let (_dir, srv) = server().await;
    let mut alice = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    common::groups::private_group(&mut alice, "g1", &["bob"]).await;
    common::groups::group_send(&mut alice, "g1", "m1", "hello").await;

    let listed = call(
        &srv,
        "recentcontact/get_list",
        json!({"From_Account": "bob"}),
    )
    .await;
    assert_ok(&listed);
    let items = listed["SessionItem"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        items
            .iter()
            .any(|i| i["Type"] == 2 && i["GroupId"] == "g1" && i["TopFlag"] == 0),
        "the group conversation is listed with Type 2 and GroupId: {listed}"
    );

    let body = json!({"From_Account": "bob", "Type": 2, "ToGroupid": "g1", "ClearRamble": 1});
    assert_ok(&call(&srv, "recentcontact/delete", body).await);
    assert!(!list_of(&mut bob).await.contains(&"GROUPg1".to_string()));
    assert!(texts(&bob.messages("GROUPg1", 15).await).is_empty());
    // The other member keeps the conversation and its history.
    assert_eq!(texts(&alice.messages("GROUPg1", 15).await), ["hello"]);
    // The next group message brings it back for bob, holding only itself.
    common::groups::group_send(&mut alice, "g1", "m2", "again").await;
    assert_eq!(texts(&bob.messages("GROUPg1", 15).await), ["again"]);
}

#[tokio::test]
async fn get_list_pages_through_the_whole_list_once() {
    let (_dir, srv) = server().await;
    const N: u64 = 205;
    {
        let store = SqliteStore::open(&srv.db).expect("open");
        for i in 0..N {
            let msg = NewMessage {
                msg_id: format!("m{i}"),
                body: WireBody::Text { text: "x".into() },
                time: 1_000 + i as i64,
                need_receipt: false,
            };
            store
                .send_message(APP, &ConvRef::c2c(&format!("p{i:03}"), "alice"), &msg)
                .expect("send");
        }
    }
    let page = |start: u64, stamp: u64| {
        json!({"From_Account": "alice", "TimeStamp": stamp, "StartIndex": start,
               "TopTimeStamp": 0, "TopStartIndex": 0, "AssistFlags": 7})
    };
    let first = call(&srv, "recentcontact/get_list", page(0, 0)).await;
    assert_ok(&first);
    let stamp = first["TimeStamp"].as_u64().expect("TimeStamp");
    assert!(
        stamp.abs_diff(now() as u64) < 60,
        "a first page is stamped now"
    );
    assert_eq!(first["CompleteFlag"], 0);
    assert_eq!(first["StartIndex"], 100);
    assert_eq!(first["TopStartIndex"], 0);
    assert!(first["TopTimeStamp"].is_u64());
    assert_eq!(
        first["SessionItem"][0],
        json!({"Type": 1, "To_Account": "p204", "MsgTime": 1204, "TopFlag": 0})
    );
    let second = call(&srv, "recentcontact/get_list", page(100, stamp)).await;
    assert_eq!(
        (second["CompleteFlag"].clone(), second["StartIndex"].clone()),
        (json!(0), json!(200))
    );
    assert_eq!(
        second["TimeStamp"], stamp,
        "later pages keep the first page's stamp"
    );
    let third = call(&srv, "recentcontact/get_list", page(200, stamp)).await;
    assert_eq!(
        (third["CompleteFlag"].clone(), third["StartIndex"].clone()),
        (json!(1), json!(0))
    );
    let peers: Vec<String> = [&first, &second, &third]
        .iter()
        .flat_map(|p| p["SessionItem"].as_array().cloned().unwrap_or_default())
        .map(|item| item["To_Account"].as_str().unwrap_or_default().to_owned())
        .collect();
    let expected: Vec<String> = (0..N).rev().map(|i| format!("p{i:03}")).collect();
    assert_eq!(
        peers, expected,
        "every conversation once, most recent first"
    );

    // Only From_Account is required; missing paging fields start at the top.
    let short = call(
        &srv,
        "recentcontact/get_list",
        json!({"From_Account": "alice"}),
    )
    .await;
    assert_eq!(short["SessionItem"].as_array().map(Vec::len), Some(100));
    for (body, code) in [
        (json!({"From_Account": "ghost"}), 50001),
        (json!({"TimeStamp": 0}), 50002),
        (json!({"From_Account": "alice", "StartIndex": "x"}), 50002),
        (json!({"From_Account": 5}), 50002),
    ] {
        let v = call(&srv, "recentcontact/get_list", body.clone()).await;
        assert_fail(&v, code, &body.to_string());
    }
    srv.stop().await;
}

#[tokio::test]
async fn the_console_trades_the_secret_key_for_an_admin_usersig() {
    let (_dir, srv) = server().await;
    let login = |body: Value| {
        let addr = srv.addr;
        async move { post(addr, "/api/console/login", &body.to_string()).await }
    };
    let r = login(json!({"SDKAppID": APP, "secretKey": srv.secret_key})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["identifier"], "administrator");
    assert_eq!(v["SDKAppID"], APP);
    let sig = v["userSig"].as_str().expect("userSig").to_owned();
    let checked = tim_server::usersig::verify(&sig, &srv.secret_key, APP, "administrator", now())
        .expect("an admin UserSig");
    assert!(checked.expires_at <= now() + 3600 && checked.expires_at > now() + 3500);
    // It works on the admin API.
    let q =
        format!("sdkappid={APP}&identifier=administrator&usersig={sig}&random=7&contenttype=json");
    assert_ok(&call_with(&srv, "tim_wasm_app/get_settings", &q, "{}").await);
    // The SDKAppID may come as the string a form field holds.
    let r = login(json!({"SDKAppID": APP.to_string(), "secretKey": srv.secret_key})).await;
    assert_eq!(r.status, 200);

    for (body, status, code) in [
        (json!({"SDKAppID": APP, "secretKey": "wrong"}), 401, 70003),
        (json!({"SDKAppID": APP, "secretKey": ""}), 401, 70003),
        (
            json!({"SDKAppID": APP, "secretKey": format!("{}0", srv.secret_key)}),
            401,
            70003,
        ),
        (
            json!({"SDKAppID": 999, "secretKey": srv.secret_key}),
            401,
            70020,
        ),
        (json!({"SDKAppID": APP}), 400, 2100),
        (json!({"SDKAppID": -1, "secretKey": "x"}), 400, 2100),
        (json!("nope"), 400, 2100),
    ] {
        let r = login(body.clone()).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        let v = r.json();
        assert_eq!(v["code"], code, "{body}: {v}");
        assert!(v.get("userSig").is_none());
    }
    let r = post(srv.addr, "/api/console/login", "{not json").await;
    assert_eq!((r.status, r.json()["code"].clone()), (400, json!(2100)));
    srv.stop().await;
}

/// The IDs of the messages of `list` (a messageList value) that are revoked.
fn revoked_ids(list: &Value) -> Vec<String> {
    list["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["isRevoked"] == true)
        .map(|m| m["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn admin_msgwithdraw_revokes_for_both_parties_with_no_time_limit() {
    let (_dir, srv) = server().await;
    let mut alice = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    alice.send("bob", "m1", "oops").await;
    bob.next_push().await;
    // A user's revoke would be too late now; the admin's has no limit (as at Tencent).
    let db = srv.db.to_string_lossy().into_owned();
    let store =
        tim_server::store::open(&db, tim_server::config::DEFAULT_SEND_COMMIT_AFTER).expect("open");
    assert!(store.set_revoke_time_limit(APP, 0).expect("set"));
    drop(store);
    let body = |from: &str, to: &str, key: &str| json!({"From_Account": from, "To_Account": to, "MsgKey": key});
    let api = "openim/admin_msgwithdraw";
    for (what, b, code) in [
        (
            "no MsgKey",
            json!({"From_Account": "alice", "To_Account": "bob"}),
            50002,
        ),
        ("bad user ID", body("", "bob", "m1"), 50002),
        ("unknown sender", body("nobody", "bob", "m1"), 50001),
        ("not the sender", body("bob", "alice", "m1"), 2505),
        ("unknown MsgKey", body("alice", "bob", "m9"), 2504),
    ] {
        assert_fail(&call(&srv, api, b).await, code, what);
    }
    assert!(revoked_ids(&bob.messages("C2Calice", 15).await).is_empty());
    alice.assert_no_push().await;

    assert_ok(&call(&srv, api, body("alice", "bob", "m1")).await);
    for (c, conv) in [(&mut alice, "C2Cbob"), (&mut bob, "C2Calice")] {
        let p = c.next_push().await;
        assert_eq!(p["kind"], "messageEdited", "{p}");
        assert!(p["ev"].is_u64(), "{p}");
        assert_eq!(p["value"]["message"]["isRevoked"], true, "{p}");
        assert_eq!(p["value"]["message"]["conversationID"], conv, "{p}");
        assert_eq!(revoked_ids(&c.messages(conv, 15).await), ["m1"]);
    }
    // Again: fine, and nobody hears it twice.
    assert_ok(&call(&srv, api, body("alice", "bob", "m1")).await);
    bob.assert_no_push().await;
    srv.stop().await;
}
