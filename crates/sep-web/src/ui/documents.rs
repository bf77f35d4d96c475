//! Uploading a document to an application (SPEC R5; SECURITY.md T8): recognised by content,
//! within its type's size limit, name cleaned; the content goes to the file store first and
//! the row, with its journal record, after, so no row ever points to a missing file.

use super::account::signed_in_with_terms as signed_in;
use crate::client::Client;
use crate::session::{csrf_ok, event};
use crate::{AppState, Problem};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sep_core::application::attachment::UploadError;
use sep_core::application::record::Attachment;
use sep_core::application::status::Allowed;
use sep_core::audit::Outcome;
use sep_core::store::Effects;

fn not_editable(back: &str) -> Response {
    refused(
        StatusCode::CONFLICT,
        "application_not_editable",
        "Заявление нельзя изменить",
        "Документы меняются, пока заявление не отправлено или возвращено на исправление.",
        back,
    )
}

fn refused(status: StatusCode, code: &'static str, title: &str, detail: &str, back: &str) -> Response {
    Problem::new(status, code, title, detail, "Вернитесь к заявлению и выберите другой файл.")
        .retry(back, "К заявлению")
        .into_response()
}

/// `POST /applications/{id}/documents` (multipart: `csrf`, `document`, `file`).
pub(crate) async fn upload(
    State(s): State<AppState>,
    user: crate::session::CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Multipart,
) -> Response {
    let rid = crate::middleware::request_id_of(&headers);
    let (session, user) = match signed_in(user, &format!("/applications/{id}")) {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    let parts = match super::upload::read(form).await {
        Ok(p) => p,
        Err(res) => return *res,
    };
    let (csrf, document) = (parts.text("csrf"), parts.text("document"));
    if !csrf_ok(&session, csrf) {
        return Problem::for_status(StatusCode::FORBIDDEN).into_response();
    }
    let (app, service) = match super::applications::owned(&s, &user, &id, &client, &rid).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let back = format!("/applications/{}", app.id);
    if !app.status.allowed().contains(&Allowed::Edit) {
        return refused(
            StatusCode::CONFLICT,
            "application_not_editable",
            "Заявление нельзя изменить",
            "Документы добавляются, пока заявление не отправлено.",
            &back,
        );
    }
    let Some(doc) = service.documents.iter().find(|d| d.code == document && d.applicants.contains(&app.applicant_type))
    else {
        return refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "document_unknown",
            "Неизвестный документ",
            "Для этого заявления такой документ не нужен.",
            &back,
        );
    };
    let (name, bytes) = parts.file.as_ref().map_or(("", &[][..]), |(n, b)| (n.as_str(), b.as_slice()));
    let stored = match super::upload::keep(&s, name, bytes, &doc.formats, doc.max_mb).await {
        Ok(f) => f,
        Err(super::upload::Refusal::Store) => {
            return Problem::for_status(StatusCode::SERVICE_UNAVAILABLE).into_response();
        }
        Err(super::upload::Refusal::File(e)) => {
            let mut ev = event(s.clock.now(), "document.refused", Some(user.id), &client, &rid, Outcome::Failure);
            ev.object = Some(format!("application:{}", app.id));
            ev.details = serde_json::json!({ "document": doc.code, "code": e.code() });
            if let Err(err) = s.store.insert_audit(&ev).await {
                tracing::error!(code = err.code(), "audit append failed");
            }
            let title = if matches!(e, UploadError::Empty) {
                "Файл не выбран"
            } else {
                "Файл не принят"
            };
            return refused(super::upload::status_of(&e), e.code(), title, &e.to_string(), &back);
        }
    };
    let now = s.clock.now();
    let attachment = Attachment {
        id: uuid::Uuid::now_v7(),
        application_id: app.id,
        document: doc.code.clone(),
        file_name: stored.file_name,
        content_type: stored.content_type,
        size: stored.size,
        sha256: stored.sha256,
        status: "accepted".into(),
        created_at: now,
    };
    let mut ev = event(now, "document.accepted", Some(user.id), &client, &rid, Outcome::Success);
    ev.object = Some(format!("application:{}", app.id));
    ev.details = serde_json::json!({ "document": doc.code, "size": attachment.size, "type": attachment.content_type });
    match s.store.insert_attachment(&attachment, &Effects::audit(ev)).await {
        Ok(()) => {}
        // Sent meanwhile: the file stays unreferenced and the sweep removes it.
        Err(sep_core::StoreError::Conflict { .. }) => return not_editable(&back),
        Err(e) => {
            tracing::error!(code = e.code(), "attachment row failed");
            return Problem::internal().into_response();
        }
    }
    Redirect::to(&format!("{back}?saved=1#doc-{}", doc.code)).into_response()
}

#[derive(serde::Deserialize)]
pub(crate) struct DeleteForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /applications/{id}/attachments/{file}/delete`: removes a file from a draft (or an
/// application sent back for fixing), to replace it with another.
pub(crate) async fn delete(
    State(s): State<AppState>,
    user: crate::session::CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path((id, file)): Path<(String, String)>,
    axum::Form(f): axum::Form<DeleteForm>,
) -> Response {
    let rid = crate::middleware::request_id_of(&headers);
    let (session, user) = match signed_in(user, &format!("/applications/{id}")) {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    if !csrf_ok(&session, &f.csrf) {
        return Problem::for_status(StatusCode::FORBIDDEN).into_response();
    }
    let (app, _) = match super::applications::owned(&s, &user, &id, &client, &rid).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let back = format!("/applications/{}", app.id);
    if !app.status.allowed().contains(&Allowed::Edit) {
        return refused(
            StatusCode::CONFLICT,
            "application_not_editable",
            "Заявление нельзя изменить",
            "Документы меняются, пока заявление не отправлено или возвращено на исправление.",
            &back,
        );
    }
    let Ok(file) = uuid::Uuid::parse_str(&file) else { return Problem::not_found().into_response() };
    let mut ev = event(s.clock.now(), "document.removed", Some(user.id), &client, &rid, Outcome::Success);
    ev.object = Some(format!("application:{}", app.id));
    ev.details = serde_json::json!({ "attachment": file.to_string() });
    match s.store.delete_attachment(app.id, file, s.clock.now(), &Effects::audit(ev)).await {
        Ok(()) => Redirect::to(&format!("{back}?saved=1#documents")).into_response(),
        Err(sep_core::StoreError::NotFound) => Problem::not_found().into_response(),
        Err(sep_core::StoreError::Conflict { .. }) => not_editable(&back),
        Err(e) => {
            tracing::error!(code = e.code(), "attachment removal failed");
            Problem::internal().into_response()
        }
    }
}
