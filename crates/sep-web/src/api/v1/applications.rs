//! `GET /api/v1/applications` and `GET /api/v1/applications/{id}`: the person's applications
//! («Мои заявления»), newest change first, paginated by cursor; one with its history.

use crate::AppState;
use crate::api::{CURSOR_INVALID, LIMIT_INVALID, STATUS_UNKNOWN, caller, refused, rfc3339};
use crate::error::{Page, WebError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use sep_core::application::queue::{Order, mine, own};
use sep_core::application::record::{Application, ApplicationId};
use sep_core::application::status::Status;
use sep_core::catalogue::ApplicantType;
use sep_core::integration::Scope;
use serde::{Deserialize, Serialize};

/// Most items a page holds.
const MAX_LIMIT: usize = 200;

/// An application as the API shows it.
#[derive(Serialize)]
struct Item {
    id: String,
    number: Option<String>,
    service: String,
    service_title: Option<String>,
    applicant_type: &'static str,
    status: &'static str,
    status_title: &'static str,
    created_at: String,
    updated_at: String,
    due_on: Option<String>,
}

fn item(s: &AppState, a: &Application) -> Item {
    Item {
        id: a.id.to_string(),
        number: a.number.clone(),
        service: a.service.clone(),
        service_title: s.catalogue.get(&a.service).map(|x| x.title.clone()),
        applicant_type: match a.applicant_type {
            ApplicantType::Person => "person",
            ApplicantType::Ip => "ip",
            ApplicantType::Org => "org",
        },
        status: a.status.code(),
        status_title: a.status.title(),
        created_at: rfc3339(a.created_at),
        updated_at: rfc3339(a.updated_at),
        due_on: a.due_on.map(|d| d.to_string()),
    }
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    cursor: Option<String>,
}

#[derive(Serialize)]
struct List {
    items: Vec<Item>,
    /// Where the next page starts; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// `GET /api/v1/applications?status=&limit=&cursor=` (scope `applications:read`).
pub(crate) async fn list(State(s): State<AppState>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Page {
    let user = caller(&s, &headers, Scope::ApplicationsRead).await?;
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(code) => Some(Status::from_code(code).ok_or_else(|| refused(STATUS_UNKNOWN))?),
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(refused(LIMIT_INVALID));
    }
    let (apps, _) = mine(s.store.as_ref(), &user, status, Order::Newest).await?;
    // The cursor is the last item's id: the next page starts after it.
    let start = match q.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) => {
            apps.iter().position(|a| a.id.to_string() == c).map(|i| i + 1).ok_or_else(|| refused(CURSOR_INVALID))?
        }
    };
    let page: Vec<&Application> = apps.iter().skip(start).take(limit).collect();
    let next_cursor = (start + page.len() < apps.len()).then(|| page.last().map(|a| a.id.to_string())).flatten();
    Ok(Json(List { items: page.into_iter().map(|a| item(&s, a)).collect(), next_cursor }).into_response())
}

/// A change in the application's history.
#[derive(Serialize)]
struct Event {
    at: String,
    actor: String,
    from: Option<&'static str>,
    to: &'static str,
    comment: String,
    reasons: Vec<String>,
}

#[derive(Serialize)]
struct One {
    #[serde(flatten)]
    item: Item,
    history: Vec<Event>,
}

/// `GET /api/v1/applications/{id}` (scope `applications:read`): one of the person's own.
pub(crate) async fn get(State(s): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Page {
    let user = caller(&s, &headers, Scope::ApplicationsRead).await?;
    let id = id.parse().map(ApplicationId).map_err(|_| WebError::not_found())?;
    let app = own(s.store.as_ref(), &user, id).await?;
    let history = s
        .store
        .list_application_events(app.id)
        .await?
        .into_iter()
        .map(|e| Event {
            at: rfc3339(e.at),
            actor: e.actor,
            from: e.from.map(Status::code),
            to: e.to.code(),
            comment: e.comment,
            reasons: e.reasons.into_iter().map(|r| r.code).collect(),
        })
        .collect();
    Ok(Json(One { item: item(&s, &app), history }).into_response())
}
