//! The HTTP side: health check, static files, the demo UserSig endpoint and its CORS.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{now, TestServer, APP};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A minimal HTTP/1.1 GET: status line, lower-cased headers, body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn get(addr: SocketAddr, path: &str, extra: &str) -> Response {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    tokio::time::timeout(common::WAIT, s.read_to_end(&mut raw))
        .await
        .expect("response in time")
        .expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_owned(),
    }
}

async fn server_with_files(demo: bool) -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("www")).expect("www");
    std::fs::create_dir_all(dir.path().join("pkg")).expect("pkg");
    std::fs::write(dir.path().join("www/index.html"), "<h1>demo</h1>").expect("index");
    std::fs::write(dir.path().join("pkg/tim_wasm_bg.wasm"), b"\0asm\x01\0\0\0").expect("wasm");
    std::fs::write(dir.path().join("pkg/index.js"), "export default 1;").expect("js");
    let srv = if demo {
        TestServer::start(&dir.path().join("tim.db")).await
    } else {
        TestServer::start_without_demo(&dir.path().join("tim.db")).await
    };
    (dir, srv)
}

#[tokio::test]
async fn health_and_static_files_are_served_uncached() {
    let (_dir, srv) = server_with_files(true).await;
    let r = get(srv.addr, "/healthz", "").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let health: serde_json::Value = serde_json::from_str(&r.body).expect("health is JSON");
    assert_eq!(
        health,
        serde_json::json!({"status": "ok", "database": "ok", "nats": "off"})
    );

    let r = get(srv.addr, "/", "").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "<h1>demo</h1>");
    assert_eq!(r.header("cache-control"), Some("no-cache"));

    let r = get(srv.addr, "/pkg/tim_wasm_bg.wasm", "").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    let r = get(srv.addr, "/pkg/index.js", "").await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .is_some_and(|t| t.contains("javascript")));

    assert_eq!(get(srv.addr, "/missing.html", "").await.status, 404);
    // A plain GET on /ws is not an upgrade: refused, not a crash.
    assert!(get(srv.addr, "/ws", "").await.status >= 400);
    srv.stop().await;
}

#[tokio::test]
async fn the_demo_endpoint_issues_usersigs_that_verify() {
    let (_dir, srv) = server_with_files(true).await;
    // Same-origin only (issue 13): no CORS headers; another site's pages are refused
    // (hardening.rs checks the refusals).
    let r = get(
        srv.addr,
        "/api/demo/usersig?userID=alice",
        &format!("Origin: http://{}\r\n", srv.addr),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("access-control-allow-origin").is_none());
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["SDKAppID"], APP);
    assert_eq!(v["userID"], "alice");
    let sig = v["userSig"].as_str().expect("userSig");
    let ok = tim_server::usersig::verify(sig, &srv.secret_key, APP, "alice", now());
    assert!(ok.is_ok(), "{ok:?}");
    // And it logs in.
    let mut c = srv.connect().await;
    assert_eq!(c.login("alice", sig).await["kind"], "loggedIn");

    for bad in ["/api/demo/usersig?userID=a%20b", "/api/demo/usersig"] {
        let r = get(srv.addr, bad, "").await;
        assert_eq!(r.status, 400, "{bad}");
        let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
        assert_eq!(v["code"], 2100, "{bad}: {v}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    srv.stop().await;
}

#[tokio::test]
async fn without_demo_the_demo_endpoint_does_not_exist() {
    let (_dir, srv) = server_with_files(false).await;
    assert_eq!(
        get(srv.addr, "/api/demo/usersig?userID=alice", "")
            .await
            .status,
        404
    );
    assert_eq!(get(srv.addr, "/healthz", "").await.status, 200);
    srv.stop().await;
}
