//! СЭП web layer: thin axum handlers over the core, two error presenters (HTML and JSON),
//! and the operational endpoints. Business rules do not live here.

mod api;
mod assets;
pub mod auth;
pub mod delivery;
mod error;
mod extract;
pub mod i18n;
pub mod ops;
pub mod pay;
pub mod session;
mod ui;
pub mod webhooks;

use axum::Router;
use axum::routing::{get, post};
use sep_core::clock::Clock;
use sep_core::store::Store;
use std::sync::Arc;
use std::time::Duration;

pub use sep_http::{Brand, CSP_STRICT, Problem, client, middleware, server};

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// A request running longer than this is cut off with 503.
    pub request_timeout: Duration,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// A request body that stops arriving for this long is refused with 408.
    pub body_idle_timeout: Duration,
    /// How long `/readyz` waits for the database.
    pub ready_timeout: Duration,
    /// Session timeouts and cookie settings.
    pub sessions: session::SessionConfig,
    /// Show the outgoing-message queue at `/outbox` (demo only: it holds codes).
    pub demo_outbox: bool,
    /// The portal's public address, for links in e-mails.
    pub public_url: String,
    /// Who may read `/metrics` (nobody unless configured).
    pub metrics: ops::metrics::MetricsAccess,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<sep_http::client::Net>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            // The largest document type allows 10 MB; multipart adds a little.
            max_body_bytes: 11 * 1024 * 1024,
            body_idle_timeout: Duration::from_secs(10),
            ready_timeout: Duration::from_secs(2),
            sessions: session::SessionConfig::default(),
            demo_outbox: false,
            public_url: "http://127.0.0.1:8080".into(),
            metrics: ops::metrics::MetricsAccess::Closed,
            trusted_proxies: vec![],
        }
    }
}

impl WebConfig {
    /// The middleware stack's limits.
    pub fn limits(&self) -> sep_http::Limits {
        sep_http::Limits {
            request_timeout: self.request_timeout,
            max_body_bytes: self.max_body_bytes,
            body_idle_timeout: self.body_idle_timeout,
            trusted_proxies: self.trusted_proxies.clone().into(),
        }
    }
}

/// The portal's brand.
pub static PORTAL: Brand = Brand {
    name: "Система электронных услуг",
    mark: "СЭП",
    stylesheet: "/assets/site.css",
    csp: CSP_STRICT,
    texts: &i18n::TEXTS,
};

/// Everything handlers share: one allocation behind an `Arc`, so that the copy each extractor
/// takes is one reference count rather than a count per part (issue 20: the clones and drops
/// of the parts were 6 % of a signed-in page). Reads reach the parts through `Deref`; a
/// builder that changes one (`state.pay = …`) gets its own copy first.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }
}

/// The parts of [`AppState`].
#[derive(Clone)]
pub struct Shared {
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
    /// Checks signatures against the trusted authorities.
    pub signatures: Arc<dyn sep_core::signature::SignatureChecker>,
    /// The authority behind the cloud signature, when this portal has one.
    pub cloud: Option<Arc<dyn sep_core::signing::Authority>>,
    /// Per-address limits of work anyone can start.
    pub throttles: Throttles,
    /// The kinds of справка.
    pub kinds: Arc<sep_core::spravka::Kinds>,
    /// ГИС ГМП: the charges register (the built-in emulator until a real adapter is set).
    pub charges: Arc<dyn sep_core::payment::ChargeRegistry>,
    /// The payment provider, when this portal takes payments.
    pub pay: Option<pay::PayLink>,
    /// ФНС: ЕГРЮЛ and ЕГРИП, for the mailbox's counterparties (the emulator until an adapter).
    pub fns: Arc<dyn sep_core::registry::TaxRegistry>,
    /// МВД's register of passports: the e-passport is checked against it at login.
    pub mvd: Arc<dyn sep_core::registry::PassportRegistry>,
    /// Posts webhook messages, and checks subscriptions' addresses.
    pub webhooks: Arc<dyn sep_core::integration::webhook::deliver::Sender>,
    /// The e-passport's keys and published lists, when the authority is there.
    pub passports: Option<Arc<sep_core::passport::publish::Publisher>>,
}

/// Per-address limits (SECURITY.md: per-IP throttling): each budget its own, so checking
/// signatures does not use up logins.
#[derive(Clone)]
pub struct Throttles {
    /// `/verify`: 30 checks a minute per address.
    pub verify: sep_http::throttle::Throttle,
    /// `/login`: 60 starts a minute per address (each writes a row and calls the provider).
    pub login: sep_http::throttle::Throttle,
    /// Uploads (every multipart form): 60 a minute per person, bursts of 60.
    pub uploads: sep_http::throttle::Throttle,
    /// Searches (`/services?q=`, `/documents?q=`): 120 a minute per address, bursts of 60.
    pub searches: sep_http::throttle::Throttle,
    /// Справка orders (each a row, a job and registry calls): 6 a minute per person, bursts of 20.
    pub orders: sep_http::throttle::Throttle,
    /// Reports of the personal account (each a PDF or a workbook drawn): 20 a minute per
    /// person.
    pub reports: sep_http::throttle::Throttle,
    /// Payment confirmation codes sent by SMS: 10 a minute per person (three per payment
    /// besides).
    pub codes: sep_http::throttle::Throttle,
    /// The authorization server's endpoints: 60 a minute per address (a guessed secret costs
    /// a try).
    pub oauth: sep_http::throttle::Throttle,
    /// A registered client's API calls: 600 a minute, bursts of 120, per client.
    pub clients: sep_http::throttle::Throttle,
}

impl Default for Throttles {
    fn default() -> Self {
        use sep_http::throttle::Throttle;
        Self {
            verify: Throttle::new(30, 30),
            login: Throttle::new(60, 60),
            uploads: Throttle::new(60, 60),
            searches: Throttle::new(120, 60),
            orders: Throttle::new(6, 20),
            reports: Throttle::new(20, 20),
            codes: Throttle::new(10, 10),
            oauth: Throttle::new(60, 60),
            clients: Throttle::new(600, 120),
        }
    }
}

impl AppState {
    /// The state with what the portal always needs; no authority is trusted until
    /// [`AppState::trusting`] says which.
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: WebConfig,
        auth: Option<Arc<auth::RelyingParty>>,
        catalogue: Arc<sep_core::catalogue::Catalogue>,
        files: Arc<dyn sep_core::application::attachment::FileStore>,
    ) -> Self {
        Self(Arc::new(Shared {
            store,
            clock,
            config: Arc::new(config),
            auth,
            catalogue,
            files,
            signatures: Arc::new(sep_crypto::verify::TrustList::default()),
            cloud: None,
            throttles: Throttles::default(),
            kinds: Arc::new(sep_core::spravka::Kinds::default()),
            charges: Arc::new(sep_core::registry::emulator::EmulatedRegistries::new()),
            pay: None,
            fns: Arc::new(sep_core::registry::emulator::EmulatedRegistries::new()),
            mvd: Arc::new(sep_core::registry::emulator::EmulatedRegistries::new()),
            webhooks: Arc::new(webhooks::HttpSender::new(false)),
            passports: None,
        }))
    }

    /// The same state publishing the e-passport's lists made by `publisher`.
    #[must_use]
    pub fn passporting(mut self, publisher: Arc<sep_core::passport::publish::Publisher>) -> Self {
        self.passports = Some(publisher);
        self
    }

    /// The same state posting webhooks through `sender`.
    #[must_use]
    pub fn hooking(mut self, sender: Arc<dyn sep_core::integration::webhook::deliver::Sender>) -> Self {
        self.webhooks = sender;
        self
    }

    /// The same state checking e-passports against `mvd` at login.
    #[must_use]
    pub fn checking_passports(mut self, mvd: Arc<dyn sep_core::registry::PassportRegistry>) -> Self {
        self.mvd = mvd;
        self
    }

    /// The same state asking `fns` about organisations and entrepreneurs.
    #[must_use]
    pub fn registering(mut self, fns: Arc<dyn sep_core::registry::TaxRegistry>) -> Self {
        self.fns = fns;
        self
    }

    /// The same state taking payments through `link`.
    #[must_use]
    pub fn paying(mut self, link: pay::PayLink) -> Self {
        self.pay = Some(link);
        self
    }

    /// The same state reading charges from `registry`.
    #[must_use]
    pub fn charging(mut self, registry: Arc<dyn sep_core::payment::ChargeRegistry>) -> Self {
        self.charges = registry;
        self
    }

    /// The same state offering these kinds of справка.
    #[must_use]
    pub fn issuing(mut self, kinds: Arc<sep_core::spravka::Kinds>) -> Self {
        self.kinds = kinds;
        self
    }

    /// The same state checking signatures with `checker`.
    #[must_use]
    pub fn trusting(mut self, checker: Arc<dyn sep_core::signature::SignatureChecker>) -> Self {
        self.signatures = checker;
        self
    }

    /// The same state issuing cloud-signature certificates and signing through `authority`.
    #[must_use]
    pub fn signing_with(mut self, authority: Arc<dyn sep_core::signing::Authority>) -> Self {
        self.cloud = Some(authority);
        self
    }
}

/// The portal's CSP: [`CSP_STRICT`], with the identity provider's origin allowed as a form
/// target (logout posts here and is redirected to the provider's logout).
fn portal_csp(targets: &[&str]) -> http::HeaderValue {
    let origins: Vec<String> = targets
        .iter()
        .filter_map(|i| openidconnect::url::Url::parse(i).ok())
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
        .collect();
    if origins.is_empty() {
        return http::HeaderValue::from_static(CSP_STRICT);
    }
    let csp = CSP_STRICT.replace("form-action 'self'", &format!("form-action 'self' {}", origins.join(" ")));
    http::HeaderValue::from_str(&csp).unwrap_or(http::HeaderValue::from_static(CSP_STRICT))
}

/// The portal's router with every middleware applied.
pub fn router(state: AppState) -> Router {
    // Install the recorder before the first request so that request is counted too.
    sep_http::metrics::handle();
    // The services' own English (their `[en]` tables) joins the interface's.
    i18n::add_data(state.catalogue.search("").into_iter().flat_map(|s| s.en.clone()));
    i18n::add_data(state.kinds.all().iter().flat_map(|k| k.en.clone()));
    let routes = Router::new()
        .merge(public_routes())
        .merge(auth_routes())
        .merge(cabinet_routes(state.config.max_body_bytes))
        .merge(application_routes(state.config.max_body_bytes))
        .merge(officer_routes(state.config.max_body_bytes))
        .merge(verify_routes(state.config.max_body_bytes))
        .merge(signing_routes(state.config.max_body_bytes))
        .merge(spravki_routes())
        .merge(passport_routes())
        .merge(payment_routes())
        .merge(mail_routes(state.config.max_body_bytes))
        .merge(integration_routes(state.config.max_body_bytes))
        .route("/assets/{file}", get(assets::serve))
        .route("/healthz", get(ops::health::live))
        .route("/readyz", get(ops::health::ready))
        .route("/metrics", get(ops::metrics::metrics))
        .fallback(ui::public::not_found::page)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(i18n::scope));
    // Forms lead to the identity provider (logout) and the payment provider (paying).
    let targets: Vec<&str> = state
        .auth
        .as_ref()
        .map(|rp| rp.issuer())
        .into_iter()
        .chain(state.pay.as_ref().map(|p| p.origin.as_str()))
        .collect();
    let csp = portal_csp(&targets);
    middleware::apply_with_csp(routes, state.config.limits(), &PORTAL, csp)
}

/// Pages anyone may open: home, catalogue, help, the language switch, the demo outbox.
fn public_routes() -> Router<AppState> {
    use ui::{help, public};
    Router::new()
        .route("/", get(public::home::page))
        .route("/services", get(public::services::list))
        .route("/services/{code}", get(public::services::show))
        .route("/help", get(help::pages::index))
        .route("/help/errors", get(help::pages::errors))
        .route("/lang", get(i18n::switch))
        .route("/outbox", get(public::outbox::page))
}

/// Login, re-linking, the terms and logout.
fn auth_routes() -> Router<AppState> {
    use ui::auth::{account, login, relink};
    Router::new()
        .route("/login", get(login::start))
        .route("/login/callback", get(login::callback))
        .route("/relink/send", post(relink::send))
        .route("/relink/code", get(relink::code_form).post(relink::confirm))
        .route("/terms", get(account::terms).post(account::accept_terms))
        .route("/logout", post(account::logout))
}

/// The cabinet, its live news, history, sessions, settings and the profile's contacts.
fn cabinet_routes(max_body: usize) -> Router<AppState> {
    use ui::cabinet::{history, live, page, sessions, settings};
    use ui::profile::contacts;
    Router::new()
        .route("/cabinet", get(page::page))
        .route("/notices/read", post(page::mark_read))
        .route("/events", get(live::stream))
        .route("/history", get(history::history))
        .route("/documents", get(ui::documents::archive::page))
        .route("/documents/zip", post(ui::documents::archive::zip))
        .route("/documents/issued/{id}", get(ui::documents::issued::file))
        .route(
            "/documents/replace",
            post(ui::documents::archive::replace).layer(axum::extract::DefaultBodyLimit::max(max_body)),
        )
        .route("/sessions", get(sessions::list))
        .route("/sessions/end", post(sessions::end))
        .route("/settings", get(settings::page).post(settings::save))
        .route("/settings/login-protection", post(settings::login_protection))
        .route("/prefs.css", get(settings::stylesheet))
        .route("/profile/contacts", get(contacts::page))
        .route("/profile/contacts/sms/confirm", post(contacts::confirm_sms))
        .route("/profile/contacts/email/confirm", get(contacts::confirm_email))
        .route("/profile/contacts/{channel}", post(contacts::request))
}

/// An applicant's applications; uploads take bodies up to `max_body` bytes.
fn application_routes(max_body: usize) -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use ui::applications::{check, contacts, documents, form, import, list, messages, withdraw};
    Router::new()
        .route("/applications", get(list::list).post(form::create))
        .route("/applications/import", get(import::page).post(import::upload).layer(DefaultBodyLimit::max(max_body)))
        .route("/applications/import/{operation}", get(import::progress))
        .route("/applications/import/{operation}/status", get(import::status))
        .route("/applications/{id}", get(form::show).post(form::save))
        .route("/applications/{id}/check", get(check::check))
        .route("/applications/{id}/submit", post(check::submit))
        .route("/applications/{id}/withdraw", post(withdraw::withdraw))
        .route("/applications/{id}/contacts/{channel}", post(contacts::send))
        .route("/applications/{id}/contacts/sms/confirm", post(contacts::confirm_sms))
        .route("/applications/{id}/contacts/email/confirm", get(contacts::confirm_email))
        .route("/applications/{id}/documents", post(documents::upload).layer(DefaultBodyLimit::max(max_body)))
        .route("/applications/{id}/attachments/{file}", get(messages::attachment))
        .route("/applications/{id}/attachments/{file}/delete", post(documents::delete))
        .route("/applications/{id}/sign", post(check::sign))
        .route("/applications/{id}/fee", post(check::fee))
        .route("/applications/{id}/sms-code", post(check::sms_send))
        .route("/applications/{id}/sms-code/confirm", post(check::sms_confirm))
        .route("/applications/{id}/statement.json", get(check::statement))
        .route("/applications/{id}/messages", post(messages::post).layer(DefaultBodyLimit::max(max_body)))
        .route("/applications/{id}/messages/{message}/file", get(messages::message_file))
}

/// Public verification of signatures.
/// The electronic signature: the certificate page, signing with an SMS code, `.sig` files,
/// signatures made elsewhere.
fn signing_routes(max_body: usize) -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use ui::signing::{certificate, sign, upload};
    Router::new()
        .route("/signature", get(certificate::page))
        .route("/signature/certificate", post(certificate::obtain))
        .route("/signature/certificate.cer", get(certificate::file))
        .route("/signature/revoke", post(certificate::revoke))
        .route("/documents/sign", post(sign::start))
        .route("/documents/sign/{id}", get(sign::page).post(sign::confirm))
        .route("/documents/signatures/{id}", get(sign::file))
        .route("/documents/signatures", post(upload::add_signature).layer(DefaultBodyLimit::max(max_body)))
}

/// «Справки»: ordering, the orders, the signed PDF and its `.sig`.
fn spravki_routes() -> Router<AppState> {
    use ui::spravki::{order, show};
    Router::new()
        .route("/spravki", get(order::page).post(order::place))
        .route("/spravki/{id}", get(show::show))
        .route("/spravki/{id}/status", get(show::status))
        .route("/spravki/{id}/pdf", get(show::pdf))
        .route("/spravki/{id}/sig", get(show::sig))
        .route("/spravki/{id}/zip", get(show::pair))
}

/// «Электронный паспорт»: the holder's card, photo and QR code; the public check and the
/// lists verifiers cache.
fn passport_routes() -> Router<AppState> {
    use ui::passport::{card, check};
    Router::new()
        .route("/passport", get(card::page))
        .route("/passport/{id}/photo", get(card::photo))
        .route("/passport/{id}/qr", get(card::qr_page))
        .route("/passport/{id}/qr.svg", get(card::qr_svg))
        .route("/passport/{id}/qr.png", get(card::qr_png))
        .route("/passport/verify", get(check::form).post(check::check))
        .route("/passport/sw.js", get(assets::passport_worker))
        .route("/.well-known/sep/trust-list", get(check::trust_list))
        .route("/.well-known/sep/annulments", get(check::annulments))
}

/// «Электронный ящик»: the folders, conversations, writing (multipart, up to `max_body`
/// bytes), files, «Архив», counterparties.
fn mail_routes(max_body: usize) -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use ui::mail::{boxes, counterparties, sign, write};
    let limit = DefaultBodyLimit::max(max_body);
    Router::new()
        .route("/mail", get(boxes::index).post(write::send).layer(limit))
        .route("/mail/new", get(write::form))
        .route("/mail/counterparties", get(counterparties::list).post(counterparties::add))
        .route("/mail/counterparties/remove", post(counterparties::remove))
        .route("/mail/letters/{letter}/files/{n}", get(boxes::file))
        .route("/mail/letters/{letter}/zip", get(boxes::zip))
        .route("/mail/letters/{letter}/text", get(boxes::text))
        .route("/mail/letters/{letter}/signatures/{n}", get(boxes::signature))
        .route("/mail/letters/{letter}/receipt", get(boxes::receipt))
        .route("/mail/drafts", post(write::autosave))
        .route("/mail/drafts/{draft}/delete", post(write::discard))
        .route("/mail/drafts/{draft}/files/{n}/delete", post(write::remove_file))
        .route("/mail/sign/{signing}", get(sign::page).post(sign::confirm))
        .route("/mail/{conversation}", get(boxes::conversation))
        .route("/mail/{conversation}/reply", post(write::reply).layer(limit))
        .route("/mail/{conversation}/archive", post(boxes::archive))
}

/// «Токены доступа» and the integration API (`/api/v1`, personal access tokens).
fn integration_routes(max_body: usize) -> Router<AppState> {
    use ui::integration::tokens;
    Router::new()
        .route("/tokens", get(tokens::list).post(tokens::issue))
        .route("/tokens/{token}/revoke", post(tokens::revoke))
        .route("/tokens/integrations/{client}/disable", post(tokens::disable))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/docs", get(api::docs::page))
        .route("/.well-known/oauth-authorization-server", get(api::oauth::metadata))
        .route("/oauth/token", post(api::oauth::token))
        .route("/oauth/revoke", post(api::oauth::revoke))
        .route("/oauth/introspect", post(api::oauth::introspect))
        .route("/integration/register", post(api::register::register))
        .route("/oauth/authorize", get(ui::integration::access::consent).post(ui::integration::access::decide))
        .route("/access", get(ui::integration::access::list))
        .route("/access/{grant}/revoke", post(ui::integration::access::withdraw))
        .route("/api/v1/applications", get(api::v1::applications::list).post(api::v1::applications::write::create))
        .route("/api/v1/applications/{id}", get(api::v1::applications::get).patch(api::v1::applications::write::update))
        .route(
            "/api/v1/applications/import",
            post(api::v1::operations::import).layer(axum::extract::DefaultBodyLimit::max(max_body)),
        )
        .route("/api/v1/operations/{operation}", get(api::v1::operations::get))
        .route("/api/v1/applications/{id}/submit", post(api::v1::applications::write::send))
        .route("/api/v1/applications/{id}/withdraw", post(api::v1::applications::write::withdraw))
        .route("/api/v1/documents", get(api::v1::documents::list))
        .route("/api/v1/documents/{key}", get(api::v1::documents::get))
        .route(
            "/api/v1/applications/{id}/documents/{document}",
            post(api::v1::documents::upload).layer(axum::extract::DefaultBodyLimit::max(max_body)),
        )
        .route("/api/v1/documents/{key}/file", get(api::v1::documents::file))
        .route("/api/v1/passports/verify", post(api::v1::passports::verify))
        .route("/api/v1/agency/applications", get(api::v1::agency::queue))
        .route("/api/v1/agency/applications/{id}", get(api::v1::agency::get))
        .route("/api/v1/agency/applications/{id}/take", post(api::v1::agency::take))
        .route("/api/v1/agency/applications/{id}/decide", post(api::v1::agency::decide))
        .route("/api/v1/mail", get(api::v1::mail::list).post(api::v1::mail::send))
        .route("/api/v1/mail/recipients", get(api::v1::mail::recipients))
        .route("/api/v1/mail/{conversation}", get(api::v1::mail::read))
        .route("/api/v1/charges", get(api::v1::payments::charges))
        .route("/api/v1/charges/{uin}", get(api::v1::payments::one))
        .route("/api/v1/payments", get(api::v1::payments::payments))
        .route("/api/v1/spravki", get(api::v1::spravki::list).post(api::v1::spravki::order))
        .route("/api/v1/spravki/kinds", get(api::v1::spravki::kinds))
        .route("/api/v1/spravki/{order}", get(api::v1::spravki::get))
        .route("/api/v1/spravki/{order}/file", get(api::v1::spravki::file))
        .route("/api/v1/spravki/{order}/signature", get(api::v1::spravki::signature))
        .route("/api/v1/webhooks", get(api::v1::webhooks::list).post(api::v1::webhooks::create))
        .route("/api/v1/webhooks/{endpoint}", get(api::v1::webhooks::get).delete(api::v1::webhooks::delete))
        .route("/api/v1/webhooks/{endpoint}/rotate", post(api::v1::webhooks::rotate))
        .route("/api/v1/webhooks/{endpoint}/enable", post(api::v1::webhooks::enable))
        .route("/api/v1/webhooks/{endpoint}/messages", get(api::v1::webhooks::messages))
        .route("/api/v1/webhooks/{endpoint}/messages/{message}/replay", post(api::v1::webhooks::replay))
        .route("/api/v1/webhooks/{endpoint}/recover", post(api::v1::webhooks::recover))
        // No token is taken from an address, on any of these routes.
        .route_layer(axum::middleware::from_fn(api::no_token_in_query))
}

/// «Начисления и платежи» and «Оплата по УИН» (without login).
fn payment_routes() -> Router<AppState> {
    use ui::payments::{account, charges, paying, uin};
    Router::new()
        .route("/payments", get(charges::list))
        .route("/payments/uin", get(uin::page))
        .route("/payments/charges/{uin}", get(charges::show))
        .route("/payments/charges/{uin}/qr.png", get(charges::qr_png))
        .route("/payments/charges/{uin}/pay", post(paying::pay))
        .route("/payments/result/{id}", get(paying::result))
        .route("/payments/result/{id}/code", post(paying::send_code))
        .route("/payments/result/{id}/confirm", post(paying::confirm_code))
        .route("/payments/callback", post(paying::callback))
        .route("/payments/account", get(account::page))
        .route("/payments/account/refunds", post(account::refund))
        .route("/payments/account/alerts", post(account::alerts))
        .route("/payments/account/report", get(account::report))
        .route("/payments/account/cards/{id}/delete", post(account::remove_card))
}

fn verify_routes(max_body: usize) -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use ui::verify::page;
    Router::new()
        .route("/verify", get(page::form).post(page::check).layer(DefaultBodyLimit::max(max_body)))
        .route("/verify/ca.pem", get(page::authorities))
        .route("/verify/document", get(page::find))
        .route("/verify/{number}", get(page::issued).post(page::compare).layer(DefaultBodyLimit::max(max_body)))
}

/// The officer's workspace.
fn officer_routes(max_body: usize) -> Router<AppState> {
    use ui::officer::{application, passports, queue, spravki};
    Router::new()
        .route("/officer", get(queue::queue))
        .route("/officer/applications/{id}", get(application::show))
        .route("/officer/applications/{id}/take", post(application::take))
        .route("/officer/applications/{id}/decide", post(application::decide))
        .route("/officer/applications/{id}/issued/{doc}/annul", post(application::annul))
        .route("/officer/passports", get(passports::find))
        .route("/officer/passports/{id}/annul", post(passports::annul))
        .route("/officer/spravki", get(spravki::find))
        .route("/officer/spravki/{number}/annul", post(spravki::annul))
        .route(
            "/officer/applications/{id}/issue",
            post(application::issue).layer(axum::extract::DefaultBodyLimit::max(max_body)),
        )
}

#[cfg(test)]
mod layout {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// The module a file belongs to: a top-level module, or `ui/<area>`.
    fn module_of(rel: &Path) -> Option<String> {
        let parts: Vec<String> = rel.with_extension("").iter().map(|p| p.to_string_lossy().into_owned()).collect();
        match parts.as_slice() {
            [one] if one == "lib" => None,
            [ui, area, ..] if ui == "ui" && area != "mod" => Some(format!("ui/{area}")),
            [first, ..] => Some(first.clone()),
            [] => None,
        }
    }

    /// Which modules each module names with `crate::…` (outside its tests).
    fn references() -> BTreeMap<String, BTreeSet<String>> {
        fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, BTreeSet<String>>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, root, out);
                    continue;
                }
                let Some(module) = module_of(path.strip_prefix(root).unwrap()) else { continue };
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                let refs = out.entry(module.clone()).or_default();
                for part in code.split("crate::").skip(1) {
                    let mut names = part
                        .split("::")
                        .map(|n| n.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>());
                    let first = names.next().unwrap_or_default();
                    let target = if first == "ui" { format!("ui/{}", names.next().unwrap_or_default()) } else { first };
                    if target != module && !target.is_empty() && target.chars().next().is_some_and(char::is_lowercase) {
                        refs.insert(target);
                    }
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut out = BTreeMap::new();
        walk(&root, &root, &mut out);
        out
    }

    /// Areas of the pages never import each other (shared pieces are in `ui/components`), and
    /// no two modules of the crate import each other, directly or around a loop.
    #[test]
    fn areas_stand_alone_and_modules_form_no_cycle() {
        let refs = references();
        assert!(refs.contains_key("ui/applications") && refs.contains_key("extract"), "{refs:?}");
        for (module, targets) in &refs {
            for t in targets {
                if module.starts_with("ui/") && t.starts_with("ui/") {
                    assert_eq!(t, "ui/components", "{module} imports the area {t}");
                }
            }
        }
        for start in refs.keys() {
            let mut seen = BTreeSet::new();
            let mut todo: Vec<&String> = refs[start].iter().collect();
            while let Some(m) = todo.pop() {
                assert_ne!(m, start, "{start} reaches itself through its imports");
                if seen.insert(m.clone()) {
                    todo.extend(refs.get(m).into_iter().flatten());
                }
            }
        }
    }
}
