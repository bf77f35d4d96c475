//! What the OpenID Connect provider stores.

use crate::account::Oid;
use time::OffsetDateTime;

/// A registered relying party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcClient {
    /// `client_id` (ЕСИА's мнемоника).
    pub id: String,
    /// Shown on the consent screen.
    pub name: String,
    /// SHA-256 of the client secret (secrets are long random strings, so a fast hash is enough).
    pub secret_hash: String,
    /// Redirect URIs, compared exactly.
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may return, compared exactly.
    pub post_logout_redirect_uris: Vec<String>,
}

/// An authorisation request waiting for login and consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    /// Hash of the request handle in the browser's URL.
    pub hash: String,
    /// Client.
    pub client_id: String,
    /// Validated redirect URI.
    pub redirect_uri: String,
    /// Requested scopes.
    pub scopes: Vec<String>,
    /// Client's `state`.
    pub state: Option<String>,
    /// Client's `nonce`.
    pub nonce: Option<String>,
    /// PKCE S256 challenge.
    pub code_challenge: String,
    /// Start.
    pub created_at: OffsetDateTime,
    /// The request is void after this.
    pub expires_at: OffsetDateTime,
    /// When a code or an error was sent back.
    pub used_at: Option<OffsetDateTime>,
    /// `prompt` (OIDC Core §3.1.2.1): `none`, or any of `login`, `consent`.
    pub prompt: Vec<String>,
    /// `max_age`: the longest time since the person's login, in seconds.
    pub max_age: Option<i64>,
}

/// An authorisation code (stored by hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthCode {
    /// SHA-256 of the code.
    pub hash: String,
    /// Client it was issued to.
    pub client_id: String,
    /// Redirect URI it was sent to.
    pub redirect_uri: String,
    /// Whose.
    pub oid: Oid,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Nonce to put into the ID token.
    pub nonce: Option<String>,
    /// PKCE challenge.
    pub code_challenge: String,
    /// When the person authenticated.
    pub auth_time: OffsetDateTime,
    /// How (`pwd`, `sms`, `mfa`).
    pub amr: Vec<String>,
    /// The emulator session it came from (for logout).
    pub session_hash: String,
    /// Short life.
    pub expires_at: OffsetDateTime,
    /// Set on first exchange; a second exchange revokes what the first produced.
    pub used_at: Option<OffsetDateTime>,
}

/// Access or refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Bearer access token.
    Access,
    /// Refresh token, rotated on use.
    Refresh,
}

impl TokenKind {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Refresh => "refresh",
        }
    }
}

/// An issued token (stored by hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// SHA-256 of the token.
    pub hash: String,
    /// Kind.
    pub kind: TokenKind,
    /// Client.
    pub client_id: String,
    /// Whose.
    pub oid: Oid,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Original authentication time.
    pub auth_time: OffsetDateTime,
    /// Original methods.
    pub amr: Vec<String>,
    /// The emulator session behind the grant.
    pub session_hash: String,
    /// The authorisation code the grant started from.
    pub code_hash: String,
    /// Refresh-token family: every rotation of one grant shares it.
    pub family: String,
    /// Issue time.
    pub created_at: OffsetDateTime,
    /// Expiry.
    pub expires_at: OffsetDateTime,
    /// For refresh tokens: when rotated.
    pub used_at: Option<OffsetDateTime>,
    /// When revoked.
    pub revoked_at: Option<OffsetDateTime>,
}
