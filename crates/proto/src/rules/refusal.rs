//! The neutral answer of a rule: which documented code, and what was wrong, in words.

use crate::error_code::ErrorCode;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

impl Refusal {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
        }
    }

    /// A parameter with the wrong value (2100).
    pub fn invalid(message: impl Into<String>) -> Self {
        Refusal::new(ErrorCode::InvalidParameter, message)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code.as_u32())
    }
}

impl std::error::Error for Refusal {}
