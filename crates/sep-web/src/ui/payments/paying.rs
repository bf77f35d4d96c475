//! Paying a charge online (SPEC P2, P3): «Оплатить» starts one attempt and sends the payer to
//! the provider's page; `/payments/result/{id}` asks the provider and shows the outcome (paid,
//! declined with its reason, or not known yet); `/payments/callback` takes the provider's
//! signed report — a bad signature, a stale one or one for no payment of ours is refused, a
//! repeated one changes nothing.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{CsrfForm, Ctx, SignedIn};
use crate::i18n::tr;
use crate::ui::components::{moscow, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use sep_core::payment::callback;
use sep_core::payment::confirm::{self, ConfirmError};
use sep_core::payment::pay::{self, PayError, ProviderPayment};
use serde::Deserialize;
use uuid::Uuid;

fn pay_problem(e: PayError) -> WebError {
    let status = match e {
        PayError::NotFound => return WebError::not_found(),
        PayError::Store(e) => return e.into(),
        PayError::AlreadyPaid | PayError::InProgress => StatusCode::CONFLICT,
        PayError::Unavailable(ref cause) => {
            tracing::warn!(error = %cause, "payment: provider or registry unavailable");
            StatusCode::SERVICE_UNAVAILABLE
        }
        PayError::NotConfigured => StatusCode::SERVICE_UNAVAILABLE,
    };
    sep_http::Problem::new(status, e.code(), "Оплата не начата", &e.to_string(), e.action()).into()
}

#[derive(Deserialize)]
pub(crate) struct PayForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    method: String,
}

/// `POST /payments/charges/{uin}/pay`: «Оплатить».
pub(crate) async fn pay(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    Path(uin): Path<String>,
    CsrfForm(f): CsrfForm<PayForm>,
) -> Page {
    // Another's charge is unknown whether or not this portal takes payments.
    let charge = super::charges::own(&s, &user, &uin).await?;
    let link = s.pay.as_ref().ok_or_else(|| pay_problem(PayError::NotConfigured))?;
    let uin = charge.uin;
    let p = pay::start(
        s.store.as_ref(),
        s.charges.as_ref(),
        link.provider.as_ref(),
        &user,
        &uin,
        pay::Method::from_code(&f.method),
        &f.key,
        &s.config.public_url,
        &ctx.origin(),
        s.clock.now(),
    )
    .await
    .map_err(pay_problem)?;
    // To the provider's page while the attempt is live; otherwise to what became of it.
    match p.confirmation_url {
        Some(url) if p.status.is_live() => Ok(Redirect::to(&url).into_response()),
        _ => Ok(Redirect::to(&format!("/payments/result/{}", p.id)).into_response()),
    }
}

#[derive(Template)]
#[template(path = "payments/result.html")]
struct ResultPage {
    id: String,
    uin: String,
    title: String,
    amount: String,
    code: &'static str,
    status: &'static str,
    at: String,
    /// Code and reason of a failure.
    failure: Option<(String, String)>,
    rrn: String,
    auth_code: String,
    card: String,
    /// The receipt's id, once made.
    receipt: Option<String>,
    /// The provider holds the money until the payer's SMS code.
    awaiting_code: bool,
    /// A code was sent for it.
    code_sent: bool,
    /// Where the code went, masked.
    phone: String,
    /// Code, message and what to do when a code was refused or not sent.
    code_error: Option<(&'static str, String, String)>,
    csrf: String,
    /// The application whose state fee this was, to go back and send it.
    application: Option<String>,
}

/// The person's own payment; another's is not found.
async fn own(s: &AppState, user: &sep_core::user::User, id: Uuid) -> Result<pay::Payment, WebError> {
    s.store.find_payment(id).await?.filter(|p| p.user_id == user.id).ok_or_else(WebError::not_found)
}

async fn result_page(
    s: &AppState,
    user: &sep_core::user::User,
    csrf: String,
    p: pay::Payment,
    code_error: Option<(&'static str, String, String)>,
) -> Result<ResultPage, WebError> {
    let (p, awaiting_code) = match &s.pay {
        // Not known yet: the provider is asked (the callback may be on its way).
        Some(link) if p.status.is_live() => {
            pay::look(s.store.as_ref(), link.provider.as_ref(), &p, s.clock.now()).await.unwrap_or((p, false))
        }
        _ => (p, false),
    };
    let code_sent = awaiting_code && s.store.find_payment_code(p.id).await?.is_some();
    let phone = user.profile.phone.as_ref().map(|f| f.as_str()).unwrap_or_default();
    let phone = if phone.len() > 4 {
        format!("{} •••• {}", tr("Телефон"), &phone[phone.len() - 4..])
    } else {
        String::new()
    };
    Ok(ResultPage {
        id: p.id.to_string(),
        uin: p.uin.clone(),
        title: p.title.clone(),
        amount: p.amount.to_string(),
        code: p.status.code(),
        status: tr(p.status.title()),
        at: moscow(p.updated_at),
        failure: p.failure.clone(),
        rrn: p.rrn.clone().unwrap_or_default(),
        auth_code: p.auth_code.clone().unwrap_or_default(),
        card: p.card.clone().unwrap_or_default(),
        receipt: p.receipt_id.map(|r| r.to_string()),
        awaiting_code,
        code_sent,
        phone,
        code_error,
        csrf,
        application: sep_core::payment::fee::of_payment(s.store.as_ref(), &p.uin)
            .await?
            .filter(|f| f.user_id == user.id)
            .map(|f| f.application_id.to_string()),
    })
}

/// `GET /payments/result/{id}`: where the provider sends the payer back.
pub(crate) async fn result(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    Path(id): Path<Uuid>,
) -> Page {
    let p = own(&s, &user, id).await?;
    render(&result_page(&s, &user, session.csrf_secret, p, None).await?)
}

fn code_problem(e: &ConfirmError) -> (&'static str, String, String) {
    (e.code(), crate::i18n::tr_dyn(&e.to_string()), tr(e.action()).to_owned())
}

/// `POST /payments/result/{id}/code`: «Отправить код».
pub(crate) async fn send_code(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Page {
    let p = own(&s, &user, id).await?;
    if let Err(wait) = s.throttles.codes.check(&user.id.0.to_string()) {
        return Err(sep_http::Problem::rate_limited(wait).into());
    }
    let link = s.pay.as_ref().ok_or_else(|| pay_problem(PayError::NotConfigured))?;
    let provider = link.provider.as_ref();
    match confirm::send_code(s.store.as_ref(), provider, &user, &p, &ctx.origin(), s.clock.now()).await {
        Ok(()) => Ok(Redirect::to(&format!("/payments/result/{id}#confirm")).into_response()),
        Err(ConfirmError::Store(e)) => Err(e.into()),
        Err(e) => {
            let page = result_page(&s, &user, session.csrf_secret, p, Some(code_problem(&e))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize)]
pub(crate) struct Empty {}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /payments/result/{id}/confirm`: «Подтвердить оплату» with the SMS code.
pub(crate) async fn confirm_code(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<CodeForm>,
) -> Page {
    let p = own(&s, &user, id).await?;
    let link = s.pay.as_ref().ok_or_else(|| pay_problem(PayError::NotConfigured))?;
    let now = s.clock.now();
    match confirm::confirm(s.store.as_ref(), link.provider.as_ref(), &user, &p, &f.code, &ctx.origin(), now).await {
        Ok(_) => Ok(Redirect::to(&format!("/payments/result/{id}")).into_response()),
        Err(ConfirmError::Store(e)) => Err(e.into()),
        Err(e) => {
            let p = s.store.find_payment(id).await?.unwrap_or(p);
            let page = result_page(&s, &user, session.csrf_secret, p, Some(code_problem(&e))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

/// `POST /payments/callback`: the provider's signed report.
pub(crate) async fn callback(State(s): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Page {
    let link = s.pay.as_ref().ok_or_else(WebError::not_found)?;
    let now = s.clock.now();
    let signature = headers.get(callback::HEADER).and_then(|v| v.to_str().ok());
    if let Err(e) = callback::verify(&link.callback_secret, signature, &body, now) {
        tracing::warn!(code = e.code(), "payment callback refused");
        return Err(sep_http::Problem::new(
            StatusCode::UNAUTHORIZED,
            e.code(),
            "Подпись не принята",
            "Сообщение платёжного сервиса не подписано, подписано не тем ключом или устарело.",
            "Платёжный сервис повторит сообщение; если нет — результат будет запрошен у него.",
        )
        .into());
    }
    let said: ProviderPayment = serde_json::from_slice(&body)
        .map_err(|_| WebError::from(sep_http::Problem::for_status(StatusCode::UNPROCESSABLE_ENTITY)))?;
    let p = s.store.find_payment_by_provider(&said.id).await?.ok_or_else(WebError::not_found)?;
    if p.id.to_string() != said.reference {
        return Err(WebError::not_found());
    }
    pay::settle(s.store.as_ref(), &p, &said, now).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
