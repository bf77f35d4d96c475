//! The provider's HTTP endpoints: discovery, JWKS, authorize, consent, token, userinfo,
//! logout, and ЕСИА-shaped person data.

use super::cookies::{self, SESSION};
use super::{IdpState, render};
use crate::oidc::authorize::{AuthorizeParams, Next};
use crate::oidc::claims::PersonPart;
use crate::oidc::token::{TokenParams, parse_basic};
use crate::oidc::{AuthorizeError, OAuthError};
use crate::store::IdpSession;
use askama::Template;
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use sep_http::Problem;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    client_name: String,
    items: Vec<&'static str>,
    request: String,
}

/// A short page: a notice or an error that must not redirect.
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage<'a> {
    pub(crate) title: &'a str,
    pub(crate) text: &'a str,
    pub(crate) code: Option<&'a str>,
}

fn oauth_error(e: &OAuthError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut res =
        (status, Json(serde_json::json!({"error": e.error, "error_description": e.description}))).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if e.error == "invalid_client" {
        h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"gosuslugi-emulator\""));
    }
    if e.status == 401 && e.error == "invalid_token" {
        h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
    }
    res
}

fn authorize_error(e: &AuthorizeError) -> Response {
    match (e, e.location()) {
        (_, Some(location)) => Redirect::to(&location).into_response(),
        (AuthorizeError::Page { code, message }, None) => {
            let page = MessagePage { title: "Вход не выполнен", text: message, code: Some(code) };
            (StatusCode::BAD_REQUEST, render(&page)).into_response()
        }
        (AuthorizeError::Redirect { .. }, None) => Problem::internal().into_response(),
    }
}

async fn current_session(s: &IdpState, jar: &CookieJar) -> Result<Option<IdpSession>, Response> {
    let Some(t) = cookies::token(jar, SESSION, s.secure_cookies) else { return Ok(None) };
    match s.login.session(&t).await {
        Ok(found) => Ok(found.map(|(session, _)| session)),
        Err(e) => {
            tracing::error!(error = ?e, "session lookup failed");
            Err(Problem::internal().into_response())
        }
    }
}

/// `GET /.well-known/openid-configuration`.
pub(crate) async fn discovery(State(s): State<IdpState>) -> Response {
    Json(s.oidc.discovery()).into_response()
}

/// `GET /jwks.json`.
pub(crate) async fn jwks(State(s): State<IdpState>) -> Response {
    Json(s.oidc.jwks()).into_response()
}

/// `GET /authorize`.
pub(crate) async fn authorize(State(s): State<IdpState>, Query(p): Query<AuthorizeParams>) -> Response {
    match s.oidc.authorize(&p).await {
        Ok(handle) => Redirect::to(&format!("/authorize/continue?request={handle}")).into_response(),
        Err(e) => authorize_error(&e),
    }
}

#[derive(Deserialize)]
pub(crate) struct RequestHandle {
    #[serde(default)]
    request: String,
}

/// To the login, and back to the request after it; `again`: even with a session (the client
/// asked for a fresh login).
fn login_first(request: &str, again: bool) -> Response {
    let back = format!("/authorize/continue?request={request}");
    let again = if again { "&again=1" } else { "" };
    Redirect::to(&format!("/login?return_to={}{again}", crate::oidc::urlenc::encode(&back))).into_response()
}

/// `GET /authorize/continue`: after the login, consent or straight back to the client.
pub(crate) async fn resume(State(s): State<IdpState>, jar: CookieJar, Query(q): Query<RequestHandle>) -> Response {
    let session = match current_session(&s, &jar).await {
        Ok(Some(session)) => session,
        Ok(None) => {
            return match s.oidc.without_session(&q.request).await {
                Ok(_) => login_first(&q.request, false),
                Err(e) => authorize_error(&e),
            };
        }
        Err(res) => return res,
    };
    let account = match s.store.get_account(session.oid).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "account lookup failed");
            return Problem::internal().into_response();
        }
    };
    match s.oidc.continue_request(&q.request, &session, &account).await {
        Ok(Next::Redirect(location)) => Redirect::to(&location).into_response(),
        Ok(Next::Login) => login_first(&q.request, true),
        Ok(Next::Consent { client_name, items }) => render(&ConsentPage { client_name, items, request: q.request }),
        Err(e) => authorize_error(&e),
    }
}

#[derive(Deserialize)]
pub(crate) struct Decision {
    #[serde(default)]
    request: String,
    #[serde(default)]
    decision: String,
}

/// `POST /authorize/consent`.
pub(crate) async fn consent(State(s): State<IdpState>, jar: CookieJar, Form(d): Form<Decision>) -> Response {
    let session = match current_session(&s, &jar).await {
        Ok(Some(session)) => session,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(res) => return res,
    };
    match s.oidc.decide(&d.request, &session, d.decision == "allow").await {
        Ok(location) => Redirect::to(&location).into_response(),
        Err(e) => authorize_error(&e),
    }
}

/// `POST /token`.
pub(crate) async fn token(
    State(s): State<IdpState>,
    headers: HeaderMap,
    form: Result<Form<TokenParams>, FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return oauth_error(&OAuthError::invalid_request("Ожидается тело application/x-www-form-urlencoded"));
    };
    let basic = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(parse_basic);
    match s.oidc.token(&p, basic).await {
        Ok(body) => {
            let mut res = Json(body).into_response();
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            res
        }
        Err(e) => oauth_error(&e),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
}

/// `GET|POST /userinfo`.
pub(crate) async fn userinfo(State(s): State<IdpState>, headers: HeaderMap) -> Response {
    match s.oidc.userinfo(bearer(&headers)).await {
        Ok(claims) => Json(claims).into_response(),
        Err(e) => oauth_error(&e),
    }
}

/// `GET /rs/prns/{oid}`.
pub(crate) async fn person(State(s): State<IdpState>, headers: HeaderMap, Path(oid): Path<String>) -> Response {
    person_part(&s, &headers, &oid, PersonPart::Main).await
}

/// `GET /rs/prns/{oid}/{part}`.
pub(crate) async fn person_collection(
    State(s): State<IdpState>,
    headers: HeaderMap,
    Path((oid, part)): Path<(String, String)>,
) -> Response {
    let part = match part.as_str() {
        "ctts" => PersonPart::Contacts,
        "docs" => PersonPart::Docs,
        "addrs" => PersonPart::Addresses,
        "orgs" => PersonPart::Orgs,
        _ => return oauth_error(&OAuthError::invalid_request("Неизвестный раздел: ctts, docs, addrs или orgs")),
    };
    person_part(&s, &headers, &oid, part).await
}

async fn person_part(s: &IdpState, headers: &HeaderMap, oid: &str, part: PersonPart) -> Response {
    let Ok(oid) = oid.parse() else { return oauth_error(&OAuthError::invalid_request("oid — это число")) };
    match s.oidc.person(bearer(headers), oid, part).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => oauth_error(&e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct LogoutParams {
    id_token_hint: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
    client_id: Option<String>,
    /// ЕСИА's name for the return address.
    redirect_url: Option<String>,
}

/// The page asking a person to confirm a logout another site started without proving who it
/// is (OIDC RP-Initiated Logout §2: without `id_token_hint` the provider asks).
#[derive(Template)]
#[template(path = "logout_confirm.html")]
struct LogoutConfirmPage {
    post_logout_redirect_uri: String,
    state: String,
    client_id: String,
}

/// `GET /oidc/logout` (OIDC RP-initiated logout). A logout from another site ends the session
/// only with a valid `id_token_hint`; otherwise the person confirms it on a page of this site,
/// so a link or an image elsewhere cannot sign them out.
pub(crate) async fn end_session(
    State(s): State<IdpState>,
    jar: CookieJar,
    headers: axum::http::HeaderMap,
    Query(p): Query<LogoutParams>,
) -> Response {
    let proven = p.id_token_hint.as_deref().and_then(|t| s.oidc.audience_of(t)).is_some();
    let same_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("same-origin");
    if !proven && !same_site {
        let page = LogoutConfirmPage {
            post_logout_redirect_uri: p.post_logout_redirect_uri.clone().unwrap_or_default(),
            state: p.state.clone().unwrap_or_default(),
            client_id: p.client_id.clone().unwrap_or_default(),
        };
        return render(&page);
    }
    logout(s, jar, p).await
}

/// `POST /oidc/logout`: the confirmed logout (a cross-site post is refused by the CSRF layer).
pub(crate) async fn end_session_confirmed(
    State(s): State<IdpState>,
    jar: CookieJar,
    axum::Form(p): axum::Form<LogoutParams>,
) -> Response {
    let p = LogoutParams {
        post_logout_redirect_uri: p.post_logout_redirect_uri.filter(|v| !v.is_empty()),
        state: p.state.filter(|v| !v.is_empty()),
        client_id: p.client_id.filter(|v| !v.is_empty()),
        ..p
    };
    logout(s, jar, p).await
}

/// `GET /idp/ext/Logout` (ЕСИА's shape: `client_id` and `redirect_url`, no token), as real
/// ЕСИА does it.
pub(crate) async fn esia_end_session(
    State(s): State<IdpState>,
    jar: CookieJar,
    Query(p): Query<LogoutParams>,
) -> Response {
    logout(s, jar, p).await
}

async fn logout(s: IdpState, jar: CookieJar, p: LogoutParams) -> Response {
    let session = match current_session(&s, &jar).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let client = p.client_id.clone().or_else(|| p.id_token_hint.as_deref().and_then(|t| s.oidc.audience_of(t)));
    let target = p.post_logout_redirect_uri.as_deref().or(p.redirect_url.as_deref());
    let jar = jar.add(cookies::removal(SESSION, s.secure_cookies));
    match s.oidc.end_session(session.as_ref(), client.as_deref(), target, p.state.as_deref()).await {
        Ok(Some(location)) => (jar, Redirect::to(&location)).into_response(),
        Ok(None) => {
            let page = MessagePage {
                title: "Вы вышли",
                text: "Вы вышли из учётной записи Госуслуг. Окно можно закрыть.",
                code: None,
            };
            (jar, render(&page)).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "logout failed");
            Problem::internal().into_response()
        }
    }
}
