//! Group commit for sends (one-to-one and to groups): a send is answered only once it is
//! durable, and a
//! durable commit costs an fsync (~0.2 ms here), so committing sends one by one caps the
//! server at a few thousand a second however many clients send. One writer thread instead
//! takes every send that queued while the previous commit was syncing and commits them in one
//! transaction (each in its own savepoint, so a bad one fails alone), then publishes their
//! pushes in commit order and answers each sender. A lone send is committed at once: nothing
//! waits for company.

use crate::error::ApiError;
use crate::hub::SessionId;
use crate::publish::{Batched, Publisher};
use crate::store::{BatchedSend, GroupRefusal, SendItem, SendOutcome, Store};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most sends in one transaction: bounds the commit's latency for the first of them.
pub const MAX_BATCH: usize = 256;
/// Sends waiting for the writer before senders wait for room (backpressure, not memory).
const QUEUE: usize = 4096;

/// A send's outcome, or its group's refusal; or why it failed.
pub type Answer = Result<Result<SendOutcome, GroupRefusal>, ApiError>;

struct Job {
    item: SendItem,
    except: SessionId,
    answer: oneshot::Sender<Answer>,
}

/// The handle the service sends through; dropping the last one stops the writer thread.
pub struct GroupCommit {
    jobs: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the writer thread.
    pub fn start(store: Arc<dyn Store>, publisher: Arc<Publisher>) -> std::io::Result<Self> {
        let (jobs, rx) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("tim-writer".into())
            .spawn(move || writer(store.as_ref(), &publisher, rx))?;
        Ok(GroupCommit { jobs })
    }

    /// Stores `item` and publishes its events (except to `except`, the sending session);
    /// resolves after the durable commit.
    pub async fn send(&self, item: SendItem, except: SessionId) -> Answer {
        let (answer, answered) = oneshot::channel();
        let job = Job {
            item,
            except,
            answer,
        };
        self.jobs
            .send(job)
            .await
            .map_err(|_| ApiError::internal("the writer thread has stopped"))?;
        answered
            .await
            .map_err(|_| ApiError::internal("the writer thread dropped a send"))?
    }
}

fn writer(store: &dyn Store, publisher: &Publisher, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        jobs.push(first);
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        commit(store, publisher, &mut jobs);
    }
}

/// Commits and publishes `jobs` (emptying it) and answers each.
fn commit(store: &dyn Store, publisher: &Publisher, jobs: &mut Vec<Job>) {
    let (items, waiting): (Vec<SendItem>, Vec<_>) = jobs
        .drain(..)
        .map(|j| (j.item, (j.except, j.answer)))
        .unzip();
    let result = publisher.commit_batch(store, |s| {
        let outcomes = s.send_messages(&items)?;
        Ok(outcomes
            .into_iter()
            .zip(items.iter().zip(&waiting))
            .map(|(outcome, (item, (except, _)))| batched(outcome, item, *except))
            .collect())
    });
    match result {
        Ok(answers) => {
            for ((_, answer), reply) in waiting.into_iter().zip(answers) {
                // The sender may have gone; its message is stored all the same.
                let _ = answer.send(reply);
            }
        }
        Err(e) => {
            let e = ApiError::from(e);
            for (_, answer) in waiting {
                let _ = answer.send(Err(e.clone()));
            }
        }
    }
}

fn batched(outcome: BatchedSend, item: &SendItem, except: SessionId) -> (Answer, Batched) {
    let mut publish = Batched {
        sdk_app_id: item.sdk_app_id,
        except: Some(except),
        events: Vec::new(),
    };
    match outcome {
        Ok(Ok(mut outcome)) => {
            publish.events = outcome.take_events();
            (Ok(Ok(outcome)), publish)
        }
        Ok(Err(refusal)) => (Ok(Err(refusal)), publish),
        Err(e) => (Err(ApiError::from(e)), publish),
    }
}
