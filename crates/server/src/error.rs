//! The one error type requests fail with: a protocol error code plus a message for humans.
//!
//! Internal failures (storage, panics in blocking tasks) are logged in full here and reach the
//! client only as code 2903 with a generic message, so no internals leak.

use crate::store::StoreError;
use std::fmt;
use tim_proto::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// Logs `detail` and returns an error that says only "internal error".
    pub fn internal(detail: impl fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        ApiError::new(ErrorCode::Internal, "internal server error")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.code.as_u32(),
            self.code.name(),
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::internal(e)
    }
}

/// Why the server or a CLI command could not do its job at all (printed, then exit code 1).
#[derive(Debug)]
pub struct FatalError(pub String);

impl fmt::Display for FatalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FatalError {}

impl From<StoreError> for FatalError {
    fn from(e: StoreError) -> Self {
        FatalError(format!("storage: {e}"))
    }
}

impl From<std::io::Error> for FatalError {
    fn from(e: std::io::Error) -> Self {
        FatalError(e.to_string())
    }
}

impl From<ApiError> for FatalError {
    fn from(e: ApiError) -> Self {
        FatalError(e.to_string())
    }
}
