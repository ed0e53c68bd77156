//! Helpers for the group tests: group requests, pushes summed up as short strings, and a
//! snapshot of everything a user can see, to prove that a refused request changed nothing.

use super::{Client, TestServer};
use serde_json::{json, Value};

/// The `value` of a successful answer; panics with the frame otherwise.
pub async fn ok(c: &mut Client, op: &str, args: Value) -> Value {
    let r = c.request(op, Some(args)).await;
    assert_eq!(r["t"], "reply", "{op} should succeed: {r}");
    r["value"].clone()
}

/// createGroup; returns the group.
pub async fn create(c: &mut Client, args: Value) -> Value {
    let v = ok(c, "createGroup", args).await;
    v["group"].clone()
}

/// A Private group `id` owned by `c` with `members`.
pub async fn private_group(c: &mut Client, id: &str, members: &[&str]) -> Value {
    create(
        c,
        json!({"groupID": id, "name": "Team", "type": "Private", "memberList": members}),
    )
    .await
}

/// sendMessage to `GROUP<group>`, raw answer.
pub async fn group_send_raw(c: &mut Client, group: &str, id: &str, text: &str) -> Value {
    c.request(
        "sendMessage",
        Some(json!({
            "conversationID": format!("GROUP{group}"),
            "ID": id,
            "body": {"type": "text", "text": text}
        })),
    )
    .await
}

/// sendMessage to `GROUP<group>`; returns the stored message.
pub async fn group_send(c: &mut Client, group: &str, id: &str, text: &str) -> Value {
    let r = group_send_raw(c, group, id, text).await;
    assert_eq!(r["kind"], "sent", "{r}");
    r["value"]["message"].clone()
}

/// Group IDs of getGroupList.
pub async fn group_ids(c: &mut Client) -> Vec<String> {
    let r = c.request("getGroupList", None).await;
    assert_eq!(r["kind"], "groupList", "{r}");
    r["value"]["groups"]
        .as_array()
        .map(|gs| {
            gs.iter()
                .map(|g| g["groupID"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Every push the session was sent so far: a ping's answer comes after all of them (the server
/// sends queued pushes before it reads the next request).
pub async fn pushes(c: &mut Client) -> Vec<Value> {
    let pong = c.request("ping", None).await;
    assert_eq!(pong["kind"], "pong", "{pong}");
    c.pushes.drain(..).collect()
}

/// [`pushes`], each summed up by [`summary`].
pub async fn push_summaries(c: &mut Client) -> Vec<String> {
    pushes(c).await.iter().map(summary).collect()
}

/// A push in a few words: `GROUPg1 alice: hi`, `@TIM#SYSTEM notice 7 g1 by alice`,
/// `deleted GROUPg1`, `groupsChanged`.
pub fn summary(p: &Value) -> String {
    let kind = p["kind"].as_str().unwrap_or_default();
    match kind {
        "message" => message_summary(&p["value"]["message"]),
        "conversationDeleted" => format!(
            "deleted {}",
            p["value"]["conversationID"].as_str().unwrap_or_default()
        ),
        other => {
            if other == "groupsChanged" {
                assert!(p.get("ev").is_none(), "groupsChanged is not logged: {p}");
            }
            other.to_owned()
        }
    }
}

/// A message in a few words (see [`summary`]).
pub fn message_summary(m: &Value) -> String {
    let conv = m["conversationID"].as_str().unwrap_or_default();
    let body = &m["body"];
    match body["type"].as_str() {
        Some("text") => format!(
            "{conv} {}: {}",
            m["from"].as_str().unwrap_or_default(),
            body["text"].as_str().unwrap_or_default()
        ),
        Some("groupNotice") => format!(
            "{conv} notice {} {} by {}",
            body["operationType"],
            body["groupID"].as_str().unwrap_or_default(),
            body["operatorID"].as_str().unwrap_or_default()
        ),
        _ => format!("{conv} {body}"),
    }
}

/// Summaries of a messageList value, oldest first.
pub fn history(list: &Value) -> Vec<String> {
    list["messages"]
        .as_array()
        .map(|ms| ms.iter().map(message_summary).collect())
        .unwrap_or_default()
}

/// `(conversationID, unreadCount)` of a user's list, in list order.
pub async fn list(c: &mut Client) -> Vec<(String, u64)> {
    c.conversations()
        .await
        .iter()
        .map(|e| {
            (
                e["conversationID"].as_str().unwrap_or_default().to_owned(),
                e["unreadCount"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect()
}

/// Everything `c` can see that a group request could change: its group list, the profile of
/// each of `groups` (or the error), its conversation list, and the history of each group's
/// conversation and of `@TIM#SYSTEM`.
pub async fn snapshot(c: &mut Client, groups: &[&str]) -> Value {
    let group_list = c.request("getGroupList", None).await["value"].clone();
    let mut profiles = Vec::new();
    let mut histories = Vec::new();
    for g in groups {
        let p = c
            .request("getGroupProfile", Some(json!({"groupID": g})))
            .await;
        profiles.push(json!([p["kind"], p["code"], p["value"]]));
        histories.push(c.messages(&format!("GROUP{g}"), 100).await);
    }
    histories.push(c.messages("@TIM#SYSTEM", 100).await);
    json!({
        "groups": group_list,
        "profiles": profiles,
        "conversations": c.conversations().await,
        "histories": histories,
    })
}

/// Logs in each user (one session each).
pub async fn logins<const N: usize>(srv: &TestServer, users: [&str; N]) -> [Client; N] {
    let mut out = Vec::with_capacity(N);
    for u in users {
        out.push(srv.login(u).await);
    }
    match out.try_into() {
        Ok(clients) => clients,
        Err(_) => unreachable!("N clients were made"),
    }
}
