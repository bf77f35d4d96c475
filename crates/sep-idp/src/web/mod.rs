//! The emulator's web pages: thin handlers over [`crate::LoginService`].

mod cookies;
mod esia;
mod login;
mod oidc;
mod outbox;
mod profile;
mod recovery;
mod register;

use crate::LoginService;
use crate::store::IdpStore;
use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use sep_http::{Brand, Problem};
use std::sync::Arc;

/// Everything the emulator's handlers share.
#[derive(Clone)]
pub struct IdpState {
    /// Login rules.
    pub login: LoginService,
    /// The OpenID Connect provider.
    pub oidc: crate::oidc::OidcService,
    /// Password recovery.
    pub recovery: crate::recovery::RecoveryService,
    /// Self-registration.
    pub registration: crate::registration::RegistrationService,
    /// Storage.
    pub store: Arc<dyn IdpStore>,
    /// Cookies with `Secure` and the `__Host-` prefix (when served over HTTPS).
    pub secure_cookies: bool,
    /// Attempts per client address at the password, recovery and registration forms.
    pub throttle: sep_http::throttle::Throttle,
    /// Where messages are stored (and e-mail relayed).
    pub outbox: crate::mail::Outbox,
    /// The bearer token of the message gateway `POST /outbox/deliver`; `None` turns it off.
    pub gateway_token: Option<String>,
}

impl IdpState {
    /// Every service of the emulator over `store`, with `issuer` as its public base URL
    /// (cookies get `Secure` and the `__Host-` prefix when it is `https://`).
    pub async fn new(
        store: Arc<dyn IdpStore>,
        clock: Arc<dyn sep_core::clock::Clock>,
        issuer: &str,
    ) -> Result<Self, sep_core::StoreError> {
        Self::with_relay(store, clock, issuer, None).await
    }

    /// As [`IdpState::new`], with e-mail also relayed through `relay`.
    pub async fn with_relay(
        store: Arc<dyn IdpStore>,
        clock: Arc<dyn sep_core::clock::Clock>,
        issuer: &str,
        relay: Option<Arc<crate::mail::SmtpRelay>>,
    ) -> Result<Self, sep_core::StoreError> {
        Self::with_options(store, clock, issuer, relay, crate::login::LoginConfig::default()).await
    }

    /// As [`IdpState::with_relay`], with the login's limits (lockout, codes, lifetimes).
    pub async fn with_options(
        store: Arc<dyn IdpStore>,
        clock: Arc<dyn sep_core::clock::Clock>,
        issuer: &str,
        relay: Option<Arc<crate::mail::SmtpRelay>>,
        login_config: crate::login::LoginConfig,
    ) -> Result<Self, sep_core::StoreError> {
        let outbox = crate::mail::Outbox::new(store.clone(), relay);
        let login = LoginService::new(store.clone(), clock.clone(), login_config)
            .map_err(|e| sep_core::StoreError::Other(e.to_string()))?
            .with_outbox(outbox.clone());
        let hasher = login.hasher().clone();
        let recovery =
            crate::recovery::RecoveryService::new(store.clone(), outbox.clone(), clock.clone(), hasher.clone());
        let registration =
            crate::registration::RegistrationService::new(store.clone(), outbox.clone(), clock.clone(), hasher);
        let oidc =
            crate::oidc::OidcService::new(store.clone(), clock, issuer, crate::oidc::OidcConfig::default()).await?;
        let secure_cookies = issuer.starts_with("https://");
        let throttle = sep_http::throttle::Throttle::default();
        Ok(Self { login, oidc, recovery, registration, store, secure_cookies, throttle, outbox, gateway_token: None })
    }

    /// Opens the message gateway to whoever presents `token`.
    #[must_use]
    pub fn with_gateway_token(mut self, token: &str) -> Self {
        self.gateway_token = Some(token.to_owned());
        self
    }
}

/// The emulator's look on error pages.
pub static GOSUSLUGI: Brand =
    Brand {
        name: "Госуслуги · эмулятор", mark: "Гу", stylesheet: "/assets/idp.css", csp: IDP_CSP, texts: &TEXTS
    };

/// The emulator's pages are Russian only, as the real Госуслуги's login pages are.
static TEXTS: std::sync::LazyLock<sep_http::i18n::Catalog> =
    std::sync::LazyLock::new(|| sep_http::i18n::Catalog::from_files(&[]));

/// The emulator's policy: as strict as the portal's but without `form-action`, because a
/// login or consent form ends in a redirect to the client's own address, and browsers apply
/// `form-action` to every redirect after a form submission.
const IDP_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const IDP_CSS: &str = include_str!("../../assets/idp.css");

async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], IDP_CSS)
        .into_response()
}

/// The page for an address that tried too often.
fn throttled(wait: std::time::Duration) -> Response {
    let mut p = Problem::rate_limited(wait).retry("/login", "Ко входу");
    p.title = "Слишком много попыток".into();
    p.detail = "С вашего адреса было слишком много попыток подряд, поэтому новые временно не принимаются.".into();
    p.action = "Подождите минуту и повторите. Если вы забыли пароль, воспользуйтесь восстановлением.".into();
    p.into_response()
}

/// Renders a template; a failure becomes the internal-error page.
fn render(t: &impl askama::Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            Problem::internal().into_response()
        }
    }
}

/// The emulator's router with the shared middleware stack.
pub fn router(state: IdpState, limits: sep_http::Limits) -> Router {
    let routes = Router::new()
        .route("/", get(profile::page))
        .route("/login", get(login::form).post(login::submit))
        .route("/login/code", get(login::code_form).post(login::code_submit))
        .route("/login/resend", post(login::resend))
        .route("/logout", post(login::logout))
        .route("/totp/setup", get(profile::totp_setup))
        .route("/totp/enable", post(profile::totp_enable))
        .route("/totp/disable", post(profile::totp_disable))
        .route("/recovery", get(recovery::form).post(recovery::submit))
        .route("/register", get(register::form).post(register::submit))
        .route("/register/code", get(register::code_form).post(register::code_submit))
        .route("/recovery/code", get(recovery::code_form).post(recovery::code_submit))
        .route("/.well-known/openid-configuration", get(oidc::discovery))
        .route("/jwks.json", get(oidc::jwks))
        .route("/authorize", get(oidc::authorize))
        .route("/authorize/continue", get(oidc::resume))
        .route("/authorize/consent", post(oidc::consent))
        .route("/token", post(oidc::token))
        .route("/userinfo", get(oidc::userinfo).post(oidc::userinfo))
        .route("/oidc/logout", get(oidc::end_session).post(oidc::end_session_confirmed))
        .route("/idp/ext/Logout", get(oidc::esia_end_session))
        .route("/aas/oauth2/v2/ac", get(esia::ac_v2))
        .route("/aas/oauth2/ac", get(esia::ac_legacy))
        .route("/aas/oauth2/v3/te", post(esia::te_v3))
        .route("/aas/oauth2/te", post(esia::te_legacy))
        .route("/aas/oauth2/cert", get(esia::certificate))
        .route("/rs/prns/{oid}", get(oidc::person))
        .route("/rs/prns/{oid}/{part}", get(oidc::person_collection))
        .route("/outbox", get(outbox::page))
        .route("/outbox.json", get(outbox::json))
        .route("/outbox/deliver", axum::routing::post(outbox::deliver))
        .route("/assets/idp.css", get(stylesheet))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { Problem::not_found() })
        .with_state(state);
    sep_http::middleware::apply(routes, limits, &GOSUSLUGI)
}
