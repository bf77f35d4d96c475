//! «Связаться с оператором» (SPEC A2): the thread on an application between the applicant
//! and the agency's officers. A message is stored with whom to tell in the same transaction:
//! the applicant hears of an officer's message (in the cabinet, and by e-mail if their
//! settings allow), the officer in charge of the applicant's.

use super::access::Viewer;
use super::error::ActionError;
use super::record::{Application, Message, StoredFile};
use super::status::Allowed;
use crate::audit::Origin;
use crate::notice::NewNotice;
use crate::store::{Effects, Store};
use crate::user::User;
use time::OffsetDateTime;

/// Longest message kept.
pub const MAX_TEXT: usize = 4000;
/// Largest file on a message, in MB.
pub const MAX_MB: u32 = 5;

/// Whether `viewer` may write about `app` now (officers always may).
pub fn may_write(app: &Application, viewer: Viewer) -> Result<(), ActionError> {
    if viewer == Viewer::Applicant && !app.status.allowed().contains(&Allowed::Message) {
        return Err(ActionError::MessageNotAllowed(app.status));
    }
    Ok(())
}

/// The text as kept: trimmed and cut to [`MAX_TEXT`]; an empty one is refused.
pub fn text_of(typed: &str) -> Result<String, ActionError> {
    let text: String = typed.trim().chars().take(MAX_TEXT).collect();
    if text.is_empty() { Err(ActionError::MessageEmpty) } else { Ok(text) }
}

/// Stores a message from `author` (the applicant or an officer, as `viewer` says) with its
/// notification to the other side.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn post(
    store: &dyn Store,
    app: &Application,
    author: &User,
    viewer: Viewer,
    text: String,
    file: Option<StoredFile>,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), ActionError> {
    may_write(app, viewer)?;
    let role = if viewer == Viewer::Applicant { "applicant" } else { "officer" };
    let message =
        Message { id: 0, application_id: app.id, at: now, author_id: author.id, author: role.into(), text, file };
    let mut ev = origin.event(now, "application.message", Some(author.id));
    ev.subject = Some(app.user_id);
    ev.object = Some(format!("application:{}", app.id));
    ev.details = serde_json::json!({ "author": role, "file": message.file.is_some() });
    let mut fx = Effects::audit(ev);
    let number = app.number.as_deref().unwrap_or("—");
    // The other side hears of it: the applicant, or the officer in charge.
    let (to, link) = match viewer {
        Viewer::Officer => (Some(app.user_id), format!("/applications/{}#messages", app.id)),
        Viewer::Applicant => (app.assignee, format!("/officer/applications/{}#messages", app.id)),
    };
    if let Some(to) = to {
        fx.notices.push(NewNotice {
            user_id: to,
            at: now,
            kind: "message".into(),
            title: format!("Новое сообщение по заявлению № {number}"),
            text: message.text.chars().take(200).collect(),
            link,
            critical: false,
        });
    }
    if viewer == Viewer::Officer {
        use crate::settings::{Channel, Importance, Kind};
        let applicant = store.get_user(app.user_id).await?;
        let wanted = applicant.settings.allows(Kind::Status, Channel::Email, Importance::Normal);
        if let Some(email) = applicant.profile.email.as_ref().filter(|_| wanted) {
            fx = fx.with_job(crate::job::NewJob::of(
                crate::job::JobKind::SendEmail,
                serde_json::json!({
                    "to": email.as_str(),
                    "subject": format!("Сообщение по заявлению № {number}"),
                    "text": format!("Сотрудник ведомства написал по заявлению № {number}. Откройте заявление в личном кабинете СЭП."),
                }),
                now,
            ));
        }
    }
    store.insert_message(&message, &fx).await?;
    Ok(())
}
