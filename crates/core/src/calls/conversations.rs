//! getConversationProfile, setMessageRead, clearHistoryMessage, pinConversation. A server that
//! does not know the conversation (2500) makes the SDK forget its local entry (see
//! [`super::Prepared::on_error`]).

use super::{expect_done, unexpected, Data, Finish, Finished, Local, Prepared};
use crate::args;
use crate::error::SdkError;
use crate::shapes::Conversation;
use crate::state::ConversationState;
use crate::tab_note::TabNote;
use serde_json::Value;
use tim_proto::{Reply, Request};

pub(super) fn prepare(name: &str, arg: &Value) -> Option<Result<Prepared, SdkError>> {
    let p = match name {
        "getConversationProfile" => args::conversation_id(arg).map(|id| {
            let conversation_id = id.to_string();
            let finish = Finish::Profile(conversation_id.clone());
            Prepared::new(Request::GetConversation { conversation_id }, finish).idempotent()
        }),
        "setMessageRead" => args::conversation_id_field(arg).map(|id| {
            let conversation_id = id.to_string();
            let finish = Finish::Read(conversation_id.clone());
            Prepared::new(Request::SetMessageRead { conversation_id }, finish).idempotent()
        }),
        "clearHistoryMessage" => args::conversation_id(arg).map(|id| {
            let conversation_id = id.to_string();
            let finish = Finish::Cleared(conversation_id.clone());
            Prepared::new(Request::ClearHistory { conversation_id }, finish)
        }),
        "pinConversation" => pin(arg),
        "setConversationDraft" => draft(arg),
        _ => return None,
    };
    Some(p)
}

/// `{ conversation }`, which also refreshes (or adds) the local entry.
pub(super) fn finish_profile(
    reply: Reply,
    state: &ConversationState,
) -> Result<Finished, SdkError> {
    let Reply::Conversation { mut conversation } = reply else {
        return Err(unexpected(&reply));
    };
    // The server's view, with this tab's draft.
    conversation.draft_text = state.draft_text(&conversation.conversation_id);
    Ok(Finished {
        data: Data::Conversation {
            conversation: Conversation::from_wire(&conversation, &state.links),
        },
        notes: Vec::new(),
        local: Some(Local::Upsert(Box::new(conversation))),
        persist: false,
        groups: None,
    })
}

/// Read here and in the other tabs (the server tells the user's other sessions).
pub(super) fn finish_read(reply: Reply, conversation_id: String) -> Result<Finished, SdkError> {
    expect_done(&reply)?;
    Ok(Finished {
        data: Data::Empty {},
        notes: vec![TabNote::Read { conversation_id }],
        local: None,
        persist: false,
        groups: None,
    })
}

/// `{ conversationID }`; the history up to the server's mark is gone here and in the other
/// tabs, and the cache is written before the call resolves (a reload must not show it again).
pub(super) fn finish_cleared(reply: Reply, conversation_id: String) -> Result<Finished, SdkError> {
    let Reply::HistoryCleared { cleared_seq, .. } = reply else {
        return Err(unexpected(&reply));
    };
    Ok(Finished {
        notes: vec![TabNote::HistoryCleared {
            conversation_id: conversation_id.clone(),
            cleared_seq,
        }],
        data: Data::ConversationId { conversation_id },
        local: None,
        persist: true,
        groups: None,
    })
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
        persist: false,
        groups: None,
    })
}

/// `{ conversationID, draftText }`: local only (Tencent's web SDK never sends drafts), so no
/// request; an empty text clears the draft.
fn draft(arg: &Value) -> Result<Prepared, SdkError> {
    let conversation_id = args::conversation_id_field(arg)?.to_string();
    let Some(Value::String(text)) = arg.get("draftText") else {
        return Err(SdkError::invalid(
            "setConversationDraft needs { conversationID, draftText: string }",
        ));
    };
    Ok(Prepared::local(Finish::Draft(
        conversation_id,
        text.clone(),
    )))
}

/// `{ conversationID }` for a conversation of the list (2500 otherwise, nothing set).
pub(super) fn finish_draft(
    conversation_id: String,
    text: String,
    state: &ConversationState,
) -> Result<Finished, SdkError> {
    if !state.contains(&conversation_id) {
        return Err(SdkError::new(
            tim_proto::ErrorCode::ConversationNotFound,
            "no such conversation in the list",
        ));
    }
    Ok(Finished {
        local: Some(Local::Draft(conversation_id.clone(), text)),
        notes: Vec::new(),
        data: Data::ConversationId { conversation_id },
        persist: false,
        groups: None,
    })
}
