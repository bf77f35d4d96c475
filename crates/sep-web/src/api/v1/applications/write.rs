//! The API's writes of applications (scope `applications:write`), each the pages' own use
//! case: create a draft (`draft::start`, then `draft::save` of what was sent), change its form
//! (`draft::save`), send it (`submit::submit`, its refusals field by field) and withdraw it
//! (`submit::withdraw`). Every write takes an `Idempotency-Key`.

use super::{One, one, owned};
use crate::AppState;
use crate::api::calling;
use crate::api::write::{JsonBody, Nothing, Reply, idempotent};
use crate::error::{Page, WebError};
use crate::extract::Ctx;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use sep_core::application::record::applicant_from_code;
use sep_core::application::{ActionError, draft, submit};
use sep_core::catalogue::{ApplicantType, Service};
use sep_core::integration::Scope;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Who applies.
#[derive(Deserialize, utoipa::ToSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Applicant {
    /// A person.
    Person,
    /// An individual entrepreneur.
    Ip,
    /// An organisation.
    Org,
}

impl Applicant {
    const fn code(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Ip => "ip",
            Self::Org => "org",
        }
    }
}

/// A new application.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewApplication {
    /// The service's code, from the catalogue (`/services`).
    service: String,
    /// Who applies; the service must accept them.
    applicant_type: Applicant,
    /// Form values by field name, over what the profile pre-fills. Saved as they are, valid or
    /// not: sending checks them.
    #[serde(default)]
    data: BTreeMap<String, String>,
}

/// Changes to a draft's form.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Changes {
    /// Form values by field name; fields not named keep their values.
    data: BTreeMap<String, String>,
}

/// Sending an application.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Submission {
    /// The applicant's consent to the processing of personal data (152-ФЗ), as the page asks
    /// for it before sending; without it nothing is sent.
    consent: bool,
}

/// Names in `data` the service's form for `kind` does not have, refused by name.
fn unknown_fields(service: &Service, kind: ApplicantType, data: &BTreeMap<String, String>) -> Result<(), WebError> {
    let known: Vec<&str> = service.fields_for(kind).map(|f| f.name.as_str()).collect();
    let unknown: Vec<String> = data.keys().filter(|k| !known.contains(&k.as_str())).cloned().collect();
    if unknown.is_empty() { Ok(()) } else { Err(crate::api::write::unknown(unknown).into()) }
}

fn typed(data: BTreeMap<String, String>) -> HashMap<String, String> {
    data.into_iter().collect()
}

/// `POST /api/v1/applications`: a new draft, pre-filled from the profile, with `data` saved.
#[utoipa::path(
    post,
    path = "/api/v1/applications",
    tag = "applications",
    summary = "Create a draft application",
    request_body = NewApplication,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)")),
    responses(
        (status = 201, description = "The draft, created", body = One, headers(("Location" = String, description = "The draft's address"))),
        (status = 400, description = "Not JSON, or a malformed Idempotency-Key", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `applications:write`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "A request with this Idempotency-Key is still running", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A field unknown, a value of the wrong kind, an applicant the service does not take, the key reused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["applications:write"]))
)]
pub(crate) async fn create(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    body: JsonBody<NewApplication>,
) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::ApplicationsWrite).await?;
    let run = async {
        let req = body.value?;
        let service = s.catalogue.get(&req.service).ok_or(ActionError::UnknownService)?;
        if let Some(kind) = applicant_from_code(req.applicant_type.code()) {
            unknown_fields(service, kind, &req.data)?;
        }
        let (store, now, origin) = (s.store.as_ref(), s.clock.now(), ctx.origin());
        let mut app =
            draft::start(store, &s.catalogue, &user, &req.service, req.applicant_type.code(), &origin, now).await?;
        if !req.data.is_empty() {
            draft::save(store, &app, service, &typed(req.data), &origin, now).await?;
            app = store.get_application(app.id).await?;
        }
        Reply::created(one(&s, &app).await?, format!("/api/v1/applications/{}", app.id))
    };
    idempotent(&s, &owner, &headers, &body.fingerprint, run).await
}

/// `PATCH /api/v1/applications/{id}`: saves form values of a draft (or of one returned for
/// more information), as the form saves them.
#[utoipa::path(
    patch,
    path = "/api/v1/applications/{id}",
    tag = "applications",
    summary = "Change a draft's form",
    request_body = Changes,
    params(
        ("id" = String, Path, description = "The application's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)"),
    ),
    responses(
        (status = 200, description = "The application, changed", body = One),
        (status = 400, description = "Not JSON, or a malformed Idempotency-Key", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `applications:write`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such application of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "The application cannot be changed in its status, or the key's request is still running", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A field unknown, a value of the wrong kind, the key reused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["applications:write"]))
)]
pub(crate) async fn update(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonBody<Changes>,
) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::ApplicationsWrite).await?;
    let run = async {
        let app = owned(&s, &user, &ctx, &id).await?;
        let service = s.catalogue.get(&app.service).ok_or(ActionError::UnknownService)?;
        let changes = body.value?;
        unknown_fields(service, app.applicant_type, &changes.data)?;
        draft::save(s.store.as_ref(), &app, service, &typed(changes.data), &ctx.origin(), s.clock.now()).await?;
        Reply::ok(one(&s, &s.store.get_application(app.id).await?).await?)
    };
    idempotent(&s, &owner, &headers, &body.fingerprint, run).await
}

/// `POST /api/v1/applications/{id}/submit`: «Отправить заявление». What stops it comes back
/// in `errors`, field by field, as the check page lists it.
#[utoipa::path(
    post,
    path = "/api/v1/applications/{id}/submit",
    tag = "applications",
    summary = "Send an application",
    request_body = Submission,
    params(
        ("id" = String, Path, description = "The application's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)"),
    ),
    responses(
        (status = 200, description = "The application, sent: its number, status and due date", body = One),
        (status = 400, description = "Not JSON, or a malformed Idempotency-Key", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `applications:write`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such application of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "Its status does not allow sending, or the key's request is still running", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "What stops sending, in `errors`; no consent; the key reused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["applications:write"]))
)]
pub(crate) async fn send(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonBody<Submission>,
) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::ApplicationsWrite).await?;
    let run = async {
        let consent = body.value?.consent;
        let app = owned(&s, &user, &ctx, &id).await?;
        let service = s.catalogue.get(&app.service).ok_or(ActionError::UnknownService)?;
        let (store, now) = (s.store.as_ref(), s.clock.now());
        submit::submit(store, &s.catalogue, service, &app, &user, consent, &ctx.origin(), now).await?;
        Reply::ok(one(&s, &store.get_application(app.id).await?).await?)
    };
    idempotent(&s, &owner, &headers, &body.fingerprint, run).await
}

/// `POST /api/v1/applications/{id}/withdraw`: «Отозвать заявление», while its status allows.
#[utoipa::path(
    post,
    path = "/api/v1/applications/{id}/withdraw",
    tag = "applications",
    summary = "Withdraw an application",
    params(
        ("id" = String, Path, description = "The application's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)"),
    ),
    responses(
        (status = 200, description = "The application, withdrawn", body = One),
        (status = 400, description = "A body that is not JSON, or a malformed Idempotency-Key", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `applications:write`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such application of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "Its status does not allow withdrawing, or the key's request is still running", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A body with fields, or the key reused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["applications:write"]))
)]
pub(crate) async fn withdraw(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonBody<Nothing>,
) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::ApplicationsWrite).await?;
    let run = async {
        body.value?;
        let app = owned(&s, &user, &ctx, &id).await?;
        let (store, now) = (s.store.as_ref(), s.clock.now());
        submit::withdraw(store, &s.catalogue, &app, &user, &ctx.origin(), now).await?;
        Reply::ok(one(&s, &store.get_application(app.id).await?).await?)
    };
    idempotent(&s, &owner, &headers, &body.fingerprint, run).await
}
