//! Issue 16's uploaded files, directly on the store, on every engine: who may fetch a file
//! before and after a message links to it, and how that follows each user's view of the
//! conversation (deletion, deleteMessage, revoking, leaving a group).

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use tim_proto::model::{image_format, WireBody};
use tim_server::store::{
    ConvRef, DeleteMode, EditOutcome, FileKind, FileRecord, GroupType, MessageEdit, NewGroup,
    NewMessage, SendOutcome, Store,
};

const APP: u64 = 7;

fn record(id: &str, uploader: &str, conv: &ConvRef, kind: FileKind) -> FileRecord {
    FileRecord {
        file_id: id.into(),
        uploader: uploader.into(),
        conv_key: conv.conv_key.clone(),
        kind,
        content_type: "image/png".into(),
        name: "a.png".into(),
        size: 1234,
        width: 3,
        height: 2,
        time: 100,
    }
}

fn image(id: &str) -> WireBody {
    WireBody::Image {
        file_id: id.into(),
        image_format: image_format::PNG,
        size: 1234,
        width: 3,
        height: 2,
    }
}

/// Sends `body` as message `msg_id` and returns its seq.
fn send(s: &dyn Store, conv: &ConvRef, msg_id: &str, body: WireBody, time: i64) -> u64 {
    let msg = NewMessage {
        msg_id: msg_id.into(),
        body,
        time,
        need_receipt: false,
    };
    let outcome = if conv.is_group() {
        s.send_group_message(APP, conv, &msg).unwrap().unwrap()
    } else {
        s.send_message(APP, conv, &msg).unwrap()
    };
    match outcome {
        SendOutcome::Stored { message, .. } => message.seq,
        other => panic!("not stored: {other:?}"),
    }
}

fn sees(s: &dyn Store, file_id: &str, viewer: &str) -> bool {
    s.visible_file(APP, file_id, viewer).unwrap().is_some()
}

fn an_unsent_upload_is_its_uploaders_alone(db: TestDb) {
    let s = db.open_with_app(APP);
    let conv = ConvRef::c2c("alice", "bob");
    let f = record("f1", "alice", &conv, FileKind::Image);
    s.add_file(APP, &f).unwrap();
    assert_eq!(s.file(APP, "f1").unwrap(), Some(f.clone()));
    assert_eq!(s.file(APP, "nope").unwrap(), None);
    assert_eq!(s.file(APP + 1, "f1").unwrap(), None);
    assert_eq!(s.visible_file(APP, "f1", "alice").unwrap(), Some(f));
    assert!(!sees(s.as_ref(), "f1", "bob"));
    assert!(!sees(s.as_ref(), "f1", "carol"));
    // A file record reads back whole (a file's kind and name too).
    let doc = FileRecord {
        content_type: "application/pdf".into(),
        name: "报告 v2.pdf".into(),
        width: 0,
        height: 0,
        ..record("f2", "alice", &conv, FileKind::File)
    };
    s.add_file(APP, &doc).unwrap();
    assert_eq!(s.file(APP, "f2").unwrap(), Some(doc));
}

fn a_linked_file_follows_each_viewers_view(db: TestDb) {
    let s = db.open_with_app(APP);
    let alice = ConvRef::c2c("alice", "bob");
    let bob = ConvRef::c2c("bob", "alice");
    s.add_file(APP, &record("f1", "alice", &alice, FileKind::Image))
        .unwrap();
    let seq = send(s.as_ref(), &alice, "m1", image("f1"), 1000);
    s.link_file(APP, "f1", seq).unwrap();
    s.link_file(APP, "f1", seq).unwrap(); // a repeat changes nothing
    assert_eq!(db.count("SELECT COUNT(*) FROM file_links"), 1);
    assert!(sees(s.as_ref(), "f1", "alice"));
    assert!(sees(s.as_ref(), "f1", "bob"));
    assert!(!sees(s.as_ref(), "f1", "carol"));
    // The body is stored as sent.
    let stored = s.conversation(APP, &bob).unwrap().unwrap();
    assert_eq!(stored.last_message.map(|m| m.body), Some(image("f1")));

    // Bob deletes the conversation: the file is gone for him, not for Alice; a new message
    // that brings the conversation back does not bring the old file back.
    s.delete_conversation(APP, &bob, DeleteMode::ClearHistory, 1001)
        .unwrap();
    assert!(!sees(s.as_ref(), "f1", "bob"));
    assert!(sees(s.as_ref(), "f1", "alice"));
    send(
        s.as_ref(),
        &alice,
        "m2",
        WireBody::Text { text: "hi".into() },
        1002,
    );
    assert!(s.conversation(APP, &bob).unwrap().is_some());
    assert!(!sees(s.as_ref(), "f1", "bob"));

    // Alice deletes just that message (deleteMessage): gone for her too.
    s.hide_messages(APP, &alice, &["m1".into()]).unwrap();
    assert!(!sees(s.as_ref(), "f1", "alice"));
}

fn a_second_message_keeps_a_file_for_whoever_still_holds_it(db: TestDb) {
    let s = db.open_with_app(APP);
    let alice = ConvRef::c2c("alice", "bob");
    s.add_file(APP, &record("f1", "alice", &alice, FileKind::Image))
        .unwrap();
    let first = send(s.as_ref(), &alice, "m1", image("f1"), 1000);
    let second = send(s.as_ref(), &alice, "m2", image("f1"), 1001);
    s.link_file(APP, "f1", first).unwrap();
    s.link_file(APP, "f1", second).unwrap();
    // Bob hides the first: the second still links it for him.
    s.hide_messages(APP, &ConvRef::c2c("bob", "alice"), &["m1".into()])
        .unwrap();
    assert!(sees(s.as_ref(), "f1", "bob"));
    s.hide_messages(APP, &ConvRef::c2c("bob", "alice"), &["m2".into()])
        .unwrap();
    assert!(!sees(s.as_ref(), "f1", "bob"));
    assert!(sees(s.as_ref(), "f1", "alice"));
}

fn group_files_are_for_current_members_and_gone_when_revoked(db: TestDb) {
    let s = db.open_with_app(APP);
    let group = NewGroup {
        group_id: "g1".into(),
        name: "G".into(),
        kind: GroupType::Public,
        owner: "alice".into(),
        members: vec!["bob".into(), "carol".into()],
    };
    assert!(s.create_group(APP, &group, 10).unwrap().is_ok());
    let conv = ConvRef::group("alice", "g1");
    s.add_file(APP, &record("f1", "alice", &conv, FileKind::Image))
        .unwrap();
    let seq = send(s.as_ref(), &conv, "g-m1", image("f1"), 1000);
    s.link_file(APP, "f1", seq).unwrap();
    for member in ["alice", "bob", "carol"] {
        assert!(sees(s.as_ref(), "f1", member), "{member}");
    }
    assert!(!sees(s.as_ref(), "f1", "dave"));
    // Carol leaves: a group she is not in holds no files for her.
    assert!(s.quit_group(APP, "g1", "carol", 1001).unwrap().is_ok());
    assert!(!sees(s.as_ref(), "f1", "carol"));
    assert!(sees(s.as_ref(), "f1", "bob"));
    // A revoked message links to nothing, for anyone.
    let revoke = MessageEdit::Revoke {
        time_limited: false,
    };
    s.edit_message(APP, &conv, "g-m1", &revoke, 1002).unwrap();
    assert!(!sees(s.as_ref(), "f1", "alice"));
    assert!(!sees(s.as_ref(), "f1", "bob"));
}

fn an_image_message_cannot_be_modified_into_text(db: TestDb) {
    let s = db.open_with_app(APP);
    let alice = ConvRef::c2c("alice", "bob");
    s.add_file(APP, &record("f1", "alice", &alice, FileKind::Image))
        .unwrap();
    let seq = send(s.as_ref(), &alice, "m1", image("f1"), 1000);
    s.link_file(APP, "f1", seq).unwrap();
    let modify = MessageEdit::Modify(WireBody::Text { text: "x".into() });
    let outcome = s.edit_message(APP, &alice, "m1", &modify, 1001).unwrap();
    assert!(matches!(outcome, EditOutcome::NotText), "{outcome:?}");
    let stored = s.conversation(APP, &alice).unwrap().unwrap();
    assert_eq!(stored.last_message.map(|m| m.body), Some(image("f1")));
}

fn stale_uploads_and_their_bytes_are_purged(db: TestDb) {
    let s = db.open_with_app(APP);
    let alice = ConvRef::c2c("alice", "bob");
    let at = |id: &str, time: i64| FileRecord {
        time,
        ..record(id, "alice", &alice, FileKind::Image)
    };
    // Old and never sent; fresh and never sent; old and sent.
    for (id, time) in [("old", 10), ("fresh", 1000), ("sent", 10)] {
        s.add_file(APP, &at(id, time)).unwrap();
    }
    let seq = send(s.as_ref(), &alice, "m1", image("sent"), 1000);
    s.link_file(APP, "sent", seq).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let blobs = tim_server::files::disk::Blobs::new(dir.path().to_path_buf());
    for id in ["old", "fresh", "sent"] {
        let path = blobs.path(APP, id);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"x").unwrap();
    }
    assert_eq!(
        s.take_stale_files(500, 100).unwrap(),
        vec![(APP, "old".to_owned())]
    );
    assert_eq!(s.file(APP, "old").unwrap(), None);
    assert!(s.file(APP, "fresh").unwrap().is_some());
    // Once every message linking it is purged (invisible to both, old), the file goes too,
    // bytes included, through the purge task's own step.
    s.delete_conversation(APP, &alice, DeleteMode::ClearHistory, 1001)
        .unwrap();
    s.delete_conversation(
        APP,
        &ConvRef::c2c("bob", "alice"),
        DeleteMode::ClearHistory,
        1001,
    )
    .unwrap();
    assert_eq!(s.purge_invisible(100, 2000).unwrap(), 1);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let gone = rt.block_on(tim_server::purge::purge_files_once(&s, &blobs));
    assert!(gone >= 1, "{gone}");
    assert_eq!(s.file(APP, "sent").unwrap(), None);
    assert!(!blobs.path(APP, "sent").exists());
    assert_eq!(db.count("SELECT COUNT(*) FROM file_links"), 0);
}

for_each_engine!(
    stale_uploads_and_their_bytes_are_purged,
    an_image_message_cannot_be_modified_into_text,
    an_unsent_upload_is_its_uploaders_alone,
    a_linked_file_follows_each_viewers_view,
    a_second_message_keeps_a_file_for_whoever_still_holds_it,
    group_files_are_for_current_members_and_gone_when_revoked,
);
