//! The documented JS shapes, built from wire data for one user: `Message`, `Conversation`, `Group`.
//!
//! Their fields are declared in sorted order of their JSON names: they are serialized straight
//! to JSON text, and that is the order JS saw them in when they went through `serde_json::Value`
//! maps (sorted) before.

mod conversation;
mod message;

pub use conversation::{Conversation, GroupProfile, LastMessage, UserProfile};
pub use message::{
    CustomPayload, FilePayload, ImageInfo, ImagePayload, Message, NoticePayload, Payload,
    ReadReceiptInfo, Sendable, TextPayload,
};
pub use tim_proto::group_shape::Group;

use crate::constants::types;

/// The documented conversation type of a conversation ID (`C2C`, `GROUP`, `@TIM#SYSTEM`).
pub fn conversation_type(conversation_id: &str) -> &'static str {
    if conversation_id == types::CONV_SYSTEM {
        types::CONV_SYSTEM
    } else if conversation_id.starts_with(types::CONV_GROUP) {
        types::CONV_GROUP
    } else {
        types::CONV_C2C
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_follow_the_id_prefix() {
        assert_eq!(conversation_type("C2Cbob"), "C2C");
        assert_eq!(conversation_type("GROUPg1"), "GROUP");
        assert_eq!(conversation_type("@TIM#SYSTEM"), "@TIM#SYSTEM");
    }
}
