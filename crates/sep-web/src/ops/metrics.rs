//! `/metrics` (SPEC O2; SECURITY.md T15): the Prometheus counters, open only in the demo; in
//! production to a scraper presenting `metrics_token` as a bearer token; otherwise not served.
//! A refusal is the same 404 as an unknown page, so the endpoint's existence is not told.

use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

/// Who may read `/metrics`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum MetricsAccess {
    /// Anyone (the demo).
    Open,
    /// A client sending `Authorization: Bearer {token}`.
    Token(String),
    /// Nobody: not served (the default).
    #[default]
    Closed,
}

/// `GET /metrics`.
pub(crate) async fn metrics(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let allowed = match &s.config.metrics {
        MetricsAccess::Open => true,
        MetricsAccess::Token(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| sep_core::ids::ct_eq(given.as_bytes(), token.as_bytes())),
        MetricsAccess::Closed => false,
    };
    if allowed { sep_http::metrics::render().await } else { sep_http::Problem::not_found().into_response() }
}
