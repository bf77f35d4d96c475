//! The mailbox's folders, a conversation (opening it is the read receipt), «В архив» and back,
//! a file of a message and a message as ZIP (its text and files).

use super::{Mailbox, mail_problem};
use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{CsrfForm, Ctx};
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::{moscow, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use sep_core::mail::{Folder, Party, letters};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, Default)]
pub(crate) struct FolderQuery {
    #[serde(default)]
    folder: String,
    /// Search words (`?q=`); empty: the folder's conversations.
    #[serde(default)]
    q: String,
    /// Only messages from or to this correspondent (`agency:<name>`, `org:<ИНН>`).
    #[serde(default)]
    with: String,
    /// Sent from this day (Moscow).
    #[serde(default)]
    from: String,
    /// … to this day, inclusive.
    #[serde(default)]
    to: String,
}

/// A message a search found.
struct Hit {
    conversation: String,
    subject: String,
    from: String,
    to: String,
    at: String,
}

/// The search form as typed, and what it found.
struct SearchView {
    q: String,
    with: String,
    from: String,
    to: String,
    /// `(value, name)` of the correspondents one may narrow to.
    parties: Vec<(String, String)>,
    hits: Option<Vec<Hit>>,
    /// Code and message when the query was refused.
    error: Option<(&'static str, String)>,
}

/// Moscow midnight of `day`.
fn moscow_midnight(day: time::Date) -> time::OffsetDateTime {
    day.midnight().assume_offset(time::macros::offset!(+3))
}

/// A draft as «Черновики» lists it.
struct DraftRow {
    id: String,
    /// Where it opens: the form, or a reply's conversation.
    href: String,
    subject: String,
    to: String,
    at: String,
    files: usize,
}

/// A conversation as a folder lists it.
struct Row {
    id: String,
    subject: String,
    with: String,
    at: String,
    count: i64,
    unread: i64,
}

#[derive(Template)]
#[template(path = "mail/index.html")]
struct IndexPage {
    title: String,
    boxq: String,
    /// The `box` value (empty for the person's own).
    boxv: String,
    folder: &'static str,
    folders: Vec<(&'static str, &'static str, String)>,
    rows: Vec<Row>,
    /// «Черновики», when that folder is open.
    drafts: Option<Vec<DraftRow>>,
    /// The mailboxes this person reads: address, name, whether it is this one.
    mailboxes: Vec<(String, String, bool)>,
    /// «Написать» is offered (the person's own and an organisation's).
    can_write: bool,
    own: bool,
    search: SearchView,
    csrf: String,
}

/// The mailboxes `m.user` reads, this one marked.
async fn mailboxes(s: &AppState, m: &Mailbox) -> Result<Vec<(String, String, bool)>, WebError> {
    let mut out = vec![("/mail".to_owned(), tr("Мой электронный ящик").to_owned(), m.code.is_empty())];
    if let Some(a) = sep_core::application::access::officer_agency(&m.user) {
        out.push(("/mail?box=agency".into(), format!("{}: {}", tr("Почта ведомства"), tr_dyn(a)), m.code == "agency"));
    }
    for o in s.store.list_user_orgs(m.user.id).await?.into_iter().filter(|o| o.may_act()) {
        let code = format!("org:{}", o.inn.as_str());
        out.push((
            format!("/mail?box={code}"),
            format!("{}: {}", tr("Почта организации"), o.short_name),
            m.code == code,
        ));
    }
    Ok(out)
}

/// `GET /mail`: a folder of the mailbox, newest conversation first; with `?q=`, the messages
/// the words find (within `folder`, `with`, `from`–`to` when given).
pub(crate) async fn index(State(s): State<AppState>, m: Mailbox, Query(q): Query<FolderQuery>) -> Page {
    let folder = Folder::from_code(&q.folder);
    let in_drafts = q.folder == "drafts" && q.q.trim().is_empty();
    let search = search_view(&s, &m, &q).await?;
    let status =
        if search.error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    // A search shows what it found instead of the folder.
    let list = if q.q.trim().is_empty() && !in_drafts {
        letters::folder(s.store.as_ref(), &m.party, folder).await.map_err(|e| mail_problem(e, "", "/mail"))?
    } else {
        vec![]
    };
    let unread = crate::ui::components::badge(s.store.count_unread(&m.party, sep_core::mail::UNREAD_CAP).await?);
    let rows = list
        .into_iter()
        .map(|c| Row {
            id: c.id.to_string(),
            subject: if c.subject.is_empty() { tr("(без темы)").to_owned() } else { c.subject },
            with: c.with,
            at: moscow(c.last_at),
            count: c.count,
            unread: c.unread,
        })
        .collect();
    let title = match (&m.party, &m.name) {
        (Party::Agency(a), _) => format!("{} — {}", tr("Электронный ящик"), tr_dyn(a)),
        (Party::Org(_), Some(name)) => format!("{} — {name}", tr("Электронный ящик")),
        _ => tr("Электронный ящик").to_owned(),
    };
    let drafts = if in_drafts { Some(draft_rows(&s, &m).await?) } else { None };
    let mut folders: Vec<(&'static str, &'static str, String)> = Folder::ALL
        .iter()
        .map(|f| (f.code(), tr(f.title()), if *f == Folder::Inbox { unread.clone() } else { String::new() }))
        .collect();
    folders.insert(2, ("drafts", tr("Черновики"), String::new()));
    render(&IndexPage {
        title,
        boxq: m.query(),
        boxv: m.code.clone(),
        folder: if in_drafts { "drafts" } else { folder.code() },
        folders,
        rows,
        drafts,
        mailboxes: mailboxes(&s, &m).await?,
        can_write: true,
        own: m.code.is_empty(),
        search,
        csrf: m.session.csrf_secret.clone(),
    })
    .map(|page| (status, page).into_response())
}

/// «Черновики» of this person in this mailbox, last saved first.
async fn draft_rows(s: &AppState, m: &Mailbox) -> Result<Vec<DraftRow>, WebError> {
    let list = sep_core::mail::drafts::list(s.store.as_ref(), &m.user, &m.party)
        .await
        .map_err(|e| mail_problem(e, "", "/mail"))?;
    Ok(list
        .into_iter()
        .map(|d| DraftRow {
            id: d.id.to_string(),
            href: match d.reply_to {
                Some(c) => format!("{}#reply", super::write::address(m, &format!("/mail/{c}"), "")),
                None => super::write::address(m, "/mail/new", &format!("draft={}", d.id)),
            },
            subject: if d.subject.is_empty() { tr("(без темы)").to_owned() } else { d.subject },
            to: match (&d.to_name, &d.to) {
                (Some(name), _) => name.clone(),
                (None, Some(Party::Agency(a))) => tr_dyn(a),
                (None, Some(Party::Org(inn))) => inn.clone(),
                (None, _) if d.reply_to.is_some() => tr("ответ в переписке").to_owned(),
                (None, _) => "—".to_owned(),
            },
            at: moscow(d.updated_at),
            files: d.files.len(),
        })
        .collect())
}

/// The search block: the form as typed and, when words were given, what they found.
async fn search_view(s: &AppState, m: &Mailbox, q: &FolderQuery) -> Result<SearchView, WebError> {
    let (from, to) = (crate::ui::components::filter_day(&q.from), crate::ui::components::filter_day(&q.to));
    let with =
        q.with.split_once(':').and_then(|(k, v)| Party::from_stored(k, v)).filter(|p| !matches!(p, Party::Person(_)));
    let parties = if m.code.is_empty() {
        letters::recipients(s.store.as_ref(), &s.catalogue, &m.user)
            .await
            .map_err(|e| mail_problem(e, "", "/mail"))?
            .into_iter()
            .map(|(p, name)| (format!("{}:{}", p.kind(), p.key()), tr_dyn(&name)))
            .collect()
    } else {
        vec![]
    };
    let mut view = SearchView {
        q: q.q.clone(),
        with: q.with.clone(),
        from: crate::ui::components::input_day(from),
        to: crate::ui::components::input_day(to),
        parties,
        hits: None,
        error: None,
    };
    if q.q.trim().is_empty() {
        return Ok(view);
    }
    let filter = sep_core::mail::SearchFilter {
        // Drafts are not searched: from «Черновики» the search covers every folder.
        folder: (!q.folder.is_empty() && q.folder != "drafts").then(|| Folder::from_code(&q.folder)),
        with,
        from: from.map(moscow_midnight),
        before: to.and_then(|d| d.next_day()).map(moscow_midnight),
    };
    match letters::search(s.store.as_ref(), &m.party, &q.q, &filter).await.map_err(|e| mail_problem(e, "", "/mail"))? {
        Ok(found) => {
            view.hits = Some(
                found
                    .into_iter()
                    .map(|f| Hit {
                        conversation: f.letter.conversation.to_string(),
                        subject: if f.letter.subject.is_empty() {
                            tr("(без темы)").to_owned()
                        } else {
                            f.letter.subject
                        },
                        from: tr_dyn(&f.letter.from_name),
                        to: tr_dyn(&f.letter.to_name),
                        at: moscow(f.letter.sent_at),
                    })
                    .collect(),
            );
        }
        Err(e) => view.error = Some((e.code(), tr_dyn(&e.to_string()))),
    }
    Ok(view)
}

/// A message as the conversation page shows it.
struct LetterView {
    id: String,
    from: String,
    to: String,
    at: String,
    subject: String,
    text: String,
    files: Vec<(usize, String, String)>,
    incoming: bool,
    /// «Прочитано …» of what this mailbox sent.
    read_at: Option<String>,
    /// Who signed it and with what, when it is signed: `(signer, serial, issuer, by the agency)`.
    signed: Option<(String, String, String, bool)>,
    /// `(part, name)` of each signature's `.sig`.
    sigs: Vec<(u32, String)>,
}

#[derive(Template)]
#[template(path = "mail/conversation.html")]
struct ConversationPage {
    id: String,
    subject: String,
    boxq: String,
    letters: Vec<LetterView>,
    archived: bool,
    csrf: String,
    /// The reply being written (its draft).
    compose: super::write::Compose,
    saved: bool,
    /// An application's thread is answered on the application's page: its address.
    application: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct ConversationQuery {
    #[serde(default)]
    saved: String,
}

/// `GET /mail/{conversation}`: the conversation; what was received is marked as read.
pub(crate) async fn conversation(
    State(s): State<AppState>,
    m: Mailbox,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    Query(q): Query<ConversationQuery>,
) -> Page {
    let held = letters::open(s.store.as_ref(), &m.party, id, &m.user, &ctx.origin(), s.clock.now())
        .await
        .map_err(|e| mail_problem(e, "", "/mail"))?;
    let subject = held.first().map(|f| f.letter.subject.clone()).unwrap_or_default();
    let application = held.iter().find_map(|f| f.letter.application).map(|a| match m.party {
        Party::Agency(_) => format!("/officer/applications/{a}#messages"),
        _ => format!("/applications/{a}#messages"),
    });
    let archived = held.iter().all(|f| f.archived);
    let views = held
        .into_iter()
        .map(|f| {
            let names = f.letter.part_names();
            (f, names)
        })
        .map(|(f, names)| LetterView {
            id: f.letter.id.to_string(),
            from: tr_dyn(&f.letter.from_name),
            to: tr_dyn(&f.letter.to_name),
            at: moscow(f.letter.sent_at),
            subject: f.letter.subject,
            text: f.letter.text,
            files: f
                .letter
                .files
                .iter()
                .enumerate()
                .map(|(i, x)| (i, x.name.clone(), crate::ui::components::file_size(x.size)))
                .collect(),
            incoming: f.incoming,
            read_at: if f.incoming { None } else { f.letter.read_at.map(moscow) },
            signed: f.letter.signatures.first().map(|x| {
                let c = crate::ui::components::signatures::CertificateView::of(&x.signer);
                (c.owner, c.serial, c.issuer, x.source == sep_core::signing::Source::System)
            }),
            sigs: f
                .letter
                .signatures
                .iter()
                .map(|x| (x.part, format!("{}.sig", names.get(x.part as usize).cloned().unwrap_or_default())))
                .collect(),
        })
        .collect();
    // The reply being written here, if one was kept.
    let drafts = sep_core::mail::drafts::list(s.store.as_ref(), &m.user, &m.party)
        .await
        .map_err(|e| mail_problem(e, "", "/mail"))?;
    let draft = drafts.iter().find(|d| d.reply_to == Some(id));
    render(&ConversationPage {
        id: id.to_string(),
        subject: if subject.is_empty() { tr("(без темы)").to_owned() } else { subject },
        boxq: m.query(),
        letters: views,
        archived,
        csrf: m.session.csrf_secret.clone(),
        compose: super::write::Compose::of(&s, &m, draft).await?,
        saved: q.saved == "1",
        application,
    })
}

#[derive(Deserialize)]
pub(crate) struct ArchiveForm {
    #[serde(default)]
    archived: String,
}

/// `POST /mail/{conversation}/archive`: «В архив» (`archived=1`) or «Вернуть из архива».
pub(crate) async fn archive(
    State(s): State<AppState>,
    m: Mailbox,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<ArchiveForm>,
) -> Page {
    let to = f.archived == "1";
    letters::archive(s.store.as_ref(), &m.party, id, to, &m.user, &ctx.origin(), s.clock.now())
        .await
        .map_err(|e| mail_problem(e, "", "/mail"))?;
    let back = if to { format!("/mail{}", m.query()) } else { format!("/mail/{id}{}", m.query()) };
    Ok(Redirect::to(&back).into_response())
}

/// `GET /mail/letters/{id}/files/{n}`: a file of a message this mailbox holds.
pub(crate) async fn file(State(s): State<AppState>, m: Mailbox, ctx: Ctx, Path((id, n)): Path<(Uuid, usize)>) -> Page {
    let (filed, f) =
        letters::file_of(s.store.as_ref(), &m.party, id, n).await.map_err(|e| mail_problem(e, "", "/mail"))?;
    // An applicant's file read by the agency is journaled in their history, as on the
    // application's page. The download stands even if the record cannot be written.
    if let (Party::Agency(_), Some(app)) = (&m.party, filed.letter.application) {
        let applicant = match (&filed.letter.from, &filed.letter.to) {
            (Party::Person(u), _) | (_, Party::Person(u)) => Some(*u),
            _ => None,
        };
        let mut e = ctx.event(s.clock.now(), "document.downloaded", Some(m.user.id));
        e.subject = applicant;
        e.object = Some(format!("application:{app}"));
        e.details = serde_json::json!({ "file": format!("mail:{id}:{n}") });
        if let Err(err) = s.store.insert_audit(&e).await {
            tracing::error!(code = err.code(), "audit append failed");
        }
    }
    crate::ui::components::files::download(&s, &f.name, &f.content_type, &f.sha256, false).await
}

/// `GET /mail/letters/{id}/zip`: the message as a ZIP — its text (`message.txt`) and files.
pub(crate) async fn zip(State(s): State<AppState>, m: Mailbox, Path(id): Path<Uuid>) -> Page {
    let filed = s.store.find_filed(&m.party, id).await?.ok_or_else(WebError::not_found)?;
    let l = &filed.letter;
    let mut zip = crate::ui::components::zip::Zip::new();
    let mut body = Vec::new();
    let head = [
        (tr("От"), tr_dyn(&l.from_name)),
        (tr("Кому"), tr_dyn(&l.to_name)),
        (tr("Отправлено"), format!("{} {}", moscow(l.sent_at), tr("МСК"))),
        (tr("Тема"), l.subject.clone()),
    ];
    let mut text: String = head.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
    text.push('\n');
    text.push_str(&l.text);
    text.push('\n');
    body.extend(zip.entry("message.txt", text.as_bytes(), l.sent_at).ok_or_else(too_large)?);
    // The signed text keeps its name: a file called so is numbered like a second of a name.
    let mut names = std::collections::HashSet::from([
        sep_core::mail::TEXT_NAME.to_owned(),
        format!("{}.sig", sep_core::mail::TEXT_NAME),
    ]);
    for (i, f) in l.files.iter().enumerate() {
        // The message was found in this mailbox above: its files are read as they are.
        let bytes = letters::bytes(s.files.as_ref(), f).await.map_err(|e| mail_problem(e, "", "/mail"))?;
        // Two files of one name stay two entries.
        let name = if names.insert(f.name.clone()) { f.name.clone() } else { format!("{}-{}", i + 1, f.name) };
        body.extend(zip.entry(&name, &bytes, l.sent_at).ok_or_else(too_large)?);
        if let Some(der) = signature_of(&s, l, i as u32 + 1).await? {
            body.extend(zip.entry(&format!("{name}.sig"), &der, l.sent_at).ok_or_else(too_large)?);
        }
    }
    // A signed message carries its signed text and every signature, to check at /verify.
    if let Some(der) = signature_of(&s, l, 0).await? {
        let text = sep_core::mail::text_part(&l.subject, &l.text);
        body.extend(zip.entry(sep_core::mail::TEXT_NAME, &text, l.sent_at).ok_or_else(too_large)?);
        body.extend(zip.entry(&format!("{}.sig", sep_core::mail::TEXT_NAME), &der, l.sent_at).ok_or_else(too_large)?);
    }
    body.extend(zip.finish());
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/zip".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"message-{id}.zip\"")),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// The signature of `part` of `l`, when it is signed.
async fn signature_of(s: &AppState, l: &sep_core::mail::Letter, part: u32) -> Result<Option<Vec<u8>>, WebError> {
    if !l.signatures.iter().any(|x| x.part == part) {
        return Ok(None);
    }
    Ok(s.store.get_mail_signature(l.id, part).await?)
}

fn attachment(content_type: &str, name: &str, body: Vec<u8>) -> axum::response::Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"download\"; filename*=UTF-8''{}",
                    crate::ui::components::percent_encoded(name)
                ),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `GET /mail/letters/{id}/text`: the message's signed text (`text.txt`), the bytes its text
/// signature covers.
pub(crate) async fn text(State(s): State<AppState>, m: Mailbox, Path(id): Path<Uuid>) -> Page {
    let filed = s.store.find_filed(&m.party, id).await?.ok_or_else(WebError::not_found)?;
    let body = sep_core::mail::text_part(&filed.letter.subject, &filed.letter.text);
    Ok(attachment("text/plain; charset=utf-8", sep_core::mail::TEXT_NAME, body))
}

/// `GET /mail/letters/{id}/signatures/{n}`: the `.sig` of part `n` (0 the text, then each file).
pub(crate) async fn signature(State(s): State<AppState>, m: Mailbox, Path((id, n)): Path<(Uuid, u32)>) -> Page {
    let filed = s.store.find_filed(&m.party, id).await?.ok_or_else(WebError::not_found)?;
    let l = &filed.letter;
    let der = signature_of(&s, l, n).await?.ok_or_else(WebError::not_found)?;
    let name = l.part_names().get(n as usize).cloned().unwrap_or_else(|| "file".to_owned());
    Ok(attachment("application/pkcs7-signature", &format!("{name}.sig"), der))
}

/// `GET /mail/letters/{id}/receipt`: the квитанция (PDF) of a message this mailbox sent.
pub(crate) async fn receipt(State(s): State<AppState>, m: Mailbox, Path(id): Path<Uuid>) -> Page {
    use sep_core::spravka::sheet::Render;
    let l = sep_core::mail::receipt::sent(s.store.as_ref(), &m.party, id)
        .await
        .map_err(|e| mail_problem(e, "", "/mail"))?;
    let pdf = sep_pdf::PdfRenderer::new()
        .and_then(|r| r.render(&sep_core::mail::receipt::sheet(&l)))
        .map_err(|e| WebError::internal(&e))?;
    Ok(attachment("application/pdf", &format!("receipt-{id}.pdf"), pdf))
}

fn too_large() -> WebError {
    sep_http::Problem::new(
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        "zip_too_large",
        "Архив не собран",
        "Файлы сообщения вместе больше 4 ГБ: такой архив не собрать.",
        "Скачайте файлы по одному.",
    )
    .into()
}
