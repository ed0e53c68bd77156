//! Group and system conversations over real WebSockets: group messages fanned out to every
//! session of every member with unread counts; deleting `GROUP<id>` for one member only, and
//! the next message bringing it back with only itself; a conversation of a group one left
//! staying as it was and, once deleted, gone for good; the dismissal notice in `@TIM#SYSTEM`,
//! deleting that conversation, and a new notice bringing it back with only itself.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::groups::{
    group_send, group_send_raw, history, list, logins, ok, private_group, push_summaries, pushes,
    snapshot,
};
use common::{assert_error, server};
use serde_json::json;

#[tokio::test]
async fn group_messages_reach_every_session_of_every_member_with_unread_counts() {
    let (_dir, srv) = server(false).await;
    let [mut alice, mut alice2, mut bob, mut bob2, mut carol, mut dave] =
        logins(&srv, ["alice", "alice", "bob", "bob", "carol", "dave"]).await;
    private_group(&mut alice, "g1", &["bob", "carol"]).await;
    for c in [&mut alice, &mut alice2, &mut bob, &mut bob2, &mut carol] {
        pushes(c).await;
    }

    let m1 = group_send(&mut alice, "g1", "m1", "hello").await;
    assert_eq!(
        (&m1["conversationID"], &m1["from"], &m1["to"], &m1["seq"]),
        (&json!("GROUPg1"), &json!("alice"), &json!("g1"), &json!(1))
    );
    assert!(
        pushes(&mut alice).await.is_empty(),
        "not to the sending session"
    );
    for c in [&mut alice2, &mut bob, &mut bob2, &mut carol] {
        let got = pushes(c).await;
        assert_eq!(got.len(), 1);
        assert!(got[0]["ev"].as_u64().is_some(), "logged: {}", got[0]);
        assert_eq!(
            got[0]["value"]["message"], m1,
            "the same message for everyone"
        );
    }
    assert!(pushes(&mut dave).await.is_empty());

    let m2 = group_send(&mut bob, "g1", "m2", "hi all").await;
    assert_eq!(m2["seq"], 2, "one seq per group");
    for c in [&mut alice, &mut alice2, &mut bob2, &mut carol] {
        assert_eq!(push_summaries(c).await, ["GROUPg1 bob: hi all"]);
    }
    assert!(pushes(&mut bob).await.is_empty());

    // Unread: everyone's but the sender's own messages.
    assert_eq!(list(&mut alice).await[0], ("GROUPg1".to_owned(), 1));
    assert_eq!(list(&mut bob).await[0], ("GROUPg1".to_owned(), 1));
    assert_eq!(list(&mut carol).await[0], ("GROUPg1".to_owned(), 2));
    assert!(list(&mut dave).await.is_empty());

    // The entry carries the group, as its owner sees it.
    let c = ok(
        &mut carol,
        "getConversation",
        json!({"conversationID": "GROUPg1"}),
    )
    .await;
    let conv = &c["conversation"];
    assert_eq!(conv["unreadCount"], 2);
    assert_eq!(conv["lastMessage"]["id"], "m2");
    assert_eq!(
        (
            &conv["group"]["groupID"],
            &conv["group"]["name"],
            &conv["group"]["memberCount"],
            &conv["group"]["isMember"]
        ),
        (&json!("g1"), &json!("Team"), &json!(3), &json!(true))
    );
    let listed = carol.conversations().await;
    assert_eq!(listed[0]["group"], conv["group"]);
    assert_eq!(
        history(&carol.messages("GROUPg1", 15).await),
        ["GROUPg1 alice: hello", "GROUPg1 bob: hi all"]
    );

    // A retry is answered with the stored message and pushed to nobody; another sender may not
    // reuse the ID.
    assert_eq!(group_send(&mut alice, "g1", "m1", "hello").await, m1);
    assert_error(&group_send_raw(&mut bob, "g1", "m1", "mine?").await, 2100);
    assert_error(
        &group_send_raw(&mut dave, "g1", "d1", "let me in").await,
        10007,
    );
    for c in [&mut alice2, &mut bob, &mut bob2, &mut carol, &mut dave] {
        assert!(pushes(c).await.is_empty());
    }

    // Reading is per member.
    assert_eq!(carol.mark_read("GROUPg1").await["kind"], "done");
    assert_eq!(list(&mut carol).await[0], ("GROUPg1".to_owned(), 0));
    assert_eq!(list(&mut alice).await[0], ("GROUPg1".to_owned(), 1));
}

#[tokio::test]
async fn a_deleted_group_conversation_is_gone_for_that_member_only_and_comes_back_with_only_new() {
    let (_dir, srv) = server(true).await;
    let [mut alice, mut bob, mut bob2, mut carol] =
        logins(&srv, ["alice", "bob", "bob", "carol"]).await;
    private_group(&mut alice, "g1", &["bob", "carol"]).await;
    group_send(&mut alice, "g1", "m1", "one").await;
    group_send(&mut carol, "g1", "m2", "two").await;
    for c in [&mut alice, &mut bob, &mut bob2, &mut carol] {
        pushes(c).await;
    }
    let alice_before = snapshot(&mut alice, &["g1"]).await;
    let carol_before = snapshot(&mut carol, &["g1"]).await;

    let r = bob.delete("GROUPg1").await;
    assert_eq!(
        r["value"],
        json!({"conversationID": "GROUPg1", "clearedSeq": 2}),
        "{r}"
    );
    assert_eq!(
        push_summaries(&mut bob2).await,
        ["deleted GROUPg1"],
        "sync is on"
    );
    assert!(list(&mut bob).await.iter().all(|(id, _)| id != "GROUPg1"));
    assert!(bob.messages("GROUPg1", 15).await["messages"]
        .as_array()
        .is_some_and(Vec::is_empty));
    assert_error(
        &bob.request(
            "getConversation",
            Some(json!({"conversationID": "GROUPg1"})),
        )
        .await,
        2500,
    );
    assert_error(&bob.delete("GROUPg1").await, 2500);
    // Still a member; the others are untouched.
    assert_eq!(common::groups::group_ids(&mut bob).await, ["g1"]);
    assert_eq!(snapshot(&mut alice, &["g1"]).await, alice_before);
    assert_eq!(snapshot(&mut carol, &["g1"]).await, carol_before);
    assert!(pushes(&mut alice).await.is_empty());
    assert!(pushes(&mut carol).await.is_empty());

    // The next message brings it back holding only itself.
    group_send(&mut carol, "g1", "m3", "three").await;
    for c in [&mut bob, &mut bob2] {
        assert_eq!(push_summaries(c).await, ["GROUPg1 carol: three"]);
    }
    assert_eq!(list(&mut bob).await[0], ("GROUPg1".to_owned(), 1));
    assert_eq!(
        history(&bob.messages("GROUPg1", 15).await),
        ["GROUPg1 carol: three"]
    );
    assert_eq!(
        history(&alice.messages("GROUPg1", 15).await),
        [
            "GROUPg1 alice: one",
            "GROUPg1 carol: two",
            "GROUPg1 carol: three"
        ]
    );

    // The batch form takes group and system conversations too.
    let r = bob
        .delete_batch(&["GROUPg1", "@TIM#SYSTEM", "GROUPnope"], true)
        .await;
    let outcomes: Vec<_> = r["value"]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|o| (o["conversationID"].clone(), o["outcome"].clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (json!("GROUPg1"), json!("deleted")),
            (json!("@TIM#SYSTEM"), json!("deleted")),
            (json!("GROUPnope"), json!("notFound")),
        ]
    );
    assert!(list(&mut bob).await.is_empty());
    assert_eq!(
        push_summaries(&mut bob2).await,
        ["deleted GROUPg1", "deleted @TIM#SYSTEM"]
    );
}

#[tokio::test]
async fn after_quitting_or_removal_the_conversation_stays_as_it_was_and_once_deleted_is_gone() {
    let (_dir, srv) = server(false).await;
    let [mut alice, mut bob, mut carol, mut dave] =
        logins(&srv, ["alice", "bob", "carol", "dave"]).await;
    private_group(&mut alice, "g1", &["bob", "carol", "dave"]).await;
    group_send(&mut alice, "g1", "m1", "one").await;
    ok(&mut carol, "quitGroup", json!({"groupID": "g1"})).await;
    ok(
        &mut alice,
        "deleteGroupMember",
        json!({"groupID": "g1", "userIDList": ["dave"]}),
    )
    .await;
    for c in [&mut bob, &mut carol, &mut dave] {
        pushes(c).await;
    }

    // Tencent keeps a left group's conversation in the list until the user deletes it; nothing
    // sent after leaving reaches it.
    group_send(&mut alice, "g1", "m2", "two").await;
    assert_eq!(push_summaries(&mut bob).await, ["GROUPg1 alice: two"]);
    for c in [&mut carol, &mut dave] {
        assert!(pushes(c).await.is_empty());
        let entry = c
            .conversations()
            .await
            .into_iter()
            .find(|e| e["conversationID"] == "GROUPg1")
            .expect("still listed");
        assert_eq!(entry["lastMessage"]["id"], "m1");
        assert_eq!(entry["unreadCount"], 1);
        assert_eq!(entry["group"]["isMember"], false);
        assert_eq!(
            history(&c.messages("GROUPg1", 15).await),
            ["GROUPg1 alice: one"]
        );
        assert_error(&group_send_raw(c, "g1", "x1", "still here?").await, 10007);
    }

    // Deleting succeeds, and nothing brings it back.
    for c in [&mut carol, &mut dave] {
        assert_eq!(c.delete("GROUPg1").await["kind"], "conversationDeleted");
    }
    group_send(&mut alice, "g1", "m3", "three").await;
    group_send(&mut bob, "g1", "m4", "four").await;
    for c in [&mut carol, &mut dave] {
        assert!(pushes(c).await.is_empty());
        assert!(list(c).await.iter().all(|(id, _)| id != "GROUPg1"));
        assert!(c.messages("GROUPg1", 15).await["messages"]
            .as_array()
            .is_some_and(Vec::is_empty));
    }
    let mut again = srv.login("carol").await;
    assert!(list(&mut again).await.iter().all(|(id, _)| id != "GROUPg1"));

    // Added back, carol sees the group from then on: nothing of what was said meanwhile.
    ok(
        &mut alice,
        "addGroupMember",
        json!({"groupID": "g1", "userIDList": ["carol"]}),
    )
    .await;
    group_send(&mut alice, "g1", "m5", "welcome back").await;
    assert_eq!(
        history(&carol.messages("GROUPg1", 15).await),
        ["GROUPg1 alice: welcome back"]
    );
}

#[tokio::test]
async fn the_dismissal_notice_its_deletion_and_a_new_notice_bringing_it_back() {
    let (_dir, srv) = server(true).await;
    let [mut alice, mut bob, mut bob2, mut carol] =
        logins(&srv, ["alice", "bob", "bob", "carol"]).await;
    private_group(&mut alice, "g1", &["bob"]).await;
    group_send(&mut alice, "g1", "m1", "bye soon").await;
    for c in [&mut bob, &mut bob2] {
        pushes(c).await;
    }
    ok(&mut alice, "dismissGroup", json!({"groupID": "g1"})).await;
    for c in [&mut bob, &mut bob2] {
        assert_eq!(
            push_summaries(c).await,
            ["@TIM#SYSTEM notice 5 g1 by alice", "groupsChanged"]
        );
    }
    let system = ok(
        &mut bob,
        "getConversation",
        json!({"conversationID": "@TIM#SYSTEM"}),
    )
    .await;
    assert_eq!(
        system["conversation"]["unreadCount"], 2,
        "INVITED and DISMISSED"
    );
    assert_eq!(
        history(&bob.messages("@TIM#SYSTEM", 15).await),
        [
            "@TIM#SYSTEM notice 7 g1 by alice",
            "@TIM#SYSTEM notice 5 g1 by alice"
        ]
    );
    // The group's conversation stays, showing the group dismissed.
    let group_conv = ok(
        &mut bob,
        "getConversation",
        json!({"conversationID": "GROUPg1"}),
    )
    .await;
    assert_eq!(group_conv["conversation"]["group"]["dismissed"], true);
    let alice_before = snapshot(&mut alice, &["g1"]).await;

    // Deleting @TIM#SYSTEM deletes bob's notices (a watermark), on his other session too.
    let r = bob.delete("@TIM#SYSTEM").await;
    assert_eq!(r["value"]["clearedSeq"], 2, "{r}");
    assert_eq!(push_summaries(&mut bob2).await, ["deleted @TIM#SYSTEM"]);
    assert_eq!(list(&mut bob).await, [("GROUPg1".to_owned(), 1)]);
    assert!(bob.messages("@TIM#SYSTEM", 15).await["messages"]
        .as_array()
        .is_some_and(Vec::is_empty));
    assert_error(&bob.delete("@TIM#SYSTEM").await, 2500);
    assert_eq!(bob.delete("GROUPg1").await["kind"], "conversationDeleted");
    assert_eq!(push_summaries(&mut bob2).await, ["deleted GROUPg1"]);
    assert!(list(&mut bob).await.is_empty());
    assert_eq!(
        snapshot(&mut alice, &["g1"]).await,
        alice_before,
        "alice's are hers"
    );

    // A new notice brings it back holding only itself.
    private_group(&mut carol, "g2", &["bob"]).await;
    for c in [&mut bob, &mut bob2] {
        assert_eq!(
            push_summaries(c).await,
            ["@TIM#SYSTEM notice 7 g2 by carol", "groupsChanged"]
        );
    }
    assert_eq!(list(&mut bob).await, [("@TIM#SYSTEM".to_owned(), 1)]);
    assert_eq!(
        history(&bob.messages("@TIM#SYSTEM", 15).await),
        ["@TIM#SYSTEM notice 7 g2 by carol"]
    );
    // The dismissed group's conversation never comes back by itself.
    assert_error(
        &group_send_raw(&mut alice, "g1", "m2", "anyone?").await,
        10007,
    );
    assert!(list(&mut bob).await.iter().all(|(id, _)| id != "GROUPg1"));

    // Reading and clearing the system conversation work like any other.
    assert_eq!(bob.mark_read("@TIM#SYSTEM").await["kind"], "done");
    assert_eq!(
        bob.clear_history("@TIM#SYSTEM").await["kind"],
        "historyCleared"
    );
    assert_eq!(list(&mut bob).await, [("@TIM#SYSTEM".to_owned(), 0)]);
}

#[tokio::test]
async fn membership_changes_never_bring_a_deleted_group_conversation_back() {
    let (_dir, srv) = server(false).await;
    let [mut alice, mut bob, mut carol, mut dave] =
        logins(&srv, ["alice", "bob", "carol", "dave"]).await;
    private_group(&mut alice, "g1", &["bob", "carol", "dave"]).await;
    group_send(&mut alice, "g1", "m1", "one").await;
    for c in [&mut bob, &mut carol, &mut dave] {
        assert_eq!(c.delete("GROUPg1").await["kind"], "conversationDeleted");
        pushes(c).await;
    }
    // Only a message brings a conversation back: not another member joining, a removal, a
    // quit or the dismissal.
    ok(
        &mut alice,
        "addGroupMember",
        json!({"groupID": "g1", "userIDList": ["erin"]}),
    )
    .await;
    ok(
        &mut alice,
        "deleteGroupMember",
        json!({"groupID": "g1", "userIDList": ["carol"]}),
    )
    .await;
    ok(&mut dave, "quitGroup", json!({"groupID": "g1"})).await;
    ok(&mut alice, "dismissGroup", json!({"groupID": "g1"})).await;
    for c in [&mut bob, &mut carol, &mut dave] {
        assert!(
            list(c).await.iter().all(|(id, _)| id != "GROUPg1"),
            "still deleted"
        );
        assert!(pushes(c)
            .await
            .iter()
            .all(|p| p["value"]["message"]["conversationID"] != "GROUPg1"));
    }
}
