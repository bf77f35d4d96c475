//! `/documents`: every document of the signed-in person (`sep_core::document::archive`),
//! searchable by name and kind, filtered by date, 50 to a page; each opens in the browser
//! (PDF and images) or downloads, and links to its application.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::SignedIn;
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::signatures::SignatureView;
use crate::ui::components::{file_size, filter_day, input_day, moscow, percent_encoded, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use sep_core::document::{Entry, Filter, Origin, archive};
use sep_core::signing::{Signature, Standing};
use serde::Deserialize;
use std::collections::{HashMap, HashSet, VecDeque};

struct Row {
    key: String,
    /// Where its removal posts, while its application may change.
    remove: Option<String>,
    /// Whether it may be replaced by a new version (while its application may change).
    replaceable: bool,
    /// Its earlier versions: date and download link, oldest first.
    versions: Vec<(String, String)>,
    name: String,
    kind: String,
    size: String,
    at: String,
    application: String,
    number: String,
    /// Where it downloads; the same with `?inline=1` opens it.
    href: String,
    from: &'static str,
    /// Its signatures' cards, oldest first.
    signatures: Vec<SignatureView>,
    /// «Принят», «Подписан», «Выдан», «Аннулирован».
    status: &'static str,
    /// An issued document's number and check link.
    check: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "documents/archive.html")]
struct ArchivePage {
    csrf: String,
    removed: bool,
    replaced: bool,
    /// A signature was just added to this document (its key).
    signed: String,
    /// Whether this portal signs with a cloud key.
    can_sign: bool,
    rows: Vec<Row>,
    matching: usize,
    total: usize,
    kinds: Vec<(String, String)>,
    name: String,
    kind: String,
    from: String,
    to: String,
    page: usize,
    pages: usize,
    /// The filter as query parameters, for the page links.
    query: String,
}

#[derive(Deserialize)]
pub(crate) struct ArchiveQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: String,
    removed: Option<String>,
    replaced: Option<String>,
    signed: Option<String>,
}

fn row(e: Entry, signatures: &mut HashMap<String, Vec<(Signature, Standing)>>) -> Row {
    let app = e.application.map(|a| a.to_string()).unwrap_or_default();
    let key = e.key();
    // Only signatures of this very content (an attachment's content never changes; the check
    // keeps it so when versions come).
    let signatures: Vec<SignatureView> = signatures
        .remove(&key)
        .unwrap_or_default()
        .iter()
        .filter(|(sig, _)| sig.sha256 == e.file.sha256)
        .map(|(sig, standing)| SignatureView::of(sig, *standing))
        .collect();
    let signed = signatures.iter().any(|v| v.valid);
    let remove = match (&e.origin, e.removable) {
        (Origin::Attachment { id, .. }, true) => Some(format!("/applications/{app}/attachments/{id}/delete")),
        _ => None,
    };
    let href = match &e.origin {
        Origin::Attachment { id, .. } => format!("/applications/{app}/attachments/{id}"),
        Origin::Message { id, .. } => format!("/applications/{app}/messages/{id}/file"),
        Origin::Issued { id, .. } => format!("/documents/issued/{id}"),
    };
    let (status, check) = match &e.origin {
        Origin::Issued { annulled: true, .. } => (tr("Аннулирован"), None),
        Origin::Issued { number, check, .. } => (tr("Выдан"), Some((number.clone(), check.clone()))),
        _ if signed => (tr("Подписан"), None),
        _ => (tr("Принят"), None),
    };
    let replaceable = remove.is_some();
    let versions =
        e.versions.iter().map(|v| (moscow(v.at), format!("/applications/{app}/attachments/{}", v.id))).collect();
    Row {
        key,
        remove,
        replaceable,
        versions,
        name: e.file.file_name,
        kind: tr_dyn(&e.kind),
        size: file_size(e.file.size),
        at: moscow(e.at),
        application: match &e.origin {
            Origin::Issued { order: Some(order), .. } => format!("/spravki/{order}"),
            Origin::Issued { payment: Some(payment), .. } => format!("/payments/result/{payment}"),
            _ => format!("/applications/{app}"),
        },
        number: match (&e.origin, e.number) {
            (Origin::Issued { payment: Some(_), .. }, _) => tr("платёж").to_owned(),
            (_, n) => n.map_or_else(|| tr("черновик").to_owned(), |n| format!("№ {n}")),
        },
        href,
        from: match e.origin {
            Origin::Message { from_agency: true, .. } | Origin::Issued { .. } => tr("ведомство"),
            _ => tr("вы"),
        },
        signatures,
        status,
        check,
    }
}

/// `GET /documents?q=&kind=&from=&to=&page=`.
pub(crate) async fn page(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    ctx: crate::extract::Ctx,
    Query(q): Query<ArchiveQuery>,
) -> Page {
    if !q.q.trim().is_empty()
        && let Err(wait) = s.throttles.searches.check(&ctx.client.ip)
    {
        return Err(sep_http::Problem::rate_limited(wait).into());
    }
    let (from, to) = (filter_day(&q.from), filter_day(&q.to));
    let filter = Filter { name: q.q.clone(), kind: q.kind.clone(), from, to, page: q.page.parse().unwrap_or(1).max(1) };
    let listing = archive(s.store.as_ref(), &s.catalogue, &user, &filter).await?;
    let mut signatures = sep_core::signing::of_documents(s.store.as_ref(), user.id, s.clock.now()).await?;
    let (from, to) = (input_day(from), input_day(to));
    let query = format!("q={}&kind={}&from={}&to={}", percent_encoded(&q.q), percent_encoded(&q.kind), from, to);
    render(&ArchivePage {
        csrf: session.csrf_secret,
        removed: q.removed.is_some(),
        replaced: q.replaced.is_some(),
        signed: q.signed.unwrap_or_default(),
        can_sign: s.cloud.is_some(),
        matching: listing.matching,
        total: listing.total,
        pages: listing.pages(),
        page: filter.page.min(listing.pages()),
        kinds: listing.kinds.iter().map(|k| (k.clone(), tr_dyn(k))).collect(),
        rows: listing.entries.into_iter().map(|e| row(e, &mut signatures)).collect(),
        name: q.q,
        kind: q.kind,
        from,
        to,
        query,
    })
}

/// The name of a document inside the archive: its application's number as a folder (a draft's
/// short id), then its own name, made unique.
fn zip_name(e: &Entry, taken: &mut HashSet<String>) -> String {
    // A draft's folder by the random end of its id (the start is its creation time).
    let id = e.application.map(|a| a.to_string()).unwrap_or_default();
    let folder = match (&e.origin, &e.number) {
        (Origin::Issued { order: Some(_), .. }, _) => "spravki".to_owned(),
        (Origin::Issued { payment: Some(_), .. }, _) => "receipts".to_owned(),
        (_, Some(n)) => n.clone(),
        (_, None) => format!("draft-{}", id.get(id.len().saturating_sub(8)..).unwrap_or("")),
    };
    let clean: String =
        e.file.file_name.chars().map(|c| if c == '/' || c == '\\' || c.is_control() { '_' } else { c }).collect();
    let (stem, ext) = clean.rsplit_once('.').map_or((clean.as_str(), ""), |(s, x)| (s, x));
    let mut n = 1;
    loop {
        let name = match (n, ext) {
            (1, _) => format!("{folder}/{clean}"),
            (_, "") => format!("{folder}/{stem} ({n})"),
            _ => format!("{folder}/{stem} ({n}).{ext}"),
        };
        // Unique whatever the case: unpacked on Windows or macOS, «Паспорт» and «паспорт» collide.
        if taken.insert(name.to_lowercase()) {
            return name;
        }
        n += 1;
    }
}

/// A refusal of `/documents/zip`, with the way back to the list.
fn zip_refused(
    status: axum::http::StatusCode,
    code: &'static str,
    title: &str,
    detail: &str,
    action: &str,
) -> WebError {
    sep_http::Problem::new(status, code, title, detail, action).retry("/documents", "К документам").into()
}

/// `POST /documents/zip` (`d` repeated: the chosen documents' keys): the documents as one ZIP,
/// written as it is sent — one file in memory at a time. Keys of documents that are not the
/// person's are ignored; choosing none is refused with `zip_empty`.
pub(crate) async fn zip(
    State(s): State<AppState>,
    SignedIn { user, session }: SignedIn,
    ctx: crate::extract::Ctx,
    crate::extract::CsrfForm(form): crate::extract::CsrfForm<Vec<(String, String)>>,
) -> Page {
    let chosen: HashSet<&str> = form.iter().filter(|(k, _)| k == "d").map(|(_, v)| v.as_str()).collect();
    let all = sep_core::document::entries(s.store.as_ref(), &s.catalogue, &user).await?;
    let picked: VecDeque<Entry> = all.into_iter().filter(|e| chosen.contains(e.key().as_str())).collect();
    // «Защита входа» covers the e-passport's PDF in an archive as well.
    if !sep_core::passport::protection::fresh(&user, &session, s.clock.now())
        && sep_core::passport::protection::holds_passport(s.store.as_ref(), &user, &picked).await?
    {
        return Err(crate::extract::fresh_login_for("/documents"));
    }
    if picked.is_empty() {
        let (status, action) =
            (StatusCode::UNPROCESSABLE_ENTITY, "Отметьте документы в списке и нажмите «Скачать выбранные (ZIP)».");
        return Err(zip_refused(
            status,
            "zip_empty",
            "Документы не выбраны",
            "Для архива не выбран ни один документ.",
            action,
        ));
    }
    // Contents, and for each entry its two headers with the name twice (a name is at most a
    // few hundred bytes).
    let total: u64 = picked.iter().map(|e| u64::try_from(e.file.size).unwrap_or(0) + 1024).sum();
    if total > crate::ui::components::zip::MAX_TOTAL || picked.len() > crate::ui::components::zip::MAX_ENTRIES {
        let detail = "Выбранные документы вместе больше 4 ГБ или их больше 65 000: такой архив не собрать.";
        let action = "Выберите меньше документов и скачайте их несколькими архивами.";
        return Err(zip_refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "zip_too_large",
            "Слишком большой архив",
            detail,
            action,
        ));
    }
    // An export of personal data (SECURITY.md T14): journaled, how many and how much, no names.
    let mut e = ctx.event(s.clock.now(), "documents.exported", Some(user.id));
    e.details =
        serde_json::json!({ "documents": picked.len(), "bytes": picked.iter().map(|e| e.file.size).sum::<i64>() });
    s.store.insert_audit(&e).await?;
    let filename = format!("documents-{}.zip", file_date(s.clock.now()));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        axum::body::Body::from_stream(zip_stream(s, picked)),
    )
        .into_response())
}

/// The archive of `picked` as a stream of chunks: one entry a chunk, then the directory. A file
/// that cannot be read breaks the download off, so the browser reports it unfinished rather
/// than saving a wrong archive.
fn zip_stream(s: AppState, picked: VecDeque<Entry>) -> impl futures_util::Stream<Item = std::io::Result<Vec<u8>>> {
    let state = (s, picked, Some(crate::ui::components::zip::Zip::new()), HashSet::new());
    futures_util::stream::unfold(state, |(s, mut left, zip, mut taken)| async move {
        let mut zip = zip?;
        let Some(e) = left.pop_front() else { return Some((Ok(zip.finish()), (s, left, None, taken))) };
        let chunk = match s.files.get(&e.file.sha256).await {
            Ok(bytes) => zip
                .entry(&zip_name(&e, &mut taken), &bytes, e.at)
                .ok_or_else(|| std::io::Error::other("archive too large")),
            Err(err) => Err(err),
        };
        if let Err(err) = &chunk {
            tracing::error!(error = %err, "archive stopped");
        }
        let next = chunk.is_ok().then_some(zip);
        Some((chunk, (s, left, next, taken)))
    })
}

fn file_date(now: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year][month][day]");
    sep_http::moscow::date(now).format(f).unwrap_or_default()
}

/// `POST /documents/replace` (the archive's form, multipart: `replace` = the document's key,
/// its file in `file:{key}`): a new version of one's own upload; back to the list.
pub(crate) async fn replace(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: crate::extract::Ctx,
    crate::extract::CsrfMultipart(form): crate::extract::CsrfMultipart,
) -> Page {
    let key = form.text("replace").to_owned();
    let Some((name, bytes)) = form.file(&format!("file:{key}")) else {
        let e = sep_core::application::ActionError::File(sep_core::application::attachment::UploadError::Empty);
        return Err(e.into());
    };
    sep_core::document::replace::replace(
        s.store.as_ref(),
        s.files.as_ref(),
        &s.catalogue,
        &user,
        &key,
        (name, bytes),
        &ctx.origin(),
        s.clock.now(),
    )
    .await?;
    Ok(axum::response::Redirect::to("/documents?replaced=1").into_response())
}
