//! Shared test helpers: an in-process server on 127.0.0.1:0 over a real SQLite file, and a
//! WebSocket client speaking the wire protocol.
#![allow(dead_code)] // each test binary uses a different subset

pub mod engines;
pub mod groups;
pub mod http;
pub mod nats;
pub mod pg;
pub mod store;
pub mod wire;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tim_server::{bind, ServeConfig};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const APP: u64 = 1_400_000_001;
/// Generous bound on any single wait; tests never sleep for a fixed time.
pub const WAIT: Duration = Duration::from_secs(10);

pub fn now() -> i64 {
    tim_server::clock::unix_now()
}

/// A server (with `--demo`) on a fresh database in a temp dir (keep the dir alive), with the
/// app's "sync conversation deletion" setting as given.
pub async fn server(sync: bool) -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().expect("tempdir");
    let srv = TestServer::start(&dir.path().join("tim.db")).await;
    srv.set_sync_deletion(sync);
    (dir, srv)
}

/// The event number of a push or a logged event.
pub fn ev(frame: &Value) -> u64 {
    frame["ev"]
        .as_u64()
        .unwrap_or_else(|| panic!("no ev in {frame}"))
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub db: PathBuf,
    pub secret_key: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    /// A server with `--demo`, its www and pkg directories beside the database file.
    pub async fn start(db: &Path) -> TestServer {
        Self::start_with(db, true).await
    }

    pub async fn start_without_demo(db: &Path) -> TestServer {
        Self::start_with(db, false).await
    }

    /// A server with `--demo` and the given deadlines and caps.
    pub async fn start_limited(db: &Path, limits: tim_server::config::Limits) -> TestServer {
        Self::start_config(db, true, limits).await
    }

    async fn start_with(db: &Path, demo: bool) -> TestServer {
        Self::start_config(db, demo, Default::default()).await
    }

    /// A node of a cluster (`--demo`): pushes fan out to the other nodes over NATS at `nats`.
    pub async fn start_node(db: &Path, nats: &str) -> TestServer {
        Self::start_full(db, true, Default::default(), Some(nats.to_owned()), None).await
    }

    /// A server (`--demo`) keeping uploads in `files` (`--files`; several nodes may share it).
    pub async fn start_with_files(db: &Path, files: &Path) -> TestServer {
        Self::start_full(
            db,
            true,
            Default::default(),
            None,
            Some(files.to_path_buf()),
        )
        .await
    }

    async fn start_config(db: &Path, demo: bool, limits: tim_server::config::Limits) -> TestServer {
        Self::start_full(db, demo, limits, None, None).await
    }

    async fn start_full(
        db: &Path,
        demo: bool,
        limits: tim_server::config::Limits,
        nats: Option<String>,
        files: Option<PathBuf>,
    ) -> TestServer {
        let config = ServeConfig {
            addr: "127.0.0.1:0".into(),
            db: db.to_path_buf(),
            www: db.with_file_name("www"),
            pkg: db.with_file_name("pkg"),
            demo,
            send_commit_after: tim_server::config::DEFAULT_SEND_COMMIT_AFTER,
            nats,
            files,
            limits,
        };
        let bound = bind(&config).await.expect("server binds");
        let addr = bound.local_addr;
        let secret_key = bound.demo_app.clone().expect("demo app").secret_key;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = bound
                .serve(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        TestServer {
            addr,
            db: db.to_path_buf(),
            secret_key,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// A handle on a server running elsewhere (another process): logins and requests only;
    /// [`TestServer::stop`] does nothing.
    pub fn external(addr: SocketAddr, db: &Path, secret_key: &str) -> TestServer {
        TestServer {
            addr,
            db: db.to_path_buf(),
            secret_key: secret_key.to_owned(),
            stop: None,
            task: None,
        }
    }

    /// Stops serving and waits until the server has finished.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(WAIT, task)
                .await
                .expect("server stops in time")
                .expect("server task");
        }
    }

    pub fn sig(&self, user: &str) -> String {
        tim_server::usersig::generate(APP, &self.secret_key, user, 3600, now()).expect("sig")
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    pub async fn connect(&self) -> Client {
        let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(self.ws_url()))
            .await
            .expect("connect in time")
            .expect("connect");
        Client::from_ws(ws)
    }

    /// A client logged in as `user` that resumes after event `after`, and the login answer.
    pub async fn login_resume(&self, user: &str, after: u64) -> (Client, Value) {
        let mut c = self.connect().await;
        let r = c.login_resume(user, &self.sig(user), after).await;
        assert_eq!(r["kind"], "loggedIn", "{r}");
        (c, r["value"].clone())
    }

    /// [`Self::login_resume`], the catch-up's further pages (`getMissed` while `more`, see
    /// docs/protocol.md "Paging") put into `missed`: the whole catch-up, as one answer had it.
    pub async fn login_resume_all(&self, user: &str, after: u64) -> (Client, Value) {
        let (mut c, mut login) = self.login_resume(user, after).await;
        let mut missed = login["missed"].as_array().cloned().unwrap_or_default();
        let mut more = login["moreMissed"].as_bool().unwrap_or(false);
        while more {
            let last = missed.last().map(|e| e["ev"].clone()).expect("a page");
            let page = c.request("getMissed", Some(json!({ "after": last }))).await;
            assert_eq!(page["kind"], "missed", "{page}");
            assert_eq!(page["value"]["resyncRequired"], false, "{page}");
            missed.extend(
                page["value"]["missed"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
            more = page["value"]["more"].as_bool().unwrap_or(false);
        }
        login["missed"] = Value::Array(missed);
        (c, login)
    }

    /// A UserSig of the app's admin identifier.
    pub fn admin_sig(&self) -> String {
        self.sig("administrator")
    }

    /// A client logged in as `user`.
    pub async fn login(&self, user: &str) -> Client {
        let mut c = self.connect().await;
        let r = c.login(user, &self.sig(user)).await;
        assert_eq!(r["kind"], "loggedIn", "{r}");
        c
    }

    /// Sets the demo app's multi-client deletion sync directly in its database.
    pub fn set_sync_deletion(&self, on: bool) {
        let db = self.db.to_string_lossy();
        let store = tim_server::store::open(&db, tim_server::config::DEFAULT_SEND_COMMIT_AFTER)
            .expect("open");
        assert!(store.set_sync_conversation_deletion(APP, on).expect("set"));
    }
}

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Pushes that arrived while waiting for an answer.
    pub pushes: VecDeque<Value>,
    /// Every frame received, in arrival order (replies and pushes interleaved as they came).
    pub seen: Vec<Value>,
    next_id: u64,
}

impl Client {
    pub fn from_ws(ws: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Client {
        Client {
            ws,
            pushes: VecDeque::new(),
            seen: Vec::new(),
            next_id: 1000,
        }
    }

    pub async fn send_text(&mut self, text: impl Into<String>) {
        self.ws
            .send(Message::text(text.into()))
            .await
            .expect("send");
    }

    /// The next frame of any kind, parsed. Panics if the connection closes first.
    pub async fn next_frame(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame in time")
                .expect("connection open")
                .expect("frame");
            match msg {
                Message::Text(t) => {
                    let raw: Value = serde_json::from_str(t.as_str()).expect("JSON frame");
                    let frame = wire::flat(&raw);
                    self.seen.push(frame.clone());
                    return frame;
                }
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected frame {other:?}"),
            }
        }
    }

    /// The next reply or error, keeping pushes aside.
    pub async fn next_answer(&mut self) -> Value {
        loop {
            let f = self.next_frame().await;
            if f["t"] == "push" {
                self.pushes.push_back(f);
            } else {
                return f;
            }
        }
    }

    /// The next push (one that arrived earlier first).
    pub async fn next_push(&mut self) -> Value {
        if let Some(p) = self.pushes.pop_front() {
            return p;
        }
        let f = self.next_frame().await;
        assert_eq!(f["t"], "push", "expected a push, got {f}");
        f
    }

    pub async fn request(&mut self, op: &str, args: Option<Value>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let frame = wire::request(id, op, args);
        self.send_text(frame.to_string()).await;
        let answer = self.next_answer().await;
        assert_eq!(answer["id"], id, "answer to {op}: {answer}");
        answer
    }

    pub async fn login(&mut self, user: &str, sig: &str) -> Value {
        self.request(
            "login",
            Some(json!({"SDKAppID": APP, "userID": user, "userSig": sig, "protocol": 2})),
        )
        .await
    }

    /// A login that resumes after event `after` (the reconnect of a client that applied it).
    pub async fn login_resume(&mut self, user: &str, sig: &str, after: u64) -> Value {
        self.request(
            "login",
            Some(
                json!({"SDKAppID": APP, "userID": user, "userSig": sig, "protocol": 2,
                        "resumeAfter": after}),
            ),
        )
        .await
    }

    pub async fn send(&mut self, peer: &str, id: &str, text: &str) -> Value {
        let r = self
            .request(
                "sendMessage",
                Some(json!({
                    "conversationID": format!("C2C{peer}"),
                    "ID": id,
                    "body": {"type": "text", "text": text}
                })),
            )
            .await;
        assert_eq!(r["kind"], "sent", "{r}");
        r["value"]["message"].clone()
    }

    pub async fn messages(&mut self, conversation_id: &str, count: u32) -> Value {
        let r = self
            .request(
                "getMessageList",
                Some(json!({"conversationID": conversation_id, "count": count})),
            )
            .await;
        assert_eq!(r["kind"], "messageList", "{r}");
        r["value"].clone()
    }

    /// The whole list: `getConversationList`, then `getMoreConversations` while a cursor comes
    /// (docs/protocol.md "Paging").
    pub async fn conversations(&mut self) -> Vec<Value> {
        let mut r = self.request("getConversationList", None).await;
        let mut list = Vec::new();
        loop {
            assert_eq!(r["kind"], "conversationList", "{r}");
            list.extend(
                r["value"]["conversations"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
            let Some(cursor) = r["value"]["cursor"].as_str().map(str::to_owned) else {
                return list;
            };
            r = self
                .request("getMoreConversations", Some(json!({ "cursor": cursor })))
                .await;
        }
    }

    pub async fn delete(&mut self, conversation_id: &str) -> Value {
        self.request(
            "deleteConversation",
            Some(json!({"conversationID": conversation_id})),
        )
        .await
    }

    /// deleteConversation as a client's outbox sends it: with an opId and/or an upToSeq.
    pub async fn delete_op(
        &mut self,
        conversation_id: &str,
        op_id: Option<&str>,
        up_to_seq: Option<u64>,
    ) -> Value {
        self.request(
            "deleteConversation",
            Some(delete_args(conversation_id, op_id, up_to_seq)),
        )
        .await
    }

    /// The batch form of deleteConversation; the raw answer.
    pub async fn delete_batch(&mut self, ids: &[&str], clear_history: bool) -> Value {
        self.request(
            "deleteConversations",
            Some(json!({"conversationIDList": ids, "clearHistoryMessage": clear_history})),
        )
        .await
    }

    pub async fn clear_history(&mut self, conversation_id: &str) -> Value {
        self.request(
            "clearHistory",
            Some(json!({"conversationID": conversation_id})),
        )
        .await
    }

    pub async fn mark_read(&mut self, conversation_id: &str) -> Value {
        self.request(
            "setMessageRead",
            Some(json!({"conversationID": conversation_id})),
        )
        .await
    }

    /// Proves no push is pending: a ping's answer arrives with no push before it.
    pub async fn assert_no_push(&mut self) {
        let pong = self.request("ping", None).await;
        assert_eq!(pong["kind"], "pong");
        assert!(
            self.pushes.is_empty(),
            "unexpected pushes {:?}",
            self.pushes
        );
    }
}

/// The `args` of a deleteConversation with an optional opId and upToSeq.
pub fn delete_args(conversation_id: &str, op_id: Option<&str>, up_to_seq: Option<u64>) -> Value {
    let mut args = json!({ "conversationID": conversation_id });
    if let Some(op_id) = op_id {
        args["opId"] = json!(op_id);
    }
    if let Some(seq) = up_to_seq {
        args["upToSeq"] = json!(seq);
    }
    args
}

/// An answer without its request id, to compare the answers of two requests.
pub fn without_id(frame: &Value) -> Value {
    let mut f = frame.clone();
    if let Some(o) = f.as_object_mut() {
        o.remove("id");
    }
    f
}

/// Texts of a messageList value, oldest first.
pub fn texts(list: &Value) -> Vec<String> {
    list["messages"]
        .as_array()
        .map(|ms| {
            ms.iter()
                .map(|m| m["body"]["text"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

pub fn assert_error(frame: &Value, code: u32) {
    assert_eq!(frame["t"], "error", "{frame}");
    assert_eq!(frame["code"], code, "{frame}");
    assert!(
        frame["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{frame}"
    );
}
