//! Workload 3: send throughput with 1, 8, 32 and 256 concurrent senders.
//!
//! Each sender is its own user on its own connection (`snd<i>` to `rcv<i>`), in a closed loop:
//! write a `sendMessage`, wait for its `sent` reply, repeat. The server replies only once the
//! message is durable (synced in its send log; see tim-server's store/sqlite/deferred.rs), so
//! every counted message is durable. The recipients
//! exist but are offline: this measures accepting and persisting (the event log entries for both
//! parties included); delivery to an online session is what workload 2 times. After a warm-up,
//! every reply read inside the measuring window counts; msgs/s = that count / window.
//!
//! Then one connection with [`PIPELINE_DEPTH`] sends in flight (issue 13: a send does not wait
//! for the previous send's commit): a new send is written as each answer arrives.

use super::env::{Env, Setup};
use super::send_store::{self, StoreLevel};
use super::Plan;
use crate::client::{finish, Client};
use crate::server::{cpu_time_of, disk_writes_of};
use crate::stats::Summary;
use anyhow::{bail, Result};
use futures::stream::{FuturesUnordered, StreamExt};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tim_proto::model::WireBody;
use tim_proto::{Reply, Request};
use tokio::time::Instant;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendResult {
    pub window_secs: f64,
    pub warmup_secs: f64,
    pub levels: Vec<LevelResult>,
    /// The store alone, without network or load generator (see `send_store`).
    #[serde(default)]
    pub store_alone: Vec<StoreLevel>,
    /// One connection with [`PIPELINE_DEPTH`] sends in flight (`senders` is 1).
    #[serde(default)]
    pub pipelined: Option<LevelResult>,
}

/// Sends one connection keeps in flight in the pipelined level.
pub const PIPELINE_DEPTH: usize = 32;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LevelResult {
    pub senders: usize,
    pub messages: usize,
    pub msgs_per_sec: f64,
    /// Per send: request written -> `sent` reply read.
    pub latency_ms: Summary,
    /// CPU time per message over the whole level (warm-up included): the server's, and this
    /// load generator's (which shares the same cores).
    pub server_cpu_us_per_msg: f64,
    pub client_cpu_us_per_msg: f64,
    /// Bytes the server wrote to storage per message (log and checkpoints), warm-up included.
    #[serde(default)]
    pub server_disk_kib_per_msg: f64,
}

pub async fn run(plan: &Plan) -> Result<SendResult> {
    let levels: Vec<usize> = plan.pick(vec![1, 8, 32, 256], vec![1, 8, 32]);
    let window = plan.pick(Duration::from_secs(5), Duration::from_millis(500));
    let warmup = plan.pick(Duration::from_secs(1), Duration::from_millis(200));
    let most = levels.iter().copied().max().unwrap_or(1);
    let users = (0..most)
        .flat_map(|i| [format!("snd{i}"), format!("rcv{i}")])
        .collect();
    let setup = Setup {
        users,
        ..Setup::default()
    };
    let env = Env::start(plan, "send", setup).await?;
    let mut out = Vec::with_capacity(levels.len());
    let mut failure = None;
    for &senders in &levels {
        match level(&env, senders, warmup, window).await {
            Ok(r) => out.push(r),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let mut pipelined = None;
    if failure.is_none() {
        match pipelined_level(&env, warmup, window).await {
            Ok(r) => pipelined = Some(r),
            Err(e) => failure = Some(e),
        }
    }
    env.finish().await?;
    if let Some(e) = failure {
        return Err(e);
    }
    let store_alone = send_store::run(plan).await?;
    Ok(SendResult {
        window_secs: window.as_secs_f64(),
        warmup_secs: warmup.as_secs_f64(),
        levels: out,
        store_alone,
        pipelined,
    })
}

/// One connection (`snd0`), [`PIPELINE_DEPTH`] sends in flight.
async fn pipelined_level(env: &Env, warmup: Duration, window: Duration) -> Result<LevelResult> {
    let mut client = env.login("snd0").await?;
    let usage = Usage::now(env)?;
    let start = Instant::now();
    let (from, end) = (start + warmup, start + warmup + window);
    let mut in_flight = FuturesUnordered::new();
    let (mut kept, mut k) = (Vec::new(), 0u64);
    loop {
        while in_flight.len() < PIPELINE_DEPTH && Instant::now() < end {
            k += 1;
            let (sent_at, rx) = client
                .start(Request::SendMessage {
                    conversation_id: "C2Crcv0".into(),
                    id: format!("p-{k}"),
                    body: WireBody::Text {
                        text: format!("pipelined benchmark message {k}"),
                    },
                    need_read_receipt: false,
                })
                .await?;
            in_flight.push(async move { (sent_at, finish("sendMessage", sent_at, rx).await) });
        }
        let Some((sent_at, timed)) = in_flight.next().await else {
            break;
        };
        let timed = timed?;
        let latency = timed.latency;
        match timed.reply("sendMessage")? {
            Reply::Sent { .. } => {}
            other => bail!("sendMessage answered {other:?}"),
        }
        let answered = sent_at + latency;
        if answered >= from && answered <= end {
            kept.push(latency);
        }
    }
    client.close().await;
    usage.result(env, 1, &kept, usize::try_from(k)?, window)
}

async fn level(
    env: &Env,
    senders: usize,
    warmup: Duration,
    window: Duration,
) -> Result<LevelResult> {
    let mut clients = Vec::with_capacity(senders);
    for i in 0..senders {
        clients.push(env.login(&format!("snd{i}")).await?);
    }
    let usage = Usage::now(env)?;
    let start = Instant::now() + Duration::from_millis(100);
    let measure_from = start + warmup;
    let end = measure_from + window;
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, client)| tokio::spawn(sender(client, i, senders, start, measure_from, end)))
        .collect();
    let mut latencies = Vec::new();
    let mut sent = 0usize;
    for t in tasks {
        let (kept, all) = t.await??;
        latencies.extend(kept);
        sent += all;
    }
    usage.result(env, senders, &latencies, sent, window)
}

/// The server's and this process's CPU time and the server's disk writes when a level starts,
/// to charge a level's messages with what they cost.
struct Usage {
    server_cpu: Duration,
    client_cpu: Duration,
    disk: u64,
}

impl Usage {
    fn now(env: &Env) -> Result<Usage> {
        Ok(Usage {
            server_cpu: env.server.cpu_time()?,
            client_cpu: cpu_time_of("self")?,
            disk: disk_writes_of(&env.server.pid.to_string())?,
        })
    }

    /// The level's result: `latencies` of the sends answered in the window, `sent` in all.
    fn result(
        &self,
        env: &Env,
        senders: usize,
        latencies: &[Duration],
        sent: usize,
        window: Duration,
    ) -> Result<LevelResult> {
        let server_cpu = env.server.cpu_time()?.saturating_sub(self.server_cpu);
        let client_cpu = cpu_time_of("self")?.saturating_sub(self.client_cpu);
        let disk = disk_writes_of(&env.server.pid.to_string())?.saturating_sub(self.disk);
        let per_msg = |d: Duration| (d.as_secs_f64() * 1e6 / sent.max(1) as f64).round();
        Ok(LevelResult {
            senders,
            messages: latencies.len(),
            msgs_per_sec: (latencies.len() as f64 / window.as_secs_f64()).round(),
            latency_ms: Summary::of(latencies),
            server_cpu_us_per_msg: per_msg(server_cpu),
            client_cpu_us_per_msg: per_msg(client_cpu),
            server_disk_kib_per_msg: (disk as f64 / 1024.0 / sent.max(1) as f64 * 10.0).round()
                / 10.0,
        })
    }
}

/// Sends until `end`; returns the latencies of the sends answered between `from` and `end`,
/// and how many it sent in all.
async fn sender(
    mut client: Client,
    i: usize,
    level: usize,
    start: Instant,
    from: Instant,
    end: Instant,
) -> Result<(Vec<Duration>, usize)> {
    tokio::time::sleep_until(start).await;
    let mut kept = Vec::new();
    let mut k = 0u64;
    loop {
        let sent_at = Instant::now();
        if sent_at >= end {
            break;
        }
        k += 1;
        let timed = client
            .call(Request::SendMessage {
                conversation_id: format!("C2Crcv{i}"),
                id: format!("l{level}-{k}"),
                body: WireBody::Text {
                    text: format!("benchmark message {k} from sender {i}"),
                },
                need_read_receipt: false,
            })
            .await?;
        let latency = timed.latency;
        match timed.reply("sendMessage")? {
            Reply::Sent { .. } => {}
            other => bail!("sendMessage answered {other:?}"),
        }
        let answered = sent_at + latency;
        if answered >= from && answered <= end {
            kept.push(latency);
        }
    }
    client.close().await;
    Ok((kept, usize::try_from(k)?))
}
