//! The generic request path. Most async calls are the same three steps: check the arguments and
//! say which request to send, send it, and turn the answer into the result (plus what it changes
//! locally). Each such call is a row here, in plain Rust, and the SDK runs every one of them
//! through one async function and one exported method (`Tim.__call(name, options)`; js/index.js
//! installs each of [`NAMES`] as a method of its own). A new call therefore costs the wasm a parser
//! and a finisher, not an async state machine and an export of its own (about 1–1.6 KB gzip each).
//!
//! Three forms, cheapest first (measured in bench/findings/sdk.md):
//! - *passed through* (profiles, the blacklist): a row of `tim_proto::frame::PASSED_THROUGH`;
//!   the app's options are the request and the server's `data` text is the result (see
//!   [`passed_through`]); state changes come as pushes. Tens of bytes a call.
//! - *options sent as given* (revoke, modify, delete a message): [`Prepared::options`], listed in
//!   `tim_proto::frame::SENT_AS_OPTIONS`; the server decodes and checks the options, the typed
//!   answer is finished here.
//! - *typed*: the arguments checked here (with the shared rules) into a `Request`.
//!
//! To add a call: its name in [`NAMES`] (or a `PASSED_THROUGH` row), its arguments in
//! [`prepare`] (a family module's `prepare` answers the names it knows), its [`Finish`] variant
//! saying what it needs to finish, and its result as a [`Data`] variant.

mod conversations;
mod groups;
mod messages;
mod reading;

use crate::error::SdkError;
use crate::shapes::{Conversation, Group};
use crate::state::{Change, ConversationState};
use crate::tab_note::TabNote;
use serde::Serialize;
use serde_json::Value;
use tim_proto::frame::PASSED_THROUGH;
use tim_proto::{ErrorCode, Reply, Request};

/// Whether `name` is a passed-through call: sent as `{"<name>": options}`, resolved with the
/// reply's `data` as it is, no code of its own in the SDK (the server checks the options); and
/// if so, whether it may be sent twice.
pub fn passed_through(name: &str) -> Option<bool> {
    PASSED_THROUGH
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, idempotent)| *idempotent)
}

/// A passed-through call's answer: the JSON text of its `data`.
pub fn passed_through_data(reply: Reply) -> Result<String, SdkError> {
    match reply {
        Reply::Data(text) => Ok(text),
        other => Err(unexpected(&other)),
    }
}

/// The methods that go through this path, by their documented names.
pub const NAMES: &[&str] = &[
    "setAllMessageRead",
    "joinGroup",
    "quitGroup",
    "dismissGroup",
    "getGroupProfile",
    "createGroup",
    "addGroupMember",
    "deleteGroupMember",
    "pinConversation",
    "getConversationProfile",
    "setMessageRead",
    "clearHistoryMessage",
    "revokeMessage",
    "deleteMessage",
    "modifyMessage",
    "getGroupList",
    "setConversationDraft",
    "sendMessageReadReceipt",
    "getMessageReadReceiptList",
];

/// A call whose arguments passed their checks: the request to send and how to finish.
#[cfg_attr(test, derive(Debug))]
pub struct Prepared {
    /// What goes to the server.
    pub send: Send,
    /// The server can safely see it twice: resent once after a reconnect if the answer was lost.
    pub idempotent: bool,
    /// The user's groups changed: the SDK fetches them again (GROUP_LIST_UPDATED) afterwards.
    pub refresh_groups: bool,
    finish: Finish,
}

/// What a prepared call sends.
#[cfg_attr(test, derive(Debug, PartialEq))]
// Not boxed: a Send is made once per call and moved at once; boxing measured +169 B gzip.
#[allow(clippy::large_enum_variant)]
pub enum Send {
    Request(Request),
    /// The app's options as given, under the method's name (`tim_proto::frame::SENT_AS_OPTIONS`:
    /// the server reads and checks them).
    Options,
    /// Nothing: a local-only call (setConversationDraft), finished at once with `Reply::Done`.
    Nothing,
}

/// What a call needs to know, once answered, to make its result.
#[cfg_attr(test, derive(Debug))]
enum Finish {
    ReadAll(tim_proto::frame::ReadScope),
    Joined,
    GroupId(String),
    GroupProfile,
    Members,
    /// The conversation and whether it is pinned now.
    Pinned(String, bool),
    Profile(String),
    Read(String),
    Cleared(String),
    /// revokeMessage / modifyMessage: `sent` with the message as stored now.
    Message,
    /// deleteMessage, sendMessageReadReceipt: resolves with the messages given, then applies
    /// the local change (deleteMessage: the messages' mentions go).
    Deleted(Option<Local>),
    /// getMessageReadReceiptList: `{ messageList }` as the server has them now.
    ReceiptList,
    GroupList,
    /// setConversationDraft: the conversation and the text.
    Draft(String, String),
}

/// A finished call: what its Promise resolves with (`data`) and the local changes to apply and
/// tell the user's other tabs.
#[cfg_attr(test, derive(Debug))]
pub struct Finished {
    pub data: Data,
    pub notes: Vec<TabNote>,
    /// A change for this tab only: the other tabs hear of it from the server (their sessions
    /// get its push), or it is local by definition.
    pub local: Option<Local>,
    /// Write the cache before the call resolves.
    pub persist: bool,
    /// The user's groups as the server listed them: the SDK keeps them, and emits
    /// GROUP_LIST_UPDATED when they differ from the last list.
    pub groups: Option<Vec<tim_proto::model::WireGroup>>,
}

/// A change to this tab's state that a call makes at once.
#[cfg_attr(test, derive(Debug, PartialEq))]
pub enum Local {
    Pinned(String, bool),
    /// The server's view of a conversation, added or refreshed.
    Upsert(Box<tim_proto::WireConversation>),
    /// A conversation the server does not know: the local entry is stale.
    Forget(String),
    /// setConversationDraft: the conversation and its draft ('' for none).
    Draft(String, String),
    /// deleteMessage: the conversation's groupAtInfoList loses these sequences.
    Unmention(String, Vec<u64>),
}

impl Local {
    pub fn apply(self, state: &mut ConversationState) -> Change {
        match self {
            Local::Pinned(id, pinned) => state.set_pinned(&id, pinned),
            Local::Upsert(conversation) => state.upsert(*conversation),
            Local::Forget(id) => state.remove(&id),
            Local::Draft(id, text) => state.set_draft(&id, text),
            Local::Unmention(id, seqs) => state.unmention(&id, &seqs),
        }
    }
}

/// The `data` of the calls' results, each the documented shape.
#[derive(Serialize)]
#[cfg_attr(test, derive(Debug))]
#[serde(untagged)]
// One per call, moved once: boxing the conversation would buy nothing but code in the SDK.
#[allow(clippy::large_enum_variant)]
pub enum Data {
    /// `{}`.
    Empty {},
    Group {
        group: Group,
    },
    GroupList {
        #[serde(rename = "groupList")]
        group_list: Vec<Group>,
    },
    Joined {
        group: Group,
        status: &'static str,
    },
    GroupId {
        #[serde(rename = "groupID")]
        group_id: String,
    },
    Members {
        #[serde(rename = "successUserIDList")]
        success_user_ids: Vec<String>,
        #[serde(rename = "failureUserIDList")]
        failure_user_ids: Vec<String>,
        #[serde(rename = "existedUserIDList")]
        existed_user_ids: Vec<String>,
        group: Group,
    },
    ConversationId {
        #[serde(rename = "conversationID")]
        conversation_id: String,
    },
    Conversation {
        conversation: Conversation,
    },
    /// `{ message }`, made by the SDK with the Message serializer sendMessage uses (a field of
    /// this enum would instantiate another copy of it).
    #[serde(skip_serializing)]
    Message(crate::shapes::Message),
    /// `{ <key>: the argument as given }` (deleteMessage's `messageList`), made by the SDK from
    /// the JS value itself.
    #[serde(skip_serializing)]
    Given(&'static str),
    /// `{ messageList }`, made by the SDK with getMessageList's serializer of the list.
    #[serde(skip_serializing)]
    MessageList(Vec<crate::shapes::Message>),
}

/// Checks a call's arguments: the request to send, or the coded refusal (2905 for a name that
/// is not one of [`NAMES`]).
pub fn prepare(name: &str, arg: &Value) -> Result<Prepared, SdkError> {
    if let Some(p) = reading::prepare(name, arg)
        .or_else(|| groups::prepare(name, arg))
        .or_else(|| conversations::prepare(name, arg))
        .or_else(|| messages::prepare(name, arg))
    {
        return p;
    }
    Err(SdkError::new(
        ErrorCode::NotSupported,
        format!("{name} is not a method of tim-wasm"),
    ))
}

impl Prepared {
    fn new(request: Request, finish: Finish) -> Prepared {
        Prepared::sending(Send::Request(request), finish)
    }

    /// The app's options go to the server as they are.
    fn options(finish: Finish) -> Prepared {
        Prepared::sending(Send::Options, finish)
    }

    /// A call that sends nothing: finished at once against the local state.
    fn local(finish: Finish) -> Prepared {
        Prepared::sending(Send::Nothing, finish).idempotent()
    }

    fn sending(send: Send, finish: Finish) -> Prepared {
        Prepared {
            send,
            idempotent: false,
            refresh_groups: false,
            finish,
        }
    }

    fn idempotent(mut self) -> Prepared {
        self.idempotent = true;
        self
    }

    fn refreshing_groups(mut self) -> Prepared {
        self.refresh_groups = true;
        self
    }

    /// What a refusal changes here: a conversation the server does not know (2500) is dropped
    /// from the local list.
    pub fn on_error(&self, e: &SdkError) -> Option<Local> {
        let id = match &self.finish {
            Finish::Profile(id) | Finish::Read(id) | Finish::Cleared(id) => id,
            _ => return None,
        };
        (e.code == ErrorCode::ConversationNotFound).then(|| Local::Forget(id.clone()))
    }

    /// The server's answer as the call's result, against the user's state as it is now.
    pub fn finish(self, reply: Reply, state: &ConversationState) -> Result<Finished, SdkError> {
        match self.finish {
            Finish::ReadAll(scope) => reading::finish_read_all(reply, scope, state),
            Finish::Joined => groups::finish_joined(reply, state),
            Finish::GroupId(group_id) => groups::finish_group_id(reply, group_id),
            Finish::GroupProfile => groups::finish_profile(reply, state),
            Finish::Members => groups::finish_members(reply, state),
            Finish::Profile(_) => conversations::finish_profile(reply, state),
            Finish::Draft(id, text) => conversations::finish_draft(id, text, state),
            Finish::Read(id) => conversations::finish_read(reply, id),
            Finish::Cleared(id) => conversations::finish_cleared(reply, id),
            Finish::Pinned(id, pinned) => conversations::finish_pinned(reply, id, pinned),
            Finish::Message => messages::finish_message(reply, state),
            Finish::Deleted(local) => messages::finish_deleted(reply, local),
            Finish::ReceiptList => messages::finish_receipt_list(reply, state),
            Finish::GroupList => groups::finish_list(reply, state),
        }
    }
}

impl Finished {
    fn data(data: Data) -> Finished {
        Finished {
            data,
            notes: Vec::new(),
            local: None,
            persist: false,
            groups: None,
        }
    }
}

/// The server answered with something this call does not expect.
pub(crate) fn unexpected(reply: &Reply) -> SdkError {
    SdkError::new(
        ErrorCode::Internal,
        format!("unexpected reply from the server: {}", reply.kind()),
    )
}

/// `Done`, or the unexpected-answer error.
fn expect_done(reply: &Reply) -> Result<(), SdkError> {
    match reply {
        Reply::Done => Ok(()),
        other => Err(unexpected(other)),
    }
}

#[cfg(test)]
mod tests;
