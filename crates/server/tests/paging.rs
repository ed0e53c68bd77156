//! Issue 13's paging: getConversationList and the login's catch-up come in bounded pages, and
//! the pages put together are exactly the unpaged answer, in the same order. On the store and
//! through the service, on every engine (a real SQLite file, a private PostgreSQL).

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use std::sync::Arc;
use tim_proto::frame::LoggedEvent;
use tim_proto::model::{WireBody, WireConversation};
use tim_proto::{ErrorCode, Reply, Request};
use tim_server::hub::{LocalHub, SessionId, UserKey};
use tim_server::service::{Identity, Pages, Service};
use tim_server::store::{
    App, ConvRef, ConversationView, DeleteMode, ListKey, NewMessage, SendOutcome, Store,
};

const APP: u64 = 7;
/// More than any page size tried below, so that a whole catch-up is one read.
const ALL: u32 = 1000;

fn open(db: &TestDb) -> Arc<dyn Store> {
    let s = db.open();
    s.create_app(&App {
        sdk_app_id: APP,
        secret_key: "k".into(),
        admin_identifier: "administrator".into(),
        sync_conversation_deletion: true,
        created_at: 0,
    })
    .expect("app");
    s
}

fn send(s: &dyn Store, from: &str, to: &str, id: &str, time: i64) {
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
        SendOutcome::Stored { .. } => {}
        other => panic!("expected Stored, got {other:?}"),
    }
}

fn peer(i: usize) -> String {
    format!("p{i:02}")
}

/// Alice with `n` conversations: three messages a second (so ties in `update_time` are broken
/// by activity), some from her, two pinned, one cleared; every one of them logged for her.
fn seed(s: &dyn Store, n: usize) {
    for i in 0..n {
        let time = 100 + (i / 3) as i64;
        if i % 4 == 0 {
            send(s, "alice", &peer(i), &format!("a{i}"), time);
        } else {
            send(s, &peer(i), "alice", &format!("m{i}"), time);
        }
    }
    for i in [3, n / 2] {
        s.pin_conversation(APP, &ConvRef::c2c("alice", &peer(i)), true, 500)
            .expect("pin");
    }
    s.clear_history(APP, &ConvRef::c2c("alice", &peer(1)), 501)
        .expect("clear");
}

fn ids(list: &[ConversationView]) -> Vec<String> {
    list.iter().map(|c| c.conversation_id.clone()).collect()
}

/// Every page of alice's list at `limit`, following each page's cursor.
fn pages(s: &dyn Store, limit: u32) -> Vec<Vec<ConversationView>> {
    let mut out = Vec::new();
    let mut after: Option<ListKey> = None;
    loop {
        let page = s
            .conversation_page(APP, "alice", after.as_ref(), limit)
            .expect("page");
        assert!(page.conversations.len() <= limit as usize, "bounded");
        let last = page.next.is_none();
        if !last {
            assert_eq!(
                page.conversations.len(),
                limit as usize,
                "only the last is short"
            );
        }
        out.push(page.conversations);
        if last {
            return out;
        }
        after = page.next;
        assert!(out.len() <= 1000, "the pages never end");
    }
}

fn a_paged_list_is_the_unpaged_list_in_order(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    const N: usize = 25;
    seed(s, N);
    let whole = s.conversations(APP, "alice").expect("list");
    assert_eq!(whole.len(), N);
    // Pinned first, as the list orders them: the pages must keep that order too.
    assert!(whole[0].pinned && whole[1].pinned && !whole[2].pinned);
    for limit in [1u32, 2, 7, 24, 25, 26, 100] {
        let got = pages(s, limit);
        let expected_pages = N.div_ceil(limit as usize);
        assert_eq!(got.len(), expected_pages, "page count at {limit}");
        let flat: Vec<ConversationView> = got.into_iter().flatten().collect();
        assert_eq!(flat, whole, "pages of {limit} put together");
    }
    // The page size exceeded by one: a full page, then one conversation.
    let by_24 = pages(s, 24);
    assert_eq!((by_24[0].len(), by_24[1].len()), (24, 1));
    // Exactly one page's worth: no empty page after it.
    assert_eq!(pages(s, 25).len(), 1);
    // Nobody's list: one empty page.
    let empty = s.conversation_page(APP, "nobody", None, 5).expect("page");
    assert_eq!((empty.conversations.len(), empty.next), (0, None));
}

fn a_list_changing_between_pages_repeats_and_loses_only_what_changed(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    seed(s, 12);
    let before = ids(&s.conversations(APP, "alice").expect("list"));
    let first = s.conversation_page(APP, "alice", None, 3).expect("page");
    let mut seen = ids(&first.conversations);
    // Between pages: the first page's last entry is deleted, the list's last conversation gets
    // a message (it moves to the top, before the cursor), a middle one is pinned (moves up too).
    let deleted = seen[2].clone();
    let moved = before[before.len() - 1].clone();
    let pinned = before[7].clone();
    s.delete_conversation(
        APP,
        &ConvRef::c2c("alice", deleted.trim_start_matches("C2C")),
        DeleteMode::ClearHistory,
        600,
    )
    .expect("delete");
    send(s, moved.trim_start_matches("C2C"), "alice", "late", 700);
    s.pin_conversation(
        APP,
        &ConvRef::c2c("alice", pinned.trim_start_matches("C2C")),
        true,
        800,
    )
    .expect("pin");
    let mut after = first.next;
    while let Some(key) = after {
        let page = s
            .conversation_page(APP, "alice", Some(&key), 3)
            .expect("page");
        seen.extend(ids(&page.conversations));
        after = page.next;
    }
    // Every conversation that did not change is in exactly one page; the changed ones are the
    // session's to fetch again (it was pushed their change).
    for id in &before {
        let times = seen.iter().filter(|s| *s == id).count();
        if [&deleted, &moved, &pinned].contains(&id) {
            assert!(times <= 1, "{id} seen {times} times");
        } else {
            assert_eq!(times, 1, "{id} unchanged, seen {times} times in {seen:?}");
        }
    }
}

/// Alice's log after `after`, page by page at `page`: the events, and how many pages.
fn catch_up_pages(s: &dyn Store, after: u64, page: u32) -> (Vec<LoggedEvent>, usize) {
    let mut events = Vec::new();
    let mut at = after;
    let mut n = 0;
    loop {
        let c = s
            .catch_up_page(APP, "alice", Some(at), ALL, page)
            .expect("catch up");
        assert!(!c.resync_required);
        assert!(c.missed.len() <= page as usize, "bounded");
        n += 1;
        if let Some(last) = c.missed.last() {
            at = last.ev;
        }
        events.extend(c.missed);
        if !c.more {
            assert_eq!(at, c.latest, "the last page ends at the newest event");
            return (events, n);
        }
        assert!(n <= 1000, "the pages never end");
    }
}

fn a_paged_catch_up_is_the_unpaged_catch_up_in_order(db: TestDb) {
    let s = open(&db);
    let s = s.as_ref();
    seed(s, 20);
    let latest = s.catch_up(APP, "alice", None, ALL).expect("latest").latest;
    // 20 messages, 2 pins, 1 clear.
    assert_eq!(latest, 23);
    for after in [0u64, 5] {
        let whole = s.catch_up(APP, "alice", Some(after), ALL).expect("whole");
        assert!(!whole.more && !whole.resync_required);
        let span = (latest - after) as u32;
        assert_eq!(whole.missed.len() as u32, span);
        for page in [1, 2, 7, span - 1, span, span + 1] {
            let (events, n) = catch_up_pages(s, after, page);
            assert_eq!(events, whole.missed, "after {after}, pages of {page}");
            assert_eq!(n, span.div_ceil(page) as usize, "page count at {page}");
        }
        // Exceeded by one: a full page with `more`, then the one left.
        let first = s
            .catch_up_page(APP, "alice", Some(after), ALL, span - 1)
            .expect("first");
        assert!(first.more);
        assert_eq!(first.missed.len() as u32, span - 1);
    }
    // Paging does not lift the bound on the whole catch-up: too far behind still resyncs.
    let far = s.catch_up_page(APP, "alice", Some(0), 10, 3).expect("far");
    assert!(far.resync_required && far.missed.is_empty() && !far.more);
    // Nothing missed: one empty page.
    let none = s
        .catch_up_page(APP, "alice", Some(latest), ALL, 3)
        .expect("none");
    assert!(none.missed.is_empty() && !none.more && !none.resync_required);
    // The log trimmed between two pages: the next page asks for a resync, never a gap.
    let page1 = s
        .catch_up_page(APP, "alice", Some(0), ALL, 4)
        .expect("page 1");
    assert!(page1.more);
    assert!(s.trim_events(0, i64::MAX, 1000).expect("trim") > 0);
    let page2 = s
        .catch_up_page(APP, "alice", Some(4), ALL, 4)
        .expect("page 2");
    assert!(page2.resync_required && page2.missed.is_empty());
}

fn who(user: &str) -> Identity {
    Identity {
        user: UserKey {
            sdk_app_id: APP,
            user_id: user.into(),
        },
        session: SessionId::next(),
    }
}

async fn ask(service: &Service, request: Request) -> Result<Reply, ErrorCode> {
    service
        .handle(&who("alice"), request)
        .await
        .map_err(|e| e.code)
}

/// getConversationList, then getMoreConversations until no cursor comes: the pages.
async fn list_pages(service: &Service) -> Vec<Vec<WireConversation>> {
    let mut out = Vec::new();
    let mut request = Request::GetConversationList;
    loop {
        let Ok(Reply::ConversationList {
            conversations,
            cursor,
        }) = ask(service, request).await
        else {
            panic!("not a conversation list");
        };
        out.push(conversations);
        match cursor {
            Some(cursor) => request = Request::GetMoreConversations { cursor },
            None => return out,
        }
    }
}

fn the_service_answers_in_pages_what_one_page_answered(db: TestDb) {
    let store = open(&db);
    seed(store.as_ref(), 11);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let hub = || Arc::new(LocalHub::new());
        // The protocol's own page sizes hold all of it at once: what the list was before.
        let unpaged = Service::new(Arc::clone(&store), hub());
        let paged =
            Service::new(Arc::clone(&store), hub()).with_pages(Pages { list: 4, events: 3 });
        let whole = list_pages(&unpaged).await;
        assert_eq!(whole.len(), 1);
        let whole = whole.concat();
        assert_eq!(whole.len(), 11);
        let got = list_pages(&paged).await;
        assert_eq!(got.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 3]);
        assert_eq!(got.concat(), whole, "profiles and remind types included");

        // A cursor no answer gave is refused, not guessed at.
        for bad in ["", "x", "1:2"] {
            let r = ask(&paged, Request::GetMoreConversations { cursor: bad.into() }).await;
            assert_eq!(r, Err(ErrorCode::InvalidParameter), "{bad:?}");
        }

        // The catch-up: the login's page, then getMissed until `more` is false.
        let user = who("alice").user;
        let all = unpaged.catch_up(&user, Some(2)).await.expect("whole");
        assert!(!all.more);
        let first = paged.catch_up(&user, Some(2)).await.expect("first page");
        assert_eq!((first.missed.len(), first.more), (3, true));
        let mut events = first.missed;
        let mut pages = 1;
        loop {
            let after = events.last().map_or(2, |e| e.ev);
            let Ok(Reply::Missed {
                missed,
                more,
                resync_required,
            }) = ask(&paged, Request::GetMissed { after }).await
            else {
                panic!("not a missed page");
            };
            assert!(!resync_required && missed.len() <= 3);
            events.extend(missed);
            pages += 1;
            if !more {
                break;
            }
        }
        assert_eq!(events, all.missed);
        // 11 messages, 2 pins, 1 clear, after 2: 12 events in pages of 3.
        assert_eq!((events.len(), pages), (12, 4));
        // The unpaged read a gap fill makes is the same events.
        let gap = paged.log_after(&user, 2).await.expect("log");
        assert_eq!(gap.missed, all.missed);
    });
}

for_each_engine!(
    a_paged_list_is_the_unpaged_list_in_order,
    a_list_changing_between_pages_repeats_and_loses_only_what_changed,
    a_paged_catch_up_is_the_unpaged_catch_up_in_order,
    the_service_answers_in_pages_what_one_page_answered,
);
