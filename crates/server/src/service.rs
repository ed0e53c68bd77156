//! What each request means: validation, storage, and who gets pushed what.
//!
//! Transport-free: the gateway hands in the verified identity and a request, and gets back a
//! reply or an [`ApiError`]. Storage calls run on the blocking pool so a slow disk never stalls
//! the async workers. Changes that other sessions hear about go through the [`Publisher`], so
//! pushes leave in event-log order.

mod admin;
mod batch;
mod deletion;
mod edits;
mod files;
pub(crate) mod group_args;
mod groups;
mod history;
mod once;
mod pins;
mod profiles;
mod read;
mod receipts;
mod remind;

use crate::clock::unix_now;
use crate::error::ApiError;
use crate::group_commit::{Answer, GroupCommit};
use crate::hub::{Hub, SessionId, UserKey};
use crate::publish::Publisher;
use crate::store::{
    App, Catchup, ConvRef, ConversationView, GroupEdit, ListKey, NewMessage, PageOutcome, SendItem,
    SendOutcome, Store, StoreResult, UserEvent,
};
use crate::usersig;
use std::sync::Arc;
use tim_proto::message_ref::MessageRef;
use tim_proto::model::WireBody;
use tim_proto::rules::{check_body, check_page_count, check_user_id, BlacklistChange};
use tim_proto::{ConversationId, ErrorCode, Reply, Request, PROTOCOL_VERSION};

/// Longest client-made ID (message ID, opId).
pub const MAX_CLIENT_ID_CHARS: usize = 64;
/// Most events replayed at login; a client further behind reloads its state instead.
pub const MAX_MISSED_EVENTS: u32 = 1000;

/// A logged-in session: who it is, and which of that user's sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user: UserKey,
    pub session: SessionId,
}

/// A successful login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginGrant {
    pub user: UserKey,
    /// Unix seconds at which the UserSig runs out.
    pub expires_at: i64,
    /// The query string of the user's file URLs until then (docs/protocol.md "Files").
    pub file_query: String,
}

pub struct Service {
    store: Arc<dyn Store>,
    publisher: Arc<Publisher>,
    /// One-to-one sends, committed in groups; `None` if its thread could not start, and then
    /// each send commits on its own.
    sends: Option<GroupCommit>,
    caps: GroupCaps,
    pages: Pages,
}

/// How many conversations one list page holds and how many events one catch-up page: the
/// protocol's limits (`tim_proto::limits::LIST_PAGE`, `CATCH_UP_PAGE`) unless `serve` was given
/// smaller ones (`--list-page`, `--catch-up-page`, for tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pages {
    pub list: u32,
    pub events: u32,
}

impl Default for Pages {
    fn default() -> Self {
        Pages {
            list: tim_proto::limits::LIST_PAGE,
            events: tim_proto::limits::CATCH_UP_PAGE,
        }
    }
}

/// How big groups may get, and in how many one user may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupCaps {
    /// Members of one group, the owner included.
    pub max_members: usize,
    /// Live groups one user is a member of.
    pub max_groups: usize,
}

impl Default for GroupCaps {
    fn default() -> Self {
        let limits = crate::config::Limits::default();
        GroupCaps {
            max_members: limits.max_group_members,
            max_groups: limits.max_groups_per_user,
        }
    }
}

impl Service {
    pub fn new(store: Arc<dyn Store>, hub: Arc<dyn Hub>) -> Self {
        let publisher = Arc::new(Publisher::new(hub));
        let sends = GroupCommit::start(Arc::clone(&store), Arc::clone(&publisher))
            .inspect_err(|e| tracing::error!("no group commit, sends commit one by one: {e}"))
            .ok();
        Service {
            store,
            publisher,
            sends,
            caps: GroupCaps::default(),
            pages: Pages::default(),
        }
    }

    /// The same service with other page sizes (each 1 to the protocol's limit).
    pub fn with_pages(mut self, pages: Pages) -> Self {
        self.pages = Pages {
            list: pages.list.clamp(1, tim_proto::limits::LIST_PAGE),
            events: pages.events.clamp(1, tim_proto::limits::CATCH_UP_PAGE),
        };
        self
    }

    /// Whether concurrent sends keep their order: the group commit takes them in the order
    /// they are submitted (without it each commits on its own, in any order).
    pub fn sends_keep_order(&self) -> bool {
        self.sends.is_some()
    }

    /// The same service with other group caps.
    pub fn with_group_caps(mut self, caps: GroupCaps) -> Self {
        self.caps = caps;
        self
    }

    pub fn hub(&self) -> &Arc<dyn Hub> {
        self.publisher.hub()
    }

    fn publisher(&self) -> &Publisher {
        &self.publisher
    }

    /// Resolves once the pushes of every change committed so far are with the hub (or after
    /// `patience`).
    pub async fn delivered(&self, patience: std::time::Duration) {
        self.publisher.delivered(patience).await;
    }

    /// Runs a storage call on the blocking pool.
    async fn blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> StoreResult<T> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        match tokio::task::spawn_blocking(move || f(store.as_ref())).await {
            Ok(result) => result.map_err(ApiError::from),
            Err(join) => Err(ApiError::internal(join)),
        }
    }

    /// Runs a change that logs events, publishing them in log order (see [`Publisher`]).
    /// `except`: the session that asked, which gets a reply instead of a push.
    async fn commit<T, F>(
        &self,
        sdk_app_id: u64,
        except: Option<SessionId>,
        change: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> StoreResult<(T, Vec<UserEvent>)> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        let publisher = Arc::clone(&self.publisher);
        let job = move || publisher.commit(store.as_ref(), sdk_app_id, except, change);
        match tokio::task::spawn_blocking(job).await {
            Ok(result) => result.map_err(ApiError::from),
            Err(join) => Err(ApiError::internal(join)),
        }
    }

    /// Whether the store answers a cheap read (the health check).
    pub async fn store_reachable(&self) -> Result<(), ApiError> {
        self.blocking(|s| s.app(0).map(|_| ())).await
    }

    /// The app, read from storage on every call (settings are never cached, so a change by
    /// the CLI, REST or the console applies at once).
    pub async fn app(&self, sdk_app_id: u64) -> Result<App, ApiError> {
        self.blocking(move |s| s.app(sdk_app_id))
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::AppNotFound,
                    format!("no app with SDKAppID {sdk_app_id} on this server"),
                )
            })
    }

    /// Checks a login: protocol version, userID, app, UserSig. Records the user if new.
    pub async fn login(
        &self,
        sdk_app_id: u64,
        user_id: &str,
        user_sig: &str,
        protocol: u32,
    ) -> Result<LoginGrant, ApiError> {
        if protocol != PROTOCOL_VERSION {
            return Err(ApiError::new(
                ErrorCode::UnsupportedProtocol,
                format!(
                    "protocol {protocol} is not supported; this server speaks {PROTOCOL_VERSION}"
                ),
            ));
        }
        let files::Verified {
            app,
            user,
            expires_at,
        } = self.verify_user(sdk_app_id, user_id, user_sig).await?;
        let owned = user_id.to_owned();
        let now = unix_now();
        self.blocking(move |s| s.ensure_user(sdk_app_id, &owned, now))
            .await?;
        Ok(LoginGrant {
            file_query: Service::file_query(&app, user_id, expires_at),
            user,
            expires_at,
        })
    }

    /// What a session that just registered with the hub must know from the user's event log:
    /// the newest event number and, with `resume_after`, the first page of what came after it
    /// (`more`: the client asks for the rest with `getMissed`).
    pub async fn catch_up(
        &self,
        user: &UserKey,
        resume_after: Option<u64>,
    ) -> Result<Catchup, ApiError> {
        let (user, page) = (user.clone(), self.pages.events);
        self.blocking(move |s| {
            s.catch_up_page(
                user.sdk_app_id,
                &user.user_id,
                resume_after,
                MAX_MISSED_EVENTS,
                page,
            )
        })
        .await
    }

    /// Every logged event after `after`, unpaged (at most `MAX_MISSED_EVENTS`): what a session
    /// writes as pushes, one frame each, to close a gap (see [`crate::gap_fill`]).
    pub async fn log_after(&self, user: &UserKey, after: u64) -> Result<Catchup, ApiError> {
        let user = user.clone();
        self.blocking(move |s| {
            s.catch_up(
                user.sdk_app_id,
                &user.user_id,
                Some(after),
                MAX_MISSED_EVENTS,
            )
        })
        .await
    }

    /// `getMissed`: the catch-up's next page.
    async fn missed(&self, who: &Identity, after: u64) -> Result<Reply, ApiError> {
        let c = self.catch_up(&who.user, Some(after)).await?;
        Ok(Reply::Missed {
            missed: c.missed,
            more: c.more,
            resync_required: c.resync_required,
        })
    }

    /// Makes a UserSig with the app's key (demo endpoint, CLI).
    pub async fn issue_user_sig(
        &self,
        sdk_app_id: u64,
        user_id: &str,
        expire_secs: i64,
    ) -> Result<String, ApiError> {
        check_user_id("userID", user_id)?;
        let app = self.app(sdk_app_id).await?;
        usersig::generate(
            sdk_app_id,
            &app.secret_key,
            user_id,
            expire_secs,
            unix_now(),
        )
        .map_err(ApiError::internal)
    }

    /// Answers one request of a logged-in session. Login/Logout change session state and are
    /// the gateway's business; here they only get their protocol answers.
    pub async fn handle(&self, who: &Identity, request: Request) -> Result<Reply, ApiError> {
        match request {
            Request::Login { .. } => Err(ApiError::new(
                ErrorCode::RepeatedLogin,
                "already logged in on this connection",
            )),
            Request::Logout => Ok(Reply::Done),
            Request::Ping => Ok(Reply::Pong),
            Request::SendMessage {
                conversation_id,
                id,
                body,
                need_read_receipt,
            } => {
                self.send_message(who, &conversation_id, id, body, need_read_receipt)
                    .await
            }
            Request::GetConversationList => self.conversation_list(who, None).await,
            Request::GetMoreConversations { cursor } => {
                let after = ListKey::decode(&cursor).ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::InvalidParameter,
                        "cursor: not one a conversationList answer gave",
                    )
                })?;
                self.conversation_list(who, Some(after)).await
            }
            Request::GetMissed { after } => self.missed(who, after).await,
            Request::GetConversation { conversation_id } => {
                self.conversation(who, &conversation_id).await
            }
            Request::GetMessageList {
                conversation_id,
                next_req_message_id,
                count,
            } => {
                self.message_list(who, &conversation_id, next_req_message_id, count)
                    .await
            }
            Request::DeleteConversation {
                conversation_id,
                op_id,
                up_to_seq,
            } => {
                self.delete_conversation(who, &conversation_id, op_id, up_to_seq)
                    .await
            }
            Request::CreateGroup {
                group_id,
                name,
                kind,
                member_list,
            } => {
                self.create_group(who, group_id, name, &kind, member_list)
                    .await
            }
            Request::JoinGroup { group_id } => self.join_group(who, &group_id).await,
            Request::QuitGroup { group_id } => self.quit_group(who, &group_id).await,
            Request::DismissGroup { group_id } => self.dismiss_group(who, &group_id).await,
            Request::GetGroupList => self.group_list(who).await,
            Request::GetGroupProfile { group_id } => self.group_profile(who, &group_id).await,
            Request::AddGroupMember { group_id, user_ids } => {
                self.change_members(who, &group_id, user_ids, groups::Change::Add)
                    .await
            }
            Request::DeleteGroupMember { group_id, user_ids } => {
                self.change_members(who, &group_id, user_ids, groups::Change::Remove)
                    .await
            }
            Request::DeleteConversations {
                conversation_ids,
                clear_history,
            } => {
                self.delete_conversations(who, conversation_ids, clear_history)
                    .await
            }
            Request::ClearHistory { conversation_id } => {
                self.clear_history(who, &conversation_id).await
            }
            Request::SetMessageRead { conversation_id } => {
                self.set_message_read(who, &conversation_id).await
            }
            Request::SetAllMessageRead { scope } => self.set_all_message_read(who, scope).await,
            Request::GetMyProfile => self.my_profile(who).await,
            Request::GetUserProfile { user_ids } => self.user_profiles(who, user_ids).await,
            Request::UpdateMyProfile(patch) => self.update_my_profile(who, patch).await,
            Request::GetBlacklist => self.get_blacklist(who).await,
            Request::AddToBlacklist { user_ids } => {
                self.change_blacklist(who, user_ids, BlacklistChange::Add)
                    .await
            }
            Request::RemoveFromBlacklist { user_ids } => {
                self.change_blacklist(who, user_ids, BlacklistChange::Remove)
                    .await
            }
            Request::PinConversation {
                conversation_id,
                pinned,
            } => self.pin_conversation(who, &conversation_id, pinned).await,
            Request::RevokeMessage(m) => self.revoke_message(who, &m.conversation_id, m.id).await,
            Request::ModifyMessage(m) => {
                let body = WireBody::Text {
                    text: m.payload.text,
                };
                let MessageRef {
                    conversation_id,
                    id,
                } = m.message;
                self.modify_message(who, &conversation_id, id, body).await
            }
            Request::DeleteMessage(messages) => self.delete_messages(who, messages).await,
            Request::SendMessageReadReceipt(messages) => {
                self.send_read_receipts(who, messages).await
            }
            Request::GetMessageReadReceiptList(messages) => {
                self.read_receipt_list(who, messages).await
            }
            Request::GetGroupMemberList {
                group_id,
                count,
                offset,
            } => {
                self.group_member_list(who, &group_id, Some((count, offset)), Vec::new())
                    .await
            }
            Request::GetGroupMemberProfile { group_id, user_ids } => {
                self.group_member_list(who, &group_id, None, user_ids).await
            }
            Request::SetGroupMemberRole {
                group_id,
                user_id,
                role,
            } => {
                let admin = groups::admin_role(&role)?;
                let edit = GroupEdit::Role { user_id, admin };
                self.edit_group(who, &group_id, edit).await
            }
            Request::ChangeGroupOwner {
                group_id,
                new_owner_id,
            } => {
                self.edit_group(who, &group_id, GroupEdit::Owner(new_owner_id))
                    .await
            }
            Request::UpdateGroupProfile(patch) => {
                let group_id = patch.group_id.clone();
                self.edit_group(who, &group_id, GroupEdit::Profile(patch))
                    .await
            }
            Request::SetMessageRemindType {
                group_id,
                user_ids,
                remind_type,
            } => {
                self.set_message_remind_type(who, group_id, user_ids, remind_type)
                    .await
            }
        }
    }

    /// Stores a send (one-to-one or to a group) through the group commit, and publishes what
    /// it logged to everyone but the sending session. A retry (Duplicate) logged nothing: the
    /// same answer, nobody pushed twice.
    async fn store_send(&self, who: &Identity, item: SendItem) -> Answer {
        match &self.sends {
            Some(group) => group.send(item, who.session).await,
            None => {
                self.commit(item.sdk_app_id, Some(who.session), move |s| {
                    let mut outcome = s.send_one(&item)?;
                    let events = match &mut outcome {
                        Ok(sent) => sent.take_events(),
                        Err(_) => Vec::new(),
                    };
                    Ok((outcome, events))
                })
                .await
            }
        }
    }

    async fn send_message(
        &self,
        who: &Identity,
        conversation_id: &str,
        msg_id: String,
        body: WireBody,
        need_receipt: bool,
    ) -> Result<Reply, ApiError> {
        validate_client_id("message ID", &msg_id)?;
        let target = parse_conversation_id(conversation_id)?;
        let conv = ConvRef::of(&who.user.user_id, &target);
        let body =
            match &body {
                WireBody::Text { .. } | WireBody::AtText { .. } | WireBody::Custom { .. } => {
                    check_body(&body, matches!(target, ConversationId::Group(_)))?;
                    body
                }
                WireBody::Image { .. } | WireBody::File { .. } => {
                    self.file_body(who, &conv, &body).await?
                }
                WireBody::GroupNotice { .. } => return Err(ApiError::new(
                    ErrorCode::InvalidParameter,
                    "only text, custom, image and file messages can be sent; system notices come \
                     from the server",
                )),
            };
        let message = NewMessage {
            msg_id,
            body,
            time: unix_now(),
            need_receipt,
        };
        let reply =
            match target {
                ConversationId::C2c(_) => self.send_c2c_message(who, conv, message).await?,
                ConversationId::Group(_) => self.send_group_message(who, conv, message).await?,
                ConversationId::System => return Err(ApiError::new(
                    ErrorCode::InvalidParameter,
                    "@TIM#SYSTEM holds system notices from the server; nothing can be sent to it",
                )),
            };
        self.link_sent_file(who, &reply).await?;
        Ok(reply)
    }

    async fn send_c2c_message(
        &self,
        who: &Identity,
        conv: ConvRef,
        message: NewMessage,
    ) -> Result<Reply, ApiError> {
        let item = SendItem {
            sdk_app_id: who.user.sdk_app_id,
            conv: conv.clone(),
            message,
        };
        let outcome = self.store_send(who, item).await?.map_err(|refusal| {
            ApiError::internal(format!("a one-to-one send was refused: {refusal:?}"))
        })?;
        match outcome {
            SendOutcome::Stored { message, .. } | SendOutcome::Duplicate(message) => {
                Ok(Reply::Sent {
                    message: message.wire_in(&conv.conversation_id),
                })
            }
            SendOutcome::IdTaken => Err(ApiError::new(
                ErrorCode::InvalidParameter,
                "message ID already used by another sender in this conversation",
            )),
            SendOutcome::Blocked => Err(ApiError::new(
                ErrorCode::BlockedByPeer,
                format!(
                    "{} blacklisted the sender: the message was not sent",
                    conv.peer
                ),
            )),
        }
    }

    /// One page of the list: the first, or the one after `after` (docs/protocol.md "Paging").
    async fn conversation_list(
        &self,
        who: &Identity,
        after: Option<ListKey>,
    ) -> Result<Reply, ApiError> {
        let (user, limit) = (who.user.clone(), self.pages.list);
        let page = self
            .blocking(move |s| {
                s.conversation_page(user.sdk_app_id, &user.user_id, after.as_ref(), limit)
            })
            .await?;
        let list = page.conversations;
        let conversations = list.iter().map(ConversationView::to_wire).collect();
        let conversations = self.with_user_profiles(who, conversations).await?;
        Ok(Reply::ConversationList {
            conversations: self.with_remind_types(who, conversations).await?,
            cursor: page.next.as_ref().map(ListKey::encode),
        })
    }

    async fn conversation(&self, who: &Identity, conversation_id: &str) -> Result<Reply, ApiError> {
        let conv = conversation_ref(who, conversation_id)?;
        let app = who.user.sdk_app_id;
        let lookup = conv.clone();
        match self.blocking(move |s| s.conversation(app, &lookup)).await? {
            Some(c) => {
                let one = self.with_user_profiles(who, vec![c.to_wire()]).await?;
                let mut one = self.with_remind_types(who, one).await?;
                match one.pop() {
                    Some(conversation) => Ok(Reply::Conversation { conversation }),
                    None => Err(not_found(&conv)),
                }
            }
            None => Err(not_found(&conv)),
        }
    }

    async fn message_list(
        &self,
        who: &Identity,
        conversation_id: &str,
        next_req_message_id: Option<String>,
        count: u32,
    ) -> Result<Reply, ApiError> {
        check_page_count(u64::from(count))?;
        let conv = conversation_ref(who, conversation_id)?;
        let app = who.user.sdk_app_id;
        // An empty nextReqMessageID means "from the newest", as in Tencent's SDK.
        let before = next_req_message_id.filter(|id| !id.is_empty());
        let lookup = conv.clone();
        let anchor = before.clone();
        let outcome = self
            .blocking(move |s| s.messages(app, &lookup, anchor.as_deref(), count))
            .await?;
        match outcome {
            PageOutcome::Page(page) => Ok(Reply::MessageList {
                next_req_message_id: page.next_req_message_id(),
                is_completed: page.is_completed,
                messages: page
                    .messages
                    .iter()
                    .map(|m| m.wire_in(&conv.conversation_id))
                    .collect(),
            }),
            PageOutcome::UnknownAnchor => Err(ApiError::new(
                ErrorCode::MessageNotFound,
                format!(
                    "nextReqMessageID {:?} is not a message of {}",
                    before.unwrap_or_default(),
                    conv.conversation_id
                ),
            )),
        }
    }
}

/// Parses a conversation ID of the caller: `C2C<userID>`, `GROUP<groupID>` or `@TIM#SYSTEM`.
fn conversation_ref(who: &Identity, conversation_id: &str) -> Result<ConvRef, ApiError> {
    let id = parse_conversation_id(conversation_id)?;
    Ok(ConvRef::of(&who.user.user_id, &id))
}

/// 2503 for anything but `C2C<userID>`, `GROUP<groupID>` or `@TIM#SYSTEM`.
fn parse_conversation_id(conversation_id: &str) -> Result<ConversationId, ApiError> {
    ConversationId::parse(conversation_id).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidConversationId,
            format!("invalid conversationID {conversation_id:?}: {e}"),
        )
    })
}

fn not_found(conv: &ConvRef) -> ApiError {
    ApiError::new(
        ErrorCode::ConversationNotFound,
        format!("no conversation {}", conv.conversation_id),
    )
}

/// IDs made by clients (message IDs, opIds): 1 to 64 characters of `A-Z a-z 0-9 _ -`; 2100
/// otherwise. `what` names the argument in the message.
fn validate_client_id(what: &str, id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_CLIENT_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("{what} must be 1 to {MAX_CLIENT_ID_CHARS} characters of A-Z a-z 0-9 _ -"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_checked() {
        for ok in ["a", "msg-1_X", &"z".repeat(64)] {
            assert!(validate_client_id("opId", ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "é", "a.b", &"z".repeat(65)] {
            assert_eq!(
                validate_client_id("opId", bad).map_err(|e| e.code),
                Err(ErrorCode::InvalidParameter),
                "{bad}"
            );
        }
    }
}
