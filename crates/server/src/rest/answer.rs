//! The envelope every admin REST answer has, Tencent's: HTTP 200 and
//! `{ "ActionStatus": "OK"|"FAIL", "ErrorCode": n, "ErrorInfo": "...", "ErrorDisplay": "", ... }`.
//! Its codes are in the one registry, [`ErrorCode`] (the `Rest*` ones and the service's own).

use crate::error::ApiError;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};
use tim_proto::{ErrorCode, Refusal};

/// A refused admin request: nothing changed. Answers `ActionStatus: "FAIL"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestError {
    pub code: ErrorCode,
    pub info: String,
}

impl RestError {
    pub fn new(code: ErrorCode, info: impl Into<String>) -> Self {
        RestError {
            code,
            info: info.into(),
        }
    }

    pub fn bad_parameter(info: impl Into<String>) -> Self {
        RestError::new(ErrorCode::RestInvalidParameter, info)
    }
}

impl From<ApiError> for RestError {
    /// Service errors keep their code (70020, 2500, ...) except the two that have a REST
    /// equivalent.
    fn from(e: ApiError) -> Self {
        let code = match e.code {
            ErrorCode::Internal => ErrorCode::RestInternal,
            ErrorCode::InvalidParameter => ErrorCode::RestInvalidParameter,
            other => other,
        };
        RestError::new(code, e.message)
    }
}

impl From<Refusal> for RestError {
    fn from(r: Refusal) -> Self {
        RestError::from(ApiError::from(r))
    }
}

/// The fields of a successful answer beyond the envelope.
pub type Fields = Map<String, Value>;

/// A successful answer: `ActionStatus: "OK"` and its fields.
#[derive(Debug, Default)]
pub struct Answer(pub Fields);

/// Always HTTP 200, as Tencent's API does; the outcome is in the envelope.
fn envelope(mut body: Map<String, Value>, status: &str, code: u32, info: String) -> Response {
    body.insert("ActionStatus".into(), status.into());
    body.insert("ErrorCode".into(), code.into());
    body.insert("ErrorInfo".into(), info.into());
    body.insert("ErrorDisplay".into(), "".into());
    Json(Value::Object(body)).into_response()
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        envelope(self.0, "OK", 0, String::new())
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        envelope(Map::new(), "FAIL", self.code.as_u32(), self.info)
    }
}
