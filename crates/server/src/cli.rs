//! The command line: `serve`, `usersig`, `app create|list|get|set`.
//!
//! Every failure, bad arguments included, prints `tim-server: ...` or clap's explanation on
//! stderr and exits with status 1, having changed nothing.

use crate::apps::create_app;
use crate::clock::unix_now;
use crate::config::{ServeConfig, DEFAULT_SEND_COMMIT_AFTER};
use crate::error::FatalError;
use crate::limit_args::LimitArgs;
use crate::server;
use crate::store::{self, App, Store};
use crate::usersig::{self, DEFAULT_EXPIRE_SECS};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tim_proto::user_id::validate_id;

const DEFAULT_DB: &str = "data/tim.db";

#[derive(Debug, Parser)]
#[command(name = "tim-server", version, about = "The tim-wasm chat server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server: WebSocket gateway, static files, demo API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// The database: a SQLite file, or a PostgreSQL URL (`postgres://user@host/dbname`).
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        #[arg(long, default_value = "www")]
        www: PathBuf,
        #[arg(long, default_value = "pkg")]
        pkg: PathBuf,
        /// Serve /api/demo/usersig (hands out UserSigs to anyone: local use only).
        #[arg(long)]
        demo: bool,
        /// Milliseconds answered sends may stay only in the send log (durable there) before
        /// the database commits them in bulk. Other processes reading the file see sends this
        /// much later.
        #[arg(long, default_value_t = DEFAULT_SEND_COMMIT_AFTER.as_millis() as u64)]
        send_commit_ms: u64,
        /// Cluster mode: fan pushes out to the other nodes over this NATS server
        /// (`nats://host:4222`; several servers of a NATS cluster comma-separated). Without it,
        /// pushes reach this process's sessions only.
        #[arg(long, value_name = "URL")]
        nats: Option<String>,
        /// Where uploaded images and files are kept (default: `files` beside the SQLite file;
        /// with PostgreSQL, `data/files`). In a cluster, one directory every node shares.
        #[arg(long, value_name = "DIR")]
        files: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Print a UserSig for a user of an app.
    Usersig {
        /// The database: a SQLite file, or a PostgreSQL URL (`postgres://user@host/dbname`).
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        #[arg(long)]
        sdkappid: u64,
        #[arg(long)]
        user: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = DEFAULT_EXPIRE_SECS)]
        expire: i64,
    },
    /// Manage apps (tenants).
    App {
        #[command(subcommand)]
        command: AppCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Create an app and print its SDKAppID and secret key.
    Create {
        /// The database: a SQLite file, or a PostgreSQL URL (`postgres://user@host/dbname`).
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        /// Default: one more than the highest existing SDKAppID.
        #[arg(long)]
        sdkappid: Option<u64>,
        /// Default: 64 random hex characters.
        #[arg(long)]
        secret: Option<String>,
        #[arg(long)]
        admin: Option<String>,
        /// Tell a user's other sessions when they delete a conversation.
        #[arg(long)]
        sync_conversation_deletion: bool,
    },
    /// List the apps.
    List {
        /// The database: a SQLite file, or a PostgreSQL URL (`postgres://user@host/dbname`).
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
    },
    /// Print an app's settings.
    Get {
        /// The database: a SQLite file, or a PostgreSQL URL (`postgres://user@host/dbname`).
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        #[arg(long)]
        sdkappid: u64,
    },
    /// Change an app's settings. Safe while the server runs: it reads settings on every use.
    Set {
        /// The database: a SQLite file, or a PostgreSQL URL (`postgres://user@host/dbname`).
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        #[arg(long)]
        sdkappid: u64,
        /// true or false.
        #[arg(long, action = clap::ArgAction::Set, required_unless_present = "revoke_time_limit")]
        sync_conversation_deletion: Option<bool>,
        /// Seconds after sending within which a sender may revoke a message (default 120, at
        /// most 604800).
        #[arg(long, value_parser = clap::value_parser!(u32)
            .range(..=i64::from(tim_proto::limits::MAX_REVOKE_TIME_LIMIT)))]
        revoke_time_limit: Option<u32>,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not failures; everything else clap refuses is (status
            // 1 like every other failure, rather than clap's own 2).
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_tracing();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tim-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

pub fn run(command: Command) -> Result<(), FatalError> {
    match command {
        Command::Serve {
            addr,
            db,
            www,
            pkg,
            demo,
            send_commit_ms,
            nats,
            files,
            limits,
        } => serve(ServeConfig {
            addr,
            db,
            www,
            pkg,
            demo,
            send_commit_after: Duration::from_millis(send_commit_ms),
            nats,
            files,
            limits: limits.limits(),
        }),
        Command::Usersig {
            db,
            sdkappid,
            user,
            expire,
        } => {
            validate_id(&user).map_err(|e| FatalError(format!("userID {e}")))?;
            let app = existing_app(open_db(&db)?.as_ref(), sdkappid)?;
            let sig = usersig::generate(sdkappid, &app.secret_key, &user, expire, unix_now())?;
            print_line(&sig)
        }
        Command::App { command } => app_command(command),
    }
}

fn app_command(command: AppCommand) -> Result<(), FatalError> {
    match command {
        AppCommand::Create {
            db,
            sdkappid,
            secret,
            admin,
            sync_conversation_deletion,
        } => {
            let store = open_db(&db)?;
            let app = create_app(
                store.as_ref(),
                sdkappid,
                secret,
                admin,
                sync_conversation_deletion,
            )?;
            print_line(&format!(
                "SDKAppID={} secretKey={}",
                app.sdk_app_id, app.secret_key
            ))
        }
        AppCommand::List { db } => {
            for app in open_db(&db)?.apps()? {
                print_line(&format!(
                    "SDKAppID={} secretKey={} admin={} syncConversationDeletion={}",
                    app.sdk_app_id,
                    app.secret_key,
                    app.admin_identifier,
                    app.sync_conversation_deletion
                ))?;
            }
            Ok(())
        }
        AppCommand::Get { db, sdkappid } => {
            let app = existing_app(open_db(&db)?.as_ref(), sdkappid)?;
            print_line(&settings_line(&app))
        }
        AppCommand::Set {
            db,
            sdkappid,
            sync_conversation_deletion,
            revoke_time_limit,
        } => {
            let store = open_db(&db)?;
            let found = match sync_conversation_deletion {
                Some(on) => store.set_sync_conversation_deletion(sdkappid, on)?,
                None => true,
            } && match revoke_time_limit {
                Some(seconds) => store.set_revoke_time_limit(sdkappid, seconds)?,
                None => true,
            };
            if !found {
                return Err(no_such_app(sdkappid));
            }
            let line = settings_line(&existing_app(store.as_ref(), sdkappid)?);
            // The limit is shown when it was set (the line stays as scripts know it otherwise).
            match revoke_time_limit {
                Some(_) => {
                    let limit = store.revoke_time_limit(sdkappid)?.unwrap_or_default();
                    print_line(&format!("{line} revokeTimeLimit={limit}"))
                }
                None => print_line(&line),
            }
        }
    }
}

/// `SDKAppID=<n> admin=<identifier> syncConversationDeletion=<bool>`.
fn settings_line(app: &App) -> String {
    format!(
        "SDKAppID={} admin={} syncConversationDeletion={}",
        app.sdk_app_id, app.admin_identifier, app.sync_conversation_deletion
    )
}

/// The store `--db` names: a SQLite file, or a `postgres://` URL.
fn open_db(db: &Path) -> Result<Arc<dyn Store>, FatalError> {
    Ok(store::open(
        &db.to_string_lossy(),
        DEFAULT_SEND_COMMIT_AFTER,
    )?)
}

fn existing_app(store: &dyn Store, sdk_app_id: u64) -> Result<App, FatalError> {
    store
        .app(sdk_app_id)?
        .ok_or_else(|| no_such_app(sdk_app_id))
}

fn no_such_app(sdk_app_id: u64) -> FatalError {
    FatalError(format!("no app with SDKAppID {sdk_app_id}"))
}

/// Stdout lines are read by scripts and tests: flush each one at once.
fn print_line(line: &str) -> Result<(), FatalError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

fn serve(config: ServeConfig) -> Result<(), FatalError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let bound = server::bind(&config).await?;
        // The secret key once, when it is made; logs of later starts do not carry it.
        match &bound.demo_app {
            Some(app) if bound.demo_created => print_line(&format!(
                "demo app: SDKAppID={} secretKey={}",
                app.sdk_app_id, app.secret_key
            ))?,
            Some(app) => print_line(&format!(
                "demo app: SDKAppID={} (secret key: tim-server app list)",
                app.sdk_app_id
            ))?,
            None => {}
        }
        print_line(&format!(
            "tim-server listening on http://{}/",
            bound.local_addr
        ))?;
        bound.serve(stop_signal()).await
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn stop_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
