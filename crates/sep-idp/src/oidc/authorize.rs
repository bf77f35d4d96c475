//! The authorisation endpoint, login hand-off and consent (RFC 6749 §4.1, RFC 7636, OIDC
//! Core §3.1.2).

use super::error::AuthorizeError;
use super::model::{AuthCode, AuthRequest, OidcClient};
use super::service::{OidcService, digest, opaque};
use super::{scopes, urlenc};
use crate::account::Account;
use crate::store::IdpSession;

/// The query of `GET /authorize`, every parameter optional so that each absence gets its own
/// error instead of a generic rejection.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuthorizeParams {
    /// Client.
    pub client_id: Option<String>,
    /// Redirect URI, compared exactly with a registered one.
    pub redirect_uri: Option<String>,
    /// Must be `code`.
    pub response_type: Option<String>,
    /// Space-separated scopes, `openid` required.
    pub scope: Option<String>,
    /// Returned as is.
    pub state: Option<String>,
    /// Put into the ID token.
    pub nonce: Option<String>,
    /// PKCE challenge (required).
    pub code_challenge: Option<String>,
    /// Must be `S256`.
    pub code_challenge_method: Option<String>,
    /// `none`, or any of `login` (a fresh login whatever the session), `consent` (ask again).
    pub prompt: Option<String>,
    /// The longest time since the login, in seconds: an older session logs in again.
    pub max_age: Option<String>,
    /// Requested authentication context classes (voluntary, OIDC Core §5.5.1.1): every
    /// login here is a password and a second factor, [`super::token::ACR_PASSWORD_AND_CODE`], which
    /// satisfies every class the emulator knows; the ID token says which it was.
    pub acr_values: Option<String>,
}

/// The `prompt` values the emulator honours.
const PROMPTS: [&str; 3] = ["none", "login", "consent"];

/// What the person sees after logging in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Ask for consent.
    Consent {
        /// Who asks.
        client_name: String,
        /// What it asks for, as Russian descriptions.
        items: Vec<&'static str>,
    },
    /// Back to the client.
    Redirect(String),
    /// The person logs in again first (`prompt=login`, or a session older than `max_age`).
    Login,
}

fn is_pkce_value(s: &str) -> bool {
    (43..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

impl OidcService {
    async fn client_and_redirect(&self, p: &AuthorizeParams) -> Result<(OidcClient, String), AuthorizeError> {
        let Some(id) = p.client_id.as_deref().filter(|s| !s.is_empty()) else {
            return Err(AuthorizeError::page(
                "client_id_missing",
                "В запросе нет параметра client_id. Обратитесь к разработчикам сайта, с которого вы пришли",
            ));
        };
        let Some(client) = self.store.find_client(id).await? else {
            return Err(AuthorizeError::page(
                "client_unknown",
                "Система, с которой вы пришли, не зарегистрирована на Госуслугах",
            ));
        };
        let Some(uri) = p.redirect_uri.as_deref().filter(|u| client.redirect_uris.iter().any(|r| r == u)) else {
            return Err(AuthorizeError::page(
                "redirect_uri_mismatch",
                "Адрес возврата не совпадает с зарегистрированным для этой системы, поэтому вход прерван",
            ));
        };
        Ok((client, uri.to_owned()))
    }

    /// Validates the request and stores it; returns the handle for the browser's URL.
    pub async fn authorize(&self, p: &AuthorizeParams) -> Result<String, AuthorizeError> {
        let (client, redirect_uri) = self.client_and_redirect(p).await?;
        let fail = |error: &'static str, description: &str| AuthorizeError::Redirect {
            redirect_uri: redirect_uri.clone(),
            state: p.state.clone(),
            error,
            description: description.to_owned(),
        };
        if p.response_type.as_deref() != Some("code") {
            return Err(fail("unsupported_response_type", "Поддерживается только response_type=code"));
        }
        let scopes = scopes::parse(p.scope.as_deref().unwrap_or(""))
            .map_err(|bad| fail("invalid_scope", &format!("Неизвестная или недостающая область доступа: {bad}")))?;
        let Some(challenge) = p.code_challenge.as_deref() else {
            return Err(fail(
                "invalid_request",
                "Требуется PKCE: передайте code_challenge и code_challenge_method=S256",
            ));
        };
        if p.code_challenge_method.as_deref() != Some("S256") {
            return Err(fail(
                "invalid_request",
                "Поддерживается только code_challenge_method=S256; plain не принимается",
            ));
        }
        if !is_pkce_value(challenge) {
            return Err(fail("invalid_request", "code_challenge должен быть строкой base64url из 43–128 символов"));
        }
        let prompt: Vec<String> = p.prompt.as_deref().unwrap_or("").split_whitespace().map(str::to_owned).collect();
        if let Some(bad) = prompt.iter().find(|v| !PROMPTS.contains(&v.as_str())) {
            return Err(fail(
                "invalid_request",
                &format!("Неизвестное значение prompt: {bad}; поддерживаются none, login, consent"),
            ));
        }
        if prompt.len() > 1 && prompt.iter().any(|v| v == "none") {
            return Err(fail("invalid_request", "prompt=none не сочетается с другими значениями"));
        }
        let max_age = match p.max_age.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(v) => Some(
                v.parse::<u32>()
                    .map(i64::from)
                    .map_err(|_| fail("invalid_request", "max_age должен быть целым неотрицательным числом секунд"))?,
            ),
        };
        if p.acr_values.as_deref().is_some_and(|a| a.len() > 512) {
            return Err(fail("invalid_request", "acr_values слишком длинный"));
        }
        let now = self.clock.now();
        let handle = opaque()?;
        let req = AuthRequest {
            hash: digest(&handle),
            client_id: client.id,
            redirect_uri,
            scopes,
            state: p.state.clone(),
            nonce: p.nonce.clone(),
            code_challenge: challenge.to_owned(),
            created_at: now,
            expires_at: now + self.config.request_ttl,
            used_at: None,
            prompt,
            max_age,
        };
        self.store.insert_auth_request(&req).await?;
        Ok(handle)
    }

    async fn open_request(&self, handle: &str) -> Result<(AuthRequest, OidcClient), AuthorizeError> {
        let expired = || {
            AuthorizeError::page(
                "request_expired",
                "Запрос на вход устарел. Вернитесь на сайт, с которого пришли, и начните вход заново",
            )
        };
        let req = self.store.find_auth_request(&digest(handle)).await?.ok_or_else(expired)?;
        if req.used_at.is_some() || self.clock.now() >= req.expires_at {
            return Err(expired());
        }
        let client = self.store.find_client(&req.client_id).await?.ok_or_else(expired)?;
        Ok((req, client))
    }

    async fn issue_code(
        &self,
        req: &AuthRequest,
        session: &IdpSession,
        scopes: Vec<String>,
    ) -> Result<String, AuthorizeError> {
        let now = self.clock.now();
        if !self.store.update_auth_request_used(&req.hash, now).await? {
            return Err(AuthorizeError::page(
                "request_expired",
                "Этот запрос на вход уже выполнен. Начните вход заново",
            ));
        }
        let code = opaque()?;
        self.store
            .insert_code(&AuthCode {
                hash: digest(&code),
                client_id: req.client_id.clone(),
                redirect_uri: req.redirect_uri.clone(),
                oid: session.oid,
                scopes,
                nonce: req.nonce.clone(),
                code_challenge: req.code_challenge.clone(),
                auth_time: session.created_at,
                amr: session.amr.iter().map(|a| a.to_lowercase()).chain(std::iter::once("mfa".to_owned())).collect(),
                session_hash: session.hash.0.clone(),
                expires_at: now + self.config.code_ttl,
                used_at: None,
            })
            .await?;
        let mut params = vec![("code", code.as_str())];
        if let Some(s) = &req.state {
            params.push(("state", s.as_str()));
        }
        Ok(urlenc::with_query(&req.redirect_uri, &params))
    }

    /// After login: straight back to the client when the person already granted these
    /// scopes, else the consent screen.
    pub async fn continue_request(
        &self,
        handle: &str,
        session: &IdpSession,
        _account: &Account,
    ) -> Result<Next, AuthorizeError> {
        let (req, client) = self.open_request(handle).await?;
        if self.login_again(&req, session) {
            return self.none_or(&req, Next::Login);
        }
        let asks_consent = req.prompt.iter().any(|p| p == "consent");
        if !asks_consent
            && let Some(granted) = self.store.find_consent(session.oid, &client.id).await?
            && scopes::covers(&granted, &req.scopes)
        {
            return self.issue_code(&req, session, req.scopes.clone()).await.map(Next::Redirect);
        }
        self.none_or(
            &req,
            Next::Consent { client_name: client.name, items: req.scopes.iter().map(|s| scopes::describe(s)).collect() },
        )
    }

    /// Whether `session` is too old for `req`: `prompt=login` wants a login made after the
    /// request, `max_age` one at most that many seconds old. A login made for this very
    /// request always does (`max_age=0` would otherwise ask again for ever).
    fn login_again(&self, req: &AuthRequest, session: &IdpSession) -> bool {
        if session.created_at >= req.created_at {
            return false;
        }
        let too_old = req.max_age.is_some_and(|m| self.clock.now() - session.created_at > time::Duration::seconds(m));
        req.prompt.iter().any(|p| p == "login") || too_old
    }

    /// `next`, unless the client said `prompt=none`: then the person may not be asked
    /// anything, and the client hears `login_required` or `consent_required`.
    fn none_or(&self, req: &AuthRequest, next: Next) -> Result<Next, AuthorizeError> {
        if !req.prompt.iter().any(|p| p == "none") {
            return Ok(next);
        }
        let (error, description) = match next {
            Next::Login => ("login_required", "Требуется новый вход, а prompt=none запрещает его запросить"),
            Next::Consent { .. } => ("consent_required", "Требуется согласие, а prompt=none запрещает его запросить"),
            Next::Redirect(_) => return Ok(next),
        };
        Err(AuthorizeError::Redirect {
            redirect_uri: req.redirect_uri.clone(),
            state: req.state.clone(),
            error,
            description: description.to_owned(),
        })
    }

    /// Where a browser without a session goes: the login, or — with `prompt=none` — back to
    /// the client with `login_required`.
    pub async fn without_session(&self, handle: &str) -> Result<Next, AuthorizeError> {
        let (req, _) = self.open_request(handle).await?;
        self.none_or(&req, Next::Login)
    }

    /// The person's answer on the consent screen; returns where the browser goes.
    pub async fn decide(&self, handle: &str, session: &IdpSession, allow: bool) -> Result<String, AuthorizeError> {
        let (req, client) = self.open_request(handle).await?;
        if !allow {
            self.store.update_auth_request_used(&req.hash, self.clock.now()).await?;
            let denied = AuthorizeError::Redirect {
                redirect_uri: req.redirect_uri,
                state: req.state,
                error: "access_denied",
                // A request that came through ЕСИА's endpoints (no PKCE) hears ЕСИА's code.
                description: if req.code_challenge.is_empty() {
                    let e = sep_core::esia::EsiaError::AccessDenied;
                    format!("{}: {}", e.code(), e.description())
                } else {
                    "Пользователь отказал в предоставлении доступа".into()
                },
            };
            return Ok(denied.location().unwrap_or_default());
        }
        self.store.upsert_consent(session.oid, &client.id, &req.scopes, self.clock.now()).await?;
        self.issue_code(&req, session, req.scopes.clone()).await
    }
}
