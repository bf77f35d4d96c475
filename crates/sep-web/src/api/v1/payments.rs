//! `/api/v1/charges` and `/api/v1/payments` (scope `payments:read`): the person's charges as
//! «Начисления и платежи» shows them — their own and their organisations', from ГИС ГМП, with
//! what was paid here counted — and the payments made through the portal. Reading only:
//! paying is the person's, on the pages.

use crate::AppState;
use crate::api::{Paging, caller, rfc3339};
use crate::error::{Page, WebError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use sep_core::integration::Scope;
use sep_core::payment::pay::Payment;
use sep_core::payment::{self, Charge, ChargeKind, ChargeStatus, Filter, Uin};
use serde::{Deserialize, Serialize};
use time::Date;

/// A charge.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ChargeView {
    /// УИН.
    uin: String,
    /// `tax`, `fine`, `fee` or `utility`.
    kind: &'static str,
    /// What it is for.
    title: String,
    /// `unpaid`, `partly_paid`, `overdue` or `paid`, today.
    status: &'static str,
    /// The amount charged, kopecks.
    amount_kopecks: i64,
    /// Paid so far, kopecks.
    paid_kopecks: i64,
    /// Due today (a discount counted while it lasts), kopecks.
    due_kopecks: i64,
    /// What remains to pay today, kopecks.
    remaining_kopecks: i64,
    /// Charged on.
    #[schema(format = Date)]
    date: String,
    /// To be paid by.
    #[schema(format = Date)]
    due: String,
    /// The discount lasts until (fines paid early).
    #[schema(format = Date)]
    discount_until: Option<String>,
    /// The payer's ИНН (the person's, or an organisation's they head).
    payer_inn: String,
    /// КБК.
    kbk: String,
    /// ОКТМО.
    oktmo: String,
}

fn charge(c: &Charge, today: Date) -> ChargeView {
    ChargeView {
        uin: c.uin.as_str().to_owned(),
        kind: c.kind.code(),
        title: c.title.clone(),
        status: c.status(today).code(),
        amount_kopecks: c.amount.0,
        paid_kopecks: c.paid.0,
        due_kopecks: c.due_amount(today).0,
        remaining_kopecks: c.remaining(today).0,
        date: c.date.to_string(),
        due: c.due.to_string(),
        discount_until: c.discount_until().map(|d| d.to_string()),
        payer_inn: c.payer_inn.clone(),
        kbk: c.kbk.clone(),
        oktmo: c.oktmo.clone(),
    }
}

/// The charges' filter and paging.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ChargesQuery {
    /// Only charges in this status today (`unpaid`, `partly_paid`, `overdue`, `paid`).
    #[serde(default)]
    status: Option<String>,
    /// Only charges of this kind (`tax`, `fine`, `fee`, `utility`).
    #[serde(default)]
    kind: Option<String>,
    /// Items on a page, 1 to 200 (50 when absent).
    #[serde(default)]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// Where the page starts: `next_cursor` of the page before.
    #[serde(default)]
    cursor: Option<String>,
}

/// A page of charges.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Charges {
    /// Newest first.
    items: Vec<ChargeView>,
    /// What remains to pay of all the person's charges today, kopecks.
    unpaid_kopecks: i64,
    /// Where the next page starts; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// An unknown `status` or `kind` of the charges' filter.
pub(crate) const FILTER_UNKNOWN: crate::api::QueryRefusal =
    ("api_filter_unknown", "Такого значения фильтра нет.", "Возьмите значения status и kind из описания API.");

fn today(s: &AppState) -> Date {
    sep_core::clock::moscow_day(s.clock.now())
}

/// `GET /api/v1/charges` (scope `payments:read`).
#[utoipa::path(
    get,
    path = "/api/v1/charges",
    tag = "payments",
    summary = "The person's charges (theirs and their organisations'), newest first, by cursor",
    params(ChargesQuery),
    responses(
        (status = 200, description = "A page of charges", body = Charges),
        (status = 400, description = "The query is malformed (a parameter given twice)", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `payments:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A parameter refused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 503, description = "GIS GMP (the state payments register) does not answer", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["payments:read"]))
)]
pub(crate) async fn charges(State(s): State<AppState>, headers: HeaderMap, Query(q): Query<ChargesQuery>) -> Page {
    let user = caller(&s, &headers, Scope::PaymentsRead).await?;
    let parse = |v: &Option<String>, known: fn(&str) -> bool| match v.as_deref() {
        None | Some("") => Ok(()),
        Some(c) if known(c) => Ok(()),
        Some(_) => Err(crate::api::refused(FILTER_UNKNOWN)),
    };
    parse(&q.status, |c| ChargeStatus::from_code(c).is_some())?;
    parse(&q.kind, |c| ChargeKind::from_code(c).is_some())?;
    let filter = Filter {
        status: q.status.as_deref().and_then(ChargeStatus::from_code),
        kind: q.kind.as_deref().and_then(ChargeKind::from_code),
        from: None,
        to: None,
    };
    let paging = Paging::<String>::of(q.limit.as_deref(), q.cursor.as_deref())?;
    let today = today(&s);
    let listing = payment::list(s.store.as_ref(), s.charges.as_ref(), &user, &filter, today).await?;
    // Newest charged first, then by УИН: an order nothing changes.
    let key = |c: &Charge| (c.date.midnight().assume_utc().unix_timestamp_nanos(), c.uin.as_str().to_owned());
    let (page, next_cursor) = paging.page(&listing.charges, key);
    Ok(Json(Charges {
        items: page.into_iter().map(|c| charge(c, today)).collect(),
        unpaid_kopecks: listing.unpaid.0,
        next_cursor,
    })
    .into_response())
}

/// `GET /api/v1/charges/{uin}` (scope `payments:read`): one of the person's charges.
#[utoipa::path(
    get,
    path = "/api/v1/charges/{uin}",
    tag = "payments",
    summary = "One of the person's charges",
    params(("uin" = String, Path, description = "The charge's UIN (20 or 25 digits)")),
    responses(
        (status = 200, description = "The charge", body = ChargeView),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `payments:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such charge of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 503, description = "GIS GMP (the state payments register) does not answer", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["payments:read"]))
)]
pub(crate) async fn one(State(s): State<AppState>, headers: HeaderMap, Path(uin): Path<String>) -> Page {
    let user = caller(&s, &headers, Scope::PaymentsRead).await?;
    let uin = Uin::parse(&uin).map_err(|_| WebError::not_found())?;
    let today = today(&s);
    let c = payment::own_with_payments(s.store.as_ref(), s.charges.as_ref(), &user, &uin, today)
        .await?
        .ok_or_else(WebError::not_found)?;
    Ok(Json(charge(&c, today)).into_response())
}

/// A payment made through the portal.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PaymentView {
    /// Id.
    id: String,
    /// The charge's УИН.
    uin: String,
    /// What was paid for.
    title: String,
    /// The amount, kopecks.
    amount_kopecks: i64,
    /// Its status (`created`, `pending`, `succeeded`, `failed`, …).
    status: &'static str,
    /// Why it failed (a code), when it did.
    failure: Option<String>,
    /// Started.
    #[schema(format = DateTime)]
    created_at: String,
    /// Last changed.
    #[schema(format = DateTime)]
    updated_at: String,
}

/// A page of payments.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Payments {
    /// Newest first.
    items: Vec<PaymentView>,
    /// Where the next page starts; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// `GET /api/v1/payments` (scope `payments:read`): the payments the person made here.
#[utoipa::path(
    get,
    path = "/api/v1/payments",
    tag = "payments",
    summary = "The payments the person made through the portal, newest first, by cursor",
    params(crate::api::PageQuery),
    responses(
        (status = 200, description = "A page of payments", body = Payments),
        (status = 400, description = "The query is malformed (a parameter given twice)", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `payments:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A parameter refused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["payments:read"]))
)]
pub(crate) async fn payments(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::api::PageQuery>,
) -> Page {
    let user = caller(&s, &headers, Scope::PaymentsRead).await?;
    let paging = q.paging::<uuid::Uuid>()?;
    let all = s.store.list_payments_of_user(user.id).await?;
    let (page, next_cursor) = paging.page(&all, |p: &Payment| (p.created_at.unix_timestamp_nanos(), p.id));
    let items = page
        .into_iter()
        .map(|p| PaymentView {
            id: p.id.to_string(),
            uin: p.uin.clone(),
            title: p.title.clone(),
            amount_kopecks: p.amount.0,
            status: p.status.code(),
            failure: p.failure.as_ref().map(|f| f.0.clone()),
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
        })
        .collect();
    Ok(Json(Payments { items, next_cursor }).into_response())
}
