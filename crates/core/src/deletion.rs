//! The single form of deleteConversation as decisions: whether it can go to the server, be kept
//! for later (offline, or its answer lost), or must be refused. The SDK layer only does what is
//! decided here (writes the outbox entry, sends, applies the change locally).

use crate::batch::BatchDeleted;
use crate::error::SdkError;
use crate::outbox::is_transient;
use crate::tab_note::TabNote;
use tim_proto::frame::{DeleteOutcome, DeleteResult};
use tim_proto::{ErrorCode, Reply};

/// What the caller knows before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Situation {
    pub connected: bool,
    /// The conversation is in the local list.
    pub known_locally: bool,
    /// Deletions may be kept for later: `offlineDeletion` is on and there is a local cache.
    pub can_keep: bool,
}

/// Before an outbox entry is made: offline, a deletion can only be kept for a conversation the
/// local list has (the server cannot be asked whether it exists).
pub fn refuse_before_entry(s: Situation, id: &str) -> Option<SdkError> {
    if !s.connected && !s.known_locally && s.can_keep {
        let mut message = String::from(id);
        message.push_str(" is not in the local conversation list");
        return Some(SdkError::new(ErrorCode::ConversationNotFound, message));
    }
    None
}

/// What to do next, once the outbox entry was made (`has_entry`) or not.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Send the request.
    Send,
    /// Apply it locally now, send it on reconnect; resolve `pending: true`.
    Pending,
    Refuse(SdkError),
}

pub fn next(s: Situation, has_entry: bool) -> Next {
    match (s.connected, has_entry) {
        (true, _) => Next::Send,
        (false, true) => Next::Pending,
        (false, false) => Next::Refuse(SdkError::new(
            ErrorCode::NoNetwork,
            "not connected to the server",
        )),
    }
}

/// What the server's answer means.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Deleted up to this watermark: drop the outbox entry, apply, tell the other tabs.
    Deleted { cleared_seq: u64 },
    /// The answer was lost and the entry kept: apply locally, replay on reconnect.
    Pending,
    /// Refused (or not understood): drop the outbox entry and reject with this error.
    Failed(SdkError),
}

pub fn outcome(result: Result<Reply, SdkError>, has_entry: bool) -> Outcome {
    match result {
        Ok(Reply::ConversationDeleted { cleared_seq, .. }) => Outcome::Deleted { cleared_seq },
        Err(e) if is_transient(e.code) && has_entry => Outcome::Pending,
        Err(e) => Outcome::Failed(e),
        Ok(reply) => {
            let mut message = String::from("unexpected reply from the server: ");
            message.push_str(reply.kind());
            Outcome::Failed(SdkError::new(ErrorCode::Internal, message))
        }
    }
}

/// The server says a conversation does not exist: a local entry for it is stale and goes.
#[inline]
pub fn forgets(e: &SdkError) -> bool {
    e.code == ErrorCode::ConversationNotFound
}

/// One local step of a batch deletion's answer, in the server's order.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchStep {
    /// Deleted: apply here and tell the other tabs.
    Share(TabNote),
    /// Not in the user's list on the server: drop the stale local entry.
    Forget(String),
}

/// The batch form's answer: its local steps (given to `step`, in order) and what the call
/// resolves (or rejects) with. `invalid`: the caller's strings that were not conversation IDs,
/// with why.
#[inline]
pub fn batch_steps(
    results: Vec<DeleteResult>,
    clear_history: bool,
    invalid: Vec<(String, SdkError)>,
    mut step: impl FnMut(BatchStep),
) -> BatchDeleted {
    let mut deleted = Vec::new();
    let mut failed = invalid;
    for r in results {
        let id = r.conversation_id;
        match r.outcome {
            DeleteOutcome::Deleted => {
                step(BatchStep::Share(if clear_history {
                    TabNote::Deleted {
                        conversation_id: id.clone(),
                        cleared_seq: r.cleared_seq,
                    }
                } else {
                    // History kept on the server: only the entry goes, no watermark.
                    TabNote::Removed {
                        conversation_id: id.clone(),
                    }
                }));
                deleted.push(id);
            }
            DeleteOutcome::NotFound => {
                step(BatchStep::Forget(id.clone()));
                failed.push((
                    id,
                    SdkError::new(
                        ErrorCode::ConversationNotFound,
                        "not in the conversation list",
                    ),
                ));
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
    BatchDeleted::new(deleted, &failed)
}

/// Resolves with the data, or rejects 2500 (with the same data) when nothing was deleted.
#[inline]
pub fn batch_answer(data: BatchDeleted) -> Result<BatchDeleted, SdkError> {
    if data.deleted.is_empty() {
        return Err(SdkError::new(
            ErrorCode::ConversationNotFound,
            "no conversation of conversationIDList was deleted",
        )
        .with_data(data));
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(connected: bool, known_locally: bool, can_keep: bool) -> Situation {
        Situation {
            connected,
            known_locally,
            can_keep,
        }
    }

    #[test]
    fn offline_only_known_conversations_are_kept() {
        let refused = refuse_before_entry(at(false, false, true), "C2Cbob").expect("refused");
        assert_eq!(refused.code, ErrorCode::ConversationNotFound);
        assert!(refused.message.contains("C2Cbob"));
        assert_eq!(refuse_before_entry(at(false, true, true), "C2Cbob"), None);
        assert_eq!(refuse_before_entry(at(true, false, true), "C2Cbob"), None);
        // offlineDeletion: false (or no cache): the network error comes later, from `next`.
        assert_eq!(refuse_before_entry(at(false, false, false), "C2Cbob"), None);
    }

    #[test]
    fn offline_with_an_entry_is_pending_without_one_a_network_error() {
        assert_eq!(next(at(true, true, true), true), Next::Send);
        assert_eq!(next(at(true, false, false), false), Next::Send);
        assert_eq!(next(at(false, true, true), true), Next::Pending);
        match next(at(false, true, false), false) {
            Next::Refuse(e) => assert_eq!(e.code, ErrorCode::NoNetwork),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_lost_answer_is_pending_only_when_kept() {
        let deleted = Reply::ConversationDeleted {
            conversation_id: "C2Cbob".into(),
            cleared_seq: 7,
        };
        assert_eq!(
            outcome(Ok(deleted), true),
            Outcome::Deleted { cleared_seq: 7 }
        );
        let lost = || SdkError::new(ErrorCode::NetworkError, "closed");
        assert_eq!(outcome(Err(lost()), true), Outcome::Pending);
        assert_eq!(outcome(Err(lost()), false), Outcome::Failed(lost()));
        let refused = SdkError::new(ErrorCode::ConversationNotFound, "no");
        assert_eq!(
            outcome(Err(refused.clone()), true),
            Outcome::Failed(refused)
        );
        match outcome(Ok(Reply::Pong), true) {
            Outcome::Failed(e) => assert_eq!(e.code, ErrorCode::Internal),
            other => panic!("{other:?}"),
        }
    }

    fn result(id: &str, outcome: DeleteOutcome, cleared_seq: u64) -> DeleteResult {
        DeleteResult {
            conversation_id: id.into(),
            outcome,
            cleared_seq,
        }
    }

    #[test]
    fn a_batch_answer_shares_deletions_and_forgets_what_the_server_does_not_have() {
        let invalid = vec![("bad".to_string(), SdkError::invalid("not an ID"))];
        let results = vec![
            result("C2Ca", DeleteOutcome::Deleted, 4),
            result("C2Cb", DeleteOutcome::NotFound, 0),
            result("C2Cc", DeleteOutcome::Invalid, 0),
        ];
        let mut steps = Vec::new();
        let data = batch_steps(results.clone(), true, invalid.clone(), |s| steps.push(s));
        assert_eq!(
            steps,
            vec![
                BatchStep::Share(TabNote::Deleted {
                    conversation_id: "C2Ca".into(),
                    cleared_seq: 4
                }),
                BatchStep::Forget("C2Cb".into()),
            ]
        );
        assert_eq!(data.deleted, vec!["C2Ca".to_string()]);
        let codes: Vec<(&str, u32)> = data
            .failed
            .iter()
            .map(|f| (f.conversation_id.as_str(), f.code))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("bad", ErrorCode::InvalidParameter.as_u32()),
                ("C2Cb", ErrorCode::ConversationNotFound.as_u32()),
                ("C2Cc", ErrorCode::InvalidConversationId.as_u32()),
            ]
        );
        assert!(batch_answer(data).is_ok());
        // History kept: the entry goes without a watermark.
        let mut steps = Vec::new();
        batch_steps(results, false, Vec::new(), |s| steps.push(s));
        assert_eq!(
            steps[0],
            BatchStep::Share(TabNote::Removed {
                conversation_id: "C2Ca".into()
            })
        );
    }

    #[test]
    fn a_batch_that_deleted_nothing_rejects_2500_with_its_data() {
        let data = batch_steps(
            vec![result("C2Cb", DeleteOutcome::NotFound, 0)],
            true,
            Vec::new(),
            |_| {},
        );
        let e = batch_answer(data.clone()).expect_err("nothing deleted");
        assert_eq!(e.code, ErrorCode::ConversationNotFound);
        assert!(forgets(&e));
        assert!(!forgets(&SdkError::new(ErrorCode::NetworkError, "x")));
    }
}
