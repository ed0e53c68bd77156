//! Settings of a running server, and the fixed facts about the demo app.

use std::path::PathBuf;
use std::time::Duration;

/// How long answered sends may wait in the send log before SQLite commits them (`--send-commit-ms`).
pub const DEFAULT_SEND_COMMIT_AFTER: Duration = Duration::from_millis(500);

/// The app created on first start, so a fresh server can be tried at once.
pub const DEMO_SDK_APP_ID: u64 = 1_400_000_001;
/// Admin identifier of apps created without one (Tencent's default name).
pub const DEFAULT_ADMIN: &str = "administrator";
/// Largest WebSocket message the transport accepts. Bigger than the protocol's own limit on
/// purpose, so an oversized frame gets a coded error instead of a dead connection.
pub const WS_MAX_MESSAGE_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// `host:port`; port 0 picks a free one.
    pub addr: String,
    pub db: PathBuf,
    /// The demo chat app and console (`/`).
    pub www: PathBuf,
    /// The SDK package (`/pkg/`).
    pub pkg: PathBuf,
    /// Serve `/api/demo/*`: UserSigs for anyone who asks. Never on a public server.
    pub demo: bool,
    /// How long answered sends may stay only in the send log (durable there) before the
    /// database commits them: longer batches more sends per commit; other connections to the
    /// file (the CLI) see sends this much later.
    pub send_commit_after: Duration,
}
