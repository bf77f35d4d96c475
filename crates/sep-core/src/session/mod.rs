//! Server-side sessions: the token lives only in the user's cookie, the store keeps its hash.

pub mod refusals;
pub mod store;

use crate::ids::{UserId, random_bytes};
use sha2::{Digest, Sha256};
use std::fmt;
use time::{Duration, OffsetDateTime};

/// The secret in the cookie: 256 bits from the CSPRNG, hex-encoded. `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

/// SHA-256 of a token: what the store keeps, so a stolen database holds no live sessions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionHash(pub String);

impl SessionToken {
    /// A fresh token.
    pub fn generate() -> Result<Self, getrandom::Error> {
        Ok(Self(hex::encode(random_bytes::<32>()?)))
    }

    /// Wraps a token read from a cookie; anything not 64 hex digits is refused.
    pub fn from_cookie(value: &str) -> Option<Self> {
        (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Self(value.to_ascii_lowercase()))
    }

    /// The value for the cookie.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash under which the session is stored.
    pub fn hash(&self) -> SessionHash {
        SessionHash(hex::encode(Sha256::digest(self.0.as_bytes())))
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Hash of the cookie token.
    pub hash: SessionHash,
    /// Whose session.
    pub user_id: UserId,
    /// Login time.
    pub created_at: OffsetDateTime,
    /// Last request seen.
    pub last_seen_at: OffsetDateTime,
    /// Client address at login.
    pub ip: String,
    /// Browser at login.
    pub user_agent: String,
    /// How the user authenticated (`oidc`, `esia`, `certificate`…).
    pub auth_method: String,
    /// Per-session secret for CSRF tokens in forms.
    pub csrf_secret: String,
    /// When the session ended, if it did.
    pub ended_at: Option<OffsetDateTime>,
    /// Why it ended (`logout`, `idle`, `absolute`, `ip_changed`, `ended_by_user`).
    pub end_reason: Option<String>,
    /// The provider's ID token, kept for RP-initiated logout (`id_token_hint`).
    pub id_token: Option<String>,
    /// When the person authenticated at the provider, on the portal's clock (the ID token's
    /// `iat` − `auth_time` before the session began); `None` when the provider did not say.
    pub authenticated_at: Option<OffsetDateTime>,
}

/// A login started at the identity provider and not yet returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRequest {
    /// Hash of the handle in the browser's cookie.
    pub hash: SessionHash,
    /// `state` sent to the provider.
    pub state: String,
    /// `nonce` sent to the provider.
    pub nonce: String,
    /// PKCE verifier.
    pub pkce_verifier: String,
    /// Where to go after the login (a path of the portal).
    pub return_to: String,
    /// Start.
    pub created_at: OffsetDateTime,
    /// Void after this.
    pub expires_at: OffsetDateTime,
    /// Set when the provider's answer was processed.
    pub used_at: Option<OffsetDateTime>,
}

/// Timeouts that apply to sessions (SPEC L4: 15 minutes idle, 12 hours in any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Ends a session with no request for this long.
    pub idle: Duration,
    /// Ends every session this long after login.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle: Duration::minutes(15), absolute: Duration::hours(12) }
    }
}

/// Whether a session may be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Usable.
    Active,
    /// Ended by logout or by a rule.
    Ended,
    /// No request within the idle timeout.
    IdleExpired,
    /// Older than the absolute timeout.
    AbsoluteExpired,
}

/// Authentication methods (`amr`, RFC 8176 and ЕСИА's) that are a second factor.
const SECOND_FACTORS: [&str; 5] = ["mfa", "otp", "sms", "totp", "hwk"];

impl Session {
    /// Whether the person logged in with a second factor no longer than `window` before
    /// `now` («Защита входа»: what opening the e-passport needs).
    pub fn second_factor_within(&self, now: OffsetDateTime, window: Duration) -> bool {
        let second = self.auth_method.split_whitespace().any(|m| SECOND_FACTORS.contains(&m.to_lowercase().as_str()));
        second && self.authenticated_at.is_some_and(|t| now - t <= window && t <= now + Duration::minutes(1))
    }

    /// The state of the session at `now` under `policy`. The bounds are exclusive: a session
    /// is expired at exactly `last_seen_at + idle`.
    pub fn state(&self, now: OffsetDateTime, policy: SessionPolicy) -> SessionState {
        if self.ended_at.is_some() {
            SessionState::Ended
        } else if now >= self.created_at + policy.absolute {
            SessionState::AbsoluteExpired
        } else if now >= self.last_seen_at + policy.idle {
            SessionState::IdleExpired
        } else {
            SessionState::Active
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(at: OffsetDateTime) -> Session {
        Session {
            authenticated_at: Some(at),
            hash: SessionHash("h".into()),
            user_id: UserId::new(),
            created_at: at,
            last_seen_at: at,
            ip: "127.0.0.1".into(),
            user_agent: "test".into(),
            auth_method: "oidc".into(),
            csrf_secret: "c".into(),
            ended_at: None,
            end_reason: None,
            id_token: None,
        }
    }

    #[test]
    fn tokens_are_random_hex_and_hashed() {
        let a = SessionToken::generate().unwrap();
        let b = SessionToken::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 64);
        assert_eq!(a.hash().0.len(), 64);
        assert_ne!(a.hash().0, a.expose());
        assert_eq!(SessionToken::from_cookie(a.expose()).unwrap().hash(), a.hash());
        assert!(SessionToken::from_cookie("short").is_none());
        assert!(SessionToken::from_cookie(&"z".repeat(64)).is_none());
        assert_eq!(format!("{a:?}"), "SessionToken(***)");
    }

    #[test]
    fn idle_and_absolute_timeouts() {
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let p = SessionPolicy::default();
        let mut s = session(t0);
        assert_eq!(s.state(t0 + Duration::minutes(14), p), SessionState::Active);
        assert_eq!(s.state(t0 + Duration::minutes(15), p), SessionState::IdleExpired);
        // Kept alive by activity, it still ends after 12 hours.
        s.last_seen_at = t0 + Duration::hours(12) - Duration::minutes(1);
        assert_eq!(s.state(t0 + Duration::hours(12) - Duration::seconds(1), p), SessionState::Active);
        assert_eq!(s.state(t0 + Duration::hours(12), p), SessionState::AbsoluteExpired);
        s.ended_at = Some(t0);
        assert_eq!(s.state(t0, p), SessionState::Ended);
    }

    #[test]
    fn a_second_factor_counts_within_its_window_only() {
        let t0 = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let mut s = session(t0);
        s.auth_method = "pwd sms mfa".into();
        let w = Duration::minutes(15);
        assert!(s.second_factor_within(t0 + Duration::minutes(15), w));
        assert!(!s.second_factor_within(t0 + Duration::minutes(15) + Duration::seconds(1), w));
        assert!(!s.second_factor_within(t0 - Duration::minutes(5), w), "not from the future");
        s.auth_method = "pwd".into();
        assert!(!s.second_factor_within(t0, w), "a password alone");
        s.auth_method = "PWD SMS".into();
        assert!(s.second_factor_within(t0, w), "ЕСИА's upper-case methods");
        s.authenticated_at = None;
        assert!(!s.second_factor_within(t0, w), "the provider did not say when");
    }
}

/// A pending "Восстановить связь аккаунтов" (SPEC L5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelinkRequest {
    /// Hash of the handle in the browser's cookie.
    pub hash: SessionHash,
    /// The linked user whose identifiers no longer match.
    pub user_id: UserId,
    /// What the provider says now, and what is needed to open the session afterwards
    /// (JSON: new identifiers, ID token, methods).
    pub data: serde_json::Value,
    /// Where the code went (`sms`/`email`) and to whom, once sent.
    pub sent_to: Option<(String, String)>,
    /// The code, once sent.
    pub code: Option<crate::otp::CodeState>,
    /// Start.
    pub created_at: OffsetDateTime,
    /// Void after this.
    pub expires_at: OffsetDateTime,
    /// Set when the link was restored.
    pub completed_at: Option<OffsetDateTime>,
}
