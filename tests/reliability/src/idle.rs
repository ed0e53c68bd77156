//! An idle-connection flood: with the connection cap set to `cap`, a logged-in client is
//! connected first, then `cap + extra` bare TCP connections that never send a byte. The
//! server must hold no more than the cap and its refusal band (counted from its open
//! descriptors) and keep answering the logged-in client.

use crate::kill::Sigs;
use crate::raw::addr_of;
use crate::Mode;
use anyhow::{bail, Context, Result};
use std::time::Duration;
use tim_bench::workloads::env::{Env, Setup};
use tim_bench::workloads::Plan;
use tim_proto::{Reply, Request};
use tokio::net::TcpStream;

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IdleFigures {
    pub cap: usize,
    pub opened: usize,
    /// Connections the server held at the height of the flood (open descriptors over its
    /// count before).
    pub held: usize,
    pub client_answered: bool,
}

pub async fn run(plan: &Plan, mode: Mode) -> Result<IdleFigures> {
    let cap = mode.pick(300, 2_000);
    let extra = mode.pick(200, 1_000);
    let mut plan = plan.clone();
    plan.spec.flags.push(("--max-connections", cap.to_string()));
    let env = Env::start(
        &plan,
        "idle-flood",
        Setup {
            users: vec!["alive".into()],
            ..Setup::default()
        },
    )
    .await?;
    let url = env.server.ws_url();
    let sigs = Sigs(env.server.sdk_app_id, env.server.secret_key.clone());
    let mut alive = sigs.login(&url, "alive").await?;
    let before = open_fds(env.server.pid)?;
    let addr = addr_of(&url)?;
    let mut idle = Vec::with_capacity(cap + extra);
    for _ in 0..cap + extra {
        // Past the cap a connect may be refused or hang in the backlog: both are fine.
        if let Ok(Ok(c)) =
            tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr)).await
        {
            idle.push(c);
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let held = open_fds(env.server.pid)?.saturating_sub(before);
    let client_answered = matches!(alive.call(Request::Ping).await?.reply("ping")?, Reply::Pong);
    let opened = idle.len();
    drop(idle);
    alive.close().await;
    env.finish().await?;
    if opened < cap {
        bail!("could open only {opened} connections (raise ulimit -n)");
    }
    Ok(IdleFigures {
        cap,
        opened,
        held,
        client_answered,
    })
}

fn open_fds(pid: u32) -> Result<usize> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/fd"))
        .with_context(|| format!("/proc/{pid}/fd"))?
        .count())
}
