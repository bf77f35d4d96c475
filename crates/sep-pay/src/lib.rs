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

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
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

fn authorised(s: &PayState, headers: &HeaderMap) -> bool {
    let want = format!("Bearer {}", s.settings.api_token);
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| sep_core::ids::ct_eq(v.as_bytes(), want.as_bytes()))
}

fn problem(status: StatusCode, code: &str, detail: &str) -> Response {
    (status, Json(serde_json::json!({ "code": code, "detail": detail }))).into_response()
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

/// The `Idempotence-Key` of a write by the authorised shop, or the refusal.
fn keyed<'h>(s: &PayState, headers: &'h HeaderMap) -> Result<&'h str, Box<Response>> {
    if !authorised(s, headers) {
        return Err(Box::new(problem(StatusCode::UNAUTHORIZED, "unauthorised", "a bearer token is required")));
    }
    headers.get("idempotence-key").and_then(|v| v.to_str().ok()).filter(|k| !k.is_empty() && k.len() <= 255).ok_or_else(
        || Box::new(problem(StatusCode::BAD_REQUEST, "idempotence_key_required", "send an Idempotence-Key header")),
    )
}

/// `POST /api/v1/payments`.
async fn create(State(s): State<PayState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let key = match keyed(&s, &headers) {
        Ok(key) => key,
        Err(refused) => return *refused,
    };
    let Ok(new) = serde_json::from_slice::<NewPayment>(&body) else {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "body_invalid", "the body is not a payment");
    };
    if new.amount <= 0
        || !new.return_url.starts_with("http")
        || !new.callback_url.starts_with("http")
        || !matches!(new.method.as_str(), "" | "card" | "sbp" | "wallet")
    {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "body_invalid", "amount and addresses are required");
    }
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body));
    let mut inner = s.lock();
    if let Some((seen, id)) = inner.keys.get(key).cloned() {
        if seen != hash {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotence_key_reused",
                "this key was used with another body",
            );
        }
        if let Some(p) = inner.payments.get_mut(&id) {
            return (StatusCode::CREATED, Json(current(p, OffsetDateTime::now_utc()))).into_response();
        }
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let api = ApiPayment {
        id: id.clone(),
        status: "created".into(),
        amount: new.amount,
        reference: new.reference.clone(),
        confirmation_url: format!("{}/pay/{id}", s.settings.public_url.trim_end_matches('/')),
        rrn: None,
        auth_code: None,
        failure_code: None,
        failure_text: None,
        card: None,
        method: if new.method.is_empty() { "card".into() } else { new.method.clone() },
        card_token: None,
        card_expiry: None,
    };
    inner.keys.insert(key.to_owned(), (hash, id.clone()));
    inner
        .payments
        .insert(id, Stored { api: api.clone(), new, created_at: OffsetDateTime::now_utc(), code: None, refunded: 0 });
    (StatusCode::CREATED, Json(api)).into_response()
}

/// `GET /api/v1/payments/{id}`.
async fn status(State(s): State<PayState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorised(&s, &headers) {
        return problem(StatusCode::UNAUTHORIZED, "unauthorised", "a bearer token is required");
    }
    match s.lock().payments.get_mut(&id) {
        Some(p) => Json(current(p, OffsetDateTime::now_utc())).into_response(),
        None => problem(StatusCode::NOT_FOUND, "not_found", "no such payment"),
    }
}

/// `POST /api/v1/payments/{id}/cancel`: the shop cancels a payment the payer has not paid yet.
async fn cancel(State(s): State<PayState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorised(&s, &headers) {
        return problem(StatusCode::UNAUTHORIZED, "unauthorised", "a bearer token is required");
    }
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else {
        return problem(StatusCode::NOT_FOUND, "not_found", "no such payment");
    };
    // Not paid yet, or held and not captured (the hold is released).
    if !matches!(current(p, OffsetDateTime::now_utc()).status.as_str(), "created" | WAITING) {
        return problem(StatusCode::CONFLICT, "not_cancellable", "only a payment not yet paid can be cancelled");
    }
    finish(&s, p, "failed", Some(("P0040", "Платёж отменён")));
    Json(p.api.clone()).into_response()
}

/// `POST /api/v1/refunds`: returns money of a succeeded payment to its card (or account), at
/// most what was paid; the same key with the same body answers with the first refund.
async fn refund(State(s): State<PayState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let key = match keyed(&s, &headers) {
        Ok(key) => key,
        Err(refused) => return *refused,
    };
    let Ok(new) = serde_json::from_slice::<NewRefund>(&body) else {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "body_invalid", "the body is not a refund");
    };
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body));
    let mut inner = s.lock();
    if let Some((seen, r)) = inner.refunds.get(key) {
        if *seen != hash {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotence_key_reused",
                "this key was used with another body",
            );
        }
        return (StatusCode::CREATED, Json(r.clone())).into_response();
    }
    let Some(p) = inner.payments.get_mut(&new.payment_id) else {
        return problem(StatusCode::NOT_FOUND, "not_found", "no such payment");
    };
    if current(p, OffsetDateTime::now_utc()).status != "succeeded" {
        return problem(StatusCode::CONFLICT, "not_refundable", "платёж не завершён успешно — возвращать нечего");
    }
    if new.amount <= 0 || p.refunded + new.amount > p.api.amount {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "amount_too_large", "сумма возврата больше оплаченной");
    }
    p.refunded += new.amount;
    let r = ApiRefund {
        id: uuid::Uuid::new_v4().simple().to_string(),
        payment_id: new.payment_id,
        amount: new.amount,
        status: "succeeded".into(),
    };
    inner.refunds.insert(key.to_owned(), (hash, r.clone()));
    (StatusCode::CREATED, Json(r)).into_response()
}

/// `DELETE /api/v1/cards/{token}`: the payer unlinks a saved card; an unknown token is 404.
async fn remove_card(State(s): State<PayState>, headers: HeaderMap, Path(token): Path<String>) -> Response {
    if !authorised(&s, &headers) {
        return problem(StatusCode::UNAUTHORIZED, "unauthorised", "a bearer token is required");
    }
    match s.lock().cards.remove(&token) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => problem(StatusCode::NOT_FOUND, "not_found", "no such card"),
    }
}

/// Whether a saved card is known (for tests: unlinked cards are gone here too).
impl PayState {
    /// Whether the card `token` is still saved.
    pub fn has_card(&self, token: &str) -> bool {
        self.lock().cards.contains_key(token)
    }
}

/// `POST /api/v1/payments/{id}/capture`: the shop takes the held money (after its own
/// confirmation of the payer). A captured payment answers as it is; any other is a conflict.
async fn capture(State(s): State<PayState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorised(&s, &headers) {
        return problem(StatusCode::UNAUTHORIZED, "unauthorised", "a bearer token is required");
    }
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else {
        return problem(StatusCode::NOT_FOUND, "not_found", "no such payment");
    };
    match current(p, OffsetDateTime::now_utc()).status.as_str() {
        WAITING => {
            finish(&s, p, "succeeded", None);
            Json(p.api.clone()).into_response()
        }
        "succeeded" => Json(p.api.clone()).into_response(),
        _ => problem(StatusCode::CONFLICT, "not_capturable", "only a held payment can be captured"),
    }
}

#[derive(Template)]
#[template(path = "card.html")]
struct CardPage {
    id: String,
    description: String,
    amount: String,
    return_url: String,
    number: String,
    expiry: String,
    holder: String,
    /// Message, code, field.
    error: Option<(String, &'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    title: String,
    text: String,
    code: String,
    return_url: String,
}

fn message(title: &str, text: &str, code: &str, return_url: &str, status: StatusCode) -> Response {
    let page =
        page(&MessagePage { title: title.into(), text: text.into(), code: code.into(), return_url: return_url.into() });
    (status, page).into_response()
}

fn unknown() -> Response {
    message("Платёж не найден", "Ссылка на оплату устарела или неверна.", "not_found", "", StatusCode::NOT_FOUND)
}

/// `GET /pay/{id}`.
async fn card_page(State(s): State<PayState>, Path(id): Path<String>) -> Response {
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    let api = current(p, OffsetDateTime::now_utc());
    if api.status != "created" {
        return message(
            "Платёж уже обработан",
            &format!("Статус: {}.", api.status),
            "",
            &p.new.return_url,
            StatusCode::OK,
        );
    }
    match p.new.method.as_str() {
        "sbp" => page(&SbpPage {
            id: id.clone(),
            description: p.new.description.clone(),
            amount: rubles(p.new.amount),
            link: nspk_link(&id, p.new.amount),
            return_url: p.new.return_url.clone(),
        }),
        "wallet" => page(&WalletPage {
            id,
            description: p.new.description.clone(),
            amount: rubles(p.new.amount),
            return_url: p.new.return_url.clone(),
            error: None,
        }),
        _ => page(&CardPage {
            id,
            description: p.new.description.clone(),
            amount: rubles(p.new.amount),
            return_url: p.new.return_url.clone(),
            number: String::new(),
            expiry: String::new(),
            holder: String::new(),
            error: None,
        }),
    }
}

/// An НСПК payment link of the dynamic kind (`type=02`, with the sum), as a bank app reads it
/// from a QR code; `crc` is opaque here (its algorithm is not public).
pub fn nspk_link(id: &str, amount: i64) -> String {
    let digest = <sha2::Sha256 as sha2::Digest>::digest(id.as_bytes());
    let code: String = digest
        .iter()
        .take(32)
        .map(|b| char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[usize::from(*b) % 36]))
        .collect();
    format!(
        "https://qr.nspk.ru/{code}?type=02&bank=100000000111&sum={amount}&cur=RUB&crc={}",
        hex::encode_upper(&digest[..2])
    )
}

#[derive(Template)]
#[template(path = "sbp.html")]
struct SbpPage {
    id: String,
    description: String,
    amount: String,
    link: String,
    return_url: String,
}

/// `POST /pay/{id}/sbp`: the bank app (this page stands in for it) confirms the payment.
async fn sbp_confirm(State(s): State<PayState>, Path(id): Path<String>) -> Response {
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    let return_url = p.new.return_url.clone();
    if p.new.method != "sbp" || current(p, OffsetDateTime::now_utc()).status != "created" {
        return Redirect::to(&return_url).into_response();
    }
    p.api.card = Some("СБП".into());
    finish(&s, p, "succeeded", None);
    Redirect::to(&return_url).into_response()
}

#[derive(Template)]
#[template(path = "wallet.html")]
struct WalletPage {
    id: String,
    description: String,
    amount: String,
    return_url: String,
    error: Option<(String, &'static str)>,
}

#[derive(Deserialize)]
struct WalletForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

/// The e-wallet's test password (any login).
pub const WALLET_PASSWORD: &str = "Demo-Wallet1";

/// `POST /pay/{id}/wallet`: the wallet's login; then a confirmation code, as for 3-D Secure.
async fn wallet_login(State(s): State<PayState>, Path(id): Path<String>, Form(f): Form<WalletForm>) -> Response {
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    if p.new.method != "wallet" || current(p, OffsetDateTime::now_utc()).status != "created" {
        return Redirect::to(&p.new.return_url).into_response();
    }
    if f.login.trim().is_empty() || !sep_core::ids::ct_eq(f.password.as_bytes(), WALLET_PASSWORD.as_bytes()) {
        let page = page(&WalletPage {
            id,
            description: p.new.description.clone(),
            amount: rubles(p.new.amount),
            return_url: p.new.return_url.clone(),
            error: Some(("Неверный логин или пароль кошелька.".into(), "wallet_login_failed")),
        });
        return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
    }
    let code = random_digits(6);
    let text = format!("Код {code} — подтверждение платежа {} из кошелька", rubles(p.new.amount));
    p.code = Some((code, 3));
    p.api.status = "pending".into();
    p.api.card = Some(format!(
        "Кошелёк {}",
        f.login
            .chars()
            .filter(char::is_ascii_digit)
            .rev()
            .take(4)
            .collect::<String>()
            .chars()
            .rev()
            .collect::<String>()
    ));
    inner.outbox.push(text);
    Redirect::to(&format!("/pay/{id}/3ds")).into_response()
}

#[derive(Deserialize)]
struct CardForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    cvc: String,
    #[serde(default)]
    holder: String,
    /// «Сохранить карту»: keep it for the payer's next payments.
    #[serde(default)]
    save: Option<String>,
}

/// Whether the digits pass the Luhn check.
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(d) = c.to_digit(10) else { return false };
        let d = if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d };
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

fn masked(digits: &str) -> String {
    let (first, last) = (digits.get(..6).unwrap_or(""), digits.get(digits.len().saturating_sub(4)..).unwrap_or(""));
    format!("{} {}•• •••• {last}", first.get(..4).unwrap_or(""), first.get(4..).unwrap_or(""))
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

/// `POST /pay/{id}`: the card.
async fn card_submit(State(s): State<PayState>, Path(id): Path<String>, Form(f): Form<CardForm>) -> Response {
    let now = OffsetDateTime::now_utc();
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    // Only a card payment takes a card: a wallet or СБП payment has its own confirmation.
    if current(p, now).status != "created" || !matches!(p.new.method.as_str(), "" | "card") {
        return Redirect::to(&p.new.return_url).into_response();
    }
    let digits: String = f.number.chars().filter(char::is_ascii_digit).collect();
    let parts: Vec<&str> = f.expiry.split('/').collect();
    let expiry: Vec<u32> =
        if parts.len() == 2 { parts.iter().filter_map(|x| x.trim().parse().ok()).collect() } else { vec![] };
    let this_month = now.year() % 100 * 100 + i32::from(u8::from(now.month()));
    let refused = match expiry.as_slice() {
        _ if !(16..=19).contains(&digits.len()) || !luhn(&digits) => {
            Some(("Номер карты указан неверно: проверьте цифры.", "card_invalid", "number"))
        }
        [m, y] if (1..=12).contains(m) && *y < 100 => {
            let until = i32::try_from(y * 100 + m).unwrap_or(0);
            (until < this_month).then_some(("Срок действия карты истёк.", "card_expired", "expiry"))
        }
        _ => Some(("Укажите срок действия в виде ММ/ГГ.", "card_expiry_invalid", "expiry")),
    };
    let refused = refused.or_else(|| {
        (f.cvc.len() != 3 || !f.cvc.bytes().all(|b| b.is_ascii_digit())).then_some((
            "CVC — три цифры с обратной стороны карты.",
            "card_cvc_invalid",
            "cvc",
        ))
    });
    if let Some((text, code, field)) = refused {
        let page = page(&CardPage {
            id,
            description: p.new.description.clone(),
            amount: rubles(p.new.amount),
            return_url: p.new.return_url.clone(),
            number: f.number.chars().take(30).collect(),
            expiry: f.expiry.chars().take(10).collect(),
            holder: f.holder.chars().take(60).collect(),
            error: Some((text.into(), code, field)),
        });
        return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
    }
    p.api.card = Some(masked(&digits));
    if f.save.is_some() {
        // The portal gets a token and the masked number; the number stays with the bank.
        let token = format!("card_{}", uuid::Uuid::new_v4().simple());
        p.api.card_token = Some(token.clone());
        p.api.card_expiry = Some(f.expiry.trim().to_owned());
        inner.cards.insert(token, digits.clone());
    }
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    let return_url = p.new.return_url.clone();
    match digits.as_str() {
        "2200000000000012" => {
            // A declined card is not kept.
            if let Some(token) = p.api.card_token.take() {
                p.api.card_expiry = None;
                inner.cards.remove(&token);
            }
            let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
            finish(&s, p, "failed", Some(("P0010", "Недостаточно средств")));
            Redirect::to(&return_url).into_response()
        }
        "2200000000000020" => {
            let code = random_digits(6);
            let text = format!("Код {code} — подтверждение платежа {} в СЭП", rubles(p.new.amount));
            p.code = Some((code, 3));
            p.api.status = "pending".into();
            inner.outbox.push(text);
            Redirect::to(&format!("/pay/{id}/3ds")).into_response()
        }
        "2200000000000038" => {
            // The bank never answers: the payment stays pending until it expires.
            p.api.status = "pending".into();
            message(
                "Банк не ответил",
                "Результат платежа пока неизвестен. СЭП сообщит, когда он станет известен; повторно не оплачивайте.",
                "",
                &return_url,
                StatusCode::ACCEPTED,
            )
        }
        _ => {
            // No 3-D Secure: the money is held; the portal confirms the payer and captures.
            p.api.status = WAITING.into();
            Redirect::to(&return_url).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "threeds.html")]
struct ThreeDsPage {
    id: String,
    amount: String,
    error: Option<(String, &'static str)>,
}

/// `GET /pay/{id}/3ds`.
async fn threeds_page(State(s): State<PayState>, Path(id): Path<String>) -> Response {
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    if p.code.is_none() || current(p, OffsetDateTime::now_utc()).status != "pending" {
        return Redirect::to(&p.new.return_url).into_response();
    }
    page(&ThreeDsPage { id, amount: rubles(p.new.amount), error: None })
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /pay/{id}/3ds`: three tries.
async fn threeds_submit(State(s): State<PayState>, Path(id): Path<String>, Form(f): Form<CodeForm>) -> Response {
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    let return_url = p.new.return_url.clone();
    // A code entered after the payment expired confirms nothing.
    if current(p, OffsetDateTime::now_utc()).status != "pending" {
        p.code = None;
        return Redirect::to(&return_url).into_response();
    }
    let Some((code, left)) = p.code.clone() else { return Redirect::to(&return_url).into_response() };
    if sep_core::ids::ct_eq(f.code.trim().as_bytes(), code.as_bytes()) {
        p.code = None;
        finish(&s, p, "succeeded", None);
        return Redirect::to(&return_url).into_response();
    }
    if left <= 1 {
        p.code = None;
        finish(&s, p, "failed", Some(("P0010", "Неверный код подтверждения")));
        return Redirect::to(&return_url).into_response();
    }
    p.code = Some((code, left - 1));
    let page = page(&ThreeDsPage {
        id,
        amount: rubles(p.new.amount),
        error: Some((format!("Неверный код. Осталось попыток: {}.", left - 1), "threeds_code_wrong")),
    });
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    messages: Vec<String>,
}

/// `GET /outbox`: the 3-D Secure codes "sent", newest first.
async fn outbox(State(s): State<PayState>) -> Response {
    let messages = s.lock().outbox.iter().rev().take(50).cloned().collect();
    page(&OutboxPage { messages })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_cards_pass_luhn_and_a_changed_digit_does_not() {
        for c in ["2200000000000004", "2200000000000012", "2200000000000020", "2200000000000038"] {
            assert!(luhn(c), "{c}");
        }
        assert!(!luhn("2200000000000005"));
        assert!(!luhn(""));
        assert_eq!(masked("2200000000000004"), "2200 00•• •••• 0004");
    }
}
