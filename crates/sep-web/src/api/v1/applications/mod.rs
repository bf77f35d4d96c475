//! `GET /api/v1/applications` and `GET /api/v1/applications/{id}`: the person's applications
//! («Мои заявления»), newest created first, paginated by cursor; one with its form and history.
//! The writes are in [`write`].

pub(crate) mod write;

use crate::AppState;
use crate::api::{Paging, STATUS_UNKNOWN, caller, refused, rfc3339};
use crate::error::{Page, WebError};
use crate::extract::Ctx;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use sep_core::application::queue::{Order, mine, own};
use sep_core::application::record::{Application, ApplicationId, applicant_code};
use sep_core::application::status::Status;
use sep_core::integration::Scope;
use sep_core::user::User;
use serde::{Deserialize, Serialize};

/// An application as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Item {
    /// Id (UUID).
    id: String,
    /// The number given at submission (`2026-000123`); none for a draft.
    number: Option<String>,
    /// The service's code.
    service: String,
    /// The service's name, while the catalogue has it.
    service_title: Option<String>,
    /// `person`, `ip` or `org`.
    applicant_type: &'static str,
    /// Status code.
    status: &'static str,
    /// Status, as the pages name it.
    status_title: &'static str,
    /// Created.
    #[schema(format = DateTime)]
    created_at: String,
    /// Last changed.
    #[schema(format = DateTime)]
    updated_at: String,
    /// Expected decision date.
    #[schema(format = Date)]
    due_on: Option<String>,
}

fn item(s: &AppState, a: &Application) -> Item {
    Item {
        id: a.id.to_string(),
        number: a.number.clone(),
        service: a.service.clone(),
        service_title: s.catalogue.get(&a.service).map(|x| x.title.clone()),
        applicant_type: applicant_code(a.applicant_type),
        status: a.status.code(),
        status_title: a.status.title(),
        created_at: rfc3339(a.created_at),
        updated_at: rfc3339(a.updated_at),
        due_on: a.due_on.map(|d| d.to_string()),
    }
}

/// The list's parameters.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Only applications with this status (`draft`, `submitted`, …).
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

/// Where an application stands in the API's order: its creation, then its id.
fn key(a: &Application) -> (i128, uuid::Uuid) {
    (a.created_at.unix_timestamp_nanos(), a.id.0)
}

/// A page of applications.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct List {
    /// The page's applications.
    items: Vec<Item>,
    /// Where the next page starts; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// `GET /api/v1/applications?status=&limit=&cursor=` (scope `applications:read`).
#[utoipa::path(
    get,
    path = "/api/v1/applications",
    tag = "applications",
    summary = "The person's applications, newest created first, by cursor",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of applications", body = List),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `applications:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 400, description = "The query is malformed (a parameter given twice)", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A parameter refused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["applications:read"]))
)]
pub(crate) async fn list(State(s): State<AppState>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Page {
    let user = caller(&s, &headers, Scope::ApplicationsRead).await?;
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(code) => Some(Status::from_code(code).ok_or_else(|| refused(STATUS_UNKNOWN))?),
    };
    let paging = Paging::of(q.limit.as_deref(), q.cursor.as_deref())?;
    let (apps, _) = mine(s.store.as_ref(), &user, status, Order::Newest).await?;
    // Newest created first (the API's order, `Paging`).
    let (page, next_cursor) = paging.page(&apps, key);
    Ok(Json(List { items: page.into_iter().map(|a| item(&s, a)).collect(), next_cursor }).into_response())
}

/// A change in the application's history.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Event {
    /// When.
    #[schema(format = DateTime)]
    at: String,
    /// `applicant`, `officer` or `system`.
    actor: String,
    /// The status before (none for the creation).
    from: Option<&'static str>,
    /// The status after.
    to: &'static str,
    /// The comment shown to the applicant.
    comment: String,
    /// The reasons' codes (a rejection, a request for information).
    reasons: Vec<String>,
}

/// An application with its form and history.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct One {
    /// The application.
    #[serde(flatten)]
    item: Item,
    /// The form's values by field name, as typed (pre-filled from the profile at creation).
    data: std::collections::BTreeMap<String, String>,
    /// Its status changes, oldest first.
    history: Vec<Event>,
}

/// `app` as the API shows one application: with its form and history.
pub(crate) async fn one(s: &AppState, app: &Application) -> Result<One, WebError> {
    let history = s
        .store
        .list_application_events(app.id)
        .await?
        .into_iter()
        .map(|e| Event {
            at: rfc3339(e.at),
            actor: e.actor,
            from: e.from.map(Status::code),
            to: e.to.code(),
            comment: e.comment,
            reasons: e.reasons.into_iter().map(|r| r.code).collect(),
        })
        .collect();
    Ok(One { item: item(s, app), data: app.data.clone(), history })
}

/// `GET /api/v1/applications/{id}` (scope `applications:read`): one of the person's own.
#[utoipa::path(
    get,
    path = "/api/v1/applications/{id}",
    tag = "applications",
    summary = "One of the person's applications, with its history",
    params(("id" = String, Path, description = "The application's id")),
    responses(
        (status = 200, description = "The application", body = One),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `applications:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such application of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["applications:read"]))
)]
pub(crate) async fn get(State(s): State<AppState>, headers: HeaderMap, ctx: Ctx, Path(id): Path<String>) -> Page {
    let user = caller(&s, &headers, Scope::ApplicationsRead).await?;
    let app = owned(&s, &user, &ctx, &id).await?;
    Ok(Json(one(&s, &app).await?).into_response())
}

/// The caller's application `id`; another's, or none, answers 404 (another's journaled).
pub(crate) async fn owned(s: &AppState, user: &User, ctx: &Ctx, id: &str) -> Result<Application, WebError> {
    let id = id.parse().map(ApplicationId).map_err(|_| WebError::not_found())?;
    match own(s.store.as_ref(), user, id).await {
        Ok(app) => Ok(app),
        Err(sep_core::StoreError::NotFound) => {
            crate::api::journal_denied(s, user, ctx, id).await;
            Err(WebError::not_found())
        }
        Err(e) => Err(e.into()),
    }
}
