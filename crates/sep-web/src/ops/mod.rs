//! Operational endpoints: liveness, readiness and the metrics (rendered by
//! `sep_http::metrics`, served here to whom the configuration allows).

pub(crate) mod health;
pub mod metrics;
