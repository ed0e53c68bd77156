//! Starting and stopping a server: open storage, bind, serve until told to stop.

use crate::apps::ensure_demo_app;
use crate::config::ServeConfig;
use crate::error::FatalError;
use crate::http::router;
use crate::hub::LocalHub;
use crate::purge::run_purge;
use crate::service::Service;
use crate::state::AppState;
use crate::store::{self, App, Store};
use axum::serve::ListenerExt;
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A server whose socket is bound and storage open, not yet serving.
pub struct BoundServer {
    listener: TcpListener,
    router: Router,
    shutdown: watch::Sender<bool>,
    store: Arc<dyn Store>,
    pub local_addr: SocketAddr,
    /// The demo app, if this database has one.
    pub demo_app: Option<App>,
}

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

    let service = Arc::new(Service::new(Arc::clone(&store), Arc::new(LocalHub::new())));
    let (shutdown, shutdown_rx) = watch::channel(false);
    tokio::spawn(run_purge(Arc::clone(&store), shutdown_rx.clone()));
    let router = router(
        config,
        AppState {
            service,
            shutdown: shutdown_rx,
        },
    );
    let listener = TcpListener::bind(&config.addr)
        .await
        .map_err(|e| FatalError(format!("binding {}: {e}", config.addr)))?;
    let local_addr = listener.local_addr()?;
    Ok(BoundServer {
        listener,
        router,
        shutdown,
        store,
        local_addr,
        demo_app,
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
            shutdown,
            store,
            ..
        } = self;
        let signal = async move {
            stop.await;
            tracing::info!("shutting down");
            // WebSocket sessions are not tracked by the HTTP server's graceful shutdown:
            // tell them directly.
            let _ = shutdown.send(true);
        };
        // Nagle off: a push written while the client still owes the ACK of the previous frame
        // would otherwise wait for that ACK (up to the client's 40 ms delayed-ACK timer).
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::warn!("cannot set TCP_NODELAY: {e}");
            }
        });
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(signal)
            .await
            .map_err(|e| FatalError(format!("serving: {e}")));
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
