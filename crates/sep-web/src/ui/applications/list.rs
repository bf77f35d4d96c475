//! «Мои заявления» (SPEC C2): the person's applications, filtered by status and sorted by
//! last change or deadline.

use crate::AppState;
use crate::error::Page;
use crate::extract::SignedIn;
use crate::ui::components::{newest_notice, render};
use askama::Template;
use axum::extract::{Query, State};
use sep_core::application::queue::{Order, mine};
use sep_core::application::record::Application;
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

/// `GET /applications`: "Мои заявления", filtered by status and sorted by date (C2). An
/// unknown status or order is ignored rather than refused: it comes from a bookmark.
pub(crate) async fn list(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Query(q): Query<ListQuery>,
) -> Page {
    let (status, order) = (Status::from_code(&q.status), Order::from_code(&q.sort));
    let (apps, total) = mine(s.store.as_ref(), &user, status, order).await?;
    render(&ListPage {
        rows: apps.into_iter().map(|a| row(&s, a)).collect(),
        total,
        statuses: Status::ALL.iter().map(|s| (s.code(), s.title())).collect(),
        status: status.map(|s| s.code().to_owned()).unwrap_or_default(),
        sort: order.code().to_owned(),
        newest: newest_notice(&s, &user).await?,
    })
}

/// One application in the list.
fn row(s: &AppState, a: Application) -> Row {
    let f = time::macros::format_description!("[day].[month].[year]");
    Row {
        id: a.id.to_string(),
        title: crate::ui::components::service_title(s, &a.service),
        number: a.number.unwrap_or_else(|| "—".into()),
        status: a.status.title(),
        tone: a.status.tone(),
        due: a.due_on.and_then(|d| d.format(f).ok()).unwrap_or_else(|| "—".into()),
        updated: a.updated_at.format(f).unwrap_or_default(),
    }
}
