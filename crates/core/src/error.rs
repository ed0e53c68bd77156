//! The error value every SDK call rejects with: a documented code, a message saying what was
//! wrong, and `data` (e.g. the per-ID outcomes of a batch deletion that deleted nothing).

use crate::batch::{BatchDeleted, Failed};
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

impl BatchDeleted {
    /// The IDs deleted, and the error of each other ID.
    pub fn new(deleted: Vec<String>, failed: &[(String, SdkError)]) -> Self {
        let failed = failed
            .iter()
            .map(|(id, e)| Failed {
                code: e.code.as_u32(),
                conversation_id: id.clone(),
                message: e.message.clone(),
            })
            .collect();
        BatchDeleted { deleted, failed }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_failure_lists_each_ids_code_and_message() {
        let failed = [(
            "abc".to_owned(),
            SdkError::new(ErrorCode::InvalidConversationId, "bad"),
        )];
        let data = BatchDeleted::new(vec!["C2Ca".into()], &failed);
        assert_eq!(data.deleted, ["C2Ca"]);
        assert_eq!(
            data.failed,
            [Failed {
                code: 2503,
                conversation_id: "abc".into(),
                message: "bad".into(),
            }]
        );
    }
}
