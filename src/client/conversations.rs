//! getConversationList, getConversationProfile, setMessageRead and deleteConversation.

use super::{unexpected, Inner, Outcome};
use crate::js::{Json, Object};
use serde_json::Value;
use std::rc::Rc;
use tim_core::args::{self, BatchDelete, DeleteArg};
use tim_core::deletion;
use tim_core::shapes::Conversation;
use tim_core::tab_note::TabNote;
use tim_core::SdkError;
use tim_proto::{ErrorCode, Reply, Request};

impl Inner {
    /// From the SDK's own list, as the documented SDK answers: loaded from the server at login
    /// and after a reconnect that had to resync, and kept current by pushes. So a deletion made
    /// on another device with the app's sync setting off is not seen here until the next login.
    /// `isSyncCompleted` says whether the list has caught up with the server since this login
    /// (false while an offline start shows only the cache).
    pub async fn get_conversation_list(self: Rc<Self>) -> Outcome {
        self.check_ready()?;
        let s = self.session();
        let list = s.state.as_ref().map(|s| s.list()).unwrap_or_default();
        Ok(list_reply(&list, s.list_synced))
    }

    pub async fn delete_conversation(self: Rc<Self>, arg: Value) -> Outcome {
        self.check_ready()?;
        match args::delete_arg(&arg)? {
            DeleteArg::One(id) => self.delete_one(id.to_string()).await,
            DeleteArg::Batch(batch) => self.delete_batch(batch).await,
        }
    }

    /// The single form. The outbox entry (with its opId and the newest message seen) is written
    /// first; the request carries both, so a lost answer is replayed on reconnect and applied
    /// exactly once, and never deletes messages the user had not seen. Offline, or when the
    /// answer is lost, the deletion applies locally at once and resolves with `pending: true`;
    /// `offlineDeletion: false` gives the network error instead. A deletion is in the cache
    /// before the call resolves (a page closed right after must not bring it back from there).
    async fn delete_one(self: &Rc<Self>, id: String) -> Outcome {
        let situation = deletion::Situation {
            connected: self.session().conn.is_some(),
            known_locally: self
                .session
                .borrow()
                .state
                .as_ref()
                .is_some_and(|s| s.contains(&id)),
            can_keep: self.options.offline_deletion && self.cache().is_some(),
        };
        if let Some(e) = deletion::refuse_before_entry(situation, &id) {
            return Err(e);
        }
        let entry = self.outbox_entry(&id).await;
        let outcome = match (deletion::next(situation, entry.is_some()), &entry) {
            (deletion::Next::Send, _) => {
                let result = self
                    .request(Request::DeleteConversation {
                        conversation_id: id.clone(),
                        op_id: entry.as_ref().map(|e| e.op_id.clone()),
                        up_to_seq: entry.as_ref().and_then(|e| e.up_to_seq),
                    })
                    .await;
                deletion::outcome(result, entry.is_some())
            }
            (deletion::Next::Pending, Some(_)) => deletion::Outcome::Pending,
            (deletion::Next::Refuse(e), _) => return Err(e),
            (deletion::Next::Pending, None) => {
                return Err(SdkError::new(
                    ErrorCode::NoNetwork,
                    "not connected to the server",
                ))
            }
        };
        let reply = match (outcome, &entry) {
            (deletion::Outcome::Pending, Some(entry)) => {
                // Kept, not confirmed: applied here and in the other tabs now; the outbox sends
                // it later.
                self.apply_and_share(TabNote::Deleted {
                    conversation_id: id.clone(),
                    cleared_seq: entry.up_to_seq.unwrap_or(0),
                });
                pending_reply(&id)
            }
            (outcome, entry) => {
                if let Some(entry) = entry {
                    self.outbox_done(entry).await;
                }
                match outcome {
                    deletion::Outcome::Deleted { cleared_seq } => {
                        self.apply_and_share(TabNote::Deleted {
                            conversation_id: id.clone(),
                            cleared_seq,
                        });
                        self.refresh(&id, true).await;
                        id_reply(&id)
                    }
                    // Only with an outbox entry (see `deletion::outcome`), answered above.
                    deletion::Outcome::Pending => pending_reply(&id),
                    deletion::Outcome::Failed(e) => {
                        self.forget_if_not_found(&id, &e);
                        return Err(e);
                    }
                }
            }
        };
        // In the cache before the call resolves.
        self.persist_now().await;
        Ok(reply)
    }

    /// One conversation as the server has it now; gone if the server no longer lists it.
    /// `only_kept` (a deletion covered less than the newest message held here: made offline, or
    /// raced a new message): only if the entry stayed here, for its unread count and last
    /// message, which neither the reply nor the push carries. Otherwise: one a push changed
    /// while the list came in pages (see `load_list`).
    pub(super) async fn refresh(self: &Rc<Self>, id: &str, only_kept: bool) {
        let kept = self
            .session
            .borrow()
            .state
            .as_ref()
            .is_some_and(|s| s.contains(id));
        if only_kept && !kept {
            return;
        }
        let asked = Request::GetConversation {
            conversation_id: id.to_owned(),
        };
        match self.request_idempotent(asked).await {
            Ok(Reply::Conversation { conversation }) => {
                self.with_state(|state, events| events.note(state.upsert(conversation)));
            }
            Ok(_) => {}
            Err(e) => self.forget_if_not_found(id, &e),
        }
    }

    /// One round trip for the whole batch; resolves with the IDs deleted and a failure per other
    /// ID, or rejects 2500 (with the same data) when nothing was deleted.
    async fn delete_batch(self: &Rc<Self>, batch: BatchDelete) -> Outcome {
        let reply = self
            .request(Request::DeleteConversations {
                conversation_ids: batch.valid.iter().map(ToString::to_string).collect(),
                clear_history: batch.clear_history,
            })
            .await?;
        let Reply::ConversationsDeleted { results } = reply else {
            return Err(unexpected(&reply));
        };
        let data =
            deletion::batch_steps(
                results,
                batch.clear_history,
                batch.invalid,
                |step| match step {
                    deletion::BatchStep::Share(note) => self.apply_and_share(note),
                    deletion::BatchStep::Forget(id) => self.forget(&id),
                },
            );
        self.persist_now().await;
        Ok(crate::js::to_js(&deletion::batch_answer(data)?))
    }

    /// The server says a conversation does not exist: a local entry for it is stale, drop it.
    fn forget_if_not_found(self: &Rc<Self>, id: &str, e: &SdkError) {
        if deletion::forgets(e) {
            self.forget(id);
        }
    }

    fn forget(self: &Rc<Self>, id: &str) {
        self.with_state(|state, events| events.note(state.remove(id)));
    }
}

/// `{ conversationList, isSyncCompleted }`.
fn list_reply(list: &[Conversation], synced: bool) -> Json {
    Object::new()
        .field("conversationList", list)
        .field("isSyncCompleted", &synced)
        .end()
}

/// `{ conversationID }`.
fn id_reply(id: &str) -> Json {
    Object::new().field("conversationID", id).end()
}

/// `{ conversationID, pending: true }`: deleted here, the outbox sends it later.
fn pending_reply(id: &str) -> Json {
    Object::new()
        .field("conversationID", id)
        .field("pending", &true)
        .end()
}
