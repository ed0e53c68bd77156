//! Operations a client tags with an opId, so that sending one again (a replay after a lost
//! answer, or the same queued operation from two tabs) applies it once.
//!
//! The first request with an opId is applied and its answer, success or refusal, is recorded
//! with the opId in the same transaction. A request with a recorded opId changes nothing and
//! gets the recorded answer.

use serde::{Deserialize, Serialize};
use tim_proto::{ErrorCode, Reply};

/// The answer a request got, as recorded for its repeats: a reply (boxed: replies are large),
/// or an error frame's code and message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "camelCase")]
pub enum OpAnswer {
    Reply {
        #[serde(flatten)]
        reply: Box<Reply>,
    },
    Error {
        code: ErrorCode,
        message: String,
    },
}

/// An opId and what to record under it.
pub struct OpRecord<'a, O> {
    /// 1 to 64 characters of `A-Z a-z 0-9 _ -` (the caller checked).
    pub op_id: &'a str,
    /// What the request is (its op and target, e.g. `deleteConversation C2Cbob`): the same
    /// opId with another request is refused rather than answered with an unrelated answer.
    pub request: &'a str,
    /// The answer the outcome gets, computed inside the transaction that records it.
    pub answer: &'a dyn Fn(&O) -> OpAnswer,
}

/// What became of a request that may carry an opId.
#[derive(Debug, Clone, PartialEq)]
pub enum Once<O> {
    /// Applied now (and recorded, when it had an opId).
    Applied(O),
    /// The opId was recorded before: nothing changed; this is the answer recorded then.
    Repeated(OpAnswer),
    /// The opId was recorded for another request (`request` differs); nothing changed.
    Conflict,
}
