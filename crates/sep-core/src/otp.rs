//! One-time codes sent by SMS or e-mail (SPEC I2, L5; SECURITY.md T4): six digits from the CSPRNG, valid
//! for five minutes, three tries, single use, bound to their transaction (the stored
//! hash covers the transaction id, so a code cannot be replayed into another one).

use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// The code rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtpPolicy {
    /// Lifetime of one code.
    pub lifetime: Duration,
    /// Wrong entries allowed per code.
    pub max_tries: u32,
    /// Codes one login transaction may send (first one plus "Отправить ещё раз").
    pub max_codes: u32,
}

impl Default for OtpPolicy {
    fn default() -> Self {
        Self { lifetime: Duration::minutes(5), max_tries: 3, max_codes: 5 }
    }
}

/// A fresh six-digit code, uniform over 000000–999999.
pub fn generate() -> Result<String, getrandom::Error> {
    loop {
        let b = crate::ids::random_bytes::<4>()?;
        let n = u32::from_le_bytes(b);
        // Reject the top sliver so every code is equally likely.
        if n < 4_294_000_000 {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// The stored form of `code` for transaction `txn`.
pub fn digest(txn: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{txn}:{code}").as_bytes()))
}

/// A code as stored with its transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeState {
    /// [`digest`] of the code.
    pub digest: String,
    /// Expiry.
    pub expires_at: OffsetDateTime,
    /// Wrong entries left.
    pub tries_left: u32,
    /// Whether it was used or voided.
    pub spent: bool,
}

/// The verdict on a typed code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Correct: the code is now spent.
    Accepted,
    /// Wrong, with tries left.
    Wrong {
        /// Tries left for this code.
        tries_left: u32,
    },
    /// Wrong for the last time, or entered after the tries ran out: the code is void.
    Exhausted,
    /// Too late.
    Expired,
    /// Already used or replaced by a newer code.
    Spent,
}

fn same(a: &str, b: &str) -> bool {
    crate::ids::ct_eq(a.as_bytes(), b.as_bytes())
}

impl CodeState {
    /// A new code's state.
    pub fn new(txn: &str, code: &str, now: OffsetDateTime, policy: OtpPolicy) -> Self {
        Self {
            digest: digest(txn, code),
            expires_at: now + policy.lifetime,
            tries_left: policy.max_tries,
            spent: false,
        }
    }

    /// Whether its tries are used up: no code of this transaction is to be sent again.
    pub const fn exhausted(&self) -> bool {
        self.tries_left == 0
    }

    /// Judges `typed` at `now`; returns the verdict and the state to store.
    pub fn check(&self, txn: &str, typed: &str, now: OffsetDateTime) -> (Verdict, Self) {
        let mut next = self.clone();
        if self.spent {
            return (Verdict::Spent, next);
        }
        if self.tries_left == 0 {
            return (Verdict::Exhausted, next);
        }
        if now >= self.expires_at {
            return (Verdict::Expired, next);
        }
        if same(&digest(txn, typed), &self.digest) {
            next.spent = true;
            return (Verdict::Accepted, next);
        }
        next.tries_left -= 1;
        if next.tries_left == 0 {
            next.spent = true;
            (Verdict::Exhausted, next)
        } else {
            (Verdict::Wrong { tries_left: next.tries_left }, next)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_random_digits() {
        let codes: Vec<String> = (0..200).map(|_| generate().unwrap()).collect();
        assert!(codes.iter().all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())));
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert!(distinct.len() > 190, "random, not repeating");
    }

    #[test]
    fn correct_once_then_spent() {
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let s = CodeState::new("txn", "123456", t0, OtpPolicy::default());
        let (v, s) = s.check("txn", "123456", t0);
        assert_eq!(v, Verdict::Accepted);
        assert_eq!(s.check("txn", "123456", t0).0, Verdict::Spent, "single use");
    }

    #[test]
    fn bound_to_its_transaction() {
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let s = CodeState::new("txn-a", "123456", t0, OtpPolicy::default());
        assert_eq!(s.check("txn-b", "123456", t0).0, Verdict::Wrong { tries_left: 2 });
    }

    #[test]
    fn three_tries_then_void_even_for_the_right_code() {
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let s = CodeState::new("t", "123456", t0, OtpPolicy::default());
        let (v1, s) = s.check("t", "000000", t0);
        let (v2, s) = s.check("t", "000001", t0);
        let (v3, s) = s.check("t", "000002", t0);
        assert_eq!(
            (v1, v2, v3),
            (Verdict::Wrong { tries_left: 2 }, Verdict::Wrong { tries_left: 1 }, Verdict::Exhausted)
        );
        assert_eq!(s.check("t", "123456", t0).0, Verdict::Spent);
    }

    #[test]
    fn expires_after_five_minutes() {
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let s = CodeState::new("t", "123456", t0, OtpPolicy::default());
        assert_eq!(s.check("t", "123456", t0 + Duration::minutes(5) - Duration::seconds(1)).0, Verdict::Accepted);
        assert_eq!(s.check("t", "123456", t0 + Duration::minutes(5)).0, Verdict::Expired);
    }
}
