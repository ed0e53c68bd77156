//! Fan-out of pushes to every live session of a user.
//!
//! Behind a trait so a NATS-backed hub can later spread pushes across server nodes; this one
//! knows the sessions of this process only. A session receives its pushes in the order
//! [`Hub::push`] was called for its user; callers that need an order (the event log) call it
//! under one lock (see [`crate::publish`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use tim_proto::Push;
use tokio::sync::mpsc;

/// Pushes waiting for one session before it counts as stuck. Room for several full batch
/// deletions (100 pushes each, handed over at once) on top of ordinary traffic, so a session
/// that is reading is never dropped for one; the queue's memory grows only as it fills.
pub const SESSION_QUEUE: usize = 1024;

/// Identifies one connection's login, unique within the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub u64);

impl SessionId {
    pub fn next() -> SessionId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        SessionId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// One push on its way to a session, with its place in the user's event log if it is logged.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub ev: Option<u64>,
    pub push: Push,
}

/// A user of an app: whom pushes are addressed to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserKey {
    pub sdk_app_id: u64,
    pub user_id: String,
}

pub trait Hub: Send + Sync {
    /// From now on `user`'s pushes also go to `tx`.
    fn register(&self, user: &UserKey, session: SessionId, tx: mpsc::Sender<Delivery>);
    fn unregister(&self, user: &UserKey, session: SessionId);
    /// Sends `delivery` to every live session of `user` except `except`. Never blocks.
    fn push(&self, user: &UserKey, except: Option<SessionId>, delivery: &Delivery);
}

/// The in-process hub.
type Sessions = HashMap<UserKey, HashMap<SessionId, mpsc::Sender<Delivery>>>;

#[derive(Default)]
pub struct LocalHub {
    sessions: Mutex<Sessions>,
}

impl LocalHub {
    pub fn new() -> Self {
        Self::default()
    }

    /// Live sessions of `user` (for tests and metrics).
    pub fn session_count(&self, user: &UserKey) -> usize {
        self.lock().get(user).map_or(0, HashMap::len)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sessions> {
        // The map stays consistent even if a holder panicked (every update is one call).
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Hub for LocalHub {
    fn register(&self, user: &UserKey, session: SessionId, tx: mpsc::Sender<Delivery>) {
        self.lock()
            .entry(user.clone())
            .or_default()
            .insert(session, tx);
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
        // A session whose queue is full (a client not reading) or closed is dropped: its
        // receiver then ends, the gateway closes that connection, and the client resyncs on
        // reconnect. Never block the sender on a slow reader.
        sessions.retain(|&id, tx| {
            if Some(id) == except {
                return true;
            }
            match tx.try_send(delivery.clone()) {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(session = id.0, user = %user.user_id, "dropping session: {e}");
                    false
                }
            }
        });
        if sessions.is_empty() {
            map.remove(user);
        }
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
        Delivery {
            ev: None,
            push: Push::Kicked {
                reason: KickReason::UserSigExpired,
            },
        }
    }

    #[test]
    fn pushes_reach_every_session_but_the_excluded_one() {
        let hub = LocalHub::new();
        let (tx1, mut rx1) = mpsc::channel(4);
        let (tx2, mut rx2) = mpsc::channel(4);
        let (s1, s2) = (SessionId::next(), SessionId::next());
        hub.register(&alice(), s1, tx1);
        hub.register(&alice(), s2, tx2);
        hub.push(&alice(), Some(s1), &kicked());
        assert!(rx1.try_recv().is_err());
        assert_eq!(rx2.try_recv().ok(), Some(kicked()));
        hub.push(&alice(), None, &kicked());
        assert!(rx1.try_recv().is_ok());
        assert!(rx2.try_recv().is_ok());
        hub.unregister(&alice(), s1);
        hub.unregister(&alice(), s2);
        assert_eq!(hub.session_count(&alice()), 0);
    }

    #[test]
    fn a_session_that_stops_reading_is_dropped_not_waited_for() {
        let hub = LocalHub::new();
        let (tx, mut rx) = mpsc::channel(1);
        hub.register(&alice(), SessionId::next(), tx);
        hub.push(&alice(), None, &kicked());
        hub.push(&alice(), None, &kicked());
        assert_eq!(hub.session_count(&alice()), 0);
        // The queued push is still delivered, then the channel reports closed.
        assert!(rx.try_recv().is_ok());
        assert!(matches!(
            rx.try_recv(),
            Err(mpsc::error::TryRecvError::Disconnected)
        ));
    }
}
