//! Profiles and blacklists directly on the store, on every engine (SQLite in a tempdir, a
//! private PostgreSQL): what a profile update logs, that messages carry the sender's nick and
//! avatar as of sending, and that a blacklisted sender's one-to-one messages are stored nowhere.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use std::sync::Arc;
use tim_proto::limits::MAX_BLACKLIST;
use tim_proto::model::WireBody;
use tim_proto::profile::{to_text, ProfilePatch, WireProfile};
use tim_proto::Push;
use tim_server::store::{
    BlacklistOutcome, ConvRef, NewMessage, PageOutcome, SendOutcome, Store, StoredMessage,
};

const APP: u64 = 7;

fn open(db: &TestDb) -> Arc<dyn Store> {
    let store = db.open_with_app(APP);
    for user in ["alice", "bob", "carol"] {
        store.ensure_user(APP, user, 1).expect("user");
    }
    store
}

fn send(store: &dyn Store, from: &str, to: &str, id: &str) -> SendOutcome {
    let msg = NewMessage {
        msg_id: id.into(),
        body: WireBody::Text { text: id.into() },
        time: 10,
        need_receipt: false,
    };
    store
        .send_message(APP, &ConvRef::c2c(from, to), &msg)
        .expect("send")
}

fn stored(outcome: SendOutcome) -> StoredMessage {
    match outcome {
        SendOutcome::Stored { message, .. } => message,
        other => panic!("expected Stored, got {other:?}"),
    }
}

fn history(store: &dyn Store, owner: &str, peer: &str) -> Vec<StoredMessage> {
    match store
        .messages(APP, &ConvRef::c2c(owner, peer), None, 100)
        .expect("messages")
    {
        PageOutcome::Page(p) => p.messages,
        PageOutcome::UnknownAnchor => panic!("no anchor was given"),
    }
}

fn latest_event(store: &dyn Store, user: &str) -> u64 {
    store.catch_up(APP, user, None, 1000).expect("log").latest
}

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn change(store: &dyn Store, owner: &str, users: &[&str], add: bool) -> BlacklistOutcome {
    store
        .change_blacklist(APP, owner, &ids(users), add, 20)
        .expect("blacklist")
}

fn profiles_start_empty_and_an_update_is_logged_once_and_carried_by_later_messages(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    let before = stored(send(s, "alice", "bob", "m1"));
    assert_eq!((before.nick.as_str(), before.avatar.as_str()), ("", ""));

    assert_eq!(
        s.profiles(APP, &ids(&["alice", "ghost", "alice", "bob"]))
            .expect("profiles"),
        vec![WireProfile::empty("alice"), WireProfile::empty("bob")],
        "unknown users left out, each user once, in the order named"
    );

    let patch = ProfilePatch {
        nick: Some("Alice".into()),
        avatar: Some("https://x/a.png".into()),
        level: Some(3),
        ..Default::default()
    };
    let (profile, event) = s
        .update_profile(APP, "alice", &patch, 30)
        .expect("update")
        .expect("a known user");
    assert_eq!(profile.nick, "Alice");
    assert_eq!(profile.level, 3);
    assert_eq!(
        profile.gender, "Gender_Type_Unknown",
        "fields not given stay"
    );
    assert_eq!(profile.last_updated_time, 30);
    assert_eq!(event.user_id, "alice");
    assert_eq!(event.push, Push::ProfileUpdated(to_text(&profile)));
    assert_eq!(
        s.profiles(APP, &ids(&["alice"])).expect("again"),
        vec![profile.clone()]
    );
    // A second patch keeps the first one's fields.
    let (second, _) = s
        .update_profile(
            APP,
            "alice",
            &ProfilePatch {
                self_signature: Some("hi".into()),
                ..Default::default()
            },
            31,
        )
        .expect("update")
        .expect("known");
    assert_eq!(
        (second.nick.as_str(), second.self_signature.as_str()),
        ("Alice", "hi")
    );

    assert!(
        s.update_profile(APP, "ghost", &patch, 30)
            .expect("update")
            .is_none(),
        "an unknown user gets no profile"
    );
    assert!(s.profiles(APP, &ids(&["ghost"])).expect("ghost").is_empty());

    // Catch-up replays the update once, after what came before.
    let missed = s
        .catch_up(APP, "alice", Some(event.ev - 1), 1000)
        .expect("log");
    assert_eq!(missed.missed.len(), 2, "{:?}", missed.missed);
    assert_eq!(missed.missed[0].push, event.push);

    // Messages carry the sender's nick and avatar as of sending: the old one keeps none.
    let after = stored(send(s, "alice", "bob", "m2"));
    assert_eq!(
        (after.nick.as_str(), after.avatar.as_str()),
        ("Alice", "https://x/a.png")
    );
    let seen = history(s, "bob", "alice");
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[0].nick.as_str(), seen[1].nick.as_str()),
        ("", "Alice")
    );
    assert_eq!(seen[1].to_wire("bob").avatar, "https://x/a.png");
    // Bob's replay of the message has it too.
    let bob = s.catch_up(APP, "bob", Some(0), 1000).expect("bob's log");
    let Some(Push::Message { message }) = bob.missed.last().map(|e| e.push.clone()) else {
        panic!("bob's last event is the message: {:?}", bob.missed);
    };
    assert_eq!(
        (message.id.as_str(), message.nick.as_str()),
        ("m2", "Alice")
    );
}

fn a_blacklisted_senders_messages_are_stored_nowhere_and_the_blacklister_still_sends(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    assert!(s.blacklist(APP, "alice").expect("list").is_empty());
    let names = |owner: &str| -> Vec<String> {
        s.blacklist(APP, owner)
            .expect("list")
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    };

    let BlacklistOutcome::Changed {
        changed,
        list,
        event,
    } = change(s, "alice", &["bob", "carol"], true)
    else {
        panic!("not full");
    };
    assert_eq!(
        (changed, list.clone()),
        (ids(&["bob", "carol"]), ids(&["bob", "carol"]))
    );
    let event = event.expect("logged");
    assert_eq!(event.push, Push::BlacklistUpdated(ids(&["bob", "carol"])));
    // Again (and a new one): only the new one changes; the list keeps its order.
    let BlacklistOutcome::Changed { changed, list, .. } = change(s, "alice", &["bob", "dan"], true)
    else {
        panic!("not full");
    };
    assert_eq!(
        (changed, list),
        (ids(&["dan"]), ids(&["bob", "carol", "dan"]))
    );
    let BlacklistOutcome::Changed { event, .. } = change(s, "alice", &["bob"], true) else {
        panic!("not full");
    };
    assert!(event.is_none(), "nothing changed: nothing logged");
    assert!(names("bob").is_empty(), "lists are per owner");
    assert_eq!(names("alice"), ids(&["bob", "carol", "dan"]));
    let times = s.blacklist(APP, "alice").expect("list");
    assert!(times.iter().all(|(_, at)| *at == 20), "{times:?}");

    let (bob_ev, alice_ev) = (latest_event(s, "bob"), latest_event(s, "alice"));
    assert_eq!(send(s, "bob", "alice", "x1"), SendOutcome::Blocked);
    assert!(
        history(s, "bob", "alice").is_empty(),
        "not in the sender's history"
    );
    assert!(history(s, "alice", "bob").is_empty(), "nor the recipient's");
    assert!(s.conversations(APP, "alice").expect("list").is_empty());
    assert!(s.conversations(APP, "bob").expect("list").is_empty());
    assert_eq!(
        (latest_event(s, "bob"), latest_event(s, "alice")),
        (bob_ev, alice_ev),
        "nothing logged for anyone"
    );

    // The blacklister can still send to them, and it reaches them.
    stored(send(s, "alice", "bob", "a1"));
    assert_eq!(history(s, "bob", "alice").len(), 1);
    // Others are not blocked.
    stored(send(s, "erin", "alice", "e1"));

    let BlacklistOutcome::Changed {
        changed,
        list,
        event,
    } = change(s, "alice", &["bob", "zed"], false)
    else {
        panic!("a removal is never full");
    };
    assert_eq!(
        (changed, list.clone()),
        (ids(&["bob"]), ids(&["carol", "dan"]))
    );
    assert_eq!(event.expect("logged").push, Push::BlacklistUpdated(list));
    // The same ID is not taken: the refused message was stored nowhere.
    let back = stored(send(s, "bob", "alice", "x1"));
    assert_eq!(back.seq, 2);
}

fn a_blacklist_holds_at_most_tencents_limit_and_a_refused_add_changes_nothing(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    let many: Vec<String> = (0..MAX_BLACKLIST).map(|i| format!("u{i}")).collect();
    assert!(matches!(
        s.change_blacklist(APP, "alice", &many, true, 20)
            .expect("fill"),
        BlacklistOutcome::Changed { .. }
    ));
    let ev = latest_event(s, "alice");
    assert_eq!(
        change(s, "alice", &["bob", "u0"], true),
        BlacklistOutcome::Full
    );
    let list: Vec<String> = s
        .blacklist(APP, "alice")
        .expect("list")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(list, many, "nothing added");
    assert_eq!(latest_event(s, "alice"), ev, "nothing logged");
    assert_eq!(send(s, "u7", "alice", "m"), SendOutcome::Blocked);
    stored(send(s, "bob", "alice", "m"));
}

for_each_engine!(
    profiles_start_empty_and_an_update_is_logged_once_and_carried_by_later_messages,
    a_blacklisted_senders_messages_are_stored_nowhere_and_the_blacklister_still_sends,
    a_blacklist_holds_at_most_tencents_limit_and_a_refused_add_changes_nothing,
);
