//! The one error type requests fail with: a protocol error code plus a message for humans.
//!
//! Internal failures (storage, panics in blocking tasks) are logged in full here and reach the
//! client only as code 2903 with a generic message, so no internals leak.

use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::fmt;
use tim_proto::{ErrorCode, Refusal};

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

impl ApiError {
    /// The HTTP status of this error on the `/api/*` endpoints (the WebSocket carries the code
    /// alone, and the admin REST API always answers 200 with its envelope).
    pub fn http_status(&self) -> StatusCode {
        match self.code {
            ErrorCode::InvalidParameter => StatusCode::BAD_REQUEST,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::AppNotFound
            | ErrorCode::UserSigExpired
            | ErrorCode::UserSigInvalid
            | ErrorCode::UserSigUserMismatch
            | ErrorCode::UserSigAppMismatch => StatusCode::UNAUTHORIZED,
            ErrorCode::NotJson | ErrorCode::ImageTypesLimit | ErrorCode::FileTypeRefused => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            ErrorCode::ImageSizeLimit | ErrorCode::FileSizeLimit => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::FileNotFound => StatusCode::NOT_FOUND,
            ErrorCode::GroupPermissionDenied => StatusCode::FORBIDDEN,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::ServerFull | ErrorCode::StorageUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The `{ code, message }` answer with a status other than [`ApiError::http_status`] (a
    /// refusal whose code alone does not say it, e.g. 403 for the demo's admin identifier).
    pub fn with_status(self, status: StatusCode) -> Response {
        let mut response = self.into_response();
        *response.status_mut() = status;
        response
    }
}

/// `{ code, message }` with [`ApiError::http_status`]: the error shape of the `/api/*` endpoints.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.http_status();
        let body = json!({ "code": self.code.as_u32(), "message": self.message });
        (status, Json(body)).into_response()
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        ApiError::new(r.code, r.message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if e.is_unavailable() {
            tracing::warn!(detail = %e, "the database is unavailable");
            return ApiError::new(
                ErrorCode::StorageUnavailable,
                "the database is unavailable; try again",
            );
        }
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
