//! What every HTTP handler shares: the service, the shutdown signal, the limits and the
//! counters and rates they are enforced with.

use crate::anonymous::Anonymous;
use crate::config::Limits;
use crate::console_rates;
use crate::files::disk::Blobs;
use crate::hub::UserKey;
use crate::rate::KeyedRate;
use crate::service::Service;
use std::sync::Arc;
use tokio::sync::watch;

#[derive(Clone)]
pub struct AppState {
    pub service: Arc<Service>,
    /// Flips to true when the server stops; every session then closes.
    pub shutdown: watch::Receiver<bool>,
    pub limits: Arc<Limits>,
    /// Connections not logged in, per client IP.
    pub anonymous: Arc<Anonymous>,
    pub user_rates: Arc<KeyedRate<UserKey>>,
    pub console_rates: Arc<console_rates::LoginRates>,
    /// The bytes of uploaded files.
    pub files: Arc<Blobs>,
}

impl AppState {
    pub fn new(
        service: Arc<Service>,
        shutdown: watch::Receiver<bool>,
        limits: Limits,
        files: Arc<Blobs>,
    ) -> Self {
        AppState {
            service,
            shutdown,
            anonymous: Anonymous::new(limits.max_anonymous_per_ip),
            user_rates: Arc::new(KeyedRate::per_second(limits.user_rate)),
            console_rates: Arc::new(console_rates::LoginRates::default()),
            files,
            limits: Arc::new(limits),
        }
    }
}
