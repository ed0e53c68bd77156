//! The documented Message shape.

use super::conversation_type;
use crate::constants::types;
use crate::files::FileLinks;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tim_proto::model::{notice, WireBody};
use tim_proto::WireMessage;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextPayload {
    pub text: String,
    /// Who an @ message (createTextAtMessage) mentions: user IDs or `TIM.TYPES.MSG_AT_ALL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_user_list: Option<Vec<String>>,
}

/// `payload` of a TIMCustomElem message (createCustomMessage).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomPayload {
    pub data: String,
    pub description: String,
    pub extension: String,
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

/// `payload` of a TIMImageElem message (createImageMessage), as the documented SDK shapes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImagePayload {
    /// Tencent's `imageFormat` (`tim_proto::model::image_format`).
    pub image_format: u32,
    /// Original, big and thumbnail (`type` 0, 1, 2): the same bytes here. Empty until uploaded.
    pub image_info_array: Vec<ImageInfo>,
    /// The upload's fileID.
    pub uuid: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageInfo {
    pub height: u32,
    pub size: u64,
    #[serde(rename = "type")]
    pub kind: u32,
    pub url: String,
    pub width: u32,
}

/// `payload` of a TIMFileElem message (createFileMessage).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilePayload {
    /// 2: it can be downloaded (Tencent's value).
    pub download_flag: u32,
    pub file_name: String,
    pub file_size: u64,
    /// Empty until uploaded.
    pub file_url: String,
    pub uuid: String,
}

/// Written untagged (the payload object itself); read by hand from the JSON value (the SDK's
/// reader of JS values as `serde_json::Value` is linked anyway: a derived reader of a struct
/// with every kind's fields costs the SDK about 200 bytes raw per field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[serde(try_from = "serde_json::Value")]
pub enum Payload {
    Text(TextPayload),
    Custom(CustomPayload),
    Notice(NoticePayload),
    Image(ImagePayload),
    File(FilePayload),
}

/// `v[key]` as a string; `None` when absent or not one.
fn string_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A payload as read: a text payload if it has a string `text` (and maybe `atUserList`), a
/// custom one if it has a string `data`, both read as the body they are; an image (with
/// `imageInfoArray`) or file payload if it has a string `uuid`; else a notice.
impl TryFrom<Value> for Payload {
    type Error = &'static str;

    fn try_from(v: Value) -> Result<Payload, &'static str> {
        Payload::read(&v)
    }
}

impl Payload {
    pub fn read(v: &Value) -> Result<Payload, &'static str> {
        for (key, kind) in [("text", "text"), ("data", "custom")] {
            if v.get(key).is_some_and(Value::is_string) {
                return Ok(Payload::from_wire(&WireBody::read(kind, v)?, &FileLinks::default()).0);
            }
        }
        // Sending needs the upload only (the server fills in the rest); a file's name and size
        // stay for the app to show.
        if let Some(uuid) = string_field(v, "uuid") {
            let body = if v.get("imageInfoArray").is_some() {
                WireBody::Image {
                    file_id: uuid,
                    image_format: tim_proto::model::image_format::UNKNOWN,
                    size: 0,
                    width: 0,
                    height: 0,
                }
            } else {
                WireBody::File {
                    file_id: uuid,
                    file_name: string_field(v, "fileName").unwrap_or_default(),
                    size: v.get("fileSize").and_then(Value::as_u64).unwrap_or(0),
                }
            };
            return Ok(Payload::from_wire(&body, &FileLinks::default()).0);
        }
        let group = v.get("groupProfile").unwrap_or(&Value::Null);
        match (
            string_field(group, "groupID"),
            string_field(group, "name"),
            v.get("operationType")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok()),
            string_field(v, "operatorID"),
        ) {
            (Some(group_id), Some(name), Some(operation_type), Some(operator_id)) => {
                Ok(Payload::Notice(NoticePayload {
                    group_profile: NoticeGroup { group_id, name },
                    operation_type,
                    operator_id,
                }))
            }
            _ => Err(
                "a payload needs a string `text` or `data`, or groupProfile, operationType and \
                 operatorID",
            ),
        }
    }
}

impl Payload {
    /// The payload of `body`, its file links made by `links`.
    pub fn from_wire(body: &WireBody, links: &FileLinks) -> (Payload, &'static str) {
        match body {
            WireBody::Text { text } => (
                Payload::Text(TextPayload {
                    text: text.clone(),
                    at_user_list: None,
                }),
                types::MSG_TEXT,
            ),
            WireBody::AtText { text, at_user_list } => (
                Payload::Text(TextPayload {
                    text: text.clone(),
                    at_user_list: Some(at_user_list.clone()),
                }),
                types::MSG_TEXT,
            ),
            WireBody::Custom {
                data,
                description,
                extension,
            } => (
                Payload::Custom(CustomPayload {
                    data: data.clone(),
                    description: description.clone(),
                    extension: extension.clone(),
                }),
                types::MSG_CUSTOM,
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
            WireBody::Image {
                file_id,
                image_format,
                size,
                width,
                height,
            } => {
                let url = links.url(file_id);
                let mut image_info_array = Vec::new();
                if !url.is_empty() {
                    for kind in 0..3 {
                        image_info_array.push(ImageInfo {
                            kind,
                            url: url.clone(),
                            size: *size,
                            width: *width,
                            height: *height,
                        });
                    }
                }
                (
                    Payload::Image(ImagePayload {
                        uuid: file_id.clone(),
                        image_format: *image_format,
                        image_info_array,
                    }),
                    types::MSG_IMAGE,
                )
            }
            WireBody::File {
                file_id,
                file_name,
                size,
            } => (
                Payload::File(FilePayload {
                    uuid: file_id.clone(),
                    file_name: file_name.clone(),
                    file_size: *size,
                    file_url: links.url(file_id),
                    download_flag: 2,
                }),
                types::MSG_FILE,
            ),
        }
    }

    /// The body it is sent as: none for a notice (the server makes those).
    pub fn to_wire(&self) -> Option<WireBody> {
        Some(match self {
            Payload::Text(t) => match &t.at_user_list {
                Some(at) => WireBody::AtText {
                    text: t.text.clone(),
                    at_user_list: at.clone(),
                },
                None => WireBody::Text {
                    text: t.text.clone(),
                },
            },
            Payload::Custom(c) => WireBody::Custom {
                data: c.data.clone(),
                description: c.description.clone(),
                extension: c.extension.clone(),
            },
            Payload::Image(p) => WireBody::Image {
                file_id: p.uuid.clone(),
                image_format: p.image_format,
                size: 0,
                width: 0,
                height: 0,
            },
            Payload::File(p) => WireBody::File {
                file_id: p.uuid.clone(),
                file_name: p.file_name.clone(),
                size: p.file_size,
            },
            Payload::Notice(_) => return None,
        })
    }

    /// The one-line text a conversation list shows for it (`messageForShow`).
    pub fn for_show(&self) -> String {
        match self {
            Payload::Text(t) => t.text.clone(),
            // Tencent's documented messageForShow of a custom message.
            Payload::Custom(_) => "[Custom Message]".into(),
            Payload::Image(_) => "[Image]".into(),
            Payload::File(_) => "[File]".into(),
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
    /// What it carries; none for a notice, which cannot be sent.
    pub body: Option<WireBody>,
    /// Its `status`: resendMessage sends only a `fail`ed one.
    pub status: String,
    /// Its `needReadReceipt` (false when absent).
    pub need_read_receipt: bool,
}

impl Sendable {
    /// The body to send; resendMessage (`resend`) sends only a message whose send failed,
    /// under its own ID (the server stores an ID once). 2100 otherwise, as for a notice; a text
    /// too long 80002 (the server checks the rest: `rules::check_body`).
    pub fn sendable(&self, resend: bool) -> Result<WireBody, crate::SdkError> {
        if resend && self.status != "fail" {
            return Err(crate::SdkError::invalid(format!(
                "resendMessage takes a message whose send failed (status 'fail'), not '{}'",
                self.status
            )));
        }
        let body = self
            .body
            .clone()
            .ok_or_else(|| crate::SdkError::invalid("system notices cannot be sent"))?;
        if let WireBody::Text { text } | WireBody::AtText { text, .. } = &body {
            tim_proto::rules::check_text(text)?;
        }
        Ok(body)
    }

    /// What sendMessage takes of the message object it was given (as JSON): `None` unless it
    /// is a whole [`Message`], every field there with its type, exactly what the derived
    /// reader of `Message` accepts (tested below). Read by hand: that derived reader was the
    /// SDK's only use of it, about 3.5 KB of wasm.
    pub fn read(v: &Value) -> Option<Sendable> {
        let string = |key| v.get(key).and_then(Value::as_str).map(str::to_owned);
        let typed = MESSAGE_FIELDS.iter().all(|&(key, kind)| {
            v.get(key).is_some_and(|f| match kind {
                FieldKind::Str => f.is_string(),
                FieldKind::Bool => f.is_boolean(),
                FieldKind::Int => f.is_i64(),
                FieldKind::Unsigned => f.is_u64(),
            })
        });
        let need_read_receipt = match v.get("needReadReceipt") {
            None => false,
            Some(f) => f.as_bool()?,
        };
        if !typed {
            return None;
        }
        Some(Sendable {
            need_read_receipt,
            body: Payload::read(v.get("payload")?).ok()?.to_wire(),
            status: string("status")?,
            id: string("ID")?,
            to: string("to")?,
            conversation_type: string("conversationType")?,
        })
    }

    /// What sendMessage takes of a whole [`Message`].
    pub fn from_message(m: Message) -> Sendable {
        Sendable {
            need_read_receipt: m.need_read_receipt,
            body: m.payload.to_wire(),
            status: m.status,
            id: m.id,
            to: m.to,
            conversation_type: m.conversation_type,
        }
    }
}

/// The JSON types of [`Message`]'s fields other than `payload` (read by [`Sendable::read`]).
#[derive(Clone, Copy)]
enum FieldKind {
    Str,
    Bool,
    /// An `i64` (JSON number that is an integer).
    Int,
    /// A `u64`.
    Unsigned,
}

const MESSAGE_FIELDS: [(&str, FieldKind); 18] = [
    ("ID", FieldKind::Str),
    ("avatar", FieldKind::Str),
    ("clientTime", FieldKind::Int),
    ("cloudCustomData", FieldKind::Str),
    ("conversationID", FieldKind::Str),
    ("conversationType", FieldKind::Str),
    ("flow", FieldKind::Str),
    ("from", FieldKind::Str),
    ("isPeerRead", FieldKind::Bool),
    ("isRead", FieldKind::Bool),
    ("isRevoked", FieldKind::Bool),
    ("nick", FieldKind::Str),
    ("priority", FieldKind::Str),
    ("sequence", FieldKind::Unsigned),
    ("status", FieldKind::Str),
    ("time", FieldKind::Int),
    ("to", FieldKind::Str),
    ("type", FieldKind::Str),
];

/// A message's `readReceiptInfo` (Tencent's shape: C2C reads `isPeerRead`, groups the counts).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadReceiptInfo {
    pub is_peer_read: bool,
    pub read_count: u32,
    pub unread_count: u32,
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
    /// Created with `needReadReceipt: true`: readers may sendMessageReadReceipt for it.
    #[serde(default)]
    pub need_read_receipt: bool,
    pub nick: String,
    pub payload: Payload,
    pub priority: String,
    /// The sender's view of the receipts: how many read it, how many not yet, and (C2C)
    /// whether the peer did. Never read back from a message object the app passes.
    #[serde(skip_deserializing)]
    pub read_receipt_info: ReadReceiptInfo,
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
    /// A message not yet sent (what createTextMessage and the other creators return);
    /// `conversation_type` is `C2C` (to a userID) or `GROUP` (to a groupID).
    pub fn new_unsent(
        id: String,
        from: &str,
        to: &str,
        conversation_type: &str,
        body: &WireBody,
        now: i64,
    ) -> Message {
        let (payload, kind) = Payload::from_wire(body, &FileLinks::default());
        Message {
            id,
            kind: kind.to_owned(),
            payload,
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
            need_read_receipt: false,
            read_receipt_info: ReadReceiptInfo::default(),
            nick: String::new(),
            avatar: String::new(),
            priority: "Normal".to_owned(),
            cloud_custom_data: String::new(),
        }
    }

    /// A stored message as user `me` sees it, its file links made by `links`.
    pub fn from_wire(w: &WireMessage, me: &str, links: &FileLinks) -> Message {
        let (payload, kind) = Payload::from_wire(&w.body, links);
        let outgoing = w.from == me;
        let peer_read = outgoing && w.read_count > 0 && w.conversation_id.starts_with("C2C");
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
            is_revoked: w.revoked,
            // A C2C message's one reader is the peer.
            is_peer_read: peer_read,
            need_read_receipt: w.need_read_receipt,
            read_receipt_info: ReadReceiptInfo {
                is_peer_read: peer_read,
                read_count: w.read_count,
                unread_count: w.unread_count,
            },
            nick: w.nick.clone(),
            avatar: w.avatar.clone(),
            priority: "Normal".to_owned(),
            cloud_custom_data: String::new(),
        }
    }

    /// The text, for a text message.
    #[cfg(test)]
    pub fn text(&self) -> Option<&str> {
        match &self.payload {
            Payload::Text(t) => Some(&t.text),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wire(from: &str, to: &str, conv: &str, body: WireBody) -> WireMessage {
        WireMessage {
            seq: 4,
            time: 1_700_000_000,
            body,
            ..crate::fixtures::text_message(conv, from, to)
        }
    }

    fn text(t: &str) -> WireBody {
        WireBody::Text { text: t.into() }
    }

    /// `Sendable::read` accepts exactly the objects the derived reader of `Message` accepts.
    #[test]
    fn sendable_read_accepts_what_message_deserialize_accepts() {
        let at = WireBody::AtText {
            text: "@a".into(),
            at_user_list: vec!["a".into()],
        };
        let custom = WireBody::Custom {
            data: "d".into(),
            description: "s".into(),
            extension: "e".into(),
        };
        let mut cases = Vec::new();
        for body in [text("yo"), at, custom] {
            let m = Message::new_unsent("id1".into(), "a", "b", "C2C", &body, 1);
            let v = serde_json::to_value(&m).expect("encode");
            let Value::Object(fields) = &v else {
                panic!("not an object")
            };
            for (key, _) in fields {
                let mut without = v.clone();
                without.as_object_mut().expect("object").remove(key);
                cases.push(without);
                for other in [
                    json!(null),
                    json!("s"),
                    json!(true),
                    json!(-3),
                    json!(7),
                    json!(1.5),
                    json!(18_446_744_073_709_551_615u64),
                    json!({}),
                    json!([]),
                    json!({"text": 1}),
                ] {
                    let mut changed = v.clone();
                    changed[key] = other;
                    cases.push(changed);
                }
            }
            let mut extra = v.clone();
            extra["extra"] = json!({"any": "thing"});
            cases.push(extra);
            cases.push(v);
        }
        cases.extend([json!(null), json!("m"), json!([]), json!({})]);
        let mut accepted = 0;
        for v in &cases {
            let derived = serde_json::from_value::<Message>(v.clone())
                .ok()
                .map(Sendable::from_message);
            assert_eq!(Sendable::read(v), derived, "{v}");
            accepted += usize::from(derived.is_some());
        }
        assert!(accepted > 3, "{accepted}");
    }

    #[test]
    fn only_failed_messages_are_resent_and_notices_never_sent() {
        let mut m = Message::new_unsent("id1".into(), "a", "b", "C2C", &text("yo"), 1);
        let s = Sendable::from_message(m.clone());
        assert_eq!(s.sendable(false).ok(), Some(text("yo")));
        assert_eq!(s.sendable(true).map_err(|e| e.code.as_u32()), Err(2100));
        m.status = "fail".into();
        assert_eq!(
            Sendable::from_message(m).sendable(true).ok(),
            Some(text("yo"))
        );
        let notice = WireBody::GroupNotice {
            operation_type: notice::INVITED,
            group_id: "g".into(),
            group_name: "G".into(),
            operator_id: "a".into(),
        };
        let n = Message::from_wire(
            &wire("a", "b", "@TIM#SYSTEM", notice),
            "b",
            &FileLinks::default(),
        );
        assert!(Sendable::from_message(n).sendable(false).is_err());
    }

    #[test]
    fn custom_and_at_payloads_have_documented_shapes() {
        let custom = WireBody::Custom {
            data: "d".into(),
            description: "s".into(),
            extension: "e".into(),
        };
        let m = Message::from_wire(
            &wire("b", "a", "C2Cb", custom.clone()),
            "a",
            &FileLinks::default(),
        );
        let v = serde_json::to_value(&m).expect("encode");
        assert_eq!(v["type"], "TIMCustomElem");
        assert_eq!(
            v["payload"],
            json!({"data": "d", "description": "s", "extension": "e"})
        );
        let back: Message = serde_json::from_value(v).expect("decode");
        assert_eq!(back.payload.to_wire(), Some(custom));
        let at = WireBody::AtText {
            text: "@a".into(),
            at_user_list: vec!["a".into()],
        };
        let m = Message::from_wire(
            &wire("b", "a", "GROUPg", at.clone()),
            "a",
            &FileLinks::default(),
        );
        let v = serde_json::to_value(&m).expect("encode");
        assert_eq!(v["type"], "TIMTextElem");
        assert_eq!(v["payload"], json!({"text": "@a", "atUserList": ["a"]}));
        let back: Message = serde_json::from_value(v).expect("decode");
        assert_eq!(back.payload.to_wire(), Some(at));
    }

    #[test]
    fn message_has_documented_field_names_and_flow() {
        let m = Message::from_wire(
            &wire("bob", "alice", "C2Cbob", text("hi")),
            "alice",
            &FileLinks::default(),
        );
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
        let mine = Message::from_wire(
            &wire("alice", "bob", "C2Cbob", text("hi")),
            "alice",
            &FileLinks::default(),
        );
        assert_eq!(mine.flow, "out");
    }

    #[test]
    fn group_and_notice_messages() {
        let g = Message::from_wire(
            &wire("bob", "g1", "GROUPg1", text("yo")),
            "alice",
            &FileLinks::default(),
        );
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
            &FileLinks::default(),
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
        let m = Message::new_unsent("id1".into(), "alice", "bob", "C2C", &text("yo"), 10);
        let back: Message =
            serde_json::from_value(serde_json::to_value(&m).expect("encode")).expect("decode");
        assert_eq!(back, m);
        assert_eq!(m.status, "unSend");
        assert_eq!(m.conversation_id, "C2Cbob");
        let g = Message::new_unsent("id2".into(), "alice", "g1", "GROUP", &text("yo"), 10);
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
            &FileLinks::default(),
        )
    }

    #[test]
    fn image_and_file_payloads_link_to_the_server() {
        let links = FileLinks::new("ws://h:1/ws", "sdkappid=1&userID=a&expires=9&ticket=t");
        let url = "http://h:1/v1/files/f1?sdkappid=1&userID=a&expires=9&ticket=t";
        let image = WireBody::Image {
            file_id: "f1".into(),
            image_format: 3,
            size: 10,
            width: 2,
            height: 3,
        };
        let m = Message::from_wire(&wire("b", "a", "C2Cb", image), "a", &links);
        let v = serde_json::to_value(&m).expect("encode");
        assert_eq!(v["type"], "TIMImageElem");
        let info = |kind| json!({"type": kind, "url": url, "size": 10, "width": 2, "height": 3});
        assert_eq!(
            v["payload"],
            json!({"uuid": "f1", "imageFormat": 3, "imageInfoArray": [info(0), info(1), info(2)]})
        );
        assert_eq!(m.payload.for_show(), "[Image]");
        assert_eq!(serde_json::to_string(&m).expect("encode"), v.to_string());
        let file = WireBody::File {
            file_id: "f1".into(),
            file_name: "a.pdf".into(),
            size: 7,
        };
        let m = Message::from_wire(&wire("b", "a", "C2Cb", file), "a", &links);
        let v = serde_json::to_value(&m).expect("encode");
        assert_eq!(v["type"], "TIMFileElem");
        assert_eq!(
            v["payload"],
            json!({"uuid": "f1", "fileName": "a.pdf", "fileSize": 7, "fileUrl": url, "downloadFlag": 2})
        );
        assert_eq!(serde_json::to_string(&m).expect("encode"), v.to_string());
        // sendMessage of it again reads the upload it names.
        let back = Sendable::read(&v).expect("a whole message");
        assert!(matches!(back.body, Some(WireBody::File { ref file_id, .. }) if file_id == "f1"));
        // Not uploaded yet (a created message): no links, and its upload still to make.
        let unsent = WireBody::Image {
            file_id: String::new(),
            image_format: 255,
            size: 0,
            width: 0,
            height: 0,
        };
        let m = Message::new_unsent("id1".into(), "a", "b", "C2C", &unsent, 1);
        let v = serde_json::to_value(&m).expect("encode");
        assert_eq!(
            v["payload"],
            json!({"uuid": "", "imageFormat": 255, "imageInfoArray": []})
        );
        let s = Sendable::read(&v).expect("a whole message");
        let body = s.sendable(false).expect("sendable");
        assert_eq!(crate::files::pending_upload(&body), Some("image"));
    }

    #[test]
    fn fields_serialize_in_sorted_order() {
        let m = Message::new_unsent("id1".into(), "alice", "bob", "C2C", &text("yo"), 10);
        let n = kicked_notice();
        for m in [&m, &n] {
            let sorted = serde_json::to_value(m).expect("encode").to_string();
            assert_eq!(serde_json::to_string(m).expect("encode"), sorted);
        }
    }

    #[test]
    fn a_message_is_read_whole_or_refused() {
        let m = Message::new_unsent("id1".into(), "alice", "bob", "C2C", &text("yo"), 10);
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
        // Read: the two messages, a text payload with an extra field, a whole notice payload,
        // an extra field; everything else is refused.
        let accepted = [0, 1, 4, 6, 11];
        for (i, c) in cases.into_iter().enumerate() {
            let read = serde_json::from_value::<Message>(c.clone()).ok();
            assert_eq!(read.is_some(), accepted.contains(&i), "{c}");
            if i == 1 {
                assert_eq!(read.clone(), Some(notice.clone()));
            }
            if let Some(m) = read {
                let s = Sendable::from_message(m.clone());
                assert_eq!((s.id, s.to), (m.id.clone(), m.to.clone()));
                assert_eq!(s.body, m.payload.to_wire());
            }
        }
    }
}
