//! The single form of deleteConversation as decisions: whether it can go to the server, be kept
//! for later (offline, or its answer lost), or must be refused. The SDK layer only does what is
//! decided here (writes the outbox entry, sends, applies the change locally).

use crate::error::SdkError;
use crate::outbox::is_transient;
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
}
