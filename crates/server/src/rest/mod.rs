//! The admin REST API, Tencent-style: `POST /v4/<service>/<command>?sdkappid=&identifier=
//! &usersig=&random=&contenttype=json` with a JSON body, answered with HTTP 200 and
//! `{ ActionStatus, ErrorCode, ErrorInfo, ... }` (see `docs/rest-api.md`).
//!
//! Checks in order: a known command, the admin's credentials ([`auth`]), a body declared and
//! parsed as JSON (60013 without `Content-Type: application/json`), then the command's own
//! fields. A refused request changes nothing.

mod answer;
mod auth;
mod openim;
mod profile;
mod recentcontact;
mod settings;
mod sns;

pub use answer::RestError;
pub use recentcontact::GET_LIST_PAGE;

use crate::state::AppState;
use answer::{Answer, Fields};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;
use tim_proto::rules::BlacklistChange;
use tim_proto::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    DeleteConversation,
    GetConversationList,
    GetSettings,
    SetSettings,
    GetProfile,
    SetProfile,
    AddBlacklist,
    DeleteBlacklist,
    GetBlacklist,
    MsgWithdraw,
}

impl Command {
    fn find(service: &str, command: &str) -> Option<Command> {
        match (service, command) {
            ("recentcontact", "delete") => Some(Command::DeleteConversation),
            ("recentcontact", "get_list") => Some(Command::GetConversationList),
            ("tim_wasm_app", "get_settings") => Some(Command::GetSettings),
            ("tim_wasm_app", "set_settings") => Some(Command::SetSettings),
            ("profile", "portrait_get") => Some(Command::GetProfile),
            ("profile", "portrait_set") => Some(Command::SetProfile),
            ("sns", "black_list_add") => Some(Command::AddBlacklist),
            ("sns", "black_list_delete") => Some(Command::DeleteBlacklist),
            ("sns", "black_list_get") => Some(Command::GetBlacklist),
            ("openim", "admin_msgwithdraw") => Some(Command::MsgWithdraw),
            _ => None,
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/v4/{service}/{command}", post(handle))
}

async fn handle(
    State(state): State<AppState>,
    Path((service, command)): Path<(String, String)>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Answer, RestError> {
    let body = crate::json_type::is_json(&headers).then_some(&body[..]);
    run(&state, &service, &command, query, body)
        .await
        .map(Answer)
}

async fn run(
    state: &AppState,
    service: &str,
    command: &str,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    body: Option<&[u8]>,
) -> Result<Fields, RestError> {
    let Some(cmd) = Command::find(service, command) else {
        return Err(RestError::bad_parameter(format!(
            "no API v4/{service}/{command} on this server"
        )));
    };
    let Query(query) =
        query.map_err(|e| RestError::bad_parameter(format!("unreadable query string: {e}")))?;
    let svc = state.service.as_ref();
    let app = auth::admin_app(svc, &query).await?;
    // `None`: not declared as JSON (a form post a browser makes from any site, say).
    let body =
        body.ok_or_else(|| RestError::new(ErrorCode::NotJson, crate::json_type::NOT_JSON))?;
    let body = json_body(body)?;
    match cmd {
        Command::DeleteConversation => recentcontact::delete(svc, &app, body).await,
        Command::GetConversationList => recentcontact::get_list(svc, &app, body).await,
        Command::GetSettings => settings::get(svc, &app, body).await,
        Command::SetSettings => settings::set(svc, &app, body).await,
        Command::GetProfile => profile::get(svc, &app, body).await,
        Command::SetProfile => profile::set(svc, &app, body).await,
        Command::AddBlacklist => sns::change(svc, &app, body, BlacklistChange::Add).await,
        Command::DeleteBlacklist => sns::change(svc, &app, body, BlacklistChange::Remove).await,
        Command::GetBlacklist => sns::get(svc, &app, body).await,
        Command::MsgWithdraw => openim::msg_withdraw(svc, &app, body).await,
    }
}

/// The body as JSON; an empty body counts as `{}`.
fn json_body(body: &[u8]) -> Result<Value, RestError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(body)
        .map_err(|e| RestError::bad_parameter(format!("the body is not valid JSON: {e}")))
}

/// A command's fields from the body; missing or ill-typed ones are 50002.
fn parse_body<T: DeserializeOwned>(body: Value) -> Result<T, RestError> {
    serde_json::from_value(body)
        .map_err(|e| RestError::bad_parameter(format!("invalid request body: {e}")))
}
