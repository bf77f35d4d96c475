//! `/healthz` says the process serves requests; `/readyz` says it can do useful work, i.e.
//! the database answers. A load balancer takes a node out on 503 from `/readyz`.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

/// `GET /healthz`: no I/O at all (also the "bare handler" of the benchmark).
pub(crate) async fn live() -> &'static str {
    "ok"
}

/// `GET /readyz`.
pub(crate) async fn ready(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let backend = state.store.backend();
    match tokio::time::timeout(state.config.ready_timeout, state.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({"status": "ready", "database": backend}))),
        Ok(Err(e)) => {
            tracing::warn!(code = e.code(), error = %e, "readiness: database error");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "database": backend, "code": e.code()})),
            )
        }
        Err(_) => {
            tracing::warn!("readiness: database timed out");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "database": backend, "code": "store_timeout"})),
            )
        }
    }
}
