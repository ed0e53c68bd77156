//! Workload 6: the browser SDK. Its shipped size (pkg/tim_wasm_bg.wasm, pkg/index.js,
//! pkg/tim_wasm.js; raw and `gzip -9`, each file on its own as it is served), and in headless
//! Chromium (`bench/sdk.mjs`, playwright-core): login() -> SDK_READY for a user with 1,000
//! conversations, and getConversationList() for a user with 10,000 (seeded in the database,
//! 2 messages each, so every entry has a last message).

use super::env::{Env, Setup};
use super::Plan;
use crate::seed::Thread;
use crate::stats::Summary;
use anyhow::{bail, ensure, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::Path;
use std::time::Duration;
use tim_proto::{Reply, Request, ServerFrame};

pub const FILES: [&str; 3] = ["tim_wasm_bg.wasm", "index.js", "tim_wasm.js"];
const READY_USER: &str = "ready";
const LIST_USER: &str = "lister";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SdkResult {
    pub files: Vec<FileSize>,
    pub total_raw: u64,
    pub total_gzip: u64,
    pub chromium: String,
    /// Conversations of the user timed from login() to SDK_READY.
    pub ready_conversations: usize,
    pub login_ready_ms: Summary,
    /// Conversations of the user timed in getConversationList().
    pub list_conversations: usize,
    pub get_list_ms: Summary,
    /// login() -> SDK_READY for that user too (the SDK loads the whole list before it is ready).
    pub list_login_ready_ms: Summary,
    /// The same getConversationList from a native protocol client: the server's share
    /// (request -> whole reply read and decoded), and the size of that reply.
    pub server_list_ms: Summary,
    pub list_reply_bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileSize {
    pub file: String,
    pub raw: u64,
    pub gzip: u64,
}

/// What bench/sdk.mjs prints (its last stdout line).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BrowserOut {
    chromium: String,
    ready_ms: Vec<f64>,
    list_login_ms: Vec<f64>,
    list_ms: Vec<f64>,
    list_len: usize,
}

pub async fn run(plan: &Plan) -> Result<SdkResult> {
    let files = sizes(&plan.spec.pkg).await?;
    let ready_n = plan.pick(1_000, 100);
    let list_n = plan.pick(10_000, 1_000);
    let reps = plan.pick(20, 2);
    let mut threads = Vec::with_capacity(ready_n + list_n);
    threads.extend((0..ready_n).map(|i| Thread::new(READY_USER, format!("rp{i}"), 2)));
    threads.extend((0..list_n).map(|i| Thread::new(LIST_USER, format!("lp{i}"), 2)));
    let env = Env::start(
        plan,
        "sdk",
        Setup {
            threads,
            ..Setup::default()
        },
    )
    .await?;
    let browser = drive_browser(plan, &env, ready_n, list_n, reps).await;
    let native = native_list(&env, reps).await;
    env.finish().await?;
    let browser = browser?;
    let (server_list_ms, list_reply_bytes) = native?;
    ensure!(
        browser.list_len == list_n,
        "getConversationList gave {} conversations, {list_n} seeded",
        browser.list_len
    );
    Ok(SdkResult {
        total_raw: files.iter().map(|f| f.raw).sum(),
        total_gzip: files.iter().map(|f| f.gzip).sum(),
        files,
        chromium: browser.chromium,
        ready_conversations: ready_n,
        login_ready_ms: Summary::of_ms(&mut browser.ready_ms.clone()),
        list_conversations: list_n,
        get_list_ms: Summary::of_ms(&mut browser.list_ms.clone()),
        list_login_ready_ms: Summary::of_ms(&mut browser.list_login_ms.clone()),
        server_list_ms,
        list_reply_bytes,
    })
}

/// getConversationList for the 10,000-conversation user from the Rust client (one untimed).
async fn native_list(env: &Env, reps: usize) -> Result<(Summary, u64)> {
    let mut client = env.login(LIST_USER).await?;
    let mut samples = Vec::with_capacity(reps);
    let mut bytes = 0;
    for i in 0..=reps {
        // The whole list, page after page (docs/protocol.md "Paging"): the time of all of
        // them, and the bytes of all their frames.
        let (mut latency, mut total) = (Duration::ZERO, 0);
        let mut request = Request::GetConversationList;
        loop {
            let timed = client.call(request).await?;
            latency += timed.latency;
            let reply = timed.reply("getConversationList")?;
            let next = match &reply {
                Reply::ConversationList {
                    cursor: Some(c), ..
                } => Some(c.clone()),
                _ => None,
            };
            total += ServerFrame::Reply { id: 1, reply }.to_json().len() as u64;
            match next {
                Some(cursor) => request = Request::GetMoreConversations { cursor },
                None => break,
            }
        }
        if i > 0 {
            samples.push(latency);
        }
        bytes = total;
    }
    client.close().await;
    Ok((Summary::of(&samples), bytes))
}

async fn sizes(pkg: &Path) -> Result<Vec<FileSize>> {
    let mut out = Vec::new();
    for file in FILES {
        let path = pkg.join(file);
        let raw = std::fs::metadata(&path)
            .with_context(|| {
                format!(
                    "{}: build the SDK with scripts/build-sdk.sh",
                    path.display()
                )
            })?
            .len();
        let gz = tokio::process::Command::new("gzip")
            .args(["-9", "-c"])
            .arg(&path)
            .output()
            .await
            .context("gzip")?;
        ensure!(gz.status.success(), "gzip -9 {} failed", path.display());
        out.push(FileSize {
            file: format!("pkg/{file}"),
            raw,
            gzip: gz.stdout.len() as u64,
        });
    }
    Ok(out)
}

async fn drive_browser(
    plan: &Plan,
    env: &Env,
    ready_n: usize,
    list_n: usize,
    reps: usize,
) -> Result<BrowserOut> {
    let config = json!({
        "url": env.server.http_url,
        "sdkAppID": env.server.sdk_app_id,
        "reps": reps,
        "ready": { "userID": READY_USER, "userSig": env.sig(READY_USER)?, "conversations": ready_n },
        "list": { "userID": LIST_USER, "userSig": env.sig(LIST_USER)?, "conversations": list_n },
        "profile": plan.sdk_profile,
    });
    let out = tokio::process::Command::new("node")
        .arg(plan.spec.root.join("bench/sdk.mjs"))
        .arg(config.to_string())
        .current_dir(&plan.spec.root)
        .output()
        .await
        .context("running node bench/sdk.mjs")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "bench/sdk.mjs failed ({}):\n{}\n{}",
            out.status,
            stdout.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).with_context(|| format!("bench/sdk.mjs printed {last:?}"))
}
