//! Operational endpoints: liveness and readiness (`/metrics` is `sep_http::metrics`).

pub(crate) mod health;
