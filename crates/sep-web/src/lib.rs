//! СЭП web layer: thin axum handlers over the core, two error presenters (HTML and JSON),
//! and the operational endpoints. Business rules do not live here.

mod assets;
pub mod auth;
pub mod client;
pub mod delivery;
pub mod i18n;
pub mod middleware;
mod ops;
mod problem;
pub mod server;
pub mod session;
mod ui;

use axum::Router;
use axum::routing::get;
use sep_core::clock::Clock;
use sep_core::store::Store;
use std::sync::Arc;
use std::time::Duration;

pub use problem::Problem;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// A request running longer than this is cut off with 503.
    pub request_timeout: Duration,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// How long `/readyz` waits for the database.
    pub ready_timeout: Duration,
    /// Session timeouts and cookie settings.
    pub sessions: session::SessionConfig,
    /// Show the outgoing-message queue at `/outbox` (demo only: it holds codes).
    pub demo_outbox: bool,
    /// The portal's public address, for links in e-mails.
    pub public_url: String,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            // The largest document type allows 10 MB; multipart adds a little.
            max_body_bytes: 11 * 1024 * 1024,
            ready_timeout: Duration::from_secs(2),
            sessions: session::SessionConfig::default(),
            demo_outbox: false,
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// Whose site an error page belongs to (the portal or the Госуслуги emulator).
#[derive(Debug)]
pub struct Brand {
    /// Site name in the header and the title.
    pub name: &'static str,
    /// Short mark in the logo box.
    pub mark: &'static str,
    /// Stylesheet path.
    pub stylesheet: &'static str,
    /// The Content-Security-Policy of every response.
    pub csp: &'static str,
}

/// The strict policy: everything from this origin only, forms post only here, no framing.
pub const CSP_STRICT: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The portal's brand.
pub static PORTAL: Brand =
    Brand {
        name: "Система электронных услуг", mark: "СЭП", stylesheet: "/assets/site.css", csp: CSP_STRICT
    };

/// Everything handlers share.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Settings.
    pub config: Arc<WebConfig>,
    /// The identity provider, when one is configured.
    pub auth: Option<Arc<auth::RelyingParty>>,
    /// The service catalogue.
    pub catalogue: Arc<sep_core::catalogue::Catalogue>,
    /// Where attached files live.
    pub files: Arc<dyn sep_core::application::attachment::FileStore>,
}

/// The portal's CSP: [`CSP_STRICT`], with the identity provider's origin allowed as a form
/// target (logout posts here and is redirected to the provider's logout).
fn portal_csp(issuer: Option<&str>) -> http::HeaderValue {
    let origin = issuer.and_then(|i| openidconnect::url::Url::parse(i).ok()).map(|u| u.origin().ascii_serialization());
    match origin {
        Some(o) if o != "null" => {
            let csp = CSP_STRICT.replace("form-action 'self'", &format!("form-action 'self' {o}"));
            http::HeaderValue::from_str(&csp).unwrap_or(http::HeaderValue::from_static(CSP_STRICT))
        }
        _ => http::HeaderValue::from_static(CSP_STRICT),
    }
}

/// The portal's router with every middleware applied.
pub fn router(state: AppState) -> Router {
    // Install the recorder before the first request so that request is counted too.
    ops::metrics::handle();
    // The services' own English (their `[en]` tables) joins the interface's.
    i18n::add_data(state.catalogue.search("").into_iter().flat_map(|s| s.en.clone()));
    let routes = Router::new()
        .route("/", get(ui::home::page))
        .route("/login", get(ui::login::start))
        .route("/login/callback", get(ui::login::callback))
        .route("/help", get(ui::help::index))
        .route("/help/errors", get(ui::help::errors))
        .route("/terms", get(ui::account::terms).post(ui::account::accept_terms))
        .route("/cabinet", get(ui::cabinet::page))
        .route("/notices/read", axum::routing::post(ui::cabinet::mark_read))
        .route("/events", get(ui::live::stream))
        .route("/lang", get(i18n::switch))
        .route("/settings", get(ui::settings::page).post(ui::settings::save))
        .route("/profile/contacts", get(ui::profile::page))
        .route("/profile/contacts/sms/confirm", axum::routing::post(ui::profile::confirm_sms))
        .route("/profile/contacts/email/confirm", get(ui::profile::confirm_email))
        .route("/profile/contacts/{channel}", axum::routing::post(ui::profile::request))
        .route("/prefs.css", get(ui::settings::stylesheet))
        .route("/history", get(ui::account::history))
        .route("/sessions", get(ui::sessions::list))
        .route("/outbox", get(ui::outbox::page))
        .route("/applications", get(ui::applications::list).post(ui::applications::create))
        .route("/applications/{id}", get(ui::applications::show).post(ui::applications::save))
        .route("/applications/{id}/check", get(ui::applications::check))
        .route("/applications/{id}/contacts/{channel}", axum::routing::post(ui::contacts::send))
        .route("/applications/{id}/contacts/sms/confirm", axum::routing::post(ui::contacts::confirm_sms))
        .route("/applications/{id}/contacts/email/confirm", get(ui::contacts::confirm_email))
        .route("/applications/{id}/submit", axum::routing::post(ui::applications::submit))
        .route(
            "/applications/{id}/messages",
            axum::routing::post(ui::messages::post)
                .layer(axum::extract::DefaultBodyLimit::max(state.config.max_body_bytes)),
        )
        .route("/applications/{id}/withdraw", axum::routing::post(ui::withdraw::withdraw))
        .route("/applications/{id}/messages/{message}/file", get(ui::messages::message_file))
        .route("/applications/{id}/attachments/{file}", get(ui::messages::attachment))
        .route("/applications/{id}/attachments/{file}/delete", axum::routing::post(ui::documents::delete))
        .route(
            "/applications/{id}/documents",
            axum::routing::post(ui::documents::upload)
                .layer(axum::extract::DefaultBodyLimit::max(state.config.max_body_bytes)),
        )
        .route("/officer", get(ui::officer::queue))
        .route("/officer/applications/{id}", get(ui::officer::show))
        .route("/officer/applications/{id}/take", axum::routing::post(ui::officer::take))
        .route("/officer/applications/{id}/decide", axum::routing::post(ui::officer::decide))
        .route("/services", get(ui::services::list))
        .route("/services/{code}", get(ui::services::show))
        .route("/relink/send", axum::routing::post(ui::relink::send))
        .route("/relink/code", get(ui::relink::code_form).post(ui::relink::confirm))
        .route("/sessions/end", axum::routing::post(ui::sessions::end))
        .route("/logout", axum::routing::post(ui::account::logout))
        .route("/assets/{file}", get(assets::serve))
        .route("/healthz", get(ops::health::live))
        .route("/readyz", get(ops::health::ready))
        .route("/metrics", get(ops::metrics::render))
        .fallback(ui::not_found::page)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(i18n::scope));
    let csp = portal_csp(state.auth.as_ref().map(|rp| rp.issuer()));
    middleware::apply_with_csp(routes, &state.config, &PORTAL, csp)
}
