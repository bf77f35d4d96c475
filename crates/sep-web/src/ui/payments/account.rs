//! «Лицевой счёт» (SPEC P3): `/payments/account` — the balance, the history with filters, a
//! refund of the balance to a bank account, balance alerts by e-mail or SMS, and a report of
//! operations for a period as PDF or XLSX (`/payments/account/report`). The rules are
//! `sep_core::payment::account`.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{CsrfForm, Ctx, SignedIn};
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::{filter_day, input_day, moscow, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use sep_core::money::Kopecks;
use sep_core::payment::ChargesError;
use sep_core::payment::account::{self as acc, Account, OpFilter, OpKind, RefundError, RefundForm};
use sep_core::spravka::records::rubles;
use serde::Deserialize;

struct OpRow {
    at: String,
    kind: &'static str,
    code: &'static str,
    title: String,
    amount: String,
    /// `+1 250,00 ₽`, `−1 000,00 ₽` or empty for a payment.
    effect: String,
    status: &'static str,
    link: String,
}

struct RefundRow {
    number: String,
    at: String,
    amount: String,
    account: String,
    status: &'static str,
    code: &'static str,
    reason: String,
}

struct CardRow {
    id: String,
    masked: String,
    expiry: String,
    status: &'static str,
    valid: bool,
}

#[derive(Template)]
#[template(path = "payments/account.html")]
struct AccountPage {
    csrf: String,
    cards: Vec<CardRow>,
    balance: String,
    /// The balance in kopecks: the refund form carries it (a changed balance refuses the form).
    balance_kopecks: i64,
    credited: String,
    pending: String,
    refunded: String,
    ops: Vec<OpRow>,
    refunds: Vec<RefundRow>,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    from: String,
    to: String,
    /// The refund form as typed: amount, БИК, account.
    form: (String, String, String),
    request_key: String,
    /// Field, message, code, what to do.
    errors: Vec<(&'static str, String, &'static str, String)>,
    alerts_email: bool,
    alerts_sms: bool,
    threshold: String,
    email: String,
    phone: String,
    /// A message after a change («Заявление на возврат принято»).
    done: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct AccountQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    done: String,
}

fn filter(q: &AccountQuery) -> OpFilter {
    OpFilter { kind: OpKind::from_code(&q.kind), from: filter_day(&q.from), to: filter_day(&q.to) }
}

fn signed(k: Kopecks) -> String {
    match k.0 {
        0 => String::new(),
        n if n > 0 => format!("+{k}"),
        _ => k.to_string(),
    }
}

fn rows(a: &Account) -> Vec<OpRow> {
    a.operations
        .iter()
        .map(|o| OpRow {
            at: moscow(o.at),
            kind: tr(o.kind.title()),
            code: o.kind.code(),
            title: tr_dyn(&o.title),
            amount: o.amount.to_string(),
            effect: signed(o.effect),
            status: tr(o.status),
            link: o.link.clone().unwrap_or_default(),
        })
        .collect()
}

fn unavailable(e: &sep_core::registry::Unavailable) -> WebError {
    super::charges::unavailable(e)
}

async fn load(s: &AppState, user: &sep_core::user::User, f: &OpFilter) -> Result<Account, WebError> {
    match acc::account(s.store.as_ref(), s.charges.as_ref(), user, f).await {
        Ok(a) => Ok(a),
        Err(ChargesError::Unavailable(e)) => Err(unavailable(&e)),
        Err(ChargesError::Store(e)) => Err(e.into()),
    }
}

#[allow(clippy::too_many_arguments, reason = "the page is drawn from the request's parts")]
async fn page_of(
    s: &AppState,
    csrf: String,
    user: &sep_core::user::User,
    q: &AccountQuery,
    form: (String, String, String),
    errors: Vec<(&'static str, String, &'static str, String)>,
    request_key: String,
) -> Result<AccountPage, WebError> {
    let a = load(s, user, &filter(q)).await?;
    let alerts = s.store.find_account_alerts(user.id).await?.unwrap_or_default();
    let today = sep_core::clock::moscow_day(s.clock.now());
    let cards = s
        .store
        .list_linked_cards(user.id)
        .await?
        .into_iter()
        .map(|c| CardRow {
            id: c.id.to_string(),
            status: tr(c.status(today)),
            valid: c.valid_on(today),
            masked: c.masked,
            expiry: c.expiry,
        })
        .collect();
    let done = match q.done.as_str() {
        "refund" => {
            tr("Заявление на возврат принято. Статус виден в списке возвратов; о результате придёт уведомление.")
        }
        "alerts" => tr("Настройки уведомлений о балансе сохранены."),
        "card" => tr("Карта отвязана: платёжный сервис её больше не хранит."),
        _ => "",
    };
    let form = if form.0.is_empty() && a.balance.0 > 0 { (rubles(a.balance.0), form.1, form.2) } else { form };
    Ok(AccountPage {
        csrf,
        cards,
        balance: a.balance.to_string(),
        balance_kopecks: a.balance.0,
        credited: a.credited.to_string(),
        pending: a.pending.to_string(),
        refunded: a.refunded.to_string(),
        ops: rows(&a),
        refunds: a
            .refunds
            .iter()
            .map(|r| RefundRow {
                number: r.number(),
                at: moscow(r.created_at),
                amount: r.amount.to_string(),
                account: format!("{} {}, {}", tr("БИК"), r.bic, acc::masked(&r.account)),
                status: tr(r.status.title()),
                code: r.status.code(),
                reason: r.reason.as_deref().map(tr_dyn).unwrap_or_default(),
            })
            .collect(),
        kinds: OpKind::ALL.iter().map(|k| (k.code(), tr(k.title()))).collect(),
        kind: q.kind.clone(),
        from: input_day(filter_day(&q.from)),
        to: input_day(filter_day(&q.to)),
        form,
        request_key,
        errors,
        alerts_email: alerts.email,
        alerts_sms: alerts.sms,
        threshold: alerts.threshold.map(|t| rubles(t.0)).unwrap_or_default(),
        email: user.profile.email.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default(),
        phone: user.profile.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
        done: done.to_owned(),
    })
}

/// `GET /payments/account?kind=&from=&to=`.
pub(crate) async fn page(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    Query(q): Query<AccountQuery>,
) -> Page {
    let key = sep_core::spravka::request_key();
    render(&page_of(&s, session.csrf_secret, &user, &q, Default::default(), vec![], key).await?)
}

#[derive(Deserialize)]
pub(crate) struct RefundFields {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    bic: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    expected: String,
    #[serde(default)]
    request_key: String,
}

fn field(e: &RefundError) -> &'static str {
    match e {
        RefundError::AmountInvalid | RefundError::AmountTooLarge | RefundError::BalanceChanged => "amount",
        RefundError::Bank(sep_core::payment::bank::BankError::BicInvalid) => "bic",
        _ => "account",
    }
}

/// `POST /payments/account/refunds`: «Вернуть на счёт».
pub(crate) async fn refund(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<RefundFields>,
) -> Page {
    if let Err(wait) = s.throttles.orders.check(&user.id.0.to_string()) {
        return Err(sep_http::Problem::rate_limited(wait).into());
    }
    let form = RefundForm {
        amount: f.amount,
        bic: f.bic,
        account: f.account,
        expected: f.expected,
        request_key: f.request_key,
    };
    let now = s.clock.now();
    match acc::request_refund(s.store.as_ref(), s.charges.as_ref(), &user, &form, &ctx.origin(), now).await {
        Ok(_) => Ok(Redirect::to("/payments/account?done=refund#refunds").into_response()),
        Err(RefundError::Unavailable(e)) => Err(unavailable(&e)),
        Err(RefundError::Store(e)) => Err(e.into()),
        Err(e) => {
            let errors = vec![(field(&e), tr_dyn(&e.to_string()), e.code(), tr(e.action()).to_owned())];
            let typed = (form.amount, form.bic, form.account);
            let q = AccountQuery::default();
            let page = page_of(&s, session.csrf_secret, &user, &q, typed, errors, form.request_key).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct AlertFields {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    sms: Option<String>,
    #[serde(default)]
    threshold: String,
}

/// `POST /payments/account/alerts`: balance alerts on or off.
pub(crate) async fn alerts(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<AlertFields>,
) -> Page {
    let now = s.clock.now();
    let (email, sms) = (f.email.is_some(), f.sms.is_some());
    let store = s.store.as_ref();
    match acc::set_alerts(store, s.charges.as_ref(), &user, email, sms, &f.threshold, &ctx.origin(), now).await {
        Ok(_) => Ok(Redirect::to("/payments/account?done=alerts#alerts").into_response()),
        Err(RefundError::Unavailable(e)) => Err(unavailable(&e)),
        Err(RefundError::Store(e)) => Err(e.into()),
        Err(_) => {
            let errors = vec![(
                "threshold",
                tr("Порог уведомлений указан неверно: нужны рубли и копейки.").to_owned(),
                "threshold_invalid",
                tr("Укажите сумму в рублях, например 1 000,00, или оставьте поле пустым.").to_owned(),
            )];
            let q = AccountQuery::default();
            let key = sep_core::spravka::request_key();
            let page = page_of(&s, session.csrf_secret, &user, &q, Default::default(), errors, key).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct ReportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    format: String,
}

/// `GET /payments/account/report?from=&to=&format=pdf|xlsx`: the operations of a period.
pub(crate) async fn report(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Query(q): Query<ReportQuery>,
) -> Page {
    if let Err(wait) = s.throttles.reports.check(&user.id.0.to_string()) {
        return Err(sep_http::Problem::rate_limited(wait).into());
    }
    let (Some(from), Some(to)) = (filter_day(&q.from), filter_day(&q.to)) else {
        return Err(sep_http::Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "report_period_invalid",
            "Период отчёта не указан",
            "Для отчёта нужны начало и конец периода.",
            "Укажите обе даты периода и нажмите «Сформировать отчёт» снова.",
        )
        .into());
    };
    if from > to {
        return Err(sep_http::Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "period_reversed",
            "Период отчёта указан неверно",
            "Начало периода позже его конца.",
            "Поменяйте даты местами: начало должно быть раньше конца.",
        )
        .into());
    }
    let a = load(&s, &user, &OpFilter { kind: None, from: Some(from), to: Some(to) }).await?;
    let name = format!("lichnyj-schet-{from}-{to}");
    let (bytes, content_type, ext) = match q.format.as_str() {
        "xlsx" => (
            super::report::xlsx(&user, &a, (from, to)).map_err(WebError::internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => (
            super::report::pdf(&user, &a, (from, to), s.clock.now()).map_err(WebError::internal)?,
            "application/pdf",
            "pdf",
        ),
    };
    let disposition = format!("attachment; filename=\"{name}.{ext}\"");
    Ok(([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

/// `POST /payments/account/cards/{id}/delete`: «Удалить» a linked card.
pub(crate) async fn remove_card(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<uuid::Uuid>,
    CsrfForm(_): CsrfForm<super::paying::Empty>,
) -> Page {
    use sep_core::payment::cards::{self, CardError};
    let link = s.pay.as_ref().ok_or_else(WebError::not_found)?;
    match cards::remove(s.store.as_ref(), link.provider.as_ref(), &user, id, &ctx.origin(), s.clock.now()).await {
        Ok(()) => Ok(Redirect::to("/payments/account?done=card#cards").into_response()),
        Err(CardError::NotFound) => Err(WebError::not_found()),
        Err(CardError::Store(e)) => Err(e.into()),
        Err(CardError::Unavailable(cause)) => {
            tracing::warn!(error = %cause, "card removal: provider unavailable");
            Err(sep_http::Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "payment_provider_unavailable",
                "Карта не отвязана",
                "Платёжный сервис не отвечает.",
                "Повторите через несколько минут; карта остаётся привязанной.",
            )
            .into())
        }
    }
}
