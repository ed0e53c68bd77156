//! Per-user conversation settings of issue 16, directly on the store and on every engine:
//! pinned conversations (first in the list, at most 50, unpinned by a deletion, logged for
//! the user's sessions); setMessageRemindType's settings (only non-default ones stored, kept
//! through a deletion, each change logged once).

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use std::sync::Arc;
use tim_proto::limits::MAX_PINNED_CONVERSATIONS;
use tim_proto::model::WireBody;
use tim_proto::Push;
use tim_server::store::{
    ConvRef, DeleteMode, DeleteOutcome, NewMessage, PinOutcome, SendOutcome, Store,
};

const APP: u64 = 7;

fn open(db: &TestDb) -> Arc<dyn Store> {
    db.open_with_app(APP)
}

fn send(store: &dyn Store, from: &str, to: &str, id: &str, time: i64) {
    let msg = NewMessage {
        msg_id: id.into(),
        body: WireBody::Text { text: id.into() },
        time,
        need_receipt: false,
    };
    let outcome = store
        .send_message(APP, &ConvRef::c2c(from, to), &msg)
        .expect("send");
    assert!(matches!(outcome, SendOutcome::Stored { .. }), "{outcome:?}");
}

fn pin(store: &dyn Store, owner: &str, peer: &str, pinned: bool) -> PinOutcome {
    store
        .pin_conversation(APP, &ConvRef::c2c(owner, peer), pinned, 50)
        .expect("pin")
}

/// The owner's list: (conversation ID, pinned), in list order.
fn list(store: &dyn Store, owner: &str) -> Vec<(String, bool)> {
    store
        .conversations(APP, owner)
        .expect("list")
        .into_iter()
        .map(|c| (c.conversation_id, c.pinned))
        .collect()
}

fn entry(id: &str, pinned: bool) -> (String, bool) {
    (id.to_owned(), pinned)
}

fn pinned_conversations_come_first_and_a_deletion_unpins(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    send(s, "bob", "alice", "b1", 10);
    send(s, "carol", "alice", "c1", 11);
    send(s, "dan", "alice", "d1", 12);
    assert_eq!(
        list(s, "alice"),
        [
            entry("C2Cdan", false),
            entry("C2Ccarol", false),
            entry("C2Cbob", false)
        ]
    );

    let mut outcome = pin(s, "alice", "bob", true);
    let events = outcome.take_events();
    assert_eq!(events.len(), 1, "logged for alice");
    assert_eq!(events[0].user_id, "alice");
    assert_eq!(events[0].push, Push::pin_change("C2Cbob".into(), true));
    assert_eq!(
        list(s, "alice"),
        [
            entry("C2Cbob", true),
            entry("C2Cdan", false),
            entry("C2Ccarol", false)
        ],
        "pinned first, then by recency"
    );
    assert!(
        list(s, "bob").iter().all(|(_, p)| !p),
        "the peer's list is theirs"
    );
    let view = s
        .conversation(APP, &ConvRef::c2c("alice", "bob"))
        .expect("one")
        .expect("listed");
    assert!(view.pinned && view.to_wire().pinned);

    assert_eq!(
        pin(s, "alice", "bob", true),
        PinOutcome::Done { event: None },
        "pinning a pinned one changes and logs nothing"
    );
    assert_eq!(
        pin(s, "alice", "erin", true),
        PinOutcome::NotFound,
        "never seen"
    );

    // A deletion unpins; a new message brings the conversation back unpinned.
    let deleted = s
        .delete_conversation(
            APP,
            &ConvRef::c2c("alice", "bob"),
            DeleteMode::ClearHistory,
            60,
        )
        .expect("delete");
    let mut deleted = deleted;
    assert!(matches!(deleted, DeleteOutcome::Deleted { .. }));
    let logged: Vec<Push> = deleted.take_events().into_iter().map(|e| e.push).collect();
    assert_eq!(
        logged,
        [Push::pin_change("C2Cbob".into(), false)],
        "the unpinning is logged (sync off: the deletion itself is not)"
    );
    assert_eq!(pin(s, "alice", "bob", false), PinOutcome::NotFound);
    send(s, "bob", "alice", "b2", 70);
    assert_eq!(
        list(s, "alice"),
        [
            entry("C2Cbob", false),
            entry("C2Cdan", false),
            entry("C2Ccarol", false)
        ]
    );

    // Unpinning logs the change too.
    pin(s, "alice", "carol", true);
    assert_eq!(list(s, "alice")[0], entry("C2Ccarol", true));
    let mut outcome = pin(s, "alice", "carol", false);
    assert_eq!(
        outcome.take_events()[0].push,
        Push::pin_change("C2Ccarol".into(), false)
    );
    assert!(list(s, "alice").iter().all(|(_, p)| !p));
}

fn at_most_fifty_are_pinned(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    let n = MAX_PINNED_CONVERSATIONS + 1;
    for i in 0..n {
        send(s, &format!("u{i}"), "alice", &format!("m{i}"), 10);
    }
    for i in 0..MAX_PINNED_CONVERSATIONS {
        assert!(matches!(
            pin(s, "alice", &format!("u{i}"), true),
            PinOutcome::Done { event: Some(_) }
        ));
    }
    let last = format!("u{}", n - 1);
    assert_eq!(pin(s, "alice", &last, true), PinOutcome::TooMany);
    assert!(!list(s, "alice")
        .iter()
        .any(|(id, p)| *p && id.ends_with(&last)));
    // Unpinning one (or deleting one) makes room.
    pin(s, "alice", "u0", false);
    assert!(matches!(
        pin(s, "alice", &last, true),
        PinOutcome::Done { .. }
    ));
    assert_eq!(pin(s, "alice", "u0", true), PinOutcome::TooMany);
    s.delete_conversation(
        APP,
        &ConvRef::c2c("alice", "u1"),
        DeleteMode::ClearHistory,
        20,
    )
    .expect("delete");
    assert!(matches!(
        pin(s, "alice", "u0", true),
        PinOutcome::Done { .. }
    ));
    let pinned = list(s, "alice").iter().filter(|(_, p)| *p).count();
    assert_eq!(pinned, MAX_PINNED_CONVERSATIONS);
}

fn set_remind(store: &dyn Store, owner: &str, ids: &[&str], kind: &str) -> Option<Push> {
    let ids: Vec<String> = ids.iter().map(|&i| i.to_owned()).collect();
    store
        .set_remind_type(APP, owner, &ids, kind, 80)
        .expect("set remind type")
        .map(|e| {
            assert_eq!(e.user_id, owner);
            e.push
        })
}

fn reminds(store: &dyn Store, owner: &str) -> Vec<(String, String)> {
    let mut all = store.remind_types(APP, owner).expect("remind types");
    all.sort();
    all
}

fn remind_types_are_stored_apart_from_the_list_and_logged_when_changed(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    send(s, "bob", "alice", "b1", 10);
    assert_eq!(reminds(s, "alice"), []);

    // Muting two peers, one never talked to: both stored, one push naming both.
    assert_eq!(
        set_remind(s, "alice", &["C2Cbob", "C2Cerin"], "AcceptNotNotify"),
        Some(Push::MessageRemindType(vec![
            "AcceptNotNotify".into(),
            "C2Cbob".into(),
            "C2Cerin".into()
        ]))
    );
    let muted = |id: &str| (id.to_owned(), "AcceptNotNotify".to_owned());
    assert_eq!(reminds(s, "alice"), [muted("C2Cbob"), muted("C2Cerin")]);
    assert_eq!(reminds(s, "bob"), [], "per user");
    // The same again changes and logs nothing; a change of one names only that one.
    assert_eq!(
        set_remind(s, "alice", &["C2Cbob", "C2Cerin"], "AcceptNotNotify"),
        None
    );
    assert_eq!(
        set_remind(s, "alice", &["GROUPg1"], "Discard"),
        Some(Push::MessageRemindType(vec![
            "Discard".into(),
            "GROUPg1".into()
        ]))
    );

    // A muted conversation still counts its unread messages.
    send(s, "bob", "alice", "b2", 20);
    let unread = s.conversations(APP, "alice").expect("list")[0].unread;
    assert_eq!(unread, 2);

    // A deletion keeps the setting: the conversation a new message brings back is still muted.
    s.delete_conversation(
        APP,
        &ConvRef::c2c("alice", "bob"),
        DeleteMode::ClearHistory,
        30,
    )
    .expect("delete");
    assert!(reminds(s, "alice").contains(&muted("C2Cbob")));
    send(s, "bob", "alice", "b3", 40);
    assert!(reminds(s, "alice").contains(&muted("C2Cbob")));

    // Back to the default: the row goes (only non-default settings are stored), logged.
    assert_eq!(
        set_remind(s, "alice", &["C2Cbob"], "AcceptAndNotify"),
        Some(Push::MessageRemindType(vec![
            "AcceptAndNotify".into(),
            "C2Cbob".into()
        ]))
    );
    assert_eq!(set_remind(s, "alice", &["C2Cdan"], "AcceptAndNotify"), None);
    assert_eq!(
        reminds(s, "alice"),
        [
            muted("C2Cerin"),
            ("GROUPg1".to_owned(), "Discard".to_owned())
        ]
    );

    // A session offline meanwhile catches up on each change once, in order (the log decodes).
    let caught: Vec<Push> = s
        .catch_up(APP, "alice", Some(0), 1000)
        .expect("catch up")
        .missed
        .into_iter()
        .map(|e| e.push)
        .filter(|p| matches!(p, Push::MessageRemindType(_)))
        .collect();
    assert_eq!(caught.len(), 3);
    assert_eq!(
        caught[2],
        Push::MessageRemindType(vec!["AcceptAndNotify".into(), "C2Cbob".into()])
    );
}

for_each_engine!(
    pinned_conversations_come_first_and_a_deletion_unpins,
    at_most_fifty_are_pinned,
    remind_types_are_stored_apart_from_the_list_and_logged_when_changed,
);
