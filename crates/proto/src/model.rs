//! The data the server sends about messages and conversations, as the receiving user sees it.

use serde::{Deserialize, Serialize};

/// What a message carries. Tagged so that new kinds (custom, group tips) can be added later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum WireBody {
    Text { text: String },
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
    /// The recipient: a userID for C2C.
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
}
