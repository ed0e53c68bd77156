//! Issue 16's message changes, directly on the store, on every engine: revoking and modifying
//! (the sender's, for everyone whose view holds the message) and deleteMessage's hiding (the
//! caller's view only), and how they meet conversation deletion.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use std::sync::Arc;
use tim_proto::model::WireBody;
use tim_proto::Push;
use tim_server::store::{
    ConvRef, DeleteMode, EditOutcome, GroupType, HideOutcome, MessageEdit, NewGroup, NewMessage,
    PageOutcome, Store, StoredMessage, UserEvent,
};

const APP: u64 = 7;
const REVOKE: MessageEdit = MessageEdit::Revoke { time_limited: true };

fn open(db: &TestDb) -> Arc<dyn Store> {
    db.open_with_app(APP)
}

fn send(s: &dyn Store, from: &str, to: &str, id: &str, time: i64) {
    let msg = NewMessage {
        msg_id: id.into(),
        body: WireBody::Text { text: id.into() },
        time,
        need_receipt: false,
    };
    s.send_message(APP, &ConvRef::c2c(from, to), &msg)
        .expect("send");
}

fn edit(s: &dyn Store, by: &str, peer: &str, id: &str, e: &MessageEdit, now: i64) -> EditOutcome {
    s.edit_message(APP, &ConvRef::c2c(by, peer), id, e, now)
        .expect("edit")
}

/// The message as stored and who was told (user, their conversation, the push's kind).
fn edited(outcome: EditOutcome) -> (StoredMessage, Vec<(String, String, &'static str)>) {
    match outcome {
        EditOutcome::Edited { message, events } => (message, told(&events)),
        other => panic!("expected Edited, got {other:?}"),
    }
}

fn told(events: &[UserEvent]) -> Vec<(String, String, &'static str)> {
    events
        .iter()
        .map(|e| match &e.push {
            Push::MessageEdited { message } => (
                e.user_id.clone(),
                message.conversation_id.clone(),
                if message.revoked {
                    "revoked"
                } else {
                    "modified"
                },
            ),
            other => panic!("unexpected push {other:?}"),
        })
        .collect()
}

fn page(s: &dyn Store, owner: &str, peer: &str) -> Vec<StoredMessage> {
    match s
        .messages(APP, &ConvRef::c2c(owner, peer), None, 100)
        .expect("messages")
    {
        PageOutcome::Page(p) => p.messages,
        PageOutcome::UnknownAnchor => panic!("no anchor given"),
    }
}

fn ids(list: &[StoredMessage]) -> Vec<&str> {
    list.iter().map(|m| m.msg_id.as_str()).collect()
}

fn listed(s: &dyn Store, owner: &str) -> Vec<String> {
    s.conversations(APP, owner)
        .expect("list")
        .into_iter()
        .map(|c| c.conversation_id)
        .collect()
}

fn catch_up_kinds(s: &dyn Store, user: &str, after: u64) -> Vec<&'static str> {
    s.catch_up(APP, user, Some(after), 100)
        .expect("catch up")
        .missed
        .iter()
        .map(|e| e.push.kind())
        .collect()
}

fn revoke_is_the_senders_within_the_limit_and_everyone_sees_it(db: TestDb) {
    let s = open(&db);
    send(s.as_ref(), "alice", "bob", "m1", 1000);
    assert_eq!(s.revoke_time_limit(APP).unwrap(), Some(120));
    assert!(matches!(
        edit(s.as_ref(), "bob", "alice", "m1", &REVOKE, 1001),
        EditOutcome::NotSender
    ));
    assert!(matches!(
        edit(s.as_ref(), "alice", "bob", "m1", &REVOKE, 1121),
        EditOutcome::TooLate
    ));
    assert!(matches!(
        edit(s.as_ref(), "alice", "bob", "nope", &REVOKE, 1001),
        EditOutcome::NotFound
    ));
    assert!(
        !page(s.as_ref(), "bob", "alice")[0].revoked,
        "refusals change nothing"
    );
    assert!(s.set_revoke_time_limit(APP, 300).unwrap());
    assert!(!s.set_revoke_time_limit(APP + 1, 300).unwrap());
    assert_eq!(s.revoke_time_limit(APP).unwrap(), Some(300));
    let latest_bob = s.catch_up(APP, "bob", None, 0).unwrap().latest;
    let (message, told) = edited(edit(s.as_ref(), "alice", "bob", "m1", &REVOKE, 1121));
    assert!(message.revoked);
    assert_eq!(
        told,
        vec![
            ("alice".into(), "C2Cbob".into(), "revoked"),
            ("bob".into(), "C2Calice".into(), "revoked"),
        ]
    );
    // Both histories and both last messages say so; the log carries it for a session offline.
    assert!(page(s.as_ref(), "bob", "alice")[0].revoked);
    assert!(page(s.as_ref(), "alice", "bob")[0].revoked);
    let bob_list = s.conversations(APP, "bob").unwrap();
    assert!(bob_list[0].last_message.as_ref().unwrap().revoked);
    assert!(bob_list[0].to_wire().last_message.unwrap().revoked);
    assert_eq!(
        catch_up_kinds(s.as_ref(), "bob", latest_bob),
        ["messageEdited"]
    );
    // Revoking again (a retry) is answered the same and logs nothing more.
    let (again, told) = edited(edit(s.as_ref(), "alice", "bob", "m1", &REVOKE, 5000));
    assert!(again.revoked && told.is_empty());
    // The admin API's revoke has no time limit.
    send(s.as_ref(), "alice", "bob", "m2", 1000);
    let admin = MessageEdit::Revoke {
        time_limited: false,
    };
    assert!(
        edited(edit(s.as_ref(), "alice", "bob", "m2", &admin, 99_999))
            .0
            .revoked
    );
}

fn edits_change_nothing_in_a_view_that_no_longer_holds_the_message(db: TestDb) {
    let s = open(&db);
    send(s.as_ref(), "alice", "bob", "m1", 1000);
    send(s.as_ref(), "alice", "bob", "m2", 1000);
    // Bob deleted the conversation: revoking is fine, tells only Alice, brings nothing back.
    s.delete_conversation(
        APP,
        &ConvRef::c2c("bob", "alice"),
        DeleteMode::ClearHistory,
        1001,
    )
    .unwrap();
    let (_, told) = edited(edit(s.as_ref(), "alice", "bob", "m1", &REVOKE, 1002));
    assert_eq!(told, vec![("alice".into(), "C2Cbob".into(), "revoked")]);
    assert!(listed(s.as_ref(), "bob").is_empty());
    // Alice deleted hers too: her modification of m2 tells nobody, brings nothing back.
    s.delete_conversation(
        APP,
        &ConvRef::c2c("alice", "bob"),
        DeleteMode::ClearHistory,
        1003,
    )
    .unwrap();
    let modify = MessageEdit::Modify(WireBody::Text { text: "new".into() });
    let (_, told) = edited(edit(s.as_ref(), "alice", "bob", "m2", &modify, 1004));
    assert!(told.is_empty());
    assert!(listed(s.as_ref(), "alice").is_empty() && listed(s.as_ref(), "bob").is_empty());
    // A new message brings the conversation back with none of the old state.
    send(s.as_ref(), "alice", "bob", "m3", 1005);
    for (owner, peer) in [("alice", "bob"), ("bob", "alice")] {
        let list = page(s.as_ref(), owner, peer);
        assert_eq!(ids(&list), ["m3"], "{owner}");
        assert!(!list[0].revoked);
    }
    // Deleted without clearing history (the batch form's clearHistoryMessage: false): still
    // not brought back, and not told.
    s.delete_conversation(
        APP,
        &ConvRef::c2c("bob", "alice"),
        DeleteMode::KeepHistory,
        1006,
    )
    .unwrap();
    let (_, told) = edited(edit(s.as_ref(), "alice", "bob", "m3", &REVOKE, 1007));
    assert_eq!(told, vec![("alice".into(), "C2Cbob".into(), "revoked")]);
    assert!(listed(s.as_ref(), "bob").is_empty());
}

fn modify_replaces_the_text_for_everyone(db: TestDb) {
    let s = open(&db);
    send(s.as_ref(), "alice", "bob", "m1", 1000);
    let modify = MessageEdit::Modify(WireBody::Text {
        text: "fixed".into(),
    });
    assert!(matches!(
        edit(s.as_ref(), "bob", "alice", "m1", &modify, 1001),
        EditOutcome::NotSender
    ));
    // No time limit on modifications.
    let (message, told) = edited(edit(s.as_ref(), "alice", "bob", "m1", &modify, 99_999));
    assert_eq!(
        message.body,
        WireBody::Text {
            text: "fixed".into()
        }
    );
    assert_eq!(
        told,
        vec![
            ("alice".into(), "C2Cbob".into(), "modified"),
            ("bob".into(), "C2Calice".into(), "modified"),
        ]
    );
    for (owner, peer) in [("alice", "bob"), ("bob", "alice")] {
        assert_eq!(page(s.as_ref(), owner, peer)[0].body, message.body);
    }
    edited(edit(s.as_ref(), "alice", "bob", "m1", &REVOKE, 1001));
    assert!(matches!(
        edit(s.as_ref(), "alice", "bob", "m1", &modify, 1002),
        EditOutcome::Revoked
    ));
}

fn hiding_is_the_callers_alone_and_all_or_nothing(db: TestDb) {
    let s = open(&db);
    for (i, id) in ["m1", "m2", "m3"].iter().enumerate() {
        send(s.as_ref(), "alice", "bob", id, 1000 + i as i64);
    }
    let bob = ConvRef::c2c("bob", "alice");
    // One unknown ID: nothing is hidden.
    let refused = s
        .hide_messages(APP, &bob, &["m1".into(), "zz".into()])
        .unwrap();
    assert_eq!(refused, HideOutcome::NotFound("zz".into()));
    assert_eq!(ids(&page(s.as_ref(), "bob", "alice")), ["m1", "m2", "m3"]);
    let HideOutcome::Hidden(hidden) = s
        .hide_messages(APP, &bob, &["m1".into(), "m3".into()])
        .unwrap()
    else {
        panic!("expected Hidden");
    };
    assert_eq!(ids(&hidden), ["m1", "m3"]);
    // Hiding again is fine (a retry).
    assert!(matches!(
        s.hide_messages(APP, &bob, &["m3".into()]).unwrap(),
        HideOutcome::Hidden(_)
    ));
    assert_eq!(ids(&page(s.as_ref(), "bob", "alice")), ["m2"]);
    assert_eq!(ids(&page(s.as_ref(), "alice", "bob")), ["m1", "m2", "m3"]);
    // Bob's last message is the newest he did not hide.
    let last = |owner: &str| {
        s.conversations(APP, owner).unwrap()[0]
            .last_message
            .as_ref()
            .map(|m| m.msg_id.clone())
    };
    assert_eq!(last("bob").as_deref(), Some("m2"));
    assert_eq!(last("alice").as_deref(), Some("m3"));
    assert_eq!(
        s.conversation(APP, &bob)
            .unwrap()
            .unwrap()
            .last_message
            .map(|m| m.msg_id)
            .as_deref(),
        Some("m2")
    );
    // A message Bob hid is not his to hear about.
    let (_, told) = edited(edit(s.as_ref(), "alice", "bob", "m1", &REVOKE, 1001));
    assert_eq!(told, vec![("alice".into(), "C2Cbob".into(), "revoked")]);
    // Messages below the watermark are not in the view: refused.
    s.delete_conversation(APP, &bob, DeleteMode::ClearHistory, 1010)
        .unwrap();
    send(s.as_ref(), "alice", "bob", "m4", 1011);
    assert_eq!(
        s.hide_messages(APP, &bob, &["m2".into()]).unwrap(),
        HideOutcome::NotFound("m2".into())
    );
}

fn group_edits_tell_each_member_holding_the_message(db: TestDb) {
    let s = open(&db);
    let group = NewGroup {
        group_id: "g1".into(),
        name: "G".into(),
        kind: GroupType::Public,
        owner: "alice".into(),
        members: vec!["bob".into(), "carol".into()],
    };
    assert!(s.create_group(APP, &group, 10).unwrap().is_ok());
    let msg = NewMessage {
        msg_id: "g-m1".into(),
        body: WireBody::Text { text: "hi".into() },
        time: 1000,
        need_receipt: false,
    };
    s.send_group_message(APP, &ConvRef::group("alice", "g1"), &msg)
        .unwrap()
        .unwrap();
    s.delete_conversation(
        APP,
        &ConvRef::group("carol", "g1"),
        DeleteMode::ClearHistory,
        1001,
    )
    .unwrap();
    let outcome = s
        .edit_message(APP, &ConvRef::group("alice", "g1"), "g-m1", &REVOKE, 1002)
        .unwrap();
    let (_, told) = edited(outcome);
    assert_eq!(
        told,
        vec![
            ("alice".into(), "GROUPg1".into(), "revoked"),
            ("bob".into(), "GROUPg1".into(), "revoked"),
        ]
    );
}

fn marks_below_the_owners_watermark_are_forgotten_and_views_stay(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    for (i, id) in ["m1", "m2", "m3", "m4"].into_iter().enumerate() {
        send(s, "alice", "bob", id, 10 + i as i64);
    }
    let (bob, alice) = (ConvRef::c2c("bob", "alice"), ConvRef::c2c("alice", "bob"));
    let hide = |conv: &ConvRef, ids: &[&str]| {
        let ids: Vec<String> = ids.iter().map(|&i| i.into()).collect();
        assert!(matches!(
            s.hide_messages(APP, conv, &ids).unwrap(),
            HideOutcome::Hidden(_)
        ));
    };
    hide(&bob, &["m1", "m3"]);
    hide(&alice, &["m2"]);
    // Bob deletes the conversation (his watermark passes m1..m4), then a new message comes,
    // which he hides too.
    s.delete_conversation(APP, &bob, DeleteMode::ClearHistory, 20)
        .unwrap();
    send(s, "alice", "bob", "m5", 21);
    send(s, "alice", "bob", "m6", 22);
    hide(&bob, &["m5"]);
    let views = || {
        (
            ids(&page(s, "bob", "alice")).join(","),
            ids(&page(s, "alice", "bob")).join(","),
        )
    };
    let before = views();
    assert_eq!(before, ("m6".into(), "m1,m3,m4,m5,m6".into()));
    assert_eq!(db.count("SELECT COUNT(*) FROM hidden_messages"), 4);

    // Bob's m1 and m3 marks are under his watermark: they go; his m5 mark and alice's m2 mark
    // still matter and stay. Each step looks at a bounded number of marks (2 here) in key
    // order, and a pass looks at each once: alice's m2, bob's m1 | bob's m3, m5 | the end.
    let first = s.trim_hidden(None, 2).unwrap();
    assert_eq!(first.trimmed, 1, "bob's m1 (alice's m2 stays)");
    let after = first.next.expect("more marks to look at");
    assert_eq!((after.owner.as_str(), after.seq), ("bob", 1));
    let second = s.trim_hidden(Some(&after), 2).unwrap();
    assert_eq!(second.trimmed, 1, "bob's m3 (his m5 stays)");
    let after = second.next.expect("a full step: maybe more");
    assert_eq!((after.owner.as_str(), after.seq), ("bob", 5));
    let last = s.trim_hidden(Some(&after), 2).unwrap();
    assert_eq!(
        (last.trimmed, last.next),
        (0, None),
        "nothing after bob's m5"
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM hidden_messages"), 2);
    // A new pass finds nothing more to forget.
    let again = s.trim_hidden(None, 100).unwrap();
    assert_eq!((again.trimmed, again.next), (0, None));
    assert_eq!(views(), before, "nobody's view changed");
}

fn a_trim_pass_looks_at_every_mark_whatever_one_step_looks_at(db: TestDb) {
    let store = open(&db);
    let s = store.as_ref();
    // More marks than one step of the purge's pass looks at (`PURGE_BATCH`).
    let n = tim_server::purge::PURGE_BATCH as usize + 50;
    let ids: Vec<String> = (0..n).map(|i| format!("m{i}")).collect();
    for (i, id) in ids.iter().enumerate() {
        send(s, "alice", "bob", id, 10 + i as i64);
    }
    let bob = ConvRef::c2c("bob", "alice");
    for chunk in ids.chunks(30) {
        let chunk = chunk.to_vec();
        assert!(matches!(
            s.hide_messages(APP, &bob, &chunk).unwrap(),
            HideOutcome::Hidden(_)
        ));
    }
    // Alice's one mark sorts first and stays (her watermark is below it): every later mark is
    // still reached.
    let alice_mark = vec![ids[0].clone()];
    assert!(matches!(
        s.hide_messages(APP, &ConvRef::c2c("alice", "bob"), &alice_mark)
            .unwrap(),
        HideOutcome::Hidden(_)
    ));
    s.delete_conversation(APP, &bob, DeleteMode::ClearHistory, 10_000)
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let gone = rt.block_on(tim_server::purge::trim_hidden_once(&store));
    assert_eq!(gone, n as u64, "every one of bob's marks, over two steps");
    assert_eq!(db.count("SELECT COUNT(*) FROM hidden_messages"), 1);
}

for_each_engine!(
    a_trim_pass_looks_at_every_mark_whatever_one_step_looks_at,
    revoke_is_the_senders_within_the_limit_and_everyone_sees_it,
    edits_change_nothing_in_a_view_that_no_longer_holds_the_message,
    modify_replaces_the_text_for_everyone,
    hiding_is_the_callers_alone_and_all_or_nothing,
    group_edits_tell_each_member_holding_the_message,
    marks_below_the_owners_watermark_are_forgotten_and_views_stay,
);
