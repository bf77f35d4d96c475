//! «Мои заявления» (SPEC C2): the person's applications, filtered by status and sorted by
//! last change or deadline.

use crate::AppState;
use crate::error::Page;
use crate::extract::SignedIn;
use crate::i18n::tr_dyn;
use crate::ui::components::{newest_notice, render};
use askama::Template;
use axum::extract::{Query, State};
use sep_core::application::status::Status;
use serde::Deserialize;

struct Row {
    id: String,
    title: String,
    number: String,
    status: &'static str,
    tone: &'static str,
    due: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "applications/list.html")]
struct ListPage {
    rows: Vec<Row>,
    total: usize,
    statuses: Vec<(&'static str, &'static str)>,
    status: String,
    sort: String,
    newest: i64,
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
}

/// `GET /applications`: "Мои заявления", filtered by status and sorted by date (C2).
pub(crate) async fn list(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Query(q): Query<ListQuery>,
) -> Page {
    let mut apps = s.store.list_applications_for_user(user.id).await?;
    let newest = newest_notice(&s, &user).await?;
    let total = apps.len();
    // An unknown status or order is ignored rather than refused: it comes from a bookmark.
    let status = Status::from_code(&q.status);
    if let Some(st) = status {
        apps.retain(|a| a.status == st);
    }
    match q.sort.as_str() {
        "old" => apps.sort_by_key(|a| (a.updated_at, a.id.0)),
        // Open deadlines first, nearest first; those without one last.
        "due" => apps.sort_by_key(|a| (a.due_on.is_none(), a.due_on, a.id.0)),
        _ => apps.sort_by_key(|a| std::cmp::Reverse((a.updated_at, a.id.0))),
    }
    let f = time::macros::format_description!("[day].[month].[year]");
    let rows = apps
        .into_iter()
        .map(|a| Row {
            id: a.id.to_string(),
            title: s.catalogue.get(&a.service).map_or_else(|| a.service.clone(), |svc| tr_dyn(&svc.title)),
            number: a.number.unwrap_or_else(|| "—".into()),
            status: a.status.title(),
            tone: a.status.tone(),
            due: a.due_on.and_then(|d| d.format(f).ok()).unwrap_or_else(|| "—".into()),
            updated: a.updated_at.format(f).unwrap_or_default(),
        })
        .collect();
    let sort = if matches!(q.sort.as_str(), "old" | "due") { q.sort } else { "new".into() };
    render(&ListPage {
        rows,
        total,
        statuses: Status::ALL.iter().map(|s| (s.code(), s.title())).collect(),
        status: status.map(|s| s.code().to_owned()).unwrap_or_default(),
        sort,
        newest,
    })
}
