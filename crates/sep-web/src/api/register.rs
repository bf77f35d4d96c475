//! `POST /integration/register` (seed 004): with a personal access token, a person registers
//! an external service — its kind («Бухгалтерия», «ФНС», «Банк», …), a name and how it will
//! prove itself (a secret made here, or its public key) — and gets the integration's id, its
//! credentials and the operations that kind may call.

use crate::AppState;
use crate::api::write::{JsonBody, Reply, idempotent};
use crate::api::{QueryRefusal, refused, token_problem};
use crate::error::Page;
use crate::extract::Ctx;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use base64::Engine;
use sep_core::integration::client::{self, Credentials, Mode, Registration};
use sep_core::integration::tokens::{Caller, authenticate};
use serde::{Deserialize, Serialize};

/// How the integration proves itself at the token endpoint.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(tag = "method")]
pub(crate) enum Auth {
    /// A secret made by the portal, sent as HTTP Basic (shown in this answer only).
    #[serde(rename = "client_secret_basic")]
    Secret,
    /// An assertion signed with its own key (RFC 7523): an EC P-256 JWK (ES256), or a
    /// certificate (PEM) of a ГОСТ Р 34.10-2012 key (`GOST3410_2012_256`).
    #[serde(rename = "private_key_jwt")]
    Key {
        /// `{"kty":"EC","crv":"P-256","x":…,"y":…}`.
        #[serde(default)]
        #[schema(value_type = Option<Object>)]
        jwk: Option<serde_json::Value>,
        /// A PEM certificate of a ГОСТ key.
        #[serde(default)]
        certificate: Option<String>,
    },
}

/// A registration.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewIntegration {
    /// `accounting` («Бухгалтерия»), `fns` («ФНС»), `bank` («Банк»), `agency` («Ведомство») or
    /// `other`. Systems of agencies and banks start in test mode until an administrator approves.
    kind: String,
    /// Its name.
    name: String,
    /// How it proves itself.
    auth: Auth,
    /// The scopes it asks for: within what its kind may have and what the registering token
    /// has (all of those when absent).
    #[serde(default)]
    scopes: Vec<String>,
    /// Where people are sent back after allowing it to act for them (authorization code with
    /// PKCE): `https://`, or `http://` to loopback; up to five. None: client credentials only.
    #[serde(default)]
    redirect_uris: Vec<String>,
}

/// An operation the integration may call.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Operation {
    /// HTTP method.
    method: String,
    /// Path.
    path: String,
    /// What it does.
    summary: String,
}

/// A registered integration.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Registered {
    /// The integration's id — its `client_id` at the token endpoint.
    integration_id: String,
    /// The same, as OAuth names it.
    client_id: String,
    /// Its secret (`client_secret_basic`), shown in this answer only.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    /// `client_secret_basic` or `private_key_jwt`.
    token_endpoint_auth_method: &'static str,
    /// Where it gets its access tokens (client credentials).
    token_endpoint: String,
    /// Its kind's code.
    kind: &'static str,
    /// Its name.
    name: String,
    /// `live`, or `test` until an administrator approves it (the same API on a sandbox person
    /// of its own; nothing reaches anyone).
    mode: &'static str,
    /// The scopes its tokens may have.
    scopes: Vec<&'static str>,
    /// Where people are sent back after consenting.
    redirect_uris: Vec<String>,
    /// What it may call.
    operations: Vec<Operation>,
}

/// A key that is not one.
pub(crate) const KEY_INVALID: QueryRefusal = (
    "integration_key_invalid",
    "Ключ не распознан: нужен JWK EC P-256 (x, y) или сертификат ключа ГОСТ Р 34.10-2012 в PEM.",
    "Передайте открытый ключ в auth.jwk или сертификат в auth.certificate.",
);

/// The key `auth` names, checked to be one.
fn key(auth: Auth) -> Result<Option<Credentials>, crate::error::WebError> {
    let (jwk, certificate) = match auth {
        Auth::Secret => return Ok(None),
        Auth::Key { jwk, certificate } => (jwk, certificate),
    };
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    match (jwk, certificate) {
        (Some(jwk), None) => {
            let coordinate = |name: &str| jwk[name].as_str().and_then(|v| b64.decode(v).ok()).filter(|v| v.len() == 32);
            let (Some(x), Some(y)) = (coordinate("x"), coordinate("y")) else { return Err(refused(KEY_INVALID)) };
            if jwk["kty"] != "EC" || jwk["crv"] != "P-256" {
                return Err(refused(KEY_INVALID));
            }
            let sec1 = [&[4u8][..], &x, &y].concat();
            sep_crypto::p256_signer::P256Verifier::from_sec1(&sec1).map_err(|_| refused(KEY_INVALID))?;
            Ok(Some(Credentials::Es256(sec1)))
        }
        (None, Some(pem)) => {
            let der = sep_crypto::cert::from_pem_or_der(pem.as_bytes()).ok_or_else(|| refused(KEY_INVALID))?;
            match sep_crypto::cert::AnyKey::from_certificate(&der) {
                Ok(sep_crypto::cert::AnyKey::Gost(_)) => Ok(Some(Credentials::Gost(der))),
                _ => Err(refused(KEY_INVALID)),
            }
        }
        _ => Err(refused(KEY_INVALID)),
    }
}

/// The operations of the API document whose scopes `scopes` cover.
fn operations(scopes: &[&str]) -> Vec<Operation> {
    let doc = serde_json::to_value(<crate::api::ApiDoc as utoipa::OpenApi>::openapi()).unwrap_or_default();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let needed: Vec<&str> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["token"].as_array())
                .flatten()
                .filter_map(|s| s.as_str())
                .collect();
            if !needed.is_empty() && needed.iter().all(|n| scopes.contains(n)) {
                out.push(Operation {
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    summary: op["summary"].as_str().unwrap_or("").to_owned(),
                });
            }
        }
    }
    out
}

/// `POST /integration/register`.
#[utoipa::path(
    post,
    path = "/integration/register",
    tag = "integrations",
    summary = "Register an external service (a personal access token is required)",
    request_body = NewIntegration,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)")),
    responses(
        (status = 201, description = "Registered: its id, credentials and operations", body = Registered),
        (status = 400, description = "Not JSON, or a malformed Idempotency-Key", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not a personal access token", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "A request with this Idempotency-Key is still running", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "An unknown kind, no name, a scope beyond the token's or the kind's, a key that is not one, a redirect address refused, too many integrations", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub(crate) async fn register(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    body: JsonBody<NewIntegration>,
) -> Page {
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let (user, caller) = authenticate(s.store.as_ref(), auth, None, s.clock.now()).await.map_err(token_problem)?;
    let Caller::Person(token) = &caller else {
        return Err(token_problem(sep_core::integration::TokenError::PersonalTokenRequired));
    };
    let run = async {
        let req = body.value?;
        let reg = Registration {
            kind: req.kind,
            name: req.name,
            key: key(req.auth)?,
            scopes: req.scopes,
            redirect_uris: req.redirect_uris,
        };
        let (c, secret) = client::register(s.store.as_ref(), &user, &token.scopes, &reg, &ctx.origin(), s.clock.now())
            .await
            .map_err(token_problem)?;
        let scopes: Vec<&'static str> = c.scopes.iter().map(|s| s.code()).collect();
        let base = s.config.public_url.trim_end_matches('/');
        // Its address is the token endpoint's: no page of its own to point at.
        Ok(Reply {
            status: axum::http::StatusCode::CREATED,
            ..Reply::ok(Registered {
                integration_id: c.id.clone(),
                client_id: c.id.clone(),
                client_secret: secret,
                token_endpoint_auth_method: c.credentials.method(),
                token_endpoint: format!("{base}/oauth/token"),
                kind: c.kind.code(),
                name: c.name.clone(),
                mode: if c.mode == Mode::Test { "test" } else { "live" },
                operations: operations(&scopes),
                redirect_uris: c.redirect_uris.clone(),
                scopes,
            })?
        }
        .once("client_secret"))
    };
    idempotent(&s, &caller.owner(), &headers, &body.fingerprint, run).await
}
