//! Multi-client sync over real WebSockets: event numbers on pushes, catch-up at login, the
//! deletion setting, and a deletion racing a message.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{ev, server, texts, Client};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use tim_server::store::{SqliteStore, Store};

fn ev_list(events: &Value) -> Vec<u64> {
    events
        .as_array()
        .map(|a| a.iter().map(ev).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn live_pushes_carry_event_numbers_and_a_resume_replays_exactly_what_came_after() {
    let (_dir, srv) = server(true).await;
    let (mut tab1, login) = srv.login_resume("alice", 0).await;
    assert_eq!(login["latestEvent"], 0);
    assert_eq!(login["missed"], json!([]));
    assert_eq!(login["resyncRequired"], false);
    let mut bob = srv.login("bob").await;

    for i in 1..=3 {
        bob.send("alice", &format!("b{i}"), &format!("hi {i}"))
            .await;
        let p = tab1.next_push().await;
        assert_eq!((ev(&p), p["kind"].as_str()), (i, Some("message")), "{p}");
    }
    // Alice's own message is her event 4: logged, but her sending tab gets the reply instead.
    tab1.send("bob", "a1", "from tab 1").await;
    bob.send("alice", "b4", "hi 4").await;
    let p = tab1.next_push().await;
    assert_eq!(ev(&p), 5);

    // A tab that applied up to event 3 comes back: exactly 4 and 5, then live from 6, once each.
    let (mut tab2, login) = srv.login_resume("alice", 3).await;
    assert_eq!(login["latestEvent"], 5);
    assert_eq!(login["resyncRequired"], false);
    assert_eq!(ev_list(&login["missed"]), [4, 5]);
    let own = &login["missed"][0];
    assert_eq!(own["kind"], "message");
    assert_eq!(own["value"]["message"]["id"], "a1");
    assert_eq!(own["value"]["message"]["conversationID"], "C2Cbob");
    assert_eq!(login["missed"][1]["value"]["message"]["id"], "b4");
    bob.send("alice", "b5", "hi 5").await;
    for tab in [&mut tab1, &mut tab2] {
        let p = tab.next_push().await;
        assert_eq!(ev(&p), 6, "{p}");
        assert_eq!(p["value"]["message"]["id"], "b5");
        tab.assert_no_push().await;
    }

    // Deleting: the reply carries the watermark; the other tab gets it as event 7.
    let r = tab1.delete("C2Cbob").await;
    assert_eq!(r["value"]["clearedSeq"], 6, "{r}");
    let p = tab2.next_push().await;
    assert_eq!(ev(&p), 7);
    assert_eq!(p["kind"], "conversationDeleted");
    assert_eq!(
        p["value"],
        json!({"conversationID": "C2Cbob", "clearedSeq": 6})
    );
    tab1.assert_no_push().await;

    // Nothing new, too far ahead, and a plain login.
    assert_eq!(srv.login_resume("alice", 7).await.1["missed"], json!([]));
    let (_, ahead) = srv.login_resume("alice", 8).await;
    assert_eq!(
        (ahead["resyncRequired"].clone(), ahead["missed"].clone()),
        (json!(true), json!([]))
    );
    let mut fresh = srv.connect().await;
    let r = fresh.login("alice", &srv.sig("alice")).await;
    assert_eq!(r["value"]["latestEvent"], 7);
    assert_eq!(r["value"]["missed"], json!([]));
    assert_eq!(r["value"]["resyncRequired"], false);
    // Bob's own log numbers his events independently.
    assert_eq!(srv.login_resume("bob", 0).await.1["latestEvent"], 6);
    srv.stop().await;
}

#[tokio::test]
async fn with_the_setting_off_a_deletion_is_neither_logged_nor_pushed() {
    let (_dir, srv) = server(false).await;
    let mut tab1 = srv.login("alice").await;
    let mut tab2 = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    bob.send("alice", "b1", "hi").await;
    assert_eq!(ev(&tab1.next_push().await), 1);
    assert_eq!(ev(&tab2.next_push().await), 1);

    let r = tab1.delete("C2Cbob").await;
    assert_eq!(
        r["value"]["clearedSeq"], 1,
        "the reply still has the watermark"
    );
    tab2.assert_no_push().await;
    let (_, login) = srv.login_resume("alice", 0).await;
    assert_eq!(login["latestEvent"], 1);
    assert_eq!(ev_list(&login["missed"]), [1], "only the message");

    // Messages keep counting from there.
    bob.send("alice", "b2", "back").await;
    assert_eq!(ev(&tab2.next_push().await), 2);
    srv.stop().await;
}

#[tokio::test]
async fn a_resume_from_before_what_is_kept_must_resync() {
    let (_dir, srv) = server(true).await;
    let mut bob = srv.login("bob").await;
    for i in 1..=4 {
        bob.send("alice", &format!("b{i}"), "x").await;
    }
    // The purge task's trim, with a tiny retention, on the live server's file.
    let store = SqliteStore::open(&srv.db).expect("open");
    assert!(store.trim_events(2, i64::MAX, 1000).expect("trim") > 0);

    let (_, old) = srv.login_resume("alice", 1).await;
    assert_eq!(old["resyncRequired"], true);
    assert_eq!(old["missed"], json!([]));
    assert_eq!(old["latestEvent"], 4);
    let (_, kept) = srv.login_resume("alice", 2).await;
    assert_eq!(kept["resyncRequired"], false);
    assert_eq!(ev_list(&kept["missed"]), [3, 4]);
    srv.stop().await;
}

/// What a client holds for one conversation, built only from the frames it received, by the
/// rules the SDK applies (crates/core/src/state.rs): a message at or below the watermark is
/// ignored; a deletion raises the watermark and removes the entry unless a newer message is
/// already there.
#[derive(Debug, Default, Clone, PartialEq)]
struct ConvModel {
    watermark: u64,
    /// Every message seen, by seq.
    messages: BTreeMap<u64, String>,
    /// The newest message applied to the entry, if the entry exists.
    entry: Option<(u64, String)>,
}

impl ConvModel {
    fn message(&mut self, m: &Value) {
        let seq = m["seq"].as_u64().expect("seq");
        let id = m["id"].as_str().expect("id").to_owned();
        if seq <= self.watermark {
            return;
        }
        self.messages.insert(seq, id.clone());
        if self.entry.as_ref().is_none_or(|(newest, _)| seq > *newest) {
            self.entry = Some((seq, id));
        }
    }

    fn deleted(&mut self, cleared_seq: u64) {
        self.watermark = self.watermark.max(cleared_seq);
        if self
            .entry
            .as_ref()
            .is_some_and(|(newest, _)| *newest <= self.watermark)
        {
            self.entry = None;
        }
    }

    /// A frame of any kind: message pushes, deletion pushes and deletion replies count.
    fn apply(&mut self, frame: &Value) {
        match (frame["t"].as_str(), frame["kind"].as_str()) {
            (Some("push"), Some("message")) => self.message(&frame["value"]["message"]),
            (Some("push" | "reply"), Some("conversationDeleted")) => {
                self.deleted(frame["value"]["clearedSeq"].as_u64().expect("clearedSeq"))
            }
            _ => {}
        }
    }

    /// `(last message id in the list, visible history ids)` as the client would show them.
    fn visible(&self) -> (Option<String>, Vec<String>) {
        let history = match &self.entry {
            Some(_) => self
                .messages
                .range(self.watermark + 1..)
                .map(|(_, id)| id.clone())
                .collect(),
            None => Vec::new(),
        };
        (self.entry.as_ref().map(|(_, id)| id.clone()), history)
    }
}

/// The same, from the server: alice's list entry for bob and her history with him.
async fn server_view(c: &mut Client) -> (Option<String>, Vec<String>) {
    let list = c.conversations().await;
    assert!(list.len() <= 1, "{list:?}");
    let last = list.first().map(|conv| {
        assert_eq!(conv["conversationID"], "C2Cbob");
        conv["lastMessage"]["id"].as_str().expect("id").to_owned()
    });
    let history = c.messages("C2Cbob", 100).await["messages"]
        .as_array()
        .map(|ms| {
            ms.iter()
                .map(|m| m["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    (last, history)
}

/// Reads pushes until one with event number `last` (each must be the next number).
async fn pushes_through(c: &mut Client, mut next: u64, last: u64) -> Vec<Value> {
    let mut got = Vec::new();
    while next <= last {
        let p = c.next_push().await;
        assert_eq!(ev(&p), next, "pushes arrive in log order without gaps: {p}");
        next += 1;
        got.push(p);
    }
    got
}

/// The ordering rule: a deletion and a message racing from two connections are ordered by the
/// server's commit, and every session of the user ends in the state the server has.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_racing_a_message_ends_the_same_on_every_session() {
    const ROUNDS: u64 = 50;
    // Per round, alice logs: the setup message, the racing message, the deletion.
    const TOTAL: u64 = ROUNDS * 3;
    let (_dir, srv) = server(true).await;
    let mut deleter = srv.login("alice").await;
    let mut observer = srv.login("alice").await;
    let mut bob = srv.login("bob").await;
    let mut late: Option<(Client, Value)> = None;

    let mut message_first = 0;
    for round in 0..ROUNDS {
        bob.send("alice", &format!("p{round}"), "setup").await;
        let racing_id = format!("r{round}");
        let delete = deleter.delete("C2Cbob");
        let send = bob.send("alice", &racing_id, "racing");
        let (deleted, sent) = if round == ROUNDS / 2 {
            // Midway, a session also logs in, resuming from the start, in the thick of it.
            let (d, s, l) = tokio::join!(delete, send, srv.login_resume("alice", 0));
            late = Some(l);
            (d, s)
        } else {
            tokio::join!(delete, send)
        };
        assert_eq!(deleted["kind"], "conversationDeleted", "{deleted}");
        let cleared = deleted["value"]["clearedSeq"].as_u64().expect("clearedSeq");
        let seq = sent["seq"].as_u64().expect("seq");
        assert!(cleared == seq || cleared == seq - 1, "{cleared} vs {seq}");
        if cleared == seq {
            message_first += 1;
        }
    }
    eprintln!("message committed first in {message_first} of {ROUNDS} rounds");

    // The observer got every event of alice's, in log order.
    let pushes = pushes_through(&mut observer, 1, TOTAL).await;
    let mut seen_by_observer = ConvModel::default();
    pushes.iter().for_each(|p| seen_by_observer.apply(p));

    // The session that logged in midway: its missed events, then live pushes, is the whole log
    // once, in order (nothing fell between registering and reading the log).
    let (mut late, login) = late.expect("late session");
    let missed = login["missed"].as_array().cloned().unwrap_or_default();
    let resumed_through = missed.len() as u64;
    assert_eq!(
        ev_list(&login["missed"]),
        (1..=resumed_through).collect::<Vec<_>>()
    );
    let mut seen_late = ConvModel::default();
    for e in &missed {
        let mut frame = e.clone();
        frame["t"] = json!("push");
        seen_late.apply(&frame);
    }
    for p in pushes_through(&mut late, resumed_through + 1, TOTAL).await {
        seen_late.apply(&p);
    }

    // The deleter: its own deletions as replies, bob's messages as pushes, as they came.
    while deleter.seen.iter().filter(|f| f["t"] == "push").count() < (ROUNDS * 2) as usize {
        deleter.next_push().await;
    }
    let mut seen_by_deleter = ConvModel::default();
    deleter.seen.iter().for_each(|f| seen_by_deleter.apply(f));

    // A session reconnecting from nothing replays the same log.
    let (_, replay) = srv.login_resume_all("alice", 0).await;
    assert_eq!(replay["latestEvent"], TOTAL);
    let replayed: Vec<Value> = replay["missed"].as_array().cloned().unwrap_or_default();
    assert_eq!(replayed.len() as u64, TOTAL);
    for (logged, pushed) in replayed.iter().zip(&pushes) {
        assert_eq!(logged["ev"], pushed["ev"]);
        assert_eq!(logged["kind"], pushed["kind"]);
        assert_eq!(logged["value"], pushed["value"]);
    }

    let truth = server_view(&mut observer).await;
    assert_eq!(seen_by_observer.visible(), truth, "observer");
    assert_eq!(seen_late.visible(), truth, "late session");
    assert_eq!(seen_by_deleter.visible(), truth, "deleter");
    // Bob's side is untouched by alice's deletions.
    assert_eq!(
        texts(&bob.messages("C2Calice", 100).await).len() as u64,
        ROUNDS * 2
    );
    srv.stop().await;
}
