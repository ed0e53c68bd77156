//! A minimal HTTP/1.1 client for the admin REST API and the console endpoint.

use super::WAIT;
use serde_json::Value;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

impl HttpResponse {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// `POST path` with `body` as is (it need not be valid JSON).
pub async fn post(addr: SocketAddr, path: &str, body: &str) -> HttpResponse {
    post_as(addr, path, Some("application/json"), body).await
}

/// `POST path` with `body` as `content_type` (none without).
pub async fn post_as(
    addr: SocketAddr,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> HttpResponse {
    let content_type = content_type
        .map(|t| format!("Content-Type: {t}\r\n"))
        .unwrap_or_default();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{content_type}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    raw(addr, &req).await
}

/// `GET path`.
pub async fn get(addr: SocketAddr, path: &str) -> HttpResponse {
    raw(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
    .await
}

/// Sends `req` (a whole HTTP/1.1 request) and reads the answer to the end.
pub async fn raw(addr: SocketAddr, req: &str) -> HttpResponse {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(req.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    tokio::time::timeout(WAIT, s.read_to_end(&mut raw))
        .await
        .expect("response in time")
        .expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
    let status = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status");
    HttpResponse {
        status,
        body: body.to_owned(),
    }
}
