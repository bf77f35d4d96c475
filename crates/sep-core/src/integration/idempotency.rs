//! `Idempotency-Key` on the API's writes (draft-ietf-httpapi-idempotency-key-header): a
//! program that lost an answer sends the same request with the same key again and gets the
//! first answer back, not a second application. The key is the caller's; the request's
//! fingerprint (method, path, body) must match, else the key was reused for something else.
//!
//! The key is claimed before the write runs (a unique row, so two copies racing each other
//! cannot both run) and the answer is kept when it ends. A write whose answer was never kept
//! (the process died in between) stays "in progress" until the key expires: answering it
//! again could repeat the write, so the caller is told to look at what exists first.

use super::TokenError;
use crate::store::Store;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// How long a key and its answer are kept.
pub const KEPT: Duration = Duration::hours(24);
/// Longest key.
pub const MAX_KEY: usize = 255;

/// A claimed key, with the answer once there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Who called (`user:<id>` for a person's token); keys are per caller.
    pub owner: String,
    /// The caller's key.
    pub key: String,
    /// SHA-256 of the request (method, path, body), hex.
    pub fingerprint: String,
    /// When claimed.
    pub created_at: OffsetDateTime,
    /// The answer kept, once the write has ended.
    pub answer: Option<Answer>,
}

/// An answer as kept for a repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The body (JSON).
    pub body: String,
    /// `Location`, when the write created something.
    pub location: Option<String>,
}

/// What to do with a request bearing a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// Run it: the key is now claimed by this request.
    Run,
    /// Answer what the first request was answered.
    Repeat(Answer),
}

/// The fingerprint of a request.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body);
    hex::encode(h.finalize())
}

/// A key is 1 to 255 visible ASCII characters (a UUID is usual).
pub fn key_valid(key: &str) -> bool {
    (1..=MAX_KEY).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Claims `key` of `owner` for a request with `fingerprint`, or says what it was answered.
pub async fn begin(
    store: &dyn Store,
    owner: &str,
    key: &str,
    fingerprint: &str,
    now: OffsetDateTime,
) -> Result<Begin, TokenError> {
    if !key_valid(key) {
        return Err(TokenError::IdempotencyKeyInvalid);
    }
    let claim = Claim {
        owner: owner.to_owned(),
        key: key.to_owned(),
        fingerprint: fingerprint.to_owned(),
        created_at: now,
        answer: None,
    };
    // One retry: an expired claim in the way is removed, then the key is claimed afresh.
    for _ in 0..2 {
        if store.insert_api_idempotency(&claim).await? {
            return Ok(Begin::Run);
        }
        let Some(held) = store.get_api_idempotency(owner, key).await? else { continue };
        if now - held.created_at >= KEPT {
            // Only the expired claim: another request may have claimed the key anew meanwhile.
            store.delete_api_idempotency_claimed_at(owner, key, held.created_at).await?;
            continue;
        }
        if held.fingerprint != fingerprint {
            return Err(TokenError::IdempotencyKeyReused);
        }
        return match held.answer {
            Some(a) => Ok(Begin::Repeat(a)),
            None => Err(TokenError::IdempotencyInProgress),
        };
    }
    Err(TokenError::IdempotencyInProgress)
}

/// Keeps the answer of the claimed write for its repeats. Only a success is kept: after a
/// refusal the key is [`forget`]ten, so the corrected request may use it.
pub async fn finish(store: &dyn Store, owner: &str, key: &str, answer: &Answer) -> Result<(), TokenError> {
    Ok(store.update_api_idempotency_answer(owner, key, answer).await?)
}

/// Removes the claims older than [`KEPT`] (the hourly sweep); how many.
pub async fn purge(store: &dyn Store, now: OffsetDateTime) -> Result<u64, TokenError> {
    Ok(store.delete_api_idempotency_before(now - KEPT).await?)
}

/// Frees the key of a write that was refused or failed.
pub async fn forget(store: &dyn Store, owner: &str, key: &str) -> Result<(), TokenError> {
    Ok(store.delete_api_idempotency(owner, key).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_up_to_255() {
        assert!(key_valid("4f8e2a7c-0d1b-4c55-9d3e-1a2b3c4d5e6f"));
        assert!(!key_valid(""));
        assert!(!key_valid("a b"));
        assert!(!key_valid("ключ"));
        assert!(!key_valid(&"k".repeat(256)));
        assert!(key_valid(&"k".repeat(255)));
    }

    #[test]
    fn the_fingerprint_separates_method_path_and_body() {
        let a = fingerprint("POST", "/api/v1/applications", b"{}");
        assert_eq!(a, fingerprint("POST", "/api/v1/applications", b"{}"));
        assert_ne!(a, fingerprint("PATCH", "/api/v1/applications", b"{}"));
        assert_ne!(a, fingerprint("POST", "/api/v1/applications/", b"{}"));
        assert_ne!(fingerprint("POST", "/a", b"b"), fingerprint("POST", "/ab", b""));
    }
}
