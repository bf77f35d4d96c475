//! `/api/v1/webhooks` (scope `webhooks:manage`): a person's program subscribes endpoints to
//! events (seed 004 «Настроить webhook‑подписку на события СЭП»), reads the delivery log,
//! replays a message, recovers the failed ones since a time, rotates the secret and enables an
//! endpoint again after it was disabled. Messages are signed as Standard Webhooks says.

use crate::AppState;
use crate::api::write::{JsonBody, Nothing, Reply, idempotent};
use crate::api::{Paging, caller, calling, rfc3339};
use crate::error::{Page, WebError};
use crate::extract::Ctx;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use sep_core::integration::Scope;
use sep_core::integration::webhook::store::MessageQuery;
use sep_core::integration::webhook::{Endpoint as Stored, Message, MessageState, manage};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// An event type a subscription names.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[allow(dead_code, reason = "describes the codes for the document; the core reads them")]
pub(crate) enum EventCode {
    /// An application was sent.
    #[serde(rename = "application.submitted")]
    ApplicationSubmitted,
    /// An application's status changed.
    #[serde(rename = "application.status_changed")]
    ApplicationStatusChanged,
    /// A file was attached to an application.
    #[serde(rename = "document.created")]
    DocumentCreated,
    /// A file was replaced by a new version.
    #[serde(rename = "document.changed")]
    DocumentChanged,
    /// A file was removed from a draft.
    #[serde(rename = "document.deleted")]
    DocumentDeleted,
    /// An agency issued a document.
    #[serde(rename = "document.issued")]
    DocumentIssued,
    /// A справка is ready.
    #[serde(rename = "spravka.ready")]
    SpravkaReady,
    /// A payment went through.
    #[serde(rename = "payment.succeeded")]
    PaymentSucceeded,
    /// A letter arrived in the mailbox.
    #[serde(rename = "mail.received")]
    MailReceived,
    /// An asynchronous operation finished.
    #[serde(rename = "operation.completed")]
    OperationCompleted,
    /// An e-passport was issued.
    #[serde(rename = "passport.issued")]
    PassportIssued,
    /// An e-passport was annulled.
    #[serde(rename = "passport.annulled")]
    PassportAnnulled,
}

/// A subscription as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Endpoint {
    /// Id.
    id: String,
    /// Where messages are posted.
    url: String,
    /// The event types it gets.
    #[schema(value_type = Vec<EventCode>)]
    events: Vec<&'static str>,
    /// `active` or `disabled`.
    state: &'static str,
    /// Why it was disabled: `gone` (it answered 410) or `failing` (5 days of failures).
    disabled_reason: Option<String>,
    /// Since when every delivery has failed.
    #[schema(format = DateTime)]
    failing_since: Option<String>,
    /// Created.
    #[schema(format = DateTime)]
    created_at: String,
    /// The signing secret (`whsec_…`): only in the answer that made it (creation, rotation).
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

fn endpoint(e: &Stored, with_secret: bool) -> Endpoint {
    Endpoint {
        id: e.id.to_string(),
        url: e.url.clone(),
        events: e.events.iter().map(|t| t.code()).collect(),
        state: if e.disabled.is_some() { "disabled" } else { "active" },
        disabled_reason: e.disabled.as_ref().map(|d| d.1.clone()),
        failing_since: e.failing_since.map(rfc3339),
        created_at: rfc3339(e.created_at),
        secret: with_secret.then(|| e.secret.clone()),
    }
}

/// A new subscription.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewEndpoint {
    /// Where to post: an `https://` address reachable from the internet.
    url: String,
    /// The event types to get.
    #[schema(value_type = Vec<EventCode>)]
    events: Vec<String>,
}

/// The person's subscriptions.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Endpoints {
    /// Oldest first.
    items: Vec<Endpoint>,
}

fn endpoint_id(id: &str) -> Result<Uuid, WebError> {
    Uuid::parse_str(id).map_err(|_| WebError::not_found())
}

/// `POST /api/v1/webhooks`: subscribes an endpoint; its secret is in this answer only.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    summary = "Subscribe an endpoint to events",
    request_body = NewEndpoint,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)")),
    responses(
        (status = 201, description = "Subscribed; `secret` is shown this once", body = Endpoint),
        (status = 400, description = "Not JSON, or a malformed Idempotency-Key", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `webhooks:manage`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "A request with this Idempotency-Key is still running", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "An address refused (not https, private), an unknown event type, too many subscriptions", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["webhooks:manage"]))
)]
pub(crate) async fn create(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    body: JsonBody<NewEndpoint>,
) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::WebhooksManage).await?;
    let run = async {
        let req = body.value?;
        let req = manage::Request { url: req.url, events: req.events };
        let e =
            manage::subscribe(s.store.as_ref(), s.webhooks.as_ref(), &user, &req, &ctx.origin(), s.clock.now()).await?;
        Ok(Reply::created(endpoint(&e, true), format!("/api/v1/webhooks/{}", e.id))?.once("secret"))
    };
    idempotent(&s, &owner, &headers, &body.fingerprint, run).await
}

/// `GET /api/v1/webhooks`: the person's subscriptions.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    summary = "The person's subscriptions",
    responses(
        (status = 200, description = "The subscriptions", body = Endpoints),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `webhooks:manage`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["webhooks:manage"]))
)]
pub(crate) async fn list(State(s): State<AppState>, headers: HeaderMap) -> Page {
    let user = caller(&s, &headers, Scope::WebhooksManage).await?;
    let all = s.store.list_webhook_endpoints(user.id).await?;
    Ok(Json(Endpoints { items: all.iter().map(|e| endpoint(e, false)).collect() }).into_response())
}

/// `GET /api/v1/webhooks/{endpoint}`: one subscription.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{endpoint}",
    tag = "webhooks",
    summary = "One subscription",
    params(("endpoint" = String, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "The subscription", body = Endpoint),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `webhooks:manage`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["webhooks:manage"]))
)]
pub(crate) async fn get(State(s): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Page {
    let user = caller(&s, &headers, Scope::WebhooksManage).await?;
    let e = manage::own(s.store.as_ref(), user.id, endpoint_id(&id)?).await?;
    Ok(Json(endpoint(&e, false)).into_response())
}

/// `DELETE /api/v1/webhooks/{endpoint}`: removes the subscription with its log.
#[utoipa::path(
    delete,
    path = "/api/v1/webhooks/{endpoint}",
    tag = "webhooks",
    summary = "Remove a subscription",
    params(
        ("endpoint" = String, Path, description = "The subscription's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)"),
    ),
    responses(
        (status = 200, description = "Removed", body = Removed),
        (status = 400, description = "A malformed Idempotency-Key", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `webhooks:manage`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "A request with this Idempotency-Key is still running", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A body with fields, or the key reused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["webhooks:manage"]))
)]
pub(crate) async fn delete(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonBody<Nothing>,
) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::WebhooksManage).await?;
    let run = async {
        body.value?;
        let id = endpoint_id(&id)?;
        manage::unsubscribe(s.store.as_ref(), &user, id, &ctx.origin(), s.clock.now()).await?;
        Reply::ok(Removed { id: id.to_string(), removed: true })
    };
    idempotent(&s, &owner, &headers, &body.fingerprint, run).await
}

/// A removal's answer.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Removed {
    /// The subscription's id.
    id: String,
    /// Always true.
    removed: bool,
}

macro_rules! endpoint_action {
    ($name:ident, $path:literal, $summary:literal, $ok:literal, $call:path, $secret:literal) => {
        #[doc = concat!("`POST ", $path, "`: ", $summary, ".")]
        #[utoipa::path(
            post,
            path = $path,
            tag = "webhooks",
            summary = $summary,
            params(
                ("endpoint" = String, Path, description = "The subscription's id"),
                ("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)"),
            ),
            responses(
                (status = 200, description = $ok, body = Endpoint),
                (status = 400, description = "A malformed Idempotency-Key, a body that is not JSON", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
                (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
                (status = 403, description = "The token lacks `webhooks:manage`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
                (status = 404, description = "No such subscription of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
                (status = 409, description = "A request with this Idempotency-Key is still running", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
                (status = 415, description = "A body that is not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
                (status = 422, description = "A body with fields, or the key reused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
            ),
            security(("token" = ["webhooks:manage"]))
        )]
        pub(crate) async fn $name(
            State(s): State<AppState>,
            headers: HeaderMap,
            ctx: Ctx,
            Path(id): Path<String>,
            body: JsonBody<Nothing>,
        ) -> Page {
            let (user, owner) = calling(&s, &headers, Scope::WebhooksManage).await?;
            let run = async {
                body.value?;
                let e = $call(s.store.as_ref(), &user, endpoint_id(&id)?, &ctx.origin(), s.clock.now()).await?;
                Ok(Reply::ok(endpoint(&e, $secret))?.once("secret"))
            };
            idempotent(&s, &owner, &headers, &body.fingerprint, run).await
        }
    };
}

endpoint_action!(
    rotate,
    "/api/v1/webhooks/{endpoint}/rotate",
    "Rotate the signing secret (the old one signs beside it for 24 hours)",
    "The subscription with its new secret, shown this once",
    manage::rotate,
    true
);
endpoint_action!(
    enable,
    "/api/v1/webhooks/{endpoint}/enable",
    "Enable a disabled subscription again",
    "The subscription, active",
    manage::enable,
    false
);

/// One attempt of the delivery log.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AttemptView {
    /// Which attempt, from 1.
    n: i32,
    /// When.
    #[schema(format = DateTime)]
    at: String,
    /// The answer's status, when one came.
    status: Option<u16>,
    /// The answer's first bytes.
    response: String,
    /// How long it took, milliseconds.
    duration_ms: i64,
    /// Why there was no answer.
    error: Option<String>,
}

/// A message with its attempts.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct MessageView {
    /// The `webhook-id`.
    id: String,
    /// The event type.
    #[schema(value_type = EventCode)]
    r#type: &'static str,
    /// `pending`, `delivered` or `failed`.
    state: &'static str,
    /// When the event happened.
    #[schema(format = DateTime)]
    created_at: String,
    /// The body as sent.
    #[schema(value_type = Object)]
    payload: serde_json::Value,
    /// Its attempts, first first.
    attempts: Vec<AttemptView>,
}

/// A page of the delivery log.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Messages {
    /// Newest first.
    items: Vec<MessageView>,
    /// Where the next page starts; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// The log's parameters.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LogQuery {
    /// Only messages in this state.
    #[serde(default)]
    #[param(value_type = Option<String>, example = "failed")]
    state: Option<String>,
    /// Items on a page, 1 to 200 (50 when absent).
    #[serde(default)]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// Where the page starts: `next_cursor` of the page before.
    #[serde(default)]
    cursor: Option<String>,
}

fn key(m: &Message) -> (i128, String) {
    (m.created_at.unix_timestamp_nanos(), m.id.clone())
}

/// `GET /api/v1/webhooks/{endpoint}/messages`: the delivery log, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{endpoint}/messages",
    tag = "webhooks",
    summary = "The delivery log: messages with their attempts, newest first, by cursor",
    params(("endpoint" = String, Path, description = "The subscription's id"), LogQuery),
    responses(
        (status = 200, description = "A page of messages", body = Messages),
        (status = 400, description = "The query is malformed (a parameter given twice)", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `webhooks:manage`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A parameter refused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["webhooks:manage"]))
)]
pub(crate) async fn messages(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LogQuery>,
) -> Page {
    let user = caller(&s, &headers, Scope::WebhooksManage).await?;
    let e = manage::own(s.store.as_ref(), user.id, endpoint_id(&id)?).await?;
    let state = match q.state.as_deref() {
        None | Some("") => None,
        Some(code) => Some(MessageState::from_code(code).ok_or_else(|| crate::api::refused(STATE_UNKNOWN))?),
    };
    let paging = Paging::<String>::of(q.limit.as_deref(), q.cursor.as_deref())?;
    let before = match paging.after() {
        Some((at, id)) => {
            let at = OffsetDateTime::from_unix_timestamp_nanos(*at)
                .map_err(|_| crate::api::refused(crate::api::CURSOR_INVALID))?;
            Some((at, id.clone()))
        }
        None => None,
    };
    let query = MessageQuery { state, since: None, before, limit: paging.asked() };
    let (page, next_cursor) = paging.cut(s.store.list_webhook_messages(e.id, &query).await?, key);
    let mut items = Vec::with_capacity(page.len());
    for m in page {
        let attempts = s
            .store
            .list_webhook_attempts(&m.id)
            .await?
            .into_iter()
            .map(|a| AttemptView {
                n: a.n,
                at: rfc3339(a.at),
                status: a.status,
                response: a.response,
                duration_ms: a.duration_ms,
                error: a.error,
            })
            .collect();
        items.push(MessageView {
            r#type: m.event_type.code(),
            state: m.state.code(),
            created_at: rfc3339(m.created_at),
            payload: serde_json::from_str(&m.body).unwrap_or_default(),
            attempts,
            id: m.id,
        });
    }
    Ok(Json(Messages { items, next_cursor }).into_response())
}

/// An unknown `state` of the log.
pub(crate) const STATE_UNKNOWN: crate::api::QueryRefusal =
    ("api_message_state_unknown", "Такого состояния сообщения нет.", "Укажите state: pending, delivered или failed.");

/// A replay or a recovery, queued.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Queued {
    /// How many messages were queued again.
    queued: usize,
}

/// `POST /api/v1/webhooks/{endpoint}/messages/{message}/replay`: sends one message again.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{endpoint}/messages/{message}/replay",
    tag = "webhooks",
    summary = "Send one message again",
    params(
        ("endpoint" = String, Path, description = "The subscription's id"),
        ("message" = String, Path, description = "The message's id (`webhook-id`)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)"),
    ),
    responses(
        (status = 202, description = "Queued", body = Queued),
        (status = 400, description = "A malformed Idempotency-Key, a body that is not JSON", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `webhooks:manage`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such message of this person's subscription", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "The message is still being delivered, or the key's request is still running", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A body with fields, or the key reused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["webhooks:manage"]))
)]
pub(crate) async fn replay(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, message)): Path<(String, String)>,
    body: JsonBody<Nothing>,
) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::WebhooksManage).await?;
    let run = async {
        body.value?;
        manage::replay(s.store.as_ref(), &user, endpoint_id(&id)?, &message, s.clock.now()).await?;
        Ok(Reply { status: StatusCode::ACCEPTED, ..Reply::ok(Queued { queued: 1 })? })
    };
    idempotent(&s, &owner, &headers, &body.fingerprint, run).await
}

/// Which failed messages to send again.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Recover {
    /// Messages failed that were created at or after this time (RFC 3339).
    #[schema(format = DateTime)]
    since: String,
}

/// A `since` that is not an RFC 3339 time.
pub(crate) const SINCE_INVALID: crate::api::QueryRefusal =
    ("api_since_invalid", "since — время в формате RFC 3339.", "Укажите since, например 2026-12-01T00:00:00Z.");

/// `POST /api/v1/webhooks/{endpoint}/recover`: sends again every failed message since a time.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{endpoint}/recover",
    tag = "webhooks",
    summary = "Send again every failed message since a time",
    request_body = Recover,
    params(
        ("endpoint" = String, Path, description = "The subscription's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)"),
    ),
    responses(
        (status = 202, description = "Queued", body = Queued),
        (status = 400, description = "Not JSON, or a malformed Idempotency-Key", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `webhooks:manage`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "A request with this Idempotency-Key is still running", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "since is not a time, a field unknown, the key reused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["webhooks:manage"]))
)]
pub(crate) async fn recover(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: JsonBody<Recover>,
) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::WebhooksManage).await?;
    let run = async {
        let since = body.value?.since;
        let since = OffsetDateTime::parse(&since, &time::format_description::well_known::Rfc3339)
            .map_err(|_| crate::api::refused(SINCE_INVALID))?;
        let queued = manage::recover(s.store.as_ref(), &user, endpoint_id(&id)?, since, s.clock.now()).await?;
        Ok(Reply { status: StatusCode::ACCEPTED, ..Reply::ok(Queued { queued })? })
    };
    idempotent(&s, &owner, &headers, &body.fingerprint, run).await
}
