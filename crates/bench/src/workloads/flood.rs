//! Workload 7 (issue 13, fair fan-out): other users' send latency while a large group is
//! flooded.
//!
//! One owner builds a group of [`MEMBERS`] (createGroup, then addGroupMember 500 at a time);
//! some members are online and read their pushes. [`OTHERS`] unrelated senders each send
//! one-to-one messages in a closed loop: first alone (the baseline), then while flooders
//! (the owner and other members, each [`FLOOD_DEPTH`] sends in flight, request rates lifted)
//! send to the group as fast as the server takes them. Measured: the others' latency in both
//! windows (request written -> `sent` read), the group's messages per second, and the pushes
//! the online members received. Target: the others' p99 under the flood ≤ 2× the baseline's.

use super::env::{Env, Setup};
use super::Plan;
use crate::client::{finish, Client};
use crate::stats::Summary;
use anyhow::{bail, Result};
use futures::stream::{FuturesUnordered, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tim_proto::model::WireBody;
use tim_proto::{Reply, Request};
use tokio::time::Instant;

/// Group members, the owner included.
pub const MEMBERS: usize = 5_000;
/// Senders outside the group whose latency is measured.
pub const OTHERS: usize = 8;
/// Sends each flooder keeps in flight.
pub const FLOOD_DEPTH: usize = 4;
const GROUP: &str = "flood";
/// Names one createGroup / addGroupMember takes.
const PER_CALL: usize = 500;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FloodResult {
    pub members: usize,
    pub online_members: usize,
    pub flooders: usize,
    pub others: usize,
    pub window_secs: f64,
    /// The others' sends, alone.
    pub baseline_ms: Summary,
    /// The others' sends while the group is flooded.
    pub flooded_ms: Summary,
    /// flooded p99 / baseline p99.
    pub p99_ratio: f64,
    pub group_msgs_per_sec: f64,
    /// Pushes the online members received during the flood, all together.
    pub member_pushes: u64,
}

pub async fn run(plan: &Plan) -> Result<FloodResult> {
    let members = plan.pick(MEMBERS, 600);
    let online = plan.pick(200, 20);
    let flooders = plan.pick(4, 2);
    let window = plan.pick(Duration::from_secs(10), Duration::from_secs(1));
    let names: Vec<String> = (1..members).map(|i| format!("fm{i}")).collect();
    let mut users = names.clone();
    users.push("fowner".into());
    users.extend((0..OTHERS).flat_map(|i| [format!("os{i}"), format!("or{i}")]));
    let env = Env::start(
        plan,
        "flood",
        Setup {
            users,
            ..Setup::default()
        },
    )
    .await?;
    let result = measure(&env, &names, online, flooders, window).await;
    env.finish().await?;
    result
}

async fn measure(
    env: &Env,
    names: &[String],
    online: usize,
    flooders: usize,
    window: Duration,
) -> Result<FloodResult> {
    let mut owner = env.login("fowner").await?;
    build_group(&mut owner, names).await?;
    let mut others: Vec<Client> = Vec::with_capacity(OTHERS);
    for i in 0..OTHERS {
        others.push(env.login(&format!("os{i}")).await?);
    }
    let readers: Vec<Client> = futures::stream::iter(names.iter().take(online))
        .map(|u| env.login(u))
        .buffer_unordered(64)
        .try_collect()
        .await?;

    let baseline = others_window(&mut others, window, "b").await?;

    let mut flooding = vec![owner];
    for name in names.iter().rev().take(flooders.saturating_sub(1)) {
        flooding.push(env.login(name).await?);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let floods: Vec<_> = flooding
        .into_iter()
        .enumerate()
        .map(|(i, c)| tokio::spawn(flood(c, i, Arc::clone(&stop))))
        .collect();
    // Each reader counts pushes until the flood has been quiet for a while.
    let counting: Vec<_> = readers
        .into_iter()
        .map(|c| tokio::spawn(count(c)))
        .collect();
    // Let the flood fill the queues before measuring.
    tokio::time::sleep(window / 4).await;
    let started = Instant::now();
    let flooded = others_window(&mut others, window, "f").await?;
    stop.store(true, Ordering::Release);
    let mut group_sent = 0u64;
    for f in floods {
        group_sent += f.await??;
    }
    let flood_secs = started.elapsed().as_secs_f64() + window.as_secs_f64() / 4.0;
    let mut member_pushes = 0;
    for c in counting {
        member_pushes += c.await?;
    }
    for c in others {
        c.close().await;
    }
    let (baseline_ms, flooded_ms) = (Summary::of(&baseline), Summary::of(&flooded));
    Ok(FloodResult {
        members: names.len() + 1,
        online_members: online,
        flooders,
        others: OTHERS,
        window_secs: window.as_secs_f64(),
        p99_ratio: (flooded_ms.p99 / baseline_ms.p99.max(1e-9) * 100.0).round() / 100.0,
        baseline_ms,
        flooded_ms,
        group_msgs_per_sec: (group_sent as f64 / flood_secs).round(),
        member_pushes,
    })
}

async fn build_group(owner: &mut Client, names: &[String]) -> Result<()> {
    let mut chunks = names.chunks(PER_CALL);
    let first = chunks.next().unwrap_or_default().to_vec();
    let reply = owner
        .call(Request::CreateGroup {
            group_id: Some(GROUP.into()),
            name: GROUP.into(),
            kind: "Private".into(),
            member_list: first,
        })
        .await?
        .reply("createGroup")?;
    if !matches!(reply, Reply::Group { .. }) {
        bail!("createGroup answered {reply:?}");
    }
    for chunk in chunks {
        owner
            .call(Request::AddGroupMember {
                group_id: GROUP.into(),
                user_ids: chunk.to_vec(),
            })
            .await?
            .reply("addGroupMember")?;
    }
    Ok(())
}

/// Every other sender in a closed loop for `window`; their latencies.
async fn others_window(
    others: &mut [Client],
    window: Duration,
    tag: &str,
) -> Result<Vec<Duration>> {
    let end = Instant::now() + window;
    let loops = others.iter_mut().enumerate().map(|(i, c)| async move {
        let mut kept = Vec::new();
        let mut k = 0u64;
        while Instant::now() < end {
            k += 1;
            let timed = c
                .call(Request::SendMessage {
                    conversation_id: format!("C2Cor{i}"),
                    id: format!("o{tag}{i}-{k}"),
                    body: WireBody::Text {
                        text: format!("other {k}"),
                    },
                    need_read_receipt: false,
                })
                .await?;
            kept.push(timed.latency);
            if !matches!(timed.reply("sendMessage")?, Reply::Sent { .. }) {
                bail!("sendMessage was not answered with sent");
            }
        }
        Ok::<_, anyhow::Error>(kept)
    });
    let all: Vec<Vec<Duration>> = futures::future::try_join_all(loops).await?;
    Ok(all.into_iter().flatten().collect())
}

/// Sends to the group with [`FLOOD_DEPTH`] in flight until `stop`; how many were answered.
async fn flood(mut c: Client, who: usize, stop: Arc<AtomicBool>) -> Result<u64> {
    let mut in_flight = FuturesUnordered::new();
    let (mut k, mut sent) = (0u64, 0u64);
    loop {
        while in_flight.len() < FLOOD_DEPTH && !stop.load(Ordering::Acquire) {
            k += 1;
            let (at, rx) = c
                .start(Request::SendMessage {
                    conversation_id: format!("GROUP{GROUP}"),
                    id: format!("f{who}-{k}"),
                    body: WireBody::Text {
                        text: format!("flood {who} {k}"),
                    },
                    need_read_receipt: false,
                })
                .await?;
            in_flight.push(finish("sendMessage", at, rx));
        }
        let Some(timed) = in_flight.next().await else {
            break;
        };
        timed?.reply("group sendMessage")?;
        sent += 1;
    }
    c.close().await;
    Ok(sent)
}

/// Pushes `c` receives until none has come for 3 s.
async fn count(mut c: Client) -> u64 {
    let mut n = 0;
    while c.next_push(Duration::from_secs(3)).await.is_ok() {
        n += 1;
    }
    c.close().await;
    n
}
