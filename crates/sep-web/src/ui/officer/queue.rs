//! `/officer` (SPEC A3): the queue of the officer's agency — sent applications of its
//! services, never the officer's own — filtered by status, service and overdue, nearest
//! deadline first.

use crate::AppState;
use crate::error::Page;
use crate::extract::Officer;
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::{render, ru_date};
use askama::Template;
use axum::extract::{Query, State};
use sep_core::application::queue::{QueueFilter, agency_queue, overdue};
use sep_core::application::record::Application;
use sep_core::application::status::Status;
use sep_core::user::User;
use serde::Deserialize;

/// Who applies, as the queue shows it.
pub(super) fn applicant_name(app: &Application) -> String {
    let v = |k: &str| app.data.get(k).map_or("", |s| s.trim());
    let person = format!("{} {} {}", v("last_name"), v("first_name"), v("middle_name")).trim().to_owned();
    match v("org_full_name") {
        "" => person,
        org => format!("{org} ({person})"),
    }
}

struct Row {
    id: String,
    number: String,
    service: String,
    applicant: String,
    kind: &'static str,
    status: &'static str,
    tone: &'static str,
    due: String,
    overdue: bool,
    assignee: &'static str,
}

#[derive(Template)]
#[template(path = "officer/queue.html")]
struct QueuePage {
    agency: String,
    /// The agency keeps the registry of e-passports.
    passports: bool,
    rows: Vec<Row>,
    total: usize,
    statuses: Vec<(&'static str, &'static str)>,
    services: Vec<(String, String)>,
    status: String,
    service: String,
    overdue: bool,
}

#[derive(Deserialize)]
pub(crate) struct QueueQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    overdue: String,
}

/// `GET /officer`: the agency's queue, filtered by status, service and overdue.
pub(crate) async fn queue(State(s): State<AppState>, officer: Officer, Query(q): Query<QueueQuery>) -> Page {
    let Officer { user, agency, .. } = officer;
    let filter =
        QueueFilter { status: Status::from_code(&q.status), service: q.service, overdue: !q.overdue.is_empty() };
    let today = s.clock.now().date();
    let (apps, total) = agency_queue(s.store.as_ref(), &s.catalogue, &user, &agency, &filter, today).await?;
    let services = s.catalogue.search("").into_iter().filter(|svc| svc.agency == agency);
    render(&QueuePage {
        passports: sep_core::passport::officer::keeps_registry(&user),
        agency: tr_dyn(&agency),
        rows: apps.iter().map(|a| row(&s, &user, a, today)).collect(),
        total,
        statuses: Status::ALL.iter().filter(|st| **st != Status::Draft).map(|st| (st.code(), tr(st.title()))).collect(),
        services: services.map(|svc| (svc.code.clone(), tr_dyn(&svc.title))).collect(),
        status: filter.status.map(|st| st.code().to_owned()).unwrap_or_default(),
        service: filter.service,
        overdue: filter.overdue,
    })
}

/// One application in the queue.
fn row(s: &AppState, officer: &User, a: &Application, today: time::Date) -> Row {
    Row {
        id: a.id.to_string(),
        number: a.number.clone().unwrap_or_else(|| "—".into()),
        service: crate::ui::components::service_title(s, &a.service),
        applicant: applicant_name(a),
        kind: tr(a.applicant_type.title()),
        status: tr(a.status.title()),
        tone: a.status.tone(),
        due: ru_date(a.due_on),
        overdue: overdue(a, today),
        assignee: match a.assignee {
            Some(id) if id == officer.id => tr("вы"),
            Some(_) => tr("другой сотрудник"),
            None => "—",
        },
    }
}
