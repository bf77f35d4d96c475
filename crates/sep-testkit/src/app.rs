//! `TestApp`: the portal router over a fresh database, driven in-process; and browsers on it,
//! anonymous or signed in without the round trip through the identity provider.
//!
//! A signed-in browser ([`Signed`]) is what the login leaves behind, made directly in the
//! store: the user (a person of [`sep_core::demo::PEOPLE`], linked to [`ISSUER`], journaled as
//! `user.created`), an open session (journaled as `auth.login`), and the terms of use accepted
//! through the portal's own `POST /terms`. Its requests carry the session cookie and come from
//! [`BROWSER_IP`]; its forms can carry the session's CSRF secret. Tests about the login itself
//! keep the real round trip on sockets.

use crate::db::{Backend, TestDb};
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use sep_core::application::review::{QUEUE, Reviewer};
use sep_core::audit::NewAuditEvent;
use sep_core::catalogue::Catalogue;
use sep_core::clock::{Clock, ManualClock};
use sep_core::demo::{DemoPerson, OFFICER_AGENCY, PEOPLE};
use sep_core::ident::{Email, Inn, Phone, RuDate, Snils};
use sep_core::ids::UserId;
use sep_core::registry::Registries;
use sep_core::registry::emulator::EmulatedRegistries;
use sep_core::session::{Session, SessionToken};
use sep_core::store::{Effects, NewUser};
use sep_core::user::{ExternalIdentity, Profile, Role, User};
use sep_web::session::{SESSION, cookie_name};
use sep_web::{AppState, WebConfig};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// The built-in service catalogue.
pub fn catalogue() -> Arc<Catalogue> {
    Arc::new(Catalogue::load(None).unwrap())
}

/// The key ring that seals the test apps' files.
pub const FILE_KEYS: &str = "t1:7e57000000000000000000000000000000000000000000000000000000000001";

/// A file store in a fresh temporary directory (left for the OS to clean), its files sealed
/// as `sep serve` seals them.
pub fn files() -> Arc<dyn sep_core::application::attachment::FileStore> {
    files_in(&std::env::temp_dir().join(format!("sep-files-{}", uuid::Uuid::new_v4().simple())))
}

/// A sealed file store in `dir`.
pub fn files_in(dir: &std::path::Path) -> Arc<dyn sep_core::application::attachment::FileStore> {
    let local = sep_core::application::attachment::LocalFileStore::new(dir.to_path_buf()).unwrap();
    let ring = sep_crypto::cloud::KeyRing::parse(FILE_KEYS).unwrap();
    Arc::new(sep_crypto::seal::SealedFiles::new(local, sep_crypto::seal::FileSeal::new(ring)))
}

/// The identity provider the users of a `TestApp` are linked to. Nothing answers there: the
/// sessions are opened in the store.
pub const ISSUER: &str = "http://idp.test";

/// Where a browser's requests come from (what the portal records as the client's address).
pub const BROWSER_IP: [u8; 4] = [127, 0, 0, 1];

/// A response read whole.
#[derive(Debug)]
pub struct TestResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: axum::http::HeaderMap,
    /// Body as text.
    pub text: String,
    /// Body as sent.
    pub bytes: Vec<u8>,
}

impl TestResponse {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Where a redirect leads; empty when it is not one.
    pub fn location(&self) -> &str {
        self.header("location").unwrap_or_default()
    }
}

/// The in-process application.
pub struct TestApp {
    /// Its database.
    pub db: TestDb,
    /// Its clock, movable by the test.
    pub clock: Arc<ManualClock>,
    /// The registries the review jobs ask; switch outages with `set_available`.
    pub registries: Arc<EmulatedRegistries>,
    /// The certification authority whose signatures the app trusts, with a person's key.
    pub authority: Arc<Authority>,
    /// The file store the app keeps uploads in.
    pub files: Arc<dyn sep_core::application::attachment::FileStore>,
    /// The directory it keeps them in, sealed.
    pub files_dir: std::path::PathBuf,
    catalogue: Arc<Catalogue>,
    /// The agencies' keys (the cloud authority the portal signs with).
    pub cloud: Arc<dyn sep_core::signing::Authority>,
    /// The kinds of справка.
    pub kinds: Arc<sep_core::spravka::Kinds>,
    public_url: String,
    /// The payment-provider emulator on a real socket, when the app takes payments.
    pub pay_url: Option<String>,
    /// The secret its callbacks are signed with.
    pub pay_secret: String,
    /// The provider as the portal calls it.
    pub pay_provider: Option<Arc<dyn sep_core::payment::pay::PaymentProvider>>,
    /// The provider emulator's own state (to see what it keeps, such as saved cards).
    pub pay_state: Option<sep_pay::PayState>,
    /// The e-passport's keys and lists (one set for the whole test process).
    pub passports: Arc<sep_core::passport::publish::Publisher>,
    state: AppState,
    router: axum::Router,
}

/// The e-passport's keys of this test process: made once (key generation is the slow part),
/// under an authority of their own.
pub fn passport_publisher() -> Arc<sep_core::passport::publish::Publisher> {
    static ONE: std::sync::OnceLock<Arc<sep_core::passport::publish::Publisher>> = std::sync::OnceLock::new();
    ONE.get_or_init(|| {
        let authority = Authority::new();
        let pki = sep_crypto::passport::PassportPki::open(&authority.dir, std::time::SystemTime::now()).unwrap();
        Arc::new(sep_core::passport::publish::Publisher::new(
            Arc::new(pki.keyring().unwrap()),
            Arc::new(sep_crypto::passport::PassportKeys),
        ))
    })
    .clone()
}

/// A test authority in a fresh directory (left for the OS to clean) and a key it certified
/// for Иванов Иван.
pub struct Authority {
    /// The authority's directory (`ca.cert.der`, `crl.der`, …).
    pub ca: sep_crypto::ca::TestCa,
    /// Where it is.
    pub dir: std::path::PathBuf,
    /// Иванов's key.
    pub key: sep_crypto::gost::SigningKey,
    /// Иванов's certificate, DER.
    pub cert: Vec<u8>,
}

impl Authority {
    /// A new authority with its revocation list and a certified person.
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("sep-ca-{}", uuid::Uuid::new_v4().simple()));
        let now = std::time::SystemTime::now();
        let year = std::time::Duration::from_secs(365 * 86_400);
        let ca = sep_crypto::ca::TestCa::init(&dir, "CN=Тестовый УЦ СЭП,O=СЭП", 10 * year, "TCA", now).unwrap();
        ca.revocation_list(std::time::Duration::from_secs(7 * 86_400), now).unwrap();
        let issued = ca.issue("ivanov", sep_crypto::cert::Kind::User, "CN=Иванов Иван Иванович", year, now).unwrap();
        let key = sep_crypto::gost::pkcs8::from_pem(&std::fs::read_to_string(&issued.key).unwrap()).unwrap();
        let cert = std::fs::read(&issued.cert).unwrap();
        Self { ca, dir, key, cert }
    }

    /// A detached signature of `document` by Иванов, now.
    pub fn sign(&self, document: &[u8]) -> Vec<u8> {
        sep_crypto::cms::sign_detached(document, &self.key, &self.cert, std::time::SystemTime::now()).unwrap()
    }
}

impl Default for Authority {
    fn default() -> Self {
        Self::new()
    }
}

impl TestApp {
    /// An app on SQLite.
    pub async fn new() -> Self {
        Self::with_db(TestDb::sqlite().await)
    }

    /// An app on `backend`, or `None` when that backend is not configured.
    pub async fn on(backend: Backend) -> Option<Self> {
        Some(Self::with_db(TestDb::on(backend).await?))
    }

    /// An app on SQLite whose catalogue also has the services of `extra` (a directory of
    /// `*.toml`, as `services_dir`).
    pub async fn with_services(extra: &std::path::Path) -> Self {
        Self::with_catalogue(TestDb::sqlite().await, Arc::new(Catalogue::load(Some(extra)).unwrap()))
    }

    /// An app over an existing database.
    pub fn with_db(db: TestDb) -> Self {
        Self::with_catalogue(db, catalogue())
    }

    /// An app on SQLite with web settings `config`.
    pub async fn with_config(config: WebConfig) -> Self {
        Self::with_parts(TestDb::sqlite().await, catalogue(), config)
    }

    /// An app over an existing database with `catalogue`.
    pub fn with_catalogue(db: TestDb, catalogue: Arc<Catalogue>) -> Self {
        Self::with_parts(db, catalogue, WebConfig::default())
    }

    /// An app on `backend` taking payments through the provider emulator, served on a real
    /// socket of its own; `None` when that backend is not configured.
    pub async fn paying(backend: Backend) -> Option<Self> {
        let db = TestDb::on(backend).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let secret = "test-callback-secret".to_owned();
        let settings = sep_pay::PaySettings {
            public_url: url.clone(),
            api_token: "test-pay-token".into(),
            callback_secret: secret.clone(),
        };
        let pay_state = sep_pay::PayState::new(settings);
        let router = sep_pay::router(pay_state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await;
        });
        let provider: Arc<dyn sep_core::payment::pay::PaymentProvider> =
            Arc::new(sep_web::pay::HttpProvider::new(&url, "test-pay-token"));
        let link = sep_web::pay::PayLink {
            provider: provider.clone(),
            callback_secret: secret.as_bytes().into(),
            origin: url.clone(),
        };
        let mut app = Self::build(db, catalogue(), WebConfig::default(), Some(link));
        app.pay_url = Some(url);
        app.pay_secret = secret;
        app.pay_provider = Some(provider);
        app.pay_state = Some(pay_state);
        Some(app)
    }

    /// An app over an existing database with `catalogue` and web settings `config`.
    pub fn with_parts(db: TestDb, catalogue: Arc<Catalogue>, config: WebConfig) -> Self {
        Self::build(db, catalogue, config, None)
    }

    /// The same app reading charges from `registry` instead of the emulator (a benchmark's
    /// made-up ГИС ГМП).
    #[must_use]
    pub fn charging(mut self, registry: Arc<dyn sep_core::payment::ChargeRegistry>) -> Self {
        self.router = sep_web::router(self.state.clone().charging(registry));
        self
    }

    /// The same app posting webhooks through `sender`.
    #[must_use]
    pub fn hooking(mut self, sender: Arc<dyn sep_core::integration::webhook::deliver::Sender>) -> Self {
        self.state = self.state.clone().hooking(sender);
        self.router = sep_web::router(self.state.clone());
        self
    }

    fn build(db: TestDb, catalogue: Arc<Catalogue>, config: WebConfig, pay: Option<sep_web::pay::PayLink>) -> Self {
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let files_dir = std::env::temp_dir().join(format!("sep-files-{}", uuid::Uuid::new_v4().simple()));
        let files = files_in(&files_dir);
        let authority = Arc::new(Authority::new());
        let trust = sep_crypto::verify::TrustList::from_ca_dir(&authority.dir).unwrap();
        let cloud: Arc<dyn sep_core::signing::Authority> = Arc::new(sep_crypto::cloud::CloudAuthority::new(
            sep_crypto::ca::TestCa::open(&authority.dir).unwrap(),
            sep_crypto::cloud::KeyRing::parse(&sep_crypto::cloud::KeyRing::generate("k1").unwrap()).unwrap(),
        ));
        let kinds = Arc::new(sep_core::spravka::Kinds::load(None).unwrap());
        let public_url = config.public_url.clone();
        let registries = Arc::new(EmulatedRegistries::new());
        let state =
            AppState::new(db.store(), clock.clone() as Arc<dyn Clock>, config, None, catalogue.clone(), files.clone())
                .trusting(Arc::new(trust))
                .signing_with(cloud.clone())
                .issuing(kinds.clone())
                .charging(registries.clone())
                .registering(registries.clone())
                .checking_passports(registries.clone())
                // The tests' receivers listen on loopback.
                .hooking(Arc::new(sep_web::webhooks::HttpSender::new(true)))
                .passporting(passport_publisher());
        let state = match pay {
            Some(link) => state.paying(link),
            None => state,
        };
        Self {
            db,
            clock,
            registries,
            authority,
            files,
            files_dir,
            catalogue,
            cloud,
            kinds,
            public_url,
            pay_url: None,
            pay_secret: String::new(),
            pay_provider: None,
            pay_state: None,
            passports: passport_publisher(),
            router: sep_web::router(state.clone()),
            state,
        }
    }

    /// The poster of webhooks this app was built with.
    pub fn webhook_sender(&self) -> Arc<dyn sep_core::integration::webhook::deliver::Sender> {
        self.state.webhooks.clone()
    }

    /// Runs the `webhooks` queue until nothing is due now (events become messages, messages
    /// are posted); how many jobs ran.
    pub async fn run_webhooks(&self) -> usize {
        use sep_core::integration::webhook::deliver::Webhooks;
        let store = self.db.store();
        let hooks = Webhooks { store, sender: self.state.webhooks.clone() };
        self.drain(sep_core::job::Queue::Webhooks, &hooks).await
    }

    /// Runs `queue`'s due jobs with `handler` until none is due now (jobs enqueue others);
    /// how many ran.
    async fn drain(&self, queue: sep_core::job::Queue, handler: &dyn sep_core::job::Handler) -> usize {
        let store = self.db.store();
        let mut total = 0;
        loop {
            let ran = sep_core::job::run_due(store.as_ref(), queue, "test", handler, self.clock.now()).await.unwrap();
            if ran == 0 {
                return total;
            }
            total += ran;
        }
    }

    /// Runs the `passports` queue until nothing is due (e-passports of completed
    /// applications); how many jobs ran.
    pub async fn run_passports(&self) -> usize {
        let issuer = sep_core::passport::issue::Issuer {
            store: self.db.store(),
            catalogue: self.catalogue.clone(),
            keys: self.passports.keys.clone(),
            pdf: Some(sep_core::passport::issue::PdfParts {
                authority: self.cloud.clone(),
                render: Arc::new(sep_pdf::PdfRenderer::new().unwrap()),
                files: self.files.clone(),
                public_url: self.public_url.clone(),
            }),
        };
        self.drain(sep_core::passport::issue::QUEUE, &issuer).await
    }

    /// Runs the `operations` queue until nothing is due (bulk imports); how many jobs ran.
    pub async fn run_operations(&self) -> usize {
        let worker =
            sep_core::integration::operation::Operations { store: self.db.store(), catalogue: self.catalogue.clone() };
        self.drain(sep_core::job::Queue::Operations, &worker).await
    }

    /// Serves this app on a real socket of its own (for a client in another process); its
    /// address, `http://127.0.0.1:PORT`.
    pub async fn serve_socket(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = self.router.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await;
        });
        url
    }

    /// Sends a request.
    pub async fn request(&self, req: Request<Body>) -> TestResponse {
        read(self.router.clone().oneshot(req).await.unwrap()).await
    }

    /// `GET path` as a browser.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Request::get(path).header(header::ACCEPT, "text/html").body(Body::empty()).unwrap()).await
    }

    /// `GET path` as an API client.
    pub async fn get_json(&self, path: &str) -> TestResponse {
        self.request(Request::get(path).header(header::ACCEPT, "application/json").body(Body::empty()).unwrap()).await
    }

    /// A browser with an empty cookie jar: nobody signed in.
    pub fn browser(&self) -> Browser {
        Browser { router: self.router.clone(), jar: Mutex::new(BTreeMap::new()) }
    }

    /// Иванов Иван Иванович, the demo citizen with a confirmed account, signed in.
    pub async fn citizen(&self) -> Signed {
        self.sign_in_as(PEOPLE[0].phone).await
    }

    /// Кузнецова Анна Викторовна, the demo officer, working for `agency`, signed in.
    pub async fn officer(&self, agency: &str) -> Signed {
        let p = person(Role::Officer);
        let user = self.demo_user(p).await;
        if user.agency.as_deref() != Some(agency) {
            self.db.store().update_user_agency(user.id, Some(agency), &Effects::none()).await.unwrap();
        }
        self.sign_in_as(p.phone).await
    }

    /// Смирнов Олег Николаевич, the demo administrator, signed in.
    pub async fn admin(&self) -> Signed {
        self.sign_in_as(person(Role::Admin).phone).await
    }

    /// The demo person with this phone (see [`PEOPLE`]), signed in: created at the first
    /// sign-in with the data the provider shares and the role of the demo (an officer works
    /// for [`OFFICER_AGENCY`]), found again at the next. Each call is a new session, as a
    /// second browser would have.
    pub async fn sign_in_as(&self, phone: &str) -> Signed {
        let p = PEOPLE.iter().find(|p| p.phone == phone).unwrap_or_else(|| panic!("{phone}: not a demo person"));
        assert!(p.confirmed, "{phone}: an unconfirmed account cannot sign in (SPEC L3)");
        let user = self.demo_user(p).await;
        self.sign_in(&user).await
    }

    /// A session for an existing `user` (journaled as `auth.login`); the terms of use are
    /// accepted through `POST /terms` if the user has not yet.
    pub async fn sign_in(&self, user: &User) -> Signed {
        let store = self.db.store();
        let now = sep_core::clock::to_micros(self.clock.now());
        let (token, csrf) = (SessionToken::generate().unwrap(), SessionToken::generate().unwrap());
        let session = Session {
            hash: token.hash(),
            user_id: user.id,
            created_at: now,
            last_seen_at: now,
            ip: std::net::Ipv4Addr::from(BROWSER_IP).to_string(),
            user_agent: String::new(),
            auth_method: "pwd sms".into(),
            csrf_secret: csrf.expose().to_owned(),
            ended_at: None,
            end_reason: None,
            id_token: None,
            authenticated_at: Some(now),
        };
        let mut e = self.event("auth.login", user.id);
        e.details = serde_json::json!({ "method": "pwd sms", "provider": ISSUER, "user_agent": "" });
        store.insert_session(&session, &Effects::audit(e)).await.unwrap();
        let browser = self.browser();
        let name = cookie_name(SESSION, WebConfig::default().sessions.secure_cookies);
        browser.set_cookie(&name, token.expose());
        let signed = Signed {
            user: user.clone(),
            cookie: format!("{name}={}", token.expose()),
            csrf: session.csrf_secret,
            browser,
        };
        if user.terms_accepted.is_none() {
            let r = signed.post_form("/terms", &[("return_to", "/cabinet")]).await;
            assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/cabinet"), "{}", r.text);
        }
        Signed { user: store.get_user(user.id).await.unwrap(), ..signed }
    }

    /// The user of demo person `p`, created as the first login would create it.
    async fn demo_user(&self, p: &DemoPerson) -> User {
        let store = self.db.store();
        if let Some(user) = store.find_user_by_identity(ISSUER, p.subject).await.unwrap() {
            return user;
        }
        let now = self.clock.now();
        let id = UserId::new();
        let link = ExternalIdentity { provider: ISSUER.into(), subject: p.subject.into(), user_id: id, linked_at: now };
        let mut e = self.event("user.created", id);
        e.details = serde_json::json!({ "provider": ISSUER, "refused_claims": [] });
        let new = NewUser { id, role: p.role, profile: profile(p), created_at: now };
        store.insert_user(&new, Some(&link), &Effects::audit(e)).await.unwrap();
        if p.role == Role::Officer {
            store.update_user_agency(id, Some(OFFICER_AGENCY), &Effects::none()).await.unwrap();
        }
        store.get_user(id).await.unwrap()
    }

    /// A journal record of `user`'s own action from the browser's address.
    fn event(&self, action: &str, user: UserId) -> NewAuditEvent {
        let mut e = NewAuditEvent::system(self.clock.now(), action, Some(user));
        e.actor = Some(user);
        e.ip = Some(std::net::Ipv4Addr::from(BROWSER_IP).to_string());
        e
    }

    /// Runs the due review jobs (and those they enqueue) as the worker would, against
    /// [`TestApp::registries`]; returns how many ran.
    pub async fn run_jobs(&self) -> usize {
        let reviewer = Reviewer {
            store: self.db.store(),
            catalogue: self.catalogue.clone(),
            registries: Registries::all(self.registries.clone()),
        };
        self.drain(QUEUE, &reviewer).await
    }

    /// The worker's maker of справки over this app's parts.
    pub fn maker(&self) -> sep_core::spravka::make::Maker {
        sep_core::spravka::make::Maker {
            store: self.db.store(),
            kinds: self.kinds.clone(),
            records: self.registries.clone(),
            authority: self.cloud.clone(),
            render: Arc::new(sep_pdf::PdfRenderer::new().unwrap()),
            files: self.files.clone(),
            public_url: self.public_url.clone(),
        }
    }

    /// Runs the due refunds as the worker would (the emulator is the treasury); returns how
    /// many ran.
    pub async fn run_refunds(&self) -> usize {
        let desk = sep_core::payment::account::RefundDesk {
            store: self.db.store(),
            registry: self.registries.clone(),
            treasury: self.registries.clone(),
        };
        let store = self.db.store();
        sep_core::job::run_due(store.as_ref(), sep_core::payment::account::QUEUE, "test", &desk, self.clock.now())
            .await
            .unwrap()
    }

    /// Runs the due receipts of successful payments as the worker would; returns how many ran.
    pub async fn run_receipts(&self) -> usize {
        let maker = sep_core::payment::receipt::ReceiptMaker {
            store: self.db.store(),
            registry: self.registries.clone(),
            authority: self.cloud.clone(),
            render: Arc::new(sep_pdf::PdfRenderer::new().unwrap()),
            files: self.files.clone(),
            public_url: self.public_url.clone(),
        };
        let store = self.db.store();
        sep_core::job::run_due(store.as_ref(), sep_core::payment::receipt::QUEUE, "test", &maker, self.clock.now())
            .await
            .unwrap()
    }

    /// Runs the due jobs of справки (making them, the post's steps) as the worker would;
    /// returns how many ran.
    pub async fn run_spravki(&self) -> usize {
        self.drain(sep_core::spravka::make::QUEUE, &self.maker()).await
    }

    /// The journal as (action, outcome) pairs, oldest first (the first 500).
    pub async fn actions(&self) -> Vec<(String, String)> {
        let events = self.db.store().list_audit(0, 500).await.unwrap();
        events.into_iter().map(|e| (e.event.action, e.event.outcome.code().to_owned())).collect()
    }
}

/// The demo person with `role` (the first one).
fn person(role: Role) -> &'static DemoPerson {
    PEOPLE.iter().find(|p| p.role == role).unwrap()
}

/// What the demo identity provider shares about `p` with the portal's scopes (`fullname
/// birthdate snils inn mobile email`), as the login stores it.
fn profile(p: &DemoPerson) -> Profile {
    Profile {
        last_name: p.last_name.into(),
        first_name: p.first_name.into(),
        middle_name: Some(p.middle_name.into()),
        birth_date: Some(RuDate::parse(p.birth_date).unwrap()),
        birth_place: Some("г. Москва".into()),
        snils: Some(Snils::parse(p.snils).unwrap()),
        inn: Some(Inn::parse_person(p.inn).unwrap()),
        phone: Some(Phone::parse(p.phone).unwrap()),
        email: Some(Email::parse(p.email).unwrap()),
        ..Profile::default()
    }
}

async fn read(res: axum::response::Response) -> TestResponse {
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    TestResponse { status, headers, text: String::from_utf8_lossy(&bytes).into_owned(), bytes: bytes.to_vec() }
}

/// `application/x-www-form-urlencoded`.
fn urlencoded(form: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    form.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// A file in a multipart form: the field's name, the file's name and its bytes.
pub type FilePart<'a> = (&'a str, &'a str, &'a [u8]);

/// `multipart/form-data` as a browser sends it; returns the content type and the body.
fn multipart(fields: &[(&str, &str)], files: &[FilePart]) -> (String, Vec<u8>) {
    let boundary = format!("sep-test-{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A browser on the in-process portal: a cookie jar, requests from [`BROWSER_IP`], redirects
/// not followed.
pub struct Browser {
    router: axum::Router,
    jar: Mutex<BTreeMap<String, String>>,
}

impl Browser {
    /// The cookie `name`, if the jar has it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.lock().unwrap().get(name).cloned()
    }

    /// Puts a cookie into the jar.
    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar.lock().unwrap().insert(name.to_owned(), value.to_owned());
    }

    /// `req` with the jar's cookies and the browser's address; the jar takes the answer's
    /// cookies. The body is left unread (for event streams).
    pub async fn open(&self, mut req: Request<Body>) -> axum::response::Response {
        let cookies = self.jar.lock().unwrap().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>();
        if !cookies.is_empty() && !req.headers().contains_key(header::COOKIE) {
            req.headers_mut().insert(header::COOKIE, cookies.join("; ").parse().unwrap());
        }
        req.extensions_mut().insert(ConnectInfo(SocketAddr::from((BROWSER_IP, 50_000))));
        let res = self.router.clone().oneshot(req).await.unwrap();
        self.keep_cookies(res.headers());
        res
    }

    fn keep_cookies(&self, headers: &HeaderMap) {
        let mut jar = self.jar.lock().unwrap();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attrs.contains("Max-Age=0") {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    /// Sends `req` as [`Browser::open`] does and reads the answer whole.
    pub async fn request(&self, req: Request<Body>) -> TestResponse {
        read(self.open(req).await).await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Request::get(path).header(header::ACCEPT, "text/html").body(Body::empty()).unwrap()).await
    }

    /// `GET path` that must answer 200; returns the page.
    pub async fn page(&self, path: &str) -> String {
        let r = self.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
        r.text
    }

    /// Posts `form` exactly as given (no CSRF secret added).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> TestResponse {
        self.post_with(path, form, &[]).await
    }

    /// Posts `form` exactly as given, with extra `headers` (the pages' scripts mark their
    /// requests with one).
    pub async fn post_with(&self, path: &str, form: &[(&str, &str)], headers: &[(&str, &str)]) -> TestResponse {
        let mut req = Request::post(path)
            .header(header::ACCEPT, "text/html")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.request(req.body(Body::from(urlencoded(form))).unwrap()).await
    }

    /// Posts a multipart form exactly as given (no CSRF secret added).
    pub async fn post_multipart(&self, path: &str, fields: &[(&str, &str)], files: &[FilePart<'_>]) -> TestResponse {
        let (content_type, body) = multipart(fields, files);
        let req = Request::post(path)
            .header(header::ACCEPT, "text/html")
            .header(header::CONTENT_TYPE, content_type)
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.request(req).await
    }

    /// `GET path` whose answer is read as it comes (a server-sent event stream).
    pub async fn stream(&self, path: &str) -> EventStream {
        let res = self
            .open(Request::get(path).header(header::ACCEPT, "text/event-stream").body(Body::empty()).unwrap())
            .await;
        EventStream { status: res.status(), headers: res.headers().clone(), body: res.into_body() }
    }
}

/// A response whose body is read chunk by chunk.
pub struct EventStream {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    body: Body,
}

impl EventStream {
    /// The next piece of data; `None` when the stream has ended.
    pub async fn chunk(&mut self) -> Option<Bytes> {
        loop {
            let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut self.body).poll_frame(cx)).await?;
            if let Ok(data) = frame.unwrap().into_data() {
                return Some(data);
            }
        }
    }
}

/// A browser signed in as `user` (see the module's documentation); it dereferences to its
/// [`Browser`].
pub struct Signed {
    /// The user, as stored after signing in.
    pub user: User,
    /// The session cookie, `sep_session=…`.
    pub cookie: String,
    /// The session's CSRF secret, which the portal's forms carry in their `csrf` field.
    pub csrf: String,
    browser: Browser,
}

impl std::ops::Deref for Signed {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.browser
    }
}

impl Signed {
    /// Posts `form` with the session's CSRF secret first, as the portal's own forms do.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> TestResponse {
        self.post(path, &self.with_csrf(form)).await
    }

    /// Posts `form` with the CSRF secret and extra `headers`.
    pub async fn post_form_with(&self, path: &str, form: &[(&str, &str)], headers: &[(&str, &str)]) -> TestResponse {
        self.post_with(path, &self.with_csrf(form), headers).await
    }

    /// Posts a multipart form (an upload) with the CSRF secret first.
    pub async fn upload(&self, path: &str, fields: &[(&str, &str)], files: &[FilePart<'_>]) -> TestResponse {
        self.post_multipart(path, &self.with_csrf(fields), files).await
    }

    fn with_csrf<'a>(&'a self, form: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(form);
        all
    }
}
