//! Workload 3, storage alone: the server's store (`SqliteStore::send_messages`: apply, log and
//! sync, the two steps its group commit takes) driven in this process on one thread, with no network, no JSON frames and
//! no load generator on the other core. Batches of `BATCH` sends over 32 and 256 conversations
//! (each sender to its own recipient, round robin), as the end-to-end levels send them. What it
//! reports bounds the end-to-end rate: the writer thread cannot go faster than this.

use super::Plan;
use crate::server::{cpu_time_of, disk_writes_of};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::time::Instant;
use tim_proto::model::WireBody;
use tim_server::store::{App, ConvRef, NewMessage, SendItem, SqliteStore, Store};

/// Sends per transaction: the writer's largest group (`tim_server::group_commit::MAX_BATCH`).
const BATCH: usize = tim_server::group_commit::MAX_BATCH;
const APP: u64 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoreLevel {
    pub conversations: usize,
    pub batch: usize,
    pub messages: usize,
    pub msgs_per_sec: f64,
    /// This thread's CPU per message (the background checkpoint thread's is not in it).
    pub cpu_us_per_msg: f64,
    /// Bytes this process wrote to storage per message: the log, and the checkpoints that
    /// copy it into the database file.
    pub disk_kib_per_msg: f64,
}

pub async fn run(plan: &Plan) -> Result<Vec<StoreLevel>> {
    let total = plan.pick(40_000, 2_000);
    let mut out = Vec::new();
    for conversations in [32, 256] {
        let dir = plan.scratch.join(format!("send-store-{conversations}"));
        let level =
            tokio::task::spawn_blocking(move || level(&dir, conversations, total)).await??;
        out.push(level);
    }
    Ok(out)
}

fn level(dir: &std::path::Path, conversations: usize, total: usize) -> Result<StoreLevel> {
    let _ = std::fs::remove_dir_all(dir);
    let store = SqliteStore::open(&dir.join("tim.db")).context("opening the store")?;
    store.create_app(&App {
        sdk_app_id: APP,
        secret_key: "k".into(),
        admin_identifier: "administrator".into(),
        sync_conversation_deletion: false,
        created_at: 0,
    })?;
    let pairs: Vec<ConvRef> = (0..conversations)
        .map(|i| ConvRef::c2c(&format!("snd{i}"), &format!("rcv{i}")))
        .collect();
    let batch = |from: usize| -> Vec<SendItem> {
        (from..from + BATCH)
            .map(|k| SendItem {
                sdk_app_id: APP,
                conv: pairs[k % conversations].clone(),
                message: NewMessage {
                    msg_id: format!("m{k}"),
                    body: WireBody::Text {
                        text: format!("benchmark message {k} from sender {}", k % conversations),
                    },
                    time: 1_800_000_000,
                    need_receipt: false,
                },
            })
            .collect()
    };
    // Warm-up: every conversation, user and event row exists before the clock starts.
    let mut sent = 0;
    while sent < conversations.max(BATCH) {
        commit(&store, &batch(sent))?;
        sent += BATCH;
    }
    let (cpu0, disk0, started) = (
        cpu_time_of("thread-self")?,
        disk_writes_of("self")?,
        Instant::now(),
    );
    let mut measured = 0;
    while measured < total {
        let items = batch(sent);
        commit(&store, &items)?;
        sent += items.len();
        measured += items.len();
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_time_of("thread-self")?.saturating_sub(cpu0);
    let disk = disk_writes_of("self")?.saturating_sub(disk0);
    drop(store);
    let _ = std::fs::remove_dir_all(dir);
    let n = measured as f64;
    Ok(StoreLevel {
        conversations,
        batch: BATCH,
        messages: measured,
        msgs_per_sec: (n / secs).round(),
        cpu_us_per_msg: (cpu.as_secs_f64() * 1e6 / n).round(),
        disk_kib_per_msg: (disk as f64 / 1024.0 / n * 10.0).round() / 10.0,
    })
}

fn commit(store: &SqliteStore, items: &[SendItem]) -> Result<()> {
    for outcome in store.send_messages(items)? {
        if let Err(refusal) = outcome? {
            anyhow::bail!("a one-to-one send was refused: {refusal:?}");
        }
    }
    Ok(())
}
