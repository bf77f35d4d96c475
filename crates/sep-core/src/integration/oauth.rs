//! The portal as an OAuth 2.0 authorization server for its API: client credentials (RFC 6749
//! §4.4) with `client_secret_basic` or `private_key_jwt` (RFC 7523: an ES256 or ГОСТ Р
//! 34.10-2012 signed assertion, `aud` the token endpoint, `exp` within 10 minutes, `jti` used
//! once), short-lived opaque access tokens stored as hashes, revocation (RFC 7009) and
//! introspection (RFC 7662).

use super::client::{Client, Credentials};
use super::tokens::hash;
use super::{Scope, TokenError};
use crate::ids::{UserId, random_bytes};
use crate::store::{Effects, Store};
use base64::Engine;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How an access token's secret begins.
pub const ACCESS_PREFIX: &str = "sep_at_";
/// An access token's lifetime.
pub const ACCESS_LIFETIME: Duration = Duration::minutes(15);
/// The longest an assertion may be valid for (its `jti` is remembered that long).
pub const ASSERTION_LIFETIME: Duration = Duration::minutes(10);
/// `client_assertion_type` of RFC 7523.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// An access token as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// Id.
    pub id: Uuid,
    /// SHA-256 of the secret, hex.
    pub hash: String,
    /// The client it was issued to.
    pub client_id: String,
    /// For whom it acts.
    pub user_id: UserId,
    /// The person's grant it acts under (delegation); none for client credentials.
    pub grant_id: Option<Uuid>,
    /// What it allows.
    pub scopes: Vec<Scope>,
    /// Issued.
    pub created_at: OffsetDateTime,
    /// Expires.
    pub expires_at: OffsetDateTime,
    /// Revoked.
    pub revoked_at: Option<OffsetDateTime>,
}

impl AccessToken {
    /// Whether it works at `now`.
    pub fn live(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// A refusal of the token endpoint, as RFC 6749 §5.2 names it. Its text is the
/// `error_description`, which the RFC limits to printable ASCII: it is English.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The request is malformed.
    #[error("malformed request: {0}")]
    InvalidRequest(&'static str),
    /// The client is unknown, disabled, or proved nothing.
    #[error("client authentication failed: unknown, disabled or unproven")]
    InvalidClient,
    /// The assertion is refused.
    #[error("assertion refused: {0}")]
    InvalidGrant(&'static str),
    /// Not a grant this server gives.
    #[error("only grant_type=client_credentials is supported")]
    UnsupportedGrantType,
    /// A scope the client may not have.
    #[error("a scope the client was not given")]
    InvalidScope,
    /// The system's random source failed.
    #[error("no token could be made; try again later")]
    RandomUnavailable,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

impl OAuthError {
    /// The `error` of RFC 6749 §5.2 (the stable code).
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::RandomUnavailable => "temporarily_unavailable",
            Self::Store(_) => "server_error",
        }
    }
}

/// The port that checks an assertion's signature with a client's registered key
/// (`sep-crypto` in the portal).
pub trait KeyCheck: Send + Sync {
    /// Whether `signature` (as JWS writes it) is `credentials`' key's signature of `message`.
    fn verify(&self, credentials: &Credentials, message: &[u8], signature: &[u8]) -> bool;
}

/// What a request to the token, revocation or introspection endpoint says of its client.
#[derive(Debug, Clone, Copy, Default)]
pub struct Proof<'a> {
    /// `Authorization: Basic` decoded: the client id and secret.
    pub basic: Option<(&'a str, &'a str)>,
    /// The `client_id` parameter.
    pub client_id: Option<&'a str>,
    /// `client_assertion_type`.
    pub assertion_type: Option<&'a str>,
    /// `client_assertion`.
    pub assertion: Option<&'a str>,
}

fn b64(part: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).ok()
}

async fn active_client(store: &dyn Store, id: &str) -> Result<Client, OAuthError> {
    match store.get_api_client(id).await {
        Ok(c) if c.active() => Ok(c),
        Ok(_) | Err(crate::StoreError::NotFound) => Err(OAuthError::InvalidClient),
        Err(e) => Err(e.into()),
    }
}

/// The client `proof` proves, its assertion addressed to one of `audiences` (the token
/// endpoint's address, or the issuer's).
pub async fn authenticate_client(
    store: &dyn Store,
    keys: &dyn KeyCheck,
    proof: Proof<'_>,
    audiences: &[&str],
    now: OffsetDateTime,
) -> Result<Client, OAuthError> {
    if let Some((id, secret)) = proof.basic {
        if proof.assertion.is_some() {
            return Err(OAuthError::InvalidRequest("two client authentication methods at once"));
        }
        let c = active_client(store, id).await?;
        return match &c.credentials {
            Credentials::Secret(h) if crate::ids::ct_eq(h.as_bytes(), hash(secret).as_bytes()) => Ok(c),
            _ => Err(OAuthError::InvalidClient),
        };
    }
    let Some(assertion) = proof.assertion else { return Err(OAuthError::InvalidClient) };
    if proof.assertion_type != Some(ASSERTION_TYPE) {
        return Err(OAuthError::InvalidRequest("client_assertion_type"));
    }
    let mut parts = assertion.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(OAuthError::InvalidClient);
    };
    let header: serde_json::Value =
        b64(h).and_then(|b| serde_json::from_slice(&b).ok()).ok_or(OAuthError::InvalidClient)?;
    let claims: serde_json::Value =
        b64(p).and_then(|b| serde_json::from_slice(&b).ok()).ok_or(OAuthError::InvalidClient)?;
    let signature = b64(s).ok_or(OAuthError::InvalidClient)?;
    let iss = claims["iss"].as_str().ok_or(OAuthError::InvalidClient)?;
    if claims["sub"].as_str() != Some(iss) || proof.client_id.is_some_and(|id| id != iss) {
        return Err(OAuthError::InvalidClient);
    }
    let c = active_client(store, iss).await?;
    if c.credentials.algorithm().is_none() || header["alg"].as_str() != c.credentials.algorithm() {
        return Err(OAuthError::InvalidClient);
    }
    if !keys.verify(&c.credentials, format!("{h}.{p}").as_bytes(), &signature) {
        return Err(OAuthError::InvalidClient);
    }
    // The claims are read only once the signature holds.
    let aud_ok = match &claims["aud"] {
        serde_json::Value::String(a) => audiences.contains(&a.as_str()),
        serde_json::Value::Array(all) => all.iter().any(|a| a.as_str().is_some_and(|a| audiences.contains(&a))),
        _ => false,
    };
    if !aud_ok {
        return Err(OAuthError::InvalidGrant("aud is not this server"));
    }
    let exp = claims["exp"]
        .as_i64()
        .and_then(|e| OffsetDateTime::from_unix_timestamp(e).ok())
        .ok_or(OAuthError::InvalidGrant("no exp"))?;
    if exp <= now {
        return Err(OAuthError::InvalidGrant("expired"));
    }
    if exp > now + ASSERTION_LIFETIME {
        return Err(OAuthError::InvalidGrant("valid for longer than 10 minutes"));
    }
    let jti = claims["jti"]
        .as_str()
        .filter(|j| super::idempotency::key_valid(j))
        .ok_or(OAuthError::InvalidGrant("no jti"))?;
    // A `jti` is used once: claimed as a key no one else's requests use.
    let claim = super::idempotency::Claim {
        owner: format!("jti:{}", c.id),
        key: jti.to_owned(),
        fingerprint: String::new(),
        created_at: now,
        answer: None,
    };
    if !store.insert_api_idempotency(&claim).await? {
        return Err(OAuthError::InvalidGrant("jti already used"));
    }
    Ok(c)
}

/// A token issued.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The secret, shown once.
    pub token: String,
    /// As stored.
    pub stored: AccessToken,
}

/// The client credentials grant: a token for `client` with `scope` (space-separated; none: all
/// the client's).
pub async fn client_credentials(
    store: &dyn Store,
    client: &Client,
    scope: Option<&str>,
    origin: &crate::audit::Origin,
    now: OffsetDateTime,
) -> Result<Issued, OAuthError> {
    let mut scopes = Vec::new();
    for code in scope.unwrap_or("").split_whitespace() {
        scopes.push(Scope::from_code(code).filter(|s| client.scopes.contains(s)).ok_or(OAuthError::InvalidScope)?);
    }
    if scopes.is_empty() {
        scopes.clone_from(&client.scopes);
    }
    scopes.sort();
    scopes.dedup();
    let token =
        format!("{ACCESS_PREFIX}{}", hex::encode(random_bytes::<32>().map_err(|_| OAuthError::RandomUnavailable)?));
    let stored = AccessToken {
        id: Uuid::now_v7(),
        hash: hash(&token),
        client_id: client.id.clone(),
        user_id: client.acts_for,
        grant_id: None,
        scopes,
        created_at: now,
        expires_at: now + ACCESS_LIFETIME,
        revoked_at: None,
    };
    let mut e = origin.event(now, "api.access_token_issued", None);
    e.subject = Some(client.owner);
    e.object = Some(format!("api-client:{}", client.id));
    e.details = serde_json::json!({ "grant": "client_credentials", "scopes": stored.scopes.iter().map(|s| s.code()).collect::<Vec<_>>() });
    store.insert_api_access_token(&stored, &Effects::audit(e)).await?;
    Ok(Issued { token, stored })
}

/// The access token behind `secret`, when it is one of `client`'s.
async fn of_client(store: &dyn Store, client: &Client, secret: &str) -> Result<Option<AccessToken>, OAuthError> {
    if !secret.starts_with(ACCESS_PREFIX) {
        return Ok(None);
    }
    Ok(store.find_api_access_token(&hash(secret)).await?.filter(|t| t.client_id == client.id))
}

/// RFC 7009: `client` revokes its token `secret`; anything else (unknown, another's) is
/// answered alike and changes nothing.
pub async fn revoke(store: &dyn Store, client: &Client, secret: &str, now: OffsetDateTime) -> Result<(), OAuthError> {
    // A refresh token is taken and so gone (if it is this client's; another's goes back).
    if secret.starts_with(super::delegation::REFRESH_PREFIX) {
        if let Some(t) = store.take_api_ticket(&hash(secret), "refresh").await?
            && t.client_id != client.id
        {
            store.insert_api_ticket(&t).await?;
        }
        return Ok(());
    }
    if let Some(t) = of_client(store, client, secret).await?
        && t.revoked_at.is_none()
    {
        store.update_api_access_token_revoked(t.id, now).await?;
    }
    Ok(())
}

/// RFC 7662: what `client` may know of its token `secret` — inactive unless it is its own,
/// live one.
pub async fn introspect(
    store: &dyn Store,
    client: &Client,
    secret: &str,
    now: OffsetDateTime,
) -> Result<Option<AccessToken>, OAuthError> {
    let Some(t) = of_client(store, client, secret).await?.filter(|t| t.live(now)) else { return Ok(None) };
    // A token under a withdrawn grant is dead, as calls find it.
    if let Some(grant) = t.grant_id {
        match store.get_api_grant(grant).await {
            Ok(g) if g.revoked_at.is_none() => {}
            Ok(_) | Err(crate::StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Some(t))
}

/// The person and client behind an access token presented to the API, allowed `scope`.
pub async fn authenticate(
    store: &dyn Store,
    secret: &str,
    scope: Scope,
    now: OffsetDateTime,
) -> Result<(crate::user::User, Client, AccessToken), TokenError> {
    let t = store.find_api_access_token(&hash(secret)).await?.filter(|t| t.live(now)).ok_or(TokenError::Invalid)?;
    let c = match store.get_api_client(&t.client_id).await {
        Ok(c) if c.active() => c,
        Ok(_) | Err(crate::StoreError::NotFound) => return Err(TokenError::Invalid),
        Err(e) => return Err(e.into()),
    };
    // A person's withdrawal stops every token under the grant at once.
    if let Some(grant) = t.grant_id {
        match store.get_api_grant(grant).await {
            Ok(g) if g.revoked_at.is_none() => {}
            Ok(_) | Err(crate::StoreError::NotFound) => return Err(TokenError::Invalid),
            Err(e) => return Err(e.into()),
        }
    }
    if !t.scopes.contains(&scope) {
        return Err(TokenError::Scope);
    }
    // On its sandbox a system tries everything that stays there; nothing it sends reaches an
    // agency or a person until it is approved.
    if c.mode == super::client::Mode::Test && scope.reaches_others() {
        return Err(TokenError::TestMode);
    }
    Ok((store.get_user(t.user_id).await?, c, t))
}
