//! Workload 4: deleting 100 conversations in one call.
//!
//! `alice` has 100 seeded conversations per round (10 messages each) for the batch, and as many
//! again for a reference run. Each round: one `deleteConversations` request with 100 distinct
//! IDs and `clearHistoryMessage: true` (timed request -> reply; every outcome must be
//! `deleted`); then, for comparison, another 100 conversations deleted one `deleteConversation`
//! at a time, back to back on the same connection (timed first request -> last reply). If the
//! server refuses the batch op, that refusal is recorded and the reference still runs.

use super::env::{Env, Setup};
use super::Plan;
use crate::client::Client;
use crate::seed::Thread;
use crate::stats::Summary;
use anyhow::{bail, ensure, Result};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tim_proto::frame::DeleteOutcome;
use tim_proto::{Reply, Request};

pub const BATCH: usize = 100;
const OWNER: &str = "alice";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BatchResult {
    pub conversations_per_call: usize,
    /// `deleteConversations` of 100: request -> reply. Absent when the server refused it.
    pub batch_ms: Option<Summary>,
    /// The server's refusal of the batch op, if it refused.
    pub batch_refused: Option<String>,
    /// 100 sequential `deleteConversation` calls: first request -> last reply.
    pub sequential_ms: Summary,
    /// One of those calls.
    pub single_ms: Summary,
    /// Conversations alice had when the rounds started.
    pub list_size: usize,
}

fn peer(kind: char, round: usize, j: usize) -> String {
    format!("{kind}{round}x{j}")
}

pub async fn run(plan: &Plan) -> Result<BatchResult> {
    let rounds = plan.pick(30, 3);
    let mut threads = Vec::new();
    for round in 0..rounds {
        for kind in ['b', 's'] {
            for j in 0..BATCH {
                threads.push(Thread::new(OWNER, peer(kind, round, j), 10));
            }
        }
    }
    let list_size = threads.len();
    let env = Env::start(
        plan,
        "batch",
        Setup {
            threads,
            ..Setup::default()
        },
    )
    .await?;
    let result = measure(&env, rounds, list_size).await;
    env.finish().await?;
    result
}

async fn measure(env: &Env, rounds: usize, list_size: usize) -> Result<BatchResult> {
    let mut alice = env.login(OWNER).await?;
    let mut batch = Vec::new();
    let mut refused = None;
    let mut sequential = Vec::with_capacity(rounds);
    let mut single = Vec::with_capacity(rounds * BATCH);
    for round in 0..rounds {
        if refused.is_none() {
            match batch_delete(&mut alice, round).await? {
                Ok(latency) => batch.push(latency),
                Err(refusal) => refused = Some(refusal),
            }
        }
        let started = std::time::Instant::now();
        for j in 0..BATCH {
            let timed = alice
                .call(Request::delete(format!("C2C{}", peer('s', round, j))))
                .await?;
            single.push(timed.latency);
            match timed.reply("deleteConversation")? {
                Reply::ConversationDeleted { .. } => {}
                other => bail!("deleteConversation answered {other:?}"),
            }
        }
        sequential.push(started.elapsed());
    }
    Ok(BatchResult {
        conversations_per_call: BATCH,
        batch_ms: (!batch.is_empty()).then(|| Summary::of(&batch)),
        batch_refused: refused,
        sequential_ms: Summary::of(&sequential),
        single_ms: Summary::of(&single),
        list_size,
    })
}

/// One batch call; `Err(refusal)` when the server does not do it.
async fn batch_delete(alice: &mut Client, round: usize) -> Result<Result<Duration, String>> {
    let ids: Vec<String> = (0..BATCH)
        .map(|j| format!("C2C{}", peer('b', round, j)))
        .collect();
    let timed = alice
        .call(Request::DeleteConversations {
            conversation_ids: ids,
            clear_history: true,
        })
        .await?;
    let latency = timed.latency;
    match timed.result {
        Ok(Reply::ConversationsDeleted { results }) => {
            ensure!(
                results.len() == BATCH,
                "{} outcomes for {BATCH} IDs",
                results.len()
            );
            if let Some(bad) = results.iter().find(|r| r.outcome != DeleteOutcome::Deleted) {
                bail!("batch deletion outcome {bad:?}");
            }
            Ok(Ok(latency))
        }
        Ok(other) => bail!("deleteConversations answered {other:?}"),
        Err(refusal) => Ok(Err(refusal.to_string())),
    }
}
