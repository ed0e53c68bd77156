//! Slow readers: sessions that log in and then stop reading their socket, while a flooder
//! sends them 12 KB messages and two other users keep talking. Each slow session must be
//! closed (it fell behind; its queue is bounded) with a 60011 close frame, which the server
//! keeps trying to write behind what the socket holds for two ping intervals, so a reader that
//! reads again gets it (counted apart from a connection that just ends, which fails the run).
//! The others are answered throughout.
//! Figures: the server's RSS before, with the stuck sessions, and after they were closed.

use crate::kill::Sigs;
use crate::raw::RawClient;
use crate::Mode;
use anyhow::{bail, Result};
use std::time::Duration;
use tim_bench::workloads::env::{Env, Setup};
use tim_bench::workloads::Plan;
use tim_proto::model::WireBody;
use tim_proto::{Reply, Request};

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SlowFigures {
    pub slow_readers: usize,
    /// Closed by the server: with a 60011 close frame, or ended without one.
    pub closed: usize,
    pub closed_with_60011: usize,
    /// Still open after the flood (or closed for another reason).
    pub not_closed: usize,
    /// Requests the other users made during the flood, and how many failed.
    pub others_answered: usize,
    pub others_failed: usize,
    pub rss_before_mb: f64,
    pub rss_stuck_mb: f64,
    pub rss_after_mb: f64,
}

const MB: f64 = 1024.0 * 1024.0;

pub async fn run(plan: &Plan, mode: Mode) -> Result<SlowFigures> {
    let readers = mode.pick(2, 10);
    // Enough to fill the socket buffers (megabytes on loopback) and then the 2 MiB queue.
    let per_reader = mode.pick(1_000, 1_500);
    let mut users: Vec<String> = (0..readers).map(|i| format!("slow{i}")).collect();
    users.extend(["sf", "so0", "so1"].map(String::from));
    let env = Env::start(
        plan,
        "slow",
        Setup {
            users,
            ..Setup::default()
        },
    )
    .await?;
    let url = env.server.ws_url();
    let sigs = Sigs(env.server.sdk_app_id, env.server.secret_key.clone());
    let rss_before = env.server.rss_bytes()?;
    let mut slow = Vec::new();
    for i in 0..readers {
        let user = format!("slow{i}");
        slow.push(RawClient::login(&url, env.server.sdk_app_id, &user, &env.sig(&user)?).await?);
    }
    let mut flooder = sigs.login(&url, "sf").await?;
    let mut other = sigs.login(&url, "so0").await?;
    let mut figures = SlowFigures {
        slow_readers: readers,
        ..SlowFigures::default()
    };
    let text = "x".repeat(12 * 1024);
    for k in 0..per_reader {
        for i in 0..readers {
            let reply = flooder
                .call(Request::SendMessage {
                    conversation_id: format!("C2Cslow{i}"),
                    id: format!("f{i}-{k}"),
                    body: WireBody::Text { text: text.clone() },
                    need_read_receipt: false,
                })
                .await?
                .reply("flood send")?;
            if !matches!(reply, Reply::Sent { .. }) {
                bail!("flood send answered {reply:?}");
            }
        }
        if k % 20 == 0 {
            let answered = other
                .call(Request::SendMessage {
                    conversation_id: "C2Cso1".into(),
                    id: format!("o-{k}"),
                    body: WireBody::Text {
                        text: "still here".into(),
                    },
                    need_read_receipt: false,
                })
                .await
                .and_then(|t| t.reply("other send"));
            match answered {
                Ok(Reply::Sent { .. }) => figures.others_answered += 1,
                _ => figures.others_failed += 1,
            }
        }
    }
    figures.rss_stuck_mb = round1(env.server.rss_bytes()? as f64 / MB);
    for s in slow {
        match s.close_reason(Duration::from_secs(30)).await {
            Ok(reason) if reason.starts_with("60011") => {
                figures.closed += 1;
                figures.closed_with_60011 += 1;
            }
            Ok(reason) if reason.is_empty() => figures.closed += 1,
            Ok(reason) => {
                eprintln!("tim-reliability: a slow reader closed with {reason:?}");
                figures.not_closed += 1;
            }
            Err(e) => {
                eprintln!("tim-reliability: a slow reader: {e:#}");
                figures.not_closed += 1;
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    figures.rss_before_mb = round1(rss_before as f64 / MB);
    figures.rss_after_mb = round1(env.server.rss_bytes()? as f64 / MB);
    flooder.close().await;
    other.close().await;
    env.finish().await?;
    Ok(figures)
}

pub fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
