//! `/api/v1/agency/applications` (scope `agency:review`): an agency's system (or an officer's
//! program) works the officer's queue through the API — the queue by cursor, one application
//! with its form and history, «Взять в работу», and the decision — by the workspace's own use
//! cases and access rule (`agency_sees`): only the officer's agency's sent applications, never
//! their own; anything else is not found, and journaled as the pages journal it.

use super::applications::{One, one};
use crate::AppState;
use crate::api::write::{JsonBody, Nothing, Reply, idempotent};
use crate::api::{Paging, STATUS_UNKNOWN, caller, calling, refused};
use crate::error::{Page, WebError};
use crate::extract::Ctx;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use sep_core::application::access::{agency_sees, officer_agency};
use sep_core::application::decide::{self, Decision};
use sep_core::application::queue::{QueueFilter, agency_queue};
use sep_core::application::record::{Application, ApplicationId};
use sep_core::application::status::Status;
use sep_core::catalogue::Service;
use sep_core::integration::Scope;
use sep_core::user::User;
use serde::{Deserialize, Serialize};

/// The queue's filter and paging.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct QueueQuery {
    /// Only applications with this status (`created`, `under_review`, …).
    #[serde(default)]
    status: Option<String>,
    /// Items on a page, 1 to 200 (50 when absent).
    #[serde(default)]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// Where the page starts: `next_cursor` of the page before.
    #[serde(default)]
    cursor: Option<String>,
}

/// An application in the queue.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct QueueItem {
    /// Id.
    id: String,
    /// Its number.
    number: Option<String>,
    /// The service's code.
    service: String,
    /// Status code.
    status: &'static str,
    /// Who holds it (a user id), if anyone.
    assignee: Option<String>,
    /// Expected decision date.
    #[schema(format = Date)]
    due_on: Option<String>,
}

/// A page of the queue.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Queue {
    /// Newest sent first.
    items: Vec<QueueItem>,
    /// Where the next page starts; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// The caller as an officer: their agency, or nothing of this API.
fn agency_of(user: &User) -> Result<String, WebError> {
    officer_agency(user).map(str::to_owned).ok_or_else(WebError::not_found)
}

/// `GET /api/v1/agency/applications` (scope `agency:review`): the officer's agency's queue.
#[utoipa::path(
    get,
    path = "/api/v1/agency/applications",
    tag = "agency",
    summary = "The officer's agency's applications, newest created first, by cursor",
    params(QueueQuery),
    responses(
        (status = 200, description = "A page of the queue", body = Queue),
        (status = 400, description = "The query is malformed (a parameter given twice)", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `agency:review`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "The caller is not an agency's officer", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A parameter refused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["agency:review"]))
)]
pub(crate) async fn queue(State(s): State<AppState>, headers: HeaderMap, Query(q): Query<QueueQuery>) -> Page {
    let user = caller(&s, &headers, Scope::AgencyReview).await?;
    let agency = agency_of(&user)?;
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(code) => Some(Status::from_code(code).ok_or_else(|| refused(STATUS_UNKNOWN))?),
    };
    let paging = Paging::of(q.limit.as_deref(), q.cursor.as_deref())?;
    let filter = QueueFilter { status, ..QueueFilter::default() };
    let today = sep_core::clock::moscow_day(s.clock.now());
    let (apps, _) = agency_queue(s.store.as_ref(), &s.catalogue, &user, &agency, &filter, today).await?;
    let (page, next_cursor) = paging.page(&apps, |a: &Application| (a.created_at.unix_timestamp_nanos(), a.id.0));
    let items = page
        .into_iter()
        .map(|a| QueueItem {
            id: a.id.to_string(),
            number: a.number.clone(),
            service: a.service.clone(),
            status: a.status.code(),
            assignee: a.assignee.map(|u| u.0.to_string()),
            due_on: a.due_on.map(|d| d.to_string()),
        })
        .collect();
    Ok(Json(Queue { items, next_cursor }).into_response())
}

/// Application `id` of the officer's agency, with its service; anything else is not found
/// (and journaled when it exists).
async fn in_agency(s: &AppState, user: &User, ctx: &Ctx, id: &str) -> Result<(Application, Service), WebError> {
    let id = id.parse().map(ApplicationId).map_err(|_| WebError::not_found())?;
    let app = match s.store.get_application(id).await {
        Ok(app) => app,
        Err(sep_core::StoreError::NotFound) => return Err(WebError::not_found()),
        Err(e) => return Err(e.into()),
    };
    match s.catalogue.get(&app.service).filter(|svc| agency_sees(user, &app, svc)) {
        Some(svc) => Ok((app, svc.clone())),
        None => {
            crate::api::journal_denied(s, user, ctx, id).await;
            Err(WebError::not_found())
        }
    }
}

/// `GET /api/v1/agency/applications/{id}` (scope `agency:review`).
#[utoipa::path(
    get,
    path = "/api/v1/agency/applications/{id}",
    tag = "agency",
    summary = "One application of the officer's agency, with its form and history",
    params(("id" = String, Path, description = "The application's id")),
    responses(
        (status = 200, description = "The application", body = One),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `agency:review`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such application of the officer's agency", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["agency:review"]))
)]
pub(crate) async fn get(State(s): State<AppState>, headers: HeaderMap, ctx: Ctx, Path(id): Path<String>) -> Page {
    let user = caller(&s, &headers, Scope::AgencyReview).await?;
    let (app, _) = in_agency(&s, &user, &ctx, &id).await?;
    Ok(Json(one(&s, &app).await?).into_response())
}

/// `POST /api/v1/agency/applications/{id}/take` (scope `agency:review`): «Взять в работу».
#[utoipa::path(
    post,
    path = "/api/v1/agency/applications/{id}/take",
    tag = "agency",
    summary = "Take an application into work (the caller is then in charge of it)",
    params(
        ("id" = String, Path, description = "The application's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)"),
    ),
    responses(
        (status = 200, description = "Taken", body = One),
        (status = 400, description = "A body that is not JSON, or a malformed Idempotency-Key", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `agency:review`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such application of the officer's agency", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "Its status does not allow taking it, or another took it meanwhile", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A body with fields, or the key reused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["agency:review"]))
)]
pub(crate) async fn take(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonBody<Nothing>,
) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::AgencyReview).await?;
    let run = async {
        body.value?;
        let (app, _) = in_agency(&s, &user, &ctx, &id).await?;
        decide::take(s.store.as_ref(), &s.catalogue, &app, &user, &ctx.origin(), s.clock.now()).await?;
        Reply::ok(one(&s, &s.store.get_application(app.id).await?).await?)
    };
    idempotent(&s, &owner, &headers, &body.fingerprint, run).await
}

/// The decision.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionBody {
    /// `approve`, `reject` or `request_info`.
    decision: String,
    /// The reasons' codes from the service (for a rejection or a request; at least one).
    #[serde(default)]
    reasons: Vec<String>,
    /// The comment shown to the applicant.
    #[serde(default)]
    comment: String,
}

/// `POST /api/v1/agency/applications/{id}/decide` (scope `agency:review`).
#[utoipa::path(
    post,
    path = "/api/v1/agency/applications/{id}/decide",
    tag = "agency",
    summary = "Approve, reject, or ask the applicant for more information",
    request_body = DecisionBody,
    params(
        ("id" = String, Path, description = "The application's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)"),
    ),
    responses(
        (status = 200, description = "Decided", body = One),
        (status = 400, description = "Not JSON, or a malformed Idempotency-Key", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `agency:review`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such application of the officer's agency", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "Not in the caller's charge, checks still running, or its status does not allow it", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "No decision, or no reason for a rejection or a request; the key reused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["agency:review"]))
)]
pub(crate) async fn decide(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonBody<DecisionBody>,
) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::AgencyReview).await?;
    let run = async {
        let req = body.value?;
        let (app, service) = in_agency(&s, &user, &ctx, &id).await?;
        let d = Decision { decision: req.decision, reasons: req.reasons, comment: req.comment };
        let (store, now) = (s.store.as_ref(), s.clock.now());
        decide::decide(store, &s.catalogue, &service, &app, &user, &d, &ctx.origin(), now).await?;
        Reply::ok(one(&s, &store.get_application(app.id).await?).await?)
    };
    idempotent(&s, &owner, &headers, &body.fingerprint, run).await
}
