//! Groups directly on the store (a real SQLite file; the behaviour tests on PostgreSQL too): the work a deletion and a message do,
//! refusals that write nothing, what a member who left can still see, rejoining, and purging
//! only what no member can see any more.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use std::path::PathBuf;
use std::sync::Arc;
use tim_proto::model::WireBody;
use tim_proto::Push;
use tim_server::store::{
    App, ConvRef, DeleteMode, DeleteOutcome, GroupRefusal, GroupType, NewGroup, NewMessage,
    PageOutcome, SendItem, SendOutcome, SqliteStore, Store,
};

const APP: u64 = 7;

fn open() -> (tempfile::TempDir, PathBuf, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tim.db");
    let store = SqliteStore::open(&path).expect("open");
    store
        .create_app(&App {
            sdk_app_id: APP,
            secret_key: "k".into(),
            admin_identifier: "administrator".into(),
            sync_conversation_deletion: false,
            created_at: 0,
        })
        .expect("app");
    (dir, path, store)
}

/// A store on `db` with the app, for the tests that run on every engine.
fn open_on(db: &TestDb) -> Arc<dyn Store> {
    let store = db.open();
    store
        .create_app(&App {
            sdk_app_id: APP,
            secret_key: "k".into(),
            admin_identifier: "administrator".into(),
            sync_conversation_deletion: false,
            created_at: 0,
        })
        .expect("app");
    store
}

fn users(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("u{i}")).collect()
}

/// A group `id` of `kind` owned by `owner` with `members`.
fn group(s: &dyn Store, id: &str, kind: GroupType, owner: &str, members: &[String]) {
    let new = NewGroup {
        group_id: id.into(),
        name: "G".into(),
        kind,
        owner: owner.into(),
        members: members.to_vec(),
    };
    let outcome = s.create_group(APP, &new, 10).expect("create");
    assert!(outcome.is_ok(), "{outcome:?}");
}

fn try_send(s: &dyn Store, from: &str, group: &str, id: &str) -> Result<SendOutcome, GroupRefusal> {
    let msg = NewMessage {
        msg_id: id.into(),
        body: WireBody::Text { text: id.into() },
        time: 10,
        need_receipt: false,
    };
    s.send_group_message(APP, &ConvRef::group(from, group), &msg)
        .expect("send")
}

fn send(s: &dyn Store, from: &str, group: &str, id: &str) -> Vec<tim_server::store::UserEvent> {
    match try_send(s, from, group, id) {
        Ok(SendOutcome::Stored { events, .. }) => events,
        other => panic!("{from} -> {group} {id}: {other:?}"),
    }
}

fn history(s: &dyn Store, owner: &str, conv: &ConvRef) -> Vec<String> {
    assert_eq!(conv.owner, owner);
    match s.messages(APP, conv, None, 100).expect("messages") {
        PageOutcome::Page(p) => p.messages.into_iter().map(|m| m.msg_id).collect(),
        PageOutcome::UnknownAnchor => panic!("anchor"),
    }
}

fn group_history(s: &dyn Store, owner: &str, group: &str) -> Vec<String> {
    history(s, owner, &ConvRef::group(owner, group))
}

fn latest_event(s: &dyn Store, user: &str) -> u64 {
    s.catch_up(APP, user, None, 10).expect("catch up").latest
}

fn message_rows(db: &TestDb) -> i64 {
    db.count("SELECT COUNT(*) FROM messages WHERE conv_key LIKE 'group#%'")
}

#[test]
fn a_deletion_changes_one_row_whatever_the_member_count_and_history() {
    let (_dir, _path, s) = open();
    for (id, members, messages) in [("small", 2, 1), ("big", 50, 250)] {
        let everyone = users(members);
        group(&s, id, GroupType::Private, &everyone[0], &everyone[1..]);
        for k in 0..messages {
            send(&s, &everyone[k % members], id, &format!("m{k}"));
        }
        let conv = ConvRef::group("u1", id);
        let before = s.total_changes();
        let outcome = s
            .delete_conversation(APP, &conv, DeleteMode::ClearHistory, 20)
            .expect("delete");
        assert_eq!(
            outcome,
            DeleteOutcome::Deleted {
                through_seq: messages as u64,
                event: None,
                unpinned: None,
            }
        );
        assert_eq!(s.total_changes() - before, 1, "{id}: one row, sync off");
        assert!(group_history(&s, "u1", id).is_empty());
        let page = messages.min(100);
        assert_eq!(
            group_history(&s, "u0", id).len(),
            page,
            "others keep theirs"
        );
    }
    // The system conversation too, whatever the number of notices.
    let before = s.total_changes();
    let outcome = s
        .delete_conversation(APP, &ConvRef::system("u1"), DeleteMode::ClearHistory, 20)
        .expect("delete");
    assert!(
        matches!(outcome, DeleteOutcome::Deleted { through_seq: 2, .. }),
        "{outcome:?}"
    );
    assert_eq!(s.total_changes() - before, 1);
}

fn a_message_is_stored_once_and_logged_once_per_member(db: TestDb) {
    let s = open_on(&db);
    let s = s.as_ref();
    let everyone = users(30);
    group(s, "g", GroupType::Public, "u0", &everyone[1..]);
    let before: Vec<u64> = everyone.iter().map(|u| latest_event(s, u)).collect();
    let events = send(s, "u3", "g", "m1");
    assert_eq!(message_rows(&db), 1);
    assert_eq!(events.len(), 30);
    for (u, was) in everyone.iter().zip(before) {
        assert_eq!(latest_event(s, u), was + 1, "{u}");
        let e = events
            .iter()
            .find(|e| &e.user_id == u)
            .expect("logged for each");
        let Push::Message { message } = &e.push else {
            panic!("{e:?}")
        };
        assert_eq!(message.conversation_id, "GROUPg");
        assert_eq!(message.to, "g");
    }
    let unread = |u: &str| {
        s.conversation(APP, &ConvRef::group(u, "g"))
            .expect("get")
            .map(|c| c.unread)
    };
    assert_eq!(unread("u3"), Some(0));
    assert_eq!(unread("u4"), Some(1));
    assert_eq!(unread("nobody"), None);
}

#[test]
fn refusals_write_nothing() {
    let (_dir, _path, s) = open();
    group(&s, "work", GroupType::Private, "alice", &["bob".into()]);
    group(&s, "pub", GroupType::Public, "alice", &["bob".into()]);
    group(&s, "gone", GroupType::Public, "alice", &[]);
    assert!(s
        .dismiss_group(APP, "gone", "alice", 10)
        .expect("dismiss")
        .is_ok());
    let list = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let new = |id: &str| NewGroup {
        group_id: id.into(),
        name: "G".into(),
        kind: GroupType::Public,
        owner: "carol".into(),
        members: list(&["dave"]),
    };

    type Attempt<'a> = Box<dyn Fn(&dyn Store) -> Option<GroupRefusal> + 'a>;
    let cases: Vec<(&str, Attempt, GroupRefusal)> = vec![
        (
            "create taken",
            Box::new(|s| s.create_group(APP, &new("work"), 11).expect("c").err()),
            GroupRefusal::IdInUse,
        ),
        (
            "create dismissed id",
            Box::new(|s| s.create_group(APP, &new("gone"), 11).expect("c").err()),
            GroupRefusal::IdInUse,
        ),
        (
            "join twice",
            Box::new(|s| s.join_group(APP, "pub", "bob", 11).expect("j").err()),
            GroupRefusal::AlreadyMember,
        ),
        (
            "join private",
            Box::new(|s| s.join_group(APP, "work", "carol", 11).expect("j").err()),
            GroupRefusal::JoinByInvitation,
        ),
        (
            "join unknown",
            Box::new(|s| s.join_group(APP, "nope", "carol", 11).expect("j").err()),
            GroupRefusal::NotFound,
        ),
        (
            "join dismissed",
            Box::new(|s| s.join_group(APP, "gone", "carol", 11).expect("j").err()),
            GroupRefusal::Dismissed,
        ),
        (
            "quit not in",
            Box::new(|s| s.quit_group(APP, "work", "carol", 11).expect("q").err()),
            GroupRefusal::NotMember,
        ),
        (
            "owner quits",
            Box::new(|s| s.quit_group(APP, "work", "alice", 11).expect("q").err()),
            GroupRefusal::OwnerCannotQuit,
        ),
        (
            "member dismisses",
            Box::new(|s| s.dismiss_group(APP, "work", "bob", 11).expect("d").err()),
            GroupRefusal::NotOwner,
        ),
        (
            "outsider adds",
            Box::new(|s| {
                s.add_group_members(APP, "work", "carol", &list(&["dave"]), 11)
                    .expect("a")
                    .err()
            }),
            GroupRefusal::NotMember,
        ),
        (
            "member adds to public",
            Box::new(|s| {
                s.add_group_members(APP, "pub", "bob", &list(&["dave"]), 11)
                    .expect("a")
                    .err()
            }),
            GroupRefusal::NotOwner,
        ),
        (
            "member removes",
            Box::new(|s| {
                s.remove_group_members(APP, "work", "bob", &list(&["alice"]), 11)
                    .expect("r")
                    .err()
            }),
            GroupRefusal::NotOwner,
        ),
        (
            "outsider sends",
            Box::new(|s| try_send(s, "carol", "work", "x").err()),
            GroupRefusal::NotMember,
        ),
        (
            "send to dismissed",
            Box::new(|s| try_send(s, "alice", "gone", "x").err()),
            GroupRefusal::Dismissed,
        ),
        (
            "send to unknown",
            Box::new(|s| try_send(s, "alice", "nope", "x").err()),
            GroupRefusal::NotFound,
        ),
    ];
    for (what, attempt, want) in cases {
        let before = s.total_changes();
        assert_eq!(attempt(&s), Some(want), "{what}");
        assert_eq!(s.total_changes(), before, "{what}: nothing written");
    }
    assert!(
        !s.user_exists(APP, "carol").expect("exists"),
        "not even the user rows"
    );
}

/// [`refusals_write_nothing`] on every engine: the stored rows stay exactly as they were.
fn refusals_change_no_stored_row(db: TestDb) {
    let s = open_on(&db);
    let s = s.as_ref();
    group(s, "work", GroupType::Private, "alice", &["bob".into()]);
    group(s, "pub", GroupType::Public, "alice", &["bob".into()]);
    group(s, "gone", GroupType::Public, "alice", &[]);
    assert!(s
        .dismiss_group(APP, "gone", "alice", 10)
        .expect("dismiss")
        .is_ok());
    let list = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let new = |id: &str| NewGroup {
        group_id: id.into(),
        name: "G".into(),
        kind: GroupType::Public,
        owner: "carol".into(),
        members: list(&["dave"]),
    };

    type Attempt<'a> = Box<dyn Fn(&dyn Store) -> Option<GroupRefusal> + 'a>;
    let cases: Vec<(&str, Attempt, GroupRefusal)> = vec![
        (
            "create taken",
            Box::new(|s| s.create_group(APP, &new("work"), 11).expect("c").err()),
            GroupRefusal::IdInUse,
        ),
        (
            "create dismissed id",
            Box::new(|s| s.create_group(APP, &new("gone"), 11).expect("c").err()),
            GroupRefusal::IdInUse,
        ),
        (
            "join twice",
            Box::new(|s| s.join_group(APP, "pub", "bob", 11).expect("j").err()),
            GroupRefusal::AlreadyMember,
        ),
        (
            "join private",
            Box::new(|s| s.join_group(APP, "work", "carol", 11).expect("j").err()),
            GroupRefusal::JoinByInvitation,
        ),
        (
            "join unknown",
            Box::new(|s| s.join_group(APP, "nope", "carol", 11).expect("j").err()),
            GroupRefusal::NotFound,
        ),
        (
            "join dismissed",
            Box::new(|s| s.join_group(APP, "gone", "carol", 11).expect("j").err()),
            GroupRefusal::Dismissed,
        ),
        (
            "quit not in",
            Box::new(|s| s.quit_group(APP, "work", "carol", 11).expect("q").err()),
            GroupRefusal::NotMember,
        ),
        (
            "owner quits",
            Box::new(|s| s.quit_group(APP, "work", "alice", 11).expect("q").err()),
            GroupRefusal::OwnerCannotQuit,
        ),
        (
            "member dismisses",
            Box::new(|s| s.dismiss_group(APP, "work", "bob", 11).expect("d").err()),
            GroupRefusal::NotOwner,
        ),
        (
            "outsider adds",
            Box::new(|s| {
                s.add_group_members(APP, "work", "carol", &list(&["dave"]), 11)
                    .expect("a")
                    .err()
            }),
            GroupRefusal::NotMember,
        ),
        (
            "member adds to public",
            Box::new(|s| {
                s.add_group_members(APP, "pub", "bob", &list(&["dave"]), 11)
                    .expect("a")
                    .err()
            }),
            GroupRefusal::NotOwner,
        ),
        (
            "member removes",
            Box::new(|s| {
                s.remove_group_members(APP, "work", "bob", &list(&["alice"]), 11)
                    .expect("r")
                    .err()
            }),
            GroupRefusal::NotOwner,
        ),
        (
            "outsider sends",
            Box::new(|s| try_send(s, "carol", "work", "x").err()),
            GroupRefusal::NotMember,
        ),
        (
            "send to dismissed",
            Box::new(|s| try_send(s, "alice", "gone", "x").err()),
            GroupRefusal::Dismissed,
        ),
        (
            "send to unknown",
            Box::new(|s| try_send(s, "alice", "nope", "x").err()),
            GroupRefusal::NotFound,
        ),
    ];
    for (what, attempt, want) in cases {
        let before = db.contents();
        assert_eq!(attempt(s), Some(want), "{what}");
        assert_eq!(db.contents(), before, "{what}: nothing written");
    }
    assert!(
        !s.user_exists(APP, "carol").expect("exists"),
        "not even the user rows"
    );
}

fn who_left_keeps_what_they_saw_and_a_rejoin_after_a_gap_restarts_the_history(db: TestDb) {
    let s = open_on(&db);
    let s = s.as_ref();
    let members = vec!["bob".to_owned(), "carol".to_owned()];
    group(s, "g", GroupType::Public, "alice", &members);
    send(s, "alice", "g", "m1");
    assert!(s.quit_group(APP, "g", "bob", 11).expect("quit").is_ok());
    assert!(s.quit_group(APP, "g", "carol", 11).expect("quit").is_ok());
    send(s, "alice", "g", "m2");

    for u in ["bob", "carol"] {
        assert_eq!(group_history(s, u, "g"), ["m1"], "{u}");
        let view = s
            .conversation(APP, &ConvRef::group(u, "g"))
            .expect("get")
            .expect("kept");
        assert_eq!(view.last_message.map(|m| m.msg_id).as_deref(), Some("m1"));
        assert_eq!(view.unread, 1);
        assert_eq!(view.group.map(|g| g.is_member), Some(false));
    }
    // bob rejoins after m2 (a gap): his history restarts there. carol quits and rejoins with no
    // message in between: she keeps hers.
    assert!(s.join_group(APP, "g", "bob", 12).expect("join").is_ok());
    send(s, "alice", "g", "m3");
    assert!(s.join_group(APP, "g", "carol", 12).expect("join").is_ok());
    assert!(s.quit_group(APP, "g", "carol", 12).expect("quit").is_ok());
    assert!(s.join_group(APP, "g", "carol", 12).expect("join").is_ok());
    send(s, "alice", "g", "m4");
    assert_eq!(group_history(s, "bob", "g"), ["m3", "m4"]);
    assert_eq!(
        group_history(s, "carol", "g"),
        ["m4"],
        "m2 and m3 came while she was away"
    );
    assert_eq!(group_history(s, "alice", "g"), ["m1", "m2", "m3", "m4"]);

    let erin_sees = |s: &dyn Store| group_history(s, "erin", "g");
    assert!(s.join_group(APP, "g", "erin", 13).expect("join").is_ok());
    assert!(erin_sees(s).is_empty(), "nothing from before joining");
    send(s, "bob", "g", "m5");
    assert!(s.quit_group(APP, "g", "erin", 13).expect("quit").is_ok());
    assert!(s.join_group(APP, "g", "erin", 13).expect("join").is_ok());
    send(s, "bob", "g", "m6");
    assert_eq!(erin_sees(s), ["m5", "m6"], "no gap: kept");
}

fn purging_keeps_what_any_member_can_still_see(db: TestDb) {
    let s = open_on(&db);
    let s = s.as_ref();
    let members = vec!["bob".to_owned(), "carol".to_owned()];
    group(s, "g", GroupType::Private, "alice", &members);
    for k in 0..5 {
        send(s, "alice", "g", &format!("m{k}"));
    }
    let delete = |u: &str| {
        s.delete_conversation(APP, &ConvRef::group(u, "g"), DeleteMode::ClearHistory, 20)
            .expect("delete")
    };
    delete("alice");
    delete("bob");
    assert_eq!(
        s.purge_invisible(100, i64::MAX).expect("purge"),
        0,
        "carol sees them"
    );
    assert_eq!(message_rows(&db), 5);
    delete("carol");
    assert_eq!(s.purge_invisible(100, i64::MAX).expect("purge"), 5);
    // Seqs carry on; a newcomer sees nothing old.
    let added = s
        .add_group_members(APP, "g", "alice", &["dave".to_owned()], 30)
        .expect("add")
        .expect("added");
    assert_eq!(added.value.succeeded, ["dave"]);
    let events = send(s, "bob", "g", "m5");
    let Push::Message { message } = &events[0].push else {
        panic!()
    };
    assert_eq!(message.seq, 6);
    assert_eq!(group_history(s, "dave", "g"), ["m5"]);
}

/// A group message numbers every member's log once, after whatever they had, also in one batch
/// with one-to-one sends that log for the same users (the members' rows are written by one
/// statement per table, not one per member): the numbers it answers with are the ones the log
/// replays, dense per user; the sender reads up to it, a member who deleted the conversation
/// gets it back with one unread.
fn group_messages_number_each_members_log_densely_among_other_events(db: TestDb) {
    let s = open_on(&db);
    let s = s.as_ref();
    let everyone = users(6);
    group(s, "g", GroupType::Public, "u0", &everyone[1..]);
    let c2c = |from: &str, to: &str, id: &str| SendItem {
        sdk_app_id: APP,
        conv: ConvRef::c2c(from, to),
        message: NewMessage {
            msg_id: id.into(),
            body: WireBody::Text { text: id.into() },
            time: 11,
            need_receipt: false,
        },
    };
    let to_group = |from: &str, id: &str| SendItem {
        sdk_app_id: APP,
        conv: ConvRef::group(from, "g"),
        message: NewMessage {
            msg_id: id.into(),
            body: WireBody::Text { text: id.into() },
            time: 12,
            need_receipt: false,
        },
    };
    s.send_message(
        APP,
        &ConvRef::c2c("u1", "u2"),
        &c2c("u1", "u2", "c0").message,
    )
    .expect("c2c");
    s.delete_conversation(
        APP,
        &ConvRef::group("u4", "g"),
        DeleteMode::ClearHistory,
        11,
    )
    .expect("delete");
    let before: Vec<u64> = everyone.iter().map(|u| latest_event(s, u)).collect();
    // One batch: a one-to-one send, a group message, another one-to-one send, another group
    // message from someone else.
    let batch = [
        c2c("u1", "u2", "c1"),
        to_group("u3", "m1"),
        c2c("u2", "u5", "c2"),
        to_group("u0", "m2"),
    ];
    let outcomes = s.send_messages(&batch).expect("batch");
    let mut logged: Vec<(String, u64, String)> = Vec::new();
    for outcome in outcomes {
        match outcome.expect("stored").expect("not refused") {
            SendOutcome::Stored { message, events } => {
                for e in events {
                    logged.push((e.user_id, e.ev, message.msg_id.clone()));
                }
            }
            other => panic!("{other:?}"),
        }
    }
    for (u, was) in everyone.iter().zip(&before) {
        let mut mine: Vec<(u64, String)> = logged
            .iter()
            .filter(|(who, _, _)| who == u)
            .map(|(_, ev, id)| (*ev, id.clone()))
            .collect();
        mine.sort();
        let numbers: Vec<u64> = mine.iter().map(|(ev, _)| *ev).collect();
        let dense: Vec<u64> = (was + 1..=was + mine.len() as u64).collect();
        assert_eq!(
            numbers, dense,
            "{u}: numbered after {was}, one each, no gap"
        );
        assert!(mine.iter().any(|(_, id)| id == "m1"), "{u} logs m1");
        assert!(mine.iter().any(|(_, id)| id == "m2"), "{u} logs m2");
        let caught = s.catch_up(APP, u, Some(*was), 100).expect("catch up");
        assert!(!caught.resync_required, "{u}");
        assert_eq!(caught.latest, was + mine.len() as u64, "{u}");
        let replayed: Vec<(u64, String)> = caught
            .missed
            .iter()
            .map(|e| match &e.push {
                Push::Message { message } => (e.ev, message.id.clone()),
                other => panic!("{u}: {other:?}"),
            })
            .collect();
        assert_eq!(
            replayed, mine,
            "{u}: the log replays what the sends answered"
        );
    }
    let unread = |u: &str| {
        s.conversation(APP, &ConvRef::group(u, "g"))
            .expect("get")
            .map(|c| c.unread)
    };
    // u3 sent m1 (read up to it), then got m2; u0 sent m2 after m1.
    assert_eq!(unread("u3"), Some(1));
    assert_eq!(unread("u1"), Some(2));
    // u4 deleted the conversation: back, holding only the new messages.
    assert_eq!(unread("u4"), Some(2));
    assert_eq!(group_history(s, "u4", "g"), ["m1", "m2"]);
}

for_each_engine!(
    refusals_change_no_stored_row,
    a_message_is_stored_once_and_logged_once_per_member,
    who_left_keeps_what_they_saw_and_a_rejoin_after_a_gap_restarts_the_history,
    purging_keeps_what_any_member_can_still_see,
    group_messages_number_each_members_log_densely_among_other_events,
);
