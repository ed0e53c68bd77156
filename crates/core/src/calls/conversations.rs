//! pinConversation.

use super::{expect_done, Data, Finish, Finished, Local, Prepared};
use crate::args;
use crate::error::SdkError;
use serde_json::Value;
use tim_proto::{Reply, Request};

pub(super) fn prepare(name: &str, arg: &Value) -> Option<Result<Prepared, SdkError>> {
    let p = match name {
        "pinConversation" => pin(arg),
        _ => return None,
    };
    Some(p)
}

/// `{ conversationID, isPinned: boolean }`; setting what is already set is fine (and idempotent).
fn pin(arg: &Value) -> Result<Prepared, SdkError> {
    let conversation_id = args::conversation_id_field(arg)?.to_string();
    let pinned = arg
        .get("isPinned")
        .and_then(Value::as_bool)
        .ok_or_else(|| {
            SdkError::invalid("pinConversation needs { conversationID, isPinned: boolean }")
        })?;
    let finish = Finish::Pinned(conversation_id.clone(), pinned);
    let request = Request::PinConversation {
        conversation_id,
        pinned,
    };
    Ok(Prepared::new(request, finish).idempotent())
}

/// The pin shows here at once; the server's push brings it to the other tabs and sessions.
pub(super) fn finish_pinned(
    reply: Reply,
    conversation_id: String,
    pinned: bool,
) -> Result<Finished, SdkError> {
    expect_done(&reply)?;
    Ok(Finished {
        local: Some(Local::Pinned(conversation_id.clone(), pinned)),
        notes: Vec::new(),
        data: Data::ConversationId { conversation_id },
    })
}
