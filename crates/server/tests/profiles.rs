//! Profiles and the blacklist over the real WebSocket and the admin REST API (profile/
//! portrait_get, portrait_set, sns/black_list_add, black_list_delete, black_list_get), against
//! an in-process server.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::http::post;
use common::{assert_error, texts, TestServer, APP};
use serde_json::{json, Value};

async fn server() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().expect("tempdir");
    let srv = TestServer::start_without_demo(&dir.path().join("tim.db")).await;
    (dir, srv)
}

async fn call(srv: &TestServer, api: &str, body: Value) -> Value {
    let query = format!(
        "sdkappid={APP}&identifier=administrator&usersig={}&random=1&contenttype=json",
        srv.admin_sig()
    );
    let r = post(srv.addr, &format!("/v4/{api}?{query}"), &body.to_string()).await;
    assert_eq!(r.status, 200, "{api}: {}", r.body);
    r.json()
}

/// A `profiles` reply's or `profileUpdated` push's value: JSON text, parsed.
fn parsed(text: &Value) -> Value {
    serde_json::from_str(text.as_str().expect("JSON text")).expect("JSON")
}

/// `updateMyProfile`'s args: the fields as the app gave them (the SDK passes them through).
fn update(fields: Value) -> Option<Value> {
    Some(fields)
}

fn assert_ok(v: &Value) {
    assert_eq!(
        (&v["ActionStatus"], &v["ErrorCode"]),
        (&json!("OK"), &json!(0)),
        "{v}"
    );
}

fn assert_fail(v: &Value, code: u32) {
    assert_eq!(v["ActionStatus"], "FAIL", "{v}");
    assert_eq!(v["ErrorCode"], code, "{v}");
    assert!(
        v["ErrorInfo"].as_str().is_some_and(|i| !i.is_empty()),
        "{v}"
    );
}

#[tokio::test]
async fn a_profile_update_reaches_every_session_and_later_messages_and_lists() {
    let (_dir, srv) = server().await;
    let mut tab1 = srv.login("alice").await;
    let mut tab2 = srv.login("alice").await;
    let mut bob = srv.login("bob").await;

    let mine = tab1.request("getMyProfile", None).await;
    assert_eq!(mine["kind"], "data", "{mine}");
    let mine = parsed(&mine["value"]);
    assert_eq!(mine["userID"], "alice");
    assert_eq!(mine["nick"], "");
    assert_eq!(mine["allowType"], "AllowType_Type_NeedConfirm");

    let before = bob.send("alice", "m1", "before").await;
    tab1.next_push().await;
    tab2.next_push().await;
    assert!(before.get("nick").is_none(), "no nick yet: {before}");

    let updated = tab1
        .request(
            "updateMyProfile",
            update(
                json!({"nick": "Al", "avatar": "https://a/x.png", "gender": "Gender_Type_Female"}),
            ),
        )
        .await;
    assert_eq!(updated["kind"], "data", "{updated}");
    let profile = parsed(&updated["value"]);
    assert_eq!(
        (&profile["nick"], &profile["gender"]),
        (&json!("Al"), &json!("Gender_Type_Female"))
    );
    for tab in [&mut tab1, &mut tab2] {
        let p = tab.next_push().await;
        assert_eq!(p["kind"], "profileUpdated", "{p}");
        assert!(p["ev"].is_u64(), "logged: {p}");
        assert_eq!(parsed(&p["value"]), profile);
    }
    bob.assert_no_push().await;

    // A message sent now carries the new nick and avatar; bob's list shows them.
    let sent = tab2.send("bob", "m2", "after").await;
    assert_eq!(
        (&sent["nick"], &sent["avatar"]),
        (&json!("Al"), &json!("https://a/x.png"))
    );
    let pushed = bob.next_push().await;
    assert_eq!(pushed["value"]["message"]["nick"], "Al", "{pushed}");
    tab1.next_push().await;
    let list = bob.conversations().await;
    assert_eq!(
        (&list[0]["peerNick"], &list[0]["peerAvatar"]),
        (&json!("Al"), &json!("https://a/x.png"))
    );
    let one = bob
        .request(
            "getConversation",
            Some(json!({"conversationID": "C2Calice"})),
        )
        .await;
    assert_eq!(one["value"]["conversation"]["peerNick"], "Al", "{one}");
    let history = bob.messages("C2Calice", 15).await;
    assert_eq!(texts(&history), ["before", "after"]);
    assert_eq!(history["messages"][1]["nick"], "Al");

    // getUserProfile: known users in order, unknown ones left out.
    let found = bob
        .request(
            "getUserProfile",
            Some(json!({"userIDList": ["alice", "ghost", "bob"]})),
        )
        .await;
    let found = parsed(&found["value"]);
    let ids: Vec<&str> = found
        .as_array()
        .expect("profiles")
        .iter()
        .map(|p| p["userID"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ids, ["alice", "bob"]);

    // Bad values are refused with Tencent's codes and change nothing.
    for (bad, code) in [
        (json!({"nick": "x".repeat(501)}), 2721),
        (json!({"gender": "male"}), 2721),
        (json!({"location": "x".repeat(17)}), 2721),
        (json!({}), 2722),
    ] {
        let r = tab1.request("updateMyProfile", update(bad.clone())).await;
        assert_error(&r, code);
    }
    let r = tab1
        .request("updateMyProfile", update(json!({"level": -1})))
        .await;
    assert_error(&r, 2721);
    tab2.assert_no_push().await;
    let again = tab2.request("getMyProfile", None).await;
    assert_eq!(parsed(&again["value"]), profile, "nothing changed");
    let not_an_object = tab1.request("updateMyProfile", Some(json!("nick"))).await;
    assert_error(&not_an_object, 2721);

    // A session that was away catches up on the update exactly once.
    let (mut back, login) = srv.login_resume("alice", 0).await;
    let kinds: Vec<&str> = login["missed"]
        .as_array()
        .expect("missed")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "profileUpdated").count(),
        1,
        "{kinds:?}"
    );
    back.assert_no_push().await;
    srv.stop().await;
}

#[tokio::test]
async fn a_blacklisted_sender_is_refused_with_20007_and_nothing_is_stored() {
    let (_dir, srv) = server().await;
    let mut alice = srv.login("alice").await;
    let mut alice2 = srv.login("alice").await;
    let mut bob = srv.login("bob").await;

    // Options of the wrong shape (the SDK passes them through unchecked) get each call's code.
    for (op, options, code) in [
        ("addToBlacklist", json!({"userIDList": [1]}), 2740),
        ("removeFromBlacklist", json!("bob"), 2741),
        ("getUserProfile", json!({"userIDList": "bob"}), 2100),
    ] {
        assert_error(&alice.request(op, Some(options)).await, code);
    }
    alice.assert_no_push().await;
    let added = alice
        .request(
            "addToBlacklist",
            Some(json!({"userIDList": ["bob", "carol"]})),
        )
        .await;
    assert_eq!(added["kind"], "data", "{added}");
    assert_eq!(parsed(&added["value"]), json!(["bob", "carol"]));
    for tab in [&mut alice, &mut alice2] {
        let p = tab.next_push().await;
        assert_eq!(p["kind"], "blacklistUpdated", "{p}");
        assert_eq!(p["value"], json!(["bob", "carol"]));
    }
    let got = alice2.request("getBlacklist", None).await;
    assert_eq!(parsed(&got["value"]), json!(["bob", "carol"]));

    let refused = bob
        .request(
            "sendMessage",
            Some(json!({"conversationID": "C2Calice", "ID": "x1", "body": {"type": "text", "text": "hi"}})),
        )
        .await;
    assert_error(&refused, 20007);
    alice.assert_no_push().await;
    assert!(alice.conversations().await.is_empty());
    assert!(
        bob.conversations().await.is_empty(),
        "not even the sender's"
    );

    // The blacklister still reaches them.
    alice.send("bob", "a1", "still mine").await;
    assert_eq!(bob.next_push().await["kind"], "message");
    alice2.next_push().await;

    for (args, code) in [
        (json!({"userIDList": []}), 2740),
        (json!({"userIDList": ["alice"]}), 2742),
        (json!({"userIDList": [""]}), 2740),
    ] {
        assert_error(&alice.request("addToBlacklist", Some(args)).await, code);
    }
    assert_error(
        &alice
            .request("removeFromBlacklist", Some(json!({"userIDList": []})))
            .await,
        2741,
    );

    let removed = alice
        .request(
            "removeFromBlacklist",
            Some(json!({"userIDList": ["bob", "zed"]})),
        )
        .await;
    assert_eq!(parsed(&removed["value"]), json!(["bob"]));
    assert_eq!(alice2.next_push().await["value"], json!(["carol"]));
    alice.next_push().await;
    bob.send("alice", "x1", "back").await;
    assert_eq!(
        texts(&alice.messages("C2Cbob", 15).await),
        ["still mine", "back"]
    );
    srv.stop().await;
}

#[tokio::test]
async fn portrait_set_and_get_use_tencents_tags_and_codes() {
    let (_dir, srv) = server().await;
    let mut alice = srv.login("alice").await;
    srv.login("bob").await;

    let set = call(
        &srv,
        "profile/portrait_set",
        json!({"From_Account": "alice", "ProfileItem": [
            {"Tag": "Tag_Profile_IM_Nick", "Value": "Alice"},
            {"Tag": "Tag_Profile_IM_Image", "Value": "https://a/1.png"},
            {"Tag": "Tag_Profile_IM_Level", "Value": 5},
        ]}),
    )
    .await;
    assert_ok(&set);
    let p = alice.next_push().await;
    assert_eq!(p["kind"], "profileUpdated", "{p}");
    assert_eq!(parsed(&p["value"])["nick"], "Alice");

    let got = call(
        &srv,
        "profile/portrait_get",
        json!({"To_Account": ["alice", "ghost", "bob"],
               "TagList": ["Tag_Profile_IM_Nick", "Tag_Profile_IM_Image", "Tag_Profile_IM_Level",
                           "Tag_Profile_IM_Gender"]}),
    )
    .await;
    assert_ok(&got);
    let items = got["UserProfileItem"].as_array().expect("items");
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["To_Account"], "alice");
    assert_eq!(items[0]["ResultCode"], 0);
    assert_eq!(
        items[0]["ProfileItem"],
        json!([
            {"Tag": "Tag_Profile_IM_Nick", "Value": "Alice"},
            {"Tag": "Tag_Profile_IM_Image", "Value": "https://a/1.png"},
            {"Tag": "Tag_Profile_IM_Level", "Value": 5},
            {"Tag": "Tag_Profile_IM_Gender", "Value": "Gender_Type_Unknown"},
        ])
    );
    assert_eq!(items[1]["ResultCode"], 40003);
    assert_eq!(got["Fail_Account"], json!(["ghost"]));
    assert_eq!(items[2]["ProfileItem"][0]["Value"], "");

    // Refusals change nothing and push nothing.
    for body in [
        json!({"From_Account": "alice", "ProfileItem": [{"Tag": "Tag_Profile_Custom_X", "Value": "x"}]}),
        json!({"From_Account": "alice", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": 3}]}),
        json!({"From_Account": "alice", "ProfileItem": [{"Tag": "Tag_Profile_IM_Gender", "Value": "x"}]}),
        json!({"From_Account": "alice", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "x".repeat(501)}]}),
        json!({"From_Account": "alice", "ProfileItem": []}),
    ] {
        assert_fail(&call(&srv, "profile/portrait_set", body).await, 40001);
    }
    assert_fail(
        &call(
            &srv,
            "profile/portrait_set",
            json!({"From_Account": "ghost", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "G"}]}),
        )
        .await,
        40003,
    );
    assert_fail(
        &call(&srv, "profile/portrait_set", json!({"ProfileItem": []})).await,
        50002,
    );
    let many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    assert_fail(
        &call(
            &srv,
            "profile/portrait_get",
            json!({"To_Account": many, "TagList": ["Tag_Profile_IM_Nick"]}),
        )
        .await,
        40001,
    );
    alice.assert_no_push().await;
    let mine = alice.request("getMyProfile", None).await;
    assert_eq!(parsed(&mine["value"])["nick"], "Alice", "nothing changed");
    srv.stop().await;
}

#[tokio::test]
async fn black_list_add_delete_and_get_by_rest() {
    let (_dir, srv) = server().await;
    let mut alice = srv.login("alice").await;
    let mut bob = srv.login("bob").await;

    let added = call(
        &srv,
        "sns/black_list_add",
        json!({"From_Account": "alice", "To_Account": ["bob", "carol", "alice", "bob"]}),
    )
    .await;
    assert_ok(&added);
    let codes: Vec<(String, u64)> = added["ResultItem"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["To_Account"].as_str().unwrap_or_default().to_owned(),
                i["ResultCode"].as_u64().unwrap_or(9),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("bob".into(), 0),
            ("carol".into(), 0),
            ("alice".into(), 30001),
            ("bob".into(), 30001)
        ]
    );
    assert_eq!(added["Fail_Account"], json!(["alice", "bob"]));
    let p = alice.next_push().await;
    assert_eq!(p["value"], json!(["bob", "carol"]), "{p}");

    let again = call(
        &srv,
        "sns/black_list_add",
        json!({"From_Account": "alice", "To_Account": ["bob"]}),
    )
    .await;
    assert_eq!(again["ResultItem"][0]["ResultCode"], 30001);
    alice.assert_no_push().await;

    let r = bob
        .request(
            "sendMessage",
            Some(json!({"conversationID": "C2Calice", "ID": "x", "body": {"type": "text", "text": "hi"}})),
        )
        .await;
    assert_error(&r, 20007);

    let page = call(
        &srv,
        "sns/black_list_get",
        json!({"From_Account": "alice", "StartIndex": 0, "MaxLimited": 1, "LastSequence": 0}),
    )
    .await;
    assert_ok(&page);
    assert_eq!(page["BlackListItem"][0]["To_Account"], "bob");
    assert!(page["BlackListItem"][0]["AddBlackTimeStamp"]
        .as_i64()
        .is_some_and(|t| t > 0));
    assert_eq!(page["StartIndex"], 1);
    let rest = call(
        &srv,
        "sns/black_list_get",
        json!({"From_Account": "alice", "StartIndex": 1, "MaxLimited": 30, "LastSequence": 0}),
    )
    .await;
    assert_eq!(rest["BlackListItem"].as_array().map(Vec::len), Some(1));
    assert_eq!(rest["BlackListItem"][0]["To_Account"], "carol");
    assert_eq!(rest["StartIndex"], 0, "the last page");

    let deleted = call(
        &srv,
        "sns/black_list_delete",
        json!({"From_Account": "alice", "To_Account": ["bob", "dan"]}),
    )
    .await;
    assert_ok(&deleted);
    assert_eq!(deleted["ResultItem"][0]["ResultCode"], 0);
    assert_eq!(deleted["ResultItem"][1]["ResultCode"], 30001);
    assert_eq!(deleted["Fail_Account"], json!(["dan"]));
    assert_eq!(alice.next_push().await["value"], json!(["carol"]));
    bob.send("alice", "x", "through").await;

    for (api, body, code) in [
        (
            "sns/black_list_add",
            json!({"From_Account": "ghost", "To_Account": ["bob"]}),
            50001,
        ),
        (
            "sns/black_list_add",
            json!({"From_Account": "alice", "To_Account": []}),
            50002,
        ),
        (
            "sns/black_list_delete",
            json!({"From_Account": "alice"}),
            50002,
        ),
        (
            "sns/black_list_get",
            json!({"From_Account": "alice", "StartIndex": 0, "MaxLimited": 0}),
            50002,
        ),
        (
            "sns/black_list_get",
            json!({"From_Account": "ghost", "StartIndex": 0, "MaxLimited": 5}),
            50001,
        ),
    ] {
        assert_fail(&call(&srv, api, body).await, code);
    }
    srv.stop().await;
}
