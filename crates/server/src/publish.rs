//! Committing a change and publishing its event-log entries as one step.
//!
//! Two requests on different connections can commit one after the other and then race to the
//! hub: if each pushed after its commit returned, the second commit's push could overtake the
//! first's, and a session would see events out of log order. Here the commit and the hub sends
//! are queued for the fan-out thread under one lock, so the order of hub sends is the commit
//! order, which is the order of every user's event numbers. The pushes themselves go out on
//! that thread ([`crate::fanout`]): the lock is held for the commit and a queue hand-over, so
//! a change with thousands of recipients delays neither its sender's answer nor other changes.

use crate::fanout::Fanout;
use crate::hub::{Hub, SessionId};
use crate::store::{Store, StoreResult, UserEvent};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tim_proto::Push;

pub struct Publisher {
    fanout: Fanout,
    order: Mutex<()>,
    /// Changes waiting for `order` (see [`Publisher::let_others_in`]).
    queued: AtomicUsize,
}

impl Publisher {
    pub fn new(hub: Arc<dyn Hub>) -> Self {
        Publisher {
            fanout: Fanout::start(hub),
            order: Mutex::new(()),
            queued: AtomicUsize::new(0),
        }
    }

    pub fn hub(&self) -> &Arc<dyn Hub> {
        self.fanout.hub()
    }

    /// See [`Fanout::delivered`].
    pub async fn delivered(&self, patience: Duration) {
        self.fanout.delivered(patience).await;
    }

    /// Queues an unlogged push for `users`, behind the events of every change committed so
    /// far (so it reaches each session after them).
    pub fn tell(&self, sdk_app_id: u64, except: Option<SessionId>, users: Vec<String>, push: Push) {
        self.fanout.tell(sdk_app_id, except, users, push);
    }

    /// Runs `change` (one store transaction that returns the entries it logged), then queues
    /// each entry for the live sessions of its user, in log order, before any other change can
    /// commit; returns without waiting for them to be delivered.
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

    /// Queues each entry for the live sessions of its user but `except`, in order.
    fn push(&self, sdk_app_id: u64, except: Option<SessionId>, events: Vec<UserEvent>) {
        self.fanout.events(sdk_app_id, except, events);
    }
}

/// The commit order, held (see [`Publisher::hold`]).
pub struct Ordered<'a> {
    publisher: &'a Publisher,
    _order: MutexGuard<'a, ()>,
}

impl Ordered<'_> {
    /// Queues what one item of a batch logged for the live sessions of its users, skipping the
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
