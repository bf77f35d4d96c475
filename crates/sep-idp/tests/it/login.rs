//! The emulator's login over HTTP, in process, with an injected clock: password, SMS code,
//! lockout, code expiry and reuse, outbox, new-device notices (SPEC I2, I6; SECURITY.md T3, T4).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers fail the test by panicking")]

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Idp, PASSWORD, PHONE};
use sep_idp::store::OutboxStore;
use time::Duration;

#[tokio::test]
async fn login_page_has_the_gosuslugi_fields() {
    let mut idp = Idp::new().await;
    let res = idp.get("/login").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text.contains(r#"<label for="login">Телефон, почта или СНИЛС</label>"#));
    assert!(res.text.contains(r#"<label for="password">Пароль</label>"#));
    assert!(res.text.contains(">Войти</button>"));
    let root = idp.get("/").await;
    assert_eq!((root.status, root.location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")));
}

#[tokio::test]
async fn password_then_sms_code_signs_in_and_notices_the_new_device() {
    let mut idp = Idp::new().await;
    let res = idp.password_step("8 (912) 345-67-89", PASSWORD).await;
    assert_eq!((res.status, res.location.as_deref()), (StatusCode::SEE_OTHER, Some("/login/code")));
    let page = idp.get("/login/code").await;
    assert!(page.text.contains("+7 (***) ***-**-89"), "says where the code went");
    assert!(page.text.contains("Отправить ещё раз"));

    let code = idp.last_code().await;
    let res = idp.post("/login/code", &[("code", &code)]).await;
    assert_eq!((res.status, res.location.as_deref()), (StatusCode::SEE_OTHER, Some("/")));
    assert!(idp.cookies.contains_key("gu_session") && !idp.cookies.contains_key("gu_login"));
    let me = idp.get("/").await;
    assert!(me.text.contains("Иванов Иван Иванович") && me.text.contains("Подтверждённая"), "{}", me.text);

    let notices: Vec<_> = idp
        .store
        .list_messages(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.body.contains("нового устройства"))
        .collect();
    assert_eq!(notices.len(), 2, "SMS and e-mail notice of the new device");

    // Signing in again from the same browser is not a new device.
    idp.post("/logout", &[]).await;
    assert_eq!(idp.get("/").await.status, StatusCode::SEE_OTHER);
    idp.password_step(PHONE, PASSWORD).await;
    let code = idp.last_code().await;
    idp.post("/login/code", &[("code", &code)]).await;
    let again =
        idp.store.list_messages(50).await.unwrap().into_iter().filter(|m| m.body.contains("нового устройства")).count();
    assert_eq!(again, 2, "no second notice");
}

#[tokio::test]
async fn every_login_identifier_works() {
    let mut idp = Idp::new().await;
    for login in
        ["ivanov@example.ru", "IVANOV@EXAMPLE.RU", "123-456-789 64", "12345678964", "770123456703", "+7 912 345 67 89"]
    {
        let res = idp.password_step(login, PASSWORD).await;
        assert_eq!(res.location.as_deref(), Some("/login/code"), "{login}: {}", res.text);
    }
    let res = idp.password_step("not a login", PASSWORD).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("login_identifier_format"));
}

#[tokio::test]
async fn t3_lockout_at_the_fifth_failure_refuses_the_right_password_and_unlocks_in_time() {
    let mut idp = Idp::new().await;
    for i in 1..=4 {
        let res = idp.password_step(PHONE, "Wrong-Passw0rd").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {i}");
        assert!(res.text.contains("login_invalid_credentials"));
    }
    let fifth = idp.password_step(PHONE, "Wrong-Passw0rd").await;
    assert_eq!(fifth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(fifth.text.contains("login_locked") && fifth.text.contains("Вход временно заблокирован"));
    // Locked even for the right password, and by another identifier of the same account.
    for login in [PHONE, "ivanov@example.ru"] {
        let res = idp.password_step(login, PASSWORD).await;
        assert!(res.text.contains("login_locked"), "{login}");
    }
    idp.clock.advance(Duration::minutes(15) - Duration::seconds(1));
    assert!(idp.password_step(PHONE, PASSWORD).await.text.contains("login_locked"));
    idp.clock.advance(Duration::seconds(1));
    assert_eq!(idp.password_step(PHONE, PASSWORD).await.location.as_deref(), Some("/login/code"));
}

#[tokio::test]
async fn the_lock_does_not_reveal_whether_an_account_exists() {
    let mut idp = Idp::new().await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..5 {
        known.push(idp.password_step(PHONE, "Wrong-Passw0rd").await);
        unknown.push(idp.password_step("+79990000000", "Wrong-Passw0rd").await);
    }
    for (k, u) in known.iter().zip(&unknown) {
        assert_eq!(k.status, u.status);
        let code = |t: &str| t.split("<code>").nth(1).map(|s| s.split('<').next().unwrap_or("").to_owned());
        assert_eq!(code(&k.text), code(&u.text));
    }
    assert!(unknown[4].text.contains("Вход временно заблокирован"));
}

#[tokio::test]
async fn t4_a_code_allows_three_tries_then_is_void() {
    let mut idp = Idp::new().await;
    idp.password_step(PHONE, PASSWORD).await;
    let code = idp.last_code().await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r1 = idp.post("/login/code", &[("code", wrong)]).await;
    assert!(r1.text.contains("Осталось попыток: 2"), "{}", r1.text);
    let r2 = idp.post("/login/code", &[("code", wrong)]).await;
    assert!(r2.text.contains("Осталось попыток: 1"));
    let r3 = idp.post("/login/code", &[("code", wrong)]).await;
    assert!(r3.text.contains("otp_tries_exhausted"));
    let r4 = idp.post("/login/code", &[("code", &code)]).await;
    assert!(r4.text.contains("otp_expired"), "the right code no longer works");
    assert!(!idp.cookies.contains_key("gu_session"));
    // A letter is a format error and does not cost a try.
    let r5 = idp.post("/login/code", &[("code", "12a456")]).await;
    assert!(r5.text.contains("otp_format"));
}

#[tokio::test]
async fn t4_resend_voids_the_old_code_and_codes_expire_after_five_minutes() {
    let mut idp = Idp::new().await;
    idp.password_step(PHONE, PASSWORD).await;
    let old = idp.last_code().await;
    let res = idp.post("/login/resend", &[]).await;
    assert!(res.text.contains("Новый код отправлен"));
    let new = idp.last_code().await;
    if old != new {
        let r = idp.post("/login/code", &[("code", &old)]).await;
        assert!(!idp.cookies.contains_key("gu_session") && r.status == StatusCode::UNPROCESSABLE_ENTITY);
    }
    idp.clock.advance(Duration::minutes(5));
    let r = idp.post("/login/code", &[("code", &new)]).await;
    assert!(r.text.contains("otp_expired"), "{}", r.text);
    idp.post("/login/resend", &[]).await;
    let fresh = idp.last_code().await;
    let r = idp.post("/login/code", &[("code", &fresh)]).await;
    assert_eq!(r.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn t4_a_code_is_single_use_and_bound_to_its_login() {
    let mut first = Idp::new().await;
    first.password_step(PHONE, PASSWORD).await;
    let mut second = first.fresh_browser();
    second.password_step(PHONE, PASSWORD).await;
    // The first browser's code does not complete the second browser's login.
    let msgs = first.store.list_messages(50).await.unwrap();
    let codes: Vec<String> = msgs
        .iter()
        .filter(|m| m.body.starts_with("Код подтверждения"))
        .map(|m| m.body.split(": ").nth(1).unwrap()[..6].to_owned())
        .collect();
    let (second_code, first_code) = (&codes[0], &codes[1]);
    if first_code != second_code {
        let r = second.post("/login/code", &[("code", first_code)]).await;
        assert!(r.text.contains("otp_wrong"));
    }
    let r = first.post("/login/code", &[("code", first_code)]).await;
    assert_eq!(r.location.as_deref(), Some("/"));
    // Replaying the finished login's code (with its old login cookie) gets nowhere.
    let mut replay = first.fresh_browser();
    replay.cookies = first.cookies.clone();
    replay.cookies.insert("gu_login".into(), "0".repeat(64));
    let r = replay.post("/login/code", &[("code", first_code)]).await;
    assert!(r.text.contains("login_expired"));
}

#[tokio::test]
async fn a_login_left_unfinished_expires_after_ten_minutes() {
    let mut idp = Idp::new().await;
    idp.password_step(PHONE, PASSWORD).await;
    idp.clock.advance(Duration::minutes(10));
    let r = idp.get("/login/code").await;
    assert!(r.text.contains("login_expired") && r.text.contains("Телефон, почта или СНИЛС"));
}

#[tokio::test]
async fn return_to_never_leaves_the_site() {
    let mut idp = Idp::new().await;
    idp.post("/login", &[("login", PHONE), ("password", PASSWORD), ("return_to", "//evil.example/x")]).await;
    let code = idp.last_code().await;
    let r = idp.post("/login/code", &[("code", &code)]).await;
    assert_eq!(r.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn the_outbox_lists_messages_newest_first_as_html_and_json() {
    let mut idp = Idp::new().await;
    idp.password_step(PHONE, PASSWORD).await;
    idp.post("/login/resend", &[]).await;
    let json = idp.get("/outbox.json").await;
    let v: serde_json::Value = serde_json::from_str(&json.text).unwrap();
    let msgs = v["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2);
    assert!(msgs[0]["id"].as_i64() > msgs[1]["id"].as_i64(), "newest first");
    assert_eq!(msgs[0]["channel"], "sms");
    assert_eq!(msgs[0]["recipient"], PHONE);
    let html = idp.get("/outbox").await;
    assert!(html.text.contains("Код подтверждения входа на Госуслуги"));
}

#[tokio::test]
async fn cross_site_login_posts_are_refused() {
    let mut idp = Idp::new().await;
    let req = Request::post("/login")
        .header("sec-fetch-site", "cross-site")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("login={PHONE}&password={PASSWORD}")))
        .unwrap();
    let r = idp.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(idp.store.list_messages(10).await.unwrap().is_empty(), "no code was sent");
}

#[tokio::test]
async fn malformed_requests_get_pages_not_500s() {
    let mut idp = Idp::new().await;
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from("{}"))
        .unwrap();
    assert!(idp.send(req).await.status.is_client_error());
    let r = idp.post("/login/code", &[("code", "123456")]).await;
    assert!(r.text.contains("login_expired"), "no login cookie");
    idp.cookies.insert("gu_login".into(), "garbage".into());
    assert!(idp.post("/login/resend", &[]).await.text.contains("login_expired"));
    assert_eq!(idp.get("/nope").await.status, StatusCode::NOT_FOUND);
}

async fn recovery_code(idp: &Idp) -> String {
    let msgs = idp.store.list_messages(50).await.unwrap();
    let body = &msgs.iter().find(|m| m.body.starts_with("Код для восстановления")).unwrap().body;
    body.split(": ").nth(1).unwrap()[..6].to_owned()
}

#[tokio::test]
async fn forgotten_password_is_recovered_by_sms_code_and_the_lock_lifts() {
    let mut idp = Idp::new().await;
    for _ in 0..5 {
        idp.password_step(PHONE, "Wrong-Passw0rd").await;
    }
    assert!(idp.password_step(PHONE, PASSWORD).await.text.contains("login_locked"));
    assert!(idp.get("/login").await.text.contains("href=\"/recovery\">Забыли пароль?"));

    let r = idp.post("/recovery", &[("login", "123-456-789 64")]).await;
    assert_eq!(r.location.as_deref(), Some("/recovery/code"));
    let code = recovery_code(&idp).await;
    // Password mistakes are named and do not cost a try.
    let r = idp.post("/recovery/code", &[("code", &code), ("password", "short"), ("repeat", "short")]).await;
    assert!(r.text.contains("password_rules") && r.text.contains("не менее 8 символов"), "{}", r.text);
    let r =
        idp.post("/recovery/code", &[("code", &code), ("password", "New-Passw0rd"), ("repeat", "New-Passw0rd!")]).await;
    assert!(r.text.contains("password_mismatch"));
    let r =
        idp.post("/recovery/code", &[("code", &code), ("password", "New-Passw0rd"), ("repeat", "New-Passw0rd")]).await;
    assert_eq!(r.location.as_deref(), Some("/login?recovered=1"));
    assert!(idp.get("/login?recovered=1").await.text.contains("Пароль изменён"));

    // Unlocked, the old password is gone, the new one works.
    assert!(idp.password_step(PHONE, PASSWORD).await.text.contains("login_invalid_credentials"));
    assert_eq!(idp.password_step(PHONE, "New-Passw0rd").await.location.as_deref(), Some("/login/code"));
    let notice = idp
        .store
        .list_messages(50)
        .await
        .unwrap()
        .into_iter()
        .any(|m| m.body.contains("Пароль от вашей учётной записи Госуслуг изменён"));
    assert!(notice, "the person is told their password changed");
}

#[tokio::test]
async fn recovery_by_email_sends_the_code_by_email_and_ends_open_sessions() {
    let mut idp = Idp::new().await;
    idp.sign_in(PHONE).await;
    let mut other = idp.fresh_browser();
    other.post("/recovery", &[("login", "ivanov@example.ru")]).await;
    let msgs = idp.store.list_messages(5).await.unwrap();
    assert_eq!((msgs[0].channel, msgs[0].recipient.as_str()), ("email", "ivanov@example.ru"));
    let code = recovery_code(&idp).await;
    other.post("/recovery/code", &[("code", &code), ("password", "New-Passw0rd"), ("repeat", "New-Passw0rd")]).await;
    assert_eq!(idp.get("/").await.location.as_deref(), Some("/login"), "the session opened before the change ended");
}

#[tokio::test]
async fn recovery_pages_do_not_reveal_whether_an_account_exists() {
    let mut idp = Idp::new().await;
    let known = idp.post("/recovery", &[("login", PHONE)]).await;
    let mut stranger = idp.fresh_browser();
    let unknown = stranger.post("/recovery", &[("login", "+79990000000")]).await;
    assert_eq!((known.status, known.location.clone()), (unknown.status, unknown.location.clone()));
    let a = idp.get("/recovery/code").await;
    let b = stranger.get("/recovery/code").await;
    assert_eq!(a.text, b.text);
    let r = stranger
        .post("/recovery/code", &[("code", "123456"), ("password", "New-Passw0rd"), ("repeat", "New-Passw0rd")])
        .await;
    assert!(r.text.contains("otp_wrong"));
    assert_eq!(idp.store.list_messages(10).await.unwrap().len(), 1, "only the real account got a code");
}

#[tokio::test]
async fn recovery_requests_are_limited_per_account() {
    let mut idp = Idp::new().await;
    for _ in 0..3 {
        assert_eq!(idp.post("/recovery", &[("login", PHONE)]).await.location.as_deref(), Some("/recovery/code"));
    }
    let r = idp.post("/recovery", &[("login", PHONE)]).await;
    assert!(r.text.contains("recovery_limit"));
    idp.clock.advance(Duration::minutes(15));
    assert_eq!(idp.post("/recovery", &[("login", PHONE)]).await.location.as_deref(), Some("/recovery/code"));
}

async fn register(idp: &mut Idp, (password, repeat, phone): (&str, &str, &str)) -> common::Res {
    let form = [
        ("last_name", "Новикова"),
        ("first_name", "Ольга"),
        ("middle_name", ""),
        ("phone", phone),
        ("email", "novikova@example.ru"),
        ("password", password),
        ("repeat", repeat),
    ];
    idp.post("/register", &form).await
}

#[tokio::test]
async fn self_registration_confirms_the_phone_and_creates_a_simplified_account() {
    let mut idp = Idp::new().await;
    assert!(idp.get("/login").await.text.contains("href=\"/register\""));
    let r = register(&mut idp, ("weak", "weak", "8 900 555-44-33")).await;
    assert!(r.text.contains("password_rules") && r.text.contains("заглавная"), "{}", r.text);
    assert!(r.text.contains("value=\"Новикова\""), "typed values are kept");
    let r = register(&mut idp, ("Str0ng-pass", "Str0ng-pas", "8 900 555-44-33")).await;
    assert!(r.text.contains("password_mismatch"));
    let r = register(&mut idp, ("Str0ng-pass", "Str0ng-pass", PHONE)).await;
    assert!(r.text.contains("identifier_taken") && r.text.contains("Телефон уже используется"), "{}", r.text);
    let r = register(&mut idp, ("Str0ng-pass", "Str0ng-pass", "12345")).await;
    assert!(r.text.contains("phone_invalid_format"));

    let r = register(&mut idp, ("Str0ng-pass", "Str0ng-pass", "8 900 555-44-33")).await;
    assert_eq!(r.location.as_deref(), Some("/register/code"));
    assert!(idp.get("/register/code").await.text.contains("+79005554433"));
    let msgs = idp.store.list_messages(5).await.unwrap();
    let code = msgs[0].body.split(": ").nth(1).unwrap()[..6].to_owned();
    assert!(msgs[0].body.starts_with("Код для подтверждения регистрации"));
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert!(idp.post("/register/code", &[("code", wrong)]).await.text.contains("otp_wrong"));
    let r = idp.post("/register/code", &[("code", &code)]).await;
    assert_eq!(r.location.as_deref(), Some("/login?registered=1"));

    let r = idp.password_step("novikova@example.ru", "Str0ng-pass").await;
    assert_eq!(r.location.as_deref(), Some("/login/code"));
    let code = idp.last_code().await;
    idp.post("/login/code", &[("code", &code)]).await;
    let me = idp.get("/").await;
    assert!(me.text.contains("Новикова Ольга") && me.text.contains("Упрощённая"), "{}", me.text);
}

const IP_PHONE: &str = "+79678901234";

fn app_code(idp: &Idp) -> String {
    sep_idp::totp::code_at(sep_idp::demo::DEMO_TOTP_SECRET, sep_core::clock::Clock::now(idp.clock.as_ref())).unwrap()
}

#[tokio::test]
async fn totp_replaces_the_sms_and_each_code_works_once() {
    let mut idp = Idp::new().await;
    let r = idp.password_step(IP_PHONE, PASSWORD).await;
    assert_eq!(r.location.as_deref(), Some("/login/code"));
    let page = idp.get("/login/code").await;
    assert!(page.text.contains("Введите код из приложения") && page.text.contains("Получить код по SMS"));
    assert!(idp.store.list_messages(10).await.unwrap().iter().all(|m| m.recipient != IP_PHONE), "no SMS was sent");
    let code = app_code(&idp);
    let r = idp.post("/login/code", &[("code", &code)]).await;
    assert_eq!(r.location.as_deref(), Some("/"), "{}", r.text);

    // The same code again, in another login within the same 30 seconds: refused.
    let mut again = idp.fresh_browser();
    again.password_step(IP_PHONE, PASSWORD).await;
    let r = again.post("/login/code", &[("code", &code)]).await;
    assert!(r.text.contains("totp_reused"), "{}", r.text);
    idp.clock.advance(Duration::seconds(30));
    let r = again.post("/login/code", &[("code", &app_code(&again))]).await;
    assert_eq!(r.location.as_deref(), Some("/"), "the next step's code works");
}

#[tokio::test]
async fn wrong_app_codes_count_towards_the_lock_and_sms_is_the_fallback() {
    let mut idp = Idp::new().await;
    idp.password_step(IP_PHONE, PASSWORD).await;
    let good = app_code(&idp);
    let wrong = if good == "000000" { "111111" } else { "000000" };
    assert!(idp.post("/login/code", &[("code", wrong)]).await.text.contains("totp_wrong"));
    let r = idp.post("/login/resend", &[]).await;
    assert!(r.text.contains("Введите код из SMS"), "{}", r.text);
    let msgs = idp.store.list_messages(5).await.unwrap();
    assert_eq!(msgs[0].recipient, IP_PHONE);
    let sms = idp.last_code().await;
    assert_eq!(idp.post("/login/code", &[("code", &sms)]).await.location.as_deref(), Some("/"));

    let mut guesser = idp.fresh_browser();
    guesser.password_step(IP_PHONE, PASSWORD).await;
    let mut last = String::new();
    for _ in 0..5 {
        last = guesser.post("/login/code", &[("code", wrong)]).await.text;
    }
    assert!(last.contains("login_locked"), "{last}");
    assert!(guesser.password_step(IP_PHONE, PASSWORD).await.text.contains("login_locked"));
}

#[tokio::test]
async fn a_person_connects_an_authenticator_app_from_the_profile() {
    let mut idp = Idp::new().await;
    idp.sign_in(PHONE).await;
    assert!(idp.get("/").await.text.contains("Не подключено"));
    let setup = idp.get("/totp/setup").await;
    let secret = setup.text.split("name=\"secret\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert!(setup.text.contains("otpauth://totp/Gosuslugi:"));
    let r = idp.post("/totp/enable", &[("secret", &secret), ("code", "000000")]).await;
    if r.status != StatusCode::SEE_OTHER {
        assert!(
            r.text.contains("Код не совпал") && r.text.contains("totp_code_mismatch"),
            "what happened and its code"
        );
    }
    let code = sep_idp::totp::code_at(&secret, sep_core::clock::Clock::now(idp.clock.as_ref())).unwrap();
    let r = idp.post("/totp/enable", &[("secret", &secret), ("code", &code)]).await;
    assert_eq!(r.location.as_deref(), Some("/"));
    assert!(idp.get("/").await.text.contains("Подключено"));

    idp.post("/logout", &[]).await;
    idp.clock.advance(Duration::seconds(30));
    idp.password_step(PHONE, PASSWORD).await;
    assert!(idp.get("/login/code").await.text.contains("Введите код из приложения"));
    let code = sep_idp::totp::code_at(&secret, sep_core::clock::Clock::now(idp.clock.as_ref())).unwrap();
    assert_eq!(idp.post("/login/code", &[("code", &code)]).await.location.as_deref(), Some("/"));
    idp.post("/totp/disable", &[]).await;
    assert!(idp.get("/").await.text.contains("Не подключено"));
}

#[tokio::test]
async fn one_address_is_throttled_before_it_can_run_through_accounts() {
    use sep_core::clock::Clock;
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(sep_idp::sqlite::IdpSqlite::open(&dir.path().join("idp.db")).unwrap());
    let clock: std::sync::Arc<dyn Clock> = std::sync::Arc::new(sep_core::clock::SystemClock);
    let mut state = sep_idp::web::IdpState::new(store.clone(), clock.clone(), "http://idp.test").await.unwrap();
    sep_idp::demo::seed(store.as_ref(), state.login.hasher(), clock.now()).await.unwrap();
    state.throttle = sep_http::throttle::Throttle::new(1, 3);
    let router = sep_idp::web::router(state, sep_http::Limits::default());
    let post = |login: &'static str| {
        let router = router.clone();
        async move {
            let req = Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("login={login}&password=Wrong-Passw0rd")))
                .unwrap();
            let res = tower::ServiceExt::oneshot(router, req).await.unwrap();
            let status = res.status();
            let retry = res.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_owned());
            let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
            (status, String::from_utf8_lossy(&body).into_owned(), retry)
        }
    };
    for login in ["%2B79123456789", "%2B79234567890", "%2B79345678901"] {
        assert_eq!(post(login).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, page, retry) = post("%2B79456789012").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("<code>rate_limited</code>") && page.contains("Слишком много попыток"));
    assert!(retry.is_some_and(|s| s.parse::<u64>().is_ok_and(|n| (1..=60).contains(&n))), "Retry-After in seconds");
}
