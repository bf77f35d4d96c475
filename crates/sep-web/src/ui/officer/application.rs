//! `/officer/applications/{id}` (SPEC A3): an application of the officer's agency with its
//! data, documents, journal and thread; «Взять в работу» and the decisions, whose rules are
//! `sep_core::application::decide`.

use crate::AppState;
use crate::error::Page;
use crate::extract::{CsrfForm, Ctx, InAgency};
use crate::ui::components::{file_size, journal, moscow, render, ru_date, thread};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use sep_core::application::ActionError;
use sep_core::application::access::Viewer;
use sep_core::application::decide;
use sep_core::application::status::{Status, TransitionError};

#[derive(Template)]
#[template(path = "officer/application.html")]
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
    events: Vec<journal::EventView>,
    messages: Vec<thread::MessageView>,
    can_message: bool,
    reasons: Vec<(String, String)>,
    mine: bool,
    can_take: bool,
    can_decide: bool,
    /// Issued documents.
    issued: Vec<IssuedView>,
    /// Whether the officer may issue a result document now.
    can_issue: bool,
    /// The applicant's signature of the application, checked now against the application as
    /// it is: owner, signing time, verdict title, verdict code.
    applicant_signature: Option<(String, String, &'static str, &'static str)>,
    /// Whether the service asks for the applicant's signature.
    signature_required: bool,
    csrf: String,
    error: Option<String>,
}

/// An issued document on the officer's page.
struct IssuedView {
    id: String,
    number: String,
    file_name: String,
    at: String,
    check: String,
    /// When it was annulled.
    annulled: Option<String>,
}

/// The application as its officer sees it, with `error` (the refused decision) shown above
/// the decision form.
async fn application_page(s: &AppState, v: &InAgency, error: Option<String>) -> Page {
    let (user, csrf, app, service) = (&v.officer.user, &v.officer.session.csrf_secret, &v.app, &v.service);
    let events = s.store.list_application_events(app.id).await?;
    let files = s.store.list_attachments(app.id).await?;
    let messages = s.store.list_messages(app.id).await?;
    let issued = s.store.list_issued_documents(app.id).await?;
    let applicant_signature = applicant_signature(s, app, &files).await?;
    let mine = app.assignee == Some(user.id);
    let page = ApplicationPage {
        id: app.id.to_string(),
        number: app.number.clone().unwrap_or_else(|| "—".into()),
        service_title: crate::i18n::tr_dyn(&service.title),
        applicant: super::queue::applicant_name(app),
        kind: crate::i18n::tr(app.applicant_type.title()),
        status: crate::i18n::tr(app.status.title()),
        tone: app.status.tone(),
        due: ru_date(app.due_on),
        overdue: sep_core::application::queue::overdue(app, s.clock.now().date()),
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
                (crate::i18n::tr_dyn(doc), href, f.file_name.clone(), file_size(f.size))
            })
            .collect(),
        events: journal::views(&events),
        messages: thread::views(&messages, Viewer::Officer),
        can_message: true,
        reasons: service.reasons.iter().map(|r| (r.code.clone(), r.text.clone())).collect(),
        mine,
        can_take: matches!(app.status, Status::Created | Status::UnderReview) && !mine,
        can_decide: app.status == Status::UnderReview && mine,
        issued: issued
            .iter()
            .map(|d| IssuedView {
                id: d.id.to_string(),
                number: d.number.clone(),
                file_name: d.file.file_name.clone(),
                at: moscow(d.issued_at),
                check: d.check_path(),
                annulled: d.annulled_at.map(moscow),
            })
            .collect(),
        can_issue: matches!(app.status, Status::Approved | Status::Completed) && mine && s.cloud.is_some(),
        applicant_signature,
        signature_required: service.signature == sep_core::catalogue::SignatureRule::Required,
        csrf: csrf.to_owned(),
        error,
    };
    render(&page)
}

/// The applicant's newest signature of the application, checked now against the statement
/// as it is (so a change after signing shows as `signature_mismatch`).
async fn applicant_signature(
    s: &AppState,
    app: &sep_core::application::record::Application,
    files: &[sep_core::application::record::Attachment],
) -> Result<Option<(String, String, &'static str, &'static str)>, crate::error::WebError> {
    use sep_core::application::statement;
    let key = statement::key(app);
    let all = s.store.list_signatures_of_user(app.user_id).await?;
    let Some(newest) = all.iter().rev().find(|sig| sig.document == key) else { return Ok(None) };
    let (_, der) = s.store.get_signature(newest.id).await?;
    let verdict = s.signatures.check(&statement::statement(app, files), &der, s.clock.now());
    let title = if verdict.is_valid() {
        "Подпись действительна"
    } else {
        "Подпись недействительна"
    };
    let owner = crate::ui::components::signatures::common_name(&newest.signer.subject);
    Ok(Some((owner, moscow(newest.signed_at), title, verdict.code())))
}

/// `GET /officer/applications/{id}`.
pub(crate) async fn show(State(s): State<AppState>, v: InAgency, ctx: Ctx) -> Page {
    // What the applicant wrote is read now: their read receipt in the mailbox.
    let agency = sep_core::mail::Party::Agency(v.service.agency.clone());
    sep_core::application::thread::seen(
        s.store.as_ref(),
        &agency,
        &v.app,
        &v.officer.user,
        &ctx.origin(),
        s.clock.now(),
    )
    .await?;
    application_page(&s, &v, None).await
}

/// `POST /officer/applications/{id}/take`: «Взять в работу».
pub(crate) async fn take(
    State(s): State<AppState>,
    v: InAgency,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    decide::take(s.store.as_ref(), &s.catalogue, &v.app, &v.officer.user, &ctx.origin(), s.clock.now()).await?;
    Ok(Redirect::to(&format!("/officer/applications/{}", v.app.id)).into_response())
}

/// `POST /officer/applications/{id}/decide`: approve, reject or ask for more data. The body
/// is read as pairs because `reason` repeats (one per ticked box). A missing decision or
/// reason comes back on the page with its code; anything else refused is a problem page.
pub(crate) async fn decide(
    State(s): State<AppState>,
    v: InAgency,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Page {
    let value = |k: &str| pairs.iter().find(|(n, _)| n == k).map_or("", |(_, v)| v.as_str());
    let d = decide::Decision {
        decision: value("decision").to_owned(),
        reasons: pairs.iter().filter(|(n, _)| n == "reason").map(|(_, c)| c.clone()).collect(),
        comment: value("comment").to_owned(),
    };
    let decided = decide::decide(
        s.store.as_ref(),
        &s.catalogue,
        &v.service,
        &v.app,
        &v.officer.user,
        &d,
        &ctx.origin(),
        s.clock.now(),
    )
    .await;
    match decided {
        Ok(_) => Ok(Redirect::to(&format!("/officer/applications/{}", v.app.id)).into_response()),
        Err(e @ (ActionError::DecisionRequired | ActionError::Transition(TransitionError::NoReason))) => {
            let msg = format!("{} ({})", crate::i18n::tr_dyn(&e.to_string()), e.code());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, application_page(&s, &v, Some(msg)).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /officer/applications/{id}/issue` (file `file`): «Выдать документ» — the result of an
/// approved application, signed by the agency's key, into the applicant's «Мои документы».
pub(crate) async fn issue(
    State(s): State<AppState>,
    v: InAgency,
    ctx: Ctx,
    crate::extract::CsrfMultipart(form): crate::extract::CsrfMultipart,
) -> Page {
    let Some(authority) = s.cloud.as_deref() else {
        return Err(sep_core::signing::SigningError::Unavailable.into());
    };
    let Some((name, bytes)) = form.file("file") else {
        return Err(ActionError::File(sep_core::application::attachment::UploadError::Empty).into());
    };
    let title = v.service.title.clone();
    sep_core::document::issued::issue(
        s.store.as_ref(),
        s.files.as_ref(),
        authority,
        &v.app,
        &title,
        &v.officer.user,
        (name, bytes),
        &ctx.origin(),
        s.clock.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/officer/applications/{}", v.app.id)).into_response())
}

#[derive(serde::Deserialize)]
pub(crate) struct AnnulForm {
    #[serde(default)]
    reason: String,
}

/// `POST /officer/applications/{id}/issued/{doc}/annul` (`reason`): «Аннулировать».
pub(crate) async fn annul(
    State(s): State<AppState>,
    v: InAgency,
    ctx: Ctx,
    axum::extract::Path((_, doc)): axum::extract::Path<(String, uuid::Uuid)>,
    CsrfForm(form): CsrfForm<AnnulForm>,
) -> Page {
    sep_core::document::issued::annul(
        s.store.as_ref(),
        &v.app,
        &v.officer.user,
        doc,
        &form.reason,
        &ctx.origin(),
        s.clock.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/officer/applications/{}", v.app.id)).into_response())
}
