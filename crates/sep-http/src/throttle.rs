//! Per-address throttling (SECURITY.md: per-IP throttling before per-account locks): the
//! emulator's password, recovery and registration attempts, the portal's public forms. It
//! comes first so that one address cannot run through many accounts, or a public page's
//! work, at full speed.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// How many checks pass between two prunings of addresses whose budget is full again (each
/// address met would otherwise stay in memory for good).
const PRUNE_EVERY: u32 = 4096;

/// A keyed limiter: a burst of `burst` attempts per address, refilled at `per_minute`.
#[derive(Clone)]
pub struct Throttle(Arc<DefaultKeyedRateLimiter<String>>, Arc<AtomicU32>);

impl Throttle {
    /// `per_minute` attempts a minute per address, with bursts of `burst`.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Self(Arc::new(RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))), Arc::new(AtomicU32::new(0)))
    }

    /// Whether one more attempt from `key` (an address, a person) is allowed now.
    pub fn allow(&self, key: &str) -> bool {
        self.check(key).is_ok()
    }

    /// One more attempt from `key` now, or how long until the next would be allowed.
    pub fn check(&self, key: &str) -> Result<(), std::time::Duration> {
        if self.1.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.prune();
        }
        self.0
            .check_key(&key.to_owned())
            .map_err(|not_until| not_until.wait_time_from(governor::clock::Clock::now(self.0.clock())))
    }

    /// Forgets the addresses whose budget is full again: they are as if never seen.
    pub fn prune(&self) {
        self.0.retain_recent();
        self.0.shrink_to_fit();
    }

    /// How many addresses are remembered.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no address is remembered.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
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

    #[test]
    fn addresses_whose_budget_refilled_are_forgotten() {
        // A budget that refills in a millisecond: after a short pause every address is fresh.
        let t = Throttle::new(120_000, 1);
        for i in 0..PRUNE_EVERY - 1 {
            t.allow(&format!("10.1.{}.{}", i / 256, i % 256));
        }
        assert_eq!(t.len(), (PRUNE_EVERY - 1) as usize, "each address remembered");
        std::thread::sleep(std::time::Duration::from_millis(20));
        t.allow("10.9.9.9");
        assert!(t.len() <= 1, "pruned on the {PRUNE_EVERY}th check: {} left", t.len());
        let strict = Throttle::new(1, 1);
        assert!(strict.allow("10.0.0.3"));
        strict.prune();
        assert!(!strict.allow("10.0.0.3"), "an address still short of budget is kept");
    }
}
