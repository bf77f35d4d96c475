//! People's delegation (SPEC X2): a registered system acts for a person who allowed it — the
//! authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636 `S256` only), the portal's own
//! consent page («Предоставить доступ системе …», the scopes in words), refresh tokens that
//! rotate on every use, and the person's list of grants («Доступ внешних систем») where any is
//! revoked with every token issued under it.

use super::client::{Client, Mode};
use super::oauth::{ACCESS_LIFETIME, ACCESS_PREFIX, AccessToken, Issued, OAuthError};
use super::tokens::hash;
use super::{Scope, TokenError};
use crate::audit::Origin;
use crate::ids::{UserId, random_bytes};
use crate::store::{Effects, Store};
use base64::Engine;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How long a code may wait for its exchange.
pub const CODE_LIFETIME: Duration = Duration::minutes(1);
/// How long a refresh token lives (each use gives a new one).
pub const REFRESH_LIFETIME: Duration = Duration::days(30);
/// How a refresh token's secret begins.
pub const REFRESH_PREFIX: &str = "sep_rt_";

/// A person's permission for a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Id.
    pub id: Uuid,
    /// Who allowed.
    pub user_id: UserId,
    /// Whom.
    pub client_id: String,
    /// What.
    pub scopes: Vec<Scope>,
    /// When.
    pub created_at: OffsetDateTime,
    /// Withdrawn.
    pub revoked_at: Option<OffsetDateTime>,
}

/// A one-time secret standing for a grant: an authorization code or a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// SHA-256 of the secret.
    pub hash: String,
    /// `code` or `refresh`.
    pub kind: String,
    /// The grant.
    pub grant_id: Uuid,
    /// The client it was given to.
    pub client_id: String,
    /// For a code: where it was sent and the PKCE challenge; empty for a refresh token.
    pub redirect_uri: String,
    /// The PKCE `code_challenge` (S256).
    pub challenge: String,
    /// The scopes it carries.
    pub scopes: Vec<Scope>,
    /// Expires.
    pub expires_at: OffsetDateTime,
}

/// What the authorization request asks, checked before the person sees anything.
#[derive(Debug, Clone)]
pub struct Request {
    /// The client.
    pub client: Client,
    /// Where the answer goes (registered exactly).
    pub redirect_uri: String,
    /// What it asks for.
    pub scopes: Vec<Scope>,
    /// The client's `state`.
    pub state: String,
    /// The PKCE challenge.
    pub challenge: String,
}

/// Why an authorization request is not shown to the person. Those before the redirect address
/// is known to be the client's are shown on the portal's page; the rest go back to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown client or unregistered redirect address: never redirected.
    Page(&'static str),
    /// Sent back to the client as `error` (RFC 6749 §4.1.2.1).
    Back(&'static str, &'static str),
}

/// `GET /oauth/authorize`'s parameters as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Params<'a> {
    /// `client_id`.
    pub client_id: &'a str,
    /// `redirect_uri`.
    pub redirect_uri: &'a str,
    /// `response_type`.
    pub response_type: &'a str,
    /// `scope`.
    pub scope: &'a str,
    /// `state`.
    pub state: &'a str,
    /// `code_challenge`.
    pub challenge: &'a str,
    /// `code_challenge_method`.
    pub method: &'a str,
}

/// Checks `GET /oauth/authorize`'s parameters.
pub async fn request(store: &dyn Store, p: &Params<'_>) -> Result<Request, Refusal> {
    let Params { client_id, redirect_uri, response_type, scope, state, challenge, method } = *p;
    let client = match store.get_api_client(client_id).await {
        Ok(c) if c.active() => c,
        _ => return Err(Refusal::Page("oauth_client_unknown")),
    };
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(Refusal::Page("oauth_redirect_unknown"));
    }
    // Nobody is asked on behalf of a system no administrator has looked at, and nobody is sent
    // to its address either.
    if client.mode == Mode::Test {
        return Err(Refusal::Page("oauth_client_unapproved"));
    }
    if response_type != "code" {
        return Err(Refusal::Back("unsupported_response_type", "only response_type=code"));
    }
    if method != "S256" || challenge.len() != 43 {
        return Err(Refusal::Back("invalid_request", "PKCE with code_challenge_method=S256 is required"));
    }
    let mut scopes = Vec::new();
    for code in scope.split_whitespace() {
        match Scope::from_code(code).filter(|s| client.scopes.contains(s)) {
            Some(s) => scopes.push(s),
            None => return Err(Refusal::Back("invalid_scope", "a scope the client was not given")),
        }
    }
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(Refusal::Back("invalid_scope", "no scope asked"));
    }
    Ok(Request {
        client,
        redirect_uri: redirect_uri.to_owned(),
        scopes,
        state: state.to_owned(),
        challenge: challenge.to_owned(),
    })
}

fn secret(prefix: &str) -> Result<String, TokenError> {
    Ok(format!("{prefix}{}", hex::encode(random_bytes::<32>().map_err(|_| TokenError::RandomUnavailable)?)))
}

/// «Разрешить»: the person's grant (a new one, or the one they gave this client, widened) and
/// a code for the client, returned to be put into the redirect.
pub async fn allow(
    store: &dyn Store,
    user: UserId,
    req: &Request,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<String, TokenError> {
    let existing =
        store.list_api_grants(user).await?.into_iter().find(|g| g.client_id == req.client.id && g.revoked_at.is_none());
    let grant = match existing {
        Some(mut g) => {
            g.scopes.extend(req.scopes.iter().copied());
            g.scopes.sort();
            g.scopes.dedup();
            g
        }
        None => Grant {
            id: Uuid::now_v7(),
            user_id: user,
            client_id: req.client.id.clone(),
            scopes: req.scopes.clone(),
            created_at: now,
            revoked_at: None,
        },
    };
    let code = secret("sep_ac_")?;
    let ticket = Ticket {
        hash: hash(&code),
        kind: "code".into(),
        grant_id: grant.id,
        client_id: req.client.id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        challenge: req.challenge.clone(),
        scopes: req.scopes.clone(),
        expires_at: now + CODE_LIFETIME,
    };
    let mut e = origin.event(now, "api.access_granted", Some(user));
    e.object = Some(format!("api-client:{}", req.client.id));
    e.details = serde_json::json!({ "scopes": req.scopes.iter().map(|s| s.code()).collect::<Vec<_>>() });
    store.save_api_grant(&grant, &ticket, &Effects::audit(e)).await?;
    Ok(code)
}

/// The PKCE check: `BASE64URL(SHA256(verifier)) == challenge`.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let ok_verifier = (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    ok_verifier && crate::ids::ct_eq(computed.as_bytes(), challenge.as_bytes())
}

async fn issue(
    store: &dyn Store,
    client: &Client,
    grant: &Grant,
    scopes: Vec<Scope>,
    now: OffsetDateTime,
) -> Result<(Issued, String), OAuthError> {
    let random = |p: &str| secret(p).map_err(|_| OAuthError::RandomUnavailable);
    let (token, refresh) = (random(ACCESS_PREFIX)?, random(REFRESH_PREFIX)?);
    let stored = AccessToken {
        id: Uuid::now_v7(),
        hash: hash(&token),
        client_id: client.id.clone(),
        user_id: grant.user_id,
        grant_id: Some(grant.id),
        scopes: scopes.clone(),
        created_at: now,
        expires_at: now + ACCESS_LIFETIME,
        revoked_at: None,
    };
    let ticket = Ticket {
        hash: hash(&refresh),
        kind: "refresh".into(),
        grant_id: grant.id,
        client_id: client.id.clone(),
        redirect_uri: String::new(),
        challenge: String::new(),
        scopes,
        expires_at: now + REFRESH_LIFETIME,
    };
    store.insert_api_access_token(&stored, &Effects::none()).await?;
    store.insert_api_ticket(&ticket).await?;
    Ok((Issued { token, stored }, refresh))
}

/// The live grant `id` of `client`.
async fn live_grant(store: &dyn Store, id: Uuid, client: &Client) -> Result<Grant, OAuthError> {
    match store.get_api_grant(id).await {
        Ok(g) if g.revoked_at.is_none() && g.client_id == client.id => Ok(g),
        Ok(_) | Err(crate::StoreError::NotFound) => Err(OAuthError::InvalidGrant("the grant was withdrawn")),
        Err(e) => Err(e.into()),
    }
}

/// The authorization code grant: the code (once, within a minute, by the client it was given
/// to, to the same redirect address, with the PKCE verifier) for an access and a refresh token.
pub async fn exchange(
    store: &dyn Store,
    client: &Client,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
    now: OffsetDateTime,
) -> Result<(Issued, String), OAuthError> {
    let t =
        store.take_api_ticket(&hash(code), "code").await?.ok_or(OAuthError::InvalidGrant("unknown or used code"))?;
    if t.client_id != client.id || t.expires_at <= now || t.redirect_uri != redirect_uri {
        return Err(OAuthError::InvalidGrant("the code is not for this client, expired, or sent elsewhere"));
    }
    if !pkce_matches(verifier, &t.challenge) {
        return Err(OAuthError::InvalidGrant("code_verifier does not match"));
    }
    let grant = live_grant(store, t.grant_id, client).await?;
    issue(store, client, &grant, t.scopes, now).await
}

/// The refresh token grant: the refresh token (once: it rotates) for a new pair, while the
/// grant stands.
pub async fn refresh(
    store: &dyn Store,
    client: &Client,
    refresh: &str,
    now: OffsetDateTime,
) -> Result<(Issued, String), OAuthError> {
    let t = store
        .take_api_ticket(&hash(refresh), "refresh")
        .await?
        .ok_or(OAuthError::InvalidGrant("unknown or used refresh token"))?;
    if t.client_id != client.id || t.expires_at <= now {
        return Err(OAuthError::InvalidGrant("the refresh token is not this client's, or expired"));
    }
    let grant = live_grant(store, t.grant_id, client).await?;
    // The scopes the grant has now: narrowed if the person narrowed it.
    let scopes = t.scopes.into_iter().filter(|s| grant.scopes.contains(s)).collect();
    issue(store, client, &grant, scopes, now).await
}

/// «Отозвать доступ»: the grant and every token under it stop now.
pub async fn withdraw(
    store: &dyn Store,
    user: UserId,
    id: Uuid,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), TokenError> {
    let mut e = origin.event(now, "api.access_withdrawn", Some(user));
    e.object = Some(format!("api-grant:{id}"));
    if store.update_api_grant_revoked(user, id, now, &Effects::audit(e)).await? {
        Ok(())
    } else {
        Err(TokenError::NotFound)
    }
}
