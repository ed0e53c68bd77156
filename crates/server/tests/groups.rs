//! Group operations over real WebSockets: createGroup, joinGroup, quitGroup, dismissGroup,
//! getGroupList, getGroupProfile, addGroupMember, deleteGroupMember. Each success with the pushes
//! it causes (system notices in `@TIM#SYSTEM`, `groupsChanged` to whoever's group list changed,
//! nothing to the session that asked) and each refusal with its code, having changed nothing.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::groups::{
    create, group_ids, group_send_raw, logins, ok, private_group, push_summaries, pushes, snapshot,
};
use common::{assert_error, Client, TestServer};
use serde_json::{json, Value};

async fn server() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().expect("tempdir");
    let srv = TestServer::start(&dir.path().join("tim.db")).await;
    (dir, srv)
}

/// Sends each request, expects its error code, and proves that none of them changed what any of
/// `watchers` sees or pushed anything to them.
async fn refused_changing_nothing(
    actor: &mut Client,
    watchers: &mut [&mut Client],
    groups: &[&str],
    cases: &[(&str, Value, u32)],
) {
    let mut before = Vec::new();
    for w in watchers.iter_mut() {
        before.push(snapshot(w, groups).await);
    }
    let actor_before = snapshot(actor, groups).await;
    for (op, args, code) in cases {
        let r = actor.request(op, Some(args.clone())).await;
        assert_error(&r, *code);
        assert!(
            r["message"].as_str().is_some_and(|m| m.len() > 10),
            "{op} {args}: the message says why: {r}"
        );
    }
    assert_eq!(snapshot(actor, groups).await, actor_before);
    assert!(pushes(actor).await.is_empty());
    for (w, was) in watchers.iter_mut().zip(before) {
        assert_eq!(snapshot(w, groups).await, was, "nothing changed");
        assert!(pushes(w).await.is_empty(), "nothing pushed");
    }
}

#[tokio::test]
async fn creating_tells_every_member_and_leaves_them_notices() {
    let (_dir, srv) = server().await;
    let [mut alice, mut alice2, mut bob, mut bob2, mut carol, mut dave] =
        logins(&srv, ["alice", "alice", "bob", "bob", "carol", "dave"]).await;

    // The memberList may repeat users and name the creator: each member once.
    let g = private_group(&mut alice, "g1", &["bob", "carol", "bob", "alice"]).await;
    assert_eq!(
        g,
        json!({"groupID": "g1", "name": "Team", "type": "Private", "ownerID": "alice",
               "memberCount": 3, "createTime": g["createTime"], "isMember": true,
               "dismissed": false,
               "profile": ["Owner", "", "", "", "DisableApply", ""]})
    );
    assert!(g["createTime"].as_i64().is_some_and(|t| t > 0));

    // The asking session gets its notice (the reply does not carry it), not groupsChanged.
    assert_eq!(
        push_summaries(&mut alice).await,
        ["@TIM#SYSTEM notice 6 g1 by alice"]
    );
    assert_eq!(
        push_summaries(&mut alice2).await,
        ["@TIM#SYSTEM notice 6 g1 by alice", "groupsChanged"]
    );
    for c in [&mut bob, &mut bob2, &mut carol] {
        assert_eq!(
            push_summaries(c).await,
            ["@TIM#SYSTEM notice 7 g1 by alice", "groupsChanged"]
        );
    }
    assert!(pushes(&mut dave).await.is_empty());

    assert_eq!(group_ids(&mut alice).await, ["g1"]);
    assert_eq!(group_ids(&mut carol).await, ["g1"]);
    assert!(group_ids(&mut dave).await.is_empty());

    // The notice is a message in bob's own @TIM#SYSTEM conversation, unread; the group's
    // conversation enters the list with its first message.
    let list = bob.conversations().await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["conversationID"], "@TIM#SYSTEM");
    assert_eq!(list[0]["unreadCount"], 1);
    let notice = &list[0]["lastMessage"];
    assert_eq!(notice["from"], "@TIM#SYSTEM");
    assert_eq!(notice["to"], "bob");
    assert_eq!(
        notice["body"],
        json!({"type": "groupNotice", "operationType": 7, "groupID": "g1",
               "groupName": "Team", "operatorID": "alice"})
    );
    assert!(list[0].get("group").is_none());

    // Server-made IDs: `@TGS_` and 16 of a-z 0-9; an empty groupID asks for one too.
    let made = create(&mut dave, json!({"name": "Open", "type": "Public"})).await;
    let made2 = create(
        &mut dave,
        json!({"name": "Open", "type": "ChatRoom", "groupID": ""}),
    )
    .await;
    for m in [&made, &made2] {
        let id = m["groupID"].as_str().expect("id");
        let random = id.strip_prefix("@TGS_").expect("server prefix");
        assert_eq!(random.len(), 16, "{id}");
        assert!(random
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        assert_eq!(m["memberCount"], 1);
    }
    assert_ne!(made["groupID"], made2["groupID"]);
    assert_eq!(made2["type"], "ChatRoom");
    let dave_groups = group_ids(&mut dave).await;
    assert_eq!(dave_groups.len(), 2);
    // Their conversation IDs work like any other.
    let id = made["groupID"].as_str().expect("id");
    let sent = common::groups::group_send(&mut dave, id, "m1", "hi").await;
    assert_eq!(sent["conversationID"], format!("GROUP{id}"));
}

#[tokio::test]
async fn create_refusals_change_nothing() {
    let (_dir, srv) = server().await;
    let [mut alice, mut bob] = logins(&srv, ["alice", "bob"]).await;
    private_group(&mut alice, "taken", &["bob"]).await;
    private_group(&mut alice, "gone", &[]).await;
    ok(&mut alice, "dismissGroup", json!({"groupID": "gone"})).await;
    pushes(&mut alice).await;
    pushes(&mut bob).await;

    let make = |id: Value, name: Value, kind: &str, members: Value| json!({"groupID": id, "name": name, "type": kind, "memberList": members});
    let too_many: Vec<String> = (0..501).map(|i| format!("u{i}")).collect();
    let cases = [
        (
            "createGroup",
            make(json!("taken"), json!("X"), "Public", json!([])),
            10021,
        ),
        (
            "createGroup",
            make(json!("gone"), json!("X"), "Public", json!([])),
            10021,
        ),
        (
            "createGroup",
            make(json!("@TGS_mine"), json!("X"), "Public", json!([])),
            10015,
        ),
        (
            "createGroup",
            make(json!("@TGSx"), json!("X"), "Public", json!([])),
            10015,
        ),
        (
            "createGroup",
            make(json!("g".repeat(49)), json!("X"), "Public", json!([])),
            10015,
        ),
        (
            "createGroup",
            make(json!("a\u{1}b"), json!("X"), "Public", json!([])),
            10015,
        ),
        (
            "createGroup",
            make(json!("ok1"), json!("X"), "AVChatRoom", json!([])),
            2100,
        ),
        (
            "createGroup",
            make(json!("ok1"), json!(""), "Public", json!([])),
            2100,
        ),
        (
            "createGroup",
            make(json!("ok1"), json!("x".repeat(31)), "Public", json!([])),
            2100,
        ),
        (
            "createGroup",
            make(json!("ok1"), json!("X"), "Public", json!(["bob", "b\nb"])),
            2100,
        ),
        (
            "createGroup",
            make(json!("ok1"), json!("X"), "Public", json!(too_many)),
            2100,
        ),
    ];
    refused_changing_nothing(
        &mut alice,
        &mut [&mut bob],
        &["taken", "gone", "ok1"],
        &cases,
    )
    .await;
    // 48 bytes is fine.
    let long = "g".repeat(48);
    assert_eq!(
        create(
            &mut alice,
            make(json!(long), json!("X"), "Public", json!([]))
        )
        .await["groupID"],
        long
    );
}

#[tokio::test]
async fn joining_and_quitting() {
    let (_dir, srv) = server().await;
    let [mut alice, mut dave, mut dave2] = logins(&srv, ["alice", "dave", "dave"]).await;
    create(
        &mut alice,
        json!({"groupID": "pub", "name": "Pub", "type": "Public"}),
    )
    .await;
    create(
        &mut alice,
        json!({"groupID": "room", "name": "Room", "type": "ChatRoom"}),
    )
    .await;
    private_group(&mut alice, "work", &[]).await;
    pushes(&mut alice).await;

    // Public and ChatRoom: joined at once.
    let g = ok(&mut dave, "joinGroup", json!({"groupID": "pub"})).await["group"].clone();
    assert_eq!(
        (g["isMember"].clone(), g["memberCount"].clone()),
        (json!(true), json!(2))
    );
    assert_eq!(push_summaries(&mut dave2).await, ["groupsChanged"]);
    assert!(
        pushes(&mut alice).await.is_empty(),
        "alice's groups did not change"
    );
    ok(&mut dave, "joinGroup", json!({"groupID": "room"})).await;
    assert_eq!(group_ids(&mut dave).await, ["pub", "room"]);
    pushes(&mut dave2).await;

    let cases = [
        ("joinGroup", json!({"groupID": "pub"}), 10013),
        ("joinGroup", json!({"groupID": "work"}), 10007),
        ("joinGroup", json!({"groupID": "nope"}), 10010),
        ("joinGroup", json!({"groupID": "a\tb"}), 10015),
        ("quitGroup", json!({"groupID": "work"}), 10007),
        ("quitGroup", json!({"groupID": "nope"}), 10010),
        ("quitGroup", json!({"groupID": "@TIM#SYSTEM"}), 10010),
        ("getGroupProfile", json!({"groupID": "nope"}), 10010),
    ];
    refused_changing_nothing(
        &mut dave,
        &mut [&mut alice, &mut dave2],
        &["pub", "room", "work"],
        &cases,
    )
    .await;
    let why = dave
        .request("joinGroup", Some(json!({"groupID": "work"})))
        .await;
    assert!(
        why["message"]
            .as_str()
            .is_some_and(|m| m.contains("addGroupMember")),
        "{why}"
    );
    let why = dave
        .request("quitGroup", Some(json!({"groupID": "work"})))
        .await;
    assert!(
        why["message"]
            .as_str()
            .is_some_and(|m| m.contains("not a member")),
        "{why}"
    );
    refused_changing_nothing(
        &mut alice,
        &mut [&mut dave],
        &["pub"],
        &[("quitGroup", json!({"groupID": "pub"}), 10009)],
    )
    .await;

    // Quitting: the quitter's other sessions hear of it, and a QUIT notice arrives.
    let r = dave
        .request("quitGroup", Some(json!({"groupID": "pub"})))
        .await;
    assert_eq!(r["kind"], "done", "{r}");
    assert_eq!(
        push_summaries(&mut dave).await,
        ["@TIM#SYSTEM notice 8 pub by dave"]
    );
    assert_eq!(
        push_summaries(&mut dave2).await,
        ["@TIM#SYSTEM notice 8 pub by dave", "groupsChanged"]
    );
    assert!(pushes(&mut alice).await.is_empty());
    assert_eq!(group_ids(&mut dave).await, ["room"]);
    let p = ok(&mut dave, "getGroupProfile", json!({"groupID": "pub"})).await["group"].clone();
    assert_eq!(
        (p["isMember"].clone(), p["memberCount"].clone()),
        (json!(false), json!(1))
    );
    assert_error(
        &dave
            .request("quitGroup", Some(json!({"groupID": "pub"})))
            .await,
        10007,
    );
    // ... and may come back.
    ok(&mut dave, "joinGroup", json!({"groupID": "pub"})).await;
    let mut back = group_ids(&mut dave).await;
    back.sort();
    assert_eq!(back, ["pub", "room"]);
}

#[tokio::test]
async fn adding_and_removing_follow_the_group_type() {
    let (_dir, srv) = server().await;
    let [mut alice, mut bob, mut carol, mut dave] =
        logins(&srv, ["alice", "bob", "carol", "dave"]).await;
    private_group(&mut alice, "work", &["bob"]).await;
    create(
        &mut alice,
        json!({"groupID": "pub", "name": "Pub", "type": "Public", "memberList": ["bob"]}),
    )
    .await;
    for c in [&mut alice, &mut bob] {
        pushes(c).await;
    }

    // Private (Work): any member adds. Invalid IDs fail, members are reported as existing.
    let r = ok(
        &mut bob,
        "addGroupMember",
        json!({"groupID": "work", "userIDList": ["carol", "bad\u{7f}id", "alice", "carol"]}),
    )
    .await;
    assert_eq!(r["successUserIDList"], json!(["carol"]));
    assert_eq!(r["failureUserIDList"], json!(["bad\u{7f}id"]));
    assert_eq!(r["existedUserIDList"], json!(["alice"]));
    assert_eq!(r["group"]["memberCount"], 3);
    assert_eq!(
        push_summaries(&mut carol).await,
        ["@TIM#SYSTEM notice 7 work by bob", "groupsChanged"]
    );
    assert!(pushes(&mut alice).await.is_empty());
    // A user who never logged in can be added (as with C2C messages).
    let r = ok(
        &mut alice,
        "addGroupMember",
        json!({"groupID": "work", "userIDList": ["newcomer"]}),
    )
    .await;
    assert_eq!(r["successUserIDList"], json!(["newcomer"]));
    let mut newcomer = srv.login("newcomer").await;
    assert_eq!(group_ids(&mut newcomer).await, ["work"]);
    assert_eq!(
        common::groups::history(&newcomer.messages("@TIM#SYSTEM", 10).await),
        ["@TIM#SYSTEM notice 7 work by alice"]
    );

    let cases = [
        // dave is not a member of work; in pub only the owner adds.
        (
            "addGroupMember",
            json!({"groupID": "work", "userIDList": ["dave"]}),
            10007,
        ),
        (
            "addGroupMember",
            json!({"groupID": "nope", "userIDList": ["dave"]}),
            10010,
        ),
        (
            "addGroupMember",
            json!({"groupID": "work", "userIDList": []}),
            2100,
        ),
        (
            "deleteGroupMember",
            json!({"groupID": "work", "userIDList": ["bob"]}),
            10007,
        ),
        (
            "deleteGroupMember",
            json!({"groupID": "nope", "userIDList": ["bob"]}),
            10010,
        ),
    ];
    refused_changing_nothing(
        &mut dave,
        &mut [&mut alice, &mut bob],
        &["work", "pub"],
        &cases,
    )
    .await;
    let too_many: Vec<String> = (0..501).map(|i| format!("u{i}")).collect();
    let cases = [
        (
            "addGroupMember",
            json!({"groupID": "pub", "userIDList": ["dave"]}),
            10007,
        ),
        (
            "deleteGroupMember",
            json!({"groupID": "work", "userIDList": ["carol"]}),
            10007,
        ),
        (
            "addGroupMember",
            json!({"groupID": "work", "userIDList": too_many}),
            2100,
        ),
    ];
    refused_changing_nothing(
        &mut bob,
        &mut [&mut alice, &mut carol, &mut dave],
        &["work", "pub"],
        &cases,
    )
    .await;
    let r = ok(
        &mut alice,
        "addGroupMember",
        json!({"groupID": "pub", "userIDList": ["dave"]}),
    )
    .await;
    assert_eq!(r["successUserIDList"], json!(["dave"]));
    pushes(&mut dave).await;

    // Only the owner removes; the owner and non-members cannot be removed.
    let r = ok(
        &mut alice,
        "deleteGroupMember",
        json!({"groupID": "work", "userIDList": ["carol", "dave", "alice", "bad\u{7f}id"]}),
    )
    .await;
    assert_eq!(r["successUserIDList"], json!(["carol"]));
    assert_eq!(
        r["failureUserIDList"],
        json!(["bad\u{7f}id", "dave", "alice"])
    );
    assert_eq!(r["existedUserIDList"], json!([]));
    assert_eq!(r["group"]["memberCount"], 3);
    assert_eq!(
        push_summaries(&mut carol).await,
        ["@TIM#SYSTEM notice 4 work by alice", "groupsChanged"]
    );
    assert!(group_ids(&mut carol).await.is_empty());
    assert_error(
        &group_send_raw(&mut carol, "work", "c1", "hi?").await,
        10007,
    );
    assert!(pushes(&mut bob).await.is_empty());
}

#[tokio::test]
async fn dismissing() {
    let (_dir, srv) = server().await;
    let [mut alice, mut alice2, mut bob, mut dave] =
        logins(&srv, ["alice", "alice", "bob", "dave"]).await;
    private_group(&mut alice, "g1", &["bob"]).await;
    for c in [&mut alice, &mut alice2, &mut bob] {
        pushes(c).await;
    }
    refused_changing_nothing(
        &mut bob,
        &mut [&mut alice, &mut dave],
        &["g1"],
        &[
            ("dismissGroup", json!({"groupID": "g1"}), 10007),
            ("dismissGroup", json!({"groupID": "nope"}), 10010),
        ],
    )
    .await;
    refused_changing_nothing(
        &mut dave,
        &mut [&mut alice, &mut bob],
        &["g1"],
        &[("dismissGroup", json!({"groupID": "g1"}), 10007)],
    )
    .await;

    let r = alice
        .request("dismissGroup", Some(json!({"groupID": "g1"})))
        .await;
    assert_eq!(r["kind"], "done", "{r}");
    assert_eq!(
        push_summaries(&mut alice).await,
        ["@TIM#SYSTEM notice 5 g1 by alice"]
    );
    for c in [&mut alice2, &mut bob] {
        assert_eq!(
            push_summaries(c).await,
            ["@TIM#SYSTEM notice 5 g1 by alice", "groupsChanged"]
        );
    }
    assert!(pushes(&mut dave).await.is_empty());
    assert!(group_ids(&mut alice).await.is_empty());
    assert!(group_ids(&mut bob).await.is_empty());

    // Who was a member still sees what became of it; to anyone else it is gone.
    let p = ok(&mut bob, "getGroupProfile", json!({"groupID": "g1"})).await["group"].clone();
    assert_eq!(
        (p["dismissed"].clone(), p["isMember"].clone()),
        (json!(true), json!(false))
    );
    let cases = [
        ("dismissGroup", json!({"groupID": "g1"}), 10010),
        ("quitGroup", json!({"groupID": "g1"}), 10010),
        (
            "addGroupMember",
            json!({"groupID": "g1", "userIDList": ["dave"]}),
            10010,
        ),
        (
            "deleteGroupMember",
            json!({"groupID": "g1", "userIDList": ["bob"]}),
            10010,
        ),
        (
            "createGroup",
            json!({"groupID": "g1", "name": "Again", "type": "Private"}),
            10021,
        ),
    ];
    refused_changing_nothing(&mut alice, &mut [&mut bob, &mut dave], &["g1"], &cases).await;
    let cases = [
        ("getGroupProfile", json!({"groupID": "g1"}), 10010),
        ("joinGroup", json!({"groupID": "g1"}), 10010),
    ];
    refused_changing_nothing(&mut dave, &mut [&mut alice, &mut bob], &[], &cases).await;
    assert_error(
        &group_send_raw(&mut bob, "g1", "b1", "anyone?").await,
        10007,
    );
}
