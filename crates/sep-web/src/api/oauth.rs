//! The authorization server of the API (RFC 6749, RFC 8414): `/oauth/token` (client
//! credentials, the authorization code with PKCE and refresh tokens — the consent page is
//! `ui/integration/access.rs` — each client proving itself with `client_secret_basic` or
//! `private_key_jwt`), `/oauth/revoke` (RFC 7009),
//! `/oauth/introspect` (RFC 7662) and its metadata at `/.well-known/oauth-authorization-server`.
//! Its answers are OAuth's own JSON (`error`, `error_description`), not problems, as clients
//! of OAuth expect; none is ever cached.

use crate::AppState;
use crate::extract::Ctx;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sep_core::integration::client::Credentials;
use sep_core::integration::delegation;
use sep_core::integration::oauth::{self, KeyCheck, OAuthError, Proof};
use serde_json::json;

/// Checks assertions' signatures with `sep-crypto`: ES256 with the registered P-256 key, ГОСТ
/// with the registered certificate's key.
pub(crate) struct CryptoKeys;

impl KeyCheck for CryptoKeys {
    fn verify(&self, credentials: &Credentials, message: &[u8], signature: &[u8]) -> bool {
        use sep_core::signer::Verifier as _;
        match credentials {
            Credentials::Es256(sec1) => sep_crypto::p256_signer::P256Verifier::from_sec1(sec1)
                .is_ok_and(|k| k.verify(message, signature).is_ok()),
            Credentials::Gost(cert) => sep_crypto::cert::AnyKey::from_certificate(cert)
                .is_ok_and(|k| matches!(k, sep_crypto::cert::AnyKey::Gost(_)) && k.verify(message, signature).is_ok()),
            Credentials::Secret(_) => false,
        }
    }
}

/// An unknown or disabled client asking for access.
pub(crate) const CLIENT_UNKNOWN: crate::api::QueryRefusal = (
    "oauth_client_unknown",
    "Система, запросившая доступ, не зарегистрирована или отключена.",
    "Вернитесь в программу, которая вас сюда направила, и сообщите её разработчику код ошибки.",
);
/// A redirect address the client did not register.
pub(crate) const REDIRECT_UNKNOWN: crate::api::QueryRefusal = (
    "oauth_redirect_unknown",
    "Адрес возврата не зарегистрирован для этой системы.",
    "Вернитесь в программу, которая вас сюда направила, и сообщите её разработчику код ошибки.",
);

/// A client not yet approved asking people for access.
pub(crate) const CLIENT_UNAPPROVED: crate::api::QueryRefusal = (
    "oauth_client_unapproved",
    "Система, запросившая доступ, ещё не одобрена администратором СЭП.",
    "Вернитесь в программу, которая вас сюда направила, и сообщите её разработчику код ошибки.",
);

/// The issuer: the portal's public address.
fn issuer(s: &AppState) -> String {
    s.config.public_url.trim_end_matches('/').to_owned()
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414).
pub(crate) async fn metadata(State(s): State<AppState>) -> Response {
    let i = issuer(&s);
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/oauth/authorize"),
        "token_endpoint": format!("{i}/oauth/token"),
        "revocation_endpoint": format!("{i}/oauth/revoke"),
        "introspection_endpoint": format!("{i}/oauth/introspect"),
        "registration_endpoint": format!("{i}/integration/register"),
        "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256", "GOST3410_2012_256"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        "scopes_supported": sep_core::integration::Scope::ALL.iter().map(|s| s.code()).collect::<Vec<_>>(),
        "response_types_supported": ["code"],
        "service_documentation": format!("{i}/api/v1/openapi.json"),
    }))
    .into_response()
}

/// An answer nobody caches (RFC 6749 §5.1).
fn no_store(status: StatusCode, body: serde_json::Value) -> Response {
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

/// A refusal as RFC 6749 §5.2 writes it; `invalid_client` after Basic is 401 with a challenge.
fn refusal(e: &OAuthError, basic: bool) -> Response {
    if let OAuthError::Store(err) = e {
        tracing::error!(code = err.code(), "oauth: storage failed");
    }
    let status = match e {
        OAuthError::InvalidClient => StatusCode::UNAUTHORIZED,
        OAuthError::Store(_) | OAuthError::RandomUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut res = no_store(status, json!({ "error": e.code(), "error_description": e.to_string() }));
    if status == StatusCode::UNAUTHORIZED && basic {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"sep\""));
    }
    res
}

/// The longest form the endpoints read (an assertion is the longest part: a few KB).
const MAX_FORM: usize = 16 * 1024;
/// The most parameters a form of the endpoints has.
const MAX_PARAMS: usize = 20;

/// A form's parameters, each at most once (RFC 6749 §3.2); `None` for anything else.
fn form(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>, OAuthError> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded")) {
        return Err(OAuthError::InvalidRequest("the body is not application/x-www-form-urlencoded"));
    }
    // A request of these endpoints has a handful of short parameters.
    if body.len() > MAX_FORM {
        return Err(OAuthError::InvalidRequest("the body is too large"));
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| OAuthError::InvalidRequest("the body does not parse"))?;
    if pairs.len() > MAX_PARAMS {
        return Err(OAuthError::InvalidRequest("too many parameters"));
    }
    let mut seen = std::collections::HashSet::new();
    if !pairs.iter().all(|(k, _)| seen.insert(k.as_str())) {
        return Err(OAuthError::InvalidRequest("a parameter repeated"));
    }
    Ok(pairs)
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `Authorization: Basic` as RFC 6749 §2.3.1 encodes it: the id and secret form-encoded, then
/// base64.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, b64) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    let (id, secret) = std::str::from_utf8(&raw).ok()?.split_once(':')?;
    let decode = |s: &str| -> Option<String> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&format!("v={s}")).ok()?;
        pairs.into_iter().next().map(|(_, v)| v)
    };
    Some((decode(id)?, decode(secret)?))
}

/// The client a request to one of the endpoints proves, and whether it used Basic.
async fn client_of(
    s: &AppState,
    headers: &HeaderMap,
    pairs: &[(String, String)],
) -> (bool, Result<sep_core::integration::client::Client, OAuthError>) {
    let b = basic(headers);
    let proof = Proof {
        basic: b.as_ref().map(|(i, p)| (i.as_str(), p.as_str())),
        client_id: param(pairs, "client_id"),
        assertion_type: param(pairs, "client_assertion_type"),
        assertion: param(pairs, "client_assertion"),
    };
    let i = issuer(s);
    let token_endpoint = format!("{i}/oauth/token");
    let audiences = [token_endpoint.as_str(), i.as_str()];
    (b.is_some(), oauth::authenticate_client(s.store.as_ref(), &CryptoKeys, proof, &audiences, s.clock.now()).await)
}

/// Tries from one address: a guessed secret costs a try.
fn throttled(s: &AppState, ctx: &Ctx) -> Option<Response> {
    s.throttles.oauth.check(&ctx.client.ip).err().map(|wait| {
        let mut res = no_store(
            StatusCode::TOO_MANY_REQUESTS,
            json!({ "error": "slow_down", "error_description": "too many requests; retry later" }),
        );
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs().max(1)));
        res
    })
}

/// A request to one of the endpoints, its client proven.
struct Called {
    pairs: Vec<(String, String)>,
    by_basic: bool,
    client: sep_core::integration::client::Client,
}

/// What every endpoint does first: the address's budget, the form read, the client proven;
/// or the answer that refuses.
async fn called(s: &AppState, ctx: &Ctx, headers: &HeaderMap, body: &[u8]) -> Result<Called, Response> {
    if let Some(res) = throttled(s, ctx) {
        return Err(res);
    }
    let pairs = form(headers, body).map_err(|e| refusal(&e, false))?;
    let (by_basic, client) = client_of(s, headers, &pairs).await;
    let client = client.map_err(|e| refusal(&e, by_basic))?;
    Ok(Called { pairs, by_basic, client })
}

/// `POST /oauth/token`: client credentials, the authorization code (with PKCE) and refresh
/// tokens.
pub(crate) async fn token(State(s): State<AppState>, ctx: Ctx, headers: HeaderMap, body: Bytes) -> Response {
    let Called { pairs, by_basic, client } = match called(&s, &ctx, &headers, &body).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let (store, now) = (s.store.as_ref(), s.clock.now());
    let required = |name: &'static str| param(&pairs, name).ok_or(OAuthError::InvalidRequest(name));
    let issued = match param(&pairs, "grant_type") {
        Some("client_credentials") => {
            oauth::client_credentials(store, &client, param(&pairs, "scope"), &ctx.origin(), now)
                .await
                .map(|i| (i, None))
        }
        Some("authorization_code") => match (required("code"), required("redirect_uri"), required("code_verifier")) {
            (Ok(code), Ok(uri), Ok(verifier)) => {
                delegation::exchange(store, &client, code, uri, verifier, now).await.map(|(i, r)| (i, Some(r)))
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
        },
        Some("refresh_token") => match required("refresh_token") {
            Ok(r) => delegation::refresh(store, &client, r, now).await.map(|(i, r)| (i, Some(r))),
            Err(e) => Err(e),
        },
        Some(_) => Err(OAuthError::UnsupportedGrantType),
        None => Err(OAuthError::InvalidRequest("no grant_type")),
    };
    match issued {
        Ok((issued, refresh)) => {
            let mut body = json!({
                "access_token": issued.token,
                "token_type": "Bearer",
                "expires_in": oauth::ACCESS_LIFETIME.whole_seconds(),
                "scope": issued.stored.scopes.iter().map(|s| s.code()).collect::<Vec<_>>().join(" "),
            });
            if let Some(r) = refresh {
                body["refresh_token"] = json!(r);
            }
            no_store(StatusCode::OK, body)
        }
        Err(e) => refusal(&e, by_basic),
    }
}

/// `POST /oauth/revoke` (RFC 7009): 200 whatever the token was.
pub(crate) async fn revoke(State(s): State<AppState>, ctx: Ctx, headers: HeaderMap, body: Bytes) -> Response {
    let Called { pairs, by_basic, client } = match called(&s, &ctx, &headers, &body).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let Some(token) = param(&pairs, "token") else {
        return refusal(&OAuthError::InvalidRequest("no token"), by_basic);
    };
    match oauth::revoke(s.store.as_ref(), &client, token, s.clock.now()).await {
        Ok(()) => no_store(StatusCode::OK, json!({})),
        Err(e) => refusal(&e, by_basic),
    }
}

/// `POST /oauth/introspect` (RFC 7662): what a client may know of its own token.
pub(crate) async fn introspect(State(s): State<AppState>, ctx: Ctx, headers: HeaderMap, body: Bytes) -> Response {
    let Called { pairs, by_basic, client } = match called(&s, &ctx, &headers, &body).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let Some(token) = param(&pairs, "token") else {
        return refusal(&OAuthError::InvalidRequest("no token"), by_basic);
    };
    match oauth::introspect(s.store.as_ref(), &client, token, s.clock.now()).await {
        Ok(Some(t)) => no_store(
            StatusCode::OK,
            json!({
                "active": true,
                "scope": t.scopes.iter().map(|s| s.code()).collect::<Vec<_>>().join(" "),
                "client_id": t.client_id,
                "token_type": "Bearer",
                "exp": t.expires_at.unix_timestamp(),
                "iat": t.created_at.unix_timestamp(),
                "sub": t.user_id.0.to_string(),
                "iss": issuer(&s),
            }),
        ),
        Ok(None) => no_store(StatusCode::OK, json!({ "active": false })),
        Err(e) => refusal(&e, by_basic),
    }
}
