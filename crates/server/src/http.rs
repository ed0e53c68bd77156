//! The HTTP side: one router for the WebSocket, health check, admin REST API ([`crate::rest`]),
//! console login ([`crate::console`]), demo API and static files (the demo chat and the
//! console page).

use crate::config::{ServeConfig, DEMO_SDK_APP_ID, WS_MAX_MESSAGE_BYTES};
use crate::console;
use crate::error::ApiError;
use crate::gateway::run_session;
use crate::rest;
use crate::state::AppState;
use crate::usersig::DEFAULT_EXPIRE_SECS;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use tim_proto::ErrorCode;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub fn router(config: &ServeConfig, state: AppState) -> Router {
    let mut api = Router::new().route("/console/login", post(console::login));
    if config.demo {
        let demo = Router::new()
            .route("/demo/usersig", get(demo_usersig))
            // Browser tests and demo pages on other origins call this.
            .layer(CorsLayer::permissive());
        api = api.merge(demo);
    }
    let app = Router::new()
        .route("/ws", get(websocket))
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api", api)
        .merge(rest::router());
    // Always revalidate: a rebuilt SDK must never be shadowed by a cached one.
    let no_cache = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    app.nest_service("/pkg", ServeDir::new(&config.pkg))
        .fallback_service(ServeDir::new(&config.www))
        .layer(no_cache)
        .with_state(state)
}

async fn websocket(upgrade: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    upgrade
        // tungstenite's default is 128 KiB, zero-filled on the first read: 128 KiB resident per
        // session. Bigger frames still work (the codec grows the buffer for them).
        .read_buffer_size(4 * 1024)
        .max_message_size(WS_MAX_MESSAGE_BYTES)
        .max_frame_size(WS_MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| run_session(socket, state.service, state.shutdown))
}

/// `GET /api/demo/usersig?userID=alice`: a UserSig for the demo app (only with `--demo`).
async fn demo_usersig(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let user_id = query
        .get("userID")
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidParameter, "userID is required"))?;
    let sig = state
        .service
        .issue_user_sig(DEMO_SDK_APP_ID, user_id, DEFAULT_EXPIRE_SECS)
        .await?;
    Ok(Json(json!({
        "SDKAppID": DEMO_SDK_APP_ID,
        "userID": user_id,
        "userSig": sig,
    })))
}
