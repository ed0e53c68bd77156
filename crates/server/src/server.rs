//! Starting and stopping a server: open storage, bind, serve until told to stop.

use crate::apps::ensure_demo_app;
use crate::config::ServeConfig;
use crate::error::FatalError;
use crate::http::router;
use crate::hub::{Hub, LocalHub};
use crate::listen::Gate;
use crate::nats_hub::NatsHub;
use crate::purge::run_purge;
use crate::service::{GroupCaps, Service};
use crate::state::AppState;
use crate::store::{self, App, Store};
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A server whose socket is bound and storage open, not yet serving.
pub struct BoundServer {
    listener: TcpListener,
    router: Router,
    gate: Arc<Gate>,
    header_timeout: Duration,
    shutdown: watch::Sender<bool>,
    store: Arc<dyn Store>,
    hub: Arc<dyn Hub>,
    service: Arc<Service>,
    pub local_addr: SocketAddr,
    /// The demo app, if this database has one.
    pub demo_app: Option<App>,
    /// This start created the demo app (its secret key is printed then only).
    pub demo_created: bool,
}

/// Longest a clean stop waits for the fan-out queue to empty into the hub.
const FANOUT_DRAIN: Duration = Duration::from_secs(5);

pub async fn bind(config: &ServeConfig) -> Result<BoundServer, FatalError> {
    let db = config.db.to_string_lossy().into_owned();
    let commit_after = config.send_commit_after;
    let (store, demo_app) = tokio::task::spawn_blocking(move || {
        let store = store::open(&db, commit_after)?;
        let demo = ensure_demo_app(store.as_ref())?;
        Ok::<_, FatalError>((store, demo))
    })
    .await
    .map_err(|e| FatalError(format!("opening the database: {e}")))??;
    tracing::info!(db = %redacted(&config.db.to_string_lossy()), "database open");

    let caps = GroupCaps {
        max_members: config.limits.max_group_members,
        max_groups: config.limits.max_groups_per_user,
    };
    let hub: Arc<dyn Hub> = match &config.nats {
        None => Arc::new(LocalHub::new()),
        Some(url) => Arc::new(NatsHub::connect(url).await?),
    };
    let service = Service::new(Arc::clone(&store), Arc::clone(&hub));
    let pages = crate::service::Pages {
        list: config.limits.list_page,
        events: config.limits.catch_up_page,
    };
    let service = Arc::new(service.with_group_caps(caps).with_pages(pages));
    let (shutdown, shutdown_rx) = watch::channel(false);
    let blobs = Arc::new(crate::files::disk::Blobs::new(
        config
            .files
            .clone()
            .unwrap_or_else(|| crate::config::default_files_dir(&config.db)),
    ));
    tokio::spawn(run_purge(
        Arc::clone(&store),
        Arc::clone(&blobs),
        shutdown_rx.clone(),
    ));
    let router = router(
        config,
        AppState::new(
            Arc::clone(&service),
            shutdown_rx,
            config.limits.clone(),
            blobs,
        ),
    );
    let gate = Gate::new(crate::fd_limit::fit_connections(
        config.limits.max_connections,
    ));
    let listener = TcpListener::bind(&config.addr)
        .await
        .map_err(|e| FatalError(format!("binding {}: {e}", config.addr)))?;
    let local_addr = listener.local_addr()?;
    Ok(BoundServer {
        listener,
        router,
        gate,
        header_timeout: config.limits.http_header_timeout,
        shutdown,
        store,
        hub,
        service,
        local_addr,
        demo_created: demo_app.as_ref().is_some_and(|d| d.created),
        demo_app: demo_app.map(|d| d.app),
    })
}

/// The database setting for logs: a URL's password replaced.
fn redacted(db: &str) -> String {
    match (db.find("://"), db.rfind('@')) {
        (Some(scheme), Some(at)) if scheme < at => {
            let creds = &db[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &db[..scheme + 3], &db[at..]),
                None => db.to_owned(),
            }
        }
        _ => db.to_owned(),
    }
}

impl BoundServer {
    /// Serves until `stop` resolves, then closes every session and finishes open requests.
    pub async fn serve(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), FatalError> {
        let BoundServer {
            listener,
            router,
            gate,
            header_timeout,
            shutdown,
            store,
            hub,
            service,
            ..
        } = self;
        let signal = async move {
            stop.await;
            tracing::info!("shutting down");
            // WebSocket sessions are not tracked by the HTTP server's graceful shutdown:
            // tell them directly.
            let _ = shutdown.send(true);
        };
        crate::listen::serve(listener, router, gate, header_timeout, signal).await;
        let served: Result<(), FatalError> = Ok(());
        // The last pushes made before the sessions closed still reach the other nodes: out of
        // the fan-out queue into the hub first, then on from the hub.
        service.delivered(FANOUT_DRAIN).await;
        hub.flush().await;
        // Everything answered is in the database file, not only in the send log.
        let flushed = tokio::task::spawn_blocking(move || store.flush()).await;
        match flushed {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!("flushing the store at shutdown: {e}"),
            Err(e) => tracing::error!("flushing the store at shutdown: {e}"),
        }
        served
    }
}
