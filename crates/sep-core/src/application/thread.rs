//! «Связаться с оператором» (SPEC A2): the thread on an application between the applicant
//! and the agency's officers. It is a conversation of the mailbox (SPEC M1, one model of
//! correspondence): its id is the application's, its messages are filed in the applicant's
//! and the agency's mailboxes, found by the mailbox's search, and answered here, under this
//! thread's rules. A message is stored with whom to tell in the same transaction: the
//! applicant hears of an officer's message (in the cabinet, and by e-mail if their settings
//! allow), the officer in charge of the applicant's.

use super::access::Viewer;
use super::error::ActionError;
use super::record::{Application, StoredFile};
use super::status::Allowed;
use crate::audit::Origin;
use crate::catalogue::Catalogue;
use crate::mail::{Letter, MailFile, Party};
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

/// The subject the thread's messages carry in the mailbox.
pub fn subject(app: &Application, service: Option<&crate::catalogue::Service>) -> String {
    let number = app.number.as_deref().unwrap_or("без номера");
    match service {
        Some(s) => format!("Заявление № {number} — {}", s.title),
        None => format!("Заявление № {number}"),
    }
}

/// The agency on the other side of `app`'s thread: its service's; when the service has left
/// the catalogue, the writing officer's, the officer in charge's, or else named by the
/// service's code.
async fn agency_of(
    store: &dyn Store,
    catalogue: &Catalogue,
    app: &Application,
    author: &User,
) -> Result<String, ActionError> {
    if let Some(s) = catalogue.get(&app.service) {
        return Ok(s.agency.clone());
    }
    if let Some(a) = super::access::officer_agency(author) {
        return Ok(a.to_owned());
    }
    if let Some(officer) = app.assignee
        && let Some(a) = super::access::officer_agency(&store.get_user(officer).await?)
    {
        return Ok(a.to_owned());
    }
    Ok(format!("Ведомство услуги «{}»", app.service))
}

/// The thread's message between `applicant` and `agency`.
#[allow(clippy::too_many_arguments, reason = "a message is made of each of these")]
fn between(
    app: &Application,
    service: Option<&crate::catalogue::Service>,
    applicant: &User,
    agency: &str,
    author: &User,
    viewer: Viewer,
    text: String,
    file: Option<StoredFile>,
    now: OffsetDateTime,
) -> Letter {
    let agency = agency.to_owned();
    let person = (Party::Person(app.user_id), applicant.profile.full_name());
    let office = (Party::Agency(agency.clone()), agency);
    let ((from, from_name), (to, to_name)) =
        if viewer == Viewer::Applicant { (person, office) } else { (office, person) };
    Letter {
        id: uuid::Uuid::now_v7(),
        conversation: app.id.0,
        from,
        from_name,
        to,
        to_name,
        author: author.id,
        subject: subject(app, service),
        text,
        files: file
            .map(|f| MailFile { name: f.file_name, content_type: f.content_type, size: f.size, sha256: f.sha256 })
            .into_iter()
            .collect(),
        sent_at: now,
        read_at: None,
        signatures: vec![],
        application: Some(app.id),
    }
}

/// The thread of `app` seen by `reader` on the application's page: what `mailbox` (the
/// applicant's own, or the agency's) received in it is marked read, as opening it in the
/// mailbox does (the other side's read receipt).
pub async fn seen(
    store: &dyn Store,
    mailbox: &Party,
    app: &Application,
    reader: &User,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), ActionError> {
    match crate::mail::letters::open(store, mailbox, app.id.0, reader, origin, now).await {
        Ok(_) | Err(crate::mail::MailError::NotFound) => Ok(()),
        Err(crate::mail::MailError::Store(e)) => Err(e.into()),
        // Opening reads and marks only: nothing else can refuse it.
        Err(e) => Err(crate::StoreError::Other(e.to_string()).into()),
    }
}

/// Moves the messages of the earlier thread table into mail, oldest first, a batch at a time;
/// `sep` runs it as it starts. A message keeps its time, author and file; a file's signatures
/// follow it to its place in the thread. A row that cannot be moved (its application or author
/// gone) is logged and left for the next start; the moving stops when a batch moves nothing.
pub async fn absorb_legacy(store: &dyn Store, catalogue: &Catalogue) -> Result<usize, ActionError> {
    let mut moved = 0;
    loop {
        let batch = store.list_legacy_messages(200).await?;
        let mut now_moved = 0;
        for m in batch {
            match absorb_one(store, catalogue, m).await {
                Ok(true) => now_moved += 1,
                Ok(false) => {}
                Err((id, e)) => tracing::warn!(legacy = id, code = e.code(), "a thread message not moved into mail"),
            }
        }
        if now_moved == 0 {
            return Ok(moved);
        }
        moved += now_moved;
    }
}

/// One legacy message moved: `true`, or `false` when another process moved it first.
async fn absorb_one(
    store: &dyn Store,
    catalogue: &Catalogue,
    m: super::record::Message,
) -> Result<bool, (i64, ActionError)> {
    let id = m.id;
    let fail = |e: crate::StoreError| (id, ActionError::from(e));
    let app = store.get_application(m.application_id).await.map_err(fail)?;
    let applicant = store.get_user(app.user_id).await.map_err(fail)?;
    let author = if m.author_id == applicant.id {
        applicant.clone()
    } else {
        store.get_user(m.author_id).await.map_err(fail)?
    };
    let viewer = if m.author == "applicant" { Viewer::Applicant } else { Viewer::Officer };
    let agency = agency_of(store, catalogue, &app, &author).await.map_err(|e| (id, e))?;
    let l = between(&app, catalogue.get(&app.service), &applicant, &agency, &author, viewer, m.text, m.file, m.at);
    match store.absorb_legacy_message(id, &l).await {
        Ok(()) => Ok(true),
        Err(crate::StoreError::Conflict { .. }) => Ok(false),
        Err(e) => Err(fail(e)),
    }
}

/// What signs an agency's messages: the authority with the agencies' system keys, and the
/// file store the message's file is read from.
pub type Sealer<'a> = (&'a dyn crate::signing::Authority, &'a dyn crate::application::attachment::FileStore);

/// Stores a message from `author` (the applicant or an officer, as `viewer` says) with its
/// notification to the other side. An officer's message is the agency's letter: with `sealer`,
/// its text and file are signed with the agency's system key, as the mailbox signs its letters.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn post(
    store: &dyn Store,
    catalogue: &Catalogue,
    sealer: Option<Sealer<'_>>,
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
    let applicant = if app.user_id == author.id { author.clone() } else { store.get_user(app.user_id).await? };
    let agency = agency_of(store, catalogue, app, author).await?;
    let mut message = between(app, catalogue.get(&app.service), &applicant, &agency, author, viewer, text, file, now);
    let mut ders = Vec::new();
    if let (Viewer::Officer, Some((authority, files))) = (viewer, sealer) {
        let fail = |e: crate::mail::MailError| ActionError::Signing(e.to_string());
        let hashes = crate::mail::letters::part_hashes(files, authority, &message).await.map_err(fail)?;
        ders = crate::mail::letters::seal(&mut message, hashes, crate::signing::Source::System, |hash| {
            authority
                .sign_as_agency(&agency, hash, now)
                .map_err(|e| crate::mail::MailError::Signing(crate::signing::SigningError::Authority(e.0)))
        })
        .map_err(fail)?;
    }
    let mut ev = origin.event(now, "application.message", Some(author.id));
    ev.subject = Some(app.user_id);
    ev.object = Some(format!("application:{}", app.id));
    ev.details = serde_json::json!({ "author": role, "file": !message.files.is_empty() });
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
    store.insert_letter(&message, &ders, None, &fx).await?;
    Ok(())
}
