//! setAllMessageRead.

use super::{expect_done, Data, Finish, Finished, Prepared};
use crate::args;
use crate::error::SdkError;
use crate::state::ConversationState;
use crate::tab_note::TabNote;
use serde_json::Value;
use tim_proto::frame::ReadScope;
use tim_proto::{Reply, Request};

pub(super) fn prepare(name: &str, arg: &Value) -> Option<Result<Prepared, SdkError>> {
    let p = match name {
        "setAllMessageRead" => args::read_all_scope(arg).map(|scope| {
            Prepared::new(Request::SetAllMessageRead { scope }, Finish::ReadAll(scope)).idempotent()
        }),
        _ => return None,
    };
    Some(p)
}

/// Every listed conversation of the scope with unread messages is read now, here and in the
/// other tabs (the server told the user's other sessions).
pub(super) fn finish_read_all(
    reply: Reply,
    scope: ReadScope,
    state: &ConversationState,
) -> Result<Finished, SdkError> {
    expect_done(&reply)?;
    let notes = state
        .unread_in(scope)
        .into_iter()
        .map(|conversation_id| TabNote::Read { conversation_id })
        .collect();
    Ok(Finished {
        data: Data::Empty {},
        persist: false,
        groups: None,
        notes,
        local: None,
    })
}
