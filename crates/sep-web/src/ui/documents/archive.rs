//! `/documents`: every document of the signed-in person (`sep_core::document::archive`),
//! searchable by name and kind, filtered by date, 50 to a page; each opens in the browser
//! (PDF and images) or downloads, and links to its application.

use crate::AppState;
use crate::error::Page;
use crate::extract::SignedIn;
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::{file_size, moscow, render};
use askama::Template;
use axum::extract::{Query, State};
use sep_core::document::{Entry, Filter, Origin, archive};
use serde::Deserialize;

struct Row {
    name: String,
    kind: String,
    size: String,
    at: String,
    application: String,
    number: String,
    /// Where it downloads; the same with `?inline=1` opens it.
    href: String,
    from: &'static str,
}

#[derive(Template)]
#[template(path = "documents/archive.html")]
struct ArchivePage {
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
}

/// A day as a date input sends it (`ГГГГ-ММ-ДД`) or as people type it (`ДД.ММ.ГГГГ`); an
/// unreadable one is ignored, as a bookmark's would be.
fn day(text: &str) -> Option<time::Date> {
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    let ru = time::macros::format_description!("[day].[month].[year]");
    time::Date::parse(text.trim(), iso).or_else(|_| time::Date::parse(text.trim(), ru)).ok()
}

fn row(e: Entry) -> Row {
    let app = e.application;
    let href = match &e.origin {
        Origin::Attachment { id, .. } => format!("/applications/{app}/attachments/{id}"),
        Origin::Message { id, .. } => format!("/applications/{app}/messages/{id}/file"),
    };
    Row {
        name: e.file.file_name,
        kind: tr_dyn(&e.kind),
        size: file_size(e.file.size),
        at: moscow(e.at),
        application: format!("/applications/{app}"),
        number: e.number.unwrap_or_else(|| tr("черновик").into()),
        href,
        from: match e.origin {
            Origin::Message { from_agency: true, .. } => tr("ведомство"),
            _ => tr("вы"),
        },
    }
}

fn query_param(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `GET /documents?q=&kind=&from=&to=&page=`.
pub(crate) async fn page(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Query(q): Query<ArchiveQuery>,
) -> Page {
    let (from, to) = (day(&q.from), day(&q.to));
    let filter = Filter { name: q.q.clone(), kind: q.kind.clone(), from, to, page: q.page.parse().unwrap_or(1).max(1) };
    let listing = archive(s.store.as_ref(), &s.catalogue, &user, &filter).await?;
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    let (from, to) = (from.and_then(|d| d.format(iso).ok()), to.and_then(|d| d.format(iso).ok()));
    let query = format!(
        "q={}&kind={}&from={}&to={}",
        query_param(&q.q),
        query_param(&q.kind),
        from.as_deref().unwrap_or_default(),
        to.as_deref().unwrap_or_default()
    );
    render(&ArchivePage {
        matching: listing.matching,
        total: listing.total,
        pages: listing.pages(),
        page: filter.page.min(listing.pages()),
        kinds: listing.kinds.iter().map(|k| (k.clone(), tr_dyn(k))).collect(),
        rows: listing.entries.into_iter().map(row).collect(),
        name: q.q,
        kind: q.kind,
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
        query,
    })
}
