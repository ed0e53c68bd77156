//! Workload 2: how fast a deletion reaches the user's other session.
//!
//! `alice` is logged in twice (sessions 1 and 2) and the app's "sync conversation deletion" is
//! turned on with `tim-server app set`. Each round: `bob` sends alice one message (not timed;
//! both sessions read its push), then session 1 deletes `C2Cbob`. Measured: from writing the
//! request on session 1 to reading the `conversationDeleted` push on session 2 (`push_ms`);
//! also the deleting session's own request-to-reply time (`reply_ms`). Both clients are in
//! this process, on one clock.

use super::env::{Env, Setup};
use super::Plan;
use crate::client::{self, Client};
use crate::seed::Thread;
use crate::stats::Summary;
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tim_proto::model::WireBody;
use tim_proto::{Push, Reply, Request};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncResult {
    /// Request on session 1 -> push read on session 2.
    pub push_ms: Summary,
    /// Request on session 1 -> reply read on session 1.
    pub reply_ms: Summary,
}

const WAIT: Duration = Duration::from_secs(30);

pub async fn run(plan: &Plan) -> Result<SyncResult> {
    let rounds = plan.pick(500, 30);
    let setup = Setup {
        threads: vec![Thread::new("alice", "bob", 100)],
        sync_deletion: true,
        ..Setup::default()
    };
    let env = Env::start(plan, "sync", setup).await?;
    let result = measure(&env, rounds).await;
    env.finish().await?;
    result
}

async fn measure(env: &Env, rounds: usize) -> Result<SyncResult> {
    let mut one = env.login("alice").await?;
    let mut two = env.login("alice").await?;
    let mut bob = env.login("bob").await?;
    let mut push = Vec::with_capacity(rounds);
    let mut reply = Vec::with_capacity(rounds);
    for round in 0..=rounds {
        // Round 0 deletes the seeded history; then bob brings the conversation back each time.
        if round > 0 {
            let id = send(&mut bob, round).await?;
            for session in [&mut one, &mut two] {
                wait_for_message(session, &id).await?;
            }
        }
        let (sent, answer) = one.start(Request::delete("C2Cbob".to_owned())).await?;
        let pushed = loop {
            let p = two.next_push(WAIT).await?;
            if matches!(&p.push, Push::ConversationDeleted { conversation_id, .. } if conversation_id == "C2Cbob")
            {
                break p;
            }
        };
        let timed = client::finish("deleteConversation", sent, answer).await?;
        let latency = timed.latency;
        match timed.reply("deleteConversation")? {
            Reply::ConversationDeleted { .. } => {}
            other => bail!("deleteConversation answered {other:?}"),
        }
        if round > 0 {
            push.push(pushed.at.saturating_duration_since(sent));
            reply.push(latency);
        }
    }
    Ok(SyncResult {
        push_ms: Summary::of(&push),
        reply_ms: Summary::of(&reply),
    })
}

async fn send(bob: &mut Client, round: usize) -> Result<String> {
    let id = format!("sync-{round}");
    bob.call(Request::SendMessage {
        conversation_id: "C2Calice".to_owned(),
        id: id.clone(),
        body: WireBody::Text {
            text: format!("round {round}"),
        },
        need_read_receipt: false,
    })
    .await?
    .reply("sendMessage")?;
    Ok(id)
}

async fn wait_for_message(session: &mut Client, id: &str) -> Result<()> {
    loop {
        if let Push::Message { message } = session.next_push(WAIT).await?.push {
            if message.id == id {
                return Ok(());
            }
        }
    }
}
