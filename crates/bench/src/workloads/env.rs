//! One workload's world: a seeded database in its own directory and a server running on it.

use super::Plan;
use crate::client::Client;
use crate::seed::{self, Thread};
use crate::server::ServerProc;
use anyhow::{ensure, Context, Result};
use std::path::PathBuf;

/// UserSigs made for benchmarks live this long.
const SIG_LIFETIME_SECS: i64 = 24 * 3600;

pub struct Env {
    pub dir: PathBuf,
    pub server: ServerProc,
}

/// How to prepare the database before the server starts.
#[derive(Debug, Default)]
pub struct Setup {
    pub threads: Vec<Thread>,
    /// Users who exist (logged in before) but have no messages.
    pub users: Vec<String>,
    /// Turn on "sync conversation deletion" with `tim-server app set`, as an operator would.
    pub sync_deletion: bool,
}

impl Env {
    pub async fn start(plan: &Plan, name: &str, setup: Setup) -> Result<Env> {
        let dir = plan.scratch.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let db = dir.join("tim.db");
        let seeded = {
            let db = db.clone();
            let started = std::time::Instant::now();
            let messages: u64 = setup.threads.iter().map(|t| t.messages).sum();
            let app = tokio::task::spawn_blocking(move || {
                seed::create(&db, false, &setup.threads, &setup.users)
            })
            .await??;
            eprintln!(
                "tim-bench: seeded {messages} messages in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            app
        };
        if setup.sync_deletion {
            let out = tokio::process::Command::new(&plan.spec.bin)
                .args(["app", "set", "--db"])
                .arg(&db)
                .args(["--sdkappid", &seeded.sdk_app_id.to_string()])
                .args(["--sync-conversation-deletion", "true"])
                .output()
                .await
                .context("tim-server app set")?;
            let stdout = String::from_utf8_lossy(&out.stdout);
            ensure!(
                out.status.success() && stdout.contains("syncConversationDeletion=true"),
                "tim-server app set failed: {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let app = (seeded.sdk_app_id, seeded.secret_key.clone());
        let server = ServerProc::start(&plan.spec, &dir, &db, app).await?;
        Ok(Env { dir, server })
    }

    pub fn sig(&self, user: &str) -> Result<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs();
        Ok(tim_server::usersig::generate(
            self.server.sdk_app_id,
            &self.server.secret_key,
            user,
            SIG_LIFETIME_SECS,
            i64::try_from(now)?,
        )?)
    }

    /// A logged-in session of `user`.
    pub async fn login(&self, user: &str) -> Result<Client> {
        let sig = self.sig(user)?;
        Client::login(&self.server.ws_url(), self.server.sdk_app_id, user, &sig).await
    }

    /// Stops the server and removes the database.
    pub async fn finish(self) -> Result<()> {
        self.server.stop().await?;
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(())
    }
}
