//! Fallback for unknown addresses.

use crate::Problem;

/// Any unmatched route.
pub(crate) async fn page() -> Problem {
    Problem::not_found()
}
