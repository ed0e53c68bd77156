//! The envelope every admin REST answer has, Tencent's: HTTP 200 and
//! `{ "ActionStatus": "OK"|"FAIL", "ErrorCode": n, "ErrorInfo": "...", "ErrorDisplay": "", ... }`,
//! and the codes it carries.

use crate::error::ApiError;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};
use tim_proto::ErrorCode;

/// From_Account (or another named user) does not exist in the app (Tencent 50001).
pub const USER_NOT_FOUND: u32 = 50001;
/// A field is missing, of the wrong type or value, or the body is not JSON (Tencent 50002).
pub const BAD_PARAMETER: u32 = 50002;
/// The request is not signed by the app's admin identifier (Tencent 50003).
pub const ADMIN_REQUIRED: u32 = 50003;
/// The server failed; details are in its log (Tencent 50004).
pub const INTERNAL: u32 = 50004;

/// A refused admin request: nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestError {
    pub code: u32,
    pub info: String,
}

impl RestError {
    pub fn new(code: u32, info: impl Into<String>) -> Self {
        RestError {
            code,
            info: info.into(),
        }
    }

    pub fn bad_parameter(info: impl Into<String>) -> Self {
        RestError::new(BAD_PARAMETER, info)
    }
}

impl From<ApiError> for RestError {
    /// Service errors keep their code (70020, 2500, ...) except the two that have a REST
    /// equivalent.
    fn from(e: ApiError) -> Self {
        let code = match e.code {
            ErrorCode::Internal => INTERNAL,
            ErrorCode::InvalidParameter => BAD_PARAMETER,
            other => other.as_u32(),
        };
        RestError::new(code, e.message)
    }
}

/// The fields of a successful answer beyond the envelope.
pub type Fields = Map<String, Value>;

/// Wraps an outcome in the envelope; always HTTP 200, as Tencent's API does.
pub fn respond(outcome: Result<Fields, RestError>) -> Response {
    let (mut body, status, code, info) = match outcome {
        Ok(fields) => (fields, "OK", 0, String::new()),
        Err(e) => (Map::new(), "FAIL", e.code, e.info),
    };
    body.insert("ActionStatus".into(), status.into());
    body.insert("ErrorCode".into(), code.into());
    body.insert("ErrorInfo".into(), info.into());
    body.insert("ErrorDisplay".into(), "".into());
    Json(Value::Object(body)).into_response()
}
