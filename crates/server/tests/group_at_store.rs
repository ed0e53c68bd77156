//! A group conversation's unread @ messages (`WireConversation::at_info`, Tencent's
//! `groupAtInfoList`), directly on the store, on every engine: derived from the unread messages
//! that mention the owner, with Tencent's at types; the sender's own and read ones are left
//! out; a read, a deletion and a cleared history empty it; a deleted conversation that a new
//! message brings back holds only the new mentions; a revoked mention leaves everyone's list and
//! one the owner deleted for themselves (deleteMessage) leaves theirs.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use tim_proto::model::{at_type, WireBody, AT_ALL};
use tim_server::store::{
    ConvRef, DeleteMode, EditOutcome, GroupType, HideOutcome, MessageEdit, NewGroup, NewMessage,
    SendOutcome, Store,
};

const APP: u64 = 7;
const GID: &str = "g1";
const CONV: &str = "GROUPg1";

/// Sends `body` from `from` to the group; its seq.
fn send(s: &dyn Store, from: &str, id: &str, body: WireBody) -> u64 {
    let msg = NewMessage {
        msg_id: id.into(),
        body,
        time: 10,
        need_receipt: false,
    };
    match s
        .send_group_message(APP, &ConvRef::group(from, GID), &msg)
        .expect("send")
    {
        Ok(SendOutcome::Stored { message, .. }) => message.seq,
        other => panic!("expected Stored, got {other:?}"),
    }
}

fn at(list: &[&str]) -> WireBody {
    WireBody::AtText {
        text: "@".into(),
        at_user_list: list.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn text() -> WireBody {
    WireBody::Text { text: "hi".into() }
}

/// The owner's at_info as the list shows it and as the single conversation shows it (they
/// must agree).
fn at_info(s: &dyn Store, owner: &str) -> Vec<u64> {
    let listed = s
        .conversations(APP, owner)
        .expect("list")
        .into_iter()
        .find(|c| c.conversation_id == CONV)
        .map(|c| c.to_wire().at_info)
        .unwrap_or_default();
    let one = s
        .conversation(APP, &ConvRef::group(owner, GID))
        .expect("conversation")
        .map(|c| c.to_wire().at_info)
        .unwrap_or_default();
    assert_eq!(listed, one, "{owner}: the list and the conversation agree");
    listed
        .iter()
        .map(|n| n.parse().expect("a decimal number"))
        .collect()
}

fn setup(db: &TestDb) -> std::sync::Arc<dyn Store> {
    let s = db.open_with_app(APP);
    let new = NewGroup {
        group_id: GID.into(),
        name: "G".into(),
        kind: GroupType::Public,
        owner: "alice".into(),
        members: vec!["bob".into(), "carol".into()],
    };
    assert!(s.create_group(APP, &new, 10).expect("create").is_ok());
    s
}

fn unread_mentions_are_listed_with_their_at_type(db: TestDb) {
    let s = setup(&db);
    let s = s.as_ref();
    send(s, "bob", "plain", text());
    let me = send(s, "bob", "m1", at(&["alice"]));
    let all = send(s, "carol", "m2", at(&[AT_ALL]));
    let both = send(s, "bob", "m3", at(&["carol", "alice", AT_ALL]));
    send(s, "bob", "other", at(&["carol"]));
    assert_eq!(
        at_info(s, "alice"),
        vec![
            me,
            at_type::AT_ME,
            all,
            at_type::AT_ALL,
            both,
            at_type::AT_ALL_AT_ME
        ]
    );
    // carol: @all from bob counts, her own @all does not, bob's two @carol do.
    assert_eq!(
        at_info(s, "carol"),
        vec![both, at_type::AT_ALL_AT_ME, both + 1, at_type::AT_ME]
    );
    assert!(at_info(s, "bob").len() == 2, "bob sees carol's @all only");

    // The owner's own message does not read the conversation: the mentions stay.
    send(s, "alice", "mine", at(&["alice"]));
    assert_eq!(at_info(s, "alice").len(), 6);

    // A read empties it; a later mention is listed alone.
    s.mark_read(APP, &ConvRef::group("alice", GID), 20)
        .expect("read");
    assert_eq!(at_info(s, "alice"), Vec::<u64>::new());
    assert_eq!(at_info(s, "carol").len(), 4, "carol's stay");
    let later = send(s, "bob", "m4", at(&["alice"]));
    assert_eq!(at_info(s, "alice"), vec![later, at_type::AT_ME]);

    // setAllMessageRead too.
    s.mark_all_read(APP, "carol", tim_proto::frame::ReadScope::All, 21)
        .expect("read all");
    assert_eq!(at_info(s, "carol"), Vec::<u64>::new());
}

fn a_deletion_or_a_cleared_history_empties_it(db: TestDb) {
    let s = setup(&db);
    let s = s.as_ref();
    send(s, "bob", "m1", at(&["alice"]));
    send(s, "bob", "m2", at(&["carol"]));
    s.delete_conversation(
        APP,
        &ConvRef::group("alice", GID),
        DeleteMode::ClearHistory,
        20,
    )
    .expect("delete");
    assert!(s
        .conversation(APP, &ConvRef::group("alice", GID))
        .expect("conversation")
        .is_none());
    // A new message brings the conversation back with only what is new.
    send(s, "bob", "plain", text());
    assert_eq!(at_info(s, "alice"), Vec::<u64>::new());
    let again = send(s, "bob", "m3", at(&[AT_ALL]));
    assert_eq!(at_info(s, "alice"), vec![again, at_type::AT_ALL]);

    // clearHistoryMessage: nothing unread, nothing listed.
    s.clear_history(APP, &ConvRef::group("carol", GID), 21)
        .expect("clear");
    assert_eq!(at_info(s, "carol"), Vec::<u64>::new());
}

/// Tencent drops a revoked @ message from everyone's `groupAtInfoList`, and a message the owner
/// deleted for themselves (deleteMessage) from theirs only; the rest stay, unread.
fn a_revoked_or_hidden_mention_is_not_listed(db: TestDb) {
    let s = setup(&db);
    let s = s.as_ref();
    let first = send(s, "bob", "m1", at(&["alice", "carol"]));
    let revoked = send(s, "bob", "m2", at(&[AT_ALL]));
    let hidden = send(s, "carol", "m3", at(&["alice"]));
    let last = send(s, "bob", "m4", at(&["alice", "carol"]));
    assert_eq!(at_info(s, "alice").len(), 8, "alice: four mentions");

    // bob revokes his @all: gone for everyone.
    match s
        .edit_message(
            APP,
            &ConvRef::group("bob", GID),
            "m2",
            &MessageEdit::Revoke {
                time_limited: false,
            },
            11,
        )
        .expect("revoke")
    {
        EditOutcome::Edited { .. } => {}
        other => panic!("expected Edited, got {other:?}"),
    }
    assert_eq!(
        at_info(s, "alice"),
        vec![
            first,
            at_type::AT_ME,
            hidden,
            at_type::AT_ME,
            last,
            at_type::AT_ME
        ]
    );
    assert_eq!(
        at_info(s, "carol"),
        vec![first, at_type::AT_ME, last, at_type::AT_ME],
        "carol: the revoked @all is gone for her too"
    );
    assert!(!at_info(s, "carol").contains(&revoked));

    // alice deletes carol's @alice for herself: gone from alice's list only.
    assert!(matches!(
        s.hide_messages(APP, &ConvRef::group("alice", GID), &["m3".to_owned()])
            .expect("hide"),
        HideOutcome::Hidden(_)
    ));
    assert_eq!(
        at_info(s, "alice"),
        vec![first, at_type::AT_ME, last, at_type::AT_ME]
    );
    // carol deletes bob's first mention for herself; alice keeps it.
    assert!(matches!(
        s.hide_messages(APP, &ConvRef::group("carol", GID), &["m1".to_owned()])
            .expect("hide"),
        HideOutcome::Hidden(_)
    ));
    assert_eq!(at_info(s, "carol"), vec![last, at_type::AT_ME]);
    assert_eq!(
        at_info(s, "alice"),
        vec![first, at_type::AT_ME, last, at_type::AT_ME]
    );
}

for_each_engine!(
    unread_mentions_are_listed_with_their_at_type,
    a_deletion_or_a_cleared_history_empties_it,
    a_revoked_or_hidden_mention_is_not_listed,
);
