//! The error value every SDK call rejects with: a documented code and a message saying what was wrong.

use tim_proto::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkError {
    pub code: ErrorCode,
    pub message: String,
}

impl SdkError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        SdkError {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        SdkError::new(ErrorCode::InvalidParameter, message)
    }
}

impl std::fmt::Display for SdkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code.as_u32())
    }
}

impl std::error::Error for SdkError {}
