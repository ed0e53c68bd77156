//! `POST /api/console/login` `{ SDKAppID, secretKey }`: the console page trades the app's secret
//! key for an admin UserSig (valid [`CONSOLE_SIG_SECS`]), which it then uses on the admin REST
//! API like any backend would. Always served: it hands out nothing without the secret.
//!
//! Answers `{ SDKAppID, identifier, userSig, expireSecs }`; refusals are `{ code, message }`
//! with 400 (2100: unreadable body), 401 (70020: no such app, 70003: wrong key), 415 (60013:
//! not JSON), 429 (60007: too many attempts from this address or for this app).

use crate::clock::unix_now;
use crate::error::ApiError;
use crate::listen::Peer;
use crate::state::AppState;
use crate::usersig;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tim_proto::ErrorCode;

/// Lifetime of the admin UserSig the console gets.
pub const CONSOLE_SIG_SECS: i64 = 3600;

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    if !crate::json_type::is_json(&headers) {
        return Err(ApiError::new(
            ErrorCode::NotJson,
            crate::json_type::NOT_JSON,
        ));
    }
    if !state.console_rates.per_ip.check(&peer.ip()) {
        return Err(too_many(
            "too many login attempts from this address; wait a minute",
        ));
    }
    check(&state, &body).await.map(Json)
}

fn too_many(why: &str) -> ApiError {
    ApiError::new(ErrorCode::RateLimited, why.to_owned())
}

async fn check(state: &AppState, body: &[u8]) -> Result<Value, ApiError> {
    let bad = |why: &str| ApiError::new(ErrorCode::InvalidParameter, why.to_owned());
    let doc: Value = serde_json::from_slice(body)
        .map_err(|_| bad("the body must be JSON: { SDKAppID, secretKey }"))?;
    let sdk_app_id = match doc.get("SDKAppID") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| bad("SDKAppID must be a positive integer"))?;
    let key = doc
        .get("secretKey")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("secretKey must be a string"))?;
    if !state.console_rates.per_app.check(&sdk_app_id) {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "too many login attempts for this SDKAppID; wait a minute",
        ));
    }
    let app = state.service.app(sdk_app_id).await?;
    if !same_secret(key, &app.secret_key) {
        return Err(ApiError::new(
            ErrorCode::UserSigInvalid,
            "wrong secret key for this SDKAppID",
        ));
    }
    let sig = usersig::generate(
        sdk_app_id,
        &app.secret_key,
        &app.admin_identifier,
        CONSOLE_SIG_SECS,
        unix_now(),
    )
    .map_err(ApiError::internal)?;
    Ok(json!({
        "SDKAppID": sdk_app_id,
        "identifier": app.admin_identifier,
        "userSig": sig,
        "expireSecs": CONSOLE_SIG_SECS,
    }))
}

/// Constant time in the contents and, by comparing digests, in the lengths too.
fn same_secret(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.ct_eq(&b).into()
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "abc"));
    }
}
