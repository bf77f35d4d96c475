//! Applications from the catalogue (SPEC A2, R1–R8): start from a service page, a form
//! pre-filled from the Госуслуги data that saves as a draft, "Проверка заявления" naming every
//! missing, invalid or mismatching field with a link to it, consent, and "Отправить
//! заявление" giving a number and a deadline in working days. Only the owner sees an
//! application; anyone else gets "not found", journaled.

use super::account::signed_in_with_terms as signed_in;
use super::render;
use crate::client::Client;
use crate::i18n::{tr, tr_dyn};
use crate::session::{CurrentUser, csrf_ok, event};
use crate::{AppState, Problem};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sep_core::application::calendar::WorkCalendar;
use sep_core::application::record::{Application, ApplicationId, StatusChange, format_number};
use sep_core::application::review;
use sep_core::application::status::{Action, Actor, Allowed, Status};
use sep_core::audit::Outcome;
use sep_core::catalogue::{ApplicantType, Service};
use sep_core::store::Effects;
use sep_core::user::User;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// The version of the consent text (R4), recorded with the submission.
pub const CONSENT_VERSION: &str = "pd-2026-11";

/// Characters kept of one typed value (the longest field allows 4000).
const MAX_TYPED: usize = 10_000;

use crate::middleware::request_id_of as request_id;

/// The application was sent (or decided) and its data no longer change.
fn not_editable(status: Status) -> Response {
    Problem::new(
        StatusCode::CONFLICT,
        "application_not_editable",
        "Заявление нельзя изменить",
        &format!("Заявление в статусе «{}» не редактируется.", status.title()),
        "Дождитесь решения или напишите оператору.",
    )
    .into_response()
}

fn internal(e: &sep_core::StoreError) -> Response {
    tracing::error!(code = e.code(), error = %e, "applications storage failed");
    Problem::internal().into_response()
}

/// The application if `user` owns it; "not found" (and a journal record) otherwise.
pub(crate) async fn owned(
    s: &AppState,
    user: &User,
    id: &str,
    client: &Client,
    rid: &str,
) -> Result<(Application, Service), Response> {
    let app = super::access::find(s, id).await?;
    if app.user_id != user.id {
        return Err(super::access::denied(s, user, &app, client, rid).await);
    }
    let Some(service) = s.catalogue.get(&app.service).cloned() else {
        return Err(Problem::not_found().into_response());
    };
    Ok((app, service))
}

/// Values from the Госуслуги profile for the form (R2).
fn prefill(user: &User) -> BTreeMap<String, String> {
    let p = &user.profile;
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            m.insert(k.to_owned(), v);
        }
    };
    put("last_name", Some(p.last_name.clone()));
    put("first_name", Some(p.first_name.clone()));
    put("middle_name", p.middle_name.clone());
    put("birth_date", p.birth_date.map(|d| d.to_string()));
    put("birth_place", p.birth_place.clone());
    put("snils", p.snils.as_ref().map(ToString::to_string));
    put("inn", p.inn.as_ref().map(ToString::to_string));
    put("phone", p.phone.as_ref().map(ToString::to_string));
    put("email", p.email.as_ref().map(ToString::to_string));
    put("address", p.address.clone());
    if let Some(pp) = &p.passport {
        put("passport_series", Some(pp.series.as_str().to_owned()));
        put("passport_number", Some(pp.number.as_str().to_owned()));
        put("passport_issued_on", Some(pp.issued_on.to_string()));
        put("passport_issuer", Some(pp.issuer.clone()));
        put("passport_division_code", Some(pp.division_code.to_string()));
    }
    m
}

/// Every field's and document's problem: `(anchor, message, code)`.
fn problems(
    service: &Service,
    t: ApplicantType,
    data: &BTreeMap<String, String>,
    user: &User,
    attached: &[sep_core::application::record::Attachment],
) -> Vec<(String, String, &'static str)> {
    let mut out = Vec::new();
    for d in service.documents.iter().filter(|d| d.applicants.contains(&t)) {
        if !attached.iter().any(|a| a.document == d.code) {
            out.push((
                format!("doc-{}", d.code),
                tr_dyn(&format!("Приложите документ: {}", d.title)),
                "document_missing",
            ));
        }
    }
    for f in service.fields_for(t) {
        let v = data.get(&f.name).map_or("", String::as_str);
        if let Err(e) = f.check(v) {
            out.push((f.name.clone(), format!("{}: {}", tr_dyn(&f.label), tr_dyn(&e.to_string())), e.code()));
        }
    }
    // Named mismatches with the confirmed Госуслуги data (R2).
    let p = &user.profile;
    let typed = |k: &str| data.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let fio = format!("{} {} {}", typed("last_name"), typed("first_name"), typed("middle_name"));
    let known = format!("{} {} {}", p.last_name, p.first_name, p.middle_name.clone().unwrap_or_default());
    if !p.last_name.is_empty()
        && fio.split_whitespace().collect::<Vec<_>>() != known.split_whitespace().collect::<Vec<_>>()
    {
        out.push(("last_name".into(), tr("Ошибка: несовпадение ФИО с данными Госуслуг").into(), "mismatch_fio"));
    }
    let same = |k: &str, known: Option<String>, kind: sep_core::catalogue::field::FieldKind| {
        let Some(known) = known else { return true };
        kind.normalise(&typed(k)).map(|v| v == known).unwrap_or(true)
    };
    use sep_core::catalogue::field::FieldKind as K;
    if !same("snils", p.snils.as_ref().map(ToString::to_string), K::Snils) {
        out.push(("snils".into(), tr("Ошибка: несовпадение СНИЛС с данными Госуслуг").into(), "mismatch_snils"));
    }
    if !same("inn", p.inn.as_ref().map(ToString::to_string), K::InnPerson) {
        out.push(("inn".into(), tr("Ошибка: несовпадение ИНН с данными Госуслуг").into(), "mismatch_inn"));
    }
    if !same("birth_date", p.birth_date.map(|d| d.to_string()), K::Date) {
        out.push((
            "birth_date".into(),
            tr("Ошибка: несовпадение даты рождения с данными Госуслуг").into(),
            "mismatch_birth_date",
        ));
    }
    out
}

struct FieldView {
    name: String,
    label: String,
    hint: Option<String>,
    required: bool,
    textarea: bool,
    value: String,
    error: Option<String>,
}

struct SectionView {
    title: String,
    fields: Vec<FieldView>,
}

/// A required document with what was uploaded for it.
struct DocView {
    code: String,
    title: String,
    rules: String,
    /// Link, name, size.
    files: Vec<(String, String, String)>,
}

fn documents(
    service: &Service,
    t: ApplicantType,
    attached: &[sep_core::application::record::Attachment],
) -> Vec<DocView> {
    service
        .documents
        .iter()
        .filter(|d| d.applicants.contains(&t))
        .map(|d| {
            let formats: Vec<&str> = d
                .formats
                .iter()
                .map(|f| match f {
                    sep_core::catalogue::Format::Pdf => "PDF",
                    sep_core::catalogue::Format::Jpeg => "JPEG",
                    sep_core::catalogue::Format::Png => "PNG",
                })
                .collect();
            DocView {
                code: d.code.clone(),
                title: tr_dyn(&d.title),
                rules: format!("{}, {}", formats.join(", "), tr_dyn(&format!("до {} МБ", d.max_mb))),
                files: attached
                    .iter()
                    .filter(|a| a.document == d.code)
                    .map(|a| {
                        let href = format!("/applications/{}/attachments/{}", a.application_id, a.id);
                        (href, a.file_name.clone(), super::file_size(a.size))
                    })
                    .collect(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "application_form.html")]
struct FormPage {
    documents: Vec<DocView>,
    id: String,
    service_title: String,
    applicant: &'static str,
    status: &'static str,
    tone: &'static str,
    saved: bool,
    errors: Vec<(String, String, &'static str)>,
    sections: Vec<SectionView>,
    csrf: String,
    contacts: Vec<super::contacts::ContactView>,
    contact_note: Option<(&'static str, bool)>,
    number: String,
    due: String,
    editable: bool,
    sendable: bool,
    activated: bool,
    /// The reasons of the last rejection or request, while the applicant has to act on them.
    to_fix: Vec<(String, String)>,
    /// What the officer (or the check) said with it.
    fix_comment: String,
    events: Vec<super::journal::EventView>,
    messages: Vec<super::messages::MessageView>,
    can_message: bool,
    can_withdraw: bool,
    /// The newest notification id, where live updates start.
    newest: i64,
}

/// What the form shows besides the fields.
struct FormExtras {
    saved: bool,
    contacts: Vec<super::contacts::ContactView>,
    contact_note: Option<(&'static str, bool)>,
    events: Vec<sep_core::application::record::ApplicationEvent>,
    messages: Vec<sep_core::application::record::Message>,
    newest: i64,
}

fn form_page(
    app: &Application,
    service: &Service,
    attached: &[sep_core::application::record::Attachment],
    csrf: &str,
    extras: FormExtras,
    errors: Vec<(String, String, &'static str)>,
) -> Response {
    let field_error = |name: &str| errors.iter().find(|e| e.0 == name).map(|e| e.1.clone());
    let sections = service
        .sections
        .iter()
        .filter(|s| s.applicants.contains(&app.applicant_type))
        .map(|s| SectionView {
            title: tr_dyn(&s.title),
            fields: s
                .fields
                .iter()
                .map(|f| FieldView {
                    name: f.name.clone(),
                    label: tr_dyn(&f.label),
                    hint: f.hint.as_deref().map(tr_dyn),
                    required: f.required,
                    textarea: f.kind == sep_core::catalogue::field::FieldKind::Textarea,
                    value: app.data.get(&f.name).cloned().unwrap_or_default(),
                    error: field_error(&f.name),
                })
                .collect(),
        })
        .collect();
    // The rejection or request the applicant has to act on now.
    let decision = matches!(app.status, Status::Rejected | Status::NeedsInfo)
        .then(|| extras.events.iter().rev().find(|e| e.to == app.status))
        .flatten();
    render(&FormPage {
        documents: documents(service, app.applicant_type, attached),
        id: app.id.to_string(),
        service_title: tr_dyn(&service.title),
        applicant: tr(app.applicant_type.title()),
        status: tr(app.status.title()),
        tone: app.status.tone(),
        saved: extras.saved,
        errors,
        sections,
        csrf: csrf.to_owned(),
        contacts: extras.contacts,
        contact_note: extras.contact_note,
        number: app.number.clone().unwrap_or_else(|| "—".into()),
        due: super::ru_date(app.due_on),
        editable: app.status.allowed().contains(&Allowed::Edit),
        sendable: app.status.allowed().contains(&Allowed::Send),
        activated: app.status == Status::Completed && service.activates_account,
        to_fix: decision
            .map(|e| e.reasons.iter().map(|r| (r.code.clone(), tr_dyn(&r.text))).collect())
            .unwrap_or_default(),
        fix_comment: decision.map(|e| e.comment.clone()).unwrap_or_default(),
        events: super::journal::views(&extras.events),
        messages: super::messages::views(&extras.messages, super::messages::Viewer::Applicant),
        can_message: app.status.allowed().contains(&Allowed::Message),
        can_withdraw: app.status.allowed().contains(&Allowed::Withdraw),
        newest: extras.newest,
    })
}

#[derive(Deserialize)]
pub(crate) struct Start {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    applicant: String,
}

/// `POST /applications`: a new draft of a service, pre-filled from the profile.
pub(crate) async fn create(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Form(f): Form<Start>,
) -> Response {
    let (session, user) = match signed_in(user, "/services") {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    if !csrf_ok(&session, &f.csrf) {
        return Problem::for_status(StatusCode::FORBIDDEN).into_response();
    }
    let Some(service) = s.catalogue.get(&f.service) else { return Problem::not_found().into_response() };
    let Some(kind) =
        sep_core::application::record::applicant_from_code(&f.applicant).filter(|k| service.applicants.contains(k))
    else {
        let p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "applicant_type_required",
            "Выберите, кто подаёт заявление",
            "Для этой услуги нужно указать тип заявителя.",
            "Вернитесь на страницу услуги и выберите физическое лицо, ИП или организацию.",
        );
        return p.retry(&format!("/services/{}", service.code), "К услуге").into_response();
    };
    let now = s.clock.now();
    let app = Application {
        id: ApplicationId::new(),
        number: None,
        user_id: user.id,
        service: service.code.clone(),
        applicant_type: kind,
        status: Status::Draft,
        data: prefill(&user),
        consent: None,
        due_on: None,
        created_at: now,
        updated_at: now,
        submitted_at: None,
        assignee: None,
        checks_passed_at: None,
    };
    let mut e = event(now, "application.created", Some(user.id), &client, &request_id(&headers), Outcome::Success);
    e.object = Some(format!("application:{}", app.id));
    if let Err(err) = s.store.insert_application(&app, &Effects::audit(e)).await {
        return internal(&err);
    }
    Redirect::to(&format!("/applications/{}", app.id)).into_response()
}

#[derive(Deserialize)]
pub(crate) struct Saved {
    saved: Option<String>,
    contact: Option<String>,
}

/// `GET /applications/{id}`.
pub(crate) async fn show(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<Saved>,
) -> Response {
    let (session, user) = match signed_in(user, &format!("/applications/{id}")) {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    let (app, service) = match owned(&s, &user, &id, &client, &request_id(&headers)).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    // Only invalid values are flagged while filling in; missing ones wait for the check page.
    let errors = problems(&service, app.applicant_type, &app.data, &user, &[])
        .into_iter()
        .filter(|e| e.2 != "field_required" && e.2 != "document_missing" && !e.2.starts_with("mismatch_"))
        .collect();
    let attached = match s.store.list_attachments(app.id).await {
        Ok(a) => a,
        Err(e) => return internal(&e),
    };
    let confirmations = match s.store.list_contact_confirmations(app.id).await {
        Ok(c) => c,
        Err(e) => return internal(&e),
    };
    let events = match s.store.list_application_events(app.id).await {
        Ok(e) => e,
        Err(e) => return internal(&e),
    };
    let messages = match s.store.list_messages(app.id).await {
        Ok(m) => m,
        Err(e) => return internal(&e),
    };
    let newest = match super::access::newest_notice(&s, &user).await {
        Ok(n) => n,
        Err(res) => return res,
    };
    let extras = FormExtras {
        events,
        messages,
        newest,
        saved: q.saved.is_some(),
        contacts: super::contacts::views(&app, &user, &confirmations),
        contact_note: q.contact.as_deref().and_then(super::contacts::note).map(|(text, error)| (tr(text), error)),
    };
    form_page(&app, &service, &attached, &session.csrf_secret, extras, errors)
}

/// `POST /applications/{id}`: saves what was typed, valid or not (R8).
pub(crate) async fn save(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let background = headers.contains_key("x-sep-autosave");
    let (session, user) = match signed_in(user, &format!("/applications/{id}")) {
        Ok(found) => found,
        // A background save never starts a login: it would run beside the page's own and
        // replace its login cookie. The page says the draft was not saved.
        Err(_) if background => return StatusCode::UNAUTHORIZED.into_response(),
        Err(to) => return to.into_response(),
    };
    if !csrf_ok(&session, form.get("csrf").map_or("", String::as_str)) {
        return Problem::for_status(StatusCode::FORBIDDEN).into_response();
    }
    let (app, service) = match owned(&s, &user, &id, &client, &request_id(&headers)).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    if !app.status.allowed().contains(&Allowed::Edit) {
        return not_editable(app.status);
    }
    let mut data = app.data.clone();
    for f in service.fields_for(app.applicant_type) {
        if let Some(v) = form.get(&f.name) {
            // Kept beyond the field's limit so the check page can name it; only a runaway
            // value is cut.
            data.insert(f.name.clone(), v.chars().take(MAX_TYPED).collect());
        }
    }
    match s.store.update_application_data(app.id, &data, s.clock.now()).await {
        Ok(()) => {}
        Err(sep_core::StoreError::Conflict { .. }) => return not_editable(app.status),
        Err(e) => return internal(&e),
    }
    // The page's background save (draft.js) needs no page back.
    if background {
        return StatusCode::NO_CONTENT.into_response();
    }
    Redirect::to(&format!("/applications/{}?saved=1", app.id)).into_response()
}

#[derive(Template)]
#[template(path = "application_check.html")]
struct CheckPage {
    id: String,
    service_title: String,
    applicant: &'static str,
    errors: Vec<(String, String, &'static str)>,
    rows: Vec<(String, String, String)>,
    csrf: String,
    consent_version: &'static str,
    consent_missing: bool,
}

/// Everything that stops sending: fields, documents, mismatches and unconfirmed contacts.
async fn blocking_problems(
    s: &AppState,
    app: &Application,
    service: &Service,
    user: &User,
) -> Result<Vec<(String, String, &'static str)>, Response> {
    let attached = s.store.list_attachments(app.id).await.map_err(|e| internal(&e))?;
    let confirmations = s.store.list_contact_confirmations(app.id).await.map_err(|e| internal(&e))?;
    let mut errors = problems(service, app.applicant_type, &app.data, user, &attached);
    errors.extend(super::contacts::problems(app, user, &confirmations));
    Ok(errors)
}

fn check_page(
    app: &Application,
    service: &Service,
    errors: Vec<(String, String, &'static str)>,
    csrf: &str,
    consent_missing: bool,
) -> Response {
    let rows = service
        .fields_for(app.applicant_type)
        .map(|f| {
            let v = app.data.get(&f.name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
            (tr_dyn(&f.label), v.unwrap_or_else(|| tr("не заполнено").into()), f.name.clone())
        })
        .collect();
    let status = if consent_missing { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = CheckPage {
        id: app.id.to_string(),
        service_title: tr_dyn(&service.title),
        applicant: tr(app.applicant_type.title()),
        errors,
        rows,
        csrf: csrf.to_owned(),
        consent_version: CONSENT_VERSION,
        consent_missing,
    };
    (status, render(&page)).into_response()
}

/// `GET /applications/{id}/check`: "Проверка заявления".
pub(crate) async fn check(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (session, user) = match signed_in(user, &format!("/applications/{id}/check")) {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    let (app, service) = match owned(&s, &user, &id, &client, &request_id(&headers)).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    match blocking_problems(&s, &app, &service, &user).await {
        Ok(errors) => check_page(&app, &service, errors, &session.csrf_secret, false),
        Err(res) => res,
    }
}

#[derive(Deserialize)]
pub(crate) struct SubmitForm {
    #[serde(default)]
    csrf: String,
    consent: Option<String>,
}

#[derive(Template)]
#[template(path = "application_done.html")]
struct DonePage {
    id: String,
    newest: i64,
    number: String,
    status: &'static str,
    tone: &'static str,
    due: String,
}

/// `POST /applications/{id}/submit`: "Отправить заявление".
pub(crate) async fn submit(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<SubmitForm>,
) -> Response {
    let rid = request_id(&headers);
    let (session, user) = match signed_in(user, &format!("/applications/{id}/check")) {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    if !csrf_ok(&session, &f.csrf) {
        return Problem::for_status(StatusCode::FORBIDDEN).into_response();
    }
    let (app, service) = match owned(&s, &user, &id, &client, &rid).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let errors = match blocking_problems(&s, &app, &service, &user).await {
        Ok(errors) => errors,
        Err(res) => return res,
    };
    if !errors.is_empty() {
        return check_page(&app, &service, errors, &session.csrf_secret, false);
    }
    if f.consent.as_deref() != Some("yes") {
        return check_page(&app, &service, errors, &session.csrf_secret, true);
    }
    let action = if app.status == Status::Draft { Action::Submit } else { Action::Resubmit };
    let to = match app.status.apply(&action, Actor::Applicant) {
        Ok(to) => to,
        Err(e) => {
            return Problem::new(
                StatusCode::CONFLICT,
                e.code(),
                "Заявление уже отправлено",
                &e.to_string(),
                "Откройте «Мои заявления».",
            )
            .into_response();
        }
    };
    let now = s.clock.now();
    let number = match &app.number {
        Some(n) => n.clone(),
        None => match s.store.next_application_number(now.year()).await {
            Ok(n) => format_number(now.year(), n),
            Err(e) => return internal(&e),
        },
    };
    let days = service.norm_days.get(&app.applicant_type).copied().unwrap_or(0);
    let due = match WorkCalendar::russian() {
        Ok(c) => c.add_working_days(now.date(), days),
        Err(e) => {
            tracing::error!(error = %e, "calendar data refused");
            return Problem::internal().into_response();
        }
    };
    let mut change = StatusChange::new(app.status, to, now, "applicant", "Заявление отправлено", vec![]);
    change.number = Some(number.clone());
    change.consent = Some((CONSENT_VERSION.to_owned(), now));
    change.due_on = Some(due);
    // What was checked above is what is sent: a save in between makes this refuse.
    change.data_as_of = Some(app.updated_at);
    // The registry checks start in the background, in the same transaction as the sending.
    let fx = Effects::audit({
        let mut e = event(now, "application.submitted", Some(user.id), &client, &rid, Outcome::Success);
        e.object = Some(format!("application:{}", app.id));
        e.details = serde_json::json!({ "number": number, "consent_version": CONSENT_VERSION });
        e
    })
    .with_job(review::check_job(app.id, now));
    match review::apply(s.store.as_ref(), &s.catalogue, &app, &change, fx).await {
        Ok(()) => {}
        Err(sep_core::StoreError::Conflict { .. }) => {
            return Redirect::to(&format!("/applications/{}/check", app.id)).into_response();
        }
        Err(e) => return internal(&e),
    }
    // The page follows the status live from here (the submission's own notice is the newest).
    let newest = match super::access::newest_notice(&s, &user).await {
        Ok(n) => n,
        Err(res) => return res,
    };
    render(&DonePage {
        id: app.id.to_string(),
        number,
        status: tr(to.title()),
        tone: to.tone(),
        due: super::ru_date(Some(due)),
        newest,
    })
}

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
#[template(path = "applications.html")]
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
pub(crate) async fn list(State(s): State<AppState>, user: CurrentUser, Query(q): Query<ListQuery>) -> Response {
    let (_, user) = match signed_in(user, "/applications") {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    let mut apps = match s.store.list_applications_for_user(user.id).await {
        Ok(a) => a,
        Err(e) => return internal(&e),
    };
    let newest = match super::access::newest_notice(&s, &user).await {
        Ok(n) => n,
        Err(res) => return res,
    };
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
