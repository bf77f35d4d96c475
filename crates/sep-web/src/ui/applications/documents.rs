//! Uploading a document to an application and removing one from a draft (SPEC R5;
//! SECURITY.md T8): recognised by content, within its type's size limit, name cleaned; the
//! content goes to the file store first and the row, with its journal record, after, so no
//! row ever points to a missing file.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{CsrfForm, CsrfMultipart, Ctx, Editable};
use crate::ui::components::upload::{Refusal, keep, refused};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use sep_core::application::record::Attachment;
use sep_core::audit::Outcome;
use sep_core::store::Effects;
use sep_http::Problem;

/// `POST /applications/{id}/documents` (multipart: `csrf`, `document`, `file`).
pub(crate) async fn upload(
    State(s): State<AppState>,
    Editable(o): Editable,
    ctx: Ctx,
    CsrfMultipart(parts): CsrfMultipart,
) -> Page {
    let (app, service, user) = (&o.app, &o.service, &o.user);
    let back = format!("/applications/{}", app.id);
    let document = parts.text("document");
    let Some(doc) = service.documents.iter().find(|d| d.code == document && d.applicants.contains(&app.applicant_type))
    else {
        let p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "document_unknown",
            "Неизвестный документ",
            "Для этого заявления такой документ не нужен.",
            "Вернитесь к заявлению и выберите другой файл.",
        );
        return Err(p.retry(&back, "К заявлению").into());
    };
    let (name, bytes) = parts.file.as_ref().map_or(("", &[][..]), |(n, b)| (n.as_str(), b.as_slice()));
    let stored = match keep(&s, name, bytes, &doc.formats, doc.max_mb).await {
        Ok(f) => f,
        Err(Refusal::Store(e)) => return Err(e),
        Err(Refusal::File(e)) => {
            let mut ev = ctx.event(s.clock.now(), "document.refused", Some(user.id));
            ev.outcome = Outcome::Failure;
            ev.object = Some(format!("application:{}", app.id));
            ev.details = serde_json::json!({ "document": doc.code, "code": e.code() });
            s.store.insert_audit(&ev).await?;
            return Err(refused(&e, &back).into());
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
    let mut ev = ctx.event(now, "document.accepted", Some(user.id));
    ev.object = Some(format!("application:{}", app.id));
    ev.details = serde_json::json!({ "document": doc.code, "size": attachment.size, "type": attachment.content_type });
    match s.store.insert_attachment(&attachment, &Effects::audit(ev)).await {
        Ok(()) => Ok(Redirect::to(&format!("{back}?saved=1#doc-{}", doc.code)).into_response()),
        // Sent meanwhile: the file stays unreferenced and the sweep removes it.
        Err(sep_core::StoreError::Conflict { .. }) => Err(not_editable_now(app)),
        Err(e) => Err(e.into()),
    }
}

/// The application was sent between the check and the write.
fn not_editable_now(app: &sep_core::application::record::Application) -> WebError {
    crate::error::action_problem(&sep_core::application::ActionError::NotEditable(app.status))
        .retry(&format!("/applications/{}", app.id), "К заявлению")
        .into()
}

/// `POST /applications/{id}/attachments/{file}/delete`: removes a file from a draft (or an
/// application sent back for fixing), to replace it with another.
pub(crate) async fn delete(
    State(s): State<AppState>,
    Editable(o): Editable,
    ctx: Ctx,
    Path((_, file)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    let file = uuid::Uuid::parse_str(&file).map_err(|_| WebError::not_found())?;
    let now = s.clock.now();
    let mut ev = ctx.event(now, "document.removed", Some(o.user.id));
    ev.object = Some(format!("application:{}", o.app.id));
    ev.details = serde_json::json!({ "attachment": file.to_string() });
    match s.store.delete_attachment(o.app.id, file, now, &Effects::audit(ev)).await {
        Ok(()) => Ok(Redirect::to(&format!("/applications/{}?saved=1#documents", o.app.id)).into_response()),
        Err(sep_core::StoreError::Conflict { .. }) => Err(not_editable_now(&o.app)),
        Err(e) => Err(e.into()),
    }
}
