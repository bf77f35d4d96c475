//! `/healthz` says the process serves requests; `/readyz` says it can do useful work: the
//! database answers and a file can be written. A load balancer takes a node out on 503 from
//! `/readyz`, whose body says which failed.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

/// `GET /healthz`: no I/O at all (also the "bare handler" of the benchmark).
pub(crate) async fn live() -> &'static str {
    "ok"
}

/// `GET /readyz`: the database answers and a file can be written.
pub(crate) async fn ready(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let backend = state.store.backend();
    let database = match tokio::time::timeout(state.config.ready_timeout, state.store.ping()).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => {
            tracing::warn!(code = e.code(), error = %e, "readiness: database error");
            Some(e.code())
        }
        Err(_) => {
            tracing::warn!("readiness: database timed out");
            Some("store_timeout")
        }
    };
    let files = match tokio::time::timeout(state.config.ready_timeout, state.files.probe()).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: files cannot be written");
            Some("file_store_unavailable")
        }
        Err(_) => Some("file_store_timeout"),
    };
    match (database, files) {
        (None, None) => (StatusCode::OK, Json(json!({"status": "ready", "database": backend, "files": "ok"}))),
        // The database's code first: it is what most pages need.
        (db, f) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "unavailable",
                "database": backend,
                "code": db.or(f),
                "database_code": db,
                "files": f.unwrap_or("ok"),
            })),
        ),
    }
}
