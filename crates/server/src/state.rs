//! What every HTTP handler shares: the service and the shutdown signal.

use crate::service::Service;
use std::sync::Arc;
use tokio::sync::watch;

#[derive(Clone)]
pub struct AppState {
    pub service: Arc<Service>,
    /// Flips to true when the server stops; every session then closes.
    pub shutdown: watch::Receiver<bool>,
}
