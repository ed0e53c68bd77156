//! Holding up in public (issue 13): deadlines, caps, bounded memory per session, rate limits,
//! and the HTTP side's refusals, against a real server on port 0 over real sockets.
//!
//! Frames are built from the `tim_proto` types and answers read back into them, so these tests
//! do not depend on the JSON shape of a protocol version.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::http::{post, post_as, raw};
use common::{TestServer, APP, WAIT};
use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tim_proto::model::WireBody;
use tim_proto::{ClientFrame, ErrorCode, Request, ServerFrame, PROTOCOL_VERSION};
use tim_server::config::Limits;
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

async fn server(limits: Limits) -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().expect("tempdir");
    let srv = TestServer::start_limited(&dir.path().join("tim.db"), limits).await;
    (dir, srv)
}

/// A raw protocol client: frames from the proto types, answers parsed into them.
struct Raw {
    ws: Ws,
    next_id: u64,
}

impl Raw {
    async fn connect(srv: &TestServer) -> Raw {
        let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(srv.ws_url()))
            .await
            .expect("connect in time")
            .expect("connect");
        Raw { ws, next_id: 0 }
    }

    /// A client whose socket has a small receive buffer (a slow reader fills up quickly).
    async fn connect_small(srv: &TestServer) -> Raw {
        let socket = TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("rcvbuf");
        let tcp = socket.connect(srv.addr).await.expect("tcp connect");
        let (ws, _) = tokio_tungstenite::client_async(srv.ws_url(), MaybeTlsStream::Plain(tcp))
            .await
            .expect("upgrade");
        Raw { ws, next_id: 0 }
    }

    /// Sends `request`; returns its id.
    async fn send(&mut self, request: Request) -> u64 {
        self.next_id += 1;
        let frame = ClientFrame {
            id: self.next_id,
            request,
        };
        self.ws
            .send(Message::text(frame.to_json()))
            .await
            .expect("send");
        self.next_id
    }

    /// The next frame, or the close that ended the connection (`Err`).
    async fn next(&mut self) -> Result<ServerFrame, Option<(CloseCode, String)>> {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame or a close in time");
            match msg {
                Some(Ok(Message::Text(t))) => {
                    return Ok(serde_json::from_str(t.as_str()).expect("a server frame"))
                }
                Some(Ok(Message::Close(c))) => {
                    return Err(c.map(|c| (c.code, c.reason.as_str().to_owned())))
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Err(None),
            }
        }
    }

    /// The answer to request `id`, skipping pushes.
    async fn answer(&mut self, id: u64) -> ServerFrame {
        loop {
            match self.next().await {
                Ok(ServerFrame::Push { .. }) => continue,
                Ok(frame) => {
                    assert_eq!(answer_id(&frame), Some(id), "{frame:?}");
                    return frame;
                }
                Err(close) => panic!("closed while waiting for {id}: {close:?}"),
            }
        }
    }

    async fn request(&mut self, request: Request) -> ServerFrame {
        let id = self.send(request).await;
        self.answer(id).await
    }

    async fn login(&mut self, srv: &TestServer, user: &str) -> ServerFrame {
        self.request(login(srv, user)).await
    }

    /// Reads until the server closes; the close frame if it sent one.
    async fn closed(&mut self) -> Option<(CloseCode, String)> {
        loop {
            if let Err(close) = self.next().await {
                return close;
            }
        }
    }
}

fn login(srv: &TestServer, user: &str) -> Request {
    Request::Login {
        sdk_app_id: APP,
        user_id: user.to_owned(),
        user_sig: srv.sig(user),
        protocol: PROTOCOL_VERSION,
        resume_after: None,
    }
}

fn send_text(to: &str, id: &str, text: String) -> Request {
    Request::SendMessage {
        conversation_id: format!("C2C{to}"),
        id: id.to_owned(),
        body: WireBody::Text { text },
        need_read_receipt: false,
    }
}

fn answer_id(frame: &ServerFrame) -> Option<u64> {
    match frame {
        ServerFrame::Reply { id, .. } => Some(*id),
        ServerFrame::Error { id, .. } => *id,
        ServerFrame::Push { .. } => None,
    }
}

fn is_reply(frame: &ServerFrame) -> bool {
    matches!(frame, ServerFrame::Reply { .. })
}

fn error_code(frame: &ServerFrame) -> Option<ErrorCode> {
    match frame {
        ServerFrame::Error { code, .. } => Some(*code),
        _ => None,
    }
}

/// The close carries `code` and a reason that begins with `error`.
fn assert_close(close: &Option<(CloseCode, String)>, code: CloseCode, error: ErrorCode) {
    let Some((got, reason)) = close else {
        panic!("no close frame, expected {code:?} {}", error.as_u32());
    };
    assert_eq!(*got, code, "{reason}");
    assert!(
        reason.starts_with(&error.as_u32().to_string()),
        "reason {reason:?} names {}",
        error.as_u32()
    );
}

#[tokio::test]
async fn a_connection_that_does_not_log_in_in_time_is_closed_with_60008() {
    let limits = Limits {
        login_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let (_dir, srv) = server(limits).await;
    let mut lazy = Raw::connect(&srv).await;
    let mut prompt = Raw::connect(&srv).await;
    assert!(is_reply(&prompt.login(&srv, "alice").await));
    let close = lazy.closed().await;
    assert_close(&close, CloseCode::Policy, ErrorCode::LoginTimeout);
    // The one that logged in is past the deadline and still served.
    assert!(is_reply(&prompt.request(Request::Ping).await));
    srv.stop().await;
}

#[tokio::test]
async fn the_connection_cap_refuses_with_a_coded_close_and_others_keep_working() {
    let limits = Limits {
        max_connections: 3,
        ..Limits::default()
    };
    let (_dir, srv) = server(limits).await;
    let mut alice = Raw::connect(&srv).await;
    assert!(is_reply(&alice.login(&srv, "alice").await));
    let mut bob = Raw::connect(&srv).await;
    assert!(is_reply(&bob.login(&srv, "bob").await));
    let third = Raw::connect(&srv).await;
    let mut fourth = Raw::connect(&srv).await;
    assert_close(
        &fourth.closed().await,
        CloseCode::Again,
        ErrorCode::ServerFull,
    );
    // Plain HTTP over the cap: 503 with the code.
    let refused = raw(
        srv.addr,
        &format!(
            "GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            srv.addr
        ),
    )
    .await;
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(refused.json()["code"], ErrorCode::ServerFull.as_u32());
    // Those in keep being served.
    let sent = alice.request(send_text("bob", "m1", "hi".into())).await;
    assert!(is_reply(&sent), "{sent:?}");
    assert!(is_reply(&bob.request(Request::Ping).await));
    // A place freed is a place for the next one (the count follows closes).
    drop(third);
    let mut again = None;
    for _ in 0..100 {
        let mut c = Raw::connect(&srv).await;
        match tokio::time::timeout(Duration::from_millis(200), c.ws.next()).await {
            Err(_) => {
                again = Some(c);
                break;
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    let mut again = again.expect("a freed place is given again");
    assert!(is_reply(&again.login(&srv, "carol").await));
    srv.stop().await;
}

#[tokio::test]
async fn anonymous_connections_per_ip_are_capped_until_they_log_in() {
    let limits = Limits {
        max_anonymous_per_ip: 2,
        ..Limits::default()
    };
    let (_dir, srv) = server(limits).await;
    let mut a = Raw::connect(&srv).await;
    let _b = Raw::connect(&srv).await;
    let mut c = Raw::connect(&srv).await;
    assert_close(&c.closed().await, CloseCode::Again, ErrorCode::ServerFull);
    // Logging in gives the place back.
    assert!(is_reply(&a.login(&srv, "alice").await));
    let mut d = Raw::connect(&srv).await;
    assert!(is_reply(&d.login(&srv, "dave").await));
    srv.stop().await;
}

#[tokio::test]
async fn sessions_per_user_are_capped_with_60010() {
    let limits = Limits {
        max_sessions_per_user: 2,
        ..Limits::default()
    };
    let (_dir, srv) = server(limits).await;
    let mut one = Raw::connect(&srv).await;
    assert!(is_reply(&one.login(&srv, "alice").await));
    let mut two = Raw::connect(&srv).await;
    assert!(is_reply(&two.login(&srv, "alice").await));
    let mut three = Raw::connect(&srv).await;
    let refused = three.login(&srv, "alice").await;
    assert_eq!(
        error_code(&refused),
        Some(ErrorCode::TooManySessions),
        "{refused:?}"
    );
    // The refused connection stays and may log in as someone else.
    assert!(is_reply(&three.login(&srv, "bob").await));
    srv.stop().await;
}

#[tokio::test]
async fn a_session_that_never_reads_is_closed_and_released_while_others_are_served() {
    let limits = Limits {
        max_queue_bytes: 64 * 1024,
        max_sessions_per_user: 1,
        session_rate: 0,
        user_rate: 0,
        ..Limits::default()
    };
    let (_dir, srv) = server(limits).await;
    let mut slow = Raw::connect_small(&srv).await;
    assert!(is_reply(&slow.login(&srv, "slow").await));
    let mut fast = Raw::connect(&srv).await;
    assert!(is_reply(&fast.login(&srv, "fast").await));
    let mut other = Raw::connect(&srv).await;
    assert!(is_reply(&other.login(&srv, "other").await));

    // `slow` reads nothing from here on while `fast` sends it 12 KB messages; the socket
    // buffers fill, then the queue, then the server lets the session go.
    let mut released = false;
    for round in 0..40 {
        for i in 0..25 {
            let id = format!("m{round}-{i}");
            let sent = fast
                .request(send_text("slow", &id, "x".repeat(12 * 1024)))
                .await;
            assert!(is_reply(&sent), "{sent:?}");
        }
        // Others are served meanwhile.
        assert!(is_reply(&other.request(Request::Ping).await));
        // Released: `slow` (one session at most) can log in again elsewhere.
        let mut probe = Raw::connect(&srv).await;
        if is_reply(&probe.login(&srv, "slow").await) {
            released = true;
            break;
        }
    }
    assert!(released, "the stuck session was never let go");
    // Reading again a while later (longer than a close used to be given), it gets everything
    // its socket held, then the coded close frame, not just the end of the connection: the
    // close waits behind the stuck frames.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut frames = 0usize;
    let close = loop {
        match slow.next().await {
            Ok(_) => frames += 1,
            Err(close) => break close,
        }
    };
    let (code, reason) = close.expect("a close frame, not only the end of the connection");
    assert_eq!(code, CloseCode::Again, "{reason}");
    assert!(reason.starts_with("60011"), "{reason}");
    assert!(frames > 0);
    srv.stop().await;
}

#[tokio::test]
async fn a_session_over_its_rate_gets_60007_then_is_closed() {
    let limits = Limits {
        session_rate: 5,
        ..Limits::default()
    };
    let (_dir, srv) = server(limits).await;
    let mut flood = Raw::connect(&srv).await;
    assert!(is_reply(&flood.login(&srv, "flood").await));
    let mut calm = Raw::connect(&srv).await;
    assert!(is_reply(&calm.login(&srv, "calm").await));
    for _ in 0..100 {
        flood.send(Request::Ping).await;
    }
    let mut limited = 0;
    let close = loop {
        match flood.next().await {
            Ok(frame) => {
                if error_code(&frame) == Some(ErrorCode::RateLimited) {
                    assert!(answer_id(&frame).is_some(), "the refusal names the request");
                    limited += 1;
                }
            }
            Err(close) => break close,
        }
    };
    assert!(limited > 0, "some requests were refused with 60007 first");
    assert_close(&close, CloseCode::Policy, ErrorCode::RateLimited);
    assert!(is_reply(&calm.request(Request::Ping).await));
    srv.stop().await;
}

#[tokio::test]
async fn a_frame_too_large_to_read_gets_60005_and_a_close_frame() {
    let (_dir, srv) = server(Limits::default()).await;
    let mut big = Raw::connect(&srv).await;
    assert!(is_reply(&big.login(&srv, "big").await));
    big.ws
        .send(Message::text("x".repeat(3 * 1024 * 1024)))
        .await
        .expect("send");
    let first = big.next().await;
    let Ok(frame) = first else {
        panic!("expected a 60005 error frame before the close, got {first:?}");
    };
    assert_eq!(
        error_code(&frame),
        Some(ErrorCode::FrameTooLarge),
        "{frame:?}"
    );
    assert_close(
        &big.closed().await,
        CloseCode::Size,
        ErrorCode::FrameTooLarge,
    );
    srv.stop().await;
}

#[tokio::test]
async fn the_demo_endpoint_never_signs_for_the_admin_and_serves_its_own_origin_only() {
    let (_dir, srv) = server(Limits::default()).await;
    let get = |path: &str, extra: &str| {
        format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\n{extra}Connection: close\r\n\r\n",
            srv.addr
        )
    };
    let admin = raw(srv.addr, &get("/api/demo/usersig?userID=administrator", "")).await;
    assert_eq!(admin.status, 403, "{}", admin.body);
    let elsewhere = raw(
        srv.addr,
        &get(
            "/api/demo/usersig?userID=alice",
            "Origin: http://elsewhere.example\r\n",
        ),
    )
    .await;
    assert_eq!(elsewhere.status, 403, "{}", elsewhere.body);
    let own = raw(
        srv.addr,
        &get(
            "/api/demo/usersig?userID=alice",
            &format!("Origin: http://{}\r\n", srv.addr),
        ),
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(own.json()["userID"], "alice");
    srv.stop().await;
}

#[tokio::test]
async fn rest_and_console_refuse_bodies_not_declared_json() {
    let (_dir, srv) = server(Limits::default()).await;
    let path = format!(
        "/v4/tim_wasm_app/get_settings?sdkappid={APP}&identifier=administrator&usersig={}&random=1&contenttype=json",
        srv.admin_sig()
    );
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let r = post_as(srv.addr, &path, content_type, "{}").await;
        assert_eq!(r.status, 200, "the envelope as always");
        let v = r.json();
        assert_eq!(v["ActionStatus"], "FAIL", "{content_type:?}: {v}");
        assert_eq!(v["ErrorCode"], ErrorCode::NotJson.as_u32(), "{v}");
    }
    assert_eq!(
        post(srv.addr, &path, "{}").await.json()["ActionStatus"],
        "OK"
    );
    let body = format!(
        r#"{{"SDKAppID": {APP}, "secretKey": "{}"}}"#,
        srv.secret_key
    );
    let console = post_as(srv.addr, "/api/console/login", Some("text/plain"), &body).await;
    assert_eq!(console.status, 415, "{}", console.body);
    assert_eq!(console.json()["code"], ErrorCode::NotJson.as_u32());
    srv.stop().await;
}

#[tokio::test]
async fn console_login_attempts_are_rate_limited() {
    let (_dir, srv) = server(Limits::default()).await;
    let wrong = format!(r#"{{"SDKAppID": {APP}, "secretKey": "not-the-key"}}"#);
    let mut statuses = Vec::new();
    for _ in 0..15 {
        statuses.push(post(srv.addr, "/api/console/login", &wrong).await);
    }
    assert_eq!(statuses[0].status, 401);
    let limited = statuses.last().expect("answers");
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_eq!(limited.json()["code"], ErrorCode::RateLimited.as_u32());
    // The right key is refused too while limited: guessing gets no faster with a hit.
    let right = format!(
        r#"{{"SDKAppID": {APP}, "secretKey": "{}"}}"#,
        srv.secret_key
    );
    assert_eq!(
        post(srv.addr, "/api/console/login", &right).await.status,
        429
    );
    srv.stop().await;
}

fn create_group(id: &str, members: &[&str]) -> Request {
    Request::CreateGroup {
        group_id: Some(id.to_owned()),
        name: id.to_owned(),
        kind: "Public".to_owned(),
        member_list: members.iter().map(|m| (*m).to_owned()).collect(),
    }
}

fn join(id: &str) -> Request {
    Request::JoinGroup {
        group_id: id.to_owned(),
    }
}

#[tokio::test]
async fn groups_are_capped_in_members_and_per_user() {
    let limits = Limits {
        max_group_members: 3,
        max_groups_per_user: 2,
        ..Limits::default()
    };
    let (_dir, srv) = server(limits).await;
    let mut users = std::collections::HashMap::new();
    for name in ["alice", "bob", "carol", "dave", "eve"] {
        let mut c = Raw::connect(&srv).await;
        assert!(is_reply(&c.login(&srv, name).await));
        users.insert(name, c);
    }
    let mut user = |name: &'static str| users.remove(name).expect("user");
    let (mut alice, mut bob, mut carol, mut dave, mut eve) = (
        user("alice"),
        user("bob"),
        user("carol"),
        user("dave"),
        user("eve"),
    );

    // Members: a group of 3 at most, the owner included.
    let too_big = alice
        .request(create_group("big", &["bob", "carol", "dave"]))
        .await;
    assert_eq!(
        error_code(&too_big),
        Some(ErrorCode::GroupFull),
        "{too_big:?}"
    );
    assert!(is_reply(&alice.request(create_group("g1", &["bob"])).await));
    assert!(is_reply(&carol.request(join("g1")).await));
    let full = dave.request(join("g1")).await;
    assert_eq!(error_code(&full), Some(ErrorCode::GroupFull), "{full:?}");
    let add = alice
        .request(Request::AddGroupMember {
            group_id: "g1".into(),
            user_ids: vec!["dave".into()],
        })
        .await;
    assert_eq!(error_code(&add), Some(ErrorCode::GroupFull), "{add:?}");

    // Groups per user: bob is in g1; g2 makes two, the most.
    assert!(is_reply(&eve.request(create_group("g2", &["bob"])).await));
    let third = dave.request(create_group("g3", &["bob"])).await;
    assert_eq!(
        error_code(&third),
        Some(ErrorCode::TooManyGroups),
        "{third:?}"
    );
    assert!(is_reply(&dave.request(create_group("g4", &[])).await));
    let added = dave
        .request(Request::AddGroupMember {
            group_id: "g4".into(),
            user_ids: vec!["bob".into(), "carol".into()],
        })
        .await;
    let ServerFrame::Reply {
        reply: tim_proto::Reply::MembersChanged {
            succeeded, failed, ..
        },
        ..
    } = &added
    else {
        panic!("{added:?}");
    };
    assert_eq!(succeeded, &["carol".to_owned()]);
    assert_eq!(
        failed,
        &["bob".to_owned()],
        "bob is in as many groups as allowed"
    );
    let join_third = bob.request(join("g4")).await;
    assert_eq!(error_code(&join_third), Some(ErrorCode::TooManyGroups));
    srv.stop().await;
}

#[tokio::test]
async fn sends_in_flight_on_one_connection_are_all_answered_in_conversation_order() {
    let (_dir, srv) = server(Limits::default()).await;
    let mut alice = Raw::connect(&srv).await;
    assert!(is_reply(&alice.login(&srv, "alice").await));
    // 32 sends written at once, alternating between two conversations, then a read.
    let mut ids = Vec::new();
    for i in 0..32 {
        let peer = if i % 2 == 0 { "bob" } else { "carol" };
        ids.push(
            alice
                .send(send_text(peer, &format!("p{i}"), format!("{i}")))
                .await,
        );
    }
    let list = alice
        .send(Request::GetMessageList {
            conversation_id: "C2Cbob".into(),
            next_req_message_id: None,
            count: 100,
        })
        .await;
    let mut answered = std::collections::HashMap::new();
    while answered.len() < ids.len() + 1 {
        let frame = alice.next().await.expect("answers");
        if let Some(id) = answer_id(&frame) {
            assert!(answered.insert(id, frame).is_none(), "one answer per id");
        }
    }
    // The read came after every send before it was answered, and sees them, in order.
    let Some(ServerFrame::Reply {
        reply: tim_proto::Reply::MessageList { messages, .. },
        ..
    }) = answered.get(&list)
    else {
        panic!("{:?}", answered.get(&list));
    };
    let texts: Vec<String> = messages
        .iter()
        .map(|m| match &m.body {
            WireBody::Text { text } => text.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    let expected: Vec<String> = (0..32).step_by(2).map(|i| i.to_string()).collect();
    assert_eq!(
        texts, expected,
        "C2Cbob holds its sends in the order they were written"
    );
    // Each conversation's seqs follow the order its sends were written in.
    for parity in 0..2 {
        let seqs: Vec<u64> = ids
            .iter()
            .skip(parity)
            .step_by(2)
            .map(|id| match &answered[id] {
                ServerFrame::Reply {
                    reply: tim_proto::Reply::Sent { message },
                    ..
                } => message.seq,
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    }
    srv.stop().await;
}
