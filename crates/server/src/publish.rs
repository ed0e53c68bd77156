//! Committing a change and publishing its event-log entries as one step.
//!
//! Two requests on different connections can commit one after the other and then race to the
//! hub: if each pushed after its commit returned, the second commit's push could overtake the
//! first's, and a session would see events out of log order. Here the commit and the hub sends
//! happen under one lock, so the order of hub sends is the commit order, which is the order of
//! every user's event numbers. Hub sends never block (a stuck session is dropped instead), so
//! the lock is held for about as long as the commit itself, which SQLite serialises anyway.

use crate::hub::{Delivery, Hub, SessionId, UserKey};
use crate::store::{Store, StoreResult, UserEvent};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

pub struct Publisher {
    hub: Arc<dyn Hub>,
    order: Mutex<()>,
    /// Changes waiting for `order` (see [`Publisher::let_others_in`]).
    queued: AtomicUsize,
}

impl Publisher {
    pub fn new(hub: Arc<dyn Hub>) -> Self {
        Publisher {
            hub,
            order: Mutex::new(()),
            queued: AtomicUsize::new(0),
        }
    }

    pub fn hub(&self) -> &Arc<dyn Hub> {
        &self.hub
    }

    /// Runs `change` (one store transaction that returns the entries it logged), then sends each
    /// entry to the live sessions of its user, in log order, before any other change can commit.
    /// `except` is the session that made the change: it gets a reply instead of a push.
    /// Blocking: call from the blocking pool.
    pub fn commit<T>(
        &self,
        store: &dyn Store,
        sdk_app_id: u64,
        except: Option<SessionId>,
        change: impl FnOnce(&dyn Store) -> StoreResult<(T, Vec<UserEvent>)>,
    ) -> StoreResult<T> {
        // Nothing guarded can be left half-done by a panic (the guard protects no data), so a
        // poisoned lock is still a good lock.
        self.queued.fetch_add(1, Ordering::AcqRel);
        let _order = self.order.lock().unwrap_or_else(PoisonError::into_inner);
        self.queued.fetch_sub(1, Ordering::AcqRel);
        let (value, events) = change(store)?;
        self.push(sdk_app_id, except, events);
        Ok(value)
    }

    /// After releasing the order it held (an [`Ordered`]), the group commit's writer waits until
    /// the changes queued for it have taken it (or `patience` has passed): a lock is not fair,
    /// and the writer, which takes it again at once, would otherwise starve them.
    pub fn let_others_in(&self, patience: Duration) {
        let started = Instant::now();
        while self.queued.load(Ordering::Acquire) > 0 && started.elapsed() < patience {
            std::thread::yield_now();
        }
    }

    /// Holds the commit order for a group commit: no other change commits or publishes until
    /// the returned guard is dropped, so the batches applied meanwhile can be published, in the
    /// order they were applied, once durable.
    pub fn hold(&self) -> Ordered<'_> {
        Ordered {
            publisher: self,
            _order: self.order.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// Hands each entry to the live sessions of its user but `except`, in order.
    fn push(&self, sdk_app_id: u64, except: Option<SessionId>, events: Vec<UserEvent>) {
        for UserEvent { user_id, ev, push } in events {
            let user = UserKey {
                sdk_app_id,
                user_id,
            };
            self.hub.push(&user, except, &Delivery::new(Some(ev), push));
        }
    }
}

/// The commit order, held (see [`Publisher::hold`]).
pub struct Ordered<'a> {
    publisher: &'a Publisher,
    _order: MutexGuard<'a, ()>,
}

impl Ordered<'_> {
    /// Sends what one item of a batch logged to the live sessions of its users, skipping the
    /// session that made it.
    pub fn publish(&self, batched: Batched) {
        self.publisher
            .push(batched.sdk_app_id, batched.except, batched.events);
    }
}

/// What one send of a group commit logged, and for whom.
pub struct Batched {
    pub sdk_app_id: u64,
    pub except: Option<SessionId>,
    pub events: Vec<UserEvent>,
}

impl Batched {
    /// Nothing to publish (yet) for a send of `except`'s.
    pub fn nothing(sdk_app_id: u64, except: SessionId) -> Self {
        Batched {
            sdk_app_id,
            except: Some(except),
            events: Vec::new(),
        }
    }
}
