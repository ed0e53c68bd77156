//! Ours: `tim_wasm_app/get_settings` and `tim_wasm_app/set_settings`, the app settings for the
//! console and for scripts. Answers carry `"Settings": { "SyncConversationDeletion": bool }`.

use super::answer::{Fields, RestError};
use crate::service::Service;
use crate::store::App;
use serde_json::{json, Value};

/// Setting names as they appear in requests and answers.
pub const SYNC_CONVERSATION_DELETION: &str = "SyncConversationDeletion";

/// `POST /v4/tim_wasm_app/get_settings` `{}`.
pub async fn get(app: &App, body: Value) -> Result<Fields, RestError> {
    if !body.is_object() {
        return Err(RestError::bad_parameter("the body must be a JSON object"));
    }
    Ok(settings_of(app))
}

/// `POST /v4/tim_wasm_app/set_settings` `{ "SyncConversationDeletion": true }`: every name must
/// be known and every value of the right type, or nothing changes. Answers with the settings as
/// saved.
pub async fn set(service: &Service, app: &App, body: Value) -> Result<Fields, RestError> {
    let Value::Object(fields) = body else {
        return Err(RestError::bad_parameter("the body must be a JSON object"));
    };
    let mut sync = None;
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
            unknown => {
                return Err(RestError::bad_parameter(format!(
                    "unknown setting {unknown:?}; known: {SYNC_CONVERSATION_DELETION}"
                )))
            }
        }
    }
    let saved = match sync {
        Some(on) => {
            service
                .set_sync_conversation_deletion(app.sdk_app_id, on)
                .await?
        }
        None => app.clone(),
    };
    Ok(settings_of(&saved))
}

fn settings_of(app: &App) -> Fields {
    let mut fields = Fields::new();
    fields.insert(
        "Settings".into(),
        json!({ SYNC_CONVERSATION_DELETION: app.sync_conversation_deletion }),
    );
    fields
}
