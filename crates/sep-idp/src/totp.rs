//! Authenticator-app codes (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) through the
//! maintained `totp-rs` crate. A code is accepted in the current step or one step either
//! side, and each step's code only once (the store remembers the last step used).

use time::OffsetDateTime;
use totp_rs::{Builder, Secret, Totp};

/// The TOTP settings every authenticator app understands.
fn totp(secret_b32: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_b32).ok()?;
    Builder::new().with_secret(secret).with_skew(1).build().ok()
}

/// A new random secret, base32 (160 bits, as RFC 4226 recommends).
pub fn new_secret() -> Result<String, getrandom::Error> {
    let bytes = sep_core::ids::random_bytes::<20>()?;
    Ok(Secret::from(bytes.to_vec()).to_base32())
}

/// The time step `code` belongs to at `now`, if it is valid for `secret`.
pub fn matching_step(secret_b32: &str, code: &str, now: OffsetDateTime) -> Option<u64> {
    let t = totp(secret_b32)?;
    let unix = u64::try_from(now.unix_timestamp()).ok()?;
    t.check(code, unix)
}

/// The code for `secret` at `now` (for tests and the setup page's self-check).
pub fn code_at(secret_b32: &str, now: OffsetDateTime) -> Option<String> {
    let t = totp(secret_b32)?;
    Some(t.generate(u64::try_from(now.unix_timestamp()).ok()?).to_string())
}

/// The `otpauth://` URI an authenticator app imports.
pub fn otpauth_uri(secret_b32: &str, label: &str) -> String {
    let enc: String = label
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect();
    format!("otpauth://totp/Gosuslugi:{enc}?secret={secret_b32}&issuer=Gosuslugi&algorithm=SHA1&digits=6&period=30")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vector() {
        // RFC 6238 Appendix B: secret "12345678901234567890", T = 59 s → 94287082 (8 digits);
        // the 6-digit code is its last six digits.
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        let t59 = OffsetDateTime::from_unix_timestamp(59).unwrap();
        assert_eq!(code_at(&secret, t59).unwrap(), "287082");
        assert_eq!(matching_step(&secret, "287082", t59), Some(1));
        assert_eq!(matching_step(&secret, "287083", t59), None);
    }

    #[test]
    fn one_step_of_skew_each_way() {
        let s = new_secret().unwrap();
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let code = code_at(&s, now).unwrap();
        assert!(matching_step(&s, &code, now + time::Duration::seconds(30)).is_some());
        assert!(matching_step(&s, &code, now + time::Duration::seconds(90)).is_none());
        assert!(otpauth_uri(&s, "+79123456789").starts_with("otpauth://totp/Gosuslugi:%2B79123456789?secret="));
    }
}
