//! Asynchronous operations (seed 004's «асинхронный режим»): `POST /api/v1/applications/import`
//! accepts a CSV of many applications (SPEC A4) with `202 Accepted` and the operation's address;
//! `GET /api/v1/operations/{id}` gives its progress and, once done, its result, and an
//! `operation.completed` webhook follows.

use crate::AppState;
use crate::api::{calling, rfc3339};
use crate::error::{Page, WebError};
use crate::extract::Ctx;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use sep_core::integration::Scope;
use sep_core::integration::operation::{self, ImportError, Operation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An operation as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct OperationView {
    /// Id.
    id: String,
    /// `application_import`.
    kind: String,
    /// `queued`, `running`, `succeeded` or `failed`.
    state: &'static str,
    /// Rows in all.
    total: i64,
    /// Rows done.
    done: i64,
    /// So far: `made`, `sent`, `refused`, `error` (when it failed), and
    /// `problems` — row, field, code, message (the first 1000).
    #[schema(value_type = Object)]
    result: serde_json::Value,
    /// Accepted.
    #[schema(format = DateTime)]
    created_at: String,
    /// Last progress.
    #[schema(format = DateTime)]
    updated_at: String,
}

fn view(op: &Operation) -> OperationView {
    OperationView {
        id: op.id.to_string(),
        kind: op.kind.clone(),
        state: op.state.code(),
        total: op.total,
        done: op.done,
        result: op.result.clone(),
        created_at: rfc3339(op.created_at),
        updated_at: rfc3339(op.updated_at),
    }
}

/// What the import makes.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImportQuery {
    /// The service's code.
    #[serde(default)]
    service: String,
    /// `person`, `ip` or `org`.
    #[serde(default)]
    applicant_type: String,
    /// `draft` (when absent) or `submit`.
    #[serde(default)]
    mode: Option<String>,
}

/// An import refused as a whole: its problem.
pub(crate) fn import_problem(e: ImportError) -> WebError {
    if let ImportError::Store(e) = e {
        return e.into();
    }
    let status =
        if matches!(e, ImportError::ServiceUnknown) { StatusCode::NOT_FOUND } else { StatusCode::UNPROCESSABLE_ENTITY };
    sep_http::Problem::new(status, e.code(), "Файл не принят", &e.to_string(), e.action()).into()
}

/// `POST /api/v1/applications/import?service=&applicant_type=&mode=` (scope `applications:write`).
#[utoipa::path(
    post,
    path = "/api/v1/applications/import",
    tag = "applications",
    summary = "Import many applications from a CSV file (asynchronous)",
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "UTF-8, `;` or `,`, a header row of the service's field names, a row per application (up to 10,000)"),
    responses(
        (status = 202, description = "Accepted: the operation, at its Location", body = OperationView, headers(("Location" = String, description = "The operation's address"))),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `applications:write`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than the portal takes", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Another encoding, a missing or unknown column, a malformed line, too many rows, an applicant the service does not take: nothing is imported", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["applications:write"]))
)]
pub(crate) async fn import(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::ApplicationsWrite).await?;
    let mode = q.mode.as_deref().filter(|m| !m.is_empty()).unwrap_or("draft");
    let (store, now) = (s.store.as_ref(), s.clock.now());
    let op = operation::import(
        store,
        &s.catalogue,
        &user,
        &owner,
        &q.service,
        &q.applicant_type,
        mode,
        &body,
        &ctx.origin(),
        now,
    )
    .await
    .map_err(import_problem)?;
    let mut res = (StatusCode::ACCEPTED, Json(view(&op))).into_response();
    if let Ok(l) = HeaderValue::from_str(&format!("/api/v1/operations/{}", op.id)) {
        res.headers_mut().insert(header::LOCATION, l);
    }
    Ok(res)
}

/// `GET /api/v1/operations/{operation}` (scope `applications:write`): the caller's operation.
#[utoipa::path(
    get,
    path = "/api/v1/operations/{operation}",
    tag = "applications",
    summary = "An asynchronous operation: its progress and result",
    params(("operation" = String, Path, description = "The operation's id")),
    responses(
        (status = 200, description = "The operation", body = OperationView),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `applications:write`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such operation of this caller", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["applications:write"]))
)]
pub(crate) async fn get(State(s): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::ApplicationsWrite).await?;
    let id = Uuid::parse_str(&id).map_err(|_| WebError::not_found())?;
    let op = s
        .store
        .find_api_operation(id)
        .await?
        .filter(|op| op.owner == owner && op.user_id == user.id)
        .ok_or_else(WebError::not_found)?;
    Ok(Json(view(&op)).into_response())
}
