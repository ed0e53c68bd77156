//! Workload 1: deleteConversation latency against the size of the conversation's history.
//!
//! One database holds one C2C thread per size between `alice` and `h<size>` (all sizes in one
//! file and one server, so their ratio is measured in one run). Measured: the time from writing
//! alice's `deleteConversation` request to reading its `conversationDeleted` reply.
//!
//! The first deletion of each thread covers its whole seeded history (`first_ms`). Every later
//! deletion needs the conversation back in alice's list: the peer sends one message (not
//! timed), alice reads its push, then deletes again. The thread still holds every message on the
//! server (the peer never deleted, so nothing can be purged); alice's watermark simply moves
//! to the newest seq, which is what deletion does whatever the size. Sizes are interleaved,
//! starting at a different size each round, so machine noise hits them alike.

use super::env::{Env, Setup};
use super::Plan;
use crate::client::Client;
use crate::seed::Thread;
use crate::stats::{self, Summary};
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tim_proto::model::WireBody;
use tim_proto::{Push, Reply, Request};

const DELETER: &str = "alice";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeleteResult {
    /// Whether the app synced deletions to other sessions (as shipped: off).
    pub sync_setting: bool,
    pub sizes: Vec<SizeResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SizeResult {
    pub messages: u64,
    /// The first deletion, of the whole seeded history (one sample).
    pub first_ms: f64,
    /// Every later deletion (after one new message brought the conversation back).
    pub latency_ms: Summary,
}

fn peer(size: u64) -> String {
    format!("h{size}")
}

pub async fn run(plan: &Plan) -> Result<DeleteResult> {
    let sizes: Vec<u64> = plan.pick(
        vec![10, 1_000, 10_000, 100_000, 1_000_000],
        vec![10, 1_000, 10_000],
    );
    let rounds = plan.pick(500, 30);
    let setup = Setup {
        threads: sizes
            .iter()
            .map(|&n| Thread::new(DELETER, peer(n), n))
            .collect(),
        ..Setup::default()
    };
    let env = Env::start(plan, "delete", setup).await?;
    let result = measure(&env, &sizes, rounds).await;
    env.finish().await?;
    result
}

async fn measure(env: &Env, sizes: &[u64], rounds: usize) -> Result<DeleteResult> {
    let mut alice = env.login(DELETER).await?;
    let mut peers = Vec::with_capacity(sizes.len());
    for &n in sizes {
        peers.push(env.login(&peer(n)).await?);
    }
    // Warm-up that changes nothing: every conversation and its newest page read once.
    for &n in sizes {
        let id = format!("C2C{}", peer(n));
        alice
            .call(Request::GetConversation {
                conversation_id: id.clone(),
            })
            .await?
            .reply("getConversation")?;
        alice
            .call(Request::GetMessageList {
                conversation_id: id,
                next_req_message_id: None,
                count: 15,
            })
            .await?
            .reply("getMessageList")?;
    }
    let mut first = Vec::with_capacity(sizes.len());
    for &n in sizes {
        first.push(delete(&mut alice, n, n).await?);
    }
    let mut samples: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); sizes.len()];
    for round in 0..rounds {
        for k in 0..sizes.len() {
            let i = (round + k) % sizes.len();
            let n = sizes[i];
            let seq = resend(&mut peers[i], &mut alice, round).await?;
            samples[i].push(delete(&mut alice, n, seq).await?);
        }
    }
    Ok(DeleteResult {
        sync_setting: false,
        sizes: sizes
            .iter()
            .zip(first)
            .zip(&samples)
            .map(|((&messages, first), s)| SizeResult {
                messages,
                first_ms: stats::round(first.as_secs_f64() * 1e3),
                latency_ms: Summary::of(s),
            })
            .collect(),
    })
}

/// Alice deletes the conversation with `h<size>`; checks the watermark is `newest`.
async fn delete(alice: &mut Client, size: u64, newest: u64) -> Result<Duration> {
    let timed = alice
        .call(Request::delete(format!("C2C{}", peer(size))))
        .await?;
    let latency = timed.latency;
    match timed.reply("deleteConversation")? {
        Reply::ConversationDeleted { cleared_seq, .. } if cleared_seq == newest => Ok(latency),
        other => bail!(
            "deleting C2C{} (newest seq {newest}) answered {other:?}",
            peer(size)
        ),
    }
}

/// The peer sends one message, which brings the conversation back for alice; waits until
/// alice has its push, so nothing is in flight when the deletion starts. Returns its seq.
async fn resend(peer: &mut Client, alice: &mut Client, round: usize) -> Result<u64> {
    let reply = peer
        .call(Request::SendMessage {
            conversation_id: format!("C2C{DELETER}"),
            id: format!("again-{round}"),
            body: WireBody::Text {
                text: format!("back again, round {round}"),
            },
            need_read_receipt: false,
        })
        .await?
        .reply("sendMessage")?;
    let Reply::Sent { message } = reply else {
        bail!("sendMessage answered {reply:?}");
    };
    loop {
        let pushed = alice.next_push(Duration::from_secs(30)).await?;
        if let Push::Message { message: m } = pushed.push {
            if m.id == message.id {
                return Ok(message.seq);
            }
        }
    }
}
