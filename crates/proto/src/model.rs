//! The data the server sends about messages and conversations, as the receiving user sees it.

use serde::{Deserialize, Serialize};

/// What a message carries. On the wire (and in the server's database) it is one object tagged by
/// `type`: `{"type":"text","text":"hi"}`. It is read and written through the flat [`BodyRepr`]:
/// serde's own internally tagged form buffers the object first, which costs the SDK wasm size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BodyRepr", into = "BodyRepr")]
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
    /// An image message: an upload of `POST /v1/files?kind=image` (docs/protocol.md "Files").
    /// A sender names only `fileID`; the server fills the rest from what it stored.
    /// Not in the SDK build yet (its size ceiling): there it reads as a text stand-in.
    #[cfg(not(target_arch = "wasm32"))]
    Image {
        file_id: String,
        /// Tencent's `imageFormat` ([`image_format`]).
        image_format: u32,
        size: u64,
        width: u32,
        height: u32,
    },
    /// A file message: an upload of `POST /v1/files?kind=file`. A sender names only `fileID`.
    #[cfg(not(target_arch = "wasm32"))]
    File {
        file_id: String,
        file_name: String,
        size: u64,
    },
}

/// [`WireBody`]'s JSON: the tag and every kind's fields, in the order they are written.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BodyRepr {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    operation_type: Option<u32>,
    #[serde(rename = "groupID", default, skip_serializing_if = "Option::is_none")]
    group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group_name: Option<String>,
    #[serde(
        rename = "operatorID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    operator_id: Option<String>,
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(rename = "fileID", default, skip_serializing_if = "Option::is_none")]
    file_id: Option<String>,
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file_name: Option<String>,
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file_size: Option<u64>,
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    image_format: Option<u32>,
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    width: Option<u32>,
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    height: Option<u32>,
}

#[cfg(not(target_arch = "wasm32"))]
impl BodyRepr {
    fn of_kind(kind: &str) -> BodyRepr {
        BodyRepr {
            kind: kind.into(),
            text: None,
            operation_type: None,
            group_id: None,
            group_name: None,
            operator_id: None,
            #[cfg(not(target_arch = "wasm32"))]
            file_id: None,
            #[cfg(not(target_arch = "wasm32"))]
            file_name: None,
            #[cfg(not(target_arch = "wasm32"))]
            file_size: None,
            #[cfg(not(target_arch = "wasm32"))]
            image_format: None,
            #[cfg(not(target_arch = "wasm32"))]
            width: None,
            #[cfg(not(target_arch = "wasm32"))]
            height: None,
        }
    }
}

impl TryFrom<BodyRepr> for WireBody {
    type Error = &'static str;

    fn try_from(r: BodyRepr) -> Result<WireBody, &'static str> {
        match r.kind.as_str() {
            "text" => Ok(WireBody::Text {
                text: r.text.ok_or("missing field `text`")?,
            }),
            "groupNotice" => Ok(WireBody::GroupNotice {
                operation_type: r.operation_type.ok_or("missing field `operationType`")?,
                group_id: r.group_id.ok_or("missing field `groupID`")?,
                group_name: r.group_name.ok_or("missing field `groupName`")?,
                operator_id: r.operator_id.ok_or("missing field `operatorID`")?,
            }),
            #[cfg(not(target_arch = "wasm32"))]
            "image" => Ok(WireBody::Image {
                file_id: r.file_id.ok_or("missing field `fileID`")?,
                image_format: r.image_format.unwrap_or(image_format::UNKNOWN),
                size: r.file_size.unwrap_or(0),
                width: r.width.unwrap_or(0),
                height: r.height.unwrap_or(0),
            }),
            #[cfg(not(target_arch = "wasm32"))]
            "file" => Ok(WireBody::File {
                file_id: r.file_id.ok_or("missing field `fileID`")?,
                file_name: r.file_name.unwrap_or_default(),
                size: r.file_size.unwrap_or(0),
            }),
            // The SDK build's stand-ins until it shapes image and file payloads: an app that knows
            // only text messages still shows something when a peer sends one.
            #[cfg(target_arch = "wasm32")]
            "image" => Ok(WireBody::Text {
                text: "[Image]".into(),
            }),
            #[cfg(target_arch = "wasm32")]
            "file" => Ok(WireBody::Text {
                text: "[File]".into(),
            }),
            _ => Err("unknown message body type"),
        }
    }
}

impl From<WireBody> for BodyRepr {
    fn from(b: WireBody) -> BodyRepr {
        match b {
            WireBody::Text { text } => BodyRepr {
                kind: "text".into(),
                text: Some(text),
                operation_type: None,
                group_id: None,
                group_name: None,
                operator_id: None,
                #[cfg(not(target_arch = "wasm32"))]
                file_id: None,
                #[cfg(not(target_arch = "wasm32"))]
                file_name: None,
                #[cfg(not(target_arch = "wasm32"))]
                file_size: None,
                #[cfg(not(target_arch = "wasm32"))]
                image_format: None,
                #[cfg(not(target_arch = "wasm32"))]
                width: None,
                #[cfg(not(target_arch = "wasm32"))]
                height: None,
            },
            WireBody::GroupNotice {
                operation_type,
                group_id,
                group_name,
                operator_id,
            } => BodyRepr {
                kind: "groupNotice".into(),
                text: None,
                operation_type: Some(operation_type),
                group_id: Some(group_id),
                group_name: Some(group_name),
                operator_id: Some(operator_id),
                #[cfg(not(target_arch = "wasm32"))]
                file_id: None,
                #[cfg(not(target_arch = "wasm32"))]
                file_name: None,
                #[cfg(not(target_arch = "wasm32"))]
                file_size: None,
                #[cfg(not(target_arch = "wasm32"))]
                image_format: None,
                #[cfg(not(target_arch = "wasm32"))]
                width: None,
                #[cfg(not(target_arch = "wasm32"))]
                height: None,
            },
            #[cfg(not(target_arch = "wasm32"))]
            WireBody::Image {
                file_id,
                image_format,
                size,
                width,
                height,
            } => BodyRepr {
                file_id: Some(file_id),
                image_format: Some(image_format),
                file_size: Some(size),
                width: Some(width),
                height: Some(height),
                ..BodyRepr::of_kind("image")
            },
            #[cfg(not(target_arch = "wasm32"))]
            WireBody::File {
                file_id,
                file_name,
                size,
            } => BodyRepr {
                file_id: Some(file_id),
                file_name: Some(file_name),
                file_size: Some(size),
                ..BodyRepr::of_kind("file")
            },
        }
    }
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
    /// (see bench/findings/sdk.md). The SDK does not read it yet: within issue 16's size
    /// ceiling its Group shape keeps the fields it had (the server sends them all the same).
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(default)]
    pub profile: Vec<String>,
}

#[cfg(not(target_arch = "wasm32"))]
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
