//! `/payments/uin`: «Оплата по УИН» without login, as Госуслуги has it — a charge found by its
//! УИН (checked with its check digit first), with what is to be paid, to whom, and the payment
//! QR; nothing about the payer. Limited per address like the other public checks.

use super::ChargeView;
use crate::AppState;
use crate::error::Page;
use crate::extract::Ctx;
use crate::i18n::tr_dyn;
use crate::ui::components::render;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use sep_core::payment::Uin;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "payments/uin.html")]
struct UinPage {
    uin: String,
    /// Message and code of a refused УИН.
    error: Option<(String, &'static str)>,
    found: Option<ChargeView>,
}

#[derive(Deserialize, Default)]
pub(crate) struct UinQuery {
    #[serde(default)]
    uin: String,
}

/// `GET /payments/uin?uin=`.
pub(crate) async fn page(State(s): State<AppState>, ctx: Ctx, Query(q): Query<UinQuery>) -> Page {
    let typed: String = q.uin.chars().filter(|c| !c.is_control()).take(40).collect();
    if typed.trim().is_empty() {
        return render(&UinPage { uin: String::new(), error: None, found: None });
    }
    if let Err(wait) = s.throttles.searches.check(&ctx.client.ip) {
        return Err(sep_http::Problem::rate_limited(wait).into());
    }
    let refused = |message: String, code: &'static str| {
        let page = render(&UinPage { uin: typed.clone(), error: Some((message, code)), found: None })?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let uin = match Uin::parse(&typed) {
        Ok(u) => u,
        Err(e) => return refused(tr_dyn(&e.to_string()), e.code()),
    };
    let today = sep_core::clock::moscow_day(s.clock.now());
    match s.charges.charge(&uin, today).await {
        Ok(Some(c)) => {
            // Paid here counts, whoever paid it: the code must not invite a second payment.
            let c = sep_core::payment::pay::with_payment_here(s.store.as_ref(), c).await?;
            render(&UinPage { uin: uin.to_string(), error: None, found: Some(ChargeView::of(&c, today).with_qr()) })
        }
        Ok(None) => {
            let page = render(&UinPage {
                uin: uin.to_string(),
                error: Some((
                    tr_dyn(
                        "Начисления с таким УИН нет в ГИС ГМП: проверьте номер или дождитесь, когда начисление поступит.",
                    ),
                    "charge_not_found",
                )),
                found: None,
            })?;
            Ok((StatusCode::NOT_FOUND, page).into_response())
        }
        Err(e) => Err(super::charges::unavailable(&e)),
    }
}
