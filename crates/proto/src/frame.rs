//! Frames on the WebSocket. One JSON object per text frame.
//!
//! Protocol 2: every enum is externally tagged (`{"variant":{...}}`, a unit variant as the bare
//! string), and nothing is flattened, so the derived `Deserialize` reads a frame in one pass
//! without buffering it (protocol 1's `tag`/`content` and `flatten` made serde buffer each frame).
//!
//! Client: `{"id":7,"req":{"deleteConversation":{"conversationID":"C2Cbob"}}}`, `{"id":8,"req":"ping"}`.
//! Server: `{"reply":{"id":7,"value":{"conversationDeleted":{...}}}}`,
//! `{"error":{"id":7,"code":2500,"message":"..."}}`, `{"push":{"ev":5,"value":{"message":{...}}}}`.

use crate::error_code::ErrorCode;
use crate::message_ref::{MessageRef, ModifiedMessage};
use crate::model::{WireBody, WireConversation, WireGroup, WireMessage};
use crate::profile::ProfilePatch;
use serde::{Deserialize, Serialize};

/// A request from a client. `id` is chosen by the client and echoed in the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientFrame {
    pub id: u64,
    #[serde(rename = "req")]
    pub request: Request,
}

impl ClientFrame {
    /// The frame's JSON text for a request already in JSON (`request_json`): what serializing
    /// a `ClientFrame` gives, without the `Request` (the SDK keeps a request's text, not the
    /// request, to resend it under a new ID).
    pub fn text(id: u64, request_json: &str) -> String {
        format!("{{\"id\":{id},\"req\":{request_json}}}")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Request {
    /// Must be the first request on a connection.
    #[serde(rename_all = "camelCase")]
    Login {
        #[serde(rename = "SDKAppID")]
        sdk_app_id: u64,
        #[serde(rename = "userID")]
        user_id: String,
        user_sig: String,
        protocol: u32,
        /// On reconnect: the last event this client applied; the server answers with what came after.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resume_after: Option<u64>,
    },
    Logout,
    #[serde(rename_all = "camelCase")]
    SendMessage {
        #[serde(rename = "conversationID")]
        conversation_id: String,
        /// Client-made message ID; sending the same ID again is answered with the stored message.
        #[serde(rename = "ID")]
        id: String,
        body: WireBody,
        /// createTextMessage's `needReadReceipt: true`: the message asks its readers for
        /// read receipts (sendMessageReadReceipt). Absent when false.
        #[serde(
            rename = "needReadReceipt",
            default,
            skip_serializing_if = "std::ops::Not::not"
        )]
        need_read_receipt: bool,
    },
    /// The first page of the list (at most `limits::LIST_PAGE` conversations); the answer's
    /// `cursor`, when there is one, asks for the next with [`Request::GetMoreConversations`].
    GetConversationList,
    /// The page after the one whose answer carried `cursor` (docs/protocol.md "Paging").
    GetMoreConversations {
        cursor: String,
    },
    /// The login's catch-up, continued: the events after `after` (the last one applied), at
    /// most `limits::CATCH_UP_PAGE`, when `loggedIn` (or the previous `missed`) said `more`.
    GetMissed {
        after: u64,
    },
    GetConversation {
        #[serde(rename = "conversationID")]
        conversation_id: String,
    },
    GetMessageList {
        #[serde(rename = "conversationID")]
        conversation_id: String,
        /// Page backwards from (not including) this message; `None` starts at the newest.
        #[serde(rename = "nextReqMessageID", default)]
        next_req_message_id: Option<String>,
        count: u32,
    },
    #[serde(rename_all = "camelCase")]
    DeleteConversation {
        #[serde(rename = "conversationID")]
        conversation_id: String,
        /// Idempotency key: the server applies an opId once and answers repeats with the first
        /// answer, so a deletion whose answer was lost can be sent again safely.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        op_id: Option<String>,
        /// Deletes only up to this message seq (what the user had seen when deleting offline);
        /// newer messages stay and keep the conversation. Absent: everything up to the newest.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        up_to_seq: Option<u64>,
    },
    /// The batch form: up to `limits::MAX_BATCH_DELETE` distinct IDs, applied in one transaction.
    /// Without `clearHistoryMessage` only the list entries go and the history stays on the server.
    DeleteConversations {
        #[serde(rename = "conversationIDList")]
        conversation_ids: Vec<String>,
        #[serde(rename = "clearHistoryMessage")]
        clear_history: bool,
    },
    /// Keeps the conversation, deletes this user's history of it (clearHistoryMessage).
    ClearHistory {
        #[serde(rename = "conversationID")]
        conversation_id: String,
    },
    SetMessageRead {
        #[serde(rename = "conversationID")]
        conversation_id: String,
    },
    /// `setAllMessageRead`: every conversation of `scope` with unread messages is read, each
    /// with its own `conversationRead` push.
    SetAllMessageRead {
        #[serde(default)]
        scope: ReadScope,
    },
    /// `createGroup`: the caller becomes the owner; `memberList` are added at once.
    #[serde(rename_all = "camelCase")]
    CreateGroup {
        /// Custom group ID; absent: the server makes one (`@TGS#…`, a prefix callers may not use).
        #[serde(rename = "groupID", default)]
        group_id: Option<String>,
        name: String,
        /// `Private`, `Public` or `ChatRoom`.
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        member_list: Vec<String>,
    },
    JoinGroup {
        #[serde(rename = "groupID")]
        group_id: String,
    },
    QuitGroup {
        #[serde(rename = "groupID")]
        group_id: String,
    },
    DismissGroup {
        #[serde(rename = "groupID")]
        group_id: String,
    },
    GetGroupList,
    GetGroupProfile {
        #[serde(rename = "groupID")]
        group_id: String,
    },
    AddGroupMember {
        #[serde(rename = "groupID")]
        group_id: String,
        #[serde(rename = "userIDList")]
        user_ids: Vec<String>,
    },
    DeleteGroupMember {
        #[serde(rename = "groupID")]
        group_id: String,
        #[serde(rename = "userIDList")]
        user_ids: Vec<String>,
    },
    // Passed-through calls (see `PASSED_THROUGH`): each variant's JSON is the documented
    // options object of its method, which the SDK sends as the app gave it.
    /// `getMyProfile`: the caller's profile (`data`: one `profile::WireProfile`).
    #[serde(skip_serializing)]
    GetMyProfile,
    /// `getUserProfile`: the profiles of the first `limits::MAX_PROFILE_QUERY` user IDs given;
    /// users who never logged in, sent or received are left out (`data`: an array).
    #[serde(skip_serializing)]
    GetUserProfile {
        #[serde(rename = "userIDList")]
        user_ids: Vec<String>,
    },
    /// `updateMyProfile`: the fields to set (checked by `rules::check_profile_patch`);
    /// `profileUpdated` to every session of the user (`data`: the profile after it).
    #[serde(skip_serializing)]
    UpdateMyProfile(ProfilePatch),
    /// `getBlacklist`: the user IDs the caller blacklisted, in the order added.
    #[serde(skip_serializing)]
    GetBlacklist,
    /// `addToBlacklist`: their one-to-one messages to the caller are refused (20007) from now
    /// (`data`: the user IDs added; the whole list comes as `blacklistUpdated`).
    #[serde(skip_serializing)]
    AddToBlacklist {
        #[serde(rename = "userIDList")]
        user_ids: Vec<String>,
    },
    #[serde(skip_serializing)]
    RemoveFromBlacklist {
        #[serde(rename = "userIDList")]
        user_ids: Vec<String>,
    },
    /// `setMessageRemindType` `{ groupID | userIDList (1 to `limits::MAX_REMIND_USERS`),
    /// messageRemindType }`: the setting of each conversation, stored whether or not it is in
    /// the list; one `messageRemindType` push to every session when something changed
    /// (`data`: `{ group }`, or `{ successUserIDList, failureUserIDList }`).
    #[serde(skip_serializing)]
    SetMessageRemindType {
        #[serde(rename = "groupID", default)]
        group_id: Option<String>,
        #[serde(rename = "userIDList", default)]
        user_ids: Option<Vec<String>>,
        #[serde(rename = "messageRemindType")]
        remind_type: String,
    },
    /// `pinConversation`: the conversation goes to (or leaves) the top of the user's list, on
    /// every session (a `conversationPinned` push each).
    PinConversation {
        #[serde(rename = "conversationID")]
        conversation_id: String,
        #[serde(rename = "isPinned")]
        pinned: bool,
    },
    Ping,
    // The SDK never makes the next five (it sends the app's options as given), so the wasm
    // has no code for them: a `skip_serializing` variant still costs it an error arm.
    /// `getGroupMemberList`: a member's page of the group's members, in join order (`data`:
    /// `{ memberList }`, `group_profile::member_list_text`).
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(skip_serializing)]
    GetGroupMemberList {
        #[serde(rename = "groupID")]
        group_id: String,
        #[serde(default)]
        count: Option<u32>,
        #[serde(default)]
        offset: Option<u32>,
    },
    /// `getGroupMemberProfile`: the members among `userIDList` (others are left out).
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(skip_serializing)]
    GetGroupMemberProfile {
        #[serde(rename = "groupID")]
        group_id: String,
        #[serde(rename = "userIDList")]
        user_ids: Vec<String>,
    },
    // Passed through (see `PASSED_THROUGH`), answered with `data`: `{group}`.
    /// `setGroupMemberRole`: the owner makes a member `Admin` or `Member` again.
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(skip_serializing)]
    SetGroupMemberRole {
        #[serde(rename = "groupID")]
        group_id: String,
        #[serde(rename = "userID")]
        user_id: String,
        role: String,
    },
    /// `changeGroupOwner`: the owner hands the group to another member (and becomes a member).
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(skip_serializing)]
    ChangeGroupOwner {
        #[serde(rename = "groupID")]
        group_id: String,
        #[serde(rename = "newOwnerID")]
        new_owner_id: String,
    },
    /// `updateGroupProfile`: the owner or an admin sets the fields given.
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(skip_serializing)]
    UpdateGroupProfile(crate::group_profile::GroupPatch),
    // Sent as the app's options (see `SENT_AS_OPTIONS`): message objects as the SDK gave them.
    /// `revokeMessage(message)`: the sender revokes it for everyone, within the app's time
    /// limit (revoking twice is fine); answered with `sent` (the message as stored now).
    #[serde(skip_serializing)]
    RevokeMessage(MessageRef),
    /// `modifyMessage(message)`: the sender's text message gets its `payload.text` for
    /// everyone; answered with `sent`.
    #[serde(skip_serializing)]
    ModifyMessage(ModifiedMessage),
    /// `deleteMessage([messages])`: hides 1 to `limits::MAX_DELETE_MESSAGES` messages of one
    /// conversation for the caller only; answered with `done`.
    #[serde(skip_serializing)]
    DeleteMessage(Vec<MessageRef>),
    /// `sendMessageReadReceipt([messages])`: the caller read 1 to
    /// `limits::MAX_READ_RECEIPT_MESSAGES` messages of one conversation that asked for
    /// receipts; each sender whose view still holds the message gets `messageReadReceipt`.
    /// Messages the caller's view does not hold, the caller's own and those not asking are
    /// skipped. Answered with `done`.
    #[serde(skip_serializing)]
    SendMessageReadReceipt(Vec<MessageRef>),
    /// `getMessageReadReceiptList([messages])`: the messages (of one conversation, as many)
    /// as stored now, with their read and unread counts; those not in the caller's view are
    /// left out. Answered with `messageList`.
    #[serde(skip_serializing)]
    GetMessageReadReceiptList(Vec<MessageRef>),
}

/// The requests the SDK sends as the app's options, unread (`{"<method>": options}`), with a
/// typed answer: the server checks the options (a passed-through call, `PASSED_THROUGH`, is
/// one too). Message objects are big and varied; the SDK carries no code to pick them apart.
pub const SENT_AS_OPTIONS: &[&str] = &[
    "revokeMessage",
    "modifyMessage",
    "deleteMessage",
    "sendMessageReadReceipt",
    "getMessageReadReceiptList",
];

/// The calls the SDK passes through: it sends `{"<name>": <the app's options>}` (`null` for none)
/// as the request and resolves with the reply's `data`, with no code of its own for either; the
/// server checks the options. `true`: safe to send twice (resent once after a lost answer).
pub const PASSED_THROUGH: &[(&str, bool)] = &[
    ("getMyProfile", true),
    ("getUserProfile", true),
    ("updateMyProfile", false),
    ("getBlacklist", true),
    ("addToBlacklist", true),
    ("removeFromBlacklist", true),
    ("getGroupMemberList", true),
    ("getGroupMemberProfile", true),
    ("setMessageRemindType", true),
    ("setGroupMemberRole", true),
    // Sent again after the owner changed, it is refused (the caller owns the group no more).
    ("changeGroupOwner", false),
    ("updateGroupProfile", true),
];

/// The code for a request naming `op` whose options do not decode: for a passed-through call,
/// the method's own code for bad options where Tencent has one, else 2100 (the SDK checked
/// nothing); for any other frame 60003 (the SDK sends only frames that decode).
pub fn undecodable_code(op: &str) -> ErrorCode {
    match op {
        "updateMyProfile" => ErrorCode::UpdateProfileInvalidParam,
        "addToBlacklist" => ErrorCode::AddBlacklistInvalidParam,
        "removeFromBlacklist" => ErrorCode::DelBlacklistInvalidParam,
        _ if PASSED_THROUGH.iter().any(|(name, _)| *name == op)
            || SENT_AS_OPTIONS.contains(&op) =>
        {
            ErrorCode::InvalidParameter
        }
        _ => ErrorCode::MalformedFrame,
    }
}

impl Request {
    /// A plain deletion of everything up to the newest message, with no idempotency key.
    pub fn delete(conversation_id: impl Into<String>) -> Request {
        Request::DeleteConversation {
            conversation_id: conversation_id.into(),
            op_id: None,
            up_to_seq: None,
        }
    }

    /// The `op` string, for logs.
    pub fn op(&self) -> &'static str {
        match self {
            Request::Login { .. } => "login",
            Request::Logout => "logout",
            Request::SendMessage { .. } => "sendMessage",
            Request::GetConversationList => "getConversationList",
            Request::GetMoreConversations { .. } => "getMoreConversations",
            Request::GetMissed { .. } => "getMissed",
            Request::GetConversation { .. } => "getConversation",
            Request::GetMessageList { .. } => "getMessageList",
            Request::DeleteConversation { .. } => "deleteConversation",
            Request::DeleteConversations { .. } => "deleteConversations",
            Request::ClearHistory { .. } => "clearHistory",
            Request::SetMessageRemindType { .. } => "setMessageRemindType",
            Request::SetMessageRead { .. } => "setMessageRead",
            Request::SetAllMessageRead { .. } => "setAllMessageRead",
            Request::CreateGroup { .. } => "createGroup",
            Request::JoinGroup { .. } => "joinGroup",
            Request::QuitGroup { .. } => "quitGroup",
            Request::DismissGroup { .. } => "dismissGroup",
            Request::GetGroupList => "getGroupList",
            Request::GetGroupProfile { .. } => "getGroupProfile",
            Request::AddGroupMember { .. } => "addGroupMember",
            Request::DeleteGroupMember { .. } => "deleteGroupMember",
            Request::GetMyProfile => "getMyProfile",
            Request::GetUserProfile { .. } => "getUserProfile",
            Request::UpdateMyProfile { .. } => "updateMyProfile",
            Request::GetBlacklist => "getBlacklist",
            Request::AddToBlacklist { .. } => "addToBlacklist",
            Request::RemoveFromBlacklist { .. } => "removeFromBlacklist",
            Request::PinConversation { .. } => "pinConversation",
            Request::Ping => "ping",
            Request::RevokeMessage(_) => "revokeMessage",
            Request::ModifyMessage(_) => "modifyMessage",
            Request::DeleteMessage(_) => "deleteMessage",
            Request::SendMessageReadReceipt(_) => "sendMessageReadReceipt",
            Request::GetMessageReadReceiptList(_) => "getMessageReadReceiptList",
            #[cfg(not(target_arch = "wasm32"))]
            Request::GetGroupMemberList { .. } => "getGroupMemberList",
            #[cfg(not(target_arch = "wasm32"))]
            Request::GetGroupMemberProfile { .. } => "getGroupMemberProfile",
            #[cfg(not(target_arch = "wasm32"))]
            Request::SetGroupMemberRole { .. } => "setGroupMemberRole",
            #[cfg(not(target_arch = "wasm32"))]
            Request::ChangeGroupOwner { .. } => "changeGroupOwner",
            #[cfg(not(target_arch = "wasm32"))]
            Request::UpdateGroupProfile(_) => "updateGroupProfile",
        }
    }
}

/// A successful answer to a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
// One per request, moved once: boxing the profile would buy nothing but code in the SDK.
#[allow(clippy::large_enum_variant)]
pub enum Reply {
    #[serde(rename_all = "camelCase")]
    LoggedIn {
        #[serde(rename = "userID")]
        user_id: String,
        server_time: i64,
        /// Unix seconds at which the UserSig expires; the server closes the session then.
        sig_expires_at: i64,
        /// The newest event in the user's log; a fresh client starts from here.
        #[serde(default)]
        latest_event: u64,
        /// With `resumeAfter`: the events after it, oldest first.
        #[serde(default)]
        missed: Vec<LoggedEvent>,
        /// With `resumeAfter`: the log no longer reaches back that far; reload the whole list.
        #[serde(default)]
        resync_required: bool,
        /// `missed` is one page: ask for the rest with `getMissed` before applying anything
        /// pushed meanwhile. Absent when false.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        more_missed: bool,
        /// The query string that makes a file URL (`/v1/files/<fileID>?<fileQuery>`) work for
        /// this user until the UserSig expires (docs/protocol.md "Files"). Absent when empty.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        file_query: String,
    },
    Done,
    Sent {
        message: WireMessage,
    },
    ConversationList {
        conversations: Vec<WireConversation>,
        /// More pages follow: pass it to `getMoreConversations`. Absent on the last page.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cursor: Option<String>,
    },
    /// `getMissed`'s answer: the next page of the catch-up (`more`: another follows), or
    /// `resyncRequired` (the log no longer reaches back: reload the list).
    #[serde(rename_all = "camelCase")]
    Missed {
        missed: Vec<LoggedEvent>,
        #[serde(default)]
        more: bool,
        #[serde(default)]
        resync_required: bool,
    },
    Conversation {
        conversation: WireConversation,
    },
    #[serde(rename_all = "camelCase")]
    MessageList {
        /// Oldest first.
        messages: Vec<WireMessage>,
        /// Pass as `nextReqMessageID` for the page before this one.
        #[serde(rename = "nextReqMessageID")]
        next_req_message_id: Option<String>,
        is_completed: bool,
    },
    #[serde(rename_all = "camelCase")]
    ConversationDeleted {
        #[serde(rename = "conversationID")]
        conversation_id: String,
        /// The user's watermark: messages at or below it are gone for this user.
        #[serde(default)]
        cleared_seq: u64,
    },
    /// One outcome per requested ID, in request order.
    ConversationsDeleted {
        results: Vec<DeleteResult>,
    },
    Group {
        group: WireGroup,
    },
    GroupList {
        groups: Vec<WireGroup>,
    },
    /// addGroupMember / deleteGroupMember: who was added or removed, who could not be, who
    /// already was a member (add), and the group after the change.
    MembersChanged {
        #[serde(rename = "successUserIDList")]
        succeeded: Vec<String>,
        #[serde(rename = "failureUserIDList")]
        failed: Vec<String>,
        #[serde(rename = "existedUserIDList", default)]
        existed: Vec<String>,
        group: WireGroup,
    },
    #[serde(rename_all = "camelCase")]
    HistoryCleared {
        #[serde(rename = "conversationID")]
        conversation_id: String,
        cleared_seq: u64,
    },
    /// A passed-through call's result: the JSON text of its `data`, which the SDK resolves
    /// with as it is (`JSON.parse`), so that it carries no code for the shape.
    Data(String),
    Pong,
}

impl Reply {
    /// The `kind` string, for logs and error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Reply::LoggedIn { .. } => "loggedIn",
            Reply::Done => "done",
            Reply::Sent { .. } => "sent",
            Reply::ConversationList { .. } => "conversationList",
            Reply::Missed { .. } => "missed",
            Reply::Conversation { .. } => "conversation",
            Reply::MessageList { .. } => "messageList",
            Reply::ConversationDeleted { .. } => "conversationDeleted",
            Reply::ConversationsDeleted { .. } => "conversationsDeleted",
            Reply::Group { .. } => "group",
            Reply::GroupList { .. } => "groupList",
            Reply::MembersChanged { .. } => "membersChanged",
            Reply::HistoryCleared { .. } => "historyCleared",
            Reply::Data(_) => "data",
            Reply::Pong => "pong",
        }
    }
}

/// What became of one ID of a batch deletion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteResult {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    pub outcome: DeleteOutcome,
    /// The watermark written (0 unless deleted).
    #[serde(default)]
    pub cleared_seq: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeleteOutcome {
    Deleted,
    /// Not in the user's list (2500).
    NotFound,
    /// Not a valid conversation ID (2503).
    Invalid,
}

/// One entry of a user's event log, as replayed to a reconnecting client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedEvent {
    pub ev: u64,
    #[serde(rename = "value")]
    pub push: Push,
}

/// Which conversations `setAllMessageRead` reads (TIM.TYPES.READ_ALL_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReadScope {
    /// Every conversation (`READ_ALL_MSG`, the default), `@TIM#SYSTEM` too.
    #[default]
    All,
    /// One-to-one conversations only (`READ_ALL_C2C_MSG`).
    C2c,
    /// Group conversations only (`READ_ALL_GROUP_MSG`).
    Group,
}

impl ReadScope {
    /// Whether the conversation `conversation_id` is in this scope.
    pub fn covers(self, conversation_id: &str) -> bool {
        use crate::ConversationId;
        matches!(
            (self, ConversationId::parse(conversation_id)),
            (ReadScope::All, _)
                | (ReadScope::C2c, Ok(ConversationId::C2c(_)))
                | (ReadScope::Group, Ok(ConversationId::Group(_)))
        )
    }
}

/// Something the server tells a client without being asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
// One per frame, moved once (see [`Reply`]).
#[allow(clippy::large_enum_variant)]
pub enum Push {
    /// A new message in one of the user's conversations (from the peer, or the user's own message
    /// sent from another session).
    Message { message: WireMessage },
    /// The user deleted a conversation on another session (sent when the app's sync setting is on).
    #[serde(rename_all = "camelCase")]
    ConversationDeleted {
        #[serde(rename = "conversationID")]
        conversation_id: String,
        #[serde(default)]
        cleared_seq: u64,
    },
    /// The user cleared a conversation's history on another session: messages at or below
    /// `clearedSeq` are gone, the conversation stays, unread is 0.
    #[serde(rename_all = "camelCase")]
    HistoryCleared {
        #[serde(rename = "conversationID")]
        conversation_id: String,
        cleared_seq: u64,
    },
    /// The user read a conversation (on any session, the reading one included): everything up to
    /// `readSeq` is read, so its unread count is 0 unless newer messages follow this push.
    #[serde(rename_all = "camelCase")]
    ConversationRead {
        #[serde(rename = "conversationID")]
        conversation_id: String,
        /// The newest seq the read covered; 0 from a server (or a logged entry) from before it
        /// was sent.
        #[serde(default)]
        read_seq: u64,
    },
    /// The user's groups changed (joined, quit, added, removed, dismissed): fetch the group list.
    GroupsChanged,
    /// The user's profile changed (on any session, or by the admin REST API): the whole profile
    /// after the change (PROFILE_UPDATED).
    /// The JSON text of one `profile::WireProfile`.
    ProfileUpdated(String),
    /// The user's blacklist changed: the whole list after the change (BLACKLIST_UPDATED).
    BlacklistUpdated(Vec<String>),
    /// The server ends this session; the connection closes after this frame.
    Kicked { reason: KickReason },
    /// The user pinned a conversation (on any session, the pinning one included): its ID.
    /// Newtypes of a string, not a `{conversationID, isPinned}` struct: a struct variant costs
    /// the SDK a deserializer of its own (see bench/findings/sdk.md).
    ConversationPinned(String),
    /// The user unpinned a conversation, or a deletion did: its ID.
    ConversationUnpinned(String),
    /// A message of one of the user's conversations was revoked (`isRevoked` true) or given a new
    /// body by its sender (`isRevoked` false: a revoked message is never modified); logged only
    /// for users whose view still holds it.
    MessageEdited { message: WireMessage },
    /// The user's setMessageRemindType (on any session): the setting first, then the
    /// conversation IDs it now applies to (see [`Push::remind_change`]). A list of strings, not
    /// a struct: the SDK already decodes one (`blacklistUpdated`).
    MessageRemindType(Vec<String>),
    /// Read receipts arrived for messages the user sent (their `readCount` / `unreadCount`
    /// as they are now), all of one conversation: C2C MESSAGE_READ_BY_PEER, group
    /// MESSAGE_READ_RECEIPT_RECEIVED. Logged only while the sender's view holds them.
    MessageReadReceipt(Vec<WireMessage>),
}

impl Push {
    /// `conversationPinned` or `conversationUnpinned` for `conversation_id`.
    pub fn pin_change(conversation_id: String, pinned: bool) -> Push {
        if pinned {
            Push::ConversationPinned(conversation_id)
        } else {
            Push::ConversationUnpinned(conversation_id)
        }
    }

    /// [`Push::MessageRemindType`] of `remind_type` for `conversation_ids`.
    pub fn remind_change(remind_type: &str, conversation_ids: &[String]) -> Push {
        let mut parts = Vec::with_capacity(conversation_ids.len() + 1);
        parts.push(remind_type.to_owned());
        parts.extend_from_slice(conversation_ids);
        Push::MessageRemindType(parts)
    }

    /// The push's name, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Push::Message { .. } => "message",
            Push::ConversationDeleted { .. } => "conversationDeleted",
            Push::HistoryCleared { .. } => "historyCleared",
            Push::ConversationRead { .. } => "conversationRead",
            Push::GroupsChanged => "groupsChanged",
            Push::ProfileUpdated(_) => "profileUpdated",
            Push::BlacklistUpdated(_) => "blacklistUpdated",
            Push::Kicked { .. } => "kicked",
            Push::ConversationPinned(_) => "conversationPinned",
            Push::ConversationUnpinned(_) => "conversationUnpinned",
            Push::MessageEdited { .. } => "messageEdited",
            Push::MessageRemindType(_) => "messageRemindType",
            Push::MessageReadReceipt(_) => "messageReadReceipt",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KickReason {
    /// TIM.TYPES.KICKED_OUT_USERSIG_EXPIRED.
    #[serde(rename = "userSigExpired")]
    UserSigExpired,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
// One per frame, moved once (see [`Reply`]).
#[allow(clippy::large_enum_variant)]
pub enum ServerFrame {
    Reply {
        id: u64,
        #[serde(rename = "value")]
        reply: Reply,
    },
    /// A request failed. `id` is absent when the frame could not be read far enough to find it.
    Error {
        id: Option<u64>,
        code: ErrorCode,
        message: String,
    },
    Push {
        /// Position in the user's event log, for pushes that are logged (messages, deletions).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ev: Option<u64>,
        #[serde(rename = "value")]
        push: Push,
    },
}

impl ServerFrame {
    pub fn to_json(&self) -> String {
        // Serializing these plain data types cannot fail (no maps with non-string keys).
        serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"error":{"id":null,"code":2903,"message":"encode failed"}}"#.to_owned()
        })
    }
}

impl ClientFrame {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| r#"{"id":0,"req":"ping"}"#.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_frames_text_is_its_serialization() {
        for request in [
            Request::Ping,
            Request::JoinGroup {
                group_id: "g\"1".into(),
            },
        ] {
            let json = serde_json::to_string(&request).expect("request");
            let framed: serde_json::Value =
                serde_json::from_str(&ClientFrame::text(7, &json)).expect("JSON");
            let frame = ClientFrame { id: 7, request };
            assert_eq!(framed, serde_json::to_value(&frame).expect("frame"));
        }
    }

    /// The SDK sends `{"<name>": options}` for these, `null` when the app gave none.
    #[test]
    fn passed_through_calls_decode_from_the_documented_options() {
        let decode = |v: serde_json::Value| serde_json::from_value::<Request>(v);
        let cases = [
            (json!({"getMyProfile": null}), "getMyProfile"),
            (
                json!({"getUserProfile": {"userIDList": ["a"], "extra": 1}}),
                "getUserProfile",
            ),
            (
                json!({"updateMyProfile": {"nick": "N", "gender": "Gender_Type_Male"}}),
                "updateMyProfile",
            ),
            (json!({"getBlacklist": null}), "getBlacklist"),
            (
                json!({"addToBlacklist": {"userIDList": ["a"]}}),
                "addToBlacklist",
            ),
            (
                json!({"removeFromBlacklist": {"userIDList": ["a"]}}),
                "removeFromBlacklist",
            ),
            (
                json!({"getGroupMemberList": {"groupID": "g", "count": 30, "offset": 0}}),
                "getGroupMemberList",
            ),
            (
                json!({"getGroupMemberProfile": {"groupID": "g", "userIDList": ["a"]}}),
                "getGroupMemberProfile",
            ),
            (
                json!({"setMessageRemindType": {"groupID": "g", "messageRemindType": "Discard"}}),
                "setMessageRemindType",
            ),
            (
                json!({"setGroupMemberRole": {"groupID": "g", "userID": "b", "role": "Admin"}}),
                "setGroupMemberRole",
            ),
            (
                json!({"changeGroupOwner": {"groupID": "g", "newOwnerID": "b"}}),
                "changeGroupOwner",
            ),
            (
                json!({"updateGroupProfile": {"groupID": "g", "name": "N", "muteAllMembers": true,
                                              "joinOption": "FreeAccess", "groupCustomField": []}}),
                "updateGroupProfile",
            ),
        ];
        let count = cases.len();
        for (options, op) in cases {
            let r = decode(options.clone()).unwrap_or_else(|e| panic!("{options}: {e}"));
            assert_eq!(r.op(), op);
            assert!(PASSED_THROUGH.iter().any(|(name, _)| *name == op));
        }
        assert_eq!(count, PASSED_THROUGH.len());
        assert!(decode(json!({"addToBlacklist": {"userIDList": [1]}})).is_err());
        assert!(decode(json!({"updateMyProfile": "nick"})).is_err());
        assert!(decode(json!({"getGroupMemberList": {"groupID": "g", "count": -1}})).is_err());
        assert!(decode(json!({"getGroupMemberList": {"count": 1}})).is_err());
        let remind =
            json!({"setMessageRemindType": {"userIDList": ["a"], "messageRemindType": "x"}});
        assert!(matches!(
            decode(remind),
            Ok(Request::SetMessageRemindType {
                user_ids: Some(_),
                group_id: None,
                ..
            })
        ));
        assert!(decode(json!({"setMessageRemindType": {"userIDList": ["a"]}})).is_err());
    }

    /// Bad group edit options do not decode (the SDK's call rejects with 2100).
    #[test]
    fn bad_group_edits_do_not_decode() {
        let decode = |v: serde_json::Value| serde_json::from_value::<Request>(v);
        assert!(decode(json!({"setGroupMemberRole": {"groupID": "g", "role": "Admin"}})).is_err());
        assert!(decode(json!({"updateGroupProfile": {"groupID": "g", "name": 1}})).is_err());
    }

    fn msg() -> WireMessage {
        WireMessage {
            revoked: false,
            need_read_receipt: false,
            read_count: 0,
            unread_count: 0,
            id: "m1".into(),
            conversation_id: "C2Calice".into(),
            from: "alice".into(),
            to: "bob".into(),
            seq: 3,
            time: 1_700_000_000,
            body: WireBody::Text { text: "hi".into() },
            nick: String::new(),
            avatar: String::new(),
        }
    }

    #[test]
    fn client_frame_wire_shape() {
        let f = ClientFrame {
            id: 7,
            request: Request::delete("C2Cbob"),
        };
        let v = serde_json::to_value(&f).expect("encode");
        assert_eq!(
            v,
            json!({"id":7,"req":{"deleteConversation":{"conversationID":"C2Cbob"}}})
        );
        let back: ClientFrame = serde_json::from_value(v).expect("decode");
        assert_eq!(back, f);
        let ping: ClientFrame = serde_json::from_str(r#"{"id":1,"req":"ping"}"#).expect("ping");
        assert_eq!(ping.request, Request::Ping);
    }

    #[test]
    fn conversation_read_carries_the_read_seq_and_still_reads_without_it() {
        let push = ServerFrame::Push {
            ev: Some(3),
            push: Push::ConversationRead {
                conversation_id: "C2Cbob".into(),
                read_seq: 7,
            },
        };
        let v = serde_json::to_value(&push).expect("encode");
        assert_eq!(
            v,
            json!({"push":{"ev":3,"value":{"conversationRead":
                   {"conversationID":"C2Cbob","readSeq":7}}}})
        );
        // A frame (or a logged entry) from before readSeq existed.
        let old: ServerFrame = serde_json::from_value(json!({"push":{"ev":3,
            "value":{"conversationRead":{"conversationID":"C2Cbob"}}}}))
        .expect("decode");
        assert_eq!(
            old,
            ServerFrame::Push {
                ev: Some(3),
                push: Push::ConversationRead {
                    conversation_id: "C2Cbob".into(),
                    read_seq: 0,
                },
            }
        );
    }

    #[test]
    fn delete_with_op_id_and_watermark() {
        let f: ClientFrame = serde_json::from_value(json!({"id":2,"req":{"deleteConversation":
            {"conversationID":"C2Cbob","opId":"o1","upToSeq":5}}}))
        .expect("decode");
        assert_eq!(
            f.request,
            Request::DeleteConversation {
                conversation_id: "C2Cbob".into(),
                op_id: Some("o1".into()),
                up_to_seq: Some(5),
            }
        );
    }

    #[test]
    fn login_uses_documented_field_names() {
        let f: ClientFrame = serde_json::from_value(json!({"id":1,"req":{"login":{
            "SDKAppID": 1400000001u64, "userID": "alice", "userSig": "x", "protocol": 2}}}))
        .expect("decode");
        assert!(matches!(
            f.request,
            Request::Login {
                sdk_app_id: 1400000001,
                ..
            }
        ));
    }

    #[test]
    fn server_frames_round_trip() {
        let frames = vec![
            ServerFrame::Reply {
                id: 1,
                reply: Reply::Sent { message: msg() },
            },
            ServerFrame::Reply {
                id: 2,
                reply: Reply::Done,
            },
            ServerFrame::Reply {
                id: 3,
                reply: Reply::MessageList {
                    messages: vec![msg()],
                    next_req_message_id: None,
                    is_completed: true,
                },
            },
            ServerFrame::Error {
                id: None,
                code: ErrorCode::MalformedFrame,
                message: "bad".into(),
            },
            ServerFrame::Push {
                ev: Some(9),
                push: Push::Message { message: msg() },
            },
            ServerFrame::Push {
                ev: Some(10),
                push: Push::ConversationDeleted {
                    conversation_id: "C2Cbob".into(),
                    cleared_seq: 3,
                },
            },
            ServerFrame::Reply {
                id: 4,
                reply: Reply::LoggedIn {
                    user_id: "alice".into(),
                    server_time: 1,
                    sig_expires_at: 2,
                    latest_event: 12,
                    missed: vec![LoggedEvent {
                        ev: 11,
                        push: Push::Message { message: msg() },
                    }],
                    resync_required: false,
                    more_missed: false,
                    file_query: String::new(),
                },
            },
            ServerFrame::Push {
                ev: None,
                push: Push::Kicked {
                    reason: KickReason::UserSigExpired,
                },
            },
        ];
        for f in frames {
            let s = f.to_json();
            let back: ServerFrame = serde_json::from_str(&s).expect(&s);
            assert_eq!(back, f, "{s}");
        }
    }

    #[test]
    fn push_wire_shape_carries_the_event_number() {
        let f = ServerFrame::Push {
            ev: Some(5),
            push: Push::ConversationDeleted {
                conversation_id: "C2Cbob".into(),
                cleared_seq: 7,
            },
        };
        assert_eq!(
            serde_json::to_value(&f).expect("encode"),
            json!({"push":{"ev":5,"value":{"conversationDeleted":
                   {"conversationID":"C2Cbob","clearedSeq":7}}}})
        );
    }

    #[test]
    fn error_frame_wire_shape() {
        let f = ServerFrame::Error {
            id: Some(4),
            code: ErrorCode::ConversationNotFound,
            message: "no such conversation".into(),
        };
        assert_eq!(
            serde_json::to_value(&f).expect("encode"),
            json!({"error":{"id":4,"code":2500,"message":"no such conversation"}})
        );
    }

    #[test]
    fn unknown_op_is_an_error_not_a_panic() {
        assert!(serde_json::from_str::<ClientFrame>(r#"{"id":1,"req":"explode"}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>(r#"{"req":"ping"}"#).is_err());
        // Protocol 1's shape is not protocol 2.
        assert!(serde_json::from_str::<ClientFrame>(r#"{"id":1,"op":"ping"}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>("[]").is_err());
    }

    #[test]
    fn unit_variants_are_bare_strings_and_logged_events_nest() {
        let f = ServerFrame::Reply {
            id: 4,
            reply: Reply::LoggedIn {
                user_id: "alice".into(),
                server_time: 1,
                sig_expires_at: 2,
                latest_event: 3,
                missed: vec![LoggedEvent {
                    ev: 3,
                    push: Push::GroupsChanged,
                }],
                resync_required: false,
                more_missed: false,
                file_query: String::new(),
            },
        };
        assert_eq!(
            serde_json::to_value(&f).expect("encode"),
            json!({"reply":{"id":4,"value":{"loggedIn":{"userID":"alice","serverTime":1,
                "sigExpiresAt":2,"latestEvent":3,"missed":[{"ev":3,"value":"groupsChanged"}],
                "resyncRequired":false}}}})
        );
        let done = ServerFrame::Reply {
            id: 5,
            reply: Reply::Done,
        };
        assert_eq!(
            serde_json::to_value(&done).expect("encode"),
            json!({"reply":{"id":5,"value":"done"}})
        );
    }

    #[test]
    fn paging_shapes_use_the_documented_names() {
        let more: ClientFrame = serde_json::from_value(
            json!({"id":1,"req":{"getMoreConversations":{"cursor":"1:2:3:C2Cbob"}}}),
        )
        .expect("decode");
        assert_eq!(
            more.request,
            Request::GetMoreConversations {
                cursor: "1:2:3:C2Cbob".into()
            }
        );
        let missed: ClientFrame =
            serde_json::from_value(json!({"id":2,"req":{"getMissed":{"after":7}}}))
                .expect("decode");
        assert_eq!(missed.request, Request::GetMissed { after: 7 });
        let list = Reply::ConversationList {
            conversations: vec![],
            cursor: Some("c".into()),
        };
        assert_eq!(
            serde_json::to_value(&list).expect("encode"),
            json!({"conversationList":{"conversations":[],"cursor":"c"}})
        );
        // The last page has no cursor, and an answer without one reads as the last page.
        let last = Reply::ConversationList {
            conversations: vec![],
            cursor: None,
        };
        assert_eq!(
            serde_json::to_value(&last).expect("encode"),
            json!({"conversationList":{"conversations":[]}})
        );
        let page = Reply::Missed {
            missed: vec![LoggedEvent {
                ev: 8,
                push: Push::GroupsChanged,
            }],
            more: true,
            resync_required: false,
        };
        assert_eq!(
            serde_json::to_value(&page).expect("encode"),
            json!({"missed":{"missed":[{"ev":8,"value":"groupsChanged"}],"more":true,"resyncRequired":false}})
        );
        let logged: Reply = serde_json::from_value(json!({"loggedIn":{"userID":"a","serverTime":1,
            "sigExpiresAt":2,"latestEvent":3,"missed":[],"resyncRequired":false,"moreMissed":true}}))
        .expect("decode");
        assert!(matches!(
            logged,
            Reply::LoggedIn {
                more_missed: true,
                ..
            }
        ));
    }
}
