//! Retry delays: exponential back-off with full jitter, so that retries after an outage do
//! not arrive all at once.

use time::Duration;

/// Delay before retry number `attempt` (1-based): a random point in
/// `[base/2, base]` where `base = min(cap, 2^(attempt-1) × first)`.
/// `unit` is a random number in `[0, 1)`, passed in so the rule is testable.
pub fn retry_delay(attempt: i32, first: Duration, cap: Duration, unit: f64) -> Duration {
    let exp = attempt.saturating_sub(1).clamp(0, 30);
    let base = first.saturating_mul(1 << exp).min(cap);
    let unit = unit.clamp(0.0, 1.0);
    base / 2 + (base / 2) * unit
}

/// A random number in `[0, 1)` from the CSPRNG, or 0.5 if it is unavailable.
pub fn random_unit() -> f64 {
    crate::ids::random_bytes::<8>().map(|b| (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64).unwrap_or(0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_then_caps_and_stays_in_the_jitter_band() {
        let first = Duration::seconds(10);
        let cap = Duration::hours(1);
        assert_eq!(retry_delay(1, first, cap, 0.0), Duration::seconds(5));
        assert_eq!(retry_delay(1, first, cap, 1.0), Duration::seconds(10));
        assert_eq!(retry_delay(4, first, cap, 1.0), Duration::seconds(80));
        assert_eq!(retry_delay(40, first, cap, 1.0), cap);
        for _ in 0..100 {
            let d = retry_delay(3, first, cap, random_unit());
            assert!(d >= Duration::seconds(20) && d <= Duration::seconds(40), "{d}");
        }
    }
}
