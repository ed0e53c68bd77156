//! Group commit for sends (one-to-one and to groups): a send is answered only once it is
//! durable, and making something durable costs an fsync (~0.2 ms here), so syncing sends one by
//! one caps the server at a few thousand a second however many clients send. One writer thread
//! instead applies every send queued since its last batch together
//! (`Store::send_messages_unsynced`) and keeps one sync running on the sync thread: while it
//! runs, the next batches are applied, and the sync after it covers them all. Once a batch is
//! durable its pushes go out in order and each sender is answered. A failed batch is retried
//! one send at a time by the store, so a bad send fails alone. A lone send is applied and
//! synced at once: nothing waits for company.
//!
//! Fairness: a group send costs rows per member (a 5,000-member group, about 10,000), so it
//! is applied in a batch of its own, and batches of one-to-one sends and single group sends
//! take turns ([`Lanes`]). A one-to-one send then waits behind at most one group send's
//! commit, not behind every group send queued before it, nor inside a batch with one. Each
//! conversation keeps its order: each lane is first in, first out.

use crate::error::ApiError;
use crate::hub::SessionId;
use crate::publish::{Batched, Ordered, Publisher};
use crate::store::{
    BatchedSend, GroupRefusal, SendItem, SendOutcome, Store, StoreResult, SyncSends,
};
use std::collections::VecDeque;
use std::sync::Arc;
use tim_proto::conversation_id::GROUP_PREFIX;
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
    /// Starts the writer thread (an error if it cannot start: the caller commits sends itself).
    pub fn start(store: Arc<dyn Store>, publisher: Arc<Publisher>) -> std::io::Result<Self> {
        let (jobs, rx) = mpsc::channel(QUEUE);
        // The writer waits for two things at once, new sends and finished syncs: a small event
        // loop of its own (the store calls in it block, which is this thread's job).
        let runtime = tokio::runtime::Builder::new_current_thread().build()?;
        std::thread::Builder::new()
            .name("tim-writer".into())
            .spawn(move || writer(&runtime, store.as_ref(), &publisher, rx))?;
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

/// Most syncs in one run (see [`Writer`]) before the writer stops taking sends and lets other
/// changes commit: bounds how long a deletion waits behind a stream of sends.
const MAX_RUN: usize = 16;
/// Longest the writer waits, after a run, for changes queued behind it to take the order.
const LET_OTHERS_IN: std::time::Duration = std::time::Duration::from_millis(5);

fn writer(
    runtime: &tokio::runtime::Runtime,
    store: &dyn Store,
    publisher: &Publisher,
    jobs: mpsc::Receiver<Job>,
) {
    let (synced_tx, synced) = mpsc::unbounded_channel();
    let writer = Writer {
        store,
        publisher,
        syncer: Syncer::start(synced_tx),
        order: None,
        waiting: VecDeque::new(),
        next_id: 0,
        syncing: None,
        syncs_in_run: 0,
    };
    runtime.block_on(writer.run(jobs, synced));
}

/// Applies batches of sends as they come and keeps one sync running: a sync makes every batch
/// applied before it durable, so while one runs the next batches are applied, and the sync
/// after it covers them all. A batch's pushes and answers go out once it is durable, in order.
/// From the first batch applied until every applied batch is out (a run), the writer holds the
/// commit order, so no other change commits or publishes between a batch and its pushes.
struct Writer<'a> {
    store: &'a dyn Store,
    publisher: &'a Publisher,
    syncer: Syncer,
    order: Option<Ordered<'a>>,
    /// Applied batches, oldest first, until they are out.
    waiting: VecDeque<Waiting>,
    next_id: u64,
    /// The batch whose sync is running.
    syncing: Option<u64>,
    syncs_in_run: usize,
}

/// An applied batch: each send's answer and pushes, held back until it is durable.
struct Waiting {
    id: u64,
    sends: Vec<(Answer, Batched, oneshot::Sender<Answer>)>,
    /// Its sync step, until started (or made needless by a later batch's); `durable` once
    /// done.
    step: Option<SyncSends>,
    durable: bool,
    /// Why it could not be made durable.
    failed: Option<ApiError>,
}

impl<'a> Writer<'a> {
    async fn run(
        mut self,
        mut jobs: mpsc::Receiver<Job>,
        mut synced: mpsc::UnboundedReceiver<(u64, StoreResult<()>)>,
    ) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        let mut lanes = Lanes::default();
        let mut open = true;
        loop {
            // A long run stops taking sends until what it applied is out.
            let room = self.syncs_in_run < MAX_RUN;
            let taking = open && room;
            if !(taking || room && lanes.waiting()) && self.waiting.is_empty() {
                if !open && !lanes.waiting() {
                    return;
                }
                self.end_run();
                continue;
            }
            if room && lanes.waiting() {
                // Sends are waiting in a lane: the next batch goes now.
                while let Ok((id, result)) = synced.try_recv() {
                    self.synced(id, result);
                }
                lanes.fill(&mut batch, &mut jobs);
                self.apply(&mut batch);
            } else {
                tokio::select! {
                    biased;
                    Some((id, result)) = synced.recv() => self.synced(id, result),
                    job = jobs.recv(), if taking => match job {
                        Some(job) => {
                            lanes.sort(job);
                            lanes.fill(&mut batch, &mut jobs);
                            self.apply(&mut batch);
                        }
                        None => open = false,
                    },
                }
            }
            self.release_durable();
            self.start_sync();
            if self.waiting.is_empty() {
                self.end_run();
            }
        }
    }

    /// Applies `batch` (emptying it) under the commit order.
    fn apply(&mut self, batch: &mut Vec<Job>) {
        if batch.is_empty() {
            return;
        }
        if self.order.is_none() {
            self.order = Some(self.publisher.hold());
        }
        let (items, waiting): (Vec<SendItem>, Vec<_>) = batch
            .drain(..)
            .map(|j| (j.item, (j.except, j.answer)))
            .unzip();
        let id = self.next_id;
        self.next_id += 1;
        let started = std::time::Instant::now();
        let applied = self.store.send_messages_unsynced(&items);
        // For profiling (RUST_LOG=tim_server::group_commit=debug): batch sizes and how long
        // the store held the writer for each.
        tracing::debug!(
            sends = items.len(),
            micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "batch applied"
        );
        let entry = match applied {
            Ok((outcomes, step)) => Waiting {
                id,
                sends: outcomes
                    .into_iter()
                    .zip(items.iter().zip(waiting))
                    .map(|(outcome, (item, (except, answer)))| {
                        let (reply, publish) = batched(outcome, item, except);
                        (reply, publish, answer)
                    })
                    .collect(),
                durable: step.is_none(),
                step,
                failed: None,
            },
            Err(e) => {
                let e = ApiError::from(e);
                let sends = waiting
                    .into_iter()
                    .zip(&items)
                    .map(|((except, answer), item)| {
                        let nothing = Batched::nothing(item.sdk_app_id, except);
                        (Err(e.clone()), nothing, answer)
                    })
                    .collect();
                Waiting {
                    id,
                    sends,
                    step: None,
                    durable: true,
                    failed: None,
                }
            }
        };
        self.waiting.push_back(entry);
    }

    /// Starts syncing the newest applied batch, if no sync runs: that makes every batch before
    /// it durable too, so their own steps are not needed.
    fn start_sync(&mut self) {
        if self.syncing.is_some() {
            return;
        }
        let Some(newest) = self.waiting.iter().rposition(|w| w.step.is_some()) else {
            return;
        };
        for older in self.waiting.range_mut(..newest) {
            older.step = None;
        }
        let entry = &mut self.waiting[newest];
        if let Some(step) = entry.step.take() {
            self.syncing = Some(entry.id);
            self.syncs_in_run += 1;
            self.syncer.run(entry.id, step);
        }
    }

    /// The sync of batch `id` finished: it and every batch before it are durable, unless it
    /// failed and a commit of the store cannot make up for it.
    fn synced(&mut self, id: u64, result: StoreResult<()>) {
        self.syncing = None;
        let failed = match result.or_else(|e| {
            tracing::error!("syncing sends failed ({e}); committing them instead");
            self.store.flush()
        }) {
            Ok(()) => None,
            Err(e) => Some(ApiError::from(e)),
        };
        for entry in self.waiting.iter_mut().take_while(|w| w.id <= id) {
            entry.durable = true;
            entry.failed.clone_from(&failed);
        }
    }

    /// Publishes and answers the durable batches at the front, in order.
    fn release_durable(&mut self) {
        while self.waiting.front().is_some_and(|w| w.durable) {
            let Some(entry) = self.waiting.pop_front() else {
                break;
            };
            match (&entry.failed, &self.order) {
                (None, Some(order)) => {
                    for (reply, publish, answer) in entry.sends {
                        order.publish(publish);
                        // The sender may have gone; its message is stored all the same.
                        let _ = answer.send(reply);
                    }
                }
                // Their sends may or may not be kept: a retry with the same message ID tells.
                (Some(e), _) => {
                    for (_, _, answer) in entry.sends {
                        let _ = answer.send(Err(e.clone()));
                    }
                }
                (None, None) => {
                    tracing::error!("a batch of sends was applied outside the commit order");
                    for (_, _, answer) in entry.sends {
                        let _ = answer.send(Err(ApiError::internal("send lost its order")));
                    }
                }
            }
        }
    }

    /// Everything applied is out: let other changes commit.
    fn end_run(&mut self) {
        if self.order.take().is_some() {
            self.publisher.let_others_in(LET_OTHERS_IN);
        }
        self.syncs_in_run = 0;
    }
}

/// Sends taken from the queue, waiting for a batch, in two lanes (see the module's fairness
/// note): one-to-one sends go in batches together, each group send in a batch of its own, and
/// the two take turns while both wait.
#[derive(Default)]
struct Lanes {
    light: VecDeque<Job>,
    heavy: VecDeque<Job>,
    heavy_next: bool,
}

impl Lanes {
    fn waiting(&self) -> bool {
        !self.light.is_empty() || !self.heavy.is_empty()
    }

    fn sort(&mut self, job: Job) {
        if job.item.conv.conversation_id.starts_with(GROUP_PREFIX) {
            self.heavy.push_back(job);
        } else {
            self.light.push_back(job);
        }
    }

    /// Takes what is queued (without waiting; no more once [`MAX_HEAVY`] group sends wait,
    /// so that senders then wait for room), then fills `batch` from the lane whose turn it is.
    fn fill(&mut self, batch: &mut Vec<Job>, jobs: &mut mpsc::Receiver<Job>) {
        while self.light.len() < MAX_BATCH && self.heavy.len() < MAX_HEAVY {
            match jobs.try_recv() {
                Ok(job) => self.sort(job),
                Err(_) => break,
            }
        }
        let heavy = !self.heavy.is_empty() && (self.heavy_next || self.light.is_empty());
        if heavy {
            batch.extend(self.heavy.pop_front());
        } else {
            let n = self.light.len().min(MAX_BATCH);
            batch.extend(self.light.drain(..n));
        }
        self.heavy_next = !heavy;
    }
}

/// Group sends the writer holds back at most (the channel holds the rest).
const MAX_HEAVY: usize = 256;

/// Runs sync steps on a thread of their own, so the writer applies sends meanwhile; each
/// result goes back to the writer's loop. In line if that thread cannot start.
struct Syncer {
    steps: Option<std::sync::mpsc::Sender<(u64, SyncSends)>>,
    results: mpsc::UnboundedSender<(u64, StoreResult<()>)>,
}

impl Syncer {
    fn start(results: mpsc::UnboundedSender<(u64, StoreResult<()>)>) -> Syncer {
        let (steps, todo) = std::sync::mpsc::channel::<(u64, SyncSends)>();
        let done = results.clone();
        let started = std::thread::Builder::new()
            .name("tim-syncer".into())
            .spawn(move || {
                for (id, step) in todo {
                    if done.send((id, step())).is_err() {
                        return;
                    }
                }
            });
        let steps = match started {
            Ok(_) => Some(steps),
            Err(e) => {
                tracing::warn!("cannot start the sync thread ({e}); syncing in line");
                None
            }
        };
        Syncer { steps, results }
    }

    fn run(&self, id: u64, step: SyncSends) {
        let step = match &self.steps {
            Some(steps) => match steps.send((id, step)) {
                Ok(()) => return,
                Err(std::sync::mpsc::SendError((_, step))) => step,
            },
            None => step,
        };
        let _ = self.results.send((id, step()));
    }
}

fn batched(outcome: BatchedSend, item: &SendItem, except: SessionId) -> (Answer, Batched) {
    let mut publish = Batched::nothing(item.sdk_app_id, except);
    match outcome {
        Ok(Ok(mut outcome)) => {
            publish.events = outcome.take_events();
            (Ok(Ok(outcome)), publish)
        }
        Ok(Err(refusal)) => (Ok(Err(refusal)), publish),
        Err(e) => (Err(ApiError::from(e)), publish),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ConvRef, NewMessage};
    use tim_proto::model::WireBody;

    fn job(conversation_id: &str, id: &str) -> Job {
        let (answer, _) = oneshot::channel();
        Job {
            item: SendItem {
                sdk_app_id: 1,
                conv: ConvRef {
                    owner: "a".into(),
                    peer: "b".into(),
                    conversation_id: conversation_id.into(),
                    conv_key: "a|b".into(),
                },
                message: NewMessage {
                    msg_id: id.into(),
                    body: WireBody::Text { text: id.into() },
                    time: 0,
                    need_receipt: false,
                },
            },
            except: SessionId(1),
            answer,
        }
    }

    fn ids(batch: &mut Vec<Job>) -> Vec<String> {
        batch.drain(..).map(|j| j.item.message.msg_id).collect()
    }

    #[test]
    fn group_sends_go_alone_taking_turns_with_one_to_one_batches_in_order() {
        let (tx, mut rx) = mpsc::channel(16);
        for (c, id) in [
            ("GROUPg", "g1"),
            ("C2Cb", "c1"),
            ("GROUPg", "g2"),
            ("C2Cb", "c2"),
            ("GROUPg", "g3"),
        ] {
            assert!(tx.try_send(job(c, id)).is_ok());
        }
        let (mut lanes, mut batch) = (Lanes::default(), Vec::new());
        let mut batches = Vec::new();
        while lanes.waiting() || batches.is_empty() {
            lanes.fill(&mut batch, &mut rx);
            batches.push(ids(&mut batch));
            // A one-to-one send arriving meanwhile goes in the next light batch, not behind
            // every group send.
            if batches.len() == 1 {
                assert!(tx.try_send(job("C2Cb", "c3")).is_ok());
            }
        }
        assert_eq!(
            batches,
            [
                vec!["c1", "c2"],
                vec!["g1"],
                vec!["c3"],
                vec!["g2"],
                vec!["g3"]
            ]
        );
    }
}
