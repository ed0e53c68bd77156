//! deleteConversation, one conversation or a batch: the deletion reaches the user's other
//! sessions when the app syncs deletions.
//!
//! The single form may carry an opId (applied once: a repeat gets the first answer and changes
//! nothing) and an upToSeq (only messages at or below it are deleted; newer ones keep the
//! conversation in the list). That is what a client's outbox of deletions made offline sends.

use super::{batch, conversation_ref, not_found, once, validate_client_id, Identity, Service};
use crate::clock::unix_now;
use crate::error::ApiError;
use crate::hub::SessionId;
use crate::store::{ConvRef, DeleteMode, DeleteOutcome, Once, OpRecord};
use tim_proto::Reply;

impl Service {
    pub(super) async fn delete_conversation(
        &self,
        who: &Identity,
        conversation_id: &str,
        op_id: Option<String>,
        up_to_seq: Option<u64>,
    ) -> Result<Reply, ApiError> {
        let conv = conversation_ref(who, conversation_id)?;
        if let Some(op_id) = &op_id {
            validate_client_id("opId", op_id)?;
        }
        let app = who.user.sdk_app_id;
        let target = conv.clone();
        let op = op_id.clone();
        let done = self
            .commit(app, Some(who.session), move |s| {
                let record = |o: &DeleteOutcome| once::record(&answer(&target, o));
                let request = format!("deleteConversation {}", target.conversation_id);
                let op = op.as_deref().map(|op_id| OpRecord {
                    op_id,
                    request: &request,
                    answer: &record,
                });
                let mut done = s.delete_up_to(app, &target, up_to_seq, op.as_ref(), unix_now())?;
                let events = match &mut done {
                    Once::Applied(outcome) => outcome.take_events(),
                    Once::Repeated(_) | Once::Conflict => Vec::new(),
                };
                Ok((done, events))
            })
            .await?;
        match done {
            Once::Applied(outcome) => answer(&conv, &outcome),
            Once::Repeated(recorded) => {
                tracing::debug!(op_id = ?op_id, "repeated opId answered as recorded");
                once::replay(recorded)
            }
            Once::Conflict => Err(once::conflict(op_id.as_deref().unwrap_or_default())),
        }
    }

    /// Deletes `conv` for its owner; the deletion reaches the owner's other sessions (all but
    /// `except`) when the app syncs deletions. Returns the newest seq the deletion covers (the
    /// new watermark with [`DeleteMode::ClearHistory`]); 2500 when there is nothing to delete.
    pub(super) async fn delete_as(
        &self,
        sdk_app_id: u64,
        except: Option<SessionId>,
        conv: ConvRef,
        mode: DeleteMode,
    ) -> Result<u64, ApiError> {
        let target = conv.clone();
        let outcome = self
            .commit(sdk_app_id, except, move |s| {
                let mut outcome = s.delete_conversation(sdk_app_id, &target, mode, unix_now())?;
                let events = outcome.take_events();
                Ok((outcome, events))
            })
            .await?;
        match outcome {
            DeleteOutcome::Deleted { through_seq, .. } => Ok(through_seq),
            DeleteOutcome::NotFound => Err(not_found(&conv)),
        }
    }

    /// The batch form: a list refused whole (2100) changes nothing; an accepted one is applied
    /// in one transaction and answered with one outcome per ID, even when none was deleted
    /// (the SDK turns that into its 2500). `clear_history` false keeps the history on the server:
    /// only the list entries go.
    pub(super) async fn delete_conversations(
        &self,
        who: &Identity,
        conversation_ids: Vec<String>,
        clear_history: bool,
    ) -> Result<Reply, ApiError> {
        let plan = batch::plan(who, conversation_ids)?;
        let mode = if clear_history {
            DeleteMode::ClearHistory
        } else {
            DeleteMode::KeepHistory
        };
        let convs = plan.convs();
        let app = who.user.sdk_app_id;
        let outcomes = if convs.is_empty() {
            Vec::new()
        } else {
            self.commit(app, Some(who.session), move |s| {
                let mut outcomes = s.delete_conversations(app, &convs, mode, unix_now())?;
                let events = outcomes
                    .iter_mut()
                    .flat_map(DeleteOutcome::take_events)
                    .collect();
                Ok((outcomes, events))
            })
            .await?
        };
        Ok(Reply::ConversationsDeleted {
            results: plan.results(outcomes)?,
        })
    }
}

/// A single deletion's answer: the watermark written, or 2500.
fn answer(conv: &ConvRef, outcome: &DeleteOutcome) -> Result<Reply, ApiError> {
    match outcome {
        DeleteOutcome::Deleted { through_seq, .. } => Ok(Reply::ConversationDeleted {
            conversation_id: conv.conversation_id.clone(),
            cleared_seq: *through_seq,
        }),
        DeleteOutcome::NotFound => Err(not_found(conv)),
    }
}
