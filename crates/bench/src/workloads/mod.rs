//! The six workloads of issue 7 and the flood of issue 13, each against its own fresh server and database, one after the
//! other (never two at once: they would measure each other).

pub mod batch;
pub mod delete;
pub mod env;
pub mod flood;
pub mod idle;
pub mod sdk;
pub mod send;
pub mod send_store;
pub mod sync;
pub mod verdict;

use crate::machine::{self, Floors, Machine};
use crate::server::ServerSpec;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use verdict::Verdict;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Workload {
    Delete,
    Sync,
    Send,
    Batch,
    Idle,
    Sdk,
    Flood,
}

impl Workload {
    pub const ALL: [Workload; 7] = [
        Workload::Delete,
        Workload::Sync,
        Workload::Send,
        Workload::Batch,
        Workload::Idle,
        Workload::Sdk,
        Workload::Flood,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::Delete => "delete",
            Workload::Sync => "sync",
            Workload::Send => "send",
            Workload::Batch => "batch",
            Workload::Idle => "idle",
            Workload::Sdk => "sdk",
            Workload::Flood => "flood",
        }
    }
}

/// What to run, and where.
#[derive(Debug, Clone)]
pub struct Plan {
    pub quick: bool,
    pub workloads: Vec<Workload>,
    pub spec: ServerSpec,
    /// Scratch space for databases and logs (removed at the end).
    pub scratch: PathBuf,
    /// Where to write a CPU profile of the SDK's getConversationList, if wanted.
    pub sdk_profile: Option<PathBuf>,
}

impl Plan {
    pub fn new(quick: bool, only: &[Workload], root: PathBuf, bin: PathBuf) -> Plan {
        let mut workloads = if only.is_empty() {
            Workload::ALL.to_vec()
        } else {
            only.to_vec()
        };
        workloads.sort();
        workloads.dedup();
        Plan {
            quick,
            workloads,
            spec: ServerSpec {
                bin,
                pkg: root.join("pkg"),
                root,
                flags: Vec::new(),
            },
            scratch: std::env::temp_dir().join(format!("tim-bench-{}", std::process::id())),
            sdk_profile: None,
        }
    }

    /// `full` normally, `quick` in quick mode.
    pub fn pick<T>(&self, full: T, quick: T) -> T {
        if self.quick {
            quick
        } else {
            full
        }
    }
}

/// Everything one run measured. Workloads not run (or failed) are absent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Results {
    pub schema: u32,
    /// "full" or "quick".
    pub mode: String,
    pub machine: Option<Machine>,
    pub floors: Option<Floors>,
    pub delete: Option<delete::DeleteResult>,
    pub sync: Option<sync::SyncResult>,
    pub send: Option<send::SendResult>,
    pub batch: Option<batch::BatchResult>,
    pub idle: Option<idle::IdleResult>,
    pub sdk: Option<sdk::SdkResult>,
    #[serde(default)]
    pub flood: Option<flood::FloodResult>,
    /// Each target with what was measured against it (recomputed by `report` from the data).
    #[serde(default)]
    pub verdicts: Vec<Verdict>,
    /// Workloads that could not finish, with why.
    #[serde(default)]
    pub errors: BTreeMap<String, String>,
}

pub async fn run_all(plan: &Plan) -> Result<Results> {
    std::fs::create_dir_all(&plan.scratch)?;
    let mut results = Results {
        schema: 1,
        mode: plan.pick("full", "quick").to_owned(),
        machine: Some(Machine::probe(&plan.spec.root)),
        ..Results::default()
    };
    let rounds = plan.pick(500, 50);
    results.floors = Some(machine::measure_floors(&plan.scratch, rounds)?);
    for &w in &plan.workloads {
        eprintln!("tim-bench: {} ...", w.name());
        let started = std::time::Instant::now();
        if let Err(e) = run_one(plan, w, &mut results).await {
            eprintln!("tim-bench: {} failed: {e:#}", w.name());
            results.errors.insert(w.name().to_owned(), format!("{e:#}"));
        }
        eprintln!(
            "tim-bench: {} took {:.1} s",
            w.name(),
            started.elapsed().as_secs_f64()
        );
    }
    if let Some(m) = results.machine.as_mut() {
        m.loadavg_end = machine::loadavg();
    }
    let _ = std::fs::remove_dir_all(&plan.scratch);
    Ok(results)
}

async fn run_one(plan: &Plan, w: Workload, results: &mut Results) -> Result<()> {
    match w {
        Workload::Delete => results.delete = Some(delete::run(plan).await?),
        Workload::Sync => results.sync = Some(sync::run(plan).await?),
        Workload::Send => results.send = Some(send::run(plan).await?),
        Workload::Batch => results.batch = Some(batch::run(plan).await?),
        Workload::Idle => results.idle = Some(idle::run(plan).await?),
        Workload::Sdk => results.sdk = Some(sdk::run(plan).await?),
        Workload::Flood => results.flood = Some(flood::run(plan).await?),
    }
    Ok(())
}
