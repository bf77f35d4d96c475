//! Per-address throttling (SECURITY.md: per-IP throttling before per-account locks): the
//! emulator's password, recovery and registration attempts, the portal's public forms. It
//! comes first so that one address cannot run through many accounts, or a public page's
//! work, at full speed.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;

/// A keyed limiter: a burst of `burst` attempts per address, refilled at `per_minute`.
#[derive(Clone)]
pub struct Throttle(Arc<DefaultKeyedRateLimiter<String>>);

impl Throttle {
    /// `per_minute` attempts a minute per address, with bursts of `burst`.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Self(Arc::new(RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))))
    }

    /// Whether one more attempt from `ip` is allowed now.
    pub fn allow(&self, ip: &str) -> bool {
        self.0.check_key(&ip.to_owned()).is_ok()
    }
}

impl Default for Throttle {
    /// 30 attempts a minute per address, bursts of 30: far above a person's pace.
    fn default() -> Self {
        Self::new(30, 30)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_budget() {
        let t = Throttle::new(1, 3);
        assert!((0..3).all(|_| t.allow("10.0.0.1")));
        assert!(!t.allow("10.0.0.1"));
        assert!(t.allow("10.0.0.2"), "another address is not affected");
    }
}
