//! The data the server sends about messages and conversations, as the receiving user sees it.

use serde::{Deserialize, Serialize};

/// What a message carries. Tagged so that new kinds (custom, group tips) can be added later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum WireBody {
    Text {
        text: String,
    },
    /// A group system notice, in the user's `@TIM#SYSTEM` conversation.
    #[serde(rename_all = "camelCase")]
    GroupNotice {
        /// One of [`notice`]'s values (Tencent's `operationType`).
        operation_type: u32,
        #[serde(rename = "groupID")]
        group_id: String,
        group_name: String,
        #[serde(rename = "operatorID")]
        operator_id: String,
    },
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
}

/// A group, as `getGroupProfile` / `getGroupList` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}
