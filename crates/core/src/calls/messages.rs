//! revokeMessage, modifyMessage, deleteMessage, sendMessageReadReceipt and
//! getMessageReadReceiptList: each takes message objects as the SDK gave them, sent to the
//! server as they are (only their `ID` and `conversationID` matter, and modifyMessage's
//! `payload.text`: `tim_proto::message_ref`).

use super::{expect_done, unexpected, Data, Finish, Finished, Local, Prepared};
use crate::error::SdkError;
use crate::shapes::Message;
use crate::state::ConversationState;
use serde_json::Value;
use tim_proto::Reply;

pub(super) fn prepare(name: &str, arg: &Value) -> Option<Result<Prepared, SdkError>> {
    let finish = match name {
        "revokeMessage" | "modifyMessage" => Finish::Message,
        // The server checks the list; once it agrees, the mentions of those messages go from
        // the conversation's groupAtInfoList here (the server's list leaves them out too).
        "deleteMessage" => {
            let list = arg.as_array().map_or(&[][..], Vec::as_slice);
            let id = list
                .first()
                .and_then(|m| m.get("conversationID")?.as_str())
                .unwrap_or("");
            Finish::Deleted(Some(Local::Unmention(
                id.to_owned(),
                list.iter()
                    .filter_map(|m| m.get("sequence")?.as_u64())
                    .collect(),
            )))
        }
        "sendMessageReadReceipt" => Finish::Deleted(None),
        "getMessageReadReceiptList" => Finish::ReceiptList,
        _ => return None,
    };
    // The message objects go as the app gave them; the server reads and checks them. Revoking,
    // modifying to the same text, hiding and a receipt are each the same done twice (a
    // reader's receipt counts once): safe to resend.
    Some(Ok(Prepared::options(finish).idempotent()))
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
            &state.links,
        )))),
        other => Err(unexpected(&other)),
    }
}

/// `{ messageList }`: the messages deleted (or read: sendMessageReadReceipt), as given.
pub(super) fn finish_deleted(reply: Reply, local: Option<Local>) -> Result<Finished, SdkError> {
    expect_done(&reply)?;
    let mut done = Finished::data(Data::Given("messageList"));
    done.local = local;
    Ok(done)
}

/// `{ messageList }`: the messages with their receipt counts as the server has them now.
pub(super) fn finish_receipt_list(
    reply: Reply,
    state: &ConversationState,
) -> Result<Finished, SdkError> {
    match reply {
        Reply::MessageList { messages, .. } => Ok(Finished::data(Data::MessageList(
            messages
                .iter()
                .map(|m| Message::from_wire(m, state.me(), &state.links))
                .collect(),
        ))),
        other => Err(unexpected(&other)),
    }
}
