//! `GET /healthz`: whether this node can serve, for load balancers and operators.
//!
//! JSON `{"status", "database", "nats"}`; 200 when the database answers and (in cluster mode)
//! the NATS link is up, else 503, so a balancer takes the node out while either is gone.
//! `nats` is `"off"` on a node without `--nats`.

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::time::Duration;

/// A database slower than this to answer one read counts as unreachable.
const DATABASE_WITHIN: Duration = Duration::from_secs(3);

pub async fn healthz(State(state): State<AppState>) -> Response {
    let database = matches!(
        tokio::time::timeout(DATABASE_WITHIN, state.service.store_reachable()).await,
        Ok(Ok(()))
    );
    let link = state.service.hub().link_up();
    let healthy = database && link.unwrap_or(true);
    let body = json!({
        "status": if healthy { "ok" } else { "unavailable" },
        "database": if database { "ok" } else { "unreachable" },
        "nats": match link {
            None => "off",
            Some(true) => "ok",
            Some(false) => "disconnected",
        },
    });
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
