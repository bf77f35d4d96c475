//! «Связаться с оператором» (SPEC A2): a message (with an optional file) on an application's
//! thread from its applicant or an officer of its agency — the rules, and whom to tell, are
//! `sep_core::application::thread` — and the downloads of an application's files for the same
//! two sides.

use crate::AppState;
use crate::error::action_problem;
use crate::error::{Page, WebError};
use crate::extract::{CsrfMultipart, Ctx, Visible};
use crate::ui::components::files::download;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use sep_core::application::ActionError;
use sep_core::application::access::Viewer;
use sep_core::application::documents::keep;
use sep_core::application::thread::{self, MAX_MB};
use sep_core::catalogue::Format;

/// `POST /applications/{id}/messages` (multipart: `csrf`, `text`, optional `file`).
pub(crate) async fn post(State(s): State<AppState>, v: Visible, ctx: Ctx, CsrfMultipart(parts): CsrfMultipart) -> Page {
    let back = match v.viewer {
        Viewer::Applicant => format!("/applications/{}#messages", v.app.id),
        Viewer::Officer => format!("/officer/applications/{}#messages", v.app.id),
    };
    thread::may_write(&v.app, v.viewer)?;
    let text = thread::text_of(parts.text("text"))
        .map_err(|e| WebError::from(crate::error::action_problem(&e).retry(&back, "К заявлению")))?;
    let file = match parts.file("file") {
        None => None,
        Some((name, bytes)) => {
            Some(keep(s.files.as_ref(), name, bytes, &[Format::Pdf, Format::Jpeg, Format::Png], MAX_MB).await.map_err(
                |e| match e {
                    e @ ActionError::File(_) => WebError::from(action_problem(&e).retry(&back, "К заявлению")),
                    e => e.into(),
                },
            )?)
        }
    };
    let sealer = s.cloud.as_deref().map(|a| (a, s.files.as_ref()));
    thread::post(
        s.store.as_ref(),
        &s.catalogue,
        sealer,
        &v.app,
        &v.user,
        v.viewer,
        text,
        file,
        &ctx.origin(),
        s.clock.now(),
    )
    .await?;
    Ok(Redirect::to(&back).into_response())
}

/// `GET /applications/{id}/attachments/{file}`: a document of the application.
pub(crate) async fn attachment(
    State(s): State<AppState>,
    v: Visible,
    ctx: Ctx,
    Path((_, file)): Path<(String, String)>,
    Query(how): Query<How>,
) -> Page {
    // Earlier versions of a replaced file download too (SPEC D2), so the applicant's files
    // are read with them.
    let files = s.store.list_attachments_of_user(v.app.user_id).await?;
    let f = files
        .iter()
        .find(|f| f.application_id == v.app.id && f.id.to_string() == file)
        .ok_or_else(WebError::not_found)?;
    // Biometric data: of the agency's officers only the one in charge opens it.
    let document = s.catalogue.get(&v.app.service).and_then(|svc| svc.documents.iter().find(|d| d.code == f.document));
    if !sep_core::application::access::may_open(v.viewer, &v.user, &v.app, document) {
        let mut e = ctx.event(s.clock.now(), "document.access_denied", Some(v.user.id));
        e.outcome = sep_core::audit::Outcome::Denied;
        e.subject = Some(v.app.user_id);
        e.object = Some(format!("application:{}", v.app.id));
        e.details = serde_json::json!({ "file": format!("attachment:{}", f.id) });
        crate::session::refuse(&s, &v.session, &e).await;
        return Err(WebError::not_found());
    }
    journal_download(&s, &v, &ctx, &format!("attachment:{}", f.id)).await;
    download(&s, &f.file_name, &f.content_type, &f.sha256, how.inline.is_some()).await
}

/// A document read by someone other than its owner (an officer of the agency) is journaled,
/// in the owner's history too. The download stands even if the record cannot be written.
pub(super) async fn journal_download(s: &AppState, v: &Visible, ctx: &Ctx, file: &str) {
    if v.viewer != Viewer::Officer {
        return;
    }
    let mut e = ctx.event(s.clock.now(), "document.downloaded", Some(v.user.id));
    e.subject = Some(v.app.user_id);
    e.object = Some(format!("application:{}", v.app.id));
    e.details = serde_json::json!({ "file": file });
    if let Err(err) = s.store.insert_audit(&e).await {
        tracing::error!(code = err.code(), "audit append failed");
    }
}

/// `?inline=1`: show a PDF or an image in the browser instead of downloading it.
#[derive(serde::Deserialize)]
pub(crate) struct How {
    inline: Option<String>,
}

/// `GET /applications/{id}/messages/{message}/file`: the file of a message.
pub(crate) async fn message_file(
    State(s): State<AppState>,
    v: Visible,
    ctx: Ctx,
    Path((_, message)): Path<(String, i64)>,
    Query(how): Query<How>,
) -> Page {
    let messages = s.store.list_messages(v.app.id).await?;
    let f = messages.iter().find(|m| m.id == message).and_then(|m| m.file.as_ref()).ok_or_else(WebError::not_found)?;
    journal_download(&s, &v, &ctx, &format!("message:{message}")).await;
    download(&s, &f.file_name, &f.content_type, &f.sha256, how.inline.is_some()).await
}
