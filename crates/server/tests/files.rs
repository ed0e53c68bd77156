//! Image and file messages over real HTTP and WebSockets (issue 16): `POST /v1/files` with a
//! UserSig, its refusals (size, type, credentials, conversation) leaving nothing stored, and
//! `GET /v1/files/<id>` with the login's file ticket, served only while the fetcher's view of
//! the conversation holds a message linking to the file.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::http::{http, png, Answer};
use common::{assert_error, groups, Client, TestServer, APP, WAIT};
use serde_json::{json, Value};
use std::path::Path;
use tim_server::config::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `POST /v1/files` as `user` (with `sig`) for `conversation`.
async fn upload_with(
    srv: &TestServer,
    user: &str,
    sig: &str,
    conversation: &str,
    kind: &str,
    content_type: &str,
    body: &[u8],
) -> Answer {
    let path = format!(
        "/v1/files?sdkappid={APP}&userID={user}&conversationID={conversation}&kind={kind}&fileName=a%20b.pdf"
    );
    let auth = format!("UserSig {sig}");
    let mut headers = vec![("Content-Type", content_type)];
    if !sig.is_empty() {
        headers.push(("Authorization", auth.as_str()));
    }
    http(srv.addr, "POST", &path, &headers, body).await
}

async fn upload(
    srv: &TestServer,
    user: &str,
    conversation: &str,
    kind: &str,
    ct: &str,
    body: &[u8],
) -> Answer {
    upload_with(srv, user, &srv.sig(user), conversation, kind, ct, body).await
}

/// A logged-in client and its file query string.
async fn login(srv: &TestServer, user: &str) -> (Client, String) {
    let mut c = srv.connect().await;
    let r = c.login(user, &srv.sig(user)).await;
    assert_eq!(r["kind"], "loggedIn", "{r}");
    let query = r["value"]["fileQuery"]
        .as_str()
        .expect("fileQuery")
        .to_owned();
    (c, query)
}

async fn fetch(srv: &TestServer, file_id: &str, query: &str) -> Answer {
    http(
        srv.addr,
        "GET",
        &format!("/v1/files/{file_id}?{query}"),
        &[],
        &[],
    )
    .await
}

async fn send_body(c: &mut Client, conversation: &str, id: &str, body: Value) -> Value {
    c.request(
        "sendMessage",
        Some(json!({"conversationID": conversation, "ID": id, "body": body})),
    )
    .await
}

/// The files stored under the files directory (the temporary ones included).
fn stored_files(dir: &Path) -> usize {
    fn walk(p: &Path) -> usize {
        std::fs::read_dir(p)
            .map(|rd| {
                rd.flatten()
                    .map(|e| {
                        let p = e.path();
                        if p.is_dir() {
                            walk(&p)
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&dir.join("files"))
}

fn stored_rows(dir: &Path) -> i64 {
    let conn = rusqlite::Connection::open(dir.join("tim.db")).expect("open");
    conn.query_row("SELECT COUNT(*) FROM files", [], |r| r.get(0))
        .expect("count")
}

async fn start(limits: Limits) -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().expect("tempdir");
    let srv = TestServer::start_limited(&dir.path().join("tim.db"), limits).await;
    (dir, srv)
}

#[tokio::test]
async fn an_image_goes_up_is_sent_and_is_served_to_the_conversation_only() {
    let (dir, srv) = start(Limits::default()).await;
    let (mut alice, alice_q) = login(&srv, "alice").await;
    let (mut bob, bob_q) = login(&srv, "bob").await;
    let (_carol, carol_q) = login(&srv, "carol").await;

    let up = upload(&srv, "alice", "C2Cbob", "image", "image/png", &png()).await;
    assert_eq!(up.status, 200, "{}", String::from_utf8_lossy(&up.body));
    let d = up.json();
    assert_eq!(d["code"], 0, "{d}");
    let d = &d["data"];
    let file_id = d["fileID"].as_str().expect("fileID").to_owned();
    assert_eq!(file_id.len(), 32);
    assert_eq!(
        (
            &d["kind"],
            &d["contentType"],
            &d["fileSize"],
            &d["width"],
            &d["height"],
            &d["imageFormat"]
        ),
        (
            &json!("image"),
            &json!("image/png"),
            &json!(png().len()),
            &json!(3),
            &json!(2),
            &json!(3)
        )
    );
    assert_eq!(d["conversationID"], "C2Cbob");
    let url = d["url"].as_str().expect("url");
    assert!(url.starts_with(&format!("/v1/files/{file_id}?")), "{url}");
    assert_eq!(stored_rows(dir.path()), 1);

    // Before it is sent, the uploader alone may see it (a preview).
    let preview = http(srv.addr, "GET", url, &[], &[]).await;
    assert_eq!((preview.status, preview.body.clone()), (200, png()));
    assert_eq!(fetch(&srv, &file_id, &alice_q).await.status, 200);
    fetch(&srv, &file_id, &bob_q)
        .await
        .assert_refused(404, 60032);

    // Sent naming the upload only: the server fills in what it stored.
    let r = send_body(
        &mut alice,
        "C2Cbob",
        "m1",
        json!({"type": "image", "fileID": file_id, "fileSize": 1}),
    )
    .await;
    assert_eq!(r["kind"], "sent", "{r}");
    assert_eq!(
        r["value"]["message"]["body"],
        json!({"type": "image", "fileID": file_id, "fileSize": png().len(),
               "imageFormat": 3, "width": 3, "height": 2})
    );
    let push = bob.next_push().await;
    assert_eq!(
        push["value"]["message"]["body"]["fileID"],
        json!(file_id),
        "{push}"
    );

    let got = fetch(&srv, &file_id, &bob_q).await;
    assert_eq!((got.status, got.body.clone()), (200, png()));
    assert_eq!(got.headers["content-type"], "image/png");
    assert_eq!(got.headers["x-content-type-options"], "nosniff");
    assert!(got.headers["content-security-policy"].contains("sandbox"));
    assert_eq!(got.headers["access-control-allow-origin"], "*");
    // Not a member of the conversation: the same 404 as for no file at all.
    fetch(&srv, &file_id, &carol_q)
        .await
        .assert_refused(404, 60032);
    fetch(&srv, "0123456789abcdef0123456789abcdef", &bob_q)
        .await
        .assert_refused(404, 60032);
    fetch(&srv, "..%2F..%2Ftim.db", &bob_q)
        .await
        .assert_refused(404, 60032);
    // A ticket of another user, or a tampered one, proves nothing.
    let forged = bob_q.replace("userID=bob", "userID=alice");
    fetch(&srv, &file_id, &forged)
        .await
        .assert_refused(401, 70003);
    fetch(&srv, &file_id, &format!("sdkappid={APP}&userID=bob"))
        .await
        .assert_refused(401, 70003);
    let expired = bob_q.replacen("expires=", "expires=1", 1);
    fetch(&srv, &file_id, &expired)
        .await
        .assert_refused(401, 70003);

    // A file message: any type, served as a download with its name.
    let up = upload(
        &srv,
        "bob",
        "C2Calice",
        "file",
        "application/pdf",
        b"%PDF-1.7 hello",
    )
    .await;
    let f = up.json()["data"].clone();
    assert_eq!(
        (&f["kind"], &f["fileName"], &f["fileSize"]),
        (&json!("file"), &json!("a b.pdf"), &json!(14)),
        "{f}"
    );
    let fid = f["fileID"].as_str().expect("fileID").to_owned();
    // The wrong kind, another's upload, or another conversation: refused, nothing sent.
    for (alice_sends, conv, body) in [
        (false, "C2Calice", json!({"type": "image", "fileID": fid})),
        (true, "C2Cbob", json!({"type": "file", "fileID": fid})),
        (false, "C2Ccarol", json!({"type": "file", "fileID": fid})),
        (false, "C2Calice", json!({"type": "file", "fileID": "nope"})),
    ] {
        let c = if alice_sends { &mut alice } else { &mut bob };
        let r = send_body(c, conv, "bad", body).await;
        assert_error(&r, 60032);
    }
    let r = send_body(
        &mut bob,
        "C2Calice",
        "m2",
        json!({"type": "file", "fileID": fid}),
    )
    .await;
    assert_eq!(
        r["value"]["message"]["body"],
        json!({"type": "file", "fileID": fid, "fileName": "a b.pdf", "fileSize": 14}),
        "{r}"
    );
    let got = fetch(&srv, &fid, &alice_q).await;
    assert_eq!(
        (got.status, got.body.as_slice()),
        (200, &b"%PDF-1.7 hello"[..])
    );
    assert_eq!(got.headers["content-type"], "application/octet-stream");
    assert_eq!(
        got.headers["content-disposition"],
        "attachment; filename*=UTF-8''a%20b.pdf"
    );
    // Text messages are as they were.
    alice.send("bob", "t1", "still text").await;
    srv.stop().await;
}

#[tokio::test]
async fn refused_uploads_are_coded_and_leave_nothing() {
    let limits = Limits {
        max_image_bytes: 100,
        max_file_bytes: 200,
        ..Limits::default()
    };
    let (dir, srv) = start(limits).await;
    let (mut owner, _) = login(&srv, "alice").await;
    groups::private_group(&mut owner, "g1", &["bob"]).await;
    let big = |n: usize| {
        let mut b = png();
        b.resize(n, 0);
        b
    };
    upload(&srv, "alice", "C2Cbob", "image", "image/png", &big(101))
        .await
        .assert_refused(413, 2253);
    upload(&srv, "alice", "C2Cbob", "file", "text/plain", &[b'x'; 201])
        .await
        .assert_refused(413, 2402);
    // At the limit is fine.
    assert_eq!(
        upload(&srv, "alice", "C2Cbob", "image", "image/png", &big(100))
            .await
            .status,
        200
    );
    assert_eq!(stored_rows(dir.path()), 1);
    let before = stored_files(dir.path());
    // Without a Content-Length (chunked), the upload is cut off once over the limit.
    let mut s = TcpStream::connect(srv.addr).await.expect("connect");
    let head = format!(
        "POST /v1/files?sdkappid={APP}&userID=alice&conversationID=C2Cbob&kind=image HTTP/1.1\r\n\
         Host: x\r\nConnection: close\r\nAuthorization: UserSig {}\r\n\
         Content-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n",
        srv.sig("alice")
    );
    s.write_all(head.as_bytes()).await.expect("head");
    for chunk in big(120).chunks(40) {
        let _ = s
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await;
        let _ = s.write_all(chunk).await;
        let _ = s.write_all(b"\r\n").await;
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(WAIT, s.read_to_end(&mut raw)).await;
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    assert!(raw.contains("\"code\":2253"), "{raw}");
    assert_eq!(
        stored_files(dir.path()),
        before,
        "a cut-off upload left a file"
    );

    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
    upload(&srv, "alice", "C2Cbob", "image", "image/svg+xml", svg)
        .await
        .assert_refused(415, 2252);
    upload(&srv, "alice", "C2Cbob", "image", "image/png", svg)
        .await
        .assert_refused(415, 2252);
    upload(&srv, "alice", "C2Cbob", "image", "image/gif", &png())
        .await
        .assert_refused(415, 2252);
    upload(
        &srv,
        "alice",
        "C2Cbob",
        "file",
        "application/x-msdownload",
        b"hi",
    )
    .await
    .assert_refused(415, 60031);
    upload(
        &srv,
        "alice",
        "C2Cbob",
        "file",
        "application/octet-stream",
        b"\x7fELF\x02\x01\x01",
    )
    .await
    .assert_refused(415, 60031);
    upload(&srv, "alice", "C2Cbob", "file", "text/plain", b"")
        .await
        .assert_refused(400, 2108);
    upload(&srv, "alice", "C2Cbob", "video", "video/mp4", b"x")
        .await
        .assert_refused(400, 2100);
    // Credentials: none, not a UserSig, another user's, another app's.
    upload_with(&srv, "alice", "", "C2Cbob", "image", "image/png", &png())
        .await
        .assert_refused(401, 70003);
    upload_with(
        &srv,
        "alice",
        "garbage",
        "C2Cbob",
        "image",
        "image/png",
        &png(),
    )
    .await
    .assert_refused(401, 70003);
    upload_with(
        &srv,
        "alice",
        &srv.sig("bob"),
        "C2Cbob",
        "image",
        "image/png",
        &png(),
    )
    .await
    .assert_refused(401, 70013);
    let path = "/v1/files?sdkappid=42&userID=alice&conversationID=C2Cbob&kind=image";
    let auth = format!("UserSig {}", srv.sig("alice"));
    http(
        srv.addr,
        "POST",
        path,
        &[("Authorization", &auth), ("Content-Type", "image/png")],
        &png(),
    )
    .await
    .assert_refused(401, 70020);
    // Conversations: a group the caller is not in, a bad ID, the system one.
    upload(&srv, "carol", "GROUPg1", "image", "image/png", &png())
        .await
        .assert_refused(403, 10007);
    upload(&srv, "carol", "GROUPnope", "image", "image/png", &png())
        .await
        .assert_refused(400, 10010);
    upload(&srv, "alice", "bob", "image", "image/png", &png())
        .await
        .assert_refused(400, 2503);
    upload(
        &srv,
        "alice",
        "%40TIM%23SYSTEM",
        "image",
        "image/png",
        &png(),
    )
    .await
    .assert_refused(400, 2100);
    assert_eq!(
        upload(&srv, "bob", "GROUPg1", "image", "image/png", &png())
            .await
            .status,
        200
    );
    assert_eq!(stored_rows(dir.path()), 2);
    assert_eq!(
        stored_files(dir.path()),
        before + 1,
        "refused uploads left files behind"
    );

    // A browser on another origin may call it (CORS preflight).
    let pre = http(
        srv.addr,
        "OPTIONS",
        "/v1/files",
        &[
            ("Origin", "https://app.example"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization,content-type",
            ),
        ],
        &[],
    )
    .await;
    assert_eq!(pre.status, 200);
    assert_eq!(pre.headers["access-control-allow-origin"], "*");
    srv.stop().await;
}

#[tokio::test]
async fn deleting_the_conversation_or_the_message_ends_the_deleters_access_only() {
    let (_dir, srv) = start(Limits::default()).await;
    let (mut alice, alice_q) = login(&srv, "alice").await;
    let (mut bob, bob_q) = login(&srv, "bob").await;
    let id = |a: &Answer| {
        a.json()["data"]["fileID"]
            .as_str()
            .expect("fileID")
            .to_owned()
    };
    let f1 = id(&upload(&srv, "alice", "C2Cbob", "image", "image/png", &png()).await);
    let r = send_body(
        &mut alice,
        "C2Cbob",
        "m1",
        json!({"type": "image", "fileID": f1}),
    )
    .await;
    assert_eq!(r["kind"], "sent", "{r}");
    bob.next_push().await;
    assert_eq!(fetch(&srv, &f1, &bob_q).await.status, 200);

    // Bob deletes the conversation: gone for him, still Alice's.
    let r = bob.delete("C2Calice").await;
    assert_eq!(r["t"], "reply", "{r}");
    fetch(&srv, &f1, &bob_q).await.assert_refused(404, 60032);
    assert_eq!(fetch(&srv, &f1, &alice_q).await.status, 200);
    // A new message brings the conversation back, not the old file.
    alice.send("bob", "m2", "hello again").await;
    bob.next_push().await;
    fetch(&srv, &f1, &bob_q).await.assert_refused(404, 60032);

    // deleteMessage: Alice hides the message; gone for her, and Bob's view is his own.
    let f2 = id(&upload(&srv, "alice", "C2Cbob", "image", "image/png", &png()).await);
    send_body(
        &mut alice,
        "C2Cbob",
        "m3",
        json!({"type": "image", "fileID": f2}),
    )
    .await;
    bob.next_push().await;
    let r = alice
        .request(
            "deleteMessage",
            Some(json!([{"conversationID": "C2Cbob", "ID": "m3"}])),
        )
        .await;
    assert_eq!(r["t"], "reply", "{r}");
    fetch(&srv, &f2, &alice_q).await.assert_refused(404, 60032);
    assert_eq!(fetch(&srv, &f2, &bob_q).await.status, 200);
    srv.stop().await;
}

#[tokio::test]
async fn uploads_count_with_the_users_requests() {
    let limits = Limits {
        user_rate: 1,
        ..Limits::default()
    };
    let (dir, srv) = start(limits).await;
    // A burst of twice the rate, then refused.
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(upload(&srv, "alice", "C2Cbob", "image", "image/png", &png()).await);
    }
    assert_eq!(statuses[0].status, 200);
    assert_eq!(statuses[1].status, 200);
    statuses[2].assert_refused(429, 60007);
    assert_eq!(stored_rows(dir.path()), 2);
    // Another user's uploads are theirs.
    assert_eq!(
        upload(&srv, "bob", "C2Calice", "image", "image/png", &png())
            .await
            .status,
        200
    );
    srv.stop().await;
}
