//! Workload 5: idle authenticated sessions held by one server, and what they cost in memory.
//!
//! N distinct users (seeded as existing users, no messages) each open a WebSocket on 127.0.0.1
//! and log in (64 logins in flight at a time). Measured: the server's resident set size
//! (VmRSS in /proc/<pid>/status) once started and idle, and again with all N sessions logged in
//! and idle for 2 s; bytes per session = the difference / N. A ping on a few sessions at the
//! end checks they are all still served.

use super::env::{Env, Setup};
use super::Plan;
use crate::client::Client;
use crate::machine::open_files_limit;
use anyhow::{bail, Result};
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use tim_proto::{Reply, Request};

const IN_FLIGHT: usize = 64;
/// Descriptors kept free for everything else (database, listener, pipes).
const FD_MARGIN: u64 = 256;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdleResult {
    /// Sessions asked for.
    pub target_sessions: usize,
    /// Sessions held (fewer than asked only when the open-file limit did not allow them).
    pub sessions: usize,
    pub open_files_limit: u64,
    pub rss_idle_mb: f64,
    pub rss_with_sessions_mb: f64,
    pub peak_rss_mb: f64,
    pub bytes_per_session: u64,
    /// How fast they logged in (64 at a time).
    pub logins_per_sec: f64,
}

const MB: f64 = 1024.0 * 1024.0;

pub async fn run(plan: &Plan) -> Result<IdleResult> {
    let target = plan.pick(10_000, 200);
    let limit = open_files_limit().unwrap_or(1024);
    let sessions = target.min(usize::try_from(limit.saturating_sub(FD_MARGIN))?);
    if sessions < target {
        eprintln!("tim-bench: open-file limit {limit}: holding {sessions} sessions, not {target} (raise ulimit -n)");
    }
    let users: Vec<String> = (0..sessions).map(|i| format!("idle{i}")).collect();
    let setup = Setup {
        users: users.clone(),
        ..Setup::default()
    };
    let env = Env::start(plan, "idle", setup).await?;
    let result = measure(&env, &users, target, limit).await;
    env.finish().await?;
    result
}

async fn measure(env: &Env, users: &[String], target: usize, limit: u64) -> Result<IdleResult> {
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = env.server.rss_bytes()?;
    let started = Instant::now();
    let mut clients: Vec<Client> = futures::stream::iter(users.iter().map(|u| env.login(u)))
        .buffer_unordered(IN_FLIGHT)
        .try_collect()
        .await?;
    let logins_per_sec = users.len() as f64 / started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let with = env.server.rss_bytes()?;
    let peak = env.server.peak_rss_bytes()?;
    let step = (clients.len() / 8).max(1);
    for client in clients.iter_mut().step_by(step) {
        match client.call(Request::Ping).await?.reply("ping")? {
            Reply::Pong => {}
            other => bail!("ping answered {other:?}"),
        }
    }
    let sessions = clients.len();
    for client in clients {
        client.close().await;
    }
    Ok(IdleResult {
        target_sessions: target,
        sessions,
        open_files_limit: limit,
        rss_idle_mb: round1(idle as f64 / MB),
        rss_with_sessions_mb: round1(with as f64 / MB),
        peak_rss_mb: round1(peak as f64 / MB),
        bytes_per_session: with.saturating_sub(idle) / (sessions.max(1) as u64),
        logins_per_sec: logins_per_sec.round(),
    })
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
