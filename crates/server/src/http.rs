//! The HTTP side: one router for the WebSocket, health check, admin REST API ([`crate::rest`]),
//! console login ([`crate::console`]), demo API and static files (the demo chat and the
//! console page).

use crate::config::{ServeConfig, DEMO_SDK_APP_ID, WS_MAX_MESSAGE_BYTES};
use crate::console;
use crate::error::ApiError;
use crate::gateway::{refuse, run_session, SessionEnv};
use crate::health;
use crate::listen::Peer;
use crate::rest;
use crate::state::AppState;
use crate::usersig::DEFAULT_EXPIRE_SECS;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tim_proto::ErrorCode;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub fn router(config: &ServeConfig, state: AppState) -> Router {
    let mut api = Router::new().route("/console/login", post(console::login));
    if config.demo {
        // Same-origin only: no CORS headers, and a request a browser marks as coming from
        // another site is refused.
        let demo = Router::new().route("/demo/usersig", get(demo_usersig));
        api = api.merge(demo);
    }
    let app = Router::new()
        .route("/ws", get(websocket))
        .route("/healthz", get(health::healthz))
        .nest("/api", api)
        .merge(rest::router());
    // Always revalidate: a rebuilt SDK must never be shadowed by a cached one.
    let no_cache = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    let timeout = tower_http::timeout::TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        config.limits.http_body_timeout,
    );
    // Files are merged after the layers above: they have their own deadline (uploads are big)
    // and cache headers.
    let files = crate::files::router(&state).layer(middleware::from_fn(refuse_over_cap));
    app.nest_service("/pkg", ServeDir::new(&config.pkg))
        .fallback_service(ServeDir::new(&config.www))
        .layer(no_cache)
        .layer(middleware::from_fn(refuse_over_cap))
        .layer(timeout)
        .merge(files)
        .with_state(state)
}

/// Plain requests on a connection over the cap are answered 503 (60009); WebSockets are
/// closed with the same code by [`websocket`].
async fn refuse_over_cap(request: Request, next: Next) -> Response {
    let over_cap = request
        .extensions()
        .get::<ConnectInfo<Peer>>()
        .is_some_and(|ConnectInfo(peer)| peer.over_cap);
    if over_cap && request.uri().path() != "/ws" {
        let mut response = ApiError::new(
            ErrorCode::ServerFull,
            "too many connections; try again later",
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    next.run(request).await
}

async fn websocket(
    upgrade: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<Peer>,
) -> Response {
    let slot = (!peer.over_cap)
        .then(|| state.anonymous.enter(peer.ip()))
        .flatten();
    let env = SessionEnv {
        service: state.service,
        shutdown: state.shutdown,
        user_rates: state.user_rates,
        limits: Arc::clone(&state.limits),
    };
    let max_read = WS_MAX_MESSAGE_BYTES.max(state.limits.max_frame_bytes);
    upgrade
        // tungstenite's default is 128 KiB, zero-filled on the first read: 128 KiB resident per
        // session. Bigger frames still work (the codec grows the buffer for them).
        .read_buffer_size(4 * 1024)
        .max_message_size(max_read)
        .max_frame_size(max_read)
        .on_upgrade(move |socket| async move {
            match slot {
                Some(slot) => run_session(socket, env, peer, slot).await,
                None if peer.over_cap => {
                    refuse(socket, ErrorCode::ServerFull, "too many connections").await;
                }
                None => {
                    let why = "too many connections from this address before login";
                    refuse(socket, ErrorCode::ServerFull, why).await;
                }
            }
        })
}

/// `GET /api/demo/usersig?userID=alice`: a UserSig for the demo app (only with `--demo`),
/// for pages of this server's own origin, never for the app's admin identifier.
async fn demo_usersig(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, Response> {
    let forbidden = |why: &str| {
        ApiError::new(ErrorCode::InvalidParameter, why).with_status(StatusCode::FORBIDDEN)
    };
    if !same_origin(&headers) {
        return Err(forbidden(
            "the demo UserSig endpoint serves pages of this server only",
        ));
    }
    let user_id = query
        .get("userID")
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidParameter, "userID is required"))
        .map_err(IntoResponse::into_response)?;
    let app = state
        .service
        .app(DEMO_SDK_APP_ID)
        .await
        .map_err(IntoResponse::into_response)?;
    if app.admin_identifier == *user_id {
        return Err(forbidden("the demo never signs for the admin identifier"));
    }
    let sig = state
        .service
        .issue_user_sig(DEMO_SDK_APP_ID, user_id, DEFAULT_EXPIRE_SECS)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(Json(json!({
        "SDKAppID": DEMO_SDK_APP_ID,
        "userID": user_id,
        "userSig": sig,
    })))
}

/// No `Origin` (not a cross-site browser request), or one naming this very host.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest.trim_end_matches('/'));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}
