//! The server on PostgreSQL over real WebSockets: two in-process servers (two nodes, the same
//! code `serve --db postgres://…` runs) on one database serve one chat.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::http::{http, png};
use common::{pg, texts, TestServer, APP};
use serde_json::json;
use std::path::Path;

#[tokio::test]
async fn two_nodes_on_one_postgres_share_messages_and_deletions() {
    if pg::skipped() {
        eprintln!("TIM_TEST_NO_PG=1: skipped");
        return;
    }
    let url = pg::server().fresh_database();
    let a = TestServer::start(Path::new(&url)).await;
    let b = TestServer::start(Path::new(&url)).await;
    assert_eq!(a.secret_key, b.secret_key, "one demo app, created once");

    let mut alice = a.login("alice").await;
    let mut bob = b.login("bob").await;
    for i in 1..=3 {
        alice
            .send("bob", &format!("a{i}"), &format!("hello {i}"))
            .await;
    }
    assert_eq!(
        texts(&bob.messages("C2Calice", 15).await),
        ["hello 1", "hello 2", "hello 3"]
    );
    assert_eq!(bob.conversations().await[0]["unreadCount"], 3);

    let r = alice.delete("C2Cbob").await;
    assert_eq!(r["kind"], "conversationDeleted", "{r}");
    // alice on the other node: deleted there too; bob keeps his history.
    let mut alice_on_b = b.login("alice").await;
    assert!(alice_on_b.conversations().await.is_empty());
    assert_eq!(texts(&bob.messages("C2Calice", 15).await).len(), 3);

    // A new message from the other node brings the conversation back with only itself.
    assert_eq!(bob.send("alice", "b1", "back again").await["seq"], 4);
    assert_eq!(texts(&alice.messages("C2Cbob", 15).await), ["back again"]);
    assert_eq!(alice.conversations().await[0]["unreadCount"], 1);
    a.stop().await;
    b.stop().await;
}

/// An image uploaded through one node is fetched through the other (one shared `--files`
/// directory, the metadata in PostgreSQL), and a deletion on either node ends the deleter's
/// access on both.
#[tokio::test]
async fn two_nodes_sharing_a_files_directory_serve_each_others_uploads() {
    if pg::skipped() {
        eprintln!("TIM_TEST_NO_PG=1: skipped");
        return;
    }
    let url = pg::server().fresh_database();
    let files = tempfile::tempdir().expect("tempdir");
    let a = TestServer::start_with_files(Path::new(&url), files.path()).await;
    let b = TestServer::start_with_files(Path::new(&url), files.path()).await;
    let auth = format!("UserSig {}", a.sig("alice"));
    let path = format!("/v1/files?sdkappid={APP}&userID=alice&conversationID=C2Cbob&kind=image");
    let up = http(
        a.addr,
        "POST",
        &path,
        &[("Authorization", &auth), ("Content-Type", "image/png")],
        &png(),
    )
    .await;
    assert_eq!(up.status, 200, "{}", String::from_utf8_lossy(&up.body));
    let file_id = up.json()["data"]["fileID"]
        .as_str()
        .expect("fileID")
        .to_owned();
    let mut alice = a.login("alice").await;
    let r = alice
        .request(
            "sendMessage",
            Some(json!({"conversationID": "C2Cbob", "ID": "img1",
                        "body": {"type": "image", "fileID": file_id}})),
        )
        .await;
    assert_eq!(r["kind"], "sent", "{r}");

    let mut bob = b.connect().await;
    let login = bob.login("bob", &b.sig("bob")).await;
    let query = login["value"]["fileQuery"]
        .as_str()
        .expect("fileQuery")
        .to_owned();
    let target = format!("/v1/files/{file_id}?{query}");
    let get = |node: &TestServer| http(node.addr, "GET", &target, &[], &[]);
    let got = get(&b).await;
    assert_eq!((got.status, got.body), (200, png()));
    assert_eq!(get(&a).await.status, 200);
    let r = bob.delete("C2Calice").await;
    assert_eq!(r["kind"], "conversationDeleted", "{r}");
    get(&a).await.assert_refused(404, 60032);
    get(&b).await.assert_refused(404, 60032);
    a.stop().await;
    b.stop().await;
}

/// A database migrated by a newer server is refused at start, saying so; an unreachable server
/// is named in the error.
#[test]
fn a_newer_schema_and_an_unreachable_server_are_refused_clearly() {
    if pg::skipped() {
        eprintln!("TIM_TEST_NO_PG=1: skipped");
        return;
    }
    let server = pg::server();
    let url = server.fresh_database();
    let dbname = url.rsplit('/').next().expect("dbname");
    drop(tim_server::store::PgStore::open(&url).expect("first open migrates"));
    assert_eq!(
        server.psql(dbname, "SELECT version FROM schema_version"),
        "8"
    );
    drop(tim_server::store::PgStore::open(&url).expect("an up-to-date schema opens"));
    server.psql(dbname, "UPDATE schema_version SET version = 99");
    let err = tim_server::store::PgStore::open(&url)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("version 99, newer than this server"), "{err}");

    // Port 1 on loopback: nothing listens there.
    let err = tim_server::store::PgStore::open("postgres://tim@127.0.0.1:1/nothing")
        .err()
        .expect("unreachable")
        .to_string();
    assert!(
        err.contains("cannot connect to PostgreSQL at 127.0.0.1:1/nothing")
            && err.contains("refused"),
        "{err}"
    );
}
