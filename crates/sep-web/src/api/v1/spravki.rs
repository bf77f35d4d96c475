//! `/api/v1/spravki`: the person's справки through the API — the kinds on offer, ordering one
//! (`spravka::place`, the page's own use case, with its checks field by field), the orders
//! by cursor, one order's status, and the ready справка with the agency's signature.

use crate::AppState;
use crate::api::write::{JsonBody, Reply, idempotent};
use crate::api::{caller, calling, rfc3339};
use crate::error::{Page, WebError};
use crate::extract::Ctx;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use sep_core::integration::Scope;
use sep_core::spravka::order::Order;
use sep_core::spravka::{self, OrderForm, OrderView, SpravkaError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A kind of справка on offer.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct KindView {
    /// Its code, for ordering.
    code: String,
    /// Its name.
    title: String,
    /// The agency that issues it.
    agency: String,
    /// Whether a period is asked (`from`, `to`), and at most how many days.
    max_period_days: Option<u32>,
}

/// The kinds.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Kinds {
    /// Every kind.
    items: Vec<KindView>,
}

/// `GET /api/v1/spravki/kinds` (scope `spravki:read`).
#[utoipa::path(
    get,
    path = "/api/v1/spravki/kinds",
    tag = "spravki",
    summary = "The kinds of certificate (spravka) on offer",
    responses(
        (status = 200, description = "The kinds", body = Kinds),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `spravki:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["spravki:read"]))
)]
pub(crate) async fn kinds(State(s): State<AppState>, headers: HeaderMap) -> Page {
    caller(&s, &headers, Scope::SpravkiRead).await?;
    let items = s
        .kinds
        .all()
        .iter()
        .map(|k| KindView {
            code: k.code.clone(),
            title: k.title.clone(),
            agency: k.agency.clone(),
            max_period_days: k.max_period_days,
        })
        .collect();
    Ok(Json(Kinds { items }).into_response())
}

/// An order.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct OrderItem {
    /// Id.
    id: String,
    /// Its number (`S2026-000123`).
    number: String,
    /// The kind's code.
    kind: String,
    /// `accepted`, `making`, `ready` or `failed`.
    status: &'static str,
    /// The status as the pages name it.
    status_title: &'static str,
    /// The period asked, from.
    #[schema(format = Date)]
    period_from: Option<String>,
    /// The period asked, to.
    #[schema(format = Date)]
    period_to: Option<String>,
    /// What it is for.
    purpose: String,
    /// Why it failed (a code), when it did.
    error: Option<String>,
    /// Ordered.
    #[schema(format = DateTime)]
    created_at: String,
    /// Last changed.
    #[schema(format = DateTime)]
    updated_at: String,
}

fn item(o: &Order) -> OrderItem {
    OrderItem {
        id: o.id.to_string(),
        number: o.number.clone(),
        kind: o.kind.clone(),
        status: o.status.code(),
        status_title: o.status.title(),
        period_from: o.period.map(|p| p.0.to_string()),
        period_to: o.period.map(|p| p.1.to_string()),
        purpose: o.purpose.clone(),
        error: o.error.as_ref().map(|e| e.0.clone()),
        created_at: rfc3339(o.created_at),
        updated_at: rfc3339(o.updated_at),
    }
}

/// The справка an order produced.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Issued {
    /// Its number.
    number: String,
    /// Its title.
    title: String,
    /// The file's name.
    file_name: String,
    /// SHA-256 of the PDF.
    sha256: String,
    /// Issued.
    #[schema(format = DateTime)]
    issued_at: String,
    /// Where the PDF downloads.
    file: String,
    /// Where the agency's detached signature (CMS, DER) downloads.
    signature: String,
}

/// An order with its справка, once ready.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct OrderOne {
    /// The order.
    #[serde(flatten)]
    order: OrderItem,
    /// The справка, once ready.
    document: Option<Issued>,
}

fn one(v: &OrderView) -> OrderOne {
    let base = format!("/api/v1/spravki/{}", v.order.id);
    OrderOne {
        order: item(&v.order),
        document: v.document.as_ref().map(|d| Issued {
            number: d.number.clone(),
            title: d.title.clone(),
            file_name: d.file.file_name.clone(),
            sha256: d.file.sha256.clone(),
            issued_at: rfc3339(d.issued_at),
            file: format!("{base}/file"),
            signature: format!("{base}/signature"),
        }),
    }
}

/// An order through the API.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewOrder {
    /// The kind's code (`GET /api/v1/spravki/kinds`).
    kind: String,
    /// The period's start (`YYYY-MM-DD`), when the kind asks for one.
    #[serde(default)]
    #[schema(format = Date)]
    from: String,
    /// The period's end (`YYYY-MM-DD`).
    #[serde(default)]
    #[schema(format = Date)]
    to: String,
    /// What it is for (empty: «для предоставления по месту требования»).
    #[serde(default)]
    purpose: String,
    /// Also send it to the confirmed e-mail.
    #[serde(default)]
    by_email: bool,
    /// Also send a paper copy by post.
    #[serde(default)]
    by_post: bool,
    /// The postal address, for `by_post`.
    #[serde(default)]
    post_address: String,
    /// For an organisation the person heads: its ИНН.
    #[serde(default)]
    org: String,
}

/// `YYYY-MM-DD` as the core reads dates (`ДД.ММ.ГГГГ`); anything else as sent, for the core
/// to refuse by name.
fn ru_date(iso: &str) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(iso.trim(), &format) {
        Ok(d) => format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year()),
        Err(_) => iso.to_owned(),
    }
}

/// `POST /api/v1/spravki` (scope `spravki:order`): «Заказать справку».
#[utoipa::path(
    post,
    path = "/api/v1/spravki",
    tag = "spravki",
    summary = "Order a certificate (spravka)",
    request_body = NewOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)")),
    responses(
        (status = 201, description = "Ordered; it is made in the background", body = OrderOne),
        (status = 400, description = "Not JSON, or a malformed Idempotency-Key", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `spravki:order`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "A request with this Idempotency-Key is still running", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "What is wrong, field by field in `errors`; the key reused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 429, description = "Too many orders in a minute", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 503, description = "This portal issues no certificates", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["spravki:order"]))
)]
pub(crate) async fn order(State(s): State<AppState>, headers: HeaderMap, ctx: Ctx, body: JsonBody<NewOrder>) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::SpravkiOrder).await?;
    let run = async {
        let req = body.value?;
        if s.cloud.is_none() {
            return Err(SpravkaError::Unavailable.into());
        }
        s.throttles.orders.check(&user.id.0.to_string()).map_err(sep_http::Problem::rate_limited)?;
        let form = OrderForm {
            kind: req.kind,
            from: ru_date(&req.from),
            to: ru_date(&req.to),
            purpose: req.purpose,
            by_email: req.by_email,
            by_post: req.by_post,
            post_address: req.post_address,
            request_key: String::new(),
            org: req.org,
        };
        let o = spravka::place(s.store.as_ref(), &s.kinds, &user, &form, &ctx.origin(), s.clock.now()).await?;
        let v = OrderView { order: o, document: None };
        Reply::created(one(&v), format!("/api/v1/spravki/{}", v.order.id))
    };
    idempotent(&s, &owner, &headers, &body.fingerprint, run).await
}

/// A page of orders.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Orders {
    /// Newest first.
    items: Vec<OrderItem>,
    /// Where the next page starts; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// `GET /api/v1/spravki` (scope `spravki:read`): the person's orders, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/spravki",
    tag = "spravki",
    summary = "The person's orders of certificates, newest first, by cursor",
    params(crate::api::PageQuery),
    responses(
        (status = 200, description = "A page of orders", body = Orders),
        (status = 400, description = "The query is malformed (a parameter given twice)", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `spravki:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A parameter refused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["spravki:read"]))
)]
pub(crate) async fn list(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::api::PageQuery>,
) -> Page {
    let user = caller(&s, &headers, Scope::SpravkiRead).await?;
    let paging = q.paging()?;
    let orders = s.store.list_spravka_orders_of_user(user.id).await?;
    let (page, next_cursor) = paging.page(&orders, |o| (o.created_at.unix_timestamp_nanos(), o.id));
    Ok(Json(Orders { items: page.into_iter().map(item).collect(), next_cursor }).into_response())
}

fn order_id(id: &str) -> Result<Uuid, WebError> {
    Uuid::parse_str(id).map_err(|_| WebError::not_found())
}

/// `GET /api/v1/spravki/{order}` (scope `spravki:read`): its status and, once ready, the справка.
#[utoipa::path(
    get,
    path = "/api/v1/spravki/{order}",
    tag = "spravki",
    summary = "One order: its status and, once ready, its certificate",
    params(("order" = String, Path, description = "The order's id")),
    responses(
        (status = 200, description = "The order", body = OrderOne),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `spravki:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such order of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["spravki:read"]))
)]
pub(crate) async fn get(State(s): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Page {
    let user = caller(&s, &headers, Scope::SpravkiRead).await?;
    let v = spravka::view(s.store.as_ref(), &user, order_id(&id)?).await?;
    Ok(Json(one(&v)).into_response())
}

/// `GET /api/v1/spravki/{order}/file` (scope `spravki:read`): the ready справка (PDF).
#[utoipa::path(
    get,
    path = "/api/v1/spravki/{order}/file",
    tag = "spravki",
    summary = "The ready certificate (PDF)",
    params(("order" = String, Path, description = "The order's id")),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `spravki:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such order of this person, or not ready", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["spravki:read"]))
)]
pub(crate) async fn file(State(s): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Page {
    let user = caller(&s, &headers, Scope::SpravkiRead).await?;
    let (d, _) = spravka::signed_file(s.store.as_ref(), &user, order_id(&id)?).await?;
    crate::ui::components::files::download(&s, &d.file.file_name, &d.file.content_type, &d.file.sha256, false).await
}

/// `GET /api/v1/spravki/{order}/signature` (scope `spravki:read`): the agency's detached
/// signature of the справка (CMS, DER).
#[utoipa::path(
    get,
    path = "/api/v1/spravki/{order}/signature",
    tag = "spravki",
    summary = "The agency's detached signature of the certificate (CMS, DER)",
    params(("order" = String, Path, description = "The order's id")),
    responses(
        (status = 200, description = "The signature", content_type = "application/pkcs7-signature", body = Vec<u8>),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `spravki:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such order of this person, or not ready", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["spravki:read"]))
)]
pub(crate) async fn signature(State(s): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Page {
    let user = caller(&s, &headers, Scope::SpravkiRead).await?;
    let (_, der) = spravka::signed_file(s.store.as_ref(), &user, order_id(&id)?).await?;
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "application/pkcs7-signature")], der).into_response())
}
