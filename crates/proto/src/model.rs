//! The data the server sends about messages and conversations, as the receiving user sees it.

use serde::{Deserialize, Serialize};

/// What a message carries. On the wire (and in the server's database) it is one object tagged by
/// `type`: `{"type":"text","text":"hi"}`. It is written by hand, field by field (a flat struct of
/// every kind's optional fields, built and then serialized, cost the SDK about 2 KB more wasm),
/// and read by hand from the JSON value (the SDK's reader of JS values as `serde_json::Value` is
/// linked anyway; serde's internally tagged form, or a derived reader of the flat struct, costs
/// the SDK wasm size: about 200 bytes raw per field).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "serde_json::Value")]
pub enum WireBody {
    Text {
        text: String,
    },
    /// A group system notice, in the user's `@TIM#SYSTEM` conversation.
    GroupNotice {
        /// One of [`notice`]'s values (Tencent's `operationType`).
        operation_type: u32,
        group_id: String,
        group_name: String,
        operator_id: String,
    },
    /// A group text message that @-mentions members (createTextAtMessage): user IDs or
    /// [`AT_ALL`]. Written as a text body with `atUserList`.
    AtText {
        text: String,
        at_user_list: Vec<String>,
    },
    /// A custom message (Tencent's TIMCustomElem): three app-defined strings, stored and
    /// delivered like text; together at most `limits::MAX_TEXT_BYTES`.
    Custom {
        data: String,
        description: String,
        extension: String,
    },
    /// An image message: an upload of `POST /v1/files?kind=image` (docs/protocol.md "Files").
    /// A sender names only `fileID`; the server fills the rest from what it stored.
    Image {
        file_id: String,
        /// Tencent's `imageFormat` ([`image_format`]).
        image_format: u32,
        size: u64,
        width: u32,
        height: u32,
    },
    /// A file message: an upload of `POST /v1/files?kind=file`. A sender names only `fileID`.
    File {
        file_id: String,
        file_name: String,
        size: u64,
    },
}

/// The tag, then the kind's fields, in this order (the server's stored JSON keeps it).
impl Serialize for WireBody {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("WireBody", 6)?;
        match self {
            WireBody::Text { text } => {
                s.serialize_field("type", "text")?;
                s.serialize_field("text", text)?;
            }
            WireBody::GroupNotice {
                operation_type,
                group_id,
                group_name,
                operator_id,
            } => {
                s.serialize_field("type", "groupNotice")?;
                s.serialize_field("operationType", operation_type)?;
                s.serialize_field("groupID", group_id)?;
                s.serialize_field("groupName", group_name)?;
                s.serialize_field("operatorID", operator_id)?;
            }
            WireBody::AtText { text, at_user_list } => {
                s.serialize_field("type", "text")?;
                s.serialize_field("text", text)?;
                s.serialize_field("atUserList", at_user_list)?;
            }
            WireBody::Custom {
                data,
                description,
                extension,
            } => {
                s.serialize_field("type", "custom")?;
                s.serialize_field("data", data)?;
                s.serialize_field("description", description)?;
                s.serialize_field("extension", extension)?;
            }
            WireBody::Image {
                file_id,
                image_format,
                size,
                width,
                height,
            } => {
                s.serialize_field("type", "image")?;
                s.serialize_field("fileID", file_id)?;
                s.serialize_field("fileSize", size)?;
                s.serialize_field("imageFormat", image_format)?;
                s.serialize_field("width", width)?;
                s.serialize_field("height", height)?;
            }
            WireBody::File {
                file_id,
                file_name,
                size,
            } => {
                s.serialize_field("type", "file")?;
                s.serialize_field("fileID", file_id)?;
                s.serialize_field("fileName", file_name)?;
                s.serialize_field("fileSize", size)?;
            }
        }
        s.end()
    }
}

/// `v[key]` as a string, `None` if absent or not one.
fn string(v: &serde_json::Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
}

/// `v[key]` as a string that may be left out ('' then); an error when it is something else.
fn optional_string(v: &serde_json::Value, key: &str) -> Result<String, &'static str> {
    match v.get(key) {
        None | Some(serde_json::Value::Null) => Ok(String::new()),
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(_) => Err("a message's strings must be strings"),
    }
}

/// A JSON list of strings (user IDs); `None` if it is not one. A plain loop: the iterator
/// adapters' monomorphs cost the SDK more.
pub fn string_list(v: &serde_json::Value) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for s in v.as_array()? {
        out.push(s.as_str()?.to_owned());
    }
    Some(out)
}

/// `v[key]` as a number, `None` if absent or not one that fits.
fn number<T: TryFrom<u64>>(v: &serde_json::Value, key: &str) -> Option<T> {
    v.get(key)
        .and_then(serde_json::Value::as_u64)
        .and_then(|n| T::try_from(n).ok())
}

impl TryFrom<serde_json::Value> for WireBody {
    type Error = &'static str;

    fn try_from(v: serde_json::Value) -> Result<WireBody, &'static str> {
        let kind = v
            .get("type")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        WireBody::read(kind, &v)
    }
}

impl WireBody {
    /// The body of `kind` (the JSON's `type`) with `v`'s fields. The SDK reads text and custom
    /// payloads with it too: their fields are the body's.
    pub fn read(kind: &str, v: &serde_json::Value) -> Result<WireBody, &'static str> {
        let text = || string(v, "text").ok_or("missing field `text`");
        match kind {
            "text" => Ok(match v.get("atUserList") {
                None | Some(serde_json::Value::Null) => WireBody::Text { text: text()? },
                Some(list) => WireBody::AtText {
                    text: text()?,
                    at_user_list: string_list(list)
                        .ok_or("atUserList must be a list of strings")?,
                },
            }),
            "groupNotice" => Ok(WireBody::GroupNotice {
                operation_type: v
                    .get("operationType")
                    .and_then(serde_json::Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or("missing field `operationType`")?,
                group_id: string(v, "groupID").ok_or("missing field `groupID`")?,
                group_name: string(v, "groupName").ok_or("missing field `groupName`")?,
                operator_id: string(v, "operatorID").ok_or("missing field `operatorID`")?,
            }),
            // A string left out reads as empty, as Tencent's custom elements do.
            "custom" => Ok(WireBody::Custom {
                data: optional_string(v, "data")?,
                description: optional_string(v, "description")?,
                extension: optional_string(v, "extension")?,
            }),
            "image" => Ok(WireBody::Image {
                file_id: string(v, "fileID").ok_or("missing field `fileID`")?,
                image_format: number(v, "imageFormat").unwrap_or(image_format::UNKNOWN),
                size: number(v, "fileSize").unwrap_or(0),
                width: number(v, "width").unwrap_or(0),
                height: number(v, "height").unwrap_or(0),
            }),
            "file" => Ok(WireBody::File {
                file_id: string(v, "fileID").ok_or("missing field `fileID`")?,
                file_name: optional_string(v, "fileName")?,
                size: number(v, "fileSize").unwrap_or(0),
            }),
            _ => Err("unknown message body type"),
        }
    }
}

/// The `atUserList` entry that mentions every member (Tencent's `TIM.TYPES.MSG_AT_ALL`, its
/// spelling included).
pub const AT_ALL: &str = "__kImSDK_MesssageAtALL__";

/// How a group message @-mentions a user: Tencent's `TIM.TYPES.CONV_AT_ME / CONV_AT_ALL /
/// CONV_AT_ALL_AT_ME`, the `atTypeArray` entries of a conversation's `groupAtInfoList`.
pub mod at_type {
    pub const AT_ME: u64 = 1;
    pub const AT_ALL: u64 = 2;
    pub const AT_ALL_AT_ME: u64 = 3;
}

impl WireBody {
    /// How this message @-mentions `user` (one of [`at_type`]'s values), `None` when it does
    /// not: the user's ID in the `atUserList`, [`AT_ALL`] there, or both.
    pub fn at_type_for(&self, user: &str) -> Option<u64> {
        let WireBody::AtText { at_user_list, .. } = self else {
            return None;
        };
        let (mut me, mut all) = (false, false);
        for id in at_user_list {
            me |= id == user;
            all |= id == AT_ALL;
        }
        match (me, all) {
            (true, true) => Some(at_type::AT_ALL_AT_ME),
            (true, false) => Some(at_type::AT_ME),
            (false, true) => Some(at_type::AT_ALL),
            (false, false) => None,
        }
    }
}

/// A decimal number of `WireConversation::at_info`; 0 for anything else. A loop of its own:
/// `str::parse` costs the SDK more.
pub fn at_info_number(s: &str) -> u64 {
    let mut n: u64 = 0;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return 0;
        }
        n = n.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    n
}

/// Tencent's `imageFormat` values (`TIM.TYPES.IMAGE_FORMAT_*`); WebP has none of its own.
pub mod image_format {
    pub const JPG: u32 = 1;
    pub const GIF: u32 = 2;
    pub const PNG: u32 = 3;
    pub const BMP: u32 = 4;
    pub const UNKNOWN: u32 = 255;

    /// The format of an allowed image type (`limits::IMAGE_TYPES`).
    pub fn of(content_type: &str) -> u32 {
        match content_type {
            "image/jpeg" => JPG,
            "image/gif" => GIF,
            "image/png" => PNG,
            "image/bmp" => BMP,
            _ => UNKNOWN,
        }
    }
}

/// Tencent's group system notice `operationType` values that this server sends.
pub mod notice {
    /// You were removed from the group.
    pub const KICKED: u32 = 4;
    /// The group was dismissed.
    pub const DISMISSED: u32 = 5;
    /// You created the group.
    pub const CREATED: u32 = 6;
    /// You were added to the group.
    pub const INVITED: u32 = 7;
    /// You quit the group.
    pub const QUIT: u32 = 8;
    /// You were made an admin (setGroupMemberRole).
    pub const SET_ADMIN: u32 = 9;
    /// You are an admin no more (setGroupMemberRole).
    pub const CANCELED_ADMIN: u32 = 10;
}

/// A group, as `getGroupProfile` / `getGroupList` show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireGroup {
    #[serde(rename = "groupID")]
    pub group_id: String,
    pub name: String,
    /// `Private`, `Public` or `ChatRoom` (TIM.TYPES.GRP_*).
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "ownerID")]
    pub owner_id: String,
    pub member_count: u32,
    pub create_time: i64,
    /// False once the user quit, was removed, or the group was dismissed (its conversation may
    /// still be in the user's list until deleted).
    #[serde(default)]
    pub is_member: bool,
    #[serde(default)]
    pub dismissed: bool,
    /// The viewer's role and updateGroupProfile's fields, by position (`group_profile::P_*`;
    /// `muteAllMembers` is `"1"` or empty). A list of strings, not fields: the SDK reads
    /// groups in several places, and each field would cost it code in every one of them
    /// (see bench/findings/sdk.md).
    #[serde(default)]
    pub profile: Vec<String>,
}

impl WireGroup {
    /// The profile string at `i` (`group_profile::P_*`), empty when absent.
    pub fn profile_at(&self, i: usize) -> String {
        self.profile.get(i).cloned().unwrap_or_default()
    }
}

/// A stored message, from the point of view of the user it is sent to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireMessage {
    /// Message ID: made by the sending client, unique within its conversation.
    pub id: String,
    /// The conversation as the receiving user names it (`C2C<the other user>`).
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    pub from: String,
    /// The recipient: a userID for C2C, a groupID for a group, the user for a system notice.
    pub to: String,
    /// Position in the conversation, from 1, assigned by the server.
    pub seq: u64,
    /// Server time of acceptance, unix seconds.
    pub time: i64,
    pub body: WireBody,
    /// The sender's nick and avatar as they were when the message was sent (stored with it);
    /// absent on the wire when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub nick: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub avatar: String,
    /// Revoked by its sender (revokeMessage) or an admin; absent on the wire when false.
    #[serde(
        rename = "isRevoked",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub revoked: bool,
    /// Sent with `needReadReceipt: true` (createTextMessage's option): readers may
    /// sendMessageReadReceipt for it. Absent on the wire when false.
    #[serde(
        rename = "needReadReceipt",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub need_read_receipt: bool,
    /// With `needReadReceipt`: how many of the parties it was sent to (the group's members at
    /// the send, the sender left out; the peer in C2C) sent a read receipt for it, and how many
    /// did not yet. Absent when 0.
    #[serde(rename = "readCount", default, skip_serializing_if = "is_zero")]
    pub read_count: u32,
    #[serde(rename = "unreadCount", default, skip_serializing_if = "is_zero")]
    pub unread_count: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One entry of a user's conversation list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireConversation {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    pub unread_count: u32,
    /// The newest message this user can still see, if any.
    pub last_message: Option<WireMessage>,
    /// Unix seconds of the last change that put this entry where it is in the list.
    pub update_time: i64,
    /// For `GROUP<id>` conversations: the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<WireGroup>,
    /// For `C2C<id>` conversations: the peer's nick and avatar now (read with the list; absent
    /// when empty). Flat fields, not an object: one more struct would cost the SDK its own
    /// deserializer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub peer_nick: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub peer_avatar: String,
    /// Pinned to the top of the list (pinConversation); a deletion unpins.
    #[serde(rename = "isPinned", default, skip_serializing_if = "is_false")]
    pub pinned: bool,
    /// The user's setMessageRemindType for it (`remind`'s strings); empty (absent) is the
    /// default, `AcceptAndNotify`. Kept apart from the list row, so a deletion keeps it.
    #[serde(
        rename = "messageRemindType",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub remind_type: String,
    /// For `GROUP<id>` conversations: the unread messages from others that @-mention the user
    /// (Tencent's `groupAtInfoList`), oldest first, as flat pairs `seq, at_type` ([`at_type`]'s
    /// values) in decimal: `["5", "1", "7", "2"]`; empty (absent) when none. The server derives
    /// it from the unread messages (`limits::MAX_AT_INFO_SCAN` of them at most); the SDK adds the
    /// ones it receives, and a read clears it. Strings, not numbers or objects: the SDK reads
    /// and writes lists of strings anyway, and a list of numbers or one more struct would cost
    /// it deserializers of their own (bench/findings/sdk.md).
    #[serde(rename = "atInfo", default, skip_serializing_if = "Vec::is_empty")]
    pub at_info: Vec<String>,
    /// The SDK's setConversationDraft text for it: local to the tab, never on the wire nor in
    /// the cache (Tencent's web SDK keeps drafts in memory only). Here and not in a map of its
    /// own: the SDK pays for each map type it holds.
    #[serde(skip)]
    pub draft_text: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_keep_their_tagged_json() {
        let text = WireBody::Text { text: "hi".into() };
        assert_eq!(
            serde_json::to_string(&text).expect("encode"),
            r#"{"type":"text","text":"hi"}"#
        );
        let notice = WireBody::GroupNotice {
            operation_type: notice::INVITED,
            group_id: "g1".into(),
            group_name: "G".into(),
            operator_id: "alice".into(),
        };
        assert_eq!(
            serde_json::to_string(&notice).expect("encode"),
            r#"{"type":"groupNotice","operationType":7,"groupID":"g1","groupName":"G","operatorID":"alice"}"#
        );
        let image = WireBody::Image {
            file_id: "f1".into(),
            image_format: image_format::PNG,
            size: 10,
            width: 2,
            height: 3,
        };
        assert_eq!(
            serde_json::to_string(&image).expect("encode"),
            r#"{"type":"image","fileID":"f1","fileSize":10,"imageFormat":3,"width":2,"height":3}"#
        );
        let file = WireBody::File {
            file_id: "f2".into(),
            file_name: "a.pdf".into(),
            size: 7,
        };
        assert_eq!(
            serde_json::to_string(&file).expect("encode"),
            r#"{"type":"file","fileID":"f2","fileName":"a.pdf","fileSize":7}"#
        );
        let custom = WireBody::Custom {
            data: "d".into(),
            description: "".into(),
            extension: "e".into(),
        };
        assert_eq!(
            serde_json::to_string(&custom).expect("encode"),
            r#"{"type":"custom","data":"d","description":"","extension":"e"}"#
        );
        let at = WireBody::AtText {
            text: "@b".into(),
            at_user_list: vec!["b".into(), AT_ALL.into()],
        };
        let at_json = serde_json::to_string(&at).expect("encode");
        assert_eq!(
            at_json,
            r#"{"type":"text","text":"@b","atUserList":["b","__kImSDK_MesssageAtALL__"]}"#
        );
        assert_eq!(
            serde_json::from_str::<WireBody>(&at_json).ok(),
            Some(at.clone())
        );
        assert_eq!(at.at_type_for("b"), Some(at_type::AT_ALL_AT_ME));
        assert_eq!(at.at_type_for("c"), Some(at_type::AT_ALL));
        let only_b = WireBody::AtText {
            text: "@b".into(),
            at_user_list: vec!["b".into()],
        };
        assert_eq!(only_b.at_type_for("b"), Some(at_type::AT_ME));
        assert_eq!(only_b.at_type_for("c"), None);
        assert_eq!(WireBody::Text { text: "b".into() }.at_type_for("b"), None);
        assert_eq!(at_info_number("1234567890123"), 1_234_567_890_123);
        assert_eq!(at_info_number(&u64::MAX.to_string()), u64::MAX);
        assert_eq!(at_info_number("1x"), 0);
        let partial: WireBody =
            serde_json::from_value(json!({"type":"custom","data":"d"})).expect("decode");
        assert_eq!(
            partial,
            WireBody::Custom {
                data: "d".into(),
                description: String::new(),
                extension: String::new()
            }
        );
        // A sender names the upload only; the server fills in the rest.
        let sent: WireBody =
            serde_json::from_value(json!({"type":"image","fileID":"f1"})).expect("decode");
        assert!(matches!(
            sent,
            WireBody::Image {
                size: 0,
                width: 0,
                ..
            }
        ));
        for b in [text, notice, image, file] {
            let back: WireBody =
                serde_json::from_str(&serde_json::to_string(&b).expect("encode")).expect("decode");
            assert_eq!(back, b);
        }
        for bad in [
            json!({"type":"text"}),
            json!({"type":"image","text":"x"}),
            json!({"type":"file","fileName":"x"}),
            json!({"type":"video","fileID":"x"}),
            json!({"text":"x"}),
            json!({"type":"groupNotice","groupID":"g"}),
        ] {
            assert!(serde_json::from_value::<WireBody>(bad).is_err());
        }
    }
}
