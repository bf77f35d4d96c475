//! `GET /api/v1/documents` and `GET /api/v1/documents/{key}/file`: «Мои документы» — the
//! files of the person's applications, what agencies issued them, and the files of their
//! applications' correspondence — newest first, paginated by cursor; one downloaded.

use crate::AppState;
use crate::api::{caller, rfc3339};
use crate::error::{Page, WebError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use sep_core::document::{Entry, Origin, entries};
use sep_core::integration::Scope;
use serde::{Deserialize, Serialize};

/// A document as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Document {
    /// Its key in «Мои документы» (`a:…`, `i:…`, `m:…`): the address of its file.
    key: String,
    /// What it is: the service's document, «Вложение сообщения», an issued document's title.
    kind: String,
    /// `attachment` (uploaded by the person), `issued` (by an agency, signed), `message`.
    origin: &'static str,
    /// The file's name.
    file_name: String,
    /// Its MIME type.
    content_type: String,
    /// Bytes.
    size: i64,
    /// When it arrived.
    #[schema(format = DateTime)]
    at: String,
    /// The application it belongs to.
    application: Option<String>,
    /// The application's or the order's number.
    number: Option<String>,
    /// Where its file downloads.
    file: String,
}

fn document(e: &Entry) -> Document {
    let key = e.key();
    Document {
        file: format!("/api/v1/documents/{key}/file"),
        key,
        kind: e.kind.clone(),
        origin: match e.origin {
            Origin::Attachment { .. } => "attachment",
            Origin::Issued { .. } => "issued",
            Origin::Message { .. } => "message",
        },
        file_name: e.file.file_name.clone(),
        content_type: e.file.content_type.clone(),
        size: e.file.size,
        at: rfc3339(e.at),
        application: e.application.map(|a| a.to_string()),
        number: e.number.clone(),
    }
}

/// A page of documents.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct List {
    /// The page's documents.
    items: Vec<Document>,
    /// Where the next page starts; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// Where a document stands in the order: its arrival, then its key.
fn key(e: &Entry) -> (i128, String) {
    (e.at.unix_timestamp_nanos(), e.key())
}

/// `GET /api/v1/documents?limit=&cursor=` (scope `documents:read`).
#[utoipa::path(
    get,
    path = "/api/v1/documents",
    tag = "documents",
    summary = "The person's documents, newest first, by cursor",
    params(crate::api::PageQuery),
    responses(
        (status = 200, description = "A page of documents", body = List),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `documents:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 400, description = "The query is malformed (a parameter given twice)", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A parameter refused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["documents:read"]))
)]
pub(crate) async fn list(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::api::PageQuery>,
) -> Page {
    let user = caller(&s, &headers, Scope::DocumentsRead).await?;
    let paging = q.paging()?;
    let all = entries(s.store.as_ref(), &s.catalogue, &user).await?;
    // Newest arrived first (the API's order, `Paging`).
    let (page, next_cursor) = paging.page(&all, key);
    Ok(Json(List { items: page.into_iter().map(document).collect(), next_cursor }).into_response())
}

/// `GET /api/v1/documents/{key}/file` (scope `documents:read`): the file, as «Мои документы»
/// downloads it.
#[utoipa::path(
    get,
    path = "/api/v1/documents/{key}/file",
    tag = "documents",
    summary = "A document's file",
    params(("key" = String, Path, description = "The document's key")),
    responses(
        (status = 200, description = "The file, with its type", content_type = "application/octet-stream"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `documents:read`, or the document is the e-passport of a person who turned on login protection (`fresh_login_required`: it opens only in the cabinet after a fresh login)", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such document of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["documents:read"]))
)]
pub(crate) async fn file(State(s): State<AppState>, headers: HeaderMap, Path(key): Path<String>) -> Page {
    let user = caller(&s, &headers, Scope::DocumentsRead).await?;
    let e =
        sep_core::document::find(s.store.as_ref(), &s.catalogue, &user, &key).await?.ok_or_else(WebError::not_found)?;
    // A token proves no recent login: with «Защита входа» on, the e-passport stays in the cabinet.
    if user.settings.login_protection
        && sep_core::passport::protection::holds_passport(s.store.as_ref(), &user, [&e]).await?
    {
        return Err(sep_core::passport::protection::ProtectionError::FreshLoginRequired.into());
    }
    crate::ui::components::files::download(&s, &e.file.file_name, &e.file.content_type, &e.file.sha256, false).await
}

/// `GET /api/v1/documents/{key}` (scope `documents:read`): one document's description.
#[utoipa::path(
    get,
    path = "/api/v1/documents/{key}",
    tag = "documents",
    summary = "One of the person's documents",
    params(("key" = String, Path, description = "The document's key")),
    responses(
        (status = 200, description = "The document", body = Document),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `documents:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such document of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["documents:read"]))
)]
pub(crate) async fn get(State(s): State<AppState>, headers: HeaderMap, Path(key): Path<String>) -> Page {
    let user = caller(&s, &headers, Scope::DocumentsRead).await?;
    let e =
        sep_core::document::find(s.store.as_ref(), &s.catalogue, &user, &key).await?.ok_or_else(WebError::not_found)?;
    Ok(Json(document(&e)).into_response())
}

/// The upload's parameters.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UploadQuery {
    /// The file's name (its extension is checked against its content).
    #[serde(default)]
    name: String,
}

/// An attached file.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Attached {
    /// The service's document it went to.
    document: String,
    /// Where it is in «Мои документы».
    key: String,
    /// Its name.
    file_name: String,
    /// Bytes.
    size: i64,
}

/// `POST /api/v1/applications/{id}/documents/{document}?name=` (scope `applications:write`):
/// the body is the file itself; it is checked and attached as the form attaches it.
#[utoipa::path(
    post,
    path = "/api/v1/applications/{id}/documents/{document}",
    tag = "documents",
    summary = "Attach a file to a document of a draft (the body is the file)",
    params(
        ("id" = String, Path, description = "The application's id"),
        ("document" = String, Path, description = "The service's document code (`passport_scan`, …)"),
        UploadQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file (PDF, JPEG or PNG)"),
    responses(
        (status = 201, description = "Attached", body = Attached),
        (status = 400, description = "A malformed Idempotency-Key", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `applications:write`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such application of this person", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "The application cannot be changed in its status, or the key's request is still running", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than the portal takes", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "No such document in its service; the file empty, of a type not taken, larger than the document allows, or not what its name says; the key reused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["applications:write"]))
)]
pub(crate) async fn upload(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: crate::extract::Ctx,
    Path((id, doc)): Path<(String, String)>,
    Query(q): Query<UploadQuery>,
    body: axum::body::Bytes,
) -> Page {
    let (user, owner) = crate::api::calling(&s, &headers, Scope::ApplicationsWrite).await?;
    let fingerprint = sep_core::integration::idempotency::fingerprint(
        "POST",
        &format!("/api/v1/applications/{id}/documents/{doc}?name={}", q.name),
        &body,
    );
    let run = async {
        let app = super::applications::owned(&s, &user, &ctx, &id).await?;
        let service = s.catalogue.get(&app.service).ok_or(sep_core::application::ActionError::UnknownService)?;
        let upload = sep_core::application::documents::Upload { document: &doc, name: &q.name, bytes: &body };
        let (store, files) = (s.store.as_ref(), s.files.as_ref());
        let document = sep_core::application::documents::attach(
            store,
            files,
            &app,
            service,
            &user,
            upload,
            &ctx.origin(),
            s.clock.now(),
        )
        .await?;
        let attached = store
            .list_attachments(app.id)
            .await?
            .into_iter()
            .filter(|a| a.document == document && a.replaced_by.is_none())
            .max_by_key(|a| (a.created_at, a.id))
            .ok_or_else(WebError::not_found)?;
        let key = format!("a:{}", attached.id);
        crate::api::write::Reply::created(
            Attached { document, key: key.clone(), file_name: attached.file_name, size: attached.size },
            format!("/api/v1/documents/{key}"),
        )
    };
    crate::api::write::idempotent(&s, &owner, &headers, &fingerprint, run).await
}
