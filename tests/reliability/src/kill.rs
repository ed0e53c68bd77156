//! kill -9 during sends and deletions. Senders (`ks<i>` to `kr<i>`) send in a closed loop and
//! note every send acknowledged (`sent`); deleters (`kd<i>`) delete their conversation with
//! `ke<i>` (who keeps sending into it) and note every acknowledged watermark. The server is
//! killed without warning at a random moment, restarted on the same files, and after each
//! restart: every acknowledged send is in the receiver's history exactly once, and no message
//! at or below an acknowledged watermark is visible to its deleter again.

use crate::Mode;
use anyhow::{bail, ensure, Context, Result};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;
use tim_bench::client::Client;
use tim_bench::server::ServerProc;
use tim_bench::workloads::env::{Env, Setup};
use tim_bench::workloads::Plan;
use tim_proto::model::WireBody;
use tim_proto::{Reply, Request};

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct KillFigures {
    pub restarts: usize,
    pub sends_acknowledged: usize,
    pub deletions_acknowledged: usize,
    /// Acknowledged sends missing after a restart, or stored twice.
    pub sends_lost: usize,
    pub sends_duplicated: usize,
    /// Acknowledged deletions undone (a message at or below the watermark visible again).
    pub deletions_undone: usize,
}

/// What one pair's loop had acknowledged when the server died.
#[derive(Default)]
struct Acked {
    sends: Vec<String>,
    /// The highest acknowledged watermark.
    cleared: u64,
    deletions: usize,
}

pub async fn run(plan: &Plan, mode: Mode) -> Result<KillFigures> {
    let pairs = mode.pick(4, 16);
    let rounds = mode.pick(3, 20);
    let mut users = Vec::new();
    for i in 0..pairs {
        users.extend(["ks", "kr", "kd", "ke"].map(|p| format!("{p}{i}")));
    }
    let env = Env::start(
        plan,
        "kill",
        Setup {
            users,
            sync_deletion: true,
            ..Setup::default()
        },
    )
    .await?;
    let Env { dir, mut server } = env;
    let app = (server.sdk_app_id, server.secret_key.clone());
    let db: PathBuf = dir.join("tim.db");
    let mut figures = KillFigures::default();
    let mut sent: HashMap<usize, Vec<String>> = HashMap::new();
    let mut cleared: HashMap<usize, u64> = HashMap::new();
    for round in 0..rounds {
        let url = server.ws_url();
        let sig = Sigs(server.sdk_app_id, server.secret_key.clone());
        let loops: Vec<_> = (0..pairs)
            .map(|i| tokio::spawn(pair_loop(url.clone(), sig.clone(), i, round)))
            .collect();
        // Somewhere between a quarter and a full second of load, different each round.
        let nanos = u64::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .subsec_nanos(),
        );
        tokio::time::sleep(Duration::from_millis(250 + nanos % 750)).await;
        server.kill9().await?;
        for (i, l) in loops.into_iter().enumerate() {
            let acked = l.await.context("a load loop panicked")?;
            figures.sends_acknowledged += acked.sends.len();
            figures.deletions_acknowledged += acked.deletions;
            sent.entry(i).or_default().extend(acked.sends);
            let c = cleared.entry(i).or_default();
            *c = (*c).max(acked.cleared);
        }
        server = ServerProc::start(&plan.spec, &dir, &db, app.clone()).await?;
        figures.restarts += 1;
        let sig = Sigs(server.sdk_app_id, server.secret_key.clone());
        check(&server.ws_url(), &sig, &sent, &cleared, &mut figures).await?;
    }
    server.stop().await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(figures)
}

/// Makes UserSigs for the seeded app.
#[derive(Clone)]
pub struct Sigs(pub u64, pub String);

impl Sigs {
    pub async fn login(&self, url: &str, user: &str) -> Result<Client> {
        let now = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs(),
        )?;
        let sig = tim_server::usersig::generate(self.0, &self.1, user, 24 * 3600, now)?;
        Client::login(url, self.0, user, &sig).await
    }
}

/// Sends and deletes until the server dies; what was acknowledged.
async fn pair_loop(url: String, sigs: Sigs, i: usize, round: usize) -> Acked {
    let mut acked = Acked::default();
    let _ = pair_load(&url, &sigs, i, round, &mut acked).await;
    acked
}

async fn pair_load(
    url: &str,
    sigs: &Sigs,
    i: usize,
    round: usize,
    acked: &mut Acked,
) -> Result<()> {
    let mut sender = sigs.login(url, &format!("ks{i}")).await?;
    let mut peer = sigs.login(url, &format!("ke{i}")).await?;
    let mut deleter = sigs.login(url, &format!("kd{i}")).await?;
    for k in 0.. {
        let id = format!("k{round}-{i}-{k}");
        if let Reply::Sent { .. } = sender
            .call(send(&format!("C2Ckr{i}"), &id))
            .await?
            .reply("send")?
        {
            acked.sends.push(id);
        }
        peer.call(send(&format!("C2Ckd{i}"), &format!("e{round}-{i}-{k}")))
            .await?
            .reply("peer send")?;
        if k % 3 == 2 {
            let r = deleter
                .call(Request::DeleteConversation {
                    conversation_id: format!("C2Cke{i}"),
                    op_id: Some(format!("d{round}-{i}-{k}")),
                    up_to_seq: None,
                })
                .await?
                .reply("delete")?;
            if let Reply::ConversationDeleted { cleared_seq, .. } = r {
                acked.cleared = acked.cleared.max(cleared_seq);
                acked.deletions += 1;
            }
        }
    }
    Ok(())
}

fn send(conversation: &str, id: &str) -> Request {
    Request::SendMessage {
        conversation_id: conversation.into(),
        id: id.into(),
        body: WireBody::Text { text: id.into() },
        need_read_receipt: false,
    }
}

/// Every message of `user`'s conversation, oldest first.
pub async fn history(
    c: &mut Client,
    conversation: &str,
) -> Result<Vec<tim_proto::model::WireMessage>> {
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let reply = c
            .call(Request::GetMessageList {
                conversation_id: conversation.into(),
                next_req_message_id: before.clone(),
                count: tim_proto::limits::MAX_PAGE_COUNT,
            })
            .await?
            .reply("getMessageList")?;
        let Reply::MessageList {
            mut messages,
            next_req_message_id,
            is_completed,
        } = reply
        else {
            bail!("getMessageList answered {reply:?}");
        };
        messages.append(&mut all);
        all = messages;
        if is_completed || next_req_message_id.is_none() {
            return Ok(all);
        }
        before = next_req_message_id;
    }
}

async fn check(
    url: &str,
    sigs: &Sigs,
    sent: &HashMap<usize, Vec<String>>,
    cleared: &HashMap<usize, u64>,
    figures: &mut KillFigures,
) -> Result<()> {
    for (&i, ids) in sent {
        let mut receiver = sigs.login(url, &format!("kr{i}")).await?;
        let stored = history(&mut receiver, &format!("C2Cks{i}")).await?;
        let mut count: HashMap<&str, usize> = HashMap::new();
        for m in &stored {
            *count.entry(m.id.as_str()).or_default() += 1;
        }
        for id in ids {
            match count.get(id.as_str()) {
                None => figures.sends_lost += 1,
                Some(1) => {}
                Some(_) => figures.sends_duplicated += 1,
            }
        }
        receiver.close().await;
    }
    for (&i, &watermark) in cleared {
        let mut deleter = sigs.login(url, &format!("kd{i}")).await?;
        let visible = history(&mut deleter, &format!("C2Cke{i}")).await?;
        figures.deletions_undone += usize::from(visible.iter().any(|m| m.seq <= watermark));
        deleter.close().await;
    }
    ensure!(figures.restarts > 0, "checked before any restart");
    Ok(())
}
