//! The documented Message shape.

use super::conversation_type;
use crate::constants::types;
use crate::json::{write_object, ToJson};
use crate::json::{Json, Object};
use serde::{Deserialize, Serialize};
use tim_proto::decode::Obj;
use tim_proto::model::{notice, WireBody};
use tim_proto::WireMessage;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextPayload {
    pub text: String,
}

/// `payload` of a TIMGroupSystemNoticeElem message, as the documented SDK shapes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoticePayload {
    pub group_profile: NoticeGroup,
    pub operation_type: u32,
    #[serde(rename = "operatorID")]
    pub operator_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeGroup {
    #[serde(rename = "groupID")]
    pub group_id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Payload {
    Text(TextPayload),
    Notice(NoticePayload),
}

impl Payload {
    pub fn from_wire(body: &WireBody) -> (Payload, &'static str) {
        match body {
            WireBody::Text { text } => (
                Payload::Text(TextPayload { text: text.clone() }),
                types::MSG_TEXT,
            ),
            WireBody::GroupNotice {
                operation_type,
                group_id,
                group_name,
                operator_id,
            } => (
                Payload::Notice(NoticePayload {
                    operation_type: *operation_type,
                    group_profile: NoticeGroup {
                        group_id: group_id.clone(),
                        name: group_name.clone(),
                    },
                    operator_id: operator_id.clone(),
                }),
                types::MSG_GRP_SYS_NOTICE,
            ),
        }
    }

    /// Untagged, as derived: a text payload if it has a string `text`, else a notice.
    fn from_json(v: serde_json::Value) -> Option<Payload> {
        let mut o = Obj::new(v)?;
        if let Some(serde_json::Value::String(text)) = o.take("text") {
            return Some(Payload::Text(TextPayload { text }));
        }
        let mut g = o.obj("groupProfile")?;
        Some(Payload::Notice(NoticePayload {
            operation_type: o.u32("operationType")?,
            group_profile: NoticeGroup {
                group_id: g.string("groupID")?,
                name: g.string("name")?,
            },
            operator_id: o.string("operatorID")?,
        }))
    }

    /// The one-line text a conversation list shows for it (`messageForShow`).
    pub fn for_show(&self) -> String {
        match self {
            Payload::Text(t) => t.text.clone(),
            Payload::Notice(n) => {
                let g = &n.group_profile.group_id;
                match n.operation_type {
                    notice::KICKED => format!("You were removed from group {g}"),
                    notice::DISMISSED => format!("Group {g} was dismissed"),
                    notice::CREATED => format!("You created group {g}"),
                    notice::INVITED => format!("You were added to group {g}"),
                    notice::QUIT => format!("You left group {g}"),
                    _ => format!("Group {g} notice"),
                }
            }
        }
    }
}

/// What sendMessage needs of the message object it is given.
#[derive(Debug, Clone, PartialEq)]
pub struct Sendable {
    pub id: String,
    pub to: String,
    pub conversation_type: String,
    /// The text, for a text message.
    pub text: Option<String>,
}

/// The fields of the Message shape and their JSON types, in sorted order.
const MESSAGE_FIELDS: &[(&str, u8)] = &[
    ("ID", STR),
    ("avatar", STR),
    ("clientTime", I64),
    ("cloudCustomData", STR),
    ("conversationID", STR),
    ("conversationType", STR),
    ("flow", STR),
    ("from", STR),
    ("isPeerRead", BOOL),
    ("isRead", BOOL),
    ("isRevoked", BOOL),
    ("nick", STR),
    ("priority", STR),
    ("sequence", U64),
    ("status", STR),
    ("time", I64),
    ("to", STR),
    ("type", STR),
];
const STR: u8 = 0;
const I64: u8 = 1;
const U64: u8 = 2;
const BOOL: u8 = 3;

impl Sendable {
    /// Accepts exactly the objects [`Message::from_json`] reads (every field of the shape, each
    /// of its type, and a valid payload), checked field by field from one table.
    pub fn from_json(v: &serde_json::Value) -> Option<Sendable> {
        let o = v.as_object()?;
        for (key, kind) in MESSAGE_FIELDS {
            let f = o.get(*key)?;
            let ok = match *kind {
                STR => f.is_string(),
                I64 => f.is_i64(),
                U64 => f.is_u64(),
                _ => f.is_boolean(),
            };
            if !ok {
                return None;
            }
        }
        // The payload as `Payload::from_json` reads it: a string `text`, else a notice.
        let payload = o.get("payload")?;
        let text = match payload.get("text") {
            Some(serde_json::Value::String(text)) => Some(text.clone()),
            _ => {
                let group = payload.get("groupProfile")?;
                let fits_u32 =
                    |v: &serde_json::Value| v.as_u64().is_some_and(|n| n <= u32::MAX.into());
                let ok = payload.is_object()
                    && group.is_object()
                    && payload.get("operationType").is_some_and(fits_u32)
                    && payload.get("operatorID").is_some_and(|v| v.is_string())
                    && group.get("groupID").is_some_and(|v| v.is_string())
                    && group.get("name").is_some_and(|v| v.is_string());
                if !ok {
                    return None;
                }
                None
            }
        };
        let string = |key: &str| o.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        Some(Sendable {
            id: string("ID")?,
            to: string("to")?,
            conversation_type: string("conversationType")?,
            text,
        })
    }
}

/// A message as `tim.createTextMessage` returns it and events carry it. Fields are declared in
/// sorted order of their JSON names, the order JS has always seen them in (see `crate::json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    #[serde(rename = "ID")]
    pub id: String,
    pub avatar: String,
    pub client_time: i64,
    pub cloud_custom_data: String,
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    pub conversation_type: String,
    /// `in` or `out`, from the point of view of the logged-in user.
    pub flow: String,
    pub from: String,
    pub is_peer_read: bool,
    pub is_read: bool,
    pub is_revoked: bool,
    pub nick: String,
    pub payload: Payload,
    pub priority: String,
    pub sequence: u64,
    /// `unSend`, `success` or `fail`.
    pub status: String,
    /// Server time (unix seconds); the client time until the server accepted it.
    pub time: i64,
    /// userID (C2C) or groupID (GROUP).
    pub to: String,
    #[serde(rename = "type")]
    pub kind: String,
}

impl Message {
    /// A text message not yet sent (what createTextMessage returns); `conversation_type` is
    /// `C2C` (to a userID) or `GROUP` (to a groupID).
    pub fn new_text(
        id: String,
        from: &str,
        to: &str,
        conversation_type: &str,
        text: String,
        now: i64,
    ) -> Message {
        Message {
            id,
            kind: types::MSG_TEXT.to_owned(),
            payload: Payload::Text(TextPayload { text }),
            conversation_id: format!("{conversation_type}{to}"),
            conversation_type: conversation_type.to_owned(),
            to: to.to_owned(),
            from: from.to_owned(),
            flow: "out".to_owned(),
            time: now,
            client_time: now,
            sequence: 0,
            status: "unSend".to_owned(),
            is_read: true,
            is_revoked: false,
            is_peer_read: false,
            nick: String::new(),
            avatar: String::new(),
            priority: "Normal".to_owned(),
            cloud_custom_data: String::new(),
        }
    }

    /// A stored message as user `me` sees it.
    pub fn from_wire(w: &WireMessage, me: &str) -> Message {
        let (payload, kind) = Payload::from_wire(&w.body);
        let outgoing = w.from == me;
        Message {
            id: w.id.clone(),
            kind: kind.to_owned(),
            payload,
            conversation_id: w.conversation_id.clone(),
            conversation_type: conversation_type(&w.conversation_id).to_owned(),
            to: w.to.clone(),
            from: w.from.clone(),
            flow: if outgoing { "out" } else { "in" }.to_owned(),
            time: w.time,
            client_time: w.time,
            sequence: w.seq,
            status: "success".to_owned(),
            is_read: outgoing,
            is_revoked: false,
            is_peer_read: false,
            nick: String::new(),
            avatar: String::new(),
            priority: "Normal".to_owned(),
            cloud_custom_data: String::new(),
        }
    }

    /// Reads a message back from JSON by hand (what sendMessage is given), reading exactly what
    /// the derived `Deserialize` reads; `None` when it would refuse it.
    pub fn from_json(v: serde_json::Value) -> Option<Message> {
        let mut o = Obj::new(v)?;
        Some(Message {
            id: o.string("ID")?,
            kind: o.string("type")?,
            payload: Payload::from_json(o.take("payload")?)?,
            conversation_id: o.string("conversationID")?,
            conversation_type: o.string("conversationType")?,
            to: o.string("to")?,
            from: o.string("from")?,
            flow: o.string("flow")?,
            time: o.i64("time")?,
            client_time: o.i64("clientTime")?,
            sequence: o.u64("sequence")?,
            status: o.string("status")?,
            is_read: o.bool("isRead")?,
            is_revoked: o.bool("isRevoked")?,
            is_peer_read: o.bool("isPeerRead")?,
            nick: o.string("nick")?,
            avatar: o.string("avatar")?,
            priority: o.string("priority")?,
            cloud_custom_data: o.string("cloudCustomData")?,
        })
    }

    /// The JSON createTextMessage returns: its fields in the order it has always listed them
    /// (elsewhere, e.g. in events and lists, a message's fields come in sorted order).
    pub fn created_json(&self) -> Json {
        Object::new()
            .field("ID", &self.id)
            .field("type", &self.kind)
            .field("payload", &self.payload)
            .field("conversationID", &self.conversation_id)
            .field("conversationType", &self.conversation_type)
            .field("to", &self.to)
            .field("from", &self.from)
            .field("flow", &self.flow)
            .field("time", &self.time)
            .field("clientTime", &self.client_time)
            .field("sequence", &self.sequence)
            .field("status", &self.status)
            .field("isRead", &self.is_read)
            .field("isRevoked", &self.is_revoked)
            .field("isPeerRead", &self.is_peer_read)
            .field("nick", &self.nick)
            .field("avatar", &self.avatar)
            .field("priority", &self.priority)
            .field("cloudCustomData", &self.cloud_custom_data)
            .end()
    }

    /// The text, for a text message.
    pub fn text(&self) -> Option<&str> {
        match &self.payload {
            Payload::Text(t) => Some(&t.text),
            Payload::Notice(_) => None,
        }
    }
}

impl ToJson for Payload {
    fn write_json(&self, out: &mut String) {
        write_object(out, |o| match self {
            Payload::Text(t) => {
                o.f("text", &t.text);
            }
            Payload::Notice(n) => {
                o.f("groupProfile", &n.group_profile)
                    .f("operationType", &n.operation_type)
                    .f("operatorID", &n.operator_id);
            }
        });
    }
}

impl ToJson for NoticeGroup {
    fn write_json(&self, out: &mut String) {
        write_object(out, |o| {
            o.f("groupID", &self.group_id).f("name", &self.name);
        });
    }
}

impl ToJson for Message {
    /// Fields in sorted order, as its derived `Serialize` writes them.
    fn write_json(&self, out: &mut String) {
        write_object(out, |o| {
            o.f("ID", &self.id)
                .f("avatar", &self.avatar)
                .f("clientTime", &self.client_time)
                .f("cloudCustomData", &self.cloud_custom_data)
                .f("conversationID", &self.conversation_id)
                .f("conversationType", &self.conversation_type)
                .f("flow", &self.flow)
                .f("from", &self.from)
                .f("isPeerRead", &self.is_peer_read)
                .f("isRead", &self.is_read)
                .f("isRevoked", &self.is_revoked)
                .f("nick", &self.nick)
                .f("payload", &self.payload)
                .f("priority", &self.priority)
                .f("sequence", &self.sequence)
                .f("status", &self.status)
                .f("time", &self.time)
                .f("to", &self.to)
                .f("type", &self.kind);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wire(from: &str, to: &str, conv: &str, body: WireBody) -> WireMessage {
        WireMessage {
            id: "m1".into(),
            conversation_id: conv.into(),
            from: from.into(),
            to: to.into(),
            seq: 4,
            time: 1_700_000_000,
            body,
        }
    }

    fn text(t: &str) -> WireBody {
        WireBody::Text { text: t.into() }
    }

    #[test]
    fn message_has_documented_field_names_and_flow() {
        let m = Message::from_wire(&wire("bob", "alice", "C2Cbob", text("hi")), "alice");
        let v = serde_json::to_value(&m).expect("encode");
        assert_eq!(v["ID"], "m1");
        assert_eq!(v["type"], "TIMTextElem");
        assert_eq!(v["payload"], json!({"text": "hi"}));
        assert_eq!(v["conversationID"], "C2Cbob");
        assert_eq!(v["conversationType"], "C2C");
        assert_eq!(v["flow"], "in");
        assert_eq!(v["sequence"], 4);
        assert_eq!(v["status"], "success");
        assert_eq!(v["isRead"], false);
        let mine = Message::from_wire(&wire("alice", "bob", "C2Cbob", text("hi")), "alice");
        assert_eq!(mine.flow, "out");
    }

    #[test]
    fn group_and_notice_messages() {
        let g = Message::from_wire(&wire("bob", "g1", "GROUPg1", text("yo")), "alice");
        assert_eq!(
            (g.conversation_type.as_str(), g.to.as_str()),
            ("GROUP", "g1")
        );
        let n = Message::from_wire(
            &wire(
                "@TIM#SYSTEM",
                "alice",
                "@TIM#SYSTEM",
                WireBody::GroupNotice {
                    operation_type: notice::DISMISSED,
                    group_id: "g1".into(),
                    group_name: "G".into(),
                    operator_id: "bob".into(),
                },
            ),
            "alice",
        );
        let v = serde_json::to_value(&n).expect("encode");
        assert_eq!(v["type"], "TIMGroupSystemNoticeElem");
        assert_eq!(v["conversationType"], "@TIM#SYSTEM");
        assert_eq!(v["payload"]["operationType"], 5);
        assert_eq!(v["payload"]["groupProfile"]["groupID"], "g1");
        assert_eq!(v["payload"]["operatorID"], "bob");
        assert_eq!(n.payload.for_show(), "Group g1 was dismissed");
    }

    #[test]
    fn a_created_message_round_trips_through_json() {
        let m = Message::new_text("id1".into(), "alice", "bob", "C2C", "yo".into(), 10);
        let back: Message =
            serde_json::from_value(serde_json::to_value(&m).expect("encode")).expect("decode");
        assert_eq!(back, m);
        assert_eq!(m.status, "unSend");
        assert_eq!(m.conversation_id, "C2Cbob");
        let g = Message::new_text("id2".into(), "alice", "g1", "GROUP", "yo".into(), 10);
        assert_eq!(g.conversation_id, "GROUPg1");
        assert_eq!(g.text(), Some("yo"));
    }

    /// Alice's system notice that bob removed her from g1.
    fn kicked_notice() -> Message {
        Message::from_wire(
            &wire(
                "@TIM#SYSTEM",
                "alice",
                "@TIM#SYSTEM",
                WireBody::GroupNotice {
                    operation_type: notice::KICKED,
                    group_id: "g1".into(),
                    group_name: "G".into(),
                    operator_id: "bob".into(),
                },
            ),
            "alice",
        )
    }

    #[test]
    fn fields_serialize_in_sorted_order_and_created_json_keeps_its_own() {
        let m = Message::new_text("id1".into(), "alice", "bob", "C2C", "yo".into(), 10);
        let n = kicked_notice();
        for m in [&m, &n] {
            let sorted = serde_json::to_value(m).expect("encode").to_string();
            assert_eq!(serde_json::to_string(m).expect("encode"), sorted);
            assert_eq!(crate::json::to_json(m).0, sorted, "written by hand");
        }
        let keys: Vec<String> = m
            .created_json()
            .0
            .split(',')
            .filter_map(|kv| kv.trim_start_matches('{').split(':').next())
            .map(|k| k.trim_matches('"').to_owned())
            .collect();
        assert_eq!(
            keys,
            [
                "ID",
                "type",
                "payload",
                "conversationID",
                "conversationType",
                "to",
                "from",
                "flow",
                "time",
                "clientTime",
                "sequence",
                "status",
                "isRead",
                "isRevoked",
                "isPeerRead",
                "nick",
                "avatar",
                "priority",
                "cloudCustomData"
            ]
        );
        assert_eq!(
            m.created_json().value(),
            serde_json::to_value(&m).expect("encode")
        );
    }

    #[test]
    fn reading_by_hand_agrees_with_the_derived_deserialize() {
        let m = Message::new_text("id1".into(), "alice", "bob", "C2C", "yo".into(), 10);
        let v = serde_json::to_value(&m).expect("encode");
        let notice = kicked_notice();
        let mut cases = vec![v.clone(), serde_json::to_value(&notice).expect("encode")];
        for (k, bad) in [
            ("ID", json!(1)),
            ("payload", json!({"text": 1})),
            ("payload", json!({"text": "a", "extra": 1})),
            (
                "payload",
                json!({"operationType": 4, "groupProfile": {"groupID": "g"},
                "operatorID": "x"}),
            ),
            (
                "payload",
                json!({"operationType": 4, "groupProfile": {"groupID": "g",
                "name": "n"}, "operatorID": "x"}),
            ),
            ("payload", json!(null)),
            ("sequence", json!(-1)),
            ("time", json!(1.5)),
            ("isRead", json!("yes")),
            ("extra", json!("ignored")),
        ] {
            let mut c = v.clone();
            c[k] = bad;
            cases.push(c);
        }
        let mut missing = v.clone();
        missing.as_object_mut().map(|o| o.remove("status"));
        cases.extend([missing, json!(null), json!("x"), json!([])]);
        for c in cases {
            let derived = serde_json::from_value::<Message>(c.clone()).ok();
            assert_eq!(Message::from_json(c.clone()), derived, "{c}");
            let sendable = derived.map(|m| Sendable {
                text: m.text().map(str::to_owned),
                id: m.id,
                to: m.to,
                conversation_type: m.conversation_type,
            });
            assert_eq!(Sendable::from_json(&c), sendable, "{c}");
        }
    }
}
