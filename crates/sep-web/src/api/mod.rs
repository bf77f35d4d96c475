//! The integration API (SPEC X1): JSON under `/api/v1`, called by people's own programs with a
//! personal access token (`Authorization: Bearer sep_pat_…`). Every route calls the same core
//! use cases as the pages; refusals are RFC 9457 `application/problem+json` with the pages'
//! codes (the presenter renders every problem under `/api/` so).

pub(crate) mod docs;
pub(crate) mod oauth;
pub(crate) mod register;
pub(crate) mod v1;
pub(crate) mod write;

use crate::AppState;
use crate::error::WebError;
use axum::http::{HeaderMap, StatusCode, header};
use sep_core::integration::tokens::authenticate;
use sep_core::integration::{Scope, TokenError};
use sep_core::user::User;

/// A refused token as its problem: 401 with `WWW-Authenticate` for a missing or dead one, 403
/// for a scope it lacks.
pub(crate) fn token_problem(e: TokenError) -> WebError {
    let status = match e {
        TokenError::Missing | TokenError::Invalid => StatusCode::UNAUTHORIZED,
        TokenError::Scope => StatusCode::FORBIDDEN,
        TokenError::NotFound => return WebError::not_found(),
        TokenError::Store(e) => return e.into(),
        TokenError::RandomUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        TokenError::IdempotencyKeyInvalid => StatusCode::BAD_REQUEST,
        TokenError::IdempotencyInProgress => StatusCode::CONFLICT,
        TokenError::PersonalTokenRequired | TokenError::TestMode => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let title = if status == StatusCode::UNAUTHORIZED {
        "Нужен токен доступа"
    } else {
        "Действие не выполнено"
    };
    // RFC 6750 §3: how to authenticate, and why a token presented was refused.
    let challenge = match e {
        TokenError::Missing => Some("Bearer"),
        TokenError::Invalid => Some("Bearer error=\"invalid_token\""),
        TokenError::Scope => Some("Bearer error=\"insufficient_scope\""),
        _ => None,
    };
    let problem = sep_http::Problem::new(status, e.code(), title, &e.to_string(), e.action());
    match challenge {
        Some(c) => problem.challenge(c).into(),
        None => problem.into(),
    }
}

/// The person a call comes from, its token allowing `scope`.
pub(crate) async fn caller(s: &AppState, headers: &HeaderMap, scope: Scope) -> Result<User, WebError> {
    Ok(calling(s, headers, scope).await?.0)
}

/// The person a call comes from and who calls — whose idempotency keys it uses — its token
/// allowing `scope`. A registered client's calls are limited per client (429 with
/// `Retry-After`).
pub(crate) async fn calling(s: &AppState, headers: &HeaderMap, scope: Scope) -> Result<(User, String), WebError> {
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let (user, caller) =
        authenticate(s.store.as_ref(), auth, Some(scope), s.clock.now()).await.map_err(token_problem)?;
    if let sep_core::integration::tokens::Caller::Client(c) = &caller {
        s.throttles.clients.check(&c.0.id).map_err(sep_http::Problem::rate_limited)?;
    }
    Ok((user, caller.owner()))
}

/// A refusal as the API writes it (RFC 9457), for the document.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code, reason = "describes the presenter's JSON; never built here")]
pub(crate) struct ProblemDoc {
    /// Always `about:blank`.
    r#type: String,
    /// Short title, in the request's language.
    title: String,
    /// HTTP status.
    status: u16,
    /// What happened.
    detail: String,
    /// Stable code, as on the pages and at `/help/errors`.
    code: String,
    /// What to do.
    action: String,
    /// The request's id, for support.
    request_id: String,
    /// What is wrong with each field, when the refusal is about fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<FieldErrorDoc>>,
}

/// One field's refusal.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code, reason = "describes the presenter's JSON; never built here")]
pub(crate) struct FieldErrorDoc {
    /// The field's name (or a part of the form: `contacts`, `signature`, `fee`, `doc-<code>`).
    field: String,
    /// Stable code.
    code: String,
    /// What is wrong.
    message: String,
}

/// The API's description: OpenAPI 3.1 generated from the handlers and their types.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "SEP API",
        version = "1",
        description = "The integration API of SEP. A person's program calls it with a personal access token \
            issued in the cabinet (Access tokens, /tokens): `Authorization: Bearer sep_pat_...`."
    ),
    paths(
        v1::applications::list,
        v1::applications::get,
        v1::applications::write::create,
        v1::applications::write::update,
        v1::applications::write::send,
        v1::applications::write::withdraw,
        v1::operations::import,
        v1::operations::get,
        v1::documents::list,
        v1::documents::get,
        v1::documents::file,
        v1::documents::upload,
        v1::webhooks::create,
        v1::webhooks::list,
        v1::webhooks::get,
        v1::webhooks::delete,
        v1::webhooks::rotate,
        v1::webhooks::enable,
        v1::webhooks::messages,
        v1::webhooks::replay,
        v1::webhooks::recover,
        register::register,
        v1::spravki::kinds,
        v1::spravki::order,
        v1::spravki::list,
        v1::spravki::get,
        v1::spravki::file,
        v1::spravki::signature,
        v1::payments::charges,
        v1::payments::one,
        v1::payments::payments,
        v1::mail::recipients,
        v1::mail::list,
        v1::mail::read,
        v1::mail::send,
        v1::agency::queue,
        v1::agency::get,
        v1::agency::take,
        v1::agency::decide,
        v1::passports::verify
    ),
    modifiers(&TokenScheme),
    tags(
        (name = "applications", description = "The person's applications (My applications)"),
        (name = "documents", description = "The person's documents (My documents)"),
        (name = "passports", description = "Checking an e-passport's QR code online, as the public check page and \
            the offline verifier (sep passport verify) do"),
        (name = "agency", description = "An agency's officer's queue: read, take into work, decide"),
        (name = "mail", description = "The person's mailbox: conversations, reading, sending (signed messages and files stay on the pages)"),
        (name = "payments", description = "The person's charges (from GIS GMP) and the payments made here; reading only"),
        (name = "spravki", description = "The person's certificates (spravki): order, follow, download with the agency's signature"),
        (name = "integrations", description = "Registering an external service; its access tokens come from the \
            authorization server (/.well-known/oauth-authorization-server)"),
        (name = "webhooks", description = "Subscriptions to events, signed as Standard Webhooks: headers webhook-id, \
            webhook-timestamp, webhook-signature (v1,<base64 HMAC-SHA256 of id.timestamp.body>)")
    )
)]
pub(crate) struct ApiDoc;

/// The bearer scheme of personal access tokens.
struct TokenScheme;

impl utoipa::Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("sep_pat").build()),
        );
    }
}

/// `GET /api/v1/openapi.json`: the API's description.
pub(crate) async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(<ApiDoc as utoipa::OpenApi>::openapi())
}

/// A refusal of a query's parameters: its code, what happened, what to do.
pub(crate) type QueryRefusal = (&'static str, &'static str, &'static str);

/// An unknown `status`.
pub(crate) const STATUS_UNKNOWN: QueryRefusal =
    ("api_status_unknown", "Такого статуса заявления нет.", "Возьмите код статуса из ответа API.");
/// A `limit` out of range.
pub(crate) const LIMIT_INVALID: QueryRefusal =
    ("api_limit_invalid", "limit — от 1 до 200.", "Укажите limit от 1 до 200.");
/// A `cursor` that is not of the list.
pub(crate) const CURSOR_INVALID: QueryRefusal =
    ("api_cursor_invalid", "Курсор не указывает на элемент этого списка.", "Начните список сначала, без cursor.");

/// A token in the address (`?access_token=`): refused, whatever else the request is — an
/// address ends up in logs, histories and `Referer`s (RFC 6750 §2.3 advises against it).
pub(crate) const TOKEN_IN_QUERY: QueryRefusal = (
    "api_token_in_query",
    "Токен доступа передан в адресе запроса; так его не принимают.",
    "Передайте токен в заголовке Authorization: Bearer <токен> и выпустите новый: этот мог остаться в журналах.",
);

/// Refuses a request carrying `access_token` in its query (before any handler sees it).
pub(crate) async fn no_token_in_query(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let in_query = req.uri().query().is_some_and(|q| {
        q.split('&').any(|p| p.split('=').next().is_some_and(|k| k.eq_ignore_ascii_case("access_token")))
    });
    if in_query {
        let (code, detail, action) = TOKEN_IN_QUERY;
        return sep_http::Problem::new(StatusCode::BAD_REQUEST, code, "Запрос не выполнен", detail, action)
            .into_response();
    }
    next.run(req).await
}

/// Items on a page when `limit` is absent, and at most.
const LIMIT_DEFAULT: usize = 50;
const LIMIT_MAX: usize = 200;

/// A list's `limit` and `cursor`, checked before anything is read. Lists run newest first in
/// an order nothing changes — a time in nanoseconds, then an id — so a page boundary stays where
/// it was while items change, and an item gone since leaves its cursor valid. The cursor is
/// that pair, opaque to the caller (`<nanoseconds>.<id>`).
pub(crate) struct Paging<K> {
    limit: usize,
    after: Option<(i128, K)>,
}

impl<K: Ord + std::str::FromStr + std::fmt::Display> Paging<K> {
    /// The paging `limit` and `cursor` ask for; `api_limit_invalid`, `api_cursor_invalid`.
    pub(crate) fn of(limit: Option<&str>, cursor: Option<&str>) -> Result<Self, WebError> {
        let limit = match limit {
            None => LIMIT_DEFAULT,
            Some(l) => l.parse().ok().filter(|l| (1..=LIMIT_MAX).contains(l)).ok_or_else(|| refused(LIMIT_INVALID))?,
        };
        let after = match cursor {
            None | Some("") => None,
            Some(c) => {
                let parsed = c.split_once('.').and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)));
                Some(parsed.ok_or_else(|| refused(CURSOR_INVALID))?)
            }
        };
        Ok(Self { limit, after })
    }

    /// Where the page starts (after this key), for a store that pages itself.
    pub(crate) fn after(&self) -> Option<&(i128, K)> {
        self.after.as_ref()
    }

    /// How many to ask a store that pages itself for: one more than the page, to know whether
    /// another follows.
    pub(crate) fn asked(&self) -> usize {
        self.limit + 1
    }

    /// A page a store read in the API's order with [`Paging::asked`] items, and the cursor of
    /// the next page.
    pub(crate) fn cut<T>(&self, mut items: Vec<T>, key: impl Fn(&T) -> (i128, K)) -> (Vec<T>, Option<String>) {
        let more = items.len() > self.limit;
        items.truncate(self.limit);
        let next = if more { items.last().map(key).map(|(at, id)| format!("{at}.{id}")) } else { None };
        (items, next)
    }

    /// The page of `items` in the order of `key`, and the cursor of the next page (none on
    /// the last).
    pub(crate) fn page<'a, T>(&self, items: &'a [T], key: impl Fn(&T) -> (i128, K)) -> (Vec<&'a T>, Option<String>) {
        let mut rest: Vec<(&T, (i128, K))> =
            items.iter().map(|t| (t, key(t))).filter(|(_, k)| self.after.as_ref().is_none_or(|a| k < a)).collect();
        rest.sort_by(|a, b| b.1.cmp(&a.1));
        let more = rest.len() > self.limit;
        rest.truncate(self.limit);
        let next = if more { rest.last().map(|(_, (at, id))| format!("{at}.{id}")) } else { None };
        (rest.into_iter().map(|(t, _)| t).collect(), next)
    }
}

/// A list's paging, when it has nothing else to ask.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageQuery {
    /// Items on a page, 1 to 200 (50 when absent).
    #[serde(default)]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// Where the page starts: `next_cursor` of the page before.
    #[serde(default)]
    cursor: Option<String>,
}

impl PageQuery {
    /// The paging asked for.
    pub(crate) fn paging<K: Ord + std::str::FromStr + std::fmt::Display>(&self) -> Result<Paging<K>, WebError> {
        Paging::of(self.limit.as_deref(), self.cursor.as_deref())
    }
}

/// `r` as its problem (422).
pub(crate) fn refused((code, detail, action): QueryRefusal) -> WebError {
    sep_http::Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, "Запрос не выполнен", detail, action).into()
}

/// A call for application `id` that is not the caller's answers as one that does not exist;
/// when it does exist, the refusal is journaled, as the pages journal it.
pub(crate) async fn journal_denied(
    s: &AppState,
    user: &User,
    ctx: &crate::extract::Ctx,
    id: sep_core::application::record::ApplicationId,
) {
    if s.store.get_application(id).await.is_err() {
        return;
    }
    let mut e = ctx.event(s.clock.now(), "application.access_denied", Some(user.id));
    e.outcome = sep_core::audit::Outcome::Denied;
    e.object = Some(format!("application:{id}"));
    if let Err(err) = s.store.insert_audit(&e).await {
        // The refusal stands; only its record is missing, which the log says.
        tracing::error!(code = err.code(), "audit append failed");
    }
}

/// A time as RFC 3339, as the API writes every time.
pub(crate) fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
