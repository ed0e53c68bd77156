//! Fan-out off the request path: the pushes of a change with many recipients go out on a
//! thread of their own, so a message to a 5,000-member group costs its sender and everyone
//! else only the commit, not 5,000 serialized frames and queue offers.
//!
//! A small change ([`INLINE_MAX`] events or fewer) is still pushed in line when nothing is
//! queued: that costs no more than the commit, and its pushes are then queued to every
//! session before its answer goes out (what a client that pings to flush pushes relies on).
//!
//! Order: the [`Publisher`](crate::publish::Publisher) hands each change's events over while
//! it holds the commit order, and this queue is first in, first out; a change is pushed in
//! line only when every queued one has been delivered. So the hub still sees every user's
//! events in log order (the gateway drops an event number it has already passed, so that
//! order is what keeps pushes from being lost).
//!
//! Memory: the queue is bounded ([`QUEUE_CHUNKS`] chunks of at most [`CHUNK`] events); when it
//! is full, committing waits for room, which slows the writers instead of growing the heap.

use crate::hub::{Delivery, Hub, SessionId, UserKey};
use crate::store::UserEvent;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;
use tim_proto::Push;

/// Most events of a change pushed in line (one-to-one sends log two; a group send one per
/// member).
pub const INLINE_MAX: usize = 64;
/// Most events in one queued chunk (a large group's change is split into several).
pub const CHUNK: usize = 256;
/// Chunks waiting for the fan-out thread before committing waits for room.
pub const QUEUE_CHUNKS: usize = 64;

/// Pushes on their way to the hub.
// One per commit or group change, moved once: boxing the push would buy nothing.
#[allow(clippy::large_enum_variant)]
enum Job {
    /// Logged events, in log order.
    Events {
        sdk_app_id: u64,
        except: Option<SessionId>,
        events: Vec<UserEvent>,
    },
    /// One unlogged push to several users.
    Tell {
        sdk_app_id: u64,
        except: Option<SessionId>,
        users: Vec<String>,
        push: Push,
    },
}

/// The fan-out queue and its thread; pushes in line if that thread could not start.
pub struct Fanout {
    hub: Arc<dyn Hub>,
    queue: Option<SyncSender<Job>>,
    /// Logged jobs queued and not yet wholly delivered.
    pending: Arc<AtomicUsize>,
}

impl Fanout {
    /// Starts the fan-out thread; it stops when the last handle is dropped.
    pub fn start(hub: Arc<dyn Hub>) -> Fanout {
        let (queue, jobs) = sync_channel::<Job>(QUEUE_CHUNKS);
        let worker_hub = Arc::clone(&hub);
        let pending = Arc::new(AtomicUsize::new(0));
        let delivered = Arc::clone(&pending);
        let started = std::thread::Builder::new()
            .name("tim-fanout".into())
            .spawn(move || {
                for job in jobs {
                    let logged = matches!(job, Job::Events { .. });
                    deliver(worker_hub.as_ref(), job);
                    if logged {
                        delivered.fetch_sub(1, Ordering::AcqRel);
                    }
                }
            });
        let queue = match started {
            Ok(_) => Some(queue),
            Err(e) => {
                tracing::warn!("cannot start the fan-out thread ({e}); pushing in line");
                None
            }
        };
        Fanout {
            hub,
            queue,
            pending,
        }
    }

    pub fn hub(&self) -> &Arc<dyn Hub> {
        &self.hub
    }

    /// Resolves once every logged event queued so far has been handed to the hub, or after
    /// `patience`: at a clean stop, before the hub hands its own queue to the other nodes.
    pub async fn delivered(&self, patience: std::time::Duration) {
        let until = tokio::time::Instant::now() + patience;
        while self.pending.load(Ordering::Acquire) > 0 && tokio::time::Instant::now() < until {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }

    /// Hands `events` (one change's, in log order) to the live sessions of their users but
    /// `except`: in line if they are few and nothing is queued, else through the queue. Call
    /// while holding the commit order. Waits only when the queue is full.
    pub fn events(&self, sdk_app_id: u64, except: Option<SessionId>, mut events: Vec<UserEvent>) {
        // Under the commit order nobody else queues, so once nothing is pending, nothing
        // queued can still be on its way to a session this push would overtake.
        if events.len() <= INLINE_MAX && self.pending.load(Ordering::Acquire) == 0 {
            return deliver(
                self.hub.as_ref(),
                Job::Events {
                    sdk_app_id,
                    except,
                    events,
                },
            );
        }
        while !events.is_empty() {
            let rest = events.split_off(events.len().min(CHUNK));
            self.queue(Job::Events {
                sdk_app_id,
                except,
                events,
            });
            events = rest;
        }
    }

    /// Hands an unlogged push to `users`, behind every event queued before it (in line if
    /// nothing is queued).
    pub fn tell(&self, sdk_app_id: u64, except: Option<SessionId>, users: Vec<String>, push: Push) {
        if users.is_empty() {
            return;
        }
        let few = users.len() <= INLINE_MAX;
        let job = Job::Tell {
            sdk_app_id,
            except,
            users,
            push,
        };
        if few && self.pending.load(Ordering::Acquire) == 0 {
            return deliver(self.hub.as_ref(), job);
        }
        self.queue(job);
    }

    fn queue(&self, job: Job) {
        let logged = matches!(job, Job::Events { .. });
        if logged {
            self.pending.fetch_add(1, Ordering::AcqRel);
        }
        if let Some(job) = self.try_queue(job) {
            // Delivered in line after all: no longer pending.
            deliver(self.hub.as_ref(), job);
            if logged {
                self.pending.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }

    /// Queues `job`; gives it back when there is no fan-out thread to take it.
    fn try_queue(&self, job: Job) -> Option<Job> {
        let Some(queue) = &self.queue else {
            return Some(job);
        };
        let job = match queue.try_send(job) {
            Ok(()) => return None,
            Err(TrySendError::Full(job)) => {
                tracing::debug!("the fan-out queue is full: committing waits for room");
                match queue.send(job) {
                    Ok(()) => return None,
                    Err(gone) => gone.0,
                }
            }
            Err(TrySendError::Disconnected(job)) => job,
        };
        // The thread is gone (it panicked): deliver in line rather than lose pushes.
        tracing::error!("the fan-out thread has stopped; pushing in line");
        Some(job)
    }
}

/// Serializes each push once and hands it to the hub.
fn deliver(hub: &dyn Hub, job: Job) {
    match job {
        Job::Events {
            sdk_app_id,
            except,
            events,
        } => {
            for UserEvent { user_id, ev, push } in events {
                let user = UserKey {
                    sdk_app_id,
                    user_id,
                };
                hub.push(&user, except, &Delivery::new(Some(ev), push));
            }
        }
        Job::Tell {
            sdk_app_id,
            except,
            users,
            push,
        } => {
            let delivery = Delivery::new(None, push);
            for user_id in users {
                let user = UserKey {
                    sdk_app_id,
                    user_id,
                };
                hub.push(&user, except, &delivery);
            }
        }
    }
}
