//! `/payments`: the person's charges with filters (status, kind, period) and the total
//! unpaid; `/payments/charges/{uin}`: one charge with its requisites and payment QR, and the QR
//! as PNG. Another payer's УИН answers 404 like an unknown one.

use super::ChargeView;
use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::SignedIn;
use crate::i18n::tr;
use crate::ui::components::{filter_day, input_day, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use sep_core::payment::{self, ChargeKind, ChargeStatus, Filter, Uin};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "payments/list.html")]
struct ListPage {
    charges: Vec<ChargeView>,
    unpaid: String,
    total: usize,
    /// The registry did not answer.
    unavailable: bool,
    statuses: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    status: String,
    kind: String,
    from: String,
    to: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

fn today(s: &AppState) -> time::Date {
    sep_core::clock::moscow_day(s.clock.now())
}

/// `GET /payments?status=&kind=&from=&to=`.
pub(crate) async fn list(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Query(q): Query<ListQuery>,
) -> Page {
    let filter = Filter {
        status: ChargeStatus::from_code(&q.status),
        kind: ChargeKind::from_code(&q.kind),
        from: filter_day(&q.from),
        to: filter_day(&q.to),
    };
    let today = today(&s);
    let (charges, unpaid, total, unavailable) =
        match payment::list(s.store.as_ref(), s.charges.as_ref(), &user, &filter, today).await {
            Ok(l) => (
                l.charges.iter().map(|c| ChargeView::of(c, today).payer(&l.payers)).collect(),
                l.unpaid.to_string(),
                l.total,
                false,
            ),
            Err(payment::ChargesError::Unavailable(e)) => {
                tracing::warn!(registry = e.registry, "charges: registry unavailable");
                (vec![], String::new(), 0, true)
            }
            Err(payment::ChargesError::Store(e)) => return Err(e.into()),
        };
    let page = render(&ListPage {
        charges,
        unpaid,
        total,
        unavailable,
        statuses: ChargeStatus::ALL.iter().map(|s| (s.code(), tr(s.title()))).collect(),
        kinds: ChargeKind::ALL.iter().map(|k| (k.code(), tr(k.title()))).collect(),
        status: filter.status.map(|s| s.code().to_owned()).unwrap_or_default(),
        kind: filter.kind.map(|k| k.code().to_owned()).unwrap_or_default(),
        from: input_day(filter.from),
        to: input_day(filter.to),
    })?;
    let status = if unavailable { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
    Ok((status, page).into_response())
}

#[derive(Template)]
#[template(path = "payments/charge.html")]
struct ChargePage {
    c: ChargeView,
    csrf: String,
    /// The form's one-time key, when the charge can be paid online here.
    pay_key: Option<String>,
    /// An earlier attempt still running.
    running: Option<String>,
    /// The sources of money: code and title.
    methods: Vec<(&'static str, &'static str)>,
}

pub(super) async fn own(
    s: &AppState,
    user: &sep_core::user::User,
    uin: &str,
) -> Result<sep_core::payment::Charge, WebError> {
    let uin = Uin::parse(uin).map_err(|_| WebError::not_found())?;
    match payment::own_with_payments(s.store.as_ref(), s.charges.as_ref(), user, &uin, today(s)).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(WebError::not_found()),
        Err(payment::ChargesError::Unavailable(e)) => Err(unavailable(&e)),
        Err(payment::ChargesError::Store(e)) => Err(e.into()),
    }
}

/// The registry did not answer: 503 with what to do.
pub(super) fn unavailable(e: &sep_core::registry::Unavailable) -> WebError {
    crate::error::charges_unavailable(e)
}

/// `GET /payments/charges/{uin}`.
pub(crate) async fn show(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    Path(uin): Path<String>,
) -> Page {
    let c = own(&s, &user, &uin).await?;
    let payers = payment::payers(s.store.as_ref(), &user).await?;
    let view = ChargeView::of(&c, today(&s)).with_qr().payer(&payers);
    let live = s.store.find_live_payment(c.uin.as_str()).await?;
    let running = live.as_ref().filter(|p| p.user_id == user.id).map(|p| p.id.to_string());
    // A live attempt of the person's own may be a page they closed: «Оплатить» returns to it
    // (or says it is in progress); another's live attempt leaves nothing to press.
    let mine_or_none = live.as_ref().is_none_or(|p| p.user_id == user.id);
    let pay_key = (view.payable && s.pay.is_some() && mine_or_none).then(sep_core::spravka::request_key);
    let methods = sep_core::payment::pay::Method::ALL.iter().map(|m| (m.code(), crate::i18n::tr(m.title()))).collect();
    render(&ChargePage { c: view, csrf: session.csrf_secret, pay_key, running, methods })
}

/// `GET /payments/charges/{uin}/qr.png`: the payment QR to save or print.
pub(crate) async fn qr_png(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Path(uin): Path<String>,
) -> Page {
    let c = own(&s, &user, &uin).await?;
    let today = today(&s);
    let remaining = c.remaining(today);
    if remaining.0 == 0 {
        return Err(WebError::not_found());
    }
    let png = sep_pdf::qr::png(&sep_core::payment::qr::payment_string(&c, remaining), 6)
        .map_err(|e| WebError::from(sep_http::Problem::for_status(StatusCode::INTERNAL_SERVER_ERROR).caused_by(e)))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"qr-{}.png\"", c.uin)),
        ],
        png,
    )
        .into_response())
}
