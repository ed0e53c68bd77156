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
    /// NATS server to fan pushes out to the other nodes over (cluster mode); `None`: this
    /// process's sessions only.
    pub nats: Option<String>,
    /// Where uploaded files are kept; `None`: [`default_files_dir`].
    pub files: Option<PathBuf>,
    /// Deadlines and caps that keep one client from holding up the others.
    pub limits: Limits,
}

/// `files` beside a SQLite database file; `data/files` with PostgreSQL (a cluster's nodes must
/// then be given one shared directory, see README "Cluster").
pub fn default_files_dir(db: &std::path::Path) -> PathBuf {
    let text = db.to_string_lossy();
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        return PathBuf::from("data/files");
    }
    match db.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => dir.join("files"),
        None => PathBuf::from("files"),
    }
}

/// Deadlines and caps (`serve --login-timeout-secs`, `--max-connections`, ...; README's CLI
/// section lists them). The defaults leave room for any legitimate client.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// A connection that has not logged in by then is closed (60008).
    pub login_timeout: Duration,
    /// Longest wait for a request's headers.
    pub http_header_timeout: Duration,
    /// Longest an HTTP request may take to arrive whole and be answered (reading the body).
    pub http_body_timeout: Duration,
    /// A quiet WebSocket is pinged this often, and closed (60012) after two intervals without
    /// a word from the client.
    pub ping_interval: Duration,
    /// Open TCP connections, all kinds; also bounded by the open-file limit.
    pub max_connections: usize,
    /// Connections per client IP that have not logged in (yet).
    pub max_anonymous_per_ip: usize,
    /// Live sessions of one user (tabs, devices); one more is refused (60010).
    pub max_sessions_per_user: usize,
    /// Members of one group, the owner included (10014 when full).
    pub max_group_members: usize,
    /// Groups one user may be a member of (60015).
    pub max_groups_per_user: usize,
    /// Requests per second one session may make (a burst of twice that is allowed).
    pub session_rate: u32,
    /// Requests per second all sessions of one user may make together.
    pub user_rate: u32,
    /// Largest frame the server reads (60005). Frames up to [`WS_MAX_MESSAGE_BYTES`] are read
    /// and refused, the connection stays; larger ones close it (1009, 60005).
    pub max_frame_bytes: usize,
    /// Bytes of frames waiting to be written to one session; a session over it fell behind
    /// and is closed (60011).
    pub max_queue_bytes: usize,
    /// Largest image upload (2253).
    pub max_image_bytes: u64,
    /// Largest file upload (2402).
    pub max_file_bytes: u64,
    /// Longest an upload or a file download may take (instead of `http_body_timeout`).
    pub upload_timeout: Duration,
    /// Conversations per getConversationList page (at most `tim_proto::limits::LIST_PAGE`).
    pub list_page: u32,
    /// Events per catch-up page (at most `tim_proto::limits::CATCH_UP_PAGE`).
    pub catch_up_page: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            login_timeout: Duration::from_secs(10),
            http_header_timeout: Duration::from_secs(10),
            http_body_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(30),
            max_connections: 10_000,
            max_anonymous_per_ip: 256,
            max_sessions_per_user: 16,
            max_group_members: 6_000,
            max_groups_per_user: 1_000,
            session_rate: 200,
            user_rate: 400,
            max_frame_bytes: tim_proto::limits::MAX_FRAME_BYTES,
            max_queue_bytes: 2 * 1024 * 1024,
            max_image_bytes: tim_proto::limits::MAX_IMAGE_BYTES,
            max_file_bytes: tim_proto::limits::MAX_FILE_BYTES,
            upload_timeout: Duration::from_secs(300),
            list_page: tim_proto::limits::LIST_PAGE,
            catch_up_page: tim_proto::limits::CATCH_UP_PAGE,
        }
    }
}
