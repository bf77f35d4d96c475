//! «Проверка заявления» and «Отправить заявление» (SPEC R1–R4, R6): every finding that stops
//! sending, with a link to its place on the form; consent; and the sending, which gives a
//! number and a deadline and starts the registry checks (`sep_core::application::submit`).

use super::views::{FindingView, findings};
use crate::AppState;
use crate::error::Page;
use crate::extract::{CsrfForm, Ctx, Owned};
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::{newest_notice, render, ru_date};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use sep_core::application::ActionError;
use sep_core::application::record::Application;
use sep_core::application::submit::{self, CONSENT_VERSION};
use sep_core::catalogue::Service;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "applications/check.html")]
struct CheckPage {
    id: String,
    service_title: String,
    applicant: &'static str,
    errors: Vec<FindingView>,
    rows: Vec<(String, String, String)>,
    csrf: String,
    consent_version: &'static str,
    consent_missing: bool,
}

fn check_page(
    app: &Application,
    service: &Service,
    errors: Vec<FindingView>,
    csrf: &str,
    consent_missing: bool,
) -> Page {
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
    Ok((status, render(&page)?).into_response())
}

/// `GET /applications/{id}/check`: "Проверка заявления".
pub(crate) async fn check(State(s): State<AppState>, o: Owned) -> Page {
    let found = submit::findings(s.store.as_ref(), &o.service, &o.app, &o.user).await?;
    check_page(&o.app, &o.service, findings(&found), &o.session.csrf_secret, false)
}

#[derive(Deserialize)]
pub(crate) struct SubmitForm {
    consent: Option<String>,
}

#[derive(Template)]
#[template(path = "applications/done.html")]
struct DonePage {
    id: String,
    newest: i64,
    number: String,
    status: &'static str,
    tone: &'static str,
    due: String,
}

/// `POST /applications/{id}/submit`: "Отправить заявление". What still stops it, or missing
/// consent, brings the check page back; a save made meanwhile sends the person to check again.
pub(crate) async fn submit(State(s): State<AppState>, o: Owned, ctx: Ctx, CsrfForm(f): CsrfForm<SubmitForm>) -> Page {
    let consent = f.consent.as_deref() == Some("yes");
    let sent = submit::submit(
        s.store.as_ref(),
        &s.catalogue,
        &o.service,
        &o.app,
        &o.user,
        consent,
        &ctx.origin(),
        s.clock.now(),
    )
    .await;
    let sent = match sent {
        Ok(sent) => sent,
        Err(ActionError::Incomplete(found)) => {
            return check_page(&o.app, &o.service, findings(&found), &o.session.csrf_secret, false);
        }
        Err(ActionError::ConsentRequired) => {
            return check_page(&o.app, &o.service, vec![], &o.session.csrf_secret, true);
        }
        Err(ActionError::Changed) => {
            return Ok(Redirect::to(&format!("/applications/{}/check", o.app.id)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    // The page follows the status live from here (the submission's own notice is the newest).
    render(&DonePage {
        id: o.app.id.to_string(),
        number: sent.number,
        status: tr(sent.status.title()),
        tone: sent.status.tone(),
        due: ru_date(Some(sent.due_on)),
        newest: newest_notice(&s, &o.user).await?,
    })
}
