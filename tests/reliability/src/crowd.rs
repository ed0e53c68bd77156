//! Many concurrent clients: `c<2i>` and `c<2i+1>` are peers; every client logs in (64 logins
//! at a time), then all send [`MESSAGES`] each to their peer at once. Every client must
//! receive each of its peer's messages exactly once (counted by message ID from the pushes).

use crate::kill::Sigs;
use crate::Mode;
use anyhow::{bail, Result};
use futures::{StreamExt, TryStreamExt};
use std::collections::HashMap;
use std::time::Duration;
use tim_bench::client::Client;
use tim_bench::workloads::env::{Env, Setup};
use tim_bench::workloads::Plan;
use tim_proto::model::WireBody;
use tim_proto::{Push, Reply, Request};

/// Messages each client sends.
pub const MESSAGES: usize = 5;

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CrowdFigures {
    pub clients: usize,
    pub messages: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub errors: usize,
}

pub async fn run(plan: &Plan, mode: Mode) -> Result<CrowdFigures> {
    let clients = mode.pick(200, 1_000);
    let users: Vec<String> = (0..clients).map(|i| format!("c{i}")).collect();
    let env = Env::start(
        plan,
        "crowd",
        Setup {
            users: users.clone(),
            ..Setup::default()
        },
    )
    .await?;
    let sigs = Sigs(env.server.sdk_app_id, env.server.secret_key.clone());
    let url = env.server.ws_url();
    let logged: Vec<Client> = futures::stream::iter(users.iter().map(|u| sigs.login(&url, u)))
        .buffered(64)
        .try_collect()
        .await?;
    let runs = logged
        .into_iter()
        .enumerate()
        .map(|(i, c)| tokio::spawn(one(c, i)));
    let mut figures = CrowdFigures {
        clients,
        ..CrowdFigures::default()
    };
    for r in futures::future::join_all(runs).await {
        match r? {
            Ok((sent, lost, duplicated)) => {
                figures.messages += sent;
                figures.lost += lost;
                figures.duplicated += duplicated;
            }
            Err(e) => {
                eprintln!("tim-reliability: crowd client failed: {e:#}");
                figures.errors += 1;
            }
        }
    }
    env.finish().await?;
    Ok(figures)
}

fn peer(i: usize) -> usize {
    i ^ 1
}

/// Sends to the peer, then takes pushes until the peer's messages are all in (or none comes
/// for a while); (sent, lost, duplicated).
async fn one(mut c: Client, i: usize) -> Result<(usize, usize, usize)> {
    for k in 0..MESSAGES {
        let reply = c
            .call(Request::SendMessage {
                conversation_id: format!("C2Cc{}", peer(i)),
                id: format!("c{i}-{k}"),
                body: WireBody::Text {
                    text: format!("crowd {i} {k}"),
                },
                need_read_receipt: false,
            })
            .await?
            .reply("sendMessage")?;
        if !matches!(reply, Reply::Sent { .. }) {
            bail!("sendMessage answered {reply:?}");
        }
    }
    let mut got: HashMap<String, usize> = HashMap::new();
    let from = format!("c{}", peer(i));
    while got.len() < MESSAGES {
        let Ok(p) = c.next_push(Duration::from_secs(20)).await else {
            break;
        };
        if let Push::Message { message } = p.push {
            if message.from == from {
                *got.entry(message.id).or_default() += 1;
            }
        }
    }
    // Anything more would be a duplicate: give it a moment to show.
    while let Ok(p) = c.next_push(Duration::from_millis(200)).await {
        if let Push::Message { message } = p.push {
            if message.from == from {
                *got.entry(message.id).or_default() += 1;
            }
        }
    }
    c.close().await;
    let lost = (0..MESSAGES)
        .filter(|k| !got.contains_key(&format!("c{}-{k}", peer(i))))
        .count();
    let duplicated = got.values().map(|n| n.saturating_sub(1)).sum();
    Ok((MESSAGES, lost, duplicated))
}
