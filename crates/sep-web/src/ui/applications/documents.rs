//! Uploading a document to an application and removing one from a draft (SPEC R5): the rules
//! are `sep_core::application::documents`; a refusal comes back with the way to the form.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{CsrfForm, CsrfMultipart, Ctx, Editable};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use sep_core::application::ActionError;
use sep_core::application::documents::{self, Upload};

/// A refusal with the way back to the form.
fn refused(e: ActionError, back: &str) -> WebError {
    match e {
        e @ (ActionError::File(_) | ActionError::DocumentUnknown | ActionError::NotEditable(_)) => {
            crate::error::action_problem(&e).retry(back, "К заявлению").into()
        }
        e => e.into(),
    }
}

/// `POST /applications/{id}/documents` (multipart: `csrf`, `document`, `file`).
pub(crate) async fn upload(
    State(s): State<AppState>,
    Editable(o): Editable,
    ctx: Ctx,
    CsrfMultipart(form): CsrfMultipart,
) -> Page {
    let back = format!("/applications/{}", o.app.id);
    let (name, bytes) = form.file("file").unwrap_or(("", &[]));
    let upload = Upload { document: form.text("document"), name, bytes };
    let (store, files) = (s.store.as_ref(), s.files.as_ref());
    let attached = documents::attach(store, files, &o.app, &o.service, &o.user, upload, &ctx.origin(), s.clock.now())
        .await
        .map_err(|e| refused(e, &back))?;
    Ok(Redirect::to(&format!("{back}?saved=1#doc-{attached}")).into_response())
}

/// `POST /applications/{id}/attachments/{file}/delete`: removes a file from a draft (or an
/// application sent back for fixing), to replace it with another.
pub(crate) async fn delete(
    State(s): State<AppState>,
    Editable(o): Editable,
    ctx: Ctx,
    Path((_, file)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Page {
    let back = format!("/applications/{}", o.app.id);
    // Removed from «Мои документы»: back there.
    let from_archive = form.iter().any(|(k, v)| k == "back" && v == "documents");
    let file = uuid::Uuid::parse_str(&file).map_err(|_| WebError::not_found())?;
    documents::remove(s.store.as_ref(), &o.app, &o.user, file, &ctx.origin(), s.clock.now())
        .await
        .map_err(|e| refused(e, &back))?;
    let to = if from_archive { "/documents?removed=1".to_owned() } else { format!("{back}?saved=1#documents") };
    Ok(Redirect::to(&to).into_response())
}
