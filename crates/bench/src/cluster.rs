//! `tim-bench cluster`: the cluster benchmarks of issue 14, against two running nodes on one
//! PostgreSQL and one NATS (scripts/bench.sh --cluster starts them on loopback). The load
//! generator speaks the real protocol straight to the nodes.
//!
//! - deleteConversation latency at a small and a large history: alice on node A, the peers
//!   (`h<size>`) on node B; the history is seeded with SQL (one message through the protocol
//!   makes the users, thread and conversations, then `generate_series` copies it to `size`
//!   rows); each round the peer sends one message (not timed), alice reads its push, deletes.
//! - a deletion seen by the user's session on the other node (sync on): from writing the
//!   request on A to reading the `conversationDeleted` push on B.
//! - durable sends with N senders spread over both nodes (even senders on A, odd on B), each
//!   in a closed loop; msg/s over the window.
//!
//! For what limits each, the CPU time of every process on the machine is read from /proc
//! before and after each phase and summed by name (tim-server, postgres, nats-server,
//! tim-bench).

use crate::client::Client;
use crate::stats::{self, Summary};
use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use tim_proto::model::WireBody;
use tim_proto::{Push, Reply, Request};
use tokio::time::Instant;

pub struct ClusterPlan {
    /// `ws://HOST:PORT/ws` of node A and node B.
    pub nodes: [String; 2],
    /// The database URL (for the SQL seeding and the sync setting) and the psql binary.
    pub db: String,
    pub psql: PathBuf,
    pub sdk_app_id: u64,
    pub secret_key: String,
    pub sizes: Vec<u64>,
    pub rounds: usize,
    pub senders: Vec<usize>,
    pub warmup: Duration,
    pub window: Duration,
    /// `ANALYZE` the database before each send level, as autovacuum keeps a live database
    /// analyzed (a fresh one is not, within a run this short: its cached plans were made for
    /// near-empty tables and scan them whole; bench/findings/cluster.md, 2026-12-05).
    pub analyze: bool,
}

#[derive(Debug, Serialize)]
pub struct ClusterResult {
    pub delete: Vec<DeleteSize>,
    pub delete_cpu_secs: BTreeMap<String, f64>,
    pub delete_wall_secs: f64,
    pub seen_on_other_node_ms: Summary,
    pub seen_cpu_secs: BTreeMap<String, f64>,
    pub seen_wall_secs: f64,
    pub sends: Vec<SendLevel>,
}

#[derive(Debug, Serialize)]
pub struct DeleteSize {
    pub messages: u64,
    pub seed_secs: f64,
    pub first_ms: f64,
    pub latency_ms: Summary,
}

#[derive(Debug, Serialize)]
pub struct SendLevel {
    pub senders: usize,
    pub messages: usize,
    pub msgs_per_sec: f64,
    pub latency_ms: Summary,
    /// CPU seconds each kind of process used during the level, and the wall time it took.
    pub cpu_secs: BTreeMap<String, f64>,
    pub wall_secs: f64,
    /// PostgreSQL's committed transactions and WAL syncs (fsyncs) during the level
    /// (`pg_stat_database.xact_commit`, `pg_stat_wal.wal_sync`; other sessions' too).
    pub pg_commits: u64,
    pub pg_wal_syncs: u64,
    /// Whether the database was analyzed before the level.
    pub analyzed: bool,
}

impl ClusterPlan {
    fn sig(&self, user: &str) -> Result<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs();
        Ok(tim_server::usersig::generate(
            self.sdk_app_id,
            &self.secret_key,
            user,
            86_400,
            i64::try_from(now)?,
        )?)
    }

    async fn login(&self, node: usize, user: &str) -> Result<Client> {
        let sig = self.sig(user)?;
        Client::login(&self.nodes[node % 2], self.sdk_app_id, user, &sig).await
    }

    /// (commits, WAL syncs) so far.
    fn pg_counters(&self) -> Result<(u64, u64)> {
        let out = self.psql(
            "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) \
             || ',' || (SELECT wal_sync FROM pg_stat_wal)",
        )?;
        let (a, b) = out.split_once(',').unwrap_or(("0", "0"));
        Ok((a.parse().unwrap_or(0), b.parse().unwrap_or(0)))
    }

    fn psql(&self, sql: &str) -> Result<String> {
        let out = Command::new(&self.psql)
            .args([
                &self.db,
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .output()
            .with_context(|| format!("running {}", self.psql.display()))?;
        if !out.status.success() {
            bail!("psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}

pub async fn run(plan: &ClusterPlan) -> Result<ClusterResult> {
    eprintln!(
        "tim-bench cluster: deleteConversation at {:?} messages",
        plan.sizes
    );
    let (delete, delete_cpu_secs, delete_wall_secs) = delete_latency(plan).await?;
    eprintln!("tim-bench cluster: a deletion seen on the other node");
    let (seen, seen_cpu_secs, seen_wall_secs) = seen_on_other_node(plan).await?;
    let mut sends = Vec::new();
    for &n in &plan.senders {
        eprintln!("tim-bench cluster: sends, {n} senders over both nodes");
        sends.push(send_level(plan, n).await?);
    }
    Ok(ClusterResult {
        delete,
        delete_cpu_secs,
        delete_wall_secs,
        seen_on_other_node_ms: seen,
        seen_cpu_secs,
        seen_wall_secs,
        sends,
    })
}

fn text(t: String) -> WireBody {
    WireBody::Text { text: t }
}

async fn send(client: &mut Client, to: &str, id: String) -> Result<(u64, Duration)> {
    let timed = client
        .call(Request::SendMessage {
            conversation_id: format!("C2C{to}"),
            id: id.clone(),
            body: text(format!("cluster benchmark {id}")),
            need_read_receipt: false,
        })
        .await?;
    let latency = timed.latency;
    match timed.reply("sendMessage")? {
        Reply::Sent { message } => Ok((message.seq, latency)),
        other => bail!("sendMessage answered {other:?}"),
    }
}

/// Waits for the push of message `id` on `client`.
async fn message_push(client: &mut Client, id: &str) -> Result<()> {
    loop {
        if let Push::Message { message } = client.next_push(Duration::from_secs(30)).await?.push {
            if message.id == id {
                return Ok(());
            }
        }
    }
}

async fn delete(client: &mut Client, conversation: &str, newest: u64) -> Result<Duration> {
    let timed = client.call(Request::delete(conversation)).await?;
    let latency = timed.latency;
    match timed.reply("deleteConversation")? {
        Reply::ConversationDeleted { cleared_seq, .. } if cleared_seq == newest => Ok(latency),
        other => bail!("deleting {conversation} (newest {newest}) answered {other:?}"),
    }
}

async fn delete_latency(
    plan: &ClusterPlan,
) -> Result<(Vec<DeleteSize>, BTreeMap<String, f64>, f64)> {
    let mut alice = plan.login(0, "alice").await?;
    let mut peers = Vec::new();
    let mut seed_secs = Vec::new();
    for &n in &plan.sizes {
        let peer = format!("h{n}");
        let mut p = plan.login(1, &peer).await?;
        send(&mut p, "alice", format!("{peer}-1")).await?;
        message_push(&mut alice, &format!("{peer}-1")).await?;
        let started = std::time::Instant::now();
        if n > 1 {
            // The thread's key: its two user IDs sorted, joined by U+001F.
            let key = format!("alice\u{1f}{peer}");
            plan.psql(&format!(
                "BEGIN; \
                 INSERT INTO messages (sdk_app_id, conv_key, seq, msg_id, from_user, to_user, \
                   body_json, time) \
                 SELECT sdk_app_id, conv_key, g, 'seed-' || g, from_user, to_user, body_json, time \
                 FROM messages m, generate_series(2, {n}) g \
                 WHERE m.conv_key = '{key}' AND m.seq = 1; \
                 UPDATE threads SET last_seq = {n} WHERE conv_key = '{key}'; \
                 COMMIT; ANALYZE messages;"
            ))?;
        }
        seed_secs.push(started.elapsed().as_secs_f64());
        peers.push(p);
    }
    let cpu = CpuByName::now()?;
    let wall = Instant::now();
    let mut first = Vec::new();
    for &n in &plan.sizes {
        first.push(delete(&mut alice, &format!("C2Ch{n}"), n).await?);
    }
    let mut samples = vec![Vec::new(); plan.sizes.len()];
    for round in 0..plan.rounds {
        for k in 0..plan.sizes.len() {
            let i = (round + k) % plan.sizes.len();
            let id = format!("again-{round}");
            let (seq, _) = send(&mut peers[i], "alice", id.clone()).await?;
            message_push(&mut alice, &id).await?;
            samples[i].push(delete(&mut alice, &format!("C2Ch{}", plan.sizes[i]), seq).await?);
        }
    }
    let cpu = cpu.since()?;
    let wall = wall.elapsed().as_secs_f64();
    let sizes = plan
        .sizes
        .iter()
        .zip(first)
        .zip(samples)
        .zip(seed_secs)
        .map(|(((&messages, first), s), seed)| DeleteSize {
            messages,
            seed_secs: stats::round(seed),
            first_ms: stats::round(first.as_secs_f64() * 1e3),
            latency_ms: Summary::of(&s),
        })
        .collect();
    Ok((sizes, cpu, wall))
}

async fn seen_on_other_node(plan: &ClusterPlan) -> Result<(Summary, BTreeMap<String, f64>, f64)> {
    plan.psql(&format!(
        "UPDATE apps SET sync_conversation_deletion = TRUE WHERE sdk_app_id = {}",
        plan.sdk_app_id
    ))?;
    let mut on_a = plan.login(0, "carol").await?;
    let mut on_b = plan.login(1, "carol").await?;
    let mut dave = plan.login(1, "dave").await?;
    let cpu = CpuByName::now()?;
    let wall = Instant::now();
    let mut samples = Vec::new();
    for round in 0..plan.rounds {
        let id = format!("d-{round}");
        let (seq, _) = send(&mut dave, "carol", id.clone()).await?;
        message_push(&mut on_a, &id).await?;
        message_push(&mut on_b, &id).await?;
        let (sent, rx) = on_a.start(Request::delete("C2Cdave")).await?;
        loop {
            let pushed = on_b.next_push(Duration::from_secs(30)).await?;
            if let Push::ConversationDeleted { .. } = pushed.push {
                samples.push(pushed.at.saturating_duration_since(sent));
                break;
            }
        }
        match crate::client::finish("deleteConversation", sent, rx)
            .await?
            .reply("deleteConversation")?
        {
            Reply::ConversationDeleted { cleared_seq, .. } if cleared_seq == seq => {}
            other => bail!("deleteConversation answered {other:?}"),
        }
    }
    let cpu = cpu.since()?;
    Ok((Summary::of(&samples), cpu, wall.elapsed().as_secs_f64()))
}

async fn send_level(plan: &ClusterPlan, senders: usize) -> Result<SendLevel> {
    let mut clients = Vec::with_capacity(senders);
    for i in 0..senders {
        clients.push(plan.login(i, &format!("s{senders}x{i}")).await?);
    }
    if plan.analyze {
        plan.psql("ANALYZE")?;
    }
    let counters = plan.pg_counters()?;
    let cpu = CpuByName::now()?;
    let wall = Instant::now();
    let start = Instant::now();
    let from = start + plan.warmup;
    let end = from + plan.window;
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, mut client)| {
            tokio::spawn(async move {
                let mut kept = Vec::new();
                let mut k = 0u64;
                while Instant::now() < end {
                    k += 1;
                    let to = format!("r{senders}x{i}");
                    let sent = Instant::now();
                    let (_, latency) = send(&mut client, &to, format!("m{k}")).await?;
                    let answered = sent + latency;
                    if answered >= from && answered <= end {
                        kept.push(latency);
                    }
                }
                client.close().await;
                anyhow::Ok(kept)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await??);
    }
    let cpu = cpu.since()?;
    let wall = wall.elapsed().as_secs_f64();
    let after = plan.pg_counters()?;
    Ok(SendLevel {
        senders,
        messages: latencies.len(),
        msgs_per_sec: stats::round(latencies.len() as f64 / plan.window.as_secs_f64()),
        latency_ms: Summary::of(&latencies),
        cpu_secs: cpu,
        wall_secs: stats::round(wall),
        pg_commits: after.0.saturating_sub(counters.0),
        pg_wal_syncs: after.1.saturating_sub(counters.1),
        analyzed: plan.analyze,
    })
}

/// CPU time (user + system) of every process, by pid with its command name; a phase's use is
/// the per-pid difference (processes that exited meanwhile are lost), summed by name.
struct CpuByName(BTreeMap<u32, (String, f64)>);

impl CpuByName {
    fn now() -> Result<CpuByName> {
        let mut by = BTreeMap::new();
        for entry in std::fs::read_dir("/proc")? {
            let name = entry?.file_name();
            let Some(pid) = name.to_str().and_then(|p| p.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
                continue;
            };
            let comm = group(&stat[open + 1..close]);
            let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
            let ticks: u64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0)
                + fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0);
            by.insert(pid, (comm, ticks as f64 / 100.0));
        }
        Ok(CpuByName(by))
    }

    /// What each name used since `self` (names that used under 10 ms are left out).
    fn since(self) -> Result<BTreeMap<String, f64>> {
        let mut used: BTreeMap<String, f64> = BTreeMap::new();
        for (pid, (name, secs)) in CpuByName::now()?.0 {
            let before = self.0.get(&pid).map_or(0.0, |b| b.1);
            *used.entry(name).or_insert(0.0) += (secs - before).max(0.0);
        }
        Ok(used
            .into_iter()
            .map(|(k, v)| (k, stats::round(v)))
            .filter(|(_, v)| *v >= 0.01)
            .collect())
    }
}

/// PostgreSQL's processes show under more than one name.
fn group(comm: &str) -> String {
    if comm.starts_with("postgres") || comm.starts_with("postmaster") {
        "postgres".into()
    } else if comm.starts_with("kworker") {
        "kworker (kernel)".into()
    } else {
        comm.to_owned()
    }
}
