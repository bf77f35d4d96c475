//! People's delegation in the portal: the consent page of the authorization endpoint
//! (`/oauth/authorize`: «Предоставить доступ системе …», the scopes in words, «Разрешить» or
//! «Отказать») and «Доступ внешних систем» (`/access`), where the person sees whom they
//! allowed what and withdraws it. The rules are `sep_core::integration::delegation`.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{CsrfForm, Ctx, SignedIn};
use crate::i18n::tr;
use crate::ui::components::{moscow, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use sep_core::integration::delegation::{self, Params, Refusal};
use serde::Deserialize;
use uuid::Uuid;

/// The authorization request's parameters, as the query (and the consent form) carry them.
#[derive(Deserialize, Default)]
pub(crate) struct Authorize {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    code_challenge_method: String,
    /// The form's answer: `allow` or `deny`.
    #[serde(default)]
    decision: String,
}

impl Authorize {
    fn params(&self) -> Params<'_> {
        Params {
            client_id: &self.client_id,
            redirect_uri: &self.redirect_uri,
            response_type: &self.response_type,
            scope: &self.scope,
            state: &self.state,
            challenge: &self.code_challenge,
            method: &self.code_challenge_method,
        }
    }
}

#[derive(Template)]
#[template(path = "integration/consent.html")]
struct ConsentPage {
    client: String,
    kind: &'static str,
    scopes: Vec<&'static str>,
    q: Authorize,
    csrf: String,
}

/// A refusal shown here (the address to send it back to is not known to be the client's).
fn page_refusal(code: &'static str) -> WebError {
    use crate::api::oauth::{CLIENT_UNAPPROVED, CLIENT_UNKNOWN, REDIRECT_UNKNOWN};
    let (code, detail, action) =
        [CLIENT_UNKNOWN, CLIENT_UNAPPROVED].into_iter().find(|r| r.0 == code).unwrap_or(REDIRECT_UNKNOWN);
    sep_http::Problem::new(StatusCode::BAD_REQUEST, code, "Запрос доступа отклонён", detail, action).into()
}

/// `redirect_uri` with `pairs` added to its query.
fn back(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{sep}{query}")
}

/// The request checked: its parts, or where the person goes instead.
async fn checked(s: &AppState, q: &Authorize) -> Result<delegation::Request, WebError> {
    match delegation::request(s.store.as_ref(), &q.params()).await {
        Ok(r) => Ok(r),
        Err(Refusal::Page(code)) => Err(page_refusal(code)),
        Err(Refusal::Back(error, description)) => {
            let to =
                back(&q.redirect_uri, &[("error", error), ("error_description", description), ("state", &q.state)]);
            Err(WebError::Redirect(to))
        }
    }
}

/// `GET /oauth/authorize`: the consent page, for the signed-in person.
pub(crate) async fn consent(
    State(s): State<AppState>,
    SignedIn { session, user: _ }: SignedIn,
    Query(q): Query<Authorize>,
) -> Page {
    let req = checked(&s, &q).await?;
    // The answer to this page's form goes on to the system's address: the page's CSP allows
    // that one place as the form's target (browsers check `form-action` on the redirect too).
    let origin = openidconnect::url::Url::parse(&req.redirect_uri).map(|u| u.origin().ascii_serialization()).ok();
    let mut page = render(&ConsentPage {
        client: req.client.name.clone(),
        kind: tr(req.client.kind.title()),
        scopes: req.scopes.iter().map(|s| tr(s.words())).collect(),
        q,
        csrf: session.csrf_secret,
    })?;
    if let Some(csp) = origin
        .filter(|o| o != "null")
        .map(|o| sep_http::CSP_STRICT.replace("form-action 'self'", &format!("form-action 'self' {o}")))
        .and_then(|c| axum::http::HeaderValue::from_str(&c).ok())
    {
        page.headers_mut().insert(axum::http::header::CONTENT_SECURITY_POLICY, csp);
    }
    Ok(page)
}

/// `POST /oauth/authorize`: «Разрешить» sends the client a code; «Отказать», `access_denied`.
pub(crate) async fn decide(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    CsrfForm(q): CsrfForm<Authorize>,
) -> Page {
    let req = checked(&s, &q).await?;
    let issuer = s.config.public_url.trim_end_matches('/').to_owned();
    if q.decision != "allow" {
        let to = back(&req.redirect_uri, &[("error", "access_denied"), ("state", &req.state), ("iss", &issuer)]);
        return Ok(Redirect::to(&to).into_response());
    }
    let code = delegation::allow(s.store.as_ref(), user.id, &req, &ctx.origin(), s.clock.now())
        .await
        .map_err(crate::api::token_problem)?;
    // RFC 9207: the issuer beside the code, so a client of several servers knows whose it is.
    let to = back(&req.redirect_uri, &[("code", &code), ("state", &req.state), ("iss", &issuer)]);
    Ok(Redirect::to(&to).into_response())
}

/// A grant as «Доступ внешних систем» lists it.
struct Row {
    id: String,
    client: String,
    kind: &'static str,
    scopes: Vec<&'static str>,
    since: String,
    withdrawn: String,
}

#[derive(Template)]
#[template(path = "integration/access.html")]
struct AccessPage {
    rows: Vec<Row>,
    csrf: String,
}

/// `GET /access`: «Доступ внешних систем».
pub(crate) async fn list(State(s): State<AppState>, SignedIn { session, user }: SignedIn) -> Page {
    let mut rows = Vec::new();
    for g in s.store.list_api_grants(user.id).await? {
        let (client, kind) = match s.store.get_api_client(&g.client_id).await {
            Ok(c) => (c.name, tr(c.kind.title())),
            Err(sep_core::StoreError::NotFound) => (g.client_id.clone(), ""),
            Err(e) => return Err(e.into()),
        };
        rows.push(Row {
            id: g.id.to_string(),
            client,
            kind,
            scopes: g.scopes.iter().map(|s| tr(s.words())).collect(),
            since: moscow(g.created_at),
            withdrawn: g.revoked_at.map(moscow).unwrap_or_default(),
        });
    }
    render(&AccessPage { rows, csrf: session.csrf_secret })
}

/// `POST /access/{grant}/revoke`: «Отозвать доступ»; another's grant is not found.
pub(crate) async fn withdraw(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    let id = Uuid::parse_str(&id).map_err(|_| WebError::not_found())?;
    delegation::withdraw(s.store.as_ref(), user.id, id, &ctx.origin(), s.clock.now())
        .await
        .map_err(crate::api::token_problem)?;
    Ok(Redirect::to("/access").into_response())
}
