//! The payment provider's callback signature: `X-Sep-Signature: t={unix seconds},v1={hex}`
//! where the hex is HMAC-SHA256 of `{t}.{raw body}` under the shared secret (the Standard
//! Webhooks and Stripe pattern: the timestamp is signed too, so an old callback cannot be
//! replayed later). The portal accepts one within five minutes of its timestamp.

use hmac::{KeyInit, Mac};
use time::{Duration, OffsetDateTime};

/// How far a callback's timestamp may be from now.
pub const TOLERANCE: Duration = Duration::minutes(5);

/// The header.
pub const HEADER: &str = "x-sep-signature";

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// HMAC takes a key of any length, so the error arm is never taken.
fn mac(secret: &[u8], t: i64, body: &[u8]) -> Vec<u8> {
    match HmacSha256::new_from_slice(secret) {
        Ok(mut m) => {
            m.update(t.to_string().as_bytes());
            m.update(b".");
            m.update(body);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// The header value signing `body` at `at`.
pub fn sign(secret: &[u8], at: OffsetDateTime, body: &[u8]) -> String {
    let t = at.unix_timestamp();
    format!("t={t},v1={}", hex::encode(mac(secret, t, body)))
}

/// Why a callback is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// No header, or not `t=…,v1=…`.
    #[error("the signature header is missing or malformed")]
    Malformed,
    /// The timestamp is more than five minutes away.
    #[error("the callback is stale")]
    Stale,
    /// The signature does not match.
    #[error("the signature does not match")]
    Mismatch,
}

impl CallbackError {
    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Malformed => "callback_signature_malformed",
            Self::Stale => "callback_stale",
            Self::Mismatch => "callback_signature_mismatch",
        }
    }
}

/// Checks `header` for `body` at `now`.
pub fn verify(secret: &[u8], header: Option<&str>, body: &[u8], now: OffsetDateTime) -> Result<(), CallbackError> {
    let header = header.ok_or(CallbackError::Malformed)?;
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return Err(CallbackError::Malformed) };
    if now.unix_timestamp().abs_diff(t) > TOLERANCE.whole_seconds().unsigned_abs() {
        return Err(CallbackError::Stale);
    }
    let mut m = HmacSha256::new_from_slice(secret).map_err(|_| CallbackError::Mismatch)?;
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m.verify_slice(&v1).map_err(|_| CallbackError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_verifies_and_anything_changed_does_not() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let body = br#"{"id":"p1","status":"succeeded"}"#;
        let h = sign(b"secret", now, body);
        assert_eq!(verify(b"secret", Some(&h), body, now), Ok(()));
        assert_eq!(verify(b"secret", Some(&h), body, now + Duration::minutes(4)), Ok(()));
        assert_eq!(verify(b"secret", Some(&h), body, now + Duration::minutes(6)), Err(CallbackError::Stale));
        assert_eq!(verify(b"other", Some(&h), body, now), Err(CallbackError::Mismatch));
        assert_eq!(verify(b"secret", Some(&h), b"{}", now), Err(CallbackError::Mismatch));
        let moved = h.replace(&format!("t={}", now.unix_timestamp()), &format!("t={}", now.unix_timestamp() + 1));
        assert_eq!(verify(b"secret", Some(&moved), body, now), Err(CallbackError::Mismatch), "the time is signed");
        assert_eq!(verify(b"secret", None, body, now), Err(CallbackError::Malformed));
        assert_eq!(verify(b"secret", Some("v1=zz"), body, now), Err(CallbackError::Malformed));
        let extreme = format!("t={},v1=00", i64::MIN);
        assert_eq!(verify(b"secret", Some(&extreme), body, now), Err(CallbackError::Stale), "no overflow");
    }

    #[test]
    fn the_mac_is_hmac_sha256_of_the_rfc_4231_kind() {
        // RFC 4231 test case 2 ("Jefe", "what do ya want for nothing?") through our framing:
        // t=0 makes the message "0.what do ya want for nothing?", so compare with the plain HMAC.
        let mut m = HmacSha256::new_from_slice(b"Jefe").unwrap();
        m.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(m.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(mac(b"Jefe", 0, b"x").len(), 32);
    }
}
