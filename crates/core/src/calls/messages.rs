//! revokeMessage, modifyMessage and deleteMessage: each takes message objects as the SDK gave
//! them (only their `ID` and `conversationID` matter, and modifyMessage's `payload.text`).

use super::{expect_done, unexpected, Data, Finish, Finished, Prepared};
use crate::args;
use crate::error::SdkError;
use crate::shapes::Message;
use crate::state::ConversationState;
use serde_json::Value;
use tim_proto::limits::MAX_DELETE_MESSAGES;
use tim_proto::model::WireBody;
use tim_proto::{Reply, Request};

pub(super) fn prepare(name: &str, arg: &Value) -> Option<Result<Prepared, SdkError>> {
    let p = match name {
        // Revoking twice answers the same: safe to resend after a reconnect.
        "revokeMessage" => message_ref(arg).map(|(conversation_id, id)| {
            let request = Request::EditMessage {
                conversation_id,
                id,
                body: None,
            };
            Prepared::new(request, Finish::Message).idempotent()
        }),
        "modifyMessage" => message_ref(arg).and_then(|(conversation_id, id)| {
            let text = arg
                .get("payload")
                .and_then(|p| p.get("text"))
                .and_then(Value::as_str)
                .ok_or_else(|| SdkError::invalid("modifyMessage needs a text message"))?;
            args::check_text(text)?;
            let body = WireBody::Text {
                text: text.to_owned(),
            };
            let request = Request::EditMessage {
                conversation_id,
                id,
                body: Some(body),
            };
            Ok(Prepared::new(request, Finish::Message).idempotent())
        }),
        "deleteMessage" => delete(arg),
        _ => return None,
    };
    Some(p)
}

/// A message object's `(conversationID, ID)`.
fn message_ref(m: &Value) -> Result<(String, String), SdkError> {
    // Checked as a conversation ID, sent as given (a valid ID prints as itself).
    let conversation_id = m.get("conversationID").unwrap_or(&Value::Null);
    args::conversation_id(conversation_id)?;
    let conversation_id = conversation_id.as_str().unwrap_or_default().to_owned();
    let id = m
        .get("ID")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| SdkError::invalid("needs a message (with its ID)"))?;
    Ok((conversation_id, id.to_owned()))
}

/// `deleteMessage([messages])`: 1 to 30 messages of one conversation.
fn delete(arg: &Value) -> Result<Prepared, SdkError> {
    let list = arg
        .as_array()
        .filter(|l| (1..=MAX_DELETE_MESSAGES).contains(&l.len()))
        .ok_or_else(|| {
            SdkError::invalid(format!(
                "deleteMessage needs an array of 1 to {MAX_DELETE_MESSAGES} messages"
            ))
        })?;
    let mut conversation = String::new();
    let mut ids = Vec::with_capacity(list.len());
    for m in list {
        let (conversation_id, id) = message_ref(m)?;
        if !conversation.is_empty() && conversation != conversation_id {
            return Err(SdkError::invalid(
                "deleteMessage's messages must be of one conversation",
            ));
        }
        conversation = conversation_id;
        ids.push(id);
    }
    let request = Request::DeleteMessages {
        conversation_id: conversation,
        ids,
    };
    // Hiding twice is fine.
    Ok(Prepared::new(request, Finish::Deleted).idempotent())
}

/// `{ message }`: the message as the server stored it now.
pub(super) fn finish_message(
    reply: Reply,
    state: &ConversationState,
) -> Result<Finished, SdkError> {
    match reply {
        Reply::Sent { message } => Ok(Finished::data(Data::Message(Message::from_wire(
            &message,
            state.me(),
        )))),
        other => Err(unexpected(&other)),
    }
}

/// `{ messageList }`: the messages deleted, as given.
pub(super) fn finish_deleted(reply: Reply) -> Result<Finished, SdkError> {
    expect_done(&reply)?;
    Ok(Finished::data(Data::Given("messageList")))
}
