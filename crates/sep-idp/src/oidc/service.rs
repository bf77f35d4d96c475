//! The provider object: configuration, signing key, discovery, JWKS, logout.

use super::jws::Es256Key;
use super::scopes;
use crate::store::{IdpSession, IdpStore};
use sep_core::StoreError;
use sep_core::clock::Clock;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use time::Duration;

/// Lifetimes.
#[derive(Debug, Clone, Copy)]
pub struct OidcConfig {
    /// An authorisation request may wait this long for login and consent.
    pub request_ttl: Duration,
    /// Authorisation codes (SECURITY.md: ≤ 10 minutes).
    pub code_ttl: Duration,
    /// Access tokens.
    pub access_ttl: Duration,
    /// Refresh tokens, absolute.
    pub refresh_ttl: Duration,
    /// ID tokens.
    pub id_token_ttl: Duration,
}

impl Default for OidcConfig {
    fn default() -> Self {
        Self {
            request_ttl: Duration::minutes(30),
            code_ttl: Duration::minutes(2),
            access_ttl: Duration::hours(1),
            refresh_ttl: Duration::days(30),
            id_token_ttl: Duration::hours(1),
        }
    }
}

/// The OpenID Connect provider.
#[derive(Clone)]
pub struct OidcService {
    pub(crate) store: Arc<dyn IdpStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) key: Es256Key,
    pub(crate) issuer: String,
    pub(crate) config: OidcConfig,
}

/// SHA-256 hex of an opaque value (codes, tokens, request handles are stored this way).
pub(crate) fn digest(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// A fresh opaque value: 256 bits from the CSPRNG, hex.
pub(crate) fn opaque() -> Result<String, StoreError> {
    sep_core::ids::random_bytes::<32>().map(hex::encode).map_err(|e| StoreError::Other(e.to_string()))
}

impl OidcService {
    /// Loads the signing key (making one on first start). `issuer` is the public base URL,
    /// e.g. `http://127.0.0.1:8081`, without a trailing slash.
    pub async fn new(
        store: Arc<dyn IdpStore>,
        clock: Arc<dyn Clock>,
        issuer: &str,
        config: OidcConfig,
    ) -> Result<Self, StoreError> {
        let key = match store.find_signing_key().await? {
            Some((_, hex)) => Es256Key::from_hex(&hex).map_err(|e| StoreError::Other(e.to_string()))?,
            None => {
                let k = Es256Key::generate().map_err(|e| StoreError::Other(e.to_string()))?;
                store.insert_signing_key(&k.kid, &k.to_hex(), clock.now()).await?;
                k
            }
        };
        Ok(Self { store, clock, key, issuer: issuer.trim_end_matches('/').to_owned(), config })
    }

    /// The issuer URL.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `/.well-known/openid-configuration`.
    pub fn discovery(&self) -> serde_json::Value {
        let i = &self.issuer;
        serde_json::json!({
            "issuer": i,
            "authorization_endpoint": format!("{i}/authorize"),
            "token_endpoint": format!("{i}/token"),
            "userinfo_endpoint": format!("{i}/userinfo"),
            "jwks_uri": format!("{i}/jwks.json"),
            "end_session_endpoint": format!("{i}/oidc/logout"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": [super::token::ACR_PASSWORD_AND_CODE],
            "scopes_supported": scopes::KNOWN.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr",
                "urn:esia:sbj", "name", "family_name", "given_name", "middle_name", "birthdate", "gender",
                "email", "email_verified", "phone_number", "phone_number_verified", "snils", "inn", "id_doc", "usr_org"],
            "ui_locales_supported": ["ru"],
        })
    }

    /// `/jwks.json`.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [self.key.jwk()] })
    }

    /// RP-initiated logout: ends the emulator session and revokes the tokens it produced.
    /// Returns where to send the browser: the client's registered post-logout URI (with
    /// `state`), or `None` for the emulator's own "signed out" page.
    pub async fn end_session(
        &self,
        session: Option<&IdpSession>,
        client_id: Option<&str>,
        post_logout_redirect_uri: Option<&str>,
        state: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        let now = self.clock.now();
        if let Some(s) = session {
            self.store.end_session(&s.hash, now).await?;
            let n = self.store.revoke_tokens_of_session(&s.hash.0, now).await?;
            tracing::info!(revoked = n, "session ended by logout");
        }
        let (Some(id), Some(uri)) = (client_id, post_logout_redirect_uri) else { return Ok(None) };
        let Some(client) = self.store.find_client(id).await? else { return Ok(None) };
        if !client.post_logout_redirect_uris.iter().any(|u| u == uri) {
            return Ok(None);
        }
        Ok(Some(match state {
            Some(s) => super::urlenc::with_query(uri, &[("state", s)]),
            None => uri.to_owned(),
        }))
    }

    /// The client a compact ID token of ours was issued to (for `id_token_hint`), if the
    /// signature is ours. Expiry is not checked: logout hints may be old.
    pub fn audience_of(&self, id_token: &str) -> Option<String> {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut parts = id_token.split('.');
        let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
        if !self.key.verify(&format!("{h}.{p}"), &b64.decode(s).ok()?) {
            return None;
        }
        let claims: serde_json::Value = serde_json::from_slice(&b64.decode(p).ok()?).ok()?;
        claims["aud"].as_str().map(str::to_owned)
    }
}

impl OidcService {
    /// Registers (or updates) a client. Redirect URIs must be absolute `http(s)` URLs without
    /// fragments; the secret must be at least 32 characters.
    pub async fn register_client(
        &self,
        id: &str,
        name: &str,
        secret: &str,
        redirect_uris: &[String],
        post_logout_redirect_uris: &[String],
    ) -> Result<(), StoreError> {
        let bad = |m: &str| Err(StoreError::Conflict { constraint: m.to_owned() });
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
            return bad("client id: latin letters, digits, - _ . only");
        }
        if secret.len() < 32 {
            return bad("client secret: at least 32 characters");
        }
        let valid = |u: &String| (u.starts_with("https://") || u.starts_with("http://")) && !u.contains('#');
        if redirect_uris.is_empty() || !redirect_uris.iter().chain(post_logout_redirect_uris).all(valid) {
            return bad("redirect URIs: absolute http(s) URLs without fragments");
        }
        let client = super::model::OidcClient {
            id: id.to_owned(),
            name: name.to_owned(),
            secret_hash: super::token::secret_hash(secret),
            redirect_uris: redirect_uris.to_vec(),
            post_logout_redirect_uris: post_logout_redirect_uris.to_vec(),
        };
        self.store.upsert_client(&client, self.clock.now()).await
    }
}
