//! Fair fan-out (issue 13): delivering to a large group happens off the request path. A hub
//! whose pushes to one member hang stands in for a fan-out that takes long: while it hangs,
//! the group's sender is answered, and other users' sends, deletions and reads are answered
//! too. Once it goes on, every listening session has received each of its user's events
//! exactly once, in log order (also a user with small changes queued behind the large one).
//!
//! Nothing here measures time (the bound on others' p99 is a benchmark, bench/): the timeouts
//! only turn a hang into a failure.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use tim_proto::model::WireBody;
use tim_proto::{Reply, Request};
use tim_server::hub::{
    Delivery, Hub, Inbox, LocalHub, Outbox, SessionId, TooManySessions, UserKey,
};
use tim_server::service::{Identity, Service};
use tim_server::store::{App, SqliteStore, Store};

const APP: u64 = 1_400_000_009;
/// Group members besides the owner (one createGroup takes at most 500 names).
const MEMBERS: usize = 499;
/// Long enough for anything on a loaded machine; only reached when something hangs.
const WAIT: Duration = Duration::from_secs(20);

/// A local hub whose pushes to `gated` wait until the gate opens.
struct GatedHub {
    inner: LocalHub,
    gated: String,
    open: Mutex<bool>,
    opened: Condvar,
    /// Pushes waiting at the gate.
    waiting: Mutex<usize>,
}

impl GatedHub {
    fn set(&self, open: bool) {
        *self.open.lock().unwrap() = open;
        self.opened.notify_all();
    }

    fn waiting(&self) -> usize {
        *self.waiting.lock().unwrap()
    }
}

impl Hub for GatedHub {
    fn register(
        &self,
        user: &UserKey,
        session: SessionId,
        outbox: Arc<Outbox>,
        max_sessions: usize,
    ) -> Result<(), TooManySessions> {
        self.inner.register(user, session, outbox, max_sessions)
    }

    fn unregister(&self, user: &UserKey, session: SessionId) {
        self.inner.unregister(user, session);
    }

    fn push(&self, user: &UserKey, except: Option<SessionId>, delivery: &Delivery) {
        if user.user_id == self.gated {
            *self.waiting.lock().unwrap() += 1;
            let mut open = self.open.lock().unwrap();
            while !*open {
                open = self.opened.wait(open).unwrap();
            }
            drop(open);
            *self.waiting.lock().unwrap() -= 1;
        }
        self.inner.push(user, except, delivery);
    }

    fn session_count(&self, user: &UserKey) -> usize {
        self.inner.session_count(user)
    }
}

fn key(user: &str) -> UserKey {
    UserKey {
        sdk_app_id: APP,
        user_id: user.into(),
    }
}

/// Who makes requests: a session never registered with the hub, so that every registered
/// listener hears each of its user's events.
fn who(user: &str) -> Identity {
    Identity {
        user: key(user),
        session: SessionId::next(),
    }
}

fn member(i: usize) -> String {
    format!("m{i:03}")
}

async fn ask(service: &Service, user: &str, request: Request) -> Reply {
    let op = request.op();
    tokio::time::timeout(WAIT, service.handle(&who(user), request))
        .await
        .unwrap_or_else(|_| panic!("{user}'s {op} was not answered: blocked behind the fan-out"))
        .unwrap_or_else(|e| panic!("{user}'s {op} failed: {e:?}"))
}

async fn send(service: &Service, from: &str, conversation: &str, id: &str) {
    let reply = ask(
        service,
        from,
        Request::SendMessage {
            conversation_id: conversation.into(),
            id: id.into(),
            body: WireBody::Text { text: id.into() },
            need_read_receipt: false,
        },
    )
    .await;
    assert!(matches!(reply, Reply::Sent { .. }), "{reply:?}");
}

/// Takes pushes until the listener has event `latest`; returns the event numbers it got.
async fn heard(inbox: &mut Inbox, latest: u64) -> Vec<u64> {
    let mut evs = Vec::new();
    while evs.last().copied().unwrap_or(0) < latest {
        let delivery = tokio::time::timeout(WAIT, inbox.recv())
            .await
            .expect("the fan-out delivers every event")
            .expect("the session stays registered");
        evs.extend(delivery.ev);
    }
    evs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_group_is_delivered_off_the_request_path_in_log_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("tim.db")).unwrap();
    store
        .create_app(&App {
            sdk_app_id: APP,
            secret_key: "k".repeat(32),
            admin_identifier: "administrator".into(),
            sync_conversation_deletion: true,
            created_at: 0,
        })
        .unwrap();
    let members: Vec<String> = (0..MEMBERS).map(member).collect();
    for user in members
        .iter()
        .map(String::as_str)
        .chain(["owner", "x", "y"])
    {
        store.ensure_user(APP, user, 0).unwrap();
    }
    let hub = Arc::new(GatedHub {
        inner: LocalHub::new(),
        gated: member(0),
        open: Mutex::new(true),
        opened: Condvar::new(),
        waiting: Mutex::new(0),
    });
    let service = Service::new(Arc::new(store), hub.clone());

    // Listeners: the owner, the gated member, the last member, and two users outside the group.
    let listened = [
        "owner".to_owned(),
        member(0),
        member(MEMBERS - 1),
        "x".into(),
        "y".into(),
    ];
    let mut inboxes = Vec::new();
    for user in &listened {
        let (outbox, inbox) = Outbox::new(64 << 20);
        hub.register(&key(user), SessionId::next(), outbox, 4)
            .unwrap();
        inboxes.push(inbox);
    }

    let created = ask(
        &service,
        "owner",
        Request::CreateGroup {
            group_id: Some("big".into()),
            name: "big".into(),
            kind: "Private".into(),
            member_list: members.clone(),
        },
    )
    .await;
    assert!(matches!(created, Reply::Group { .. }), "{created:?}");
    send(&service, "x", "C2Cy", "before").await;

    // The fan-out now hangs at the first member it reaches.
    hub.set(false);
    send(&service, "owner", "GROUPbig", "g1").await;
    for round in 0..3 {
        // Others are served while the group's fan-out cannot go on: a send (group commit), a
        // deletion (a change of its own), a read.
        send(&service, "x", "C2Cy", &format!("x{round}")).await;
        // A small change for a user whose events are queued goes behind them.
        send(&service, "owner", "C2Cy", &format!("o{round}")).await;
        ask(
            &service,
            "y",
            Request::DeleteConversation {
                conversation_id: "C2Cx".into(),
                op_id: None,
                up_to_seq: None,
            },
        )
        .await;
        ask(&service, "y", Request::GetConversationList).await;
        // More to the group, queued behind the first.
        send(
            &service,
            member(MEMBERS - 1).as_str(),
            "GROUPbig",
            &format!("g{}", round + 2),
        )
        .await;
    }
    assert_eq!(
        hub.waiting(),
        1,
        "the answers above came while the fan-out waited at the gate"
    );

    hub.set(true);
    for (user, inbox) in listened.iter().zip(&mut inboxes) {
        let latest = service.catch_up(&key(user), None).await.unwrap().latest;
        assert!(latest > 0, "{user} has events");
        let evs = heard(inbox, latest).await;
        let expected: Vec<u64> = (1..=latest).collect();
        assert_eq!(evs, expected, "{user} hears every event once, in log order");
    }
}
