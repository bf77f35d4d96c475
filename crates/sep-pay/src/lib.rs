//! The payment-provider emulator (SPEC P2), on its own origin like the Госуслуги emulator:
//! a payments API for the portal (`POST /api/v1/payments` with an `Idempotence-Key`, `GET
//! /api/v1/payments/{id}`, a bearer token), the payer's card page with the test cards of the
//! README, a 3-D Secure code sent to its own SMS outbox, and a callback to the portal signed with
//! HMAC over a timestamp and the body (`sep_core::payment::callback`). State is in memory: the
//! emulator stands in for a bank's system, which keeps its own.
//!
//! Test cards (Luhn-valid): `2200 0000 0000 0004` has no 3-D Secure: the money is held
//! (`waiting_for_capture`) until the portal confirms the payer's SMS code and captures it
//! (`POST /api/v1/payments/{id}/capture`) or voids it (`…/cancel`); `…0012` is declined
//! «Недостаточно средств»; `…0020` asks for a 3-D Secure code; `…0038` never answers (the
//! outcome stays unknown to the portal until the payment expires after 90 minutes). Any other
//! valid card behaves as `…0004`.

mod api;
mod payer;

pub use payer::{luhn, nspk_link};

use api::{cancel, capture, create, refund, remove_card, status};
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use payer::{card_page, card_submit, outbox, sbp_confirm, threeds_page, threeds_submit, wallet_login};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

/// A card payment without 3-D Secure: the money is held until the portal captures it.
pub const WAITING: &str = "waiting_for_capture";

/// An unfinished payment expires after this long (GOV.UK Pay's P0020).
pub const EXPIRES_AFTER: Duration = Duration::minutes(90);

/// The settings of an emulator.
#[derive(Debug, Clone)]
pub struct PaySettings {
    /// Its public address (`http://127.0.0.1:8082`), for the confirmation links.
    pub public_url: String,
    /// The bearer token the portal calls the API with.
    pub api_token: String,
    /// The secret callbacks are signed with.
    pub callback_secret: String,
}

/// A payment as the API reports it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ApiPayment {
    /// The provider's id.
    pub id: String,
    /// `created`, `pending`, `succeeded`, `failed`, `expired`.
    pub status: String,
    /// Kopecks.
    pub amount: i64,
    /// The portal's reference (its payment id).
    pub reference: String,
    /// Where the payer confirms.
    pub confirmation_url: String,
    /// Retrieval reference number, once it succeeded.
    pub rrn: Option<String>,
    /// Authorisation code, once it succeeded.
    pub auth_code: Option<String>,
    /// `P0010` declined, `P0020` expired, `P0030` cancelled.
    pub failure_code: Option<String>,
    /// The reason in words.
    pub failure_text: Option<String>,
    /// The card, masked (`2200 00•• •••• 0004`), or the other source.
    pub card: Option<String>,
    /// `card`, `sbp` or `wallet`.
    #[serde(default)]
    pub method: String,
    /// The saved card's token, when the payer asked to keep the card (the number stays here).
    #[serde(default)]
    pub card_token: Option<String>,
    /// The saved card's expiry, `ММ/ГГ`.
    #[serde(default)]
    pub card_expiry: Option<String>,
}

/// What the portal asks for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NewPayment {
    /// Kopecks.
    pub amount: i64,
    /// What is paid (shown to the payer).
    pub description: String,
    /// The portal's reference.
    pub reference: String,
    /// Where the payer returns.
    pub return_url: String,
    /// Where the result is posted.
    pub callback_url: String,
    /// `card` (the default), `sbp` or `wallet`.
    #[serde(default)]
    pub method: String,
}

struct Stored {
    api: ApiPayment,
    new: NewPayment,
    created_at: OffsetDateTime,
    code: Option<(String, u8)>,
    /// Returned so far, kopecks.
    refunded: i64,
}

/// A refund as the API reports it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ApiRefund {
    /// The refund's id.
    pub id: String,
    /// The payment it returns money of.
    pub payment_id: String,
    /// Kopecks.
    pub amount: i64,
    /// `succeeded`: the emulator returns money at once.
    pub status: String,
}

#[derive(Deserialize)]
struct NewRefund {
    payment_id: String,
    amount: i64,
}

#[derive(Default)]
struct Inner {
    payments: HashMap<String, Stored>,
    /// Idempotence-Key → (the body's hash, the payment id).
    keys: HashMap<String, (String, String)>,
    /// Saved cards: token → the card's number (never given out).
    cards: HashMap<String, String>,
    /// Refunds by Idempotence-Key: the body's hash and the refund.
    refunds: HashMap<String, (String, ApiRefund)>,
    outbox: Vec<String>,
}

/// The emulator's state.
#[derive(Clone)]
pub struct PayState {
    settings: Arc<PaySettings>,
    inner: Arc<Mutex<Inner>>,
    http: reqwest::Client,
}

impl PayState {
    /// A new, empty emulator.
    pub fn new(settings: PaySettings) -> Self {
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(5)).build().unwrap_or_default();
        Self { settings: Arc::new(settings), inner: Arc::new(Mutex::new(Inner::default())), http }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The strict policy, but a form here may end at the shop that sent the payer (the card form's
/// answer is a redirect back to the portal, and browsers apply `form-action` to redirects).
const PAY_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self' http: https:; frame-ancestors 'none'";

/// The emulator's own look: the demo banner says what it is.
pub static BRAND: sep_http::Brand = sep_http::Brand {
    name: "Платёжный сервис · эмулятор",
    mark: "₽",
    stylesheet: "/assets/pay.css",
    csp: PAY_CSP,
    texts: &TEXTS,
};

static TEXTS: std::sync::LazyLock<sep_http::i18n::Catalog> =
    std::sync::LazyLock::new(|| sep_http::i18n::Catalog::from_files(&[]));

const CSS: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#111;background:#f5f6f8}.wrap{max-width:36rem;margin:0 auto;padding:1rem}.demo-banner{background:#fff3cd;padding:.5rem 1rem}.field{margin:1rem 0}.field label{display:block;font-weight:600}.field input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;border:2px solid #555;border-radius:4px}.hint,.muted{color:#555;font-size:.9rem}.button{display:inline-block;font:inherit;font-weight:600;background:#0b57d0;color:#fff;border:0;border-radius:6px;padding:.7rem 1.2rem;text-decoration:none;cursor:pointer}.error{border-left:5px solid #b3261e;background:#fff;padding:.5rem 1rem}.skip-link{position:absolute;left:-999px}.skip-link:focus{left:1rem}:focus-visible{outline:3px solid #fd0;outline-offset:2px}a{color:#0b57d0}";

/// The emulator's router with the shared middleware (request ids, security headers).
pub fn router(state: PayState) -> Router {
    let routes = Router::new()
        .route("/api/v1/payments", post(create))
        .route("/api/v1/payments/{id}", get(status))
        .route("/api/v1/payments/{id}/cancel", post(cancel))
        .route("/api/v1/payments/{id}/capture", post(capture))
        .route("/api/v1/cards/{token}", axum::routing::delete(remove_card))
        .route("/api/v1/refunds", post(refund))
        .route("/pay/{id}", get(card_page).post(card_submit))
        .route("/pay/{id}/3ds", get(threeds_page).post(threeds_submit))
        .route("/pay/{id}/sbp", post(sbp_confirm))
        .route("/pay/{id}/wallet", post(wallet_login))
        .route("/outbox", get(outbox))
        .route("/assets/pay.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS) }))
        .with_state(state);
    sep_http::middleware::apply(routes, sep_http::Limits::default(), &BRAND)
}

fn rubles(k: i64) -> String {
    sep_core::money::Kopecks(k).to_string()
}

fn page(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "pay: template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn random_digits(n: usize) -> String {
    let bytes = sep_core::ids::random_bytes::<16>().unwrap_or([7; 16]);
    bytes.iter().take(n).map(|b| char::from(b'0' + b % 10)).collect()
}

/// The stored payment as of `now`: unfinished ones expire.
fn current(p: &mut Stored, now: OffsetDateTime) -> ApiPayment {
    if matches!(p.api.status.as_str(), "created" | "pending" | WAITING) && now - p.created_at > EXPIRES_AFTER {
        p.api.status = "expired".into();
        p.api.failure_code = Some("P0020".into());
        p.api.failure_text = Some("Платёж не завершён за 90 минут".into());
    }
    p.api.clone()
}

/// Seconds before each delivery of a callback: at once, then backing off for about two hours.
const CALLBACK_RETRIES: [u64; 12] = [0, 1, 2, 4, 8, 15, 30, 60, 120, 300, 900, 3600];

/// Ends a payment with `status` and posts the callback in the background.
fn finish(s: &PayState, p: &mut Stored, status: &str, failure: Option<(&str, &str)>) {
    p.api.status = status.into();
    if status == "succeeded" {
        p.api.rrn = Some(random_digits(12));
        p.api.auth_code = Some(random_digits(6));
    }
    if let Some((code, text)) = failure {
        p.api.failure_code = Some(code.into());
        p.api.failure_text = Some(text.into());
    }
    let (body, url, secret, http) = (
        serde_json::to_vec(&p.api).unwrap_or_default(),
        p.new.callback_url.clone(),
        s.settings.callback_secret.clone(),
        s.http.clone(),
    );
    tokio::spawn(async move {
        // Until the portal says 2xx, as acquirers do: a portal that was down (a crash, a
        // restart) still hears of the outcome when it is back.
        for delay in CALLBACK_RETRIES {
            tokio::time::sleep(std::time::Duration::from_secs(delay)).await;
            let signature = sep_core::payment::callback::sign(secret.as_bytes(), OffsetDateTime::now_utc(), &body);
            let sent = http
                .post(&url)
                .header(header::CONTENT_TYPE, "application/json")
                .header(sep_core::payment::callback::HEADER, signature)
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => return,
                Ok(r) => tracing::warn!(status = %r.status(), "pay: callback refused"),
                Err(e) => tracing::warn!(error = %e, "pay: callback not delivered"),
            }
        }
    });
}
