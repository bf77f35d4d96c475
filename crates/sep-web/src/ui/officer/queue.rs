//! `/officer` (SPEC A3): the queue of the officer's agency — sent applications of its
//! services, never the officer's own — filtered by status, service and overdue, nearest
//! deadline first.

use crate::AppState;
use crate::error::Page;
use crate::extract::Officer;
use crate::ui::components::{render, ru_date};
use askama::Template;
use axum::extract::{Query, State};
use sep_core::application::access::agency_sees;
use sep_core::application::record::Application;
use sep_core::application::status::Status;
use sep_core::catalogue::Service;
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

/// Open and past its expected date.
pub(super) fn overdue(app: &Application, today: time::Date) -> bool {
    matches!(app.status, Status::Created | Status::UnderReview) && app.due_on.is_some_and(|d| d < today)
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
    let services: Vec<&Service> = s.catalogue.search("").into_iter().filter(|svc| svc.agency == agency).collect();
    let codes: Vec<String> = services.iter().map(|svc| svc.code.clone()).collect();
    let mut apps = s.store.list_applications_for_services(&codes).await?;
    // The same rule as for opening one (not their own, among others).
    apps.retain(|a| s.catalogue.get(&a.service).is_some_and(|svc| agency_sees(&user, a, svc)));
    let total = apps.len();
    let today = s.clock.now().date();
    let status = Status::from_code(&q.status);
    apps.retain(|a| {
        status.is_none_or(|st| a.status == st)
            && (q.service.is_empty() || a.service == q.service)
            && (q.overdue.is_empty() || overdue(a, today))
    });
    // Nearest deadline first; those without one (never happens once sent) last.
    apps.sort_by_key(|a| (a.status.is_final(), a.due_on.is_none(), a.due_on, a.id.0));
    let rows = apps
        .iter()
        .map(|a| Row {
            id: a.id.to_string(),
            number: a.number.clone().unwrap_or_else(|| "—".into()),
            service: s
                .catalogue
                .get(&a.service)
                .map_or_else(|| a.service.clone(), |svc| crate::i18n::tr_dyn(&svc.title)),
            applicant: applicant_name(a),
            kind: crate::i18n::tr(a.applicant_type.title()),
            status: crate::i18n::tr(a.status.title()),
            tone: a.status.tone(),
            due: ru_date(a.due_on),
            overdue: overdue(a, today),
            assignee: match a.assignee {
                Some(id) if id == user.id => crate::i18n::tr("вы"),
                Some(_) => crate::i18n::tr("другой сотрудник"),
                None => "—",
            },
        })
        .collect();
    render(&QueuePage {
        agency: crate::i18n::tr_dyn(&agency),
        rows,
        total,
        statuses: Status::ALL
            .iter()
            .filter(|st| **st != Status::Draft)
            .map(|st| (st.code(), crate::i18n::tr(st.title())))
            .collect(),
        services: services.iter().map(|svc| (svc.code.clone(), crate::i18n::tr_dyn(&svc.title))).collect(),
        status: status.map(|st| st.code().to_owned()).unwrap_or_default(),
        service: q.service,
        overdue: !q.overdue.is_empty(),
    })
}
