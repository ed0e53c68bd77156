//! `serve`'s flags for deadlines and caps, grouped so they read (and merge) as one block.

use crate::config::Limits;
use clap::Args;
use std::time::Duration;

fn defaults() -> Limits {
    Limits::default()
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Deadlines and caps")]
pub struct LimitArgs {
    /// Seconds a connection has to log in before it is closed (60008).
    #[arg(long, default_value_t = defaults().login_timeout.as_secs())]
    pub login_timeout_secs: u64,
    /// Seconds an HTTP request's headers may take to arrive.
    #[arg(long, default_value_t = defaults().http_header_timeout.as_secs())]
    pub http_header_timeout_secs: u64,
    /// Seconds an HTTP request may take to arrive whole and be answered.
    #[arg(long, default_value_t = defaults().http_body_timeout.as_secs())]
    pub http_body_timeout_secs: u64,
    /// Seconds between WebSocket pings to a quiet session; two without a word close it (60012).
    #[arg(long, default_value_t = defaults().ping_interval.as_secs())]
    pub ping_interval_secs: u64,
    /// Open connections in all (also kept under the open-file limit); more are refused (60009).
    #[arg(long, default_value_t = defaults().max_connections)]
    pub max_connections: usize,
    /// Connections per client IP not logged in yet; more are refused (60009).
    #[arg(long, default_value_t = defaults().max_anonymous_per_ip)]
    pub max_anonymous_per_ip: usize,
    /// Live sessions per user; another login is refused (60010).
    #[arg(long, default_value_t = defaults().max_sessions_per_user)]
    pub max_sessions_per_user: usize,
    /// Members per group, the owner included; more are refused (10014).
    #[arg(long, default_value_t = defaults().max_group_members)]
    pub max_group_members: usize,
    /// Groups per user; joining or being added to more is refused (60015).
    #[arg(long, default_value_t = defaults().max_groups_per_user)]
    pub max_groups_per_user: usize,
    /// Requests per second per session (bursts of twice that); more get 60007, then a close.
    #[arg(long, default_value_t = defaults().session_rate)]
    pub max_requests_per_sec: u32,
    /// Requests per second per user, all sessions together.
    #[arg(long, default_value_t = defaults().user_rate)]
    pub max_user_requests_per_sec: u32,
    /// Largest frame read, in bytes (60005).
    #[arg(long, default_value_t = defaults().max_frame_bytes)]
    pub max_frame_bytes: usize,
    /// Bytes of pushes waiting for one session before it counts as fallen behind (60011).
    #[arg(long, default_value_t = defaults().max_queue_bytes)]
    pub max_queue_bytes: usize,
    /// Largest image upload, in bytes (2253).
    #[arg(long, default_value_t = defaults().max_image_bytes)]
    pub max_image_bytes: u64,
    /// Largest file upload, in bytes (2402).
    #[arg(long, default_value_t = defaults().max_file_bytes)]
    pub max_file_bytes: u64,
    /// Seconds an upload (or a file download) may take, in place of the HTTP deadline.
    #[arg(long, default_value_t = defaults().upload_timeout.as_secs())]
    pub upload_timeout_secs: u64,
    /// Conversations per getConversationList page, 1 to the protocol's 100 (smaller for tests).
    #[arg(long, default_value_t = defaults().list_page,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(tim_proto::limits::LIST_PAGE)))]
    pub list_page: u32,
    /// Events per page of a reconnect's catch-up, 1 to the protocol's 100 (smaller for tests).
    #[arg(long, default_value_t = defaults().catch_up_page,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(tim_proto::limits::CATCH_UP_PAGE)))]
    pub catch_up_page: u32,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            login_timeout: Duration::from_secs(self.login_timeout_secs),
            http_header_timeout: Duration::from_secs(self.http_header_timeout_secs),
            http_body_timeout: Duration::from_secs(self.http_body_timeout_secs),
            ping_interval: Duration::from_secs(self.ping_interval_secs),
            max_connections: self.max_connections,
            max_anonymous_per_ip: self.max_anonymous_per_ip,
            max_sessions_per_user: self.max_sessions_per_user,
            max_group_members: self.max_group_members,
            max_groups_per_user: self.max_groups_per_user,
            session_rate: self.max_requests_per_sec,
            user_rate: self.max_user_requests_per_sec,
            max_frame_bytes: self.max_frame_bytes,
            max_queue_bytes: self.max_queue_bytes,
            max_image_bytes: self.max_image_bytes,
            max_file_bytes: self.max_file_bytes,
            upload_timeout: Duration::from_secs(self.upload_timeout_secs),
            list_page: self.list_page,
            catch_up_page: self.catch_up_page,
        }
    }
}
