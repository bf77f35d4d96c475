//! An application's form (SPEC A2, R1, R2, R8): a new draft from a service page, pre-filled
//! from the Госуслуги data; the form with its documents, contacts, journal and thread; and
//! saving what was typed, in the background as one types or with the button.

use super::views::FindingView;
use crate::AppState;
use crate::error::Page;
use crate::extract::{CsrfForm, Ctx, Editable, Owned, SignedIn};
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::{journal, newest_notice, render, ru_date, thread};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use sep_core::application::access::Viewer;
use sep_core::application::contacts::{Note, states};
use sep_core::application::record::Application;
use sep_core::application::status::{Allowed, Status};
use sep_core::application::{draft, submit};
use sep_core::catalogue::Service;
use serde::Deserialize;
use std::collections::HashMap;

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

#[derive(Template)]
#[template(path = "applications/form.html")]
struct FormPage {
    documents: Vec<super::views::DocView>,
    id: String,
    service_title: String,
    applicant: &'static str,
    status: &'static str,
    tone: &'static str,
    saved: bool,
    errors: Vec<FindingView>,
    sections: Vec<SectionView>,
    csrf: String,
    contacts: Vec<super::views::ContactView>,
    contact_note: Option<(&'static str, bool, &'static str)>,
    number: String,
    due: String,
    editable: bool,
    sendable: bool,
    activated: bool,
    /// The reasons of the last rejection or request, while the applicant has to act on them.
    to_fix: Vec<(String, String)>,
    /// What the officer (or the check) said with it.
    fix_comment: String,
    events: Vec<journal::EventView>,
    messages: Vec<thread::MessageView>,
    can_message: bool,
    can_withdraw: bool,
    /// The newest notification id, where live updates start.
    newest: i64,
}

/// What the form shows besides the fields.
struct FormExtras {
    saved: bool,
    contacts: Vec<super::views::ContactView>,
    contact_note: Option<(&'static str, bool, &'static str)>,
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
    errors: Vec<FindingView>,
) -> Page {
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
        documents: super::views::documents(service, app.applicant_type, attached),
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
        due: ru_date(app.due_on),
        editable: app.status.allowed().contains(&Allowed::Edit),
        sendable: app.status.allowed().contains(&Allowed::Send),
        activated: app.status == Status::Completed && service.activates_account,
        to_fix: decision
            .map(|e| e.reasons.iter().map(|r| (r.code.clone(), tr_dyn(&r.text))).collect())
            .unwrap_or_default(),
        fix_comment: decision.map(|e| e.comment.clone()).unwrap_or_default(),
        events: journal::views(&extras.events),
        messages: thread::views(&extras.messages, Viewer::Applicant),
        can_message: app.status.allowed().contains(&Allowed::Message),
        can_withdraw: app.status.allowed().contains(&Allowed::Withdraw),
        newest: extras.newest,
    })
}

#[derive(Deserialize)]
pub(crate) struct Start {
    #[serde(default)]
    service: String,
    #[serde(default)]
    applicant: String,
}

/// `POST /applications`: a new draft of a service, pre-filled from the profile.
pub(crate) async fn create(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<Start>,
) -> Page {
    let started =
        draft::start(s.store.as_ref(), &s.catalogue, &user, &f.service, &f.applicant, &ctx.origin(), s.clock.now())
            .await;
    match started {
        Ok(app) => Ok(Redirect::to(&format!("/applications/{}", app.id)).into_response()),
        Err(e @ sep_core::application::ActionError::ApplicantTypeRequired) => {
            let back = format!("/services/{}", f.service);
            Err(crate::error::action_problem(&e).retry(&back, "К услуге").into())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(crate) struct Saved {
    saved: Option<String>,
    contact: Option<String>,
}

/// `GET /applications/{id}`.
pub(crate) async fn show(State(s): State<AppState>, owned: Owned, ctx: Ctx, Query(q): Query<Saved>) -> Page {
    let Owned { session, user, app, service } = owned;
    // The agency's messages are read now: its read receipt in the mailbox.
    let own = sep_core::mail::Party::Person(user.id);
    sep_core::application::thread::seen(s.store.as_ref(), &own, &app, &user, &ctx.origin(), s.clock.now()).await?;
    // Only invalid values are flagged while filling in; missing ones wait for the check page.
    let found = submit::form_findings(&service, &app, &user, &[]);
    let errors = super::views::findings(&found.into_iter().filter(|f| !f.waits_for_check()).collect::<Vec<_>>());
    let attached = s.store.list_attachments(app.id).await?;
    let confirmations = s.store.list_contact_confirmations(app.id).await?;
    let extras = FormExtras {
        events: s.store.list_application_events(app.id).await?,
        messages: s.store.list_messages(app.id).await?,
        newest: newest_notice(&s, &user).await?,
        saved: q.saved.is_some(),
        contacts: super::views::contacts(states(&app, &user, &confirmations)),
        contact_note: q.contact.as_deref().and_then(Note::from_code).map(|n| (tr(n.text()), n.is_error(), n.code())),
    };
    form_page(&app, &service, &attached, &session.csrf_secret, extras, errors)
}

/// `POST /applications/{id}`: saves what was typed, valid or not (R8). The page's background
/// save (`assets/draft.js`, `x-sep-autosave`) is answered 204.
pub(crate) async fn save(
    State(s): State<AppState>,
    Editable(owned): Editable,
    ctx: crate::extract::Ctx,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Page {
    draft::save(s.store.as_ref(), &owned.app, &owned.service, &form, &ctx.origin(), s.clock.now()).await?;
    if headers.contains_key("x-sep-autosave") {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(Redirect::to(&format!("/applications/{}?saved=1", owned.app.id)).into_response())
}
