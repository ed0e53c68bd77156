//! Fan-out of pushes to every live session of a user.
//!
//! Behind a trait so a NATS-backed hub can later spread pushes across server nodes; this one
//! knows the sessions of this process only. A session receives its pushes in the order
//! [`Hub::push`] was called for its user; the event log's pushes are made from one thread, in
//! commit order (see [`crate::publish`] and [`crate::fanout`]).
//!
//! Memory per session is bounded: a push is serialized once and shared by every session of
//! its user ([`Delivery`] holds the frame's text behind an `Arc`), and each session's queue
//! ([`Outbox`]) holds at most `max_queue_bytes` of frames. A session over that has fallen
//! behind: it is dropped from the hub and told through its outbox, and the gateway closes it
//! (60011); the client catches up from the event log when it reconnects.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tim_proto::{Push, ServerFrame};
use tokio::sync::{mpsc, Notify};

/// What a queued frame costs beyond its text (the queue node, the `Arc`, the event number),
/// so that even empty frames count against the bound.
pub const FRAME_OVERHEAD: usize = 64;

/// Identifies one connection's login, unique within the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub u64);

impl SessionId {
    pub fn next() -> SessionId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        SessionId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// One push on its way to sessions, serialized once: its place in the user's event log if it
/// is logged, and the frame's JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub ev: Option<u64>,
    pub frame: Arc<str>,
    pub kind: Kind,
}

/// What a session does with a [`Delivery`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Write the frame.
    Frame,
    /// Event `ev` was this session's own change (answered by a reply): nothing to write, but
    /// the session now has it, so the next event is not taken for a gap.
    Mark,
    /// Pushes may have been lost (the node's NATS link came back): read the log for anything
    /// newer than the session has.
    Check,
}

impl Delivery {
    pub fn new(ev: Option<u64>, push: Push) -> Delivery {
        let frame = ServerFrame::Push { ev, push }.to_json();
        Delivery::text(ev, frame.into())
    }

    /// A push already serialized (one that came from another node).
    pub fn text(ev: Option<u64>, frame: Arc<str>) -> Delivery {
        Delivery {
            ev,
            frame,
            kind: Kind::Frame,
        }
    }

    /// Tells the session that made event `ev` that it has it.
    pub fn mark(ev: u64) -> Delivery {
        Delivery {
            ev: Some(ev),
            frame: Arc::from(""),
            kind: Kind::Mark,
        }
    }

    pub fn check() -> Delivery {
        Delivery {
            ev: None,
            frame: Arc::from(""),
            kind: Kind::Check,
        }
    }

    /// What it costs a queue to hold.
    pub fn cost(&self) -> usize {
        self.frame.len() + FRAME_OVERHEAD
    }
}

/// A user of an app: whom pushes are addressed to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserKey {
    pub sdk_app_id: u64,
    pub user_id: String,
}

/// One session's queue of pushes, bounded in bytes. The hub side adds, the gateway side takes.
#[derive(Debug)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<Delivery>,
    queued: AtomicUsize,
    max_bytes: usize,
    fell_behind: AtomicBool,
    behind: Notify,
}

/// The gateway's end of an [`Outbox`].
#[derive(Debug)]
pub struct Inbox {
    rx: mpsc::UnboundedReceiver<Delivery>,
    outbox: Arc<Outbox>,
}

impl Outbox {
    /// A queue for one session, holding at most `max_bytes` of frames.
    pub fn new(max_bytes: usize) -> (Arc<Outbox>, Inbox) {
        let (tx, rx) = mpsc::unbounded_channel();
        let outbox = Arc::new(Outbox {
            tx,
            queued: AtomicUsize::new(0),
            max_bytes,
            fell_behind: AtomicBool::new(false),
            behind: Notify::new(),
        });
        let inbox = Inbox {
            rx,
            outbox: Arc::clone(&outbox),
        };
        (outbox, inbox)
    }

    /// Queues `delivery`; false (and the session marked as fallen behind) when it does not fit
    /// or the session is gone.
    fn offer(&self, delivery: &Delivery) -> bool {
        let cost = delivery.cost();
        let before = self.queued.fetch_add(cost, Ordering::AcqRel);
        if before + cost > self.max_bytes || self.tx.send(delivery.clone()).is_err() {
            self.queued.fetch_sub(cost, Ordering::AcqRel);
            self.fell_behind.store(true, Ordering::Release);
            self.behind.notify_waiters();
            return false;
        }
        true
    }

    /// Bytes queued and not yet taken by the gateway.
    pub fn queued_bytes(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }

    pub fn fell_behind(&self) -> bool {
        self.fell_behind.load(Ordering::Acquire)
    }

    /// Resolves once the session has fallen behind (its queue overflowed).
    pub async fn wait_fell_behind(&self) {
        loop {
            let notified = self.behind.notified();
            if self.fell_behind() {
                return;
            }
            notified.await;
        }
    }
}

impl Inbox {
    /// The next push; `None` once the session was dropped and its queue is empty.
    pub async fn recv(&mut self) -> Option<Delivery> {
        let delivery = self.rx.recv().await?;
        self.outbox
            .queued
            .fetch_sub(delivery.cost(), Ordering::AcqRel);
        Some(delivery)
    }

    /// The next push if one is queued now, without waiting.
    pub fn try_recv(&mut self) -> Option<Delivery> {
        let delivery = self.rx.try_recv().ok()?;
        self.outbox
            .queued
            .fetch_sub(delivery.cost(), Ordering::AcqRel);
        Some(delivery)
    }

    pub fn outbox(&self) -> &Arc<Outbox> {
        &self.outbox
    }
}

/// Why a session could not register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManySessions {
    pub max: usize,
}

pub trait Hub: Send + Sync {
    /// From now on `user`'s pushes also go to `outbox`, unless the user already has
    /// `max_sessions` live sessions.
    fn register(
        &self,
        user: &UserKey,
        session: SessionId,
        outbox: Arc<Outbox>,
        max_sessions: usize,
    ) -> Result<(), TooManySessions>;
    fn unregister(&self, user: &UserKey, session: SessionId);
    /// Sends `delivery` to every live session of `user` except `except`. Never blocks.
    fn push(&self, user: &UserKey, except: Option<SessionId>, delivery: &Delivery);
    /// Live sessions of `user`.
    fn session_count(&self, user: &UserKey) -> usize;
    /// Whether pushes reach the other nodes: `None` for a hub of one process, else whether
    /// its link to them (NATS) is up now.
    fn link_up(&self) -> Option<bool> {
        None
    }
    /// At a clean stop, after the sessions are closed: hands what is still queued for the
    /// other nodes to them, so the stop loses nothing in flight. Nothing to do in one process.
    fn flush(&self) -> futures::future::BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}

/// The in-process hub.
type Sessions = HashMap<UserKey, HashMap<SessionId, Arc<Outbox>>>;

#[derive(Default)]
pub struct LocalHub {
    sessions: Mutex<Sessions>,
}

impl LocalHub {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every session to read the log for what it may have missed (see [`Kind::Check`]).
    /// A session whose queue is full is left alone: it is being closed anyway.
    pub fn check_all(&self) {
        let check = Delivery::check();
        for sessions in self.lock().values() {
            for outbox in sessions.values() {
                outbox.offer(&check);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sessions> {
        // The map stays consistent even if a holder panicked (every update is one call).
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Hub for LocalHub {
    fn register(
        &self,
        user: &UserKey,
        session: SessionId,
        outbox: Arc<Outbox>,
        max_sessions: usize,
    ) -> Result<(), TooManySessions> {
        let mut map = self.lock();
        let sessions = map.entry(user.clone()).or_default();
        if sessions.len() >= max_sessions {
            return Err(TooManySessions { max: max_sessions });
        }
        sessions.insert(session, outbox);
        Ok(())
    }

    fn unregister(&self, user: &UserKey, session: SessionId) {
        let mut map = self.lock();
        if let Some(sessions) = map.get_mut(user) {
            sessions.remove(&session);
            if sessions.is_empty() {
                map.remove(user);
            }
        }
    }

    fn push(&self, user: &UserKey, except: Option<SessionId>, delivery: &Delivery) {
        let mut map = self.lock();
        let Some(sessions) = map.get_mut(user) else {
            return;
        };
        // A session whose queue is full (a client not reading) or gone is dropped: the gateway
        // closes that connection, and the client resyncs on reconnect. Never block the sender
        // on a slow reader. The excepted session gets a mark of a logged event instead, so
        // that it can tell a lost push (a gap in its numbers) from its own change.
        let mark = delivery.ev.map(Delivery::mark);
        sessions.retain(|&id, outbox| {
            let offered = match (Some(id) == except, &mark) {
                (false, _) => outbox.offer(delivery),
                (true, Some(mark)) => outbox.offer(mark),
                (true, None) => true,
            };
            if offered {
                return true;
            }
            tracing::warn!(
                session = id.0,
                user = %user.user_id,
                queued = outbox.queued_bytes(),
                "dropping a session that fell behind"
            );
            false
        });
        if sessions.is_empty() {
            map.remove(user);
        }
    }

    fn session_count(&self, user: &UserKey) -> usize {
        self.lock().get(user).map_or(0, HashMap::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tim_proto::frame::KickReason;

    fn alice() -> UserKey {
        UserKey {
            sdk_app_id: 1,
            user_id: "alice".into(),
        }
    }

    fn kicked() -> Delivery {
        Delivery::new(
            None,
            Push::Kicked {
                reason: KickReason::UserSigExpired,
            },
        )
    }

    #[test]
    fn pushes_reach_every_session_but_the_excluded_one() {
        let hub = LocalHub::new();
        let (o1, mut rx1) = Outbox::new(1 << 20);
        let (o2, mut rx2) = Outbox::new(1 << 20);
        let (s1, s2) = (SessionId::next(), SessionId::next());
        assert!(hub.register(&alice(), s1, o1, 4).is_ok());
        assert!(hub.register(&alice(), s2, o2, 4).is_ok());
        hub.push(&alice(), Some(s1), &kicked());
        assert!(rx1.rx.try_recv().is_err());
        assert_eq!(rx2.rx.try_recv().ok(), Some(kicked()));
        hub.push(&alice(), None, &kicked());
        assert!(rx1.rx.try_recv().is_ok());
        assert!(rx2.rx.try_recv().is_ok());
        hub.unregister(&alice(), s1);
        hub.unregister(&alice(), s2);
        assert_eq!(hub.session_count(&alice()), 0);
    }

    #[test]
    fn the_excepted_session_gets_a_mark_of_a_logged_event() {
        let hub = LocalHub::new();
        let (o1, mut rx1) = Outbox::new(1 << 20);
        let s1 = SessionId::next();
        assert!(hub.register(&alice(), s1, o1, 4).is_ok());
        let logged = Delivery::new(Some(7), Push::GroupsChanged);
        hub.push(&alice(), Some(s1), &logged);
        assert_eq!(rx1.rx.try_recv().ok(), Some(Delivery::mark(7)));
        hub.check_all();
        assert_eq!(rx1.rx.try_recv().ok(), Some(Delivery::check()));
    }

    #[test]
    fn sessions_share_one_serialized_frame() {
        let hub = LocalHub::new();
        let (o1, mut rx1) = Outbox::new(1 << 20);
        let (o2, mut rx2) = Outbox::new(1 << 20);
        assert!(hub.register(&alice(), SessionId::next(), o1, 4).is_ok());
        assert!(hub.register(&alice(), SessionId::next(), o2, 4).is_ok());
        hub.push(&alice(), None, &kicked());
        let (a, b) = (rx1.rx.try_recv(), rx2.rx.try_recv());
        let (Ok(a), Ok(b)) = (a, b) else {
            panic!("both sessions get the push");
        };
        assert!(Arc::ptr_eq(&a.frame, &b.frame));
    }

    #[test]
    fn a_session_over_its_byte_bound_is_dropped_not_waited_for() {
        let hub = LocalHub::new();
        let one = kicked().cost();
        let (outbox, mut inbox) = Outbox::new(one * 2);
        hub.register(&alice(), SessionId::next(), Arc::clone(&outbox), 4)
            .expect("registers");
        hub.push(&alice(), None, &kicked());
        hub.push(&alice(), None, &kicked());
        assert_eq!(outbox.queued_bytes(), one * 2);
        assert!(!outbox.fell_behind());
        hub.push(&alice(), None, &kicked());
        assert_eq!(hub.session_count(&alice()), 0);
        assert!(outbox.fell_behind());
        // What was queued is still there, and its bytes are given back as it is taken.
        assert!(inbox.rx.try_recv().is_ok());
        assert!(inbox.rx.try_recv().is_ok());
        assert!(inbox.rx.try_recv().is_err());
    }

    #[test]
    fn sessions_per_user_are_capped() {
        let hub = LocalHub::new();
        for _ in 0..2 {
            let (o, _inbox) = Outbox::new(1024);
            assert!(hub.register(&alice(), SessionId::next(), o, 2).is_ok());
        }
        let (o, _inbox) = Outbox::new(1024);
        assert_eq!(
            hub.register(&alice(), SessionId::next(), o, 2),
            Err(TooManySessions { max: 2 })
        );
    }
}
