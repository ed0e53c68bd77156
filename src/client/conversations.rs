//! getConversationList, getConversationProfile, setMessageRead and deleteConversation.

use super::{unexpected, Inner, Outcome, Session};
use serde_json::{json, Value};
use std::rc::Rc;
use tim_core::args::{self, BatchDelete, DeleteArg};
use tim_core::outbox::is_transient;
use tim_core::shapes::Conversation;
use tim_core::tab_note::TabNote;
use tim_core::SdkError;
use tim_proto::frame::DeleteOutcome;
use tim_proto::{ErrorCode, Reply, Request};

impl Inner {
    pub async fn get_conversation_list(self: Rc<Self>) -> Outcome {
        self.check_ready()?;
        let reply = self.request(Request::GetConversationList).await?;
        let Reply::ConversationList { conversations } = reply else {
            return Err(unexpected(&reply));
        };
        let list = {
            let mut s = self.session.borrow_mut();
            let Session { state, events, .. } = &mut *s;
            let state = state.as_mut().ok_or_else(|| {
                SdkError::new(ErrorCode::NotReadyLoggedOut, "logged out meanwhile")
            })?;
            events.note(state.replace_all(conversations));
            state.list()
        };
        self.schedule_dispatch();
        Ok(json!({ "conversationList": list, "isSyncCompleted": true }))
    }

    pub async fn get_conversation_profile(self: Rc<Self>, id: Value) -> Outcome {
        self.check_ready()?;
        let id = args::conversation_id(&id)?.to_string();
        let result = self
            .request(Request::GetConversation {
                conversation_id: id.clone(),
            })
            .await;
        let conversation = match result {
            Ok(Reply::Conversation { conversation }) => conversation,
            Ok(other) => return Err(unexpected(&other)),
            Err(e) => {
                self.forget_if_not_found(&id, &e);
                return Err(e);
            }
        };
        let shaped = Conversation::from_wire(&conversation);
        self.with_state(|state, events| events.note(state.upsert(conversation)));
        Ok(json!({ "conversation": shaped }))
    }

    pub async fn set_message_read(self: Rc<Self>, options: Value) -> Outcome {
        self.check_ready()?;
        let id = args::conversation_id_field(&options)?.to_string();
        let result = self
            .request(Request::SetMessageRead {
                conversation_id: id.clone(),
            })
            .await;
        match result {
            Ok(Reply::Done) => {}
            Ok(other) => return Err(unexpected(&other)),
            Err(e) => {
                self.forget_if_not_found(&id, &e);
                return Err(e);
            }
        }
        self.apply_and_share(TabNote::Read {
            conversation_id: id,
        });
        Ok(json!({}))
    }

    pub async fn delete_conversation(self: Rc<Self>, arg: Value) -> Outcome {
        self.check_ready()?;
        match args::delete_arg(&arg)? {
            DeleteArg::One(id) => self.delete_one(id.to_string()).await,
            DeleteArg::Batch(batch) => self.delete_batch(batch).await,
        }
    }

    /// The single form. Online: the outbox entry is written first, so a lost answer (connection
    /// dropped mid-request) still ends in exactly one deletion, replayed on reconnect. Offline:
    /// applied locally at once and kept for the server. Both resolve with `pending: true` when
    /// the server has not confirmed yet; `offlineDeletion: false` gives the network error instead.
    async fn delete_one(self: Rc<Self>, id: String) -> Outcome {
        let offline_ok = self.options.offline_deletion && self.cache().is_some();
        let connected = self.session.borrow().conn.is_some();
        if !connected {
            if !offline_ok {
                return Err(SdkError::new(
                    ErrorCode::NoNetwork,
                    "not connected to the server",
                ));
            }
            self.delete_offline(id.clone()).await?;
            return Ok(json!({ "conversationID": id, "pending": true }));
        }
        let result = self.request(Request::delete(id.clone())).await;
        let cleared_seq = match result {
            Ok(Reply::ConversationDeleted { cleared_seq, .. }) => cleared_seq,
            Ok(other) => return Err(unexpected(&other)),
            Err(e) if offline_ok && is_transient(e.code) => {
                // The answer was lost: keep the deletion and replay it.
                self.delete_offline(id.clone()).await?;
                return Ok(json!({ "conversationID": id, "pending": true }));
            }
            Err(e) => {
                self.forget_if_not_found(&id, &e);
                return Err(e);
            }
        };
        self.apply_and_share(TabNote::Deleted {
            conversation_id: id.clone(),
            cleared_seq,
        });
        Ok(json!({ "conversationID": id }))
    }

    /// One round trip for the whole batch; resolves with the IDs deleted and a failure per other
    /// ID, or rejects 2500 (with the same data) when nothing was deleted.
    async fn delete_batch(self: Rc<Self>, batch: BatchDelete) -> Outcome {
        let reply = self
            .request(Request::DeleteConversations {
                conversation_ids: batch.valid.iter().map(ToString::to_string).collect(),
                clear_history: batch.clear_history,
            })
            .await?;
        let Reply::ConversationsDeleted { results } = reply else {
            return Err(unexpected(&reply));
        };
        let mut deleted = Vec::new();
        let mut failed = batch.invalid;
        for r in results {
            let id = r.conversation_id;
            match r.outcome {
                DeleteOutcome::Deleted => {
                    self.apply_and_share(if batch.clear_history {
                        TabNote::Deleted {
                            conversation_id: id.clone(),
                            cleared_seq: r.cleared_seq,
                        }
                    } else {
                        // History kept on the server: only the entry goes, no watermark.
                        TabNote::Removed {
                            conversation_id: id.clone(),
                        }
                    });
                    deleted.push(id);
                }
                DeleteOutcome::NotFound => {
                    let e = SdkError::new(
                        ErrorCode::ConversationNotFound,
                        "not in the conversation list",
                    );
                    self.forget_if_not_found(&id, &e);
                    failed.push((id, e));
                }
                DeleteOutcome::Invalid => failed.push((
                    id,
                    SdkError::new(
                        ErrorCode::InvalidConversationId,
                        "the server refused this conversationID",
                    ),
                )),
            }
        }
        let data = json!({
            "conversationIDList": deleted,
            "failedList": args::failed_list(&failed),
        });
        if deleted.is_empty() {
            return Err(SdkError::new(
                ErrorCode::ConversationNotFound,
                "no conversation of conversationIDList was deleted",
            )
            .with_data(data));
        }
        Ok(data)
    }

    pub async fn clear_history_message(self: Rc<Self>, id: Value) -> Outcome {
        self.check_ready()?;
        let id = args::conversation_id(&id)?.to_string();
        let result = self
            .request(Request::ClearHistory {
                conversation_id: id.clone(),
            })
            .await;
        let cleared_seq = match result {
            Ok(Reply::HistoryCleared { cleared_seq, .. }) => cleared_seq,
            Ok(other) => return Err(unexpected(&other)),
            Err(e) => {
                self.forget_if_not_found(&id, &e);
                return Err(e);
            }
        };
        self.apply_and_share(TabNote::HistoryCleared {
            conversation_id: id.clone(),
            cleared_seq,
        });
        Ok(json!({ "conversationID": id }))
    }

    /// The server says a conversation does not exist: a local entry for it is stale, drop it.
    fn forget_if_not_found(self: &Rc<Self>, id: &str, e: &SdkError) {
        if e.code == ErrorCode::ConversationNotFound {
            self.with_state(|state, events| events.note(state.remove(id)));
        }
    }
}
