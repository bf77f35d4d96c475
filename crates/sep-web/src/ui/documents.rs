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
use sep_core::application::attachment::{UploadError, check, clean_name, content_key, mime};
use sep_core::application::record::Attachment;
use sep_core::application::status::Allowed;
use sep_core::audit::Outcome;
use sep_core::store::Effects;

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
    mut form: Multipart,
) -> Response {
    let rid = crate::middleware::request_id_of(&headers);
    let (session, user) = match signed_in(user, &format!("/applications/{id}")) {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    let (mut csrf, mut document, mut file) = (String::new(), String::new(), None::<(String, Vec<u8>)>);
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name().unwrap_or("") {
                "csrf" => csrf = field.text().await.unwrap_or_default(),
                "document" => document = field.text().await.unwrap_or_default(),
                "file" => {
                    let name = field.file_name().unwrap_or("").to_owned();
                    match field.bytes().await {
                        Ok(b) => file = Some((name, b.to_vec())),
                        Err(_) => return Problem::for_status(StatusCode::PAYLOAD_TOO_LARGE).into_response(),
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return Problem::for_status(StatusCode::BAD_REQUEST).into_response(),
        }
    }
    if !csrf_ok(&session, &csrf) {
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
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let e = UploadError::Empty;
        return refused(StatusCode::UNPROCESSABLE_ENTITY, e.code(), "Файл не выбран", &e.to_string(), &back);
    };
    let format = match check(&bytes, &doc.formats, doc.max_mb) {
        Ok(f) => f,
        Err(e) => {
            let status = if matches!(e, UploadError::TooLarge { .. }) {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut ev = event(s.clock.now(), "document.refused", Some(user.id), &client, &rid, Outcome::Failure);
            ev.object = Some(format!("application:{}", app.id));
            ev.details = serde_json::json!({ "document": doc.code, "code": e.code() });
            if let Err(err) = s.store.insert_audit(&ev).await {
                tracing::error!(code = err.code(), "audit append failed");
            }
            return refused(status, e.code(), "Файл не принят", &e.to_string(), &back);
        }
    };
    let key = content_key(&bytes);
    if let Err(e) = s.files.put(&key, &bytes).await {
        tracing::error!(error = %e, "file store write failed");
        return Problem::for_status(StatusCode::SERVICE_UNAVAILABLE).into_response();
    }
    let now = s.clock.now();
    let attachment = Attachment {
        id: uuid::Uuid::now_v7(),
        application_id: app.id,
        document: doc.code.clone(),
        file_name: clean_name(&name),
        content_type: mime(format).to_owned(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: key,
        status: "accepted".into(),
        created_at: now,
    };
    let mut ev = event(now, "document.accepted", Some(user.id), &client, &rid, Outcome::Success);
    ev.object = Some(format!("application:{}", app.id));
    ev.details = serde_json::json!({ "document": doc.code, "size": attachment.size, "type": attachment.content_type });
    if let Err(e) = s.store.insert_attachment(&attachment, &Effects::audit(ev)).await {
        tracing::error!(code = e.code(), "attachment row failed");
        return Problem::internal().into_response();
    }
    Redirect::to(&format!("{back}?saved=1#doc-{}", doc.code)).into_response()
}
