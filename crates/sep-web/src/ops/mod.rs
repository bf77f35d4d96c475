//! Operational endpoints: liveness, readiness, metrics.

pub(crate) mod health;
pub(crate) mod metrics;
