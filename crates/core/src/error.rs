//! The error value every SDK call rejects with: a documented code, a message saying what was
//! wrong, and `data` (e.g. the per-ID outcomes of a batch deletion that deleted nothing).

use crate::batch::BatchDeleted;
use std::rc::Rc;
use tim_proto::{ErrorCode, Refusal};

#[derive(Debug, Clone, PartialEq)]
pub struct SdkError {
    pub code: ErrorCode,
    pub message: String,
    /// Shared: errors are cloned (events, retries) far more often than their data is read. The
    /// only call that rejects with data is a batch deletion that deleted nothing.
    pub data: Option<Rc<BatchDeleted>>,
}

impl SdkError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        SdkError {
            code,
            message: message.into(),
            data: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        SdkError::new(ErrorCode::InvalidParameter, message)
    }

    pub fn with_data(mut self, data: BatchDeleted) -> Self {
        self.data = Some(Rc::new(data));
        self
    }
}

impl From<Refusal> for SdkError {
    fn from(r: Refusal) -> Self {
        SdkError::new(r.code, r.message)
    }
}

impl std::fmt::Display for SdkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code.as_u32())
    }
}

impl std::error::Error for SdkError {}
