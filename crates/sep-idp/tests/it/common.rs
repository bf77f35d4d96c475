//! The emulator in process with a browser's cookie jar, shared by the test files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers fail the test by panicking")]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sep_core::clock::{Clock, ManualClock};
use sep_idp::oidc::OidcService;
use sep_idp::sqlite::IdpSqlite;
use sep_idp::store::OutboxStore;
use sep_idp::web::{IdpState, router};
use std::collections::BTreeMap;
use std::sync::Arc;
use tower::ServiceExt;

pub const ISSUER: &str = "http://idp.test";
pub const PHONE: &str = "+79123456789";
pub const PASSWORD: &str = "Demo-Passw0rd";

pub struct Res {
    pub status: StatusCode,
    pub location: Option<String>,
    pub text: String,
}

/// The emulator in process, with a browser's cookie jar.
pub struct Idp {
    pub _dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
    pub store: Arc<IdpSqlite>,
    pub oidc: OidcService,
    pub router: axum::Router,
    pub cookies: BTreeMap<String, String>,
}

impl Idp {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(IdpSqlite::open(&dir.path().join("idp.db")).unwrap());
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let state = IdpState::new(store.clone(), clock.clone(), ISSUER).await.unwrap();
        sep_idp::demo::seed(store.as_ref(), state.login.hasher(), clock.now()).await.unwrap();
        let oidc = state.oidc.clone();
        let router = router(state, sep_http::Limits::default());
        Self { _dir: dir, clock, store, oidc, router, cookies: BTreeMap::new() }
    }

    /// A second browser on the same emulator.
    pub fn fresh_browser(&self) -> Self {
        Self {
            _dir: tempfile::tempdir().unwrap(),
            clock: self.clock.clone(),
            store: self.store.clone(),
            oidc: self.oidc.clone(),
            router: self.router.clone(),
            cookies: BTreeMap::new(),
        }
    }

    pub async fn send(&mut self, req: Request<Body>) -> Res {
        let res = self.router.clone().oneshot(req).await.unwrap();
        for v in res.headers().get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
        let status = res.status();
        let location = res.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned());
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        Res { status, location, text: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub async fn get(&mut self, path: &str) -> Res {
        let req = Request::get(path).header(header::COOKIE, self.cookie_header()).body(Body::empty()).unwrap();
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Res {
        let body = form.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::USER_AGENT, "Mozilla/5.0 (test browser)")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub async fn last_code(&self) -> String {
        let msgs = self.store.list_messages(50).await.unwrap();
        let body = msgs.iter().find(|m| m.body.starts_with("Код подтверждения")).unwrap().body.clone();
        body.split(": ").nth(1).unwrap()[..6].to_owned()
    }

    pub async fn password_step(&mut self, login: &str, password: &str) -> Res {
        self.post("/login", &[("login", login), ("password", password), ("return_to", "/")]).await
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Idp {
    /// Password and SMS code, ending with a session cookie.
    pub async fn sign_in(&mut self, login: &str) {
        let r = self.password_step(login, PASSWORD).await;
        assert_eq!(r.location.as_deref(), Some("/login/code"), "{}", r.text);
        let code = self.last_code().await;
        let r = self.post("/login/code", &[("code", &code)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    }
}
