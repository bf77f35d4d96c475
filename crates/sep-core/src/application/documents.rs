//! Documents of an application (SPEC R5, D2; SECURITY.md T8): a file is recognised by its
//! content, kept within its type's size limit under a clean name, and put in the file store
//! before any row points to it, so no row ever points to a missing file; a refused file is
//! journaled. A draft's (or a returned application's) file can be removed to replace it.

use super::attachment::{FileStore, UploadError, check, clean_name, content_key, mime};
use super::error::ActionError;
use super::record::{Application, Attachment, StoredFile};
use super::status::Allowed;
use crate::audit::{Origin, Outcome};
use crate::catalogue::{Format, Service};
use crate::store::{Effects, Store};
use crate::user::User;
use time::OffsetDateTime;

/// Checks a file against `formats` and `max_mb` and puts it in the file store.
pub async fn keep(
    files: &dyn FileStore,
    name: &str,
    bytes: &[u8],
    formats: &[Format],
    max_mb: u32,
) -> Result<StoredFile, ActionError> {
    if bytes.is_empty() {
        return Err(ActionError::File(UploadError::Empty));
    }
    let format = check(bytes, formats, max_mb).map_err(ActionError::File)?;
    let key = content_key(bytes);
    files.put(&key, bytes).await.map_err(|e| ActionError::FileStore(e.to_string()))?;
    Ok(StoredFile {
        file_name: clean_name(name),
        content_type: mime(format).to_owned(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: key,
    })
}

/// A file for the service's document `document` of `app`.
pub struct Upload<'a> {
    /// The document's code in the service.
    pub document: &'a str,
    /// The file's name as sent.
    pub name: &'a str,
    /// Its content.
    pub bytes: &'a [u8],
}

/// Attaches a file to a document of `app` (of `service`); the document's code it went to.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn attach(
    store: &dyn Store,
    files: &dyn FileStore,
    app: &Application,
    service: &Service,
    user: &User,
    upload: Upload<'_>,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<String, ActionError> {
    if !app.status.allowed().contains(&Allowed::Edit) {
        return Err(ActionError::NotEditable(app.status));
    }
    let doc = service
        .documents
        .iter()
        .find(|d| d.code == upload.document && d.applicants.contains(&app.applicant_type))
        .ok_or(ActionError::DocumentUnknown)?;
    let photo = |bytes: &[u8]| {
        check(bytes, &doc.formats, doc.max_mb)
            .and_then(|_| if doc.photo { super::attachment::check_photo(bytes) } else { Ok(()) })
            .map_err(ActionError::File)
    };
    let kept = match photo(upload.bytes) {
        Ok(()) => keep(files, upload.name, upload.bytes, &doc.formats, doc.max_mb).await,
        Err(e) => Err(e),
    };
    let stored = match kept {
        Ok(f) => f,
        Err(ActionError::File(e)) => {
            let mut ev = origin.event(now, "document.refused", Some(user.id));
            ev.outcome = Outcome::Failure;
            ev.object = Some(format!("application:{}", app.id));
            ev.details = serde_json::json!({ "document": doc.code, "code": e.code() });
            // The refusal stands even when its record cannot be written; the log says so.
            if let Err(err) = store.insert_audit(&ev).await {
                tracing::error!(code = err.code(), "audit append failed");
            }
            return Err(ActionError::File(e));
        }
        Err(e) => return Err(e),
    };
    let attachment = accepted(app, &doc.code, stored, now);
    let mut ev = origin.event(now, "document.accepted", Some(user.id));
    ev.object = Some(format!("application:{}", app.id));
    ev.details = serde_json::json!({ "document": doc.code, "size": attachment.size, "type": attachment.content_type });
    let fx = Effects::audit(ev).with_job(document_event(app, EventType::DocumentCreated, &attachment.id, now));
    // Sent meanwhile: the store refuses, the file stays unreferenced and the sweep removes it.
    store.insert_attachment(&attachment, &fx).await.map_err(|e| not_editable_if_conflict(e, app))?;
    Ok(doc.code.clone())
}

use crate::integration::webhook::EventType;

/// The webhook event of a change to attachment `id` of `app` (its key in «Мои документы»).
fn document_event(app: &Application, event: EventType, id: &uuid::Uuid, now: OffsetDateTime) -> crate::job::NewJob {
    let data = serde_json::json!({ "application": app.id.to_string(), "document": format!("a:{id}") });
    crate::integration::webhook::event_job(app.user_id, event, data, now)
}

/// A new row for a file kept for document `code` of `app`, «Принят».
fn accepted(app: &Application, code: &str, stored: StoredFile, now: OffsetDateTime) -> Attachment {
    Attachment {
        id: uuid::Uuid::now_v7(),
        application_id: app.id,
        document: code.to_owned(),
        file_name: stored.file_name,
        content_type: stored.content_type,
        size: stored.size,
        sha256: stored.sha256,
        status: "accepted".into(),
        created_at: now,
        replaced_by: None,
    }
}

fn not_editable_if_conflict(e: crate::StoreError, app: &Application) -> ActionError {
    match e {
        crate::StoreError::Conflict { .. } => ActionError::NotEditable(app.status),
        e => e.into(),
    }
}

/// Removes file `file` from `app` while it may change.
pub async fn remove(
    store: &dyn Store,
    app: &Application,
    user: &User,
    file: uuid::Uuid,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), ActionError> {
    if !app.status.allowed().contains(&Allowed::Edit) {
        return Err(ActionError::NotEditable(app.status));
    }
    let mut ev = origin.event(now, "document.removed", Some(user.id));
    ev.object = Some(format!("application:{}", app.id));
    ev.details = serde_json::json!({ "attachment": file.to_string() });
    let fx = Effects::audit(ev).with_job(document_event(app, EventType::DocumentDeleted, &file, now));
    store.delete_attachment(app.id, file, now, &fx).await.map_err(|e| not_editable_if_conflict(e, app))
}

/// «Заменить» in «Мои документы» (SPEC D2): `upload` becomes the next version of attachment
/// `old` of `app`; the earlier version is kept and listed with its date. Only while the
/// application may change, like a removal.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn replace(
    store: &dyn Store,
    files: &dyn FileStore,
    app: &Application,
    service: &Service,
    user: &User,
    old: uuid::Uuid,
    upload: (&str, &[u8]),
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Attachment, ActionError> {
    if !app.status.allowed().contains(&Allowed::Edit) {
        return Err(ActionError::NotEditable(app.status));
    }
    let current = store.list_attachments(app.id).await?;
    let before = current.iter().find(|a| a.id == old).ok_or(ActionError::DocumentUnknown)?;
    let doc = service.documents.iter().find(|d| d.code == before.document).ok_or(ActionError::DocumentUnknown)?;
    let stored = keep(files, upload.0, upload.1, &doc.formats, doc.max_mb).await?;
    let attachment = accepted(app, &doc.code, stored, now);
    let mut ev = origin.event(now, "document.replaced", Some(user.id));
    ev.object = Some(format!("application:{}", app.id));
    ev.details = serde_json::json!({ "document": doc.code, "previous": old.to_string(), "size": attachment.size });
    store
        .replace_attachment(
            app.id,
            old,
            &attachment,
            &Effects::audit(ev).with_job(document_event(app, EventType::DocumentChanged, &attachment.id, now)),
        )
        .await
        .map_err(|e| not_editable_if_conflict(e, app))?;
    Ok(attachment)
}
