//! The per-user event log and the deletion modes, directly on the store, on every
//! engine (a real SQLite file, a private PostgreSQL).

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use std::sync::Arc;
use tim_proto::frame::LoggedEvent;
use tim_proto::model::WireBody;
use tim_proto::Push;
use tim_server::store::{
    Catchup, ConvRef, DeleteMode, DeleteOutcome, NewMessage, PageOutcome, SendOutcome, Store,
    UserEvent,
};

const APP: u64 = 7;

fn open(db: &TestDb, sync: bool) -> Arc<dyn Store> {
    let s = db.open();
    s.create_app(&tim_server::store::App {
        sdk_app_id: APP,
        secret_key: "k".into(),
        admin_identifier: "administrator".into(),
        sync_conversation_deletion: sync,
        created_at: 0,
    })
    .expect("app");
    s
}

fn send(s: &dyn Store, from: &str, to: &str, id: &str, time: i64) -> Vec<UserEvent> {
    let msg = NewMessage {
        msg_id: id.into(),
        body: WireBody::Text { text: id.into() },
        time,
        need_receipt: false,
    };
    match s
        .send_message(APP, &ConvRef::c2c(from, to), &msg)
        .expect("send")
    {
        SendOutcome::Stored { events, .. } => events,
        other => panic!("expected Stored, got {other:?}"),
    }
}

fn delete(s: &dyn Store, owner: &str, peer: &str, mode: DeleteMode) -> DeleteOutcome {
    s.delete_conversation(APP, &ConvRef::c2c(owner, peer), mode, 100)
        .expect("delete")
}

fn catch_up(s: &dyn Store, user: &str, after: Option<u64>, max: u32) -> Catchup {
    s.catch_up(APP, user, after, max).expect("catch up")
}

/// `(ev, what)` of each event: `msg <id> in <conversationID>` or `del <conversationID> <seq>`.
fn describe(events: &[LoggedEvent]) -> Vec<(u64, String)> {
    events
        .iter()
        .map(|e| {
            let what = match &e.push {
                Push::Message { message } => {
                    format!("msg {} in {}", message.id, message.conversation_id)
                }
                Push::ConversationDeleted {
                    conversation_id,
                    cleared_seq,
                } => format!("del {conversation_id} {cleared_seq}"),
                other => format!("{other:?}"),
            };
            (e.ev, what)
        })
        .collect()
}

fn pairs(list: &[(u64, &str)]) -> Vec<(u64, String)> {
    list.iter().map(|(ev, s)| (*ev, (*s).to_owned())).collect()
}

fn every_message_and_synced_deletion_is_logged_in_order_for_each_user(db: TestDb) {
    let s = open(&db, true);
    let s = s.as_ref();
    let first = send(s, "alice", "bob", "m1", 10);
    // The recipient's entry and the sender's, each named as that user sees the conversation.
    assert_eq!(
        first
            .iter()
            .map(|e| (e.user_id.as_str(), e.ev))
            .collect::<Vec<_>>(),
        [("bob", 1), ("alice", 1)]
    );
    send(s, "bob", "alice", "m2", 11);
    send(s, "alice", "carol", "c1", 12);
    let DeleteOutcome::Deleted {
        through_seq, event, ..
    } = delete(s, "alice", "bob", DeleteMode::ClearHistory)
    else {
        panic!("deleted");
    };
    assert_eq!(through_seq, 2);
    let event = event.expect("logged: the app syncs deletions");
    assert_eq!((event.user_id.as_str(), event.ev), ("alice", 4));
    // A chat with oneself is logged once.
    assert_eq!(send(s, "alice", "alice", "n1", 13).len(), 1);

    let alice = catch_up(s, "alice", Some(0), 100);
    assert_eq!(alice.latest, 5);
    assert!(!alice.resync_required);
    assert_eq!(
        describe(&alice.missed),
        pairs(&[
            (1, "msg m1 in C2Cbob"),
            (2, "msg m2 in C2Cbob"),
            (3, "msg c1 in C2Ccarol"),
            (4, "del C2Cbob 2"),
            (5, "msg n1 in C2Calice"),
        ])
    );
    let bob = catch_up(s, "bob", Some(0), 100);
    assert_eq!(
        describe(&bob.missed),
        pairs(&[(1, "msg m1 in C2Calice"), (2, "msg m2 in C2Calice")])
    );
    // What the store handed back to publish is exactly what it logged.
    assert_eq!(alice.missed[0].push, first[1].push, "alice's first event");
    assert_eq!(catch_up(s, "carol", Some(0), 100).latest, 1);
}

fn a_deletion_is_logged_only_while_the_app_syncs_it_and_the_setting_is_read_each_time(db: TestDb) {
    let s = open(&db, false);
    let s = s.as_ref();
    send(s, "alice", "bob", "m1", 10);
    let DeleteOutcome::Deleted {
        through_seq, event, ..
    } = delete(s, "alice", "bob", DeleteMode::ClearHistory)
    else {
        panic!("deleted");
    };
    assert_eq!((through_seq, event), (1, None));
    assert_eq!(
        catch_up(s, "alice", None, 100).latest,
        1,
        "only the message"
    );

    // Switched on through another connection to the same file (as the CLI does).
    let other = db.open();
    assert!(other
        .set_sync_conversation_deletion(APP, true)
        .expect("set"));
    send(s, "bob", "alice", "m2", 11);
    let DeleteOutcome::Deleted { event, .. } = delete(s, "alice", "bob", DeleteMode::ClearHistory)
    else {
        panic!("deleted");
    };
    let event = event.expect("logged now");
    assert_eq!(event.ev, 3);
    assert_eq!(
        event.push,
        Push::ConversationDeleted {
            conversation_id: "C2Cbob".into(),
            cleared_seq: 2
        }
    );
    assert_eq!(
        delete(s, "alice", "bob", DeleteMode::ClearHistory),
        DeleteOutcome::NotFound
    );
    assert_eq!(catch_up(s, "alice", None, 100).latest, 3, "nothing more");
}

fn catch_up_gives_exactly_what_came_after_or_asks_for_a_resync(db: TestDb) {
    let s = open(&db, true);
    let s = s.as_ref();
    for i in 1..=5 {
        send(s, "bob", "alice", &format!("m{i}"), i);
    }
    let none = catch_up(s, "alice", None, 100);
    assert_eq!(
        (none.latest, none.missed.len(), none.resync_required),
        (5, 0, false)
    );
    let tail = catch_up(s, "alice", Some(3), 100);
    assert_eq!(
        describe(&tail.missed),
        pairs(&[(4, "msg m4 in C2Cbob"), (5, "msg m5 in C2Cbob")])
    );
    let current = catch_up(s, "alice", Some(5), 100);
    assert!(current.missed.is_empty() && !current.resync_required);
    // Exactly the limit is replayed; one more than the limit is a resync.
    assert_eq!(catch_up(s, "alice", Some(2), 3).missed.len(), 3);
    let too_many = catch_up(s, "alice", Some(1), 3);
    assert!(too_many.resync_required && too_many.missed.is_empty());
    assert_eq!(too_many.latest, 5);
    // Ahead of the log (a client of another database): resync.
    let ahead = catch_up(s, "alice", Some(6), 100);
    assert!(ahead.resync_required && ahead.missed.is_empty());
    // A user who never had an event.
    let nobody = catch_up(s, "nobody", Some(0), 100);
    assert_eq!(
        (nobody.latest, nobody.missed.len(), nobody.resync_required),
        (0, 0, false)
    );
}

fn trimming_keeps_the_newest_and_the_recent_and_older_resumes_must_resync(db: TestDb) {
    let s = open(&db, true);
    let s = s.as_ref();
    // alice: 6 events at times 1..6; bob gets the same 6.
    for i in 1..=6 {
        send(s, "bob", "alice", &format!("m{i}"), i);
    }
    // Keep the newest 2 of each user, and everything logged at time 4 or later.
    assert_eq!(
        s.trim_events(2, 4, 1000).expect("trim"),
        6,
        "ev 1..3 of both"
    );
    assert_eq!(s.trim_events(2, 4, 1000).expect("trim"), 0, "idempotent");
    // Newest-N protects what is old: with everything old, the newest 2 stay.
    assert_eq!(
        s.trim_events(2, i64::MAX, 1).expect("trim"),
        1,
        "bounded batch"
    );
    assert_eq!(
        s.trim_events(2, i64::MAX, 1000).expect("trim"),
        1,
        "ev 4 of the other"
    );
    let rows = db.count("SELECT COUNT(*) FROM user_events WHERE user_id = 'alice'");
    assert_eq!(rows, 2);

    let gone = catch_up(s, "alice", Some(3), 100);
    assert!(gone.resync_required && gone.missed.is_empty());
    let kept = catch_up(s, "alice", Some(4), 100);
    assert_eq!(
        describe(&kept.missed),
        pairs(&[(5, "msg m5 in C2Cbob"), (6, "msg m6 in C2Cbob")])
    );
    // Numbering carries on after trimming.
    assert_eq!(send(s, "bob", "alice", "m7", 7)[0].ev, 7);
}

fn keep_history_deletion_hides_the_entry_and_a_new_message_shows_the_old_history_again(db: TestDb) {
    let s = open(&db, true);
    let s = s.as_ref();
    send(s, "bob", "alice", "m1", 1);
    send(s, "bob", "alice", "m2", 2);
    let DeleteOutcome::Deleted {
        through_seq, event, ..
    } = delete(s, "alice", "bob", DeleteMode::KeepHistory)
    else {
        panic!("deleted");
    };
    assert_eq!(through_seq, 2);
    assert_eq!(
        event.map(|e| e.push),
        Some(Push::ConversationDeleted {
            conversation_id: "C2Cbob".into(),
            cleared_seq: 2
        })
    );
    assert!(s.conversations(APP, "alice").expect("list").is_empty());
    let ids = |s: &dyn Store| match s
        .messages(APP, &ConvRef::c2c("alice", "bob"), None, 15)
        .expect("messages")
    {
        PageOutcome::Page(p) => p
            .messages
            .iter()
            .map(|m| m.msg_id.clone())
            .collect::<Vec<_>>(),
        PageOutcome::UnknownAnchor => panic!("anchor"),
    };
    assert!(ids(s).is_empty(), "hidden while out of the list");

    send(s, "bob", "alice", "m3", 3);
    assert_eq!(ids(s), ["m1", "m2", "m3"], "the history stayed");
    let list = s.conversations(APP, "alice").expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].unread, 1, "only the new message is unread");

    // Clearing afterwards moves the watermark for good.
    delete(s, "alice", "bob", DeleteMode::ClearHistory);
    send(s, "bob", "alice", "m4", 4);
    assert_eq!(ids(s), ["m4"]);
}

fn conversation_slices_page_through_the_list_in_order(db: TestDb) {
    let s = open(&db, false);
    let s = s.as_ref();
    for i in 0..5 {
        send(s, &format!("p{i}"), "alice", "m", 10 + i);
    }
    let names = |offset, limit| {
        let slice = s
            .conversation_slice(APP, "alice", offset, limit)
            .expect("slice");
        let ids: Vec<String> = slice
            .conversations
            .iter()
            .map(|c| c.conversation_id.clone())
            .collect();
        (ids, slice.complete)
    };
    assert_eq!(names(0, 2), (vec!["C2Cp4".into(), "C2Cp3".into()], false));
    assert_eq!(names(2, 2), (vec!["C2Cp2".into(), "C2Cp1".into()], false));
    assert_eq!(names(4, 2), (vec!["C2Cp0".into()], true));
    assert_eq!(
        names(4, 1),
        (vec!["C2Cp0".into()], true),
        "exactly the rest"
    );
    assert_eq!(names(9, 2), (vec![], true));
    assert_eq!(names(u64::MAX, 2), (vec![], true));
    assert!(s.user_exists(APP, "p3").expect("exists"));
    assert!(!s.user_exists(APP, "zed").expect("exists"));
    assert!(!s.user_exists(u64::MAX, "p3").expect("exists"));
}

for_each_engine!(
    every_message_and_synced_deletion_is_logged_in_order_for_each_user,
    a_deletion_is_logged_only_while_the_app_syncs_it_and_the_setting_is_read_each_time,
    catch_up_gives_exactly_what_came_after_or_asks_for_a_resync,
    trimming_keeps_the_newest_and_the_recent_and_older_resumes_must_resync,
    keep_history_deletion_hides_the_entry_and_a_new_message_shows_the_old_history_again,
    conversation_slices_page_through_the_list_in_order,
);
