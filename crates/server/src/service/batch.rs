//! The batch form of deleteConversation: which lists are refused outright, and the one outcome
//! per ID, in request order, that an accepted list gets.
//!
//! A list is refused whole (2100, nothing changed, never truncated) when it is empty, longer than
//! [`tim_proto::limits::MAX_BATCH_DELETE`], or names an ID twice. Otherwise every ID gets an outcome: `invalid` for
//! a string that is no conversation ID, `notFound` for one that is not in the user's list,
//! `deleted` for the rest (C2C, GROUP and `@TIM#SYSTEM` alike).

use super::Identity;
use crate::error::ApiError;
use crate::store::{ConvRef, DeleteOutcome};
use std::collections::HashSet;
use tim_proto::frame::{DeleteOutcome as WireOutcome, DeleteResult};
use tim_proto::rules::check_batch_delete_len;
use tim_proto::{ConversationId, ErrorCode};

/// What one requested ID turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// Not a conversation ID.
    Invalid,
    /// A conversation of the caller: the store decides.
    Conv(ConvRef),
}

/// An accepted batch: the IDs as requested and what each one names.
#[derive(Debug)]
pub(super) struct Plan {
    entries: Vec<(String, Target)>,
}

/// Checks the list as a whole, then reads each ID.
pub(super) fn plan(who: &Identity, ids: Vec<String>) -> Result<Plan, ApiError> {
    let refuse = |why: String| Err(ApiError::new(ErrorCode::InvalidParameter, why));
    check_batch_delete_len(ids.len())?;
    let mut seen = HashSet::with_capacity(ids.len());
    if let Some(twice) = ids.iter().find(|id| !seen.insert(id.as_str())) {
        return refuse(format!(
            "conversationIDList names {twice:?} more than once (nothing was deleted)"
        ));
    }
    let entries = ids
        .into_iter()
        .map(|id| {
            let target = match ConversationId::parse(&id) {
                Ok(parsed) => Target::Conv(ConvRef::of(&who.user.user_id, &parsed)),
                Err(_) => Target::Invalid,
            };
            (id, target)
        })
        .collect();
    Ok(Plan { entries })
}

impl Plan {
    /// The conversations for the store, in request order.
    pub(super) fn convs(&self) -> Vec<ConvRef> {
        self.entries
            .iter()
            .filter_map(|(_, t)| match t {
                Target::Conv(conv) => Some(conv.clone()),
                Target::Invalid => None,
            })
            .collect()
    }

    /// One result per requested ID, in request order; `outcomes` are the store's answers for
    /// [`Plan::convs`], in the same order.
    pub(super) fn results(
        self,
        outcomes: Vec<DeleteOutcome>,
    ) -> Result<Vec<DeleteResult>, ApiError> {
        let expected = outcomes.len();
        let mut outcomes = outcomes.into_iter();
        let mut results = Vec::with_capacity(self.entries.len());
        for (conversation_id, target) in self.entries {
            let (outcome, cleared_seq) = match target {
                Target::Invalid => (WireOutcome::Invalid, 0),
                Target::Conv(_) => match outcomes.next() {
                    Some(DeleteOutcome::Deleted { through_seq, .. }) => {
                        (WireOutcome::Deleted, through_seq)
                    }
                    Some(DeleteOutcome::NotFound) => (WireOutcome::NotFound, 0),
                    None => {
                        return Err(ApiError::internal(format!(
                            "the store answered {expected} deletions for a longer batch"
                        )))
                    }
                },
            };
            results.push(DeleteResult {
                conversation_id,
                outcome,
                cleared_seq,
            });
        }
        if outcomes.next().is_some() {
            return Err(ApiError::internal(
                "the store answered more deletions than asked",
            ));
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::{SessionId, UserKey};
    use tim_proto::limits::MAX_BATCH_DELETE;

    fn alice() -> Identity {
        Identity {
            user: UserKey {
                sdk_app_id: 1,
                user_id: "alice".into(),
            },
            session: SessionId(1),
        }
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn refused(list: Vec<String>) -> String {
        let e = plan(&alice(), list).expect_err("refused");
        assert_eq!(e.code, ErrorCode::InvalidParameter);
        e.message
    }

    #[test]
    fn empty_oversized_and_repeating_lists_are_refused_whole() {
        assert!(refused(vec![]).contains("empty"));
        let many: Vec<String> = (0..=MAX_BATCH_DELETE).map(|i| format!("C2Cu{i}")).collect();
        assert!(refused(many).contains("101 IDs"));
        let twice = refused(ids(&["C2Cbob", "C2Ccarol", "C2Cbob"]));
        assert!(twice.contains("\"C2Cbob\" more than once"), "{twice}");
        let exactly: Vec<String> = (0..MAX_BATCH_DELETE).map(|i| format!("C2Cu{i}")).collect();
        assert_eq!(
            plan(&alice(), exactly).expect("100 is fine").convs().len(),
            100
        );
    }

    #[test]
    fn every_id_gets_an_outcome_in_request_order() {
        let p = plan(
            &alice(),
            ids(&[
                "C2Cbob",
                "nonsense",
                "GROUPg1",
                "C2Ccarol",
                "@TIM#SYSTEM",
                "C2C",
            ]),
        )
        .expect("accepted");
        let convs = p.convs();
        assert_eq!(
            convs
                .iter()
                .map(|c| c.conversation_id.as_str())
                .collect::<Vec<_>>(),
            ["C2Cbob", "GROUPg1", "C2Ccarol", "@TIM#SYSTEM"]
        );
        assert_eq!(convs[0].owner, "alice");
        assert_eq!(convs[1].conv_key, "group#g1");
        assert_eq!(convs[3].conv_key, "system#alice");
        let results = p
            .results(vec![
                DeleteOutcome::NotFound,
                DeleteOutcome::NotFound,
                DeleteOutcome::Deleted {
                    through_seq: 4,
                    event: None,
                    unpinned: None,
                },
                DeleteOutcome::Deleted {
                    through_seq: 2,
                    event: None,
                    unpinned: None,
                },
            ])
            .expect("results");
        let got: Vec<(&str, WireOutcome, u64)> = results
            .iter()
            .map(|r| (r.conversation_id.as_str(), r.outcome, r.cleared_seq))
            .collect();
        assert_eq!(
            got,
            [
                ("C2Cbob", WireOutcome::NotFound, 0),
                ("nonsense", WireOutcome::Invalid, 0),
                ("GROUPg1", WireOutcome::NotFound, 0),
                ("C2Ccarol", WireOutcome::Deleted, 4),
                ("@TIM#SYSTEM", WireOutcome::Deleted, 2),
                ("C2C", WireOutcome::Invalid, 0),
            ]
        );
    }

    #[test]
    fn a_store_answer_of_the_wrong_length_is_an_internal_error() {
        let p = || plan(&alice(), ids(&["C2Cbob"])).expect("accepted");
        assert_eq!(
            p().results(vec![]).map_err(|e| e.code),
            Err(ErrorCode::Internal)
        );
        assert_eq!(
            p().results(vec![DeleteOutcome::NotFound, DeleteOutcome::NotFound])
                .map_err(|e| e.code),
            Err(ErrorCode::Internal)
        );
    }
}
