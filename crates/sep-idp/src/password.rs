//! Passwords: the rules people are told (SPEC I3) and argon2id hashing.
//!
//! Hashing costs ≈ 24 ms of one core at OWASP's parameters, so it runs on the blocking pool
//! behind a semaphore the size of the machine: a burst of logins queues instead of starving
//! the request threads. Unknown logins are hashed against a dummy hash so the response
//! time does not tell whether an account exists.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// A password rule a person can break; each is named to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// At least 8 characters.
    Length,
    /// At least one digit.
    Digit,
    /// At least one lower-case letter.
    Lower,
    /// At least one upper-case letter.
    Upper,
}

impl Rule {
    /// What the rule asks, in Russian.
    pub fn text(self) -> &'static str {
        match self {
            Self::Length => "не менее 8 символов",
            Self::Digit => "хотя бы одна цифра",
            Self::Lower => "хотя бы одна строчная буква",
            Self::Upper => "хотя бы одна заглавная буква",
        }
    }

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Length => "password_too_short",
            Self::Digit => "password_no_digit",
            Self::Lower => "password_no_lowercase",
            Self::Upper => "password_no_uppercase",
        }
    }
}

/// The rules `password` breaks; empty when it is acceptable. Letters of any alphabet count.
pub fn broken_rules(password: &str) -> Vec<Rule> {
    let mut out = Vec::new();
    if password.chars().count() < 8 {
        out.push(Rule::Length);
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        out.push(Rule::Digit);
    }
    if !password.chars().any(char::is_lowercase) {
        out.push(Rule::Lower);
    }
    if !password.chars().any(char::is_uppercase) {
        out.push(Rule::Upper);
    }
    out
}

/// Hashing failed (a bug or exhausted memory, never a wrong password).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Argon2 working memory kept between checks, at most one per permit. A fresh 19 MiB for each
/// check cost its zeroing and the page faults of a new allocation, about a tenth of a login's
/// time (issue 20). What a check leaves in it is no more than a freed allocation left before.
type Memory = Arc<std::sync::Mutex<Vec<Vec<argon2::Block>>>>;

/// Argon2id hasher with a concurrency limit.
#[derive(Clone)]
pub struct Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    dummy: Arc<str>,
    memory: Memory,
    cores: usize,
}

/// Whether `password` gives the PHC string `phc`, computed in memory from `pool`.
fn verify_in(pool: &Memory, keep: usize, password: &[u8], phc: &str) -> bool {
    let Ok(hash) = argon2::PasswordHash::new(phc) else { return false };
    let (Ok(algorithm), Ok(version), Ok(params), Some(salt), Some(expected)) = (
        Algorithm::try_from(hash.algorithm.as_str()),
        hash.version.map_or(Ok(Version::default()), Version::try_from),
        Params::try_from(&hash),
        hash.salt.as_ref(),
        hash.hash.as_ref(),
    ) else {
        return false;
    };
    let mut blocks = pool.lock().ok().and_then(|mut v| v.pop()).unwrap_or_default();
    // No zeroing needed: argon2 writes every block before it reads it.
    blocks.resize(params.block_count(), argon2::Block::default());
    let mut buffer = [0u8; 64];
    let ok = match buffer.get_mut(..expected.len()) {
        Some(out) => {
            Argon2::new(algorithm, version, params).hash_password_into_with_memory(password, salt, out, &mut blocks[..]).is_ok()
                // Output's comparison is constant-time.
                && argon2::password_hash::phc::Output::new(out).is_ok_and(|o| o == *expected)
        }
        None => false,
    };
    if let Ok(mut v) = pool.lock()
        && v.len() < keep
    {
        v.push(blocks);
    }
    ok
}

impl Hasher {
    /// OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane.
    pub fn new() -> Result<Self, HashError> {
        let params = Params::new(19_456, 2, 1, None).map_err(|e| HashError(e.to_string()))?;
        Self::with_params(params)
    }

    fn with_params(params: Params) -> Result<Self, HashError> {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let dummy = argon.hash_password(b"dummy password for unknown logins").map_err(|e| HashError(e.to_string()))?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(cores)),
            dummy: dummy.to_string().into(),
            memory: Memory::default(),
            cores,
        })
    }

    fn argon(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// The PHC string of a new hash.
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let _permit = self.permits.acquire().await.map_err(|e| HashError(e.to_string()))?;
        let argon = self.argon();
        let pw = password.to_owned();
        tokio::task::spawn_blocking(move || argon.hash_password(pw.as_bytes()).map(|h| h.to_string()))
            .await
            .map_err(|e| HashError(e.to_string()))?
            .map_err(|e| HashError(e.to_string()))
    }

    /// Whether `password` matches `hash`; with `None`, spends the same time on the dummy
    /// hash and answers `false`.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, HashError> {
        let _permit = self.permits.acquire().await.map_err(|e| HashError(e.to_string()))?;
        let (pool, keep) = (self.memory.clone(), self.cores);
        let pw = password.to_owned();
        let known = hash.is_some();
        let target: String = hash.map_or_else(|| self.dummy.to_string(), str::to_owned);
        let ok = tokio::task::spawn_blocking(move || verify_in(&pool, keep, pw.as_bytes(), &target))
            .await
            .map_err(|e| HashError(e.to_string()))?;
        Ok(ok && known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_broken_rule_is_named() {
        assert_eq!(broken_rules("Demo-Passw0rd"), vec![]);
        assert_eq!(broken_rules("Пароль123"), vec![], "Cyrillic letters count");
        assert_eq!(broken_rules("abc"), vec![Rule::Length, Rule::Digit, Rule::Upper]);
        assert_eq!(broken_rules("ABCDEFGH1"), vec![Rule::Lower]);
        assert_eq!(broken_rules(""), vec![Rule::Length, Rule::Digit, Rule::Lower, Rule::Upper]);
        for r in [Rule::Length, Rule::Digit, Rule::Lower, Rule::Upper] {
            assert!(r.text().chars().any(|c| ('а'..='я').contains(&c)));
        }
    }

    proptest! {
        #[test]
        fn a_password_passes_exactly_when_it_meets_all_four_rules(p in "\\PC{0,16}") {
            let n = p.chars().count();
            let ok = n >= 8 && p.chars().any(|c| c.is_ascii_digit()) && p.chars().any(char::is_lowercase) && p.chars().any(char::is_uppercase);
            prop_assert_eq!(broken_rules(&p).is_empty(), ok);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// The check in kept memory answers as the argon2 crate's own `verify_password`, for
        /// right and wrong passwords, any of the three algorithms and memory sizes that make the
        /// kept blocks grow and shrink.
        #[test]
        fn the_check_in_kept_memory_agrees_with_the_crate(
            password in "\\PC{0,12}",
            typed in "\\PC{0,12}",
            algorithm in 0..3usize,
            kib in 8u32..96,
        ) {
            use argon2::PasswordVerifier as _;
            let algorithm = [Algorithm::Argon2id, Algorithm::Argon2i, Algorithm::Argon2d][algorithm];
            let argon = Argon2::new(algorithm, Version::V0x13, Params::new(kib, 1, 1, None).unwrap());
            let phc = argon.hash_password(password.as_bytes()).unwrap().to_string();
            let pool = Memory::default();
            for attempt in [&password, &typed] {
                let expected = argon.verify_password(attempt.as_bytes(), phc.as_str()).is_ok();
                prop_assert_eq!(verify_in(&pool, 2, attempt.as_bytes(), &phc), expected);
            }
            prop_assert!(pool.lock().unwrap().len() == 1, "the memory is kept");
        }
    }

    #[test]
    fn a_broken_phc_string_never_matches() {
        let pool = Memory::default();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).unwrap());
        let phc = argon.hash_password(b"pw").unwrap().to_string();
        assert!(verify_in(&pool, 2, b"pw", &phc));
        for broken in [
            phc.replace("argon2id", "argon2x"),
            phc.replace("v=19", "v=18"),
            phc.rsplit_once('$').unwrap().0.to_owned(),
            String::new(),
            "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ".to_owned(),
        ] {
            assert!(!verify_in(&pool, 2, b"pw", &broken), "{broken}");
        }
    }

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let h = Hasher::new().unwrap();
        let a = h.hash("Demo-Passw0rd").await.unwrap();
        let b = h.hash("Demo-Passw0rd").await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(h.verify("Demo-Passw0rd", Some(&a)).await.unwrap());
        assert!(!h.verify("demo-passw0rd", Some(&a)).await.unwrap());
        assert!(!h.verify("Demo-Passw0rd", None).await.unwrap(), "unknown logins never match");
        assert!(!h.verify("x", Some("not a phc string")).await.unwrap());
    }
}
