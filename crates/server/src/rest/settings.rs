//! Ours: `tim_wasm_app/get_settings` and `tim_wasm_app/set_settings`, the app settings for the
//! console and for scripts. Answers carry
//! `"Settings": { "SyncConversationDeletion": bool, "RevokeTimeLimit": seconds }`.

use super::answer::{Fields, RestError};
use crate::service::Service;
use crate::store::App;
use serde_json::{json, Value};
use tim_proto::limits::MAX_REVOKE_TIME_LIMIT;

/// Setting names as they appear in requests and answers.
pub const SYNC_CONVERSATION_DELETION: &str = "SyncConversationDeletion";
pub const REVOKE_TIME_LIMIT: &str = "RevokeTimeLimit";

/// `POST /v4/tim_wasm_app/get_settings` `{}`.
pub async fn get(service: &Service, app: &App, body: Value) -> Result<Fields, RestError> {
    if !body.is_object() {
        return Err(RestError::bad_parameter("the body must be a JSON object"));
    }
    settings_of(service, app).await
}

/// `POST /v4/tim_wasm_app/set_settings` `{ "SyncConversationDeletion": true }`: every name must
/// be known and every value of the right type, or nothing changes. Answers with the settings as
/// saved.
pub async fn set(service: &Service, app: &App, body: Value) -> Result<Fields, RestError> {
    let Value::Object(fields) = body else {
        return Err(RestError::bad_parameter("the body must be a JSON object"));
    };
    let (mut sync, mut revoke) = (None, None);
    for (name, value) in &fields {
        match name.as_str() {
            SYNC_CONVERSATION_DELETION => match value {
                Value::Bool(on) => sync = Some(*on),
                other => {
                    return Err(RestError::bad_parameter(format!(
                        "{SYNC_CONVERSATION_DELETION} must be true or false, not {other}"
                    )))
                }
            },
            REVOKE_TIME_LIMIT => match value.as_u64() {
                Some(seconds) if seconds <= u64::from(MAX_REVOKE_TIME_LIMIT) => {
                    revoke = u32::try_from(seconds).ok()
                }
                _ => {
                    return Err(RestError::bad_parameter(format!(
                        "{REVOKE_TIME_LIMIT} must be a whole number of seconds from 0 to \
                         {MAX_REVOKE_TIME_LIMIT}, not {value}"
                    )))
                }
            },
            unknown => {
                return Err(RestError::bad_parameter(format!(
                    "unknown setting {unknown:?}; known: {SYNC_CONVERSATION_DELETION}, \
                     {REVOKE_TIME_LIMIT}"
                )))
            }
        }
    }
    // Every value was checked above, so a refusal changed nothing.
    if let Some(seconds) = revoke {
        service
            .set_revoke_time_limit(app.sdk_app_id, seconds)
            .await?;
    }
    let saved = match sync {
        Some(on) => {
            service
                .set_sync_conversation_deletion(app.sdk_app_id, on)
                .await?
        }
        None => app.clone(),
    };
    settings_of(service, &saved).await
}

async fn settings_of(service: &Service, app: &App) -> Result<Fields, RestError> {
    let revoke = service.revoke_time_limit(app.sdk_app_id).await?;
    let mut fields = Fields::new();
    fields.insert(
        "Settings".into(),
        json!({
            SYNC_CONVERSATION_DELETION: app.sync_conversation_deletion,
            REVOKE_TIME_LIMIT: revoke,
        }),
    );
    Ok(fields)
}
