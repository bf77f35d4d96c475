//! Lock after repeated wrong passwords (SPEC I2, SEC1; SECURITY.md T3).
//!
//! Failures are counted per account, and per typed identifier when no account has it, so an
//! attacker sees the same behaviour either way: five wrong passwords in a row lock for
//! fifteen minutes, and the lock message never says whether the account exists.

use time::{Duration, OffsetDateTime};

/// The lockout rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockPolicy {
    /// Consecutive failures that lock.
    pub max_failures: u32,
    /// How long the lock lasts.
    pub lock_for: Duration,
}

impl Default for LockPolicy {
    fn default() -> Self {
        Self { max_failures: 5, lock_for: Duration::minutes(15) }
    }
}

/// The failure counter of one key, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    /// Consecutive failures since the last success or lock.
    pub count: u32,
    /// Until when logins are refused.
    pub locked_until: Option<OffsetDateTime>,
}

impl Failures {
    /// Whether a login attempt at `now` is refused without checking the password.
    pub fn is_locked(&self, now: OffsetDateTime) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }

    /// The counter after a wrong password at `now`. A lock that has run out starts a fresh
    /// count; reaching the limit locks and resets the count.
    pub fn after_failure(self, now: OffsetDateTime, policy: LockPolicy) -> Self {
        let count = if self.locked_until.is_some_and(|t| now >= t) { 1 } else { self.count + 1 };
        if count >= policy.max_failures {
            Self { count: 0, locked_until: Some(now + policy.lock_for) }
        } else {
            Self { count, locked_until: self.locked_until.filter(|t| now < *t) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fifth_failure_locks_for_fifteen_minutes() {
        let p = LockPolicy::default();
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let mut f = Failures::default();
        for i in 1..=4 {
            f = f.after_failure(t0, p);
            assert_eq!(f.count, i);
            assert!(!f.is_locked(t0), "not locked after {i}");
        }
        f = f.after_failure(t0, p);
        assert!(f.is_locked(t0), "locked at exactly the fifth");
        assert!(f.is_locked(t0 + Duration::minutes(15) - Duration::seconds(1)));
        assert!(!f.is_locked(t0 + Duration::minutes(15)), "unlocks at the set time");
        // After the lock, counting starts again from one.
        let later = t0 + Duration::minutes(16);
        let g = f.after_failure(later, p);
        assert_eq!((g.count, g.is_locked(later)), (1, false));
    }
}
