//! «Проверка заявления» and «Отправить заявление» (SPEC R1–R4, R6): every finding that stops
//! sending, with a link to its place on the form; consent; and the sending, which gives a
//! number and a deadline and starts the registry checks (`sep_core::application::submit`);
//! the state fee, where the service has one, is paid from here first (`sep_core::payment::fee`).

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
    /// The signature block, when the service asks for one.
    signing: Option<SigningView>,
    /// The state fee block, when the service has a fee for this applicant.
    fee: Option<FeeView>,
    /// The SMS code block, when the service confirms sending by one.
    sms: Option<SmsView>,
}

/// Sending confirmed by an SMS code, as the check page shows it.
struct SmsView {
    /// The phone the code goes to, masked (`+7 *** ***-**-89`).
    phone: String,
    /// Whether a code was sent (the field to type it is shown).
    sent: bool,
    /// Whether sending is confirmed now.
    confirmed: bool,
}

/// The SMS block of `app`: `None` when its service does not confirm sending by SMS.
async fn sms_view(
    s: &AppState,
    app: &Application,
    service: &Service,
    user: &sep_core::user::User,
) -> Result<Option<SmsView>, crate::error::WebError> {
    use sep_core::application::sms_confirm;
    if !service.confirm_by_sms {
        return Ok(None);
    }
    let all = s.store.list_contact_confirmations(app.id).await?;
    let digits: String = user.profile.phone.as_ref().map(ToString::to_string).unwrap_or_default();
    let tail: String =
        digits.chars().filter(char::is_ascii_digit).rev().take(2).collect::<Vec<_>>().into_iter().rev().collect();
    Ok(Some(SmsView {
        phone: if tail.is_empty() { String::new() } else { format!("+7 *** ***-**-{tail}") },
        sent: sms_confirm::sent(&all),
        confirmed: sms_confirm::confirmed(app, &all, s.clock.now()),
    }))
}

/// The state fee as the check page shows it.
struct FeeView {
    /// What it is called.
    title: String,
    /// What is due, `1 234,56 ₽`.
    amount: String,
    /// `not_issued`, `unpaid`, `paid`, `paid_less`.
    state: &'static str,
    /// The charge's УИН once issued.
    uin: String,
    /// When it was paid (Moscow time).
    paid_at: String,
}

/// The fee block of `app`: `None` when nothing is due for it.
async fn fee_view(
    s: &AppState,
    app: &Application,
    service: &Service,
) -> Result<Option<FeeView>, crate::error::WebError> {
    use sep_core::payment::fee::{self, FeeState};
    let state = fee::state(s.store.as_ref(), service, app).await?;
    let title = service.fee.as_ref().map(|f| tr_dyn(&f.title)).unwrap_or_default();
    let view = |state, amount: sep_core::money::Kopecks, uin: &str, paid_at: String| FeeView {
        title: title.clone(),
        amount: amount.to_string(),
        state,
        uin: uin.to_owned(),
        paid_at,
    };
    Ok(match state {
        FeeState::Free => None,
        FeeState::NotIssued { amount } => Some(view("not_issued", amount, "", String::new())),
        FeeState::Unpaid(f) => Some(view("unpaid", f.charge.amount, f.charge.uin.as_str(), String::new())),
        FeeState::Paid { fee, at } => {
            Some(view("paid", fee.charge.amount, fee.charge.uin.as_str(), crate::ui::components::moscow(at)))
        }
        FeeState::PaidLess { fee, amount } => Some(view("paid_less", amount, fee.charge.uin.as_str(), String::new())),
    })
}

/// The application's signature, as the check page shows it.
struct SigningView {
    /// Who signed the statement as it is now, and when; `None`: not signed yet.
    signed: Option<(String, String)>,
    /// Whether this portal signs with a cloud key.
    can_sign: bool,
}

/// The signature block of `app`: `None` when its service asks for no signature.
async fn signing_view(
    s: &AppState,
    app: &Application,
    service: &Service,
) -> Result<Option<SigningView>, crate::error::WebError> {
    if service.signature != sep_core::catalogue::SignatureRule::Required {
        return Ok(None);
    }
    let current = sep_core::application::statement::current_signature(s.store.as_ref(), app, s.clock.now()).await?;
    let signed = current.map(|(sig, _)| {
        (
            crate::ui::components::signatures::common_name(&sig.signer.subject),
            crate::ui::components::moscow(sig.signed_at),
        )
    });
    Ok(Some(SigningView { signed, can_sign: s.cloud.is_some() }))
}

fn check_page(
    app: &Application,
    service: &Service,
    errors: Vec<FindingView>,
    csrf: &str,
    consent_missing: bool,
    (signing, fee, sms): Blocks,
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
        signing,
        fee,
        sms,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /applications/{id}/check`: "Проверка заявления".
pub(crate) async fn check(State(s): State<AppState>, o: Owned) -> Page {
    let found = submit::findings(s.store.as_ref(), &o.service, &o.app, &o.user, s.clock.now()).await?;
    let blocks = blocks(&s, &o.app, &o.service, &o.user).await?;
    check_page(&o.app, &o.service, findings(&found), &o.session.csrf_secret, false, blocks)
}

/// The signature, fee and SMS code blocks of the check page.
type Blocks = (Option<SigningView>, Option<FeeView>, Option<SmsView>);

/// The blocks of the check page.
async fn blocks(
    s: &AppState,
    app: &Application,
    service: &Service,
    user: &sep_core::user::User,
) -> Result<Blocks, crate::error::WebError> {
    Ok((signing_view(s, app, service).await?, fee_view(s, app, service).await?, sms_view(s, app, service, user).await?))
}

/// `POST /applications/{id}/sms-code`: «Получить код» — a code by SMS that confirms sending.
pub(crate) async fn sms_send(
    State(s): State<AppState>,
    o: Owned,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    sep_core::application::sms_confirm::send(s.store.as_ref(), &o.app, &o.user, &ctx.origin(), s.clock.now()).await?;
    Ok(Redirect::to(&format!("/applications/{}/check#sms-code", o.app.id)).into_response())
}

/// The code typed.
#[derive(Deserialize)]
pub(crate) struct SmsForm {
    #[serde(default)]
    code: String,
}

/// `POST /applications/{id}/sms-code/confirm`: «Подтвердить».
pub(crate) async fn sms_confirm(State(s): State<AppState>, o: Owned, ctx: Ctx, CsrfForm(f): CsrfForm<SmsForm>) -> Page {
    let now = s.clock.now();
    sep_core::application::sms_confirm::confirm(s.store.as_ref(), &o.app, &o.user, &f.code, &ctx.origin(), now).await?;
    Ok(Redirect::to(&format!("/applications/{}/check", o.app.id)).into_response())
}

/// `POST /applications/{id}/fee`: «Оплатить госпошлину» — the fee's charge, issued if it is
/// not yet, then the charge's page with «Оплатить».
pub(crate) async fn fee(
    State(s): State<AppState>,
    e: crate::extract::Editable,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    use sep_core::payment::fee::{self, FeeError};
    let o = e.0;
    let issued =
        fee::issue(s.store.as_ref(), s.charges.as_ref(), &o.service, &o.app, &o.user, &ctx.origin(), s.clock.now())
            .await;
    match issued {
        Ok(f) => Ok(Redirect::to(&format!("/payments/charges/{}", f.charge.uin)).into_response()),
        Err(FeeError::Store(e)) => Err(e.into()),
        Err(e) => {
            let status = match e {
                FeeError::Unavailable(ref cause) => {
                    tracing::warn!(error = %cause, "fee: the charges registry is unavailable");
                    StatusCode::SERVICE_UNAVAILABLE
                }
                FeeError::InProgress | FeeError::AlreadyPaid | FeeError::NotDraft => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            Err(sep_http::Problem::new(status, e.code(), "Госпошлина не начислена", &e.to_string(), e.action()).into())
        }
    }
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
            let blocks = blocks(&s, &o.app, &o.service, &o.user).await?;
            return check_page(&o.app, &o.service, findings(&found), &o.session.csrf_secret, false, blocks);
        }
        Err(ActionError::ConsentRequired) => {
            let blocks = blocks(&s, &o.app, &o.service, &o.user).await?;
            return check_page(&o.app, &o.service, vec![], &o.session.csrf_secret, true, blocks);
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

/// `POST /applications/{id}/sign`: «Подписать заявление» — a code by SMS for the statement
/// (the data and the files' hashes) as it is now, then the page to type it.
pub(crate) async fn sign(
    State(s): State<AppState>,
    e: crate::extract::Editable,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    use sep_core::signing::{SigningError, cloud};
    let o = e.0;
    let authority = s.cloud.as_deref().ok_or(SigningError::Unavailable)?;
    let target = cloud::statement_target(s.store.as_ref(), authority, &o.app).await?;
    let r = cloud::start(s.store.as_ref(), &o.user, target, &ctx.origin(), s.clock.now()).await?;
    Ok(Redirect::to(&format!("/documents/sign/{}", r.id)).into_response())
}

/// `GET /applications/{id}/statement.json`: exactly what the signature covers, for checking
/// it elsewhere (`sep verify`, `openssl cms -verify`).
pub(crate) async fn statement(State(s): State<AppState>, v: crate::extract::Visible, ctx: Ctx) -> Page {
    use sep_core::application::statement;
    super::messages::journal_download(&s, &v, &ctx, "statement").await;
    let attachments = s.store.list_attachments(v.app.id).await?;
    let bytes = statement::statement(&v.app, &attachments);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json".to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", statement::file_name(&v.app)),
            ),
        ],
        bytes,
    )
        .into_response())
}
