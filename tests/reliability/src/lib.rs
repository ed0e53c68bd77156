//! The fault and load tools of issue 13, as part of the project: each scenario starts real
//! `tim-server` processes on loopback (through tim-bench's server, seeding and protocol
//! client) and checks, from outside, what a crash or a heavy user must not break.
//!
//! - [`kill`]: kill -9 during sends and deletions; after each restart every acknowledged send
//!   is stored exactly once and no acknowledged deletion is undone.
//! - [`crowd`]: many concurrent clients sending to each other; every message delivered once.
//! - [`slow`]: sessions that stop reading are closed (60011) while others are served.
//! - [`idle`]: an idle-connection flood is held under the connection cap; a logged-in client
//!   keeps working.
//! - [`flood`]: a flooded large group, with the others' p99 (tim-bench's flood workload).
//!
//! A short mode (the cargo test `tests/short.rs`, well under 2 minutes on 2 cores) and a long
//! one (`tim-reliability --long`, from scripts/bench.sh) whose figures go into
//! bench/RESULTS.md.

pub mod crowd;
pub mod figures;
pub mod flood;
pub mod idle;
pub mod kill;
pub mod raw;
pub mod slow;

use std::path::PathBuf;
use tim_bench::workloads::Plan;

/// How hard to push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Short,
    Long,
}

impl Mode {
    pub fn pick<T>(self, short: T, long: T) -> T {
        match self {
            Mode::Short => short,
            Mode::Long => long,
        }
    }
}

/// A tim-bench plan for `server` (no workloads of its own: scenarios use its spec and
/// scratch directory).
pub fn plan(mode: Mode, server: PathBuf, name: &str) -> Plan {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let mut plan = Plan::new(mode == Mode::Short, &[], root, server);
    plan.scratch =
        std::env::temp_dir().join(format!("tim-reliability-{}-{name}", std::process::id()));
    plan
}

/// The scenarios, by name, in the order [`run_all`] runs them.
pub const SCENARIOS: [&str; 5] = ["kill", "crowd", "slow", "idle", "flood"];

/// Every scenario, one after the other (never two at once: they would measure each other).
pub async fn run_all(mode: Mode, server: PathBuf) -> anyhow::Result<figures::Figures> {
    run_some(mode, server, &SCENARIOS).await
}

/// The scenarios named in `only` (of [`SCENARIOS`]), one after the other.
pub async fn run_some(
    mode: Mode,
    server: PathBuf,
    only: &[&str],
) -> anyhow::Result<figures::Figures> {
    let mut f = figures::Figures {
        mode: mode.pick("short", "long").into(),
        ..figures::Figures::default()
    };
    let p = |name: &str| plan(mode, server.clone(), name);
    let on = |name: &str| only.contains(&name);
    if on("kill") {
        f.kill = Some(kill::run(&p("kill"), mode).await?);
    }
    if on("crowd") {
        f.crowd = Some(crowd::run(&p("crowd"), mode).await?);
    }
    if on("slow") {
        f.slow = Some(slow::run(&p("slow"), mode).await?);
    }
    if on("idle") {
        f.idle = Some(idle::run(&p("idle"), mode).await?);
    }
    if on("flood") {
        f.flood = Some(flood::run(&p("flood"), mode).await?);
    }
    Ok(f)
}
