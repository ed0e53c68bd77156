//! Read receipts (issue 16), directly on the store, on every engine: a message sent with
//! needReadReceipt counts each reader's receipt once, its sender is told (one logged
//! `messageReadReceipt` per call) while the sender's view holds it, and receipts meet deletion
//! as the rest of the view does: a view that no longer holds a message changes nothing with
//! it, and a conversation deleted and brought back holds none of the old receipt state; the
//! purge of messages nobody can see takes their receipt rows with them.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use std::sync::Arc;
use tim_proto::model::WireBody;
use tim_proto::Push;
use tim_server::store::{
    ConvRef, DeleteMode, GroupType, NewGroup, NewMessage, PageOutcome, Store, StoredMessage,
    UserEvent,
};

const APP: u64 = 7;

fn open(db: &TestDb) -> Arc<dyn Store> {
    db.open_with_app(APP)
}

fn message(id: &str, time: i64, need_receipt: bool) -> NewMessage {
    NewMessage {
        msg_id: id.into(),
        body: WireBody::Text { text: id.into() },
        time,
        need_receipt,
    }
}

fn send(s: &dyn Store, from: &str, to: &str, id: &str, need_receipt: bool) {
    s.send_message(
        APP,
        &ConvRef::c2c(from, to),
        &message(id, 1000, need_receipt),
    )
    .expect("send");
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// A message's (ID, readCount, unreadCount).
type Counts = (String, u32, u32);
/// Who was told, of which messages.
type Told = Vec<(String, Vec<Counts>)>;

/// `reader`'s receipts for `msgs` of `conv`: who was told of which messages, with the counts.
fn read(s: &dyn Store, conv: &ConvRef, msgs: &[&str]) -> Told {
    told(
        &s.send_read_receipts(APP, conv, &ids(msgs), 2000)
            .expect("receipts"),
    )
}

fn told(events: &[UserEvent]) -> Told {
    events
        .iter()
        .map(|e| match &e.push {
            Push::MessageReadReceipt(list) => (
                e.user_id.clone(),
                list.iter()
                    .map(|m| (m.id.clone(), m.read_count, m.unread_count))
                    .collect(),
            ),
            other => panic!("unexpected push {other:?}"),
        })
        .collect()
}

/// (ID, readCount, unreadCount) of what getMessageReadReceiptList answers.
fn receipts(s: &dyn Store, conv: &ConvRef, msgs: &[&str]) -> Vec<Counts> {
    s.read_receipt_list(APP, conv, &ids(msgs))
        .expect("list")
        .into_iter()
        .map(|m| (m.msg_id, m.read_count, m.unread_count))
        .collect()
}

fn page(s: &dyn Store, conv: &ConvRef) -> Vec<StoredMessage> {
    match s.messages(APP, conv, None, 100).expect("messages") {
        PageOutcome::Page(p) => p.messages,
        PageOutcome::UnknownAnchor => panic!("no anchor given"),
    }
}

fn t(id: &str, read: u32, unread: u32) -> Counts {
    (id.to_owned(), read, unread)
}

fn a_c2c_receipt_counts_once_and_tells_the_sender(db: TestDb) {
    let s = open(&db);
    send(s.as_ref(), "alice", "bob", "m1", true);
    send(s.as_ref(), "alice", "bob", "m2", false);
    send(s.as_ref(), "bob", "alice", "b1", true);
    let bob = ConvRef::c2c("bob", "alice");
    let alice = ConvRef::c2c("alice", "bob");
    // Both see the flag; the sender's copy waits for one reader.
    for conv in [&alice, &bob] {
        let m1 = page(s.as_ref(), conv).remove(0);
        assert!(m1.need_receipt && m1.unread_count == 1 && m1.read_count == 0);
        assert!(m1.to_wire(&conv.owner).need_read_receipt);
    }
    // Bob reads: m2 asked for none, b1 is his own, zz is nobody's: skipped, no error.
    assert_eq!(
        read(s.as_ref(), &bob, &["m1", "m2", "b1", "zz"]),
        vec![("alice".into(), vec![t("m1", 1, 0)])]
    );
    // Again: counted once, nobody told.
    assert!(read(s.as_ref(), &bob, &["m1"]).is_empty());
    assert_eq!(
        receipts(s.as_ref(), &alice, &["m1", "m2", "zz"]),
        vec![t("m1", 1, 0), t("m2", 0, 0)]
    );
    // The entry is in Alice's log for her offline sessions, once.
    let log = s.catch_up(APP, "alice", Some(0), 1000).expect("catch up");
    let logged: Vec<&Push> = log
        .missed
        .iter()
        .map(|e| &e.push)
        .filter(|p| matches!(p, Push::MessageReadReceipt(_)))
        .collect();
    assert_eq!(logged.len(), 1);
    // Bob's unread count is not a receipt's business (Tencent's too).
    assert_eq!(
        s.conversation(APP, &bob).expect("conv").map(|c| c.unread),
        Some(2)
    );
}

fn group_receipts_count_each_member_once(db: TestDb) {
    let s = open(&db);
    let group = NewGroup {
        group_id: "g1".into(),
        name: "G".into(),
        kind: GroupType::Public,
        owner: "alice".into(),
        members: vec!["bob".into(), "carol".into()],
    };
    assert!(s.create_group(APP, &group, 10).unwrap().is_ok());
    let alice = ConvRef::group("alice", "g1");
    s.send_group_message(APP, &alice, &message("g-m1", 1000, true))
        .unwrap()
        .unwrap();
    assert_eq!(
        receipts(s.as_ref(), &alice, &["g-m1"]),
        vec![t("g-m1", 0, 2)]
    );
    // Dave joins later: the message is not in his view, his receipt changes nothing.
    s.ensure_user(APP, "dave", 10).unwrap();
    assert!(s.join_group(APP, "g1", "dave", 1001).unwrap().is_ok());
    assert!(read(s.as_ref(), &ConvRef::group("dave", "g1"), &["g-m1"]).is_empty());
    assert_eq!(
        read(s.as_ref(), &ConvRef::group("bob", "g1"), &["g-m1"]),
        vec![("alice".into(), vec![t("g-m1", 1, 1)])]
    );
    assert!(read(s.as_ref(), &ConvRef::group("bob", "g1"), &["g-m1"]).is_empty());
    assert_eq!(
        read(s.as_ref(), &ConvRef::group("carol", "g1"), &["g-m1"]),
        vec![("alice".into(), vec![t("g-m1", 2, 0)])]
    );
    // The sender's own receipt is not one.
    assert!(read(s.as_ref(), &alice, &["g-m1"]).is_empty());
    assert_eq!(
        receipts(s.as_ref(), &alice, &["g-m1"]),
        vec![t("g-m1", 2, 0)]
    );
    // Every member sees the counts as they are.
    assert_eq!(
        receipts(s.as_ref(), &ConvRef::group("carol", "g1"), &["g-m1"]),
        vec![t("g-m1", 2, 0)]
    );
}

fn receipts_change_nothing_in_a_view_that_no_longer_holds_the_message(db: TestDb) {
    let s = open(&db);
    let bob = ConvRef::c2c("bob", "alice");
    let alice = ConvRef::c2c("alice", "bob");
    send(s.as_ref(), "alice", "bob", "m1", true);
    send(s.as_ref(), "alice", "bob", "m2", true);
    // Bob hid m1 (deleteMessage): his receipt for it is nothing.
    s.hide_messages(APP, &bob, &ids(&["m1"])).unwrap();
    assert!(read(s.as_ref(), &bob, &["m1"]).is_empty());
    // Bob deleted the conversation: nothing either, and it stays deleted.
    s.delete_conversation(APP, &bob, DeleteMode::ClearHistory, 1001)
        .unwrap();
    assert!(read(s.as_ref(), &bob, &["m2"]).is_empty());
    assert!(s.conversations(APP, "bob").unwrap().is_empty());
    assert_eq!(
        receipts(s.as_ref(), &alice, &["m1", "m2"]),
        vec![t("m1", 0, 1), t("m2", 0, 1)]
    );
    assert!(receipts(s.as_ref(), &bob, &["m1", "m2"]).is_empty());
    // Alice deletes hers; Bob's receipt for a new message counts, but tells nobody and
    // brings nothing back for her.
    send(s.as_ref(), "alice", "bob", "m3", true);
    s.delete_conversation(APP, &alice, DeleteMode::ClearHistory, 1002)
        .unwrap();
    assert!(read(s.as_ref(), &bob, &["m3"]).is_empty());
    assert!(s.conversations(APP, "alice").unwrap().is_empty());
    // A new message brings the conversation back with none of the old receipt state.
    send(s.as_ref(), "alice", "bob", "m4", true);
    assert!(receipts(s.as_ref(), &alice, &["m1", "m2", "m3"]).is_empty());
    assert_eq!(receipts(s.as_ref(), &alice, &["m4"]), vec![t("m4", 0, 1)]);
    assert_eq!(
        read(s.as_ref(), &bob, &["m3", "m4"]),
        vec![("alice".into(), vec![t("m4", 1, 0)])]
    );
}

/// The background purge of messages nobody can see takes their receipt rows with them; a live
/// message keeps its receipts, and so does one a single party still sees.
fn the_purge_takes_a_purged_messages_receipts_with_it(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    let bob = ConvRef::c2c("bob", "alice");
    let alice = ConvRef::c2c("alice", "bob");
    send(s, "alice", "bob", "m1", true);
    send(s, "alice", "bob", "m2", true);
    send(s, "alice", "carol", "c1", true);
    let group = NewGroup {
        group_id: "g1".into(),
        name: "G".into(),
        kind: GroupType::Public,
        owner: "alice".into(),
        members: vec!["bob".into(), "carol".into()],
    };
    assert!(s.create_group(APP, &group, 10).unwrap().is_ok());
    let g_alice = ConvRef::group("alice", "g1");
    s.send_group_message(APP, &g_alice, &message("g-m1", 1000, true))
        .unwrap()
        .unwrap();
    assert_eq!(read(s, &bob, &["m1", "m2"]).len(), 1);
    assert_eq!(read(s, &ConvRef::c2c("carol", "alice"), &["c1"]).len(), 1);
    for reader in ["bob", "carol"] {
        assert_eq!(read(s, &ConvRef::group(reader, "g1"), &["g-m1"]).len(), 1);
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM message_reads"), 5);

    // Only alice deletes alice–bob: bob still sees m1 and m2, nothing goes.
    s.delete_conversation(APP, &alice, DeleteMode::ClearHistory, 1001)
        .unwrap();
    assert_eq!(s.purge_invisible(100, i64::MAX).unwrap(), 0);
    assert_eq!(db.count("SELECT COUNT(*) FROM message_reads"), 5);

    // Bob deletes it too: m1 and m2 are purged, with their two receipt rows; c1's and the
    // group message's stay.
    s.delete_conversation(APP, &bob, DeleteMode::ClearHistory, 1002)
        .unwrap();
    assert_eq!(s.purge_invisible(100, i64::MAX).unwrap(), 2);
    assert_eq!(
        db.count(
            "SELECT COUNT(*) FROM message_reads r WHERE NOT EXISTS (
                 SELECT 1 FROM messages m WHERE m.sdk_app_id = r.sdk_app_id
                   AND m.conv_key = r.conv_key AND m.seq = r.seq)"
        ),
        0,
        "no receipt row of a purged message remains"
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM message_reads"), 3);
    assert_eq!(
        receipts(s, &ConvRef::c2c("alice", "carol"), &["c1"]),
        vec![t("c1", 1, 0)]
    );
    assert_eq!(receipts(s, &g_alice, &["g-m1"]), vec![t("g-m1", 2, 0)]);

    // A bounded batch purges its messages' receipts and no one else's.
    for owner in ["alice", "bob", "carol"] {
        s.delete_conversation(
            APP,
            &ConvRef::group(owner, "g1"),
            DeleteMode::ClearHistory,
            1003,
        )
        .unwrap();
    }
    assert_eq!(s.purge_invisible(1, i64::MAX).unwrap(), 1);
    assert_eq!(s.purge_invisible(100, i64::MAX).unwrap(), 0);
    assert_eq!(db.count("SELECT COUNT(*) FROM message_reads"), 1);
    assert_eq!(
        receipts(s, &ConvRef::c2c("alice", "carol"), &["c1"]),
        vec![t("c1", 1, 0)]
    );
}

for_each_engine!(
    a_c2c_receipt_counts_once_and_tells_the_sender,
    group_receipts_count_each_member_once,
    receipts_change_nothing_in_a_view_that_no_longer_holds_the_message,
    the_purge_takes_a_purged_messages_receipts_with_it,
);
