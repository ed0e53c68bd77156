//! tim-bench: the benchmark suite of issue 7.
//!
//! `tim-bench run` seeds SQLite files, starts real `tim-server serve` processes on loopback and
//! drives them over the real WebSocket protocol (plus headless Chromium through
//! `bench/sdk.mjs` for the SDK workload), then writes one JSON document. `tim-bench report`
//! turns that JSON into `results.json`, `results.svg` and `RESULTS.md`. `scripts/bench.sh` does
//! both. These are benchmarks, not tests: nothing here fails on a time.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use tim_bench::cluster;
use tim_bench::report;
use tim_bench::workloads::{self, Plan, Workload};

#[derive(Debug, Parser)]
#[command(name = "tim-bench", about = "tim-wasm benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run workloads against fresh tim-server processes and write the raw results as JSON.
    Run {
        /// Tiny sizes and short runs: checks that every workload still works (seconds).
        #[arg(long)]
        quick: bool,
        /// Comma-separated subset: delete,sync,send,batch,idle,sdk,flood (default: all).
        #[arg(long, value_delimiter = ',')]
        only: Vec<Workload>,
        /// The repository root (www/, pkg/, bench/sdk.mjs are found from here).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The server binary (a release build).
        #[arg(long, default_value = "target/release/tim-server")]
        server_bin: PathBuf,
        /// Where to write the JSON.
        #[arg(long, default_value = "bench/results.json")]
        out: PathBuf,
        /// The SDK package the server serves (e.g. one built without wasm-opt, for names).
        #[arg(long, default_value = "pkg")]
        pkg: PathBuf,
        /// Profile the browser's getConversationList (Chrome DevTools CPU profile); the
        /// heaviest functions by self time are written to this file.
        #[arg(long)]
        sdk_profile: Option<PathBuf>,
    },
    /// The cluster benchmarks (issue 14) against two running nodes on one PostgreSQL and NATS
    /// (scripts/bench.sh --cluster starts them); prints the results as JSON.
    Cluster {
        /// `ws://HOST:PORT/ws` of node A, then of node B.
        #[arg(long, num_args = 2, required = true)]
        nodes: Vec<String>,
        /// The nodes' database URL (seeding and the sync setting go through psql).
        #[arg(long)]
        db: String,
        #[arg(long, default_value = "psql")]
        psql: PathBuf,
        #[arg(long)]
        sdkappid: u64,
        #[arg(long)]
        secret: String,
        /// History sizes for the deletion latency.
        #[arg(long, value_delimiter = ',', default_value = "10,1000000")]
        sizes: Vec<u64>,
        #[arg(long, default_value_t = 300)]
        rounds: usize,
        #[arg(long, value_delimiter = ',', default_value = "32,256")]
        senders: Vec<usize>,
        #[arg(long, default_value_t = 5.0)]
        window_secs: f64,
        /// Do not ANALYZE the database before each send level (a fresh database's plans).
        #[arg(long)]
        no_analyze: bool,
        #[arg(long)]
        out: PathBuf,
    },
    /// Render results JSON into Markdown and SVG (with findings from bench/findings/).
    Report {
        /// The JSON written by `run`.
        #[arg(long, default_value = "bench/results.json")]
        input: PathBuf,
        /// Directory of `<workload>.md` notes included in the Markdown.
        #[arg(long, default_value = "bench/findings")]
        findings: PathBuf,
        #[arg(long, default_value = "bench/RESULTS.md")]
        markdown: PathBuf,
        #[arg(long, default_value = "bench/results.svg")]
        svg: PathBuf,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Run {
            quick,
            only,
            root,
            server_bin,
            out,
            pkg,
            sdk_profile,
        } => {
            let root = root
                .canonicalize()
                .with_context(|| format!("repository root {}", root.display()))?;
            let server_bin = root.join(server_bin);
            if !server_bin.is_file() {
                bail!(
                    "{} not found: cargo build --release -p tim-server",
                    server_bin.display()
                );
            }
            let mut plan = Plan::new(quick, &only, root, server_bin);
            plan.spec.pkg = plan.spec.root.join(pkg);
            plan.sdk_profile = sdk_profile.map(std::path::absolute).transpose()?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let mut results = runtime.block_on(workloads::run_all(&plan))?;
            results.verdicts = report::targets::evaluate(&results);
            let text = serde_json::to_string_pretty(&results)?;
            if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&out, text + "\n").with_context(|| format!("{}", out.display()))?;
            eprintln!("tim-bench: wrote {}", out.display());
            if !results.errors.is_empty() {
                let failed: Vec<_> = results.errors.keys().cloned().collect();
                bail!("workloads failed: {}", failed.join(", "));
            }
            Ok(())
        }
        Command::Cluster {
            nodes,
            db,
            psql,
            sdkappid,
            secret,
            sizes,
            rounds,
            senders,
            window_secs,
            no_analyze,
            out,
        } => {
            let [a, b]: [String; 2] = nodes
                .try_into()
                .map_err(|_| anyhow::anyhow!("--nodes takes two URLs"))?;
            let plan = cluster::ClusterPlan {
                nodes: [a, b],
                db,
                psql,
                sdk_app_id: sdkappid,
                secret_key: secret,
                sizes,
                rounds,
                senders,
                warmup: std::time::Duration::from_secs(1),
                window: std::time::Duration::from_secs_f64(window_secs),
                analyze: !no_analyze,
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let result = runtime.block_on(cluster::run(&plan))?;
            let text = serde_json::to_string_pretty(&result)?;
            std::fs::write(&out, text + "\n").with_context(|| format!("{}", out.display()))?;
            eprintln!("tim-bench cluster: wrote {}", out.display());
            Ok(())
        }
        Command::Report {
            input,
            findings,
            markdown,
            svg,
        } => report::write(&input, &findings, &markdown, &svg),
    }
}
