//! «Написать» and «Ответить»: the form (recipients from the directory and the person's
//! counterparties; an agency's officer names a person by СНИЛС or an organisation by ИНН),
//! kept as a draft as one types (`assets/draft.js`), and sent — as it is, or signed with the
//! person's cloud key («Подписать и отправить», one SMS code for the text and every file).

use super::{Mailbox, mail_problem};
use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{CsrfForm, CsrfMultipart, Ctx};
use crate::i18n::tr_dyn;
use crate::ui::components::render;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use sep_core::mail::drafts::{self, Saved, Typed};
use sep_core::mail::letters::{self, Upload};
use sep_core::mail::{Draft, MAX_FILE_MB, MAX_FILES, MAX_MESSAGE_MB, MailError, Party, sealed};
use serde::Deserialize;
use uuid::Uuid;

/// The part of a form that keeps it as a draft and sends it: the draft's id, its files kept
/// already, whether it can be signed.
pub(super) struct Compose {
    pub(super) draft: String,
    pub(super) text: String,
    /// `(index, name, size)` of the files kept.
    pub(super) kept: Vec<(usize, String, String)>,
    /// «Подписать и отправить» is offered: a certificate that signs now.
    pub(super) can_sign: bool,
    /// The person's own or an organisation's mailbox, without a certificate: where to get one.
    pub(super) no_certificate: bool,
}

impl Compose {
    /// The form for draft `d`, or a new one.
    pub(super) async fn of(s: &AppState, m: &Mailbox, d: Option<&Draft>) -> Result<Self, WebError> {
        let certificate = match (&m.party, &s.cloud) {
            (Party::Agency(_), _) | (_, None) => None,
            _ => Some(
                sep_core::signing::cloud::current(s.store.as_ref(), &m.user, s.clock.now())
                    .await
                    .map_err(WebError::from)?
                    .is_some(),
            ),
        };
        Ok(Self {
            draft: d.map_or_else(Uuid::now_v7, |d| d.id).to_string(),
            text: d.map(|d| d.text.clone()).unwrap_or_default(),
            kept: d
                .map(|d| {
                    d.files
                        .iter()
                        .enumerate()
                        .map(|(i, f)| (i, f.name.clone(), crate::ui::components::file_size(f.size)))
                        .collect()
                })
                .unwrap_or_default(),
            can_sign: certificate == Some(true),
            no_certificate: certificate == Some(false),
        })
    }
}

#[derive(Template)]
#[template(path = "mail/new.html")]
struct NewPage {
    boxq: String,
    /// `(value, name, chosen)`.
    recipients: Vec<(String, String, bool)>,
    /// An agency's officer names the recipient by number.
    by_number: bool,
    /// The number as typed.
    to_number: String,
    /// Whom it found.
    found: Option<String>,
    subject: String,
    compose: Compose,
    /// Just saved by «Сохранить черновик».
    saved: bool,
    csrf: String,
    max_files: usize,
    max_file_mb: u32,
    max_message_mb: u32,
}

#[derive(Deserialize, Default)]
pub(crate) struct NewQuery {
    #[serde(default)]
    to: String,
    #[serde(default)]
    draft: Option<Uuid>,
    #[serde(default)]
    saved: String,
}

/// A recipient as the form's `to` carries it: `agency:<name>` or `org:<ИНН>`.
fn recipient_value(p: &Party) -> String {
    format!("{}:{}", p.kind(), p.key())
}

fn recipient_of(value: &str) -> Option<Party> {
    let (kind, key) = value.split_once(':')?;
    matches!(kind, "agency" | "org").then(|| Party::from_stored(kind, key)).flatten()
}

/// `GET /mail/new`: «Написать» (`?to=` chooses the recipient; `?draft=` opens a draft).
pub(crate) async fn form(State(s): State<AppState>, m: Mailbox, Query(q): Query<NewQuery>) -> Page {
    // A draft that is not there (another's, one sent, one never saved) opens as an empty form
    // of a new draft: what is typed there is never bound to a message that went.
    let d = match q.draft {
        Some(id) => s.store.find_draft(&m.party, m.user.id, id).await?,
        None => None,
    };
    let draft_id = d.as_ref().map_or_else(Uuid::now_v7, |d| d.id);
    // A reply's draft opens under its conversation.
    if let Some(c) = d.as_ref().and_then(|d| d.reply_to) {
        return Ok(Redirect::to(&format!("/mail/{c}{}#reply", m.query())).into_response());
    }
    let chosen = d.as_ref().and_then(|d| d.to.as_ref()).map_or_else(|| q.to.clone(), recipient_value);
    let by_number = matches!(m.party, Party::Agency(_));
    let all = match &m.party {
        Party::Person(_) => letters::recipients(s.store.as_ref(), &s.catalogue, &m.user)
            .await
            .map_err(|e| mail_problem(e, "", "/mail"))?,
        // An organisation starts conversations with agencies; people write to it first.
        Party::Org(_) => {
            sep_core::mail::directory(&s.catalogue).into_iter().map(|a| (Party::Agency(a.clone()), a)).collect()
        }
        Party::Agency(_) => vec![],
    };
    let recipients =
        all.into_iter().map(|(p, name)| (recipient_value(&p), tr_dyn(&name), recipient_value(&p) == chosen)).collect();
    let to_number = d.as_ref().and_then(|d| d.to_number.clone()).unwrap_or_default();
    let found = d.as_ref().filter(|d| d.to.is_some()).and_then(|d| d.to_name.clone());
    render(&NewPage {
        boxq: m.query(),
        recipients,
        by_number,
        to_number,
        found,
        subject: d.as_ref().map(|d| d.subject.clone()).unwrap_or_default(),
        compose: Compose { draft: draft_id.to_string(), ..Compose::of(&s, &m, d.as_ref()).await? },
        saved: q.saved == "1",
        csrf: m.session.csrf_secret.clone(),
        max_files: MAX_FILES,
        max_file_mb: MAX_FILE_MB,
        // The portal's request limit may be the tighter one.
        max_message_mb: MAX_MESSAGE_MB.min(u32::try_from(s.config.max_body_bytes / (1024 * 1024)).unwrap_or(u32::MAX)),
    })
}

/// What the form says: the draft's id (a new one when missing or not an id) and the fields.
struct Fields {
    draft: Uuid,
    to: String,
    subject: String,
    text: String,
    files: Vec<Upload>,
}

/// The recipient the form names: anyone but an agency chooses from the list; an agency's
/// officer types a СНИЛС or an ИНН/ОГРН, looked up only when it differs from the draft's (so
/// typing elsewhere asks ФНС nothing, and a registry that is down keeps what was found).
/// `strict` refuses a number that finds nobody (sending); a draft keeps the number alone.
async fn addressee(
    s: &AppState,
    m: &Mailbox,
    ctx: &Ctx,
    id: Uuid,
    to: &str,
    strict: bool,
) -> Result<Recipient, MailError> {
    if !matches!(m.party, Party::Agency(_)) {
        return Ok((recipient_of(to), None, None));
    }
    let typed = to.trim();
    if typed.is_empty() {
        return Ok((None, None, None));
    }
    if let Some(d) = s.store.find_draft(&m.party, m.user.id, id).await?
        && d.to_number.as_deref() == Some(typed)
        && d.to.is_some()
    {
        return Ok((d.to, d.to_name, d.to_number));
    }
    match letters::addressee(s.store.as_ref(), s.fns.as_ref(), typed).await {
        Ok((p, name)) => {
            // A number that names a person is journaled: whose it was, not the number.
            let mut e = ctx.event(s.clock.now(), "mail.addressee_found", Some(m.user.id));
            if let Party::Person(u) = &p {
                e.subject = Some(*u);
            }
            e.details = serde_json::json!({ "kind": p.kind() });
            s.store.insert_audit(&e).await.map_err(MailError::Store)?;
            Ok((Some(p), Some(name), Some(typed.to_owned())))
        }
        Err(e) if strict => Err(e),
        Err(_) => Ok((None, None, Some(typed.to_owned()))),
    }
}

/// To whom, how named, the number typed.
type Recipient = (Option<Party>, Option<String>, Option<String>);

async fn typed(
    s: &AppState,
    m: &Mailbox,
    ctx: &Ctx,
    f: Fields,
    reply_to: Option<Uuid>,
    strict: bool,
) -> Result<Typed, MailError> {
    let (to, to_name, to_number) =
        if reply_to.is_some() { (None, None, None) } else { addressee(s, m, ctx, f.draft, &f.to, strict).await? };
    Ok(Typed { id: f.draft, to, to_name, to_number, reply_to, subject: f.subject, text: f.text, files: f.files })
}

/// `POST /mail` (multipart: `csrf`, `draft`, `to`, `subject`, `text`, `files`, `action`):
/// sends a new message (`action=send`), signs and sends it (`sign`) or keeps it (`draft`).
pub(crate) async fn send(State(s): State<AppState>, m: Mailbox, ctx: Ctx, CsrfMultipart(parts): CsrfMultipart) -> Page {
    let f = Fields {
        draft: parts.text("draft").parse().unwrap_or_else(|_| Uuid::now_v7()),
        to: parts.text("to").to_owned(),
        subject: parts.text("subject").to_owned(),
        text: parts.text("text").to_owned(),
        files: parts.files_of("files"),
    };
    go(&s, &m, &ctx, f, None, parts.text("action")).await
}

/// `POST /mail/{conversation}/reply` (multipart: `csrf`, `draft`, `text`, `files`, `action`):
/// «Ответить», as [`send`] does.
pub(crate) async fn reply(
    State(s): State<AppState>,
    m: Mailbox,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    req: axum::extract::Request,
) -> Page {
    // Another's conversation is not found before its body is read.
    if s.store.list_conversation(&m.party, id).await?.is_empty() {
        return Err(WebError::not_found());
    }
    let CsrfMultipart(parts) = <CsrfMultipart as axum::extract::FromRequest<AppState>>::from_request(req, &s).await?;
    let f = Fields {
        draft: parts.text("draft").parse().unwrap_or_else(|_| Uuid::now_v7()),
        to: String::new(),
        subject: parts.text("subject").to_owned(),
        text: parts.text("text").to_owned(),
        files: parts.files_of("files"),
    };
    go(&s, &m, &ctx, f, Some(id), parts.text("action")).await
}

/// Keeps the form as its draft — its text first, then its files, so a refused file leaves
/// the text — then does what was pressed. A refused sending leaves the draft, and «Назад»
/// opens it: nothing typed is lost. A draft sent already (a second press) shows its message.
async fn go(s: &AppState, m: &Mailbox, ctx: &Ctx, mut f: Fields, reply_to: Option<Uuid>, action: &str) -> Page {
    let id = f.draft;
    let back = draft_page(m, id, reply_to, false);
    let title = if action == "draft" {
        "Черновик не сохранён"
    } else {
        "Сообщение не отправлено"
    };
    let refused = |e| mail_problem(e, title, &back);
    let now = s.clock.now();
    let files = std::mem::take(&mut f.files);
    let to = f.to.clone();
    let text = typed(s, m, ctx, f, reply_to, false).await.map_err(refused)?;
    let mut saved = drafts::save(s.store.as_ref(), s.files.as_ref(), &m.user, &m.party, text.clone(), now)
        .await
        .map_err(refused)?;
    if !files.is_empty() && !matches!(saved, Saved::Sent(_)) {
        let with = Typed { files, ..text };
        saved =
            drafts::save(s.store.as_ref(), s.files.as_ref(), &m.user, &m.party, with, now).await.map_err(refused)?;
    }
    let d = match saved {
        Saved::Sent(letter) => {
            let filed = s.store.find_filed(&m.party, letter).await?.ok_or_else(WebError::not_found)?;
            return Ok(Redirect::to(&address(m, &format!("/mail/{}", filed.letter.conversation), "")).into_response());
        }
        Saved::Kept(d) => Some(d),
        Saved::Empty => None,
    };
    if action == "draft" {
        return Ok(Redirect::to(&draft_page(m, id, reply_to, true)).into_response());
    }
    // An officer's number that finds nobody says why.
    if reply_to.is_none() && d.as_ref().is_none_or(|d| d.to.is_none()) && matches!(m.party, Party::Agency(_)) {
        addressee(s, m, ctx, id, &to, true).await.map_err(refused)?;
    }
    match (action, d) {
        ("sign", Some(d)) => {
            let authority = s
                .cloud
                .as_deref()
                .ok_or(MailError::Signing(sep_core::signing::SigningError::Unavailable))
                .map_err(refused)?;
            let r = sealed::start(
                s.store.as_ref(),
                s.files.as_ref(),
                &s.catalogue,
                authority,
                &m.user,
                &m.party,
                d.id,
                m.name.clone(),
                &ctx.origin(),
                now,
            )
            .await
            .map_err(refused)?;
            Ok(Redirect::to(&format!("/mail/sign/{}{}", r.id, m.query())).into_response())
        }
        (_, d) => {
            // Nothing typed makes no draft: sending it says it is empty.
            let out = d.map_or_else(letters::Outgoing::default, |d| drafts::outgoing(&d, m.name.clone()));
            let out = letters::Outgoing { reply_to, from_name: m.name.clone(), ..out };
            let sent = letters::send(
                s.store.as_ref(),
                s.files.as_ref(),
                &s.catalogue,
                s.cloud.as_deref(),
                &m.user,
                &m.party,
                out,
                &ctx.origin(),
                now,
            )
            .await;
            match sent {
                Ok(sent) => Ok(Redirect::to(&format!("/mail/{}{}", sent.conversation, m.query())).into_response()),
                // Two presses raced past the draft's save: the other sent it.
                Err(MailError::AlreadySent) => Ok(Redirect::to(&address(m, "/mail", "folder=sent")).into_response()),
                Err(e) => Err(refused(e)),
            }
        }
    }
}

/// `POST /mail/drafts` (`csrf`, `draft`, `to`, `subject`, `text`, `reply_to`): the form kept as
/// one types (answered 204 to `assets/draft.js`), files aside.
pub(crate) async fn autosave(
    State(s): State<AppState>,
    m: Mailbox,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Page {
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str());
    let Ok(draft) = field("draft").parse::<Uuid>() else {
        return Err(crate::error::WebError::from(crate::extract::form_unreadable_problem()));
    };
    let reply_to = field("reply_to").parse::<Uuid>().ok();
    let f = Fields {
        draft,
        to: field("to").to_owned(),
        subject: field("subject").to_owned(),
        text: field("text").to_owned(),
        files: vec![],
    };
    let t =
        typed(&s, &m, &ctx, f, reply_to, false).await.map_err(|e| mail_problem(e, "Черновик не сохранён", "/mail"))?;
    let saved = drafts::save(s.store.as_ref(), s.files.as_ref(), &m.user, &m.party, t, s.clock.now())
        .await
        .map_err(|e| mail_problem(e, "Черновик не сохранён", "/mail"))?;
    // A late save of a message sent meanwhile brings nothing back.
    if matches!(saved, Saved::Sent(_)) {
        return Err(mail_problem(MailError::AlreadySent, "Черновик не сохранён", "/mail?folder=sent"));
    }
    if headers.contains_key("x-sep-autosave") {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(Redirect::to(&address(&m, "/mail", "folder=drafts")).into_response())
}

/// `path` in this mailbox (its `box=`), with `extra` parameters.
pub(super) fn address(m: &Mailbox, path: &str, extra: &str) -> String {
    match (m.query(), extra) {
        (q, "") => format!("{path}{q}"),
        (q, extra) if q.is_empty() => format!("{path}?{extra}"),
        (q, extra) => format!("{path}{q}&{extra}"),
    }
}

/// Where draft `id` is written: a reply's under its conversation, a new message's form.
fn draft_page(m: &Mailbox, id: Uuid, reply_to: Option<Uuid>, saved: bool) -> String {
    let saved = if saved { "saved=1" } else { "" };
    match reply_to {
        Some(c) => format!("{}#reply", address(m, &format!("/mail/{c}"), saved)),
        None => address(m, "/mail/new", &format!("draft={id}{}", if saved.is_empty() { "" } else { "&saved=1" })),
    }
}

/// `POST /mail/drafts/{draft}/delete`: «Удалить черновик».
pub(crate) async fn discard(
    State(s): State<AppState>,
    m: Mailbox,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    drafts::discard(s.store.as_ref(), &m.user, &m.party, id, &ctx.origin(), s.clock.now())
        .await
        .map_err(|e| mail_problem(e, "", "/mail"))?;
    Ok(Redirect::to(&address(&m, "/mail", "folder=drafts")).into_response())
}

/// `POST /mail/drafts/{draft}/files/{n}/delete`: takes a file off a draft.
pub(crate) async fn remove_file(
    State(s): State<AppState>,
    m: Mailbox,
    Path((id, n)): Path<(Uuid, usize)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    let d = drafts::remove_file(s.store.as_ref(), &m.user, &m.party, id, n, s.clock.now())
        .await
        .map_err(|e| mail_problem(e, "", "/mail"))?;
    Ok(Redirect::to(&draft_page(&m, id, d.reply_to, false)).into_response())
}
