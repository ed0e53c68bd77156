//! The batch form of deleteConversation, clearHistory and setMessageRead over real WebSockets:
//! per-ID outcomes, refusals that change nothing, both history modes, what the user's other
//! sessions are told (deletions by the app's sync setting, clearing and reads always), unread
//! counts that agree on every session, and resume.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_error, ev, server, texts, Client, TestServer, APP};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use tim_proto::model::WireBody;
use tim_server::store::{ConvRef, NewMessage, SendOutcome, SqliteStore, Store};

/// How many messages peer `p<i>` sends alice in [`seed`].
fn sent_by(i: usize) -> u64 {
    (i % 3 + 1) as u64
}

/// Messages from `p0..p<n>` to alice, written straight into the live server's file (sessions
/// that log in afterwards load them). Returns how many: all unread.
fn seed(srv: &TestServer, n: usize) -> u64 {
    let store = SqliteStore::open(&srv.db).expect("open");
    for i in 0..n {
        let peer = format!("p{i}");
        for k in 0..sent_by(i) {
            let msg = NewMessage {
                msg_id: format!("m{k}"),
                body: WireBody::Text {
                    text: format!("{peer} {k}"),
                },
                time: common::now(),
                need_receipt: false,
            };
            let sent = store
                .send_message(APP, &ConvRef::c2c(&peer, "alice"), &msg)
                .expect("send");
            assert!(matches!(sent, SendOutcome::Stored { .. }));
        }
    }
    (0..n).map(sent_by).sum()
}

/// Pushes that arrived so far, taken out of the queue.
fn drain(c: &mut Client) -> Vec<Value> {
    c.pushes.drain(..).collect()
}

/// The next `n` pushes, which must be numbered one after the other.
async fn pushes(c: &mut Client, n: usize) -> Vec<Value> {
    let mut got: Vec<Value> = Vec::with_capacity(n);
    for _ in 0..n {
        let p = c.next_push().await;
        if let Some(prev) = got.last() {
            assert_eq!(ev(&p), ev(prev) + 1, "dense, in log order: {p}");
        }
        got.push(p);
    }
    got
}

fn kinds(frames: &[Value]) -> Vec<&str> {
    frames
        .iter()
        .map(|f| f["kind"].as_str().unwrap_or_default())
        .collect()
}

fn unread_map(list: &[Value]) -> BTreeMap<String, u64> {
    list.iter()
        .map(|c| {
            (
                c["conversationID"].as_str().expect("id").to_owned(),
                c["unreadCount"].as_u64().expect("unreadCount"),
            )
        })
        .collect()
}

/// One session's conversation list as a client builds it from nothing but the frames it
/// received, by the SDK's rules (crates/core/src/state.rs): a message at or below the watermark
/// is ignored and a newer one brings the entry back, counting as unread when from someone else;
/// a deletion raises the watermark and drops the entry; clearing raises it and blanks the entry;
/// a read zeroes it.
struct Mirror {
    me: String,
    /// conversationID → (unread, newest seq applied).
    entries: BTreeMap<String, (u64, u64)>,
    watermarks: BTreeMap<String, u64>,
    /// How much of the client's `seen` has been applied.
    applied: usize,
}

impl Mirror {
    fn empty(me: &str) -> Mirror {
        Mirror {
            me: me.to_owned(),
            entries: BTreeMap::new(),
            watermarks: BTreeMap::new(),
            applied: 0,
        }
    }

    /// Starts from the server's list, as the SDK does at login.
    async fn load(me: &str, c: &mut Client) -> Mirror {
        let list = c.conversations().await;
        let mut m = Mirror::empty(me);
        for conv in &list {
            let id = conv["conversationID"].as_str().expect("id").to_owned();
            let unread = conv["unreadCount"].as_u64().expect("unread");
            let last = conv["lastMessage"]["seq"].as_u64().unwrap_or(0);
            m.entries.insert(id, (unread, last));
        }
        m.applied = c.seen.len();
        m
    }

    fn watermark(&self, id: &str) -> u64 {
        self.watermarks.get(id).copied().unwrap_or(0)
    }

    fn raise(&mut self, id: &str, seq: u64) -> u64 {
        let w = self.watermarks.entry(id.to_owned()).or_default();
        *w = (*w).max(seq);
        *w
    }

    fn message(&mut self, m: &Value) {
        let id = m["conversationID"].as_str().expect("id");
        let seq = m["seq"].as_u64().expect("seq");
        if seq <= self.watermark(id) {
            return;
        }
        let from_other = m["from"] != self.me.as_str();
        let entry = self.entries.entry(id.to_owned()).or_insert((0, 0));
        if seq > entry.1 {
            entry.1 = seq;
            if from_other {
                entry.0 += 1;
            }
        }
    }

    fn deleted(&mut self, id: &str, cleared_seq: u64) {
        let w = self.raise(id, cleared_seq);
        if self.entries.get(id).is_some_and(|e| e.1 <= w) {
            self.entries.remove(id);
        }
    }

    fn cleared(&mut self, id: &str, cleared_seq: u64) {
        let w = self.raise(id, cleared_seq);
        if let Some(e) = self.entries.get_mut(id) {
            if e.1 <= w {
                *e = (0, 0);
            }
        }
    }

    fn read(&mut self, id: &str) {
        if let Some(e) = self.entries.get_mut(id) {
            e.0 = 0;
        }
    }

    fn apply(&mut self, f: &Value) {
        let v = &f["value"];
        let id = v["conversationID"].as_str().unwrap_or_default();
        let seq = v["clearedSeq"].as_u64().unwrap_or(0);
        match (f["t"].as_str(), f["kind"].as_str()) {
            (Some("push"), Some("message")) | (Some("reply"), Some("sent")) => {
                self.message(&v["message"])
            }
            (Some("push" | "reply"), Some("conversationDeleted")) => self.deleted(id, seq),
            (Some("reply"), Some("conversationsDeleted")) => {
                for r in v["results"].as_array().into_iter().flatten() {
                    if r["outcome"] == "deleted" {
                        let id = r["conversationID"].as_str().expect("id");
                        self.deleted(id, r["clearedSeq"].as_u64().expect("seq"));
                    }
                }
            }
            (Some("push" | "reply"), Some("historyCleared")) => self.cleared(id, seq),
            (Some("push"), Some("conversationRead")) => self.read(id),
            _ => {}
        }
    }

    /// Applies what the client received since last time, in arrival order.
    fn follow(&mut self, c: &Client) {
        for f in &c.seen[self.applied..] {
            self.apply(f);
        }
        self.applied = c.seen.len();
    }

    fn unread(&self) -> BTreeMap<String, u64> {
        self.entries
            .iter()
            .map(|(id, (unread, _))| (id.clone(), *unread))
            .collect()
    }
}

/// Alice logged in on two sessions, each with a mirror of its conversation list.
async fn alice_on_two_sessions(srv: &TestServer) -> (Client, Mirror, Client, Mirror) {
    let mut tab1 = srv.login("alice").await;
    let mut tab2 = srv.login("alice").await;
    let m1 = Mirror::load("alice", &mut tab1).await;
    let m2 = Mirror::load("alice", &mut tab2).await;
    (tab1, m1, tab2, m2)
}

/// What the session built from its frames is what the server lists now, conversation by
/// conversation; returns the total unread count.
async fn agree(c: &mut Client, m: &mut Mirror) -> u64 {
    // The list request also flushes pushes queued for the session before it.
    let list = c.conversations().await;
    m.follow(c);
    let server = unread_map(&list);
    assert_eq!(m.unread(), server, "session's own view vs server");
    server.values().sum()
}

#[tokio::test]
async fn batches_of_1_2_and_100_delete_all_they_name_and_101_changes_nothing() {
    let (_dir, srv) = server(true).await;
    let total = seed(&srv, 103);
    // A session that was here before the deletions and comes back after them.
    let (away, login) = srv.login_resume("alice", 0).await;
    let since = login["latestEvent"].as_u64().expect("latest");
    assert_eq!(since, total, "one entry per seeded message");
    drop(away);
    let (mut tab1, mut m1, mut tab2, mut m2) = alice_on_two_sessions(&srv).await;
    assert_eq!(agree(&mut tab1, &mut m1).await, total);
    assert_eq!(agree(&mut tab2, &mut m2).await, total);

    let ids: Vec<String> = (0..103).map(|i| format!("C2Cp{i}")).collect();
    let refs = |r: std::ops::Range<usize>| ids[r].iter().map(String::as_str).collect::<Vec<_>>();

    // 101: refused whole, never truncated.
    let r = tab1.delete_batch(&refs(0..101), true).await;
    assert_error(&r, 2100);
    assert!(
        r["message"].as_str().unwrap_or_default().contains("101"),
        "{r}"
    );
    assert_eq!(agree(&mut tab1, &mut m1).await, total);
    assert_eq!(agree(&mut tab2, &mut m2).await, total);
    assert!(drain(&mut tab2).is_empty());

    let mut remaining = total;
    let mut next_ev = since + 1;
    for range in [0..1, 1..3, 3..103] {
        let r = tab1.delete_batch(&refs(range.clone()), true).await;
        assert_eq!(r["kind"], "conversationsDeleted", "{r}");
        let expected: Vec<Value> = range
            .clone()
            .map(|i| json!({"conversationID": ids[i], "outcome": "deleted", "clearedSeq": sent_by(i)}))
            .collect();
        assert_eq!(r["value"]["results"], json!(expected));

        // The other session: one deletion per conversation, in request order.
        let got = pushes(&mut tab2, range.len()).await;
        assert_eq!(ev(&got[0]), next_ev);
        next_ev += range.len() as u64;
        for (p, i) in got.iter().zip(range.clone()) {
            assert_eq!(p["kind"], "conversationDeleted");
            assert_eq!(
                p["value"],
                json!({"conversationID": ids[i], "clearedSeq": sent_by(i)})
            );
        }
        remaining -= range.clone().map(sent_by).sum::<u64>();
        assert_eq!(agree(&mut tab1, &mut m1).await, remaining, "{range:?}");
        assert_eq!(agree(&mut tab2, &mut m2).await, remaining, "{range:?}");
        tab1.assert_no_push().await;
        tab2.assert_no_push().await;
    }
    assert_eq!(remaining, 0);
    // A reload: the list is empty, and so is every history.
    let mut fresh = srv.login("alice").await;
    assert!(fresh.conversations().await.is_empty());
    assert!(texts(&fresh.messages("C2Cp102", 15).await).is_empty());

    // The session that was away replays each deletion once, in order.
    let (mut back, login) = srv.login_resume_all("alice", since).await;
    assert_eq!(login["resyncRequired"], false);
    let missed = login["missed"].as_array().cloned().unwrap_or_default();
    assert_eq!(missed.len(), 103);
    for (k, e) in missed.iter().enumerate() {
        assert_eq!(ev(e), since + 1 + k as u64);
        assert_eq!(e["kind"], "conversationDeleted");
        assert_eq!(e["value"]["conversationID"], ids[k]);
    }
    // And then live, without repeating anything.
    tab1.send("p7", "again", "hello again").await;
    let p = back.next_push().await;
    assert_eq!(ev(&p), since + 104);
    back.assert_no_push().await;
    srv.stop().await;
}

#[tokio::test]
async fn each_id_gets_its_own_outcome_in_request_order() {
    let (_dir, srv) = server(true).await;
    let (mut tab1, mut m1, mut tab2, mut m2) = alice_on_two_sessions(&srv).await;
    let mut bob = srv.login("bob").await;
    let mut carol = srv.login("carol").await;
    bob.send("alice", "b1", "hi").await;
    bob.send("alice", "b2", "there").await;
    carol.send("alice", "c1", "hello").await;
    carol.send("alice", "c2", "!").await;
    carol.send("alice", "c3", "?").await;
    assert_eq!(agree(&mut tab2, &mut m2).await, 5);
    drain(&mut tab2);

    let r = tab1
        .delete_batch(
            &[
                "C2Cnobody",
                "not an id",
                "C2Ccarol",
                "GROUPteam",
                "@TIM#SYSTEM",
                "",
                "C2C",
                "C2Cbob",
            ],
            true,
        )
        .await;
    assert_eq!(r["kind"], "conversationsDeleted", "{r}");
    assert_eq!(
        r["value"]["results"],
        json!([
            {"conversationID": "C2Cnobody", "outcome": "notFound", "clearedSeq": 0},
            {"conversationID": "not an id", "outcome": "invalid", "clearedSeq": 0},
            {"conversationID": "C2Ccarol", "outcome": "deleted", "clearedSeq": 3},
            {"conversationID": "GROUPteam", "outcome": "notFound", "clearedSeq": 0},
            {"conversationID": "@TIM#SYSTEM", "outcome": "notFound", "clearedSeq": 0},
            {"conversationID": "", "outcome": "invalid", "clearedSeq": 0},
            {"conversationID": "C2C", "outcome": "invalid", "clearedSeq": 0},
            {"conversationID": "C2Cbob", "outcome": "deleted", "clearedSeq": 2},
        ])
    );
    let got = pushes(&mut tab2, 2).await;
    assert_eq!(got[0]["value"]["conversationID"], "C2Ccarol");
    assert_eq!(got[1]["value"]["conversationID"], "C2Cbob");
    assert_eq!(agree(&mut tab1, &mut m1).await, 0);
    assert_eq!(agree(&mut tab2, &mut m2).await, 0);

    // Nothing left to delete: still an answer, with an outcome per ID, and nothing logged.
    let latest = srv.login_resume("alice", 0).await.1["latestEvent"].clone();
    let r = tab1.delete_batch(&["C2Cbob", "C2Ccarol"], true).await;
    assert_eq!(
        r["value"]["results"],
        json!([
            {"conversationID": "C2Cbob", "outcome": "notFound", "clearedSeq": 0},
            {"conversationID": "C2Ccarol", "outcome": "notFound", "clearedSeq": 0},
        ])
    );
    tab2.assert_no_push().await;
    assert_eq!(srv.login_resume("alice", 0).await.1["latestEvent"], latest);
    // Bob and carol keep their histories.
    assert_eq!(texts(&carol.messages("C2Calice", 15).await).len(), 3);
    assert_eq!(texts(&bob.messages("C2Calice", 15).await).len(), 2);
    srv.stop().await;
}

#[tokio::test]
async fn empty_and_repeating_lists_and_a_bad_flag_are_refused_and_change_nothing() {
    let (_dir, srv) = server(true).await;
    let mut tab1 = srv.login("alice").await;
    let mut tab2 = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    bob.send("alice", "b1", "hi").await;
    let mut m1 = Mirror::load("alice", &mut tab1).await;
    let mut m2 = Mirror::load("alice", &mut tab2).await;
    drain(&mut tab1);
    drain(&mut tab2);
    let latest = srv.login_resume("alice", 0).await.1["latestEvent"].clone();

    for (list, needle) in [
        (json!([]), "empty"),
        (
            json!(["C2Cbob", "C2Ccarol", "C2Cbob"]),
            "\"C2Cbob\" more than once",
        ),
    ] {
        let r = tab1
            .request(
                "deleteConversations",
                Some(json!({"conversationIDList": list, "clearHistoryMessage": true})),
            )
            .await;
        assert_error(&r, 2100);
        let message = r["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{message}");
    }
    // Not a boolean, or missing: not a request this server can read.
    for args in [
        json!({"conversationIDList": ["C2Cbob"], "clearHistoryMessage": "yes"}),
        json!({"conversationIDList": "C2Cbob", "clearHistoryMessage": true}),
    ] {
        let r = tab1.request("deleteConversations", Some(args)).await;
        assert_error(&r, 60003);
    }
    assert_eq!(agree(&mut tab1, &mut m1).await, 1);
    assert_eq!(agree(&mut tab2, &mut m2).await, 1);
    tab2.assert_no_push().await;
    assert_eq!(srv.login_resume("alice", 0).await.1["latestEvent"], latest);
    assert_eq!(texts(&tab1.messages("C2Cbob", 15).await), ["hi"]);
    srv.stop().await;
}

#[tokio::test]
async fn without_clear_history_a_later_message_brings_the_old_history_back_with_it_only_new() {
    let (_dir, srv) = server(true).await;
    let (mut tab1, mut m1, mut tab2, mut m2) = alice_on_two_sessions(&srv).await;
    let mut bob = srv.login("bob").await;
    bob.send("alice", "b1", "one").await;
    bob.send("alice", "b2", "two").await;
    assert_eq!(agree(&mut tab2, &mut m2).await, 2);
    drain(&mut tab2);

    let r = tab1.delete_batch(&["C2Cbob"], false).await;
    assert_eq!(
        r["value"]["results"],
        json!([{"conversationID": "C2Cbob", "outcome": "deleted", "clearedSeq": 2}])
    );
    // The other session drops the entry and its cache up to the newest seq, as for ClearRamble 0.
    let p = tab2.next_push().await;
    assert_eq!(p["kind"], "conversationDeleted");
    assert_eq!(
        p["value"],
        json!({"conversationID": "C2Cbob", "clearedSeq": 2})
    );
    assert_eq!(agree(&mut tab1, &mut m1).await, 0);
    assert_eq!(agree(&mut tab2, &mut m2).await, 0);
    assert!(texts(&tab1.messages("C2Cbob", 15).await).is_empty());

    bob.send("alice", "b3", "three").await;
    assert_eq!(
        texts(&tab1.messages("C2Cbob", 15).await),
        ["one", "two", "three"],
        "the history stayed on the server"
    );
    assert_eq!(
        agree(&mut tab1, &mut m1).await,
        1,
        "only the new one is unread"
    );
    assert_eq!(agree(&mut tab2, &mut m2).await, 1);

    let r = tab1.delete_batch(&["C2Cbob"], true).await;
    assert_eq!(r["value"]["results"][0]["clearedSeq"], 3);
    bob.send("alice", "b4", "four").await;
    for tab in [&mut tab1, &mut tab2] {
        assert_eq!(texts(&tab.messages("C2Cbob", 15).await), ["four"]);
    }
    assert_eq!(agree(&mut tab1, &mut m1).await, 1);
    assert_eq!(agree(&mut tab2, &mut m2).await, 1);
    assert_eq!(texts(&bob.messages("C2Calice", 15).await).len(), 4);
    srv.stop().await;
}

#[tokio::test]
async fn clearing_history_keeps_a_blank_read_entry_and_every_session_hears_of_it() {
    // Sync off: clearing reaches the other sessions anyway.
    let (_dir, srv) = server(false).await;
    let (mut tab1, mut m1, mut tab2, mut m2) = alice_on_two_sessions(&srv).await;
    let mut bob = srv.login("bob").await;
    let mut carol = srv.login("carol").await;
    for i in 1..=3 {
        bob.send("alice", &format!("b{i}"), &format!("bob {i}"))
            .await;
    }
    carol.send("alice", "c1", "carol").await;
    assert_eq!(agree(&mut tab1, &mut m1).await, 4);
    assert_eq!(agree(&mut tab2, &mut m2).await, 4);
    drain(&mut tab1);
    let last = ev(drain(&mut tab2).last().expect("pushes"));

    let r = tab1.clear_history("C2Cbob").await;
    assert_eq!(r["kind"], "historyCleared", "{r}");
    assert_eq!(
        r["value"],
        json!({"conversationID": "C2Cbob", "clearedSeq": 3})
    );
    let p = tab2.next_push().await;
    assert_eq!(ev(&p), last + 1);
    assert_eq!(p["kind"], "historyCleared");
    assert_eq!(
        p["value"],
        json!({"conversationID": "C2Cbob", "clearedSeq": 3})
    );

    for (tab, m) in [(&mut tab1, &mut m1), (&mut tab2, &mut m2)] {
        assert_eq!(agree(tab, m).await, 1, "carol's message is still unread");
        let list = tab.conversations().await;
        let entry = list
            .iter()
            .find(|c| c["conversationID"] == "C2Cbob")
            .expect("the conversation stays");
        assert_eq!(entry["unreadCount"], 0);
        assert_eq!(entry["lastMessage"], Value::Null);
        assert!(texts(&tab.messages("C2Cbob", 15).await).is_empty());
    }
    assert_eq!(
        texts(&bob.messages("C2Calice", 15).await).len(),
        3,
        "bob keeps his"
    );

    bob.send("alice", "b4", "after").await;
    for (tab, m) in [(&mut tab1, &mut m1), (&mut tab2, &mut m2)] {
        assert_eq!(texts(&tab.messages("C2Cbob", 15).await), ["after"]);
        assert_eq!(agree(tab, m).await, 2);
        let list = tab.conversations().await;
        let entry = list
            .iter()
            .find(|c| c["conversationID"] == "C2Cbob")
            .expect("listed");
        assert_eq!(entry["lastMessage"]["id"], "b4");
        assert_eq!(entry["unreadCount"], 1);
    }

    assert_error(&tab1.clear_history("C2Cnobody").await, 2500);
    assert_error(&tab1.clear_history("not an id").await, 2503);
    // A group conversation the user does not have.
    assert_error(&tab1.clear_history("GROUPteam").await, 2500);
    drain(&mut tab2);
    tab2.assert_no_push().await;

    // A reload gives the same counts.
    let mut fresh = srv.login("alice").await;
    assert_eq!(
        unread_map(&fresh.conversations().await),
        BTreeMap::from([("C2Cbob".to_owned(), 1), ("C2Ccarol".to_owned(), 1)])
    );
    srv.stop().await;
}

#[tokio::test]
async fn a_read_reaches_the_other_sessions_so_unread_counts_agree() {
    let (_dir, srv) = server(false).await;
    let (mut tab1, mut m1, mut tab2, mut m2) = alice_on_two_sessions(&srv).await;
    let mut bob = srv.login("bob").await;
    bob.send("alice", "b1", "one").await;
    bob.send("alice", "b2", "two").await;
    assert_eq!(agree(&mut tab2, &mut m2).await, 2);
    let last = ev(drain(&mut tab2).last().expect("pushes"));

    let r = tab1.mark_read("C2Cbob").await;
    assert_eq!(r["kind"], "done", "{r}");
    m1.follow(&tab1);
    m1.read("C2Cbob");
    // Every session hears of it, the reading one too (after its reply), with what it covered.
    for tab in [&mut tab2, &mut tab1] {
        let mut p = tab.next_push().await;
        while p["kind"] == "message" {
            p = tab.next_push().await;
        }
        assert_eq!(ev(&p), last + 1);
        assert_eq!(p["kind"], "conversationRead");
        assert_eq!(
            p["value"],
            json!({"conversationID": "C2Cbob", "readSeq": 2})
        );
    }
    assert_eq!(agree(&mut tab1, &mut m1).await, 0);
    assert_eq!(agree(&mut tab2, &mut m2).await, 0);

    // Reading again changes nothing and tells no one.
    assert_eq!(tab1.mark_read("C2Cbob").await["kind"], "done");
    tab1.assert_no_push().await;
    tab2.assert_no_push().await;
    assert_error(&tab1.mark_read("C2Cnobody").await, 2500);

    // A new message after the read is unread on both.
    bob.send("alice", "b3", "three").await;
    assert_eq!(agree(&mut tab1, &mut m1).await, 1);
    assert_eq!(agree(&mut tab2, &mut m2).await, 1);
    srv.stop().await;
}

#[tokio::test]
async fn batch_deletions_reach_other_sessions_only_while_the_app_syncs_them() {
    let (_dir, srv) = server(false).await;
    let mut tab1 = srv.login("alice").await;
    let mut tab2 = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    let mut carol = srv.login("carol").await;
    bob.send("alice", "b1", "hi").await;
    carol.send("alice", "c1", "hi").await;
    drain(&mut tab1);
    let latest = srv.login_resume("alice", 0).await.1["latestEvent"].clone();

    let r = tab1.delete_batch(&["C2Cbob"], true).await;
    assert_eq!(r["value"]["results"][0]["outcome"], "deleted");
    // Not told (as at Tencent with the setting off) and not logged; the server's list is right.
    pushes(&mut tab2, 2).await;
    tab2.assert_no_push().await;
    assert_eq!(srv.login_resume("alice", 0).await.1["latestEvent"], latest);
    assert_eq!(
        unread_map(&tab2.conversations().await),
        BTreeMap::from([("C2Ccarol".to_owned(), 1)])
    );

    srv.set_sync_deletion(true);
    let r = tab1.delete_batch(&["C2Ccarol"], false).await;
    assert_eq!(r["value"]["results"][0]["outcome"], "deleted");
    let p = tab2.next_push().await;
    assert_eq!(p["kind"], "conversationDeleted");
    assert_eq!(
        p["value"],
        json!({"conversationID": "C2Ccarol", "clearedSeq": 1})
    );
    assert!(tab2.conversations().await.is_empty());
    srv.stop().await;
}

#[tokio::test]
async fn a_resume_after_deletions_clearing_and_reads_replays_each_event_once() {
    let (_dir, srv) = server(true).await;
    let (away, login) = srv.login_resume("alice", 0).await;
    assert_eq!(login["latestEvent"], 0);
    drop(away);
    let mut tab1 = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    let mut carol = srv.login("carol").await;
    let mut dave = srv.login("dave").await;
    bob.send("alice", "b1", "one").await; // 1
    bob.send("alice", "b2", "two").await; // 2
    carol.send("alice", "c1", "hi").await; // 3
    dave.send("alice", "d1", "hi").await; // 4
    tab1.delete_batch(&["C2Ccarol", "C2Cdave"], true).await; // 5, 6
    tab1.clear_history("C2Cbob").await; // 7
    bob.send("alice", "b3", "three").await; // 8
    bob.send("alice", "b4", "four").await; // 9
    tab1.mark_read("C2Cbob").await; // 10
    dave.send("alice", "d2", "back").await; // 11

    let (mut back, login) = srv.login_resume("alice", 0).await;
    let missed = login["missed"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        missed.iter().map(ev).collect::<Vec<_>>(),
        (1..=11).collect::<Vec<_>>()
    );
    assert_eq!(
        kinds(&missed),
        [
            "message",
            "message",
            "message",
            "message",
            "conversationDeleted",
            "conversationDeleted",
            "historyCleared",
            "message",
            "message",
            "conversationRead",
            "message"
        ]
    );
    // Built from the replay alone, the list is the server's.
    let mut replayed = Mirror::empty("alice");
    for e in &missed {
        let mut frame = e.clone();
        frame["t"] = json!("push");
        replayed.apply(&frame);
    }
    replayed.applied = back.seen.len();
    assert_eq!(
        agree(&mut back, &mut replayed).await,
        1,
        "dave's new message"
    );
    let list = back.conversations().await;
    assert_eq!(list.len(), 2, "bob (read) and dave (back with d2 only)");
    assert!(texts(&back.messages("C2Cdave", 15).await) == ["back"]);

    // From the middle: exactly the rest.
    let (_, login) = srv.login_resume("alice", 6).await;
    assert_eq!(
        kinds(
            login["missed"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
        ),
        [
            "historyCleared",
            "message",
            "message",
            "conversationRead",
            "message"
        ]
    );
    // Then live, once.
    bob.send("alice", "b5", "five").await;
    let p = back.next_push().await;
    assert_eq!(ev(&p), 12);
    back.assert_no_push().await;
    srv.stop().await;
}
