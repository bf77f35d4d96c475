//! Shared helpers. For the portal in process (`TestApp` and its signed-in browsers): an
//! application filed and sent, its status badge, the emulator's message gateway alone on a
//! socket. For the login tests: the world of the real-socket round trip, the portal (on SQLite
//! or PostgreSQL) and the Госуслуги emulator on free ports with a browser-like HTTP client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers fail the test by panicking")]

use reqwest::StatusCode;
use sep_core::clock::{Clock, ManualClock, SystemClock};
use sep_idp::sqlite::IdpSqlite;
use sep_idp::web::IdpState;
use sep_testkit::{Backend, Signed, TestApp, TestDb};
use sep_web::auth::{OidcSettings, RelyingParty};
use sep_web::{AppState, WebConfig};
use std::sync::Arc;
use std::time::Duration;

pub const CLIENT: &str = "sep-portal";
pub const SECRET: &str = "portal-secret-for-the-login-tests-000000000";
/// The demo sole proprietor, who signs in with an authenticator app.
pub const TOTP_PHONE: &str = "+79678901234";
/// The bearer token of the emulator's message gateway.
pub const GATEWAY: &str = "gateway-token-for-the-tests-0000000000000";

pub struct World {
    pub portal: String,
    pub idp: String,
    pub db: TestDb,
    pub _dir: tempfile::TempDir,
    pub browser: reqwest::Client,
    /// The portal logs in through the emulator's ЕСИА mode (signed requests, ГОСТ tokens).
    pub esia: bool,
    /// The portal's clock (the emulator keeps the system's).
    pub clock: Arc<ManualClock>,
}

pub async fn world(backend: Backend) -> Option<World> {
    world_in(backend, false, false).await
}

/// The same world with the portal as an ЕСИА client: a ГОСТ key and certificate from a test
/// authority, registered at the emulator for ЕСИА mode.
pub async fn world_esia(backend: Backend) -> Option<World> {
    world_in(backend, true, false).await
}

/// ЕСИА mode with the tokens signed RS256 (set per system at the emulator).
pub async fn world_esia_rs256(backend: Backend) -> Option<World> {
    world_in(backend, true, true).await
}

async fn world_in(backend: Backend, esia_mode: bool, esia_rs256: bool) -> Option<World> {
    let db = TestDb::on(backend).await?;
    let dir = tempfile::tempdir().unwrap();
    let idp_listener = sep_web::server::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let portal_listener = sep_web::server::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let idp = format!("http://{}", idp_listener.local_addr().unwrap());
    let portal = format!("http://{}", portal_listener.local_addr().unwrap());

    let idp_store = Arc::new(IdpSqlite::open(&dir.path().join("idp.db")).unwrap());
    let idp_clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let idp_state =
        IdpState::new(idp_store.clone(), idp_clock.clone(), &idp).await.unwrap().with_gateway_token(GATEWAY);
    sep_idp::demo::seed(idp_store.as_ref(), idp_state.login.hasher(), idp_clock.now()).await.unwrap();
    idp_state
        .oidc
        .register_client(CLIENT, "СЭП", SECRET, &[format!("{portal}/login/callback")], &[format!("{portal}/")])
        .await
        .unwrap();
    let esia = if esia_mode {
        let now = std::time::SystemTime::now();
        let year = Duration::from_secs(365 * 86_400);
        let ca = sep_crypto::ca::TestCa::init(&dir.path().join("ca"), "CN=Тестовый УЦ", year, "TCA", now).unwrap();
        let issued = ca.issue("portal", sep_crypto::cert::Kind::Client, "CN=sep-portal", year, now).unwrap();
        let key = sep_crypto::gost::pkcs8::from_pem(&std::fs::read_to_string(&issued.key).unwrap()).unwrap();
        let certificate = std::fs::read(&issued.cert).unwrap();
        let alg =
            if esia_rs256 { sep_core::signer::Algorithm::Rs256 } else { sep_core::signer::Algorithm::Gost2012_256 };
        idp_state.oidc.register_esia_client(CLIENT, &certificate, alg).await.unwrap();
        Some(sep_web::auth::EsiaSettings { key: Arc::new(key), certificate, token_certificates: vec![] })
    } else {
        None
    };
    tokio::spawn(sep_web::server::serve(
        idp_listener,
        sep_idp::web::router(idp_state, WebConfig::default().limits()),
        std::future::pending(),
    ));

    let rp = RelyingParty::new(OidcSettings {
        issuer: idp.clone(),
        client_id: CLIENT.into(),
        client_secret: SECRET.into(),
        redirect_url: format!("{portal}/login/callback"),
        post_logout_url: format!("{portal}/"),
        scopes: "fullname birthdate snils inn mobile email usr_org".split(' ').map(str::to_owned).collect(),
        timeout: Duration::from_secs(5),
        esia,
    })
    .unwrap();
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let catalogue = sep_testkit::app::catalogue();
    sep_core::demo::seed_staff(db.store().as_ref(), &idp, clock.now()).await.unwrap();
    let state = AppState::new(
        db.store(),
        clock.clone(),
        WebConfig::default(),
        Some(Arc::new(rp)),
        catalogue,
        sep_testkit::app::files(),
    );
    tokio::spawn(sep_web::server::serve(portal_listener, sep_web::router(state), std::future::pending()));

    let browser =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Some(World { portal, idp, db, _dir: dir, browser, esia: esia_mode, clock })
}

pub fn loc(r: &reqwest::Response) -> String {
    r.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

pub fn hidden(page: &str, name: &str) -> String {
    page.split(&format!("name=\"{name}\" value=\"")).nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&")
}

impl World {
    pub fn abs(&self, base: &str, l: &str) -> String {
        if l.starts_with('/') { format!("{base}{l}") } else { l.to_owned() }
    }

    pub async fn get(&self, url: &str) -> reqwest::Response {
        self.browser.get(url).send().await.unwrap()
    }

    pub async fn post(&self, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.browser.post(url).form(form).send().await.unwrap()
    }

    /// From "Войти через Госуслуги" to the emulator's answer to the portal (the callback
    /// URL), signing in with `phone` and answering the consent screen with `decision`.
    pub async fn through_the_emulator(&self, phone: &str, decision: &str) -> String {
        let r = self.get(&format!("{}/login", self.portal)).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let authorize = loc(&r);
        if self.esia {
            assert!(authorize.starts_with(&format!("{}/aas/oauth2/v2/ac?", self.idp)), "{authorize}");
            assert!(authorize.contains("client_certificate_hash=") && authorize.contains("client_secret="));
        } else {
            assert!(authorize.starts_with(&format!("{}/authorize?", self.idp)), "{authorize}");
            assert!(authorize.contains("code_challenge_method=S256") && authorize.contains("nonce="));
        }
        let r = self.get(&authorize).await;
        let mut r = self.get(&self.abs(&self.idp, &loc(&r))).await;
        if loc(&r).starts_with("/login") {
            r = self.log_in_at_the_emulator(&loc(&r), phone).await;
        }
        if r.status() == StatusCode::OK {
            let consent = r.text().await.unwrap();
            assert!(consent.contains("Предоставление прав доступа"));
            let request = hidden(&consent, "request");
            let r = self
                .post(&format!("{}/authorize/consent", self.idp), &[("request", &request), ("decision", decision)])
                .await;
            loc(&r)
        } else {
            loc(&r)
        }
    }

    /// The emulator's login page at `login` (a path), password and code; the page it then
    /// sends the browser to.
    pub async fn log_in_at_the_emulator(&self, login: &str, phone: &str) -> reqwest::Response {
        let page = self.get(&self.abs(&self.idp, login)).await.text().await.unwrap();
        let return_to = hidden(&page, "return_to");
        let form = [("login", phone), ("password", "Demo-Passw0rd"), ("return_to", return_to.as_str())];
        let step = self.post(&format!("{}/login", self.idp), &form).await;
        assert_eq!(loc(&step), "/login/code");
        if phone == TOTP_PHONE {
            // The sole proprietor signs in with an authenticator app; the SMS fallback.
            self.post(&format!("{}/login/resend", self.idp), &[]).await;
        }
        let outbox: serde_json::Value = self.get(&format!("{}/outbox.json", self.idp)).await.json().await.unwrap();
        let body = outbox["messages"][0]["body"].as_str().unwrap().to_owned();
        let code = &body.split(": ").nth(1).unwrap()[..6];
        let step = self.post(&format!("{}/login/code", self.idp), &[("code", code)]).await;
        self.get(&self.abs(&self.idp, &loc(&step))).await
    }

    pub async fn sign_in(&self) {
        self.sign_in_as("+79123456789").await;
    }

    pub async fn sign_in_as(&self, phone: &str) {
        let callback = self.through_the_emulator(phone, "allow").await;
        assert!(callback.starts_with(&format!("{}/login/callback?", self.portal)), "{callback}");
        let r = self.get(&callback).await;
        assert_eq!(loc(&r), "/terms?return_to=%2Fcabinet");
        let terms = self.get(&format!("{}/terms?return_to=%2Fcabinet", self.portal)).await.text().await.unwrap();
        let csrf = hidden(&terms, "csrf");
        let r = self.post(&format!("{}/terms", self.portal), &[("csrf", &csrf), ("return_to", "/cabinet")]).await;
        assert_eq!(loc(&r), "/cabinet");
    }

    pub async fn actions(&self) -> Vec<(String, String)> {
        let events = self.db.store().list_audit(0, 100).await.unwrap();
        events.into_iter().map(|e| (e.event.action, e.event.outcome.code().to_owned())).collect()
    }
}

pub const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";

/// ООО «Ромашка» as its head Сидоров fills it in (the registry emulator knows it).
pub const ORG: [(&str, &str); 7] = [
    ("passport_number", "000003"),
    ("org_full_name", "Общество с ограниченной ответственностью «Ромашка»"),
    ("org_inn", "7701000019"),
    ("org_ogrn", "1027700000019"),
    ("org_kpp", "770101001"),
    ("org_okved", "62.01"),
    ("org_responsible", "Сидоров П. А., генеральный директор"),
];

/// A new, empty draft of «Регистрация в СЭП» for a person; returns its path.
pub async fn draft(w: &Signed) -> String {
    w.post_form("/applications", &[("service", "registration"), ("applicant", "person")]).await.location().to_owned()
}

/// Starts, fills, documents and sends a registration as `applicant`; returns its path.
pub async fn file(w: &Signed, applicant: &str, fields: &[(&str, &str)]) -> String {
    let app = fill(w, "registration", applicant, fields).await;
    send(w, &app).await;
    app
}

/// Starts a draft of `service` as `applicant`, fills it and attaches its documents; returns
/// its path.
pub async fn fill(w: &Signed, service: &str, applicant: &str, fields: &[(&str, &str)]) -> String {
    let start = [("service", service), ("applicant", applicant)];
    let app = w.post_form("/applications", &start).await.location().to_owned();
    assert!(app.starts_with("/applications/"), "{app}");
    let mut form = vec![
        ("birth_place", "г. Москва"),
        ("passport_issued_on", "10.04.2010"),
        ("passport_issuer", "ГУ МВД России по г. Москве"),
        ("passport_division_code", "770-001"),
        ("address", "г. Москва, ул. Тверская, д. 1"),
        ("passport_series", "4510"),
    ];
    form.extend_from_slice(fields);
    w.post_form(&app, &form).await;
    let docs: &[&str] = match applicant {
        "org" => &["passport_scan", "charter", "appointment_decision"],
        _ => &["passport_scan", "snils_scan", "inn_certificate"],
    };
    for doc in docs {
        let name = format!("{doc}.pdf");
        let r = w.upload(&format!("{app}/documents"), &[("document", doc)], &[("file", &name, PDF)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{doc}");
    }
    app
}

/// "Проверить и отправить" → consent → "Отправить заявление".
pub async fn send(w: &Signed, app: &str) {
    let check = w.page(&format!("{app}/check")).await;
    assert!(check.contains("Отправить заявление"), "{check}");
    assert_eq!(hidden(&check, "csrf"), w.csrf, "the page's form carries the session's secret");
    let r = w.post_form(&format!("{app}/submit"), &[("consent", "yes")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("Заявление успешно отправлено"));
}

/// The status badge next to «Статус:» on the applicant's page.
pub fn status(page: &str) -> String {
    let after = page.split("Статус: <span class=\"badge").nth(1).unwrap();
    after.split('>').nth(1).unwrap().split('<').next().unwrap().to_owned()
}

/// The Госуслуги emulator alone on a free port, for its message gateway and outbox (no
/// accounts, no login).
pub struct Emulator {
    pub url: String,
    _dir: tempfile::TempDir,
}

pub async fn emulator() -> Emulator {
    let dir = tempfile::tempdir().unwrap();
    let listener = sep_web::server::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let store = Arc::new(IdpSqlite::open(&dir.path().join("idp.db")).unwrap());
    let state = IdpState::new(store, Arc::new(SystemClock), &url).await.unwrap().with_gateway_token(GATEWAY);
    tokio::spawn(sep_web::server::serve(
        listener,
        sep_idp::web::router(state, WebConfig::default().limits()),
        std::future::pending(),
    ));
    Emulator { url, _dir: dir }
}

impl Emulator {
    /// Delivers the portal's queued e-mail and SMS through the gateway; returns how many.
    pub async fn deliver(&self, app: &TestApp) -> usize {
        let gateway = sep_web::delivery::Gateway { url: format!("{}/outbox/deliver", self.url), token: GATEWAY.into() };
        let delivery = sep_web::delivery::Delivery::new(Some(gateway), None).unwrap();
        let store = app.db.store();
        sep_core::job::run_due(store.as_ref(), sep_web::delivery::QUEUE, "test", &delivery, app.clock.now())
            .await
            .unwrap()
    }

    /// `GET /outbox.json`.
    pub async fn outbox(&self) -> String {
        reqwest::get(format!("{}/outbox.json", self.url)).await.unwrap().text().await.unwrap()
    }
}

/// Whether `tool` runs; otherwise skip, or fail under `SEP_TEST_ALL=1`.
pub fn have(tool: &str, package: &str) -> bool {
    let ok = std::process::Command::new(tool).arg("-v").output().is_ok()
        || std::process::Command::new(tool).arg("--version").output().is_ok();
    if !ok {
        assert!(
            std::env::var("SEP_TEST_ALL").as_deref() != Ok("1"),
            "SEP_TEST_ALL=1 but {tool} is missing ({package})"
        );
        eprintln!("{tool} not found: that reading is skipped");
    }
    ok
}

/// Runs `cmd` in `dir`: whether it succeeded, and what it printed.
pub fn run(cmd: &str, args: &[&str], dir: &std::path::Path) -> (bool, String) {
    let out = std::process::Command::new(cmd).args(args).current_dir(dir).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// What openssl (its gost engine) says of the detached CMS `sig` over `content`, checked
/// against the authority certificate `ca` (PEM): `Some((verified, output))`, or `None` when
/// openssl or its engine is missing here (which fails under `SEP_TEST_ALL=1`).
pub fn openssl_verifies(ca: &std::path::Path, content: &[u8], sig: &[u8]) -> Option<(bool, String)> {
    if !have("openssl", "openssl") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(ca, dir.path().join("ca.pem")).unwrap();
    std::fs::write(dir.path().join("content"), content).unwrap();
    std::fs::write(dir.path().join("content.sig"), sig).unwrap();
    let engine = run("openssl", &["engine", "gost", "-c"], dir.path()).1.contains("gost2012_256");
    if !engine {
        assert!(
            std::env::var("SEP_TEST_ALL").as_deref() != Ok("1"),
            "SEP_TEST_ALL=1 but openssl's gost engine is missing"
        );
        return None;
    }
    let args = [
        "cms",
        "-verify",
        "-engine",
        "gost",
        "-binary",
        "-inform",
        "DER",
        "-in",
        "content.sig",
        "-content",
        "content",
        "-CAfile",
        "ca.pem",
        "-out",
        "/dev/null",
    ];
    let (ok, text) = run("openssl", &args, dir.path());
    Some((ok && text.contains("Verification successful"), text))
}
