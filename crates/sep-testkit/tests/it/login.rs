//! "Войти через Госуслуги" end to end on real sockets: the portal (on SQLite and on
//! PostgreSQL) and the Госуслуги emulator, driven by an HTTP client with a cookie jar as a
//! browser would be (SPEC L1–L4, L6, L7). What a session does once it is open is tested in
//! process with `TestApp`'s signed-in browsers (`sessions.rs`, `applications.rs`, …).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers fail the test by panicking")]

use crate::common;

use common::{CLIENT, SECRET, World, hidden, loc, world};
use reqwest::StatusCode;
use sep_core::clock::SystemClock;
use sep_testkit::{Backend, TestDb};
use sep_web::auth::{OidcSettings, RelyingParty};
use sep_web::{AppState, WebConfig};
use std::sync::Arc;
use std::time::Duration;

async fn happy_path(backend: Backend) {
    let Some(w) = world(backend).await else {
        eprintln!("SEP_TEST_DATABASE_URL not set: PostgreSQL journey skipped");
        return;
    };
    w.sign_in().await;
    let cabinet = w.get(&format!("{}/cabinet", w.portal)).await.text().await.unwrap();
    assert!(cabinet.contains("Здравствуйте, Иван Иванович!"), "{cabinet}");
    assert!(
        cabinet.contains("Иванов Иван Иванович")
            && cabinet.contains("123-456-789 64")
            && cabinet.contains("770123456703")
    );
    let history = w.get(&format!("{}/history", w.portal)).await.text().await.unwrap();
    assert!(history.contains("Вход через Госуслуги") && history.contains("Приняты условия использования"));
    let actions = w.actions().await;
    for a in ["user.created", "auth.login", "terms.accepted"] {
        assert!(actions.iter().any(|(x, o)| x == a && o == "success"), "{a} in {actions:?}");
    }
    let login =
        w.db.store().list_audit(0, 100).await.unwrap().into_iter().find(|e| e.event.action == "auth.login").unwrap();
    assert!(login.event.details["method"].as_str().unwrap().contains("pwd"), "{:?}", login.event.details);
    assert_eq!(login.event.ip.as_deref(), Some("127.0.0.1"));
    // Госуслуги said where Иванов works (usr_org): its accountant, not its head.
    let me = w.db.store().find_user_by_identity(&w.idp, "1000001").await.unwrap().unwrap();
    let orgs = w.db.store().list_user_orgs(me.id).await.unwrap();
    let orgs: Vec<_> = orgs.iter().map(|m| (m.short_name.as_str(), m.inn.as_str(), m.chief)).collect();
    assert_eq!(orgs, [("ООО «Ромашка»", "7701000019", false)], "usr_org is kept at login");

    // A second login of the same person finds the same profile: no second user, no terms again.
    let r = w.post(&format!("{}/logout", w.portal), &[("csrf", &hidden(&cabinet, "csrf"))]).await;
    let to_idp = loc(&r);
    assert!(to_idp.starts_with(&format!("{}/oidc/logout?", w.idp)) && to_idp.contains("id_token_hint="), "{to_idp}");
    let r = w.get(&to_idp).await;
    assert_eq!(loc(&r), format!("{}/", w.portal), "back to the portal after logout at the provider");
    assert_eq!(
        loc(&w.get(&format!("{}/cabinet", w.portal)).await),
        "/login?return_to=/cabinet",
        "portal session ended"
    );
    assert_eq!(loc(&w.get(&format!("{}/", w.idp)).await), "/login", "emulator session ended too");
    let callback = w.through_the_emulator("+79123456789", "allow").await;
    let r = w.get(&callback).await;
    assert_eq!(loc(&r), "/cabinet", "terms are accepted once");
    let created = w.actions().await.iter().filter(|(a, _)| a == "user.created").count();
    assert_eq!(created, 1);
    assert!(w.actions().await.iter().any(|(a, _)| a == "auth.logout"));
    assert_eq!(w.db.store().verify_audit_chain().await.unwrap().first_broken, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_through_gosuslugi_sqlite() {
    happy_path(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_through_gosuslugi_postgres() {
    happy_path(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconfirmed_account_gets_the_explaining_page_and_no_session() {
    let w = world(Backend::Sqlite).await.unwrap();
    let callback = w.through_the_emulator("+79234567890", "allow").await;
    let r = w.get(&callback).await;
    let status = r.status();
    let page = r.text().await.unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(
        page.contains("Учётная запись Госуслуг не подтверждена") && page.contains("<code>account_not_confirmed</code>")
    );
    assert!(
        page.contains("центре обслуживания") && page.contains("href=\"/login\""),
        "says how to confirm and how to retry"
    );
    assert_eq!(loc(&w.get(&format!("{}/cabinet", w.portal)).await), "/login?return_to=/cabinet");
    assert!(w.actions().await.contains(&("auth.login".into(), "denied".into())));
    assert!(!w.actions().await.iter().any(|(a, _)| a == "user.created"), "no profile for a refused account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_or_replayed_state_and_a_refused_consent_are_explained() {
    let w = world(Backend::Sqlite).await.unwrap();
    let callback = w.through_the_emulator("+79123456789", "allow").await;
    let forged = callback.replace("state=", "state=x");
    let r = w.get(&forged).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("login_state_mismatch"));
    // The login request was spent by the forged answer: the real one is now a replay.
    let r = w.get(&callback).await;
    assert!(r.text().await.unwrap().contains("login_request_unknown"));

    // Another browser, another person, who refuses the consent.
    let w2 = world(Backend::Sqlite).await.unwrap();
    let denied = w2.through_the_emulator("+79345678901", "deny").await;
    let r = w2.get(&denied).await;
    let page = r.text().await.unwrap();
    assert!(page.contains("idp_access_denied") && page.contains("Предоставить"), "{page}");
    let failures = w.actions().await.iter().filter(|(a, o)| a == "auth.login" && o == "failure").count();
    assert_eq!(failures, 2, "every failed login is journaled");
    assert!(w2.actions().await.contains(&("auth.login".into(), "failure".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_provider_gets_a_page_with_code_time_and_request_id() {
    let db = TestDb::sqlite().await;
    let portal = portal_against(&db, "http://127.0.0.1:1").await;
    let r = reqwest::get(format!("{portal}/login")).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    let id = r.headers().get("x-request-id").unwrap().to_str().unwrap().to_owned();
    let page = r.text().await.unwrap();
    assert!(page.contains("Госуслуги не отвечают") && page.contains("<code>idp_unreachable</code>"));
    assert!(page.contains(&id) && page.contains("МСК") && page.contains("href=\"/login\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_ip_binding_a_session_used_from_another_address_ends() {
    let db = TestDb::sqlite().await;
    let store = db.store();
    let user = sep_core::ids::UserId::new();
    let now = time::OffsetDateTime::now_utc();
    let profile =
        sep_core::user::Profile {
            last_name: "Иванов".into(), first_name: "Иван".into(), ..Default::default()
        };
    store
        .insert_user(
            &sep_core::store::NewUser { id: user, role: sep_core::user::Role::Citizen, profile, created_at: now },
            None,
            &Default::default(),
        )
        .await
        .unwrap();
    store.update_terms_accepted(user, "2026-11", now, &Default::default()).await.unwrap();
    let token = sep_testkit::stories::sessions::open(&db, user, now, "10.1.2.3").await;
    let listener = sep_web::server::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let portal = format!("http://{}", listener.local_addr().unwrap());
    let mut config = WebConfig::default();
    config.sessions.bind_ip = true;
    let state = AppState::new(
        store.clone(),
        Arc::new(SystemClock),
        config,
        None,
        sep_testkit::app::catalogue(),
        sep_testkit::app::files(),
    );
    tokio::spawn(sep_web::server::serve(listener, sep_web::router(state), std::future::pending()));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = client
        .get(format!("{portal}/cabinet"))
        .header("cookie", format!("sep_session={}", token.expose()))
        .send()
        .await
        .unwrap();
    assert_eq!(loc(&r), "/login?return_to=/cabinet", "used from 127.0.0.1, started from 10.1.2.3");
    let ended = store.find_session(&token.hash()).await.unwrap().unwrap();
    assert_eq!(ended.end_reason.as_deref(), Some("ip_changed"));
    let events = store.list_audit(0, 10).await.unwrap();
    assert!(events.iter().any(|e| e.event.action == "session.ended" && e.event.details["reason"] == "ip_changed"));
}

/// A portal on a real socket whose provider is at `issuer`; returns its base URL.
async fn portal_against(db: &TestDb, issuer: &str) -> String {
    let listener = sep_web::server::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let portal = format!("http://{}", listener.local_addr().unwrap());
    let rp = RelyingParty::new(OidcSettings {
        issuer: issuer.into(),
        client_id: CLIENT.into(),
        client_secret: SECRET.into(),
        redirect_url: format!("{portal}/login/callback"),
        post_logout_url: format!("{portal}/"),
        scopes: vec![],
        timeout: Duration::from_secs(2),
        esia: None,
    })
    .unwrap();
    let state = AppState::new(
        db.store(),
        Arc::new(SystemClock),
        WebConfig::default(),
        Some(Arc::new(rp)),
        sep_testkit::app::catalogue(),
        sep_testkit::app::files(),
    );
    tokio::spawn(sep_web::server::serve(listener, sep_web::router(state), std::future::pending()));
    portal
}

/// How the fake provider misbehaves at its token endpoint.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fault {
    ServerError,
    Slow,
    ForeignSignature,
    WrongAudience,
    OAuthError,
}

/// A provider double: real discovery and JWKS, a token endpoint that fails as told.
async fn fake_provider(fault: Fault) -> String {
    use axum::routing::{get, post};
    let listener = sep_web::server::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let published = sep_idp::oidc::jws::Es256Key::generate().unwrap();
    let foreign = sep_idp::oidc::jws::Es256Key::generate().unwrap();
    let discovery = serde_json::json!({
        "issuer": base, "authorization_endpoint": format!("{base}/authorize"), "token_endpoint": format!("{base}/token"),
        "userinfo_endpoint": format!("{base}/userinfo"), "jwks_uri": format!("{base}/jwks.json"),
        "response_types_supported": ["code"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
    });
    let jwks = serde_json::json!({ "keys": [published.jwk()] });
    let issuer = base.clone();
    let token = move |body: String| {
        let (published, foreign, issuer) = (published.clone(), foreign.clone(), issuer.clone());
        async move {
            let nonce = body.split('&').find_map(|kv| kv.strip_prefix("nonce=")).unwrap_or("").to_owned();
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let claims = |aud: &str| serde_json::json!({"iss": issuer, "sub": "1", "aud": aud, "iat": now, "exp": now + 600, "nonce": nonce});
            let tokens = |jwt: String| {
                axum::Json(serde_json::json!({"access_token": "a", "token_type": "Bearer", "expires_in": 600, "id_token": jwt}))
                    .into_response()
            };
            use axum::response::IntoResponse;
            match fault {
                Fault::ServerError => {
                    (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "<html>Internal Server Error</html>")
                        .into_response()
                }
                Fault::Slow => {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    tokens(published.sign(&claims(CLIENT)))
                }
                Fault::ForeignSignature => tokens(foreign.sign(&claims(CLIENT))),
                Fault::WrongAudience => tokens(published.sign(&claims("someone-else"))),
                Fault::OAuthError => {
                    (axum::http::StatusCode::BAD_REQUEST, axum::Json(serde_json::json!({"error": "invalid_grant"})))
                        .into_response()
                }
            }
        }
    };
    let router = axum::Router::new()
        .route("/.well-known/openid-configuration", get(move || async move { axum::Json(discovery) }))
        .route("/jwks.json", get(move || async move { axum::Json(jwks) }))
        .route("/token", post(token));
    tokio::spawn(sep_web::server::serve(listener, router, std::future::pending()));
    base
}

async fn callback_against(fault: Fault) -> (StatusCode, String) {
    let provider = fake_provider(fault).await;
    let db = TestDb::sqlite().await;
    let portal = portal_against(&db, &provider).await;
    let browser =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = browser.get(format!("{portal}/login")).send().await.unwrap();
    let authorize = loc(&r);
    let st = authorize.split("state=").nth(1).unwrap().split('&').next().unwrap();
    let r = browser.get(format!("{portal}/login/callback?code=some-code&state={st}")).send().await.unwrap();
    let status = r.status();
    (status, r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l6_provider_faults_each_get_their_own_page() {
    let cases = [
        (Fault::ServerError, StatusCode::BAD_GATEWAY, "idp_bad_response"),
        (Fault::Slow, StatusCode::GATEWAY_TIMEOUT, "idp_timeout"),
        (Fault::ForeignSignature, StatusCode::BAD_GATEWAY, "idp_token_invalid"),
        (Fault::WrongAudience, StatusCode::BAD_GATEWAY, "idp_token_invalid"),
        (Fault::OAuthError, StatusCode::BAD_GATEWAY, "idp_error"),
    ];
    for (fault, status, code) in cases {
        let (got, page) = callback_against(fault).await;
        assert_eq!(got, status, "{code}: {page}");
        assert!(page.contains(&format!("<code>{code}</code>")), "{code}: {page}");
        assert!(page.contains("Что делать") && page.contains("href=\"/login\""), "{code}");
    }
}

impl World {
    /// Changes the demo citizen's data at the emulator, as if changed on Госуслуги.
    fn change_at_the_emulator(&self, column: &str, value: &str) {
        let conn = rusqlite::Connection::open(self._dir.path().join("idp.db")).unwrap();
        conn.execute(&format!("UPDATE accounts SET {column} = ?1 WHERE oid = 1000001"), [value]).unwrap();
    }

    async fn sign_out(&self) {
        let cabinet = self.get(&format!("{}/cabinet", self.portal)).await.text().await.unwrap();
        let r = self.post(&format!("{}/logout", self.portal), &[("csrf", &hidden(&cabinet, "csrf"))]).await;
        self.get(&loc(&r)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l5_changed_snils_is_shown_field_by_field_and_relinked_by_a_code() {
    let w = world(Backend::Sqlite).await.unwrap();
    w.sign_in().await;
    w.sign_out().await;
    w.change_at_the_emulator("snils", "11223344595");
    let callback = w.through_the_emulator("+79123456789", "allow").await;
    let r = w.get(&callback).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(page.contains("СНИЛС") && page.contains("<code>relink_snils_mismatch</code>"), "{page}");
    assert!(!page.contains("relink_inn_mismatch"), "only what differs");
    assert!(page.contains("Восстановить связь аккаунтов") && page.contains("по SMS"));
    assert!(!page.contains("112-233-445 95"), "values are masked");
    assert_eq!(loc(&w.get(&format!("{}/cabinet", w.portal)).await), "/login?return_to=/cabinet", "no session yet");

    let r = w.post(&format!("{}/relink/send", w.portal), &[]).await;
    assert_eq!(loc(&r), "/relink/code");
    // Three codes at most: the count is stored, so a fourth request is refused.
    for _ in 0..2 {
        assert_eq!(loc(&w.post(&format!("{}/relink/send", w.portal), &[]).await), "/relink/code");
    }
    let r = w.post(&format!("{}/relink/send", w.portal), &[]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("relink_code_limit"));
    let jobs = w.db.store().list_jobs("notify", 10).await.unwrap();
    assert_eq!(jobs.len(), 3, "no message for the refused request");
    assert_eq!((jobs[0].job.kind.as_str(), jobs[0].job.payload["to"].as_str()), ("send_sms", Some("+79123456789")));
    let text = jobs[0].job.payload["text"].as_str().unwrap().to_owned();
    let code = &text.split(": ").nth(1).unwrap()[..6];
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = w.post(&format!("{}/relink/code", w.portal), &[("code", wrong)]).await;
    assert!(r.text().await.unwrap().contains("otp_wrong"));
    let r = w.post(&format!("{}/relink/code", w.portal), &[("code", code)]).await;
    assert_eq!(loc(&r), "/cabinet");
    let cabinet = w.get(&format!("{}/cabinet", w.portal)).await.text().await.unwrap();
    assert!(cabinet.contains("112-233-445 95"), "the profile took the new СНИЛС");
    let relinked =
        w.db.store().list_audit(0, 100).await.unwrap().into_iter().find(|e| e.event.action == "user.relinked").unwrap();
    assert_eq!(relinked.event.details["changed"], serde_json::json!(["relink_snils_mismatch"]));
    assert!(w.actions().await.contains(&("user.relink_required".into(), "denied".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l5_without_a_shared_contact_the_page_sends_to_support() {
    let w = world(Backend::Sqlite).await.unwrap();
    w.sign_in().await;
    w.sign_out().await;
    w.change_at_the_emulator("email", "new-address@example.ru");
    w.change_at_the_emulator("phone", "+79990001122");
    // The emulator's login is by phone, which changed.
    let callback = w.through_the_emulator("+79990001122", "allow").await;
    let r = w.get(&callback).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(page.contains("relink_email_changed") && page.contains("relink_phone_changed"));
    assert!(page.contains("relink_no_shared_contact") && !page.contains("/relink/send"), "{page}");
    let r = w.post(&format!("{}/relink/send", w.portal), &[]).await;
    assert!(r.text().await.unwrap().contains("<code>relink_no_shared_contact</code>"), "no code can be sent");
}

/// SPEC L1 in ЕСИА mode, on real sockets: the portal signs `v2/ac` and `v3/te` with its ГОСТ
/// key, checks the emulator's ГОСТ-signed tokens, reads the person from `/rs/prns` and its
/// collections, and logs out through `/idp/ext/Logout`.
async fn esia_mode_round_trip(backend: Backend) {
    let Some(w) = common::world_esia(backend).await else { return };
    w.sign_in().await;
    let cabinet = w.get(&format!("{}/cabinet", w.portal)).await.text().await.unwrap();
    assert!(cabinet.contains("Здравствуйте, Иван Иванович!"), "{cabinet}");
    assert!(
        cabinet.contains("Иванов Иван Иванович")
            && cabinet.contains("123-456-789 64")
            && cabinet.contains("770123456703"),
        "person data read from /rs/prns"
    );
    assert!(cabinet.contains("+7 (912) 345-67-89"), "the phone from /rs/prns/{{oid}}/ctts");
    let login =
        w.db.store().list_audit(0, 100).await.unwrap().into_iter().find(|e| e.event.action == "auth.login").unwrap();
    assert_eq!(login.event.details["method"], "pwd", "ЕСИА's amr");
    // Госуслуги said where Иванов works (/rs/prns/{oid}/orgs): its accountant, not its head.
    let me = w.db.store().find_user_by_identity(&w.idp, "1000001").await.unwrap().unwrap();
    let orgs = w.db.store().list_user_orgs(me.id).await.unwrap();
    let orgs: Vec<_> = orgs.iter().map(|m| (m.short_name.as_str(), m.inn.as_str(), m.chief)).collect();
    assert_eq!(orgs, [("ООО «Ромашка»", "7701000019", false)], "usr_org is kept at login");
    // The user is linked to the ЕСИА oid at this provider.
    let user = w.db.store().list_audit(0, 100).await.unwrap().into_iter().find(|e| e.event.action == "user.created");
    assert!(user.is_some());
    let r = w.post(&format!("{}/logout", w.portal), &[("csrf", &hidden(&cabinet, "csrf"))]).await;
    let to_idp = loc(&r);
    assert!(
        to_idp.starts_with(&format!("{}/idp/ext/Logout?client_id={CLIENT}&redirect_url=", w.idp)),
        "ЕСИА's logout address: {to_idp}"
    );
    let r = w.get(&to_idp).await;
    assert_eq!(loc(&r), format!("{}/", w.portal), "back to the portal after logout at ЕСИА");
    assert_eq!(loc(&w.get(&format!("{}/", w.idp)).await), "/login", "the emulator session ended too");
    // A second login finds the same person.
    let callback = w.through_the_emulator("+79123456789", "allow").await;
    assert_eq!(loc(&w.get(&callback).await), "/cabinet");
    assert_eq!(w.actions().await.iter().filter(|(a, _)| a == "user.created").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esia_mode_round_trip_sqlite() {
    esia_mode_round_trip(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esia_mode_round_trip_postgres() {
    esia_mode_round_trip(Backend::Postgres).await;
}

/// The same with the emulator signing this system's tokens RS256: the portal picks ЕСИА's RSA
/// certificate by the token's `alg`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esia_mode_with_rs256_tokens() {
    let w = common::world_esia_rs256(Backend::Sqlite).await.unwrap();
    w.sign_in().await;
    let cabinet = w.get(&format!("{}/cabinet", w.portal)).await.text().await.unwrap();
    assert!(cabinet.contains("Иванов Иван Иванович"), "{cabinet}");
}

/// #22: another site cannot sign a person out of the emulator with a bare link: without a valid
/// `id_token_hint` the logout is confirmed on the emulator's own page (a POST from this site).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_without_proof_is_confirmed_by_the_person() {
    let Some(w) = common::world(Backend::Sqlite).await else { return };
    w.sign_in().await;
    assert_eq!(w.get(&format!("{}/", w.idp)).await.status(), StatusCode::OK, "signed in at the emulator");
    let r = w.get(&format!("{}/oidc/logout?post_logout_redirect_uri=https://evil.example/", w.idp)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Выйти из учётной записи Госуслуг?") && page.contains("action=\"/oidc/logout\""), "{page}");
    assert_eq!(w.get(&format!("{}/", w.idp)).await.status(), StatusCode::OK, "still signed in");
    let r = w
        .post(&format!("{}/oidc/logout", w.idp), &[("post_logout_redirect_uri", ""), ("state", ""), ("client_id", "")])
        .await;
    assert_eq!(r.status(), StatusCode::OK, "confirmed here: the 'you left' page");
    assert_eq!(loc(&w.get(&format!("{}/", w.idp)).await), "/login", "signed out now");
}

/// SEC1: a login to the portal from a device or an address not among the person's recent
/// logins is told in the cabinet (marked as needing action) and by e-mail; a known one is not.
#[tokio::test]
async fn a_login_from_a_new_device_or_address_is_told() {
    use sep_core::clock::Clock as _;
    let t = sep_testkit::TestApp::new().await;
    let w = t.citizen().await;
    let store = t.db.store();
    let proof = sep_core::signin::Proof {
        provider: "http://idp.test".into(),
        id_token: "a.b.c".into(),
        methods: "pwd".into(),
        authenticated_at: None,
    };
    let login = |ip: &str, ua: &str| {
        let device = sep_core::signin::Device { ip: ip.into(), user_agent: ua.into() };
        let origin = sep_core::audit::Origin { ip: Some(ip.into()), request_id: None };
        (device, origin)
    };
    let notices = || async { store.list_notices(w.user.id, 50).await.unwrap() };
    let before = notices().await.len();
    // The test's own sign-in was from 127.0.0.1 with no user agent: the same again is known.
    let (d, o) = login("127.0.0.1", "");
    sep_core::signin::open_session(store.as_ref(), &w.user, &d, &proof, &o, t.clock.now()).await.unwrap();
    assert_eq!(notices().await.len(), before, "a known device");
    let (d, o) = login("203.0.113.9", "Mozilla/5.0 (X11; Linux) Firefox/140.0");
    sep_core::signin::open_session(store.as_ref(), &w.user, &d, &proof, &o, t.clock.now()).await.unwrap();
    let now = notices().await;
    assert_eq!(now.len(), before + 1);
    assert!(now[0].notice.title.contains("нового устройства") && now[0].notice.critical, "{:?}", now[0]);
    assert!(now[0].notice.text.contains("203.0.113.9") && now[0].notice.link == "/sessions");
    let mail = store.list_jobs("notify", 50).await.unwrap();
    assert!(
        mail.iter().any(|j| j.job.kind == "send_email" && j.job.payload["subject"] == "Вход в СЭП с нового устройства"),
        "and by e-mail"
    );
    sep_core::signin::open_session(store.as_ref(), &w.user, &d, &proof, &o, t.clock.now()).await.unwrap();
    assert_eq!(notices().await.len(), before + 1, "known from then on");
}

/// «Защита входа» end to end (#21, point 8): with it on and the login 16 minutes old, the
/// e-passport sends the person to a fresh login — the portal asks the emulator for
/// `prompt=login`, `max_age=900` and the password-and-code class; the emulator asks for the
/// password and code again although its own session is alive — and opens after it. Switching
/// it off asks for the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_protection_sends_the_person_to_a_fresh_login_at_the_emulator() {
    let w = world(Backend::Sqlite).await.unwrap();
    w.sign_in().await;
    let page = |p: &str| format!("{}{p}", w.portal);
    let csrf = hidden(&w.get(&page("/settings")).await.text().await.unwrap(), "csrf");
    let r = w.post(&page("/settings/login-protection"), &[("csrf", &csrf), ("on", "1")]).await;
    assert_eq!(loc(&r), "/settings?saved=1#login-protection");
    assert!(w.get(&page("/settings")).await.text().await.unwrap().contains("data-login-protection=\"on\""));
    assert_eq!(w.get(&page("/passport")).await.status(), StatusCode::OK, "a login just made opens it");

    // Sixteen minutes on (the session kept alive halfway): the login is too old.
    w.clock.advance(time::Duration::minutes(8));
    assert_eq!(w.get(&page("/cabinet")).await.status(), StatusCode::OK);
    w.clock.advance(time::Duration::minutes(8));
    let r = w.get(&page("/passport")).await;
    assert_eq!(loc(&r), "/login?fresh=1&return_to=%2Fpassport");
    let r = w.get(&page("/passport/01890a5d-ac96-774b-bcce-b302099a8057/qr.png")).await;
    assert!(loc(&r).starts_with("/login?fresh=1&return_to=%2Fpassport%2F"), "every e-passport route");
    let off = w.post(&page("/settings/login-protection"), &[("csrf", &csrf), ("on", "0")]).await;
    assert_eq!(loc(&off), "/login?fresh=1&return_to=%2Fsettings%23login-protection", "not switched off so");
    let r = w.get(&page("/login?fresh=1&return_to=%2Fpassport")).await;
    let authorize = loc(&r);
    for p in ["prompt=login", "max_age=900", "acr_values=urn%3Asep%3Aacr%3Apwd-otp"] {
        assert!(authorize.contains(p), "{p} in {authorize}");
    }
    let r = w.get(&authorize).await;
    let r = w.get(&w.abs(&w.idp, &loc(&r))).await;
    let login = loc(&r);
    assert!(login.starts_with("/login?") && login.ends_with("&again=1"), "the emulator asks again: {login}");
    let r = w.log_in_at_the_emulator(&login, "+79123456789").await;
    let callback = loc(&r);
    assert!(callback.starts_with(&page("/login/callback?")), "{callback}");
    let r = w.get(&callback).await;
    assert_eq!(loc(&r), "/passport?relogin=1");
    let card = w.get(&page("/passport?relogin=1")).await;
    assert_eq!(card.status(), StatusCode::OK, "opens after the fresh login");
    let ended = w.actions().await.into_iter().filter(|(a, _)| a == "auth.session_replaced").count();
    assert_eq!(ended, 1, "the stale session ended, not left to time out");
    // And now it may be switched off.
    let csrf = hidden(&w.get(&page("/settings")).await.text().await.unwrap(), "csrf");
    let r = w.post(&page("/settings/login-protection"), &[("csrf", &csrf), ("on", "0")]).await;
    assert_eq!(loc(&r), "/settings?saved=1#login-protection");
    let actions = w.actions().await;
    for a in ["security.login_protection_on", "security.login_protection_off"] {
        assert!(actions.iter().any(|(x, o)| x == a && o == "success"), "{a} in {actions:?}");
    }
}

/// A provider that ignores the request for a fresh login (ЕСИА's protocol has no way to ask):
/// back from it still stale, the person gets a page saying so — never a loop of redirects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_login_the_provider_did_not_make_is_said_not_looped() {
    let w = common::world_esia(Backend::Sqlite).await.unwrap();
    w.sign_in().await;
    let page = |p: &str| format!("{}{p}", w.portal);
    let csrf = hidden(&w.get(&page("/settings")).await.text().await.unwrap(), "csrf");
    w.post(&page("/settings/login-protection"), &[("csrf", &csrf), ("on", "1")]).await;
    w.clock.advance(time::Duration::minutes(8));
    w.get(&page("/cabinet")).await;
    w.clock.advance(time::Duration::minutes(8));
    assert_eq!(loc(&w.get(&page("/passport")).await), "/login?fresh=1&return_to=%2Fpassport");
    let r = w.get(&page("/passport?relogin=1")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let text = r.text().await.unwrap();
    assert!(text.contains("fresh_login_not_confirmed") && text.contains("Вход не подтверждён"), "{text}");
}
