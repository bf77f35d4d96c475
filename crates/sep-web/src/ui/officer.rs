//! The officer workspace (SPEC A3): the agency's queue with filters, an application with its
//! data, documents and journal, "Взять в работу", and the decisions — approve, reject or ask
//! for more data, with reason codes from the service and a comment. An officer sees only the
//! applications of their agency's services; anything else is "not found", journaled.

use super::account::signed_in_with_terms as signed_in;
use super::render;
use crate::client::Client;
use crate::middleware::request_id_of as request_id;
use crate::session::{CurrentUser, csrf_ok, event};
use crate::{AppState, Problem};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sep_core::application::record::{Application, StatusChange};
use sep_core::application::review;
use sep_core::application::status::{Action, Actor, Reason, Status};
use sep_core::audit::Outcome;
use sep_core::catalogue::Service;
use sep_core::store::Effects;
use sep_core::user::{Role, User};
use serde::Deserialize;

fn internal(e: &sep_core::StoreError) -> Response {
    tracing::error!(code = e.code(), error = %e, "officer storage failed");
    Problem::internal().into_response()
}

/// The officer's agency; `None` for anyone who is not an officer of an agency.
fn agency(user: &User) -> Option<&str> {
    (user.role == Role::Officer).then_some(user.agency.as_deref()).flatten()
}

/// The signed-in officer, or the response to give instead (sign-in, or "not found" so the
/// workspace does not reveal itself to others).
fn officer(user: CurrentUser, path: &str) -> Result<(sep_core::session::Session, User), Box<Response>> {
    let (session, user) = signed_in(user, path).map_err(|to| Box::new(to.into_response()))?;
    if agency(&user).is_none() {
        return Err(Box::new(Problem::not_found().into_response()));
    }
    Ok((session, user))
}

/// The service of `app` if `user` is an officer of its agency, it has been sent, and it is
/// not the officer's own.
pub(crate) fn sees(s: &AppState, user: &User, app: &Application) -> Option<Service> {
    let service = s.catalogue.get(&app.service).filter(|svc| Some(svc.agency.as_str()) == agency(user))?;
    // Nobody reviews their own application.
    (app.status != Status::Draft && app.user_id != user.id).then(|| service.clone())
}

/// The application if it belongs to the officer's agency; "not found" (journaled) otherwise.
async fn in_agency(
    s: &AppState,
    user: &User,
    id: &str,
    client: &Client,
    rid: &str,
) -> Result<(Application, Service), Response> {
    let app = super::access::find(s, id).await?;
    match sees(s, user, &app) {
        Some(svc) => Ok((app, svc)),
        None => Err(super::access::denied(s, user, &app, client, rid).await),
    }
}

/// Who applies, as the queue shows it.
fn applicant_name(app: &Application) -> String {
    let v = |k: &str| app.data.get(k).map_or("", |s| s.trim());
    let person = format!("{} {} {}", v("last_name"), v("first_name"), v("middle_name")).trim().to_owned();
    match v("org_full_name") {
        "" => person,
        org => format!("{org} ({person})"),
    }
}

/// Open and past its expected date.
fn overdue(app: &Application, today: time::Date) -> bool {
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
#[template(path = "officer_queue.html")]
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
pub(crate) async fn queue(State(s): State<AppState>, user: CurrentUser, Query(q): Query<QueueQuery>) -> Response {
    let (_, user) = match officer(user, "/officer") {
        Ok(found) => found,
        Err(res) => return *res,
    };
    let agency = agency(&user).unwrap_or_default().to_owned();
    let services: Vec<&Service> = s.catalogue.search("").into_iter().filter(|svc| svc.agency == agency).collect();
    let codes: Vec<String> = services.iter().map(|svc| svc.code.clone()).collect();
    let mut apps = match s.store.list_applications_for_services(&codes).await {
        Ok(a) => a,
        Err(e) => return internal(&e),
    };
    // The same rule as for opening one (not their own, among others).
    apps.retain(|a| sees(&s, &user, a).is_some());
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
            due: super::ru_date(a.due_on),
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

#[derive(Template)]
#[template(path = "officer_application.html")]
struct ApplicationPage {
    id: String,
    number: String,
    service_title: String,
    applicant: String,
    kind: &'static str,
    status: &'static str,
    tone: &'static str,
    due: String,
    overdue: bool,
    fields: Vec<(String, String)>,
    /// Document, link, name, size.
    files: Vec<(String, String, String, String)>,
    events: Vec<super::journal::EventView>,
    messages: Vec<super::messages::MessageView>,
    can_message: bool,
    reasons: Vec<(String, String)>,
    mine: bool,
    can_take: bool,
    can_decide: bool,
    csrf: String,
    error: Option<String>,
}

async fn application_page(
    s: &AppState,
    user: &User,
    csrf: &str,
    app: &Application,
    service: &Service,
    error: Option<String>,
) -> Response {
    let (events, files, messages) = match (
        s.store.list_application_events(app.id).await,
        s.store.list_attachments(app.id).await,
        s.store.list_messages(app.id).await,
    ) {
        (Ok(e), Ok(f), Ok(m)) => (e, f, m),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return internal(&e),
    };
    let mine = app.assignee == Some(user.id);
    let page = ApplicationPage {
        id: app.id.to_string(),
        number: app.number.clone().unwrap_or_else(|| "—".into()),
        service_title: crate::i18n::tr_dyn(&service.title),
        applicant: applicant_name(app),
        kind: crate::i18n::tr(app.applicant_type.title()),
        status: crate::i18n::tr(app.status.title()),
        tone: app.status.tone(),
        due: super::ru_date(app.due_on),
        overdue: overdue(app, s.clock.now().date()),
        fields: service
            .fields_for(app.applicant_type)
            .map(|f| (crate::i18n::tr_dyn(&f.label), app.data.get(&f.name).cloned().unwrap_or_default()))
            .collect(),
        files: files
            .iter()
            .map(|f| {
                let doc =
                    service.documents.iter().find(|d| d.code == f.document).map_or(f.document.as_str(), |d| &d.title);
                let href = format!("/applications/{}/attachments/{}", app.id, f.id);
                (crate::i18n::tr_dyn(doc), href, f.file_name.clone(), super::file_size(f.size))
            })
            .collect(),
        events: super::journal::views(&events),
        messages: super::messages::views(&messages, super::messages::Viewer::Officer),
        can_message: true,
        reasons: service.reasons.iter().map(|r| (r.code.clone(), r.text.clone())).collect(),
        mine,
        can_take: matches!(app.status, Status::Created | Status::UnderReview) && !mine,
        can_decide: app.status == Status::UnderReview && mine,
        csrf: csrf.to_owned(),
        error,
    };
    render(&page)
}

/// `GET /officer/applications/{id}`.
pub(crate) async fn show(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (session, user) = match officer(user, &format!("/officer/applications/{id}")) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    match in_agency(&s, &user, &id, &client, &request_id(&headers)).await {
        Ok((app, service)) => application_page(&s, &user, &session.csrf_secret, &app, &service, None).await,
        Err(res) => res,
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

fn audit_for(
    action: &str,
    officer: &User,
    app: &Application,
    client: &Client,
    rid: &str,
    at: time::OffsetDateTime,
) -> Effects {
    let mut e = event(at, action, Some(officer.id), client, rid, Outcome::Success);
    e.subject = Some(app.user_id);
    e.object = Some(format!("application:{}", app.id));
    Effects::audit(e)
}

fn conflict(detail: &str) -> Response {
    Problem::new(
        StatusCode::CONFLICT,
        "application_changed",
        "Заявление изменилось",
        detail,
        "Откройте заявление заново: на странице его текущий статус.",
    )
    .into_response()
}

/// `POST /officer/applications/{id}/take`: "Взять в работу".
pub(crate) async fn take(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    let rid = request_id(&headers);
    let (session, user) = match officer(user, &format!("/officer/applications/{id}")) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    if !csrf_ok(&session, &f.csrf) {
        return Problem::for_status(StatusCode::FORBIDDEN).into_response();
    }
    let (app, _) = match in_agency(&s, &user, &id, &client, &rid).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let now = s.clock.now();
    // A sent application not yet picked up by the checks moves on; one under review stays.
    let to = match app.status {
        Status::Created => match app.status.apply(&Action::StartReview, Actor::Officer) {
            Ok(to) => to,
            Err(e) => return conflict(&e.to_string()),
        },
        Status::UnderReview => Status::UnderReview,
        other => return conflict(&format!("Заявление в статусе «{}» нельзя взять в работу.", other.title())),
    };
    let comment = format!("Взято в работу: {}", user.profile.full_name());
    let mut change = StatusChange::new(app.status, to, now, "officer", &comment, vec![]);
    change.assignee = Some(user.id);
    // From whoever held it as read: two officers taking it at once do not both win.
    change.assignee_was = Some(app.assignee);
    let fx = audit_for("application.taken", &user, &app, &client, &rid, now);
    match review::apply(s.store.as_ref(), &s.catalogue, &app, &change, fx).await {
        Ok(()) => Redirect::to(&format!("/officer/applications/{}", app.id)).into_response(),
        Err(sep_core::StoreError::Conflict { .. }) => conflict("Статус заявления изменился, пока вы его открывали."),
        Err(e) => internal(&e),
    }
}

/// `POST /officer/applications/{id}/decide`: approve, reject or ask for more data. The body
/// is read as pairs because `reason` repeats (one per ticked box).
pub(crate) async fn decide(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let rid = request_id(&headers);
    let (session, user) = match officer(user, &format!("/officer/applications/{id}")) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    let value = |k: &str| pairs.iter().find(|(n, _)| n == k).map_or("", |(_, v)| v.as_str());
    if !csrf_ok(&session, value("csrf")) {
        return Problem::for_status(StatusCode::FORBIDDEN).into_response();
    }
    let (app, service) = match in_agency(&s, &user, &id, &client, &rid).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    if app.assignee != Some(user.id) {
        return conflict("Решение принимает сотрудник, взявший заявление в работу. Сначала нажмите «Взять в работу».");
    }
    let comment = value("comment").trim().chars().take(2000).collect::<String>();
    let reasons: Vec<Reason> = pairs
        .iter()
        .filter(|(n, _)| n == "reason")
        .filter_map(|(_, code)| service.reasons.iter().find(|r| &r.code == code))
        .map(|r| Reason { code: r.code.clone(), text: r.text.clone() })
        .collect();
    let action = match value("decision") {
        "approve" => Action::Approve,
        "reject" => Action::Reject(reasons),
        "request_info" => Action::RequestInfo(reasons),
        _ => {
            let page = application_page(
                &s,
                &user,
                &session.csrf_secret,
                &app,
                &service,
                Some(crate::i18n::tr("Выберите решение.").into()),
            )
            .await;
            return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
        }
    };
    let to = match app.status.apply(&action, Actor::Officer) {
        Ok(to) => to,
        Err(e) if e.code() == "status_reason_required" => {
            let msg = format!("{} ({})", e, e.code());
            let page = application_page(&s, &user, &session.csrf_secret, &app, &service, Some(msg)).await;
            return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
        }
        Err(e) => return conflict(&e.to_string()),
    };
    let now = s.clock.now();
    let reasons = match action {
        Action::Reject(r) | Action::RequestInfo(r) => r,
        _ => vec![],
    };
    let default = match to {
        Status::Approved => "Заявление одобрено",
        Status::Rejected => "Заявление отклонено",
        _ => "Нужны дополнительные сведения",
    };
    let text = if comment.is_empty() { default.to_owned() } else { comment };
    if to == Status::Approved && service.registry_checks && app.checks_passed_at.is_none() {
        return Problem::new(
            StatusCode::CONFLICT,
            "checks_pending",
            "Проверки по реестрам ещё не пройдены",
            "Одобрить заявление можно после автоматических проверок ФНС, СФР и МВД: они ещё идут или ждут ответа реестра.",
            "Подождите и откройте заявление снова; отклонить или запросить сведения можно и сейчас.",
        )
        .into_response();
    }
    let mut change = StatusChange::new(app.status, to, now, "officer", &text, reasons);
    // Still this officer's when written, not only when read.
    change.assignee_was = Some(Some(user.id));
    let mut fx = audit_for(&format!("application.{}", to.code()), &user, &app, &client, &rid, now);
    if to == Status::Approved {
        fx = fx.with_job(review::complete_job(app.id, now));
    }
    match review::apply(s.store.as_ref(), &s.catalogue, &app, &change, fx).await {
        Ok(()) => Redirect::to(&format!("/officer/applications/{}", app.id)).into_response(),
        Err(sep_core::StoreError::Conflict { .. }) => {
            conflict("Статус заявления изменился, пока вы принимали решение.")
        }
        Err(e) => internal(&e),
    }
}
