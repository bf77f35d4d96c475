//! `/tokens`: the list (name, what it allows, issued, expires, last used, state) with
//! «Отозвать», and «Выпустить токен»: a name, the scopes in words, a lifetime; the secret is
//! shown once, on the page that answers the issue.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{CsrfForm, Ctx, SignedIn};
use crate::i18n::tr;
use crate::ui::components::{moscow, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use sep_core::integration::Scope;
use sep_core::integration::tokens::{self, PersonalToken};
use uuid::Uuid;

/// A token as the list shows it.
struct Row {
    id: String,
    name: String,
    hint: String,
    scopes: Vec<&'static str>,
    created: String,
    expires: String,
    used: String,
    /// `live`, `revoked`, `expired`.
    state: &'static str,
}

/// A registered integration as the page lists it.
struct ClientRow {
    id: String,
    name: String,
    kind: &'static str,
    mode: &'static str,
    scopes: Vec<&'static str>,
    created: String,
    disabled: bool,
}

/// A webhook subscription as the page lists it.
struct HookRow {
    url: String,
    events: Vec<&'static str>,
    /// Empty while active; else why it was disabled.
    disabled: String,
}

#[derive(Template)]
#[template(path = "integration/tokens.html")]
struct TokensPage {
    rows: Vec<Row>,
    clients: Vec<ClientRow>,
    hooks: Vec<HookRow>,
    /// `(code, words)` of every scope.
    scopes: Vec<(&'static str, &'static str)>,
    /// The new token's secret, on the page that issued it only.
    secret: Option<String>,
    /// A refusal of the form: code and text.
    error: Option<(&'static str, String)>,
    csrf: String,
}

fn row(t: &PersonalToken, now: time::OffsetDateTime) -> Row {
    Row {
        id: t.id.to_string(),
        name: t.name.clone(),
        hint: format!("{}{}…", tokens::PREFIX, t.hint),
        scopes: t.scopes.iter().map(|s| tr(s.words())).collect(),
        created: moscow(t.created_at),
        expires: moscow(t.expires_at),
        used: t.last_used_at.map(moscow).unwrap_or_default(),
        state: if t.revoked_at.is_some() {
            "revoked"
        } else if now >= t.expires_at {
            "expired"
        } else {
            "live"
        },
    }
}

async fn page(
    s: &AppState,
    user: &sep_core::user::User,
    csrf: String,
    secret: Option<String>,
    error: Option<&sep_core::integration::TokenError>,
) -> Page {
    let now = s.clock.now();
    let rows = s.store.list_api_tokens(user.id).await?.iter().map(|t| row(t, now)).collect();
    let clients = s
        .store
        .list_api_clients(user.id)
        .await?
        .into_iter()
        .map(|c| ClientRow {
            id: c.id.clone(),
            name: c.name.clone(),
            kind: tr(c.kind.title()),
            mode: if c.mode == sep_core::integration::client::Mode::Test {
                tr("тестовый режим")
            } else {
                tr("действует")
            },
            scopes: c.scopes.iter().map(|s| tr(s.words())).collect(),
            created: moscow(c.created_at),
            disabled: c.disabled_at.is_some(),
        })
        .collect();
    let hooks = s
        .store
        .list_webhook_endpoints(user.id)
        .await?
        .into_iter()
        .map(|e| HookRow {
            url: e.url.clone(),
            events: e.events.iter().map(|t| t.code()).collect(),
            disabled: match e.disabled.as_ref().map(|d| d.1.as_str()) {
                None => String::new(),
                Some("gone") => tr("адрес ответил 410 Gone").to_owned(),
                Some(_) => tr("доставки не удавались 5 дней").to_owned(),
            },
        })
        .collect();
    render(&TokensPage {
        rows,
        clients,
        hooks,
        scopes: Scope::ALL.iter().map(|s| (s.code(), tr(s.words()))).collect(),
        secret,
        error: error.map(|e| (e.code(), crate::i18n::tr_dyn(&e.to_string()))),
        csrf,
    })
}

/// `GET /tokens`.
pub(crate) async fn list(State(s): State<AppState>, SignedIn { session, user }: SignedIn) -> Page {
    page(&s, &user, session.csrf_secret, None, None).await
}

/// `POST /tokens` (`csrf`, `name`, `scope`…, `days`): «Выпустить токен»; the answer shows the
/// secret once.
pub(crate) async fn issue(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Page {
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str());
    let req = tokens::Request {
        name: field("name").to_owned(),
        scopes: form.iter().filter(|(k, _)| k == "scope").map(|(_, v)| v.clone()).collect(),
        days: field("days").parse().unwrap_or(0),
    };
    match tokens::issue(s.store.as_ref(), &user, &req, &ctx.origin(), s.clock.now()).await {
        Ok((_, secret)) => {
            let mut res = page(&s, &user, session.csrf_secret, Some(secret), None).await?;
            // The secret is on this page only: nothing keeps a copy.
            res.headers_mut()
                .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            Ok(res)
        }
        Err(
            e @ (sep_core::integration::TokenError::Store(_) | sep_core::integration::TokenError::RandomUnavailable),
        ) => Err(crate::api::token_problem(e)),
        Err(e) => {
            let mut res = page(&s, &user, session.csrf_secret, None, Some(&e)).await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

/// `POST /tokens/{token}/revoke`: «Отозвать».
pub(crate) async fn revoke(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    let id: Uuid = id.parse().map_err(|_| WebError::not_found())?;
    tokens::revoke(s.store.as_ref(), &user, id, &ctx.origin(), s.clock.now())
        .await
        .map_err(crate::api::token_problem)?;
    Ok(Redirect::to("/tokens").into_response())
}

/// `POST /tokens/integrations/{client}/disable`: «Отключить» one of the person's integrations.
pub(crate) async fn disable(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    sep_core::integration::client::disable_own(s.store.as_ref(), &user, &id, &ctx.origin(), s.clock.now())
        .await
        .map_err(crate::api::token_problem)?;
    Ok(Redirect::to("/tokens").into_response())
}
