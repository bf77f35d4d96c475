//! The portal over HTTP, in process: pages, problems, operational endpoints, headers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers fail the test by panicking")]

use axum::http::StatusCode;
use sep_core::clock::SystemClock;
use sep_testkit::TestApp;
use sep_web::{AppState, WebConfig};
use std::sync::Arc;

#[tokio::test]
async fn home_page_says_what_sep_is_and_offers_gosuslugi_login() {
    let app = TestApp::new().await;
    let res = app.get("/").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    assert!(res.text.contains("<html lang=\"ru\">"));
    assert!(res.text.contains("Перейти к основному содержанию"), "skip link");
    assert!(res.text.contains("СЭП — система электронных услуг"));
    assert!(res.text.contains(r#"href="/login">Войти через Госуслуги</a>"#));
    assert!(!res.text.contains("http://") && !res.text.contains("https://"), "no external resources");
}

#[tokio::test]
async fn every_response_has_a_request_id_and_security_headers() {
    let app = TestApp::new().await;
    for path in ["/", "/login", "/healthz", "/nowhere", "/assets/site.css"] {
        let res = app.get(path).await;
        let id = res.header("x-request-id").unwrap_or_else(|| panic!("{path}: no request id"));
        assert_eq!(id.len(), 36, "{path}: {id}");
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(res.header("x-frame-options"), Some("DENY"), "{path}");
        let csp = res.header("content-security-policy").unwrap();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(res.header("strict-transport-security").is_some(), "{path}");
    }
    let a = app.get("/").await;
    let b = app.get("/").await;
    assert_ne!(a.header("x-request-id"), b.header("x-request-id"));
}

#[tokio::test]
async fn login_without_a_provider_explains_itself_with_code_time_and_request_id() {
    let app = TestApp::new().await;
    let res = app.get("/login").await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.text.contains("Вход через Госуслуги пока не настроен"));
    assert!(res.text.contains("<code>idp_not_configured</code>"));
    assert!(res.text.contains("МСК"), "the time is shown");
    assert!(res.text.contains(res.header("x-request-id").unwrap()), "the request id on the page is the header's");
    assert!(res.text.contains("Что делать"));
}

#[tokio::test]
async fn unknown_pages_are_russian_pages_or_rfc9457_json() {
    let app = TestApp::new().await;
    let html = app.get("/no/such/page").await;
    assert_eq!(html.status, StatusCode::NOT_FOUND);
    assert!(html.text.contains("Страница не найдена") && html.text.contains("<code>not_found</code>"));

    for res in [app.get_json("/no/such/page").await, app.get("/api/v1/nothing").await] {
        assert_eq!(res.status, StatusCode::NOT_FOUND);
        assert_eq!(res.header("content-type"), Some("application/problem+json"));
        let body: serde_json::Value = serde_json::from_str(&res.text).unwrap();
        assert_eq!(body["code"], "not_found");
        assert_eq!(body["status"], 404);
        assert_eq!(body["request_id"], res.header("x-request-id").unwrap());
        assert!(body["detail"].as_str().unwrap().contains("страницы нет"));
    }
    let res = app.get("/assets/missing.js").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn wrong_method_gets_a_page_not_an_empty_body() {
    let app = TestApp::new().await;
    let req = axum::http::Request::post("/").body(axum::body::Body::from("x=1")).unwrap();
    let res = app.request(req).await;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(res.text.contains("<code>method_not_allowed</code>"));
    assert!(res.header("allow").unwrap().contains("GET"));
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = TestApp::new().await;
    let big = vec![b'a'; WebConfig::default().max_body_bytes + 1];
    let req = axum::http::Request::post("/api/v1/echo")
        .header("content-length", big.len())
        .body(axum::body::Body::from(big))
        .unwrap();
    let res = app.request(req).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text.contains("payload_too_large"));
}

#[tokio::test]
async fn health_is_unconditional_and_readiness_checks_the_database() {
    let app = TestApp::new().await;
    let live = app.get("/healthz").await;
    assert_eq!((live.status, live.text.as_str()), (StatusCode::OK, "ok"));
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&ready.text).unwrap();
    assert_eq!((body["status"].as_str(), body["database"].as_str()), (Some("ready"), Some("sqlite")));
}

/// The portal over a PostgreSQL that is down: port 1 on loopback, where nothing listens, so
/// connections are refused at once.
fn on_a_dead_database() -> axum::Router {
    let store = sep_store_postgres::PgStore::connect("postgres://postgres@127.0.0.1:1/test", None, 2).unwrap();
    let state = AppState::new(
        Arc::new(store),
        Arc::new(SystemClock),
        WebConfig::default(),
        None,
        sep_testkit::app::catalogue(),
        sep_testkit::app::files(),
    );
    sep_web::router(state)
}

#[tokio::test]
async fn readiness_is_503_not_500_when_the_database_is_down() {
    let router = on_a_dead_database();
    let res = tower::ServiceExt::oneshot(
        router,
        axum::http::Request::get("/readyz").body(axum::body::Body::empty()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["code"], "store_unavailable");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let open = WebConfig { metrics: sep_web::ops::metrics::MetricsAccess::Open, ..WebConfig::default() };
    let app = TestApp::with_config(open).await;
    app.get("/").await;
    app.get("/assets/site.css").await;
    let res = app.get("/metrics").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text.contains(r#"http_requests_total{method="GET",route="/",status="200"}"#), "{}", res.text);
    assert!(res.text.contains(r#"route="/assets/{file}""#), "labels use the template, not the raw path");
    assert!(res.text.contains("http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn the_stylesheet_is_served_from_the_binary() {
    let app = TestApp::new().await;
    let res = app.get("/assets/site.css").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(res.text.contains("--accent: #0d4cd3"));
}

#[tokio::test]
async fn cross_site_posts_are_refused_with_a_page() {
    let app = TestApp::new().await;
    let req = axum::http::Request::post("/login")
        .header("host", "portal.example")
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example")
        .body(axum::body::Body::empty())
        .unwrap();
    let res = app.request(req).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.text.contains("<code>forbidden</code>"), "{}", res.text);
}

#[tokio::test]
async fn the_service_catalogue_is_searchable_without_login() {
    let app = TestApp::new().await;
    let all = app.get("/services").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.text.contains("href=\"/services/registration\">Регистрация в СЭП</a>"));
    assert!(all.text.contains("5–10 рабочих дней"));
    let found = app.get("/services?q=%D1%80%D0%B5%D0%B3%D0%B8%D1%81%D1%82%D1%80%D0%B0%D1%86%D0%B8%D1%8F").await;
    assert!(found.text.contains("Найдено: 1"), "{}", found.text);
    let none = app.get("/services?q=xyzzy").await;
    assert!(none.text.contains("услуг не найдено"));
    let page = app.get("/services/registration").await;
    assert!(page.text.contains("Устав организации — PDF, до 10 МБ"), "{}", page.text);
    assert!(page.text.contains("Физическое лицо, Индивидуальный предприниматель, Юридическое лицо"));
    assert_eq!(app.get("/services/nonexistent").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn help_is_readable_without_login_and_explains_every_status_and_code() {
    let app = TestApp::new().await;
    let res = app.get("/help").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text.contains("Как войти") && res.text.contains("Регистрация в СЭП"));
    for status in sep_core::application::status::Status::ALL {
        assert!(res.text.contains(&format!(">{}</span>", status.title())), "{status:?}");
    }
    assert!(res.text.contains("Требуются сведения</span></dt>\n    <dd>Нужно исправить"), "{}", res.text);
    let res = app.get("/help/errors").await;
    assert_eq!(res.status, StatusCode::OK);
    for code in
        ["idp_unreachable", "snils_invalid_checksum", "consent_required", "contact_phone_unconfirmed", "not_found"]
    {
        assert!(res.text.contains(&format!("<tr id=\"{code}\"><td><code>{code}</code>")), "{code}");
    }
    let home = app.get("/").await;
    assert!(home.text.contains("href=\"/help\""), "linked from every page's footer");
}

#[tokio::test]
async fn the_interface_switches_to_english_and_back() {
    use axum::body::Body;
    use axum::http::{Request, header};
    let app = TestApp::new().await;
    assert!(app.get("/").await.text.contains(r#"href="/lang?to=en" lang="en" hreflang="en">English</a>"#));
    let r = app
        .request(
            Request::get("/lang?to=en")
                .header(header::REFERER, "http://localhost/services?q=%D1%80")
                .header(header::HOST, "localhost")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.header("location"), Some("/services?q=%D1%80"), "back to the page it was pressed on");
    let cookie = r.header("set-cookie").unwrap().split(';').next().unwrap().to_owned();
    assert_eq!(cookie, "sep_lang=en");
    let en = app.request(Request::get("/").header(header::COOKIE, &cookie).body(Body::empty()).unwrap()).await;
    assert!(en.text.contains("<html lang=\"en\">"));
    assert!(
        en.text.contains(r#"href="/login">Sign in with Gosuslugi</a>"#) && en.text.contains("Skip to main content")
    );
    assert!(en.text.contains(r#"hreflang="ru">Русский</a>"#));
    let r = app.request(Request::get("/lang?to=ru&return_to=//evil.example").body(Body::empty()).unwrap()).await;
    assert_eq!(r.header("location"), Some("/cabinet"), "no open redirect");
    let elsewhere = app
        .request(
            Request::get("/lang?to=en")
                .header(header::REFERER, "https://evil.example/x")
                .header(header::HOST, "localhost")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(elsewhere.header("location"), Some("/"), "a foreign referer is not followed");
}

#[tokio::test]
async fn return_addresses_with_control_characters_neither_redirect_away_nor_fail() {
    let app = TestApp::new().await;
    for sneaky in ["/%09/evil.example", "/%0A/evil.example", "/%01", "/\\evil.example"] {
        let r = app.get(&format!("/lang?to=en&return_to={sneaky}")).await;
        assert_eq!(r.header("location"), Some("/cabinet"), "{sneaky}");
    }
    // An id with a control character in a page that needs a sign-in: a redirect, not a 500.
    let r = app.get("/officer/applications/%0A").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/login?return_to=/officer/applications/%0A"));
}

/// A signed-in browser of `TestApp` is what the login through Госуслуги leaves behind: the
/// profile the provider shares, the journal of a first login, the terms accepted, a session
/// whose CSRF secret the forms carry; a second sign-in of the same person is a second session.
#[tokio::test]
async fn a_signed_in_browser_is_what_the_login_leaves() {
    let app = TestApp::new().await;
    let ivan = app.citizen().await;
    assert_eq!(ivan.cookie, format!("sep_session={}", ivan.cookie("sep_session").unwrap()));
    let cabinet = ivan.page("/cabinet").await;
    assert!(cabinet.contains("Здравствуйте, Иван Иванович!"), "{cabinet}");
    assert!(
        cabinet.contains("123-456-789 64")
            && cabinet.contains("770123456703")
            && cabinet.contains("+7 (912) 345-67-89")
    );
    assert!(cabinet.contains(&format!("name=\"csrf\" value=\"{}\"", ivan.csrf)));
    let actions: Vec<String> = app.actions().await.into_iter().map(|(a, o)| format!("{a}:{o}")).collect();
    assert_eq!(actions, ["user.created:success", "auth.login:success", "terms.accepted:success"]);
    let history = ivan.page("/history").await;
    assert!(history.contains("Вход через Госуслуги") && history.contains("127.0.0.1"), "{history}");

    let again = app.citizen().await;
    assert_eq!(again.user.id, ivan.user.id, "the same person");
    assert_ne!(again.cookie, ivan.cookie, "another session");
    assert_eq!(app.actions().await.len(), 4, "a login, no second profile, the terms once");

    assert_eq!(ivan.post("/logout", &[("csrf", "forged")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(ivan.post_form("/logout", &[]).await.location(), "/");
    assert!(ivan.cookie("sep_session").is_none(), "the cookie is gone");
    assert_eq!(ivan.get("/cabinet").await.location(), "/login?return_to=/cabinet");
    assert_eq!(again.get("/cabinet").await.status, StatusCode::OK, "the other session goes on");

    let officer = app.officer("Оператор СЭП").await;
    assert_eq!(officer.user.role, sep_core::user::Role::Officer);
    assert!(officer.page("/officer").await.contains("Очередь заявлений"));
    let admin = app.admin().await;
    assert_eq!((admin.user.role, admin.user.profile.last_name.as_str()), (sep_core::user::Role::Admin, "Смирнов"));
    assert!(admin.user.terms_accepted.is_some());
}

#[tokio::test]
async fn the_request_id_is_ours_unless_the_incoming_one_is_a_plain_id() {
    let app = TestApp::new().await;
    let send = |id: &'static str| {
        let req = axum::http::Request::get("/").header("x-request-id", id).body(axum::body::Body::empty()).unwrap();
        app.request(req)
    };
    let kept = send("7f9c1e2a-3b4d-4c5e-8f60-718293a4b5c6").await;
    assert_eq!(kept.header("x-request-id"), Some("7f9c1e2a-3b4d-4c5e-8f60-718293a4b5c6"), "a proxy's id is kept");
    let forged = send("abc user=admin action=auth.login").await;
    let id = forged.header("x-request-id").unwrap();
    assert!(id.len() == 36 && !id.contains("admin"), "a made-up one is replaced: {id}");
    let long: &'static str = Box::leak("a".repeat(8192).into_boxed_str());
    let replaced = send(long).await;
    assert_eq!(replaced.header("x-request-id").unwrap().len(), 36, "an 8 KB one too");
}

#[tokio::test]
async fn pages_with_personal_data_are_not_cached() {
    let app = TestApp::new().await;
    let w = app.citizen().await;
    for path in ["/cabinet", "/applications", "/documents", "/history", "/settings"] {
        let r = w.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
    }
    assert_eq!(
        app.get("/assets/site.css").await.header("cache-control"),
        Some("public, max-age=3600"),
        "assets keep theirs"
    );
}

#[tokio::test]
async fn logins_from_one_address_are_limited() {
    let app = TestApp::new().await;
    let mut statuses = Vec::new();
    for _ in 0..61 {
        statuses.push(app.get("/login").await);
    }
    // No provider is configured here: each start is refused with its page, but counted.
    assert!(statuses[..60].iter().all(|r| r.status != StatusCode::TOO_MANY_REQUESTS));
    let last = statuses.last().unwrap();
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(last.text.contains("rate_limited"), "{}", last.text);
}

#[tokio::test]
async fn control_characters_never_reach_a_draft() {
    let app = TestApp::new().await;
    let w = app.citizen().await;
    let draft = crate::common::draft(&w).await;
    let r = w.post_form(&draft, &[("address", "г. Москва\u{0}, ул. Арбат\u{1b}[31m, д. 1\nкв. 2")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let id = uuid::Uuid::parse_str(draft.trim_start_matches("/applications/")).unwrap();
    let app_row = app.db.store().get_application(sep_core::application::record::ApplicationId(id)).await.unwrap();
    assert_eq!(app_row.data["address"], "г. Москва, ул. Арбат[31m, д. 1\nкв. 2");
}

/// SECURITY.md (slow clients): a form whose body stops arriving is refused with 408 and a
/// page once the body has been idle for the body timeout — not held until the request
/// timeout's 503 — on a url-encoded form and on an upload alike.
#[tokio::test]
async fn a_body_that_stops_arriving_is_refused_with_408() {
    use futures_util::StreamExt as _;
    let config = WebConfig { body_idle_timeout: std::time::Duration::from_millis(300), ..WebConfig::default() };
    let app = TestApp::with_config(config).await;
    let w = app.citizen().await;
    for (path, content_type) in
        [("/settings", "application/x-www-form-urlencoded"), ("/verify", "multipart/form-data; boundary=X")]
    {
        // A first piece, then nothing more.
        let first: Result<&'static [u8], std::io::Error> =
            Ok(b"--X\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n");
        let body = futures_util::stream::iter([first]).chain(futures_util::stream::pending());
        let req = axum::http::Request::post(path)
            .header("content-type", content_type)
            .header("content-length", "100000")
            .header("sec-fetch-site", "same-origin")
            .header("accept", "text/html")
            .body(axum::body::Body::from_stream(body))
            .unwrap();
        let started = std::time::Instant::now();
        let res = w.open(req).await;
        let took = started.elapsed();
        assert_eq!(res.status(), StatusCode::REQUEST_TIMEOUT, "{path}");
        let text =
            String::from_utf8(axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
        assert!(text.contains("request_timeout") && text.contains("Запрос не дошёл целиком"), "{path}: {text}");
        assert!(took < std::time::Duration::from_secs(5), "{path}: cut off by the body timeout ({took:?})");
    }
}

/// T15: `/metrics` is not public outside the demo — not served by default, and with a token
/// only to a scraper that presents it; a refusal is the plain 404 of an unknown page.
#[tokio::test]
async fn metrics_are_served_only_to_whom_the_configuration_allows() {
    let closed = TestApp::new().await;
    assert_eq!(closed.get("/metrics").await.status, StatusCode::NOT_FOUND, "closed by default");
    let token = WebConfig {
        metrics: sep_web::ops::metrics::MetricsAccess::Token("scrape-token-0123456789".into()),
        ..WebConfig::default()
    };
    let app = TestApp::with_config(token).await;
    let get = |auth: Option<&str>| {
        let mut req = axum::http::Request::get("/metrics");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        req.body(axum::body::Body::empty()).unwrap()
    };
    assert_eq!(app.request(get(None)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.request(get(Some("Bearer wrong"))).await.status, StatusCode::NOT_FOUND);
    let r = app.request(get(Some("Bearer scrape-token-0123456789"))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("http_requests_total"), "{}", r.text);
}

/// Behind a trusted proxy each client has its own per-address budget (`X-Forwarded-For`,
/// read from the right); from anywhere else the header is ignored.
#[tokio::test]
async fn clients_behind_a_trusted_proxy_are_told_apart() {
    let proxy = sep_web::client::parse_proxies("127.0.0.1").unwrap();
    let app = TestApp::with_config(WebConfig { trusted_proxies: proxy, ..WebConfig::default() }).await;
    let b = app.browser();
    let check = |from: &'static str| {
        axum::http::Request::post("/verify")
            .header("content-type", "multipart/form-data; boundary=X")
            .header("x-forwarded-for", from)
            .body(axum::body::Body::from("--X--\r\n"))
            .unwrap()
    };
    for _ in 0..30 {
        assert_ne!(b.request(check("203.0.113.5")).await.status, StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(b.request(check("203.0.113.5")).await.status, StatusCode::TOO_MANY_REQUESTS, "this client's budget");
    assert_ne!(b.request(check("203.0.113.6")).await.status, StatusCode::TOO_MANY_REQUESTS, "another client's own");
    assert_eq!(
        b.request(check("203.0.113.6, 203.0.113.5")).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged left part changes nothing"
    );

    // Without a trusted proxy the header is not believed: one budget for the peer.
    let plain = TestApp::new().await;
    let b = plain.browser();
    for i in 0..30 {
        let from: &'static str = if i % 2 == 0 { "198.51.100.1" } else { "198.51.100.2" };
        assert_ne!(b.request(check(from)).await.status, StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(b.request(check("198.51.100.3")).await.status, StatusCode::TOO_MANY_REQUESTS);
}

/// T11: with the database down a signed-in person is told the service is unavailable (503 and
/// a page), never quietly treated as signed out and sent to log in again.
#[tokio::test]
async fn a_database_outage_is_503_for_a_signed_in_person_not_a_sign_out() {
    let router = on_a_dead_database();
    let token = sep_core::session::SessionToken::generate().unwrap();
    for path in ["/cabinet", "/documents", "/signature"] {
        let req = axum::http::Request::get(path)
            .header("accept", "text/html")
            .header("cookie", format!("sep_session={}", token.expose()))
            .body(axum::body::Body::empty())
            .unwrap();
        let res = tower::ServiceExt::oneshot(router.clone(), req).await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("service_unavailable") && text.contains("Сервис временно недоступен"), "{path}: {text}");
    }
}

/// T10: a file store that cannot be written (here its directory is gone and a file stands in
/// its place) makes `/readyz` answer 503 and name the files, while the database is fine.
#[tokio::test]
async fn readiness_names_a_file_store_that_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let files_dir = dir.path().join("files");
    let files = Arc::new(sep_core::application::attachment::LocalFileStore::new(files_dir.clone()).unwrap());
    let db = sep_testkit::TestDb::sqlite().await;
    let state = AppState::new(
        db.store(),
        Arc::new(SystemClock),
        WebConfig::default(),
        None,
        sep_testkit::app::catalogue(),
        files,
    );
    let router = sep_web::router(state);
    let ask = || async {
        let req = axum::http::Request::get("/readyz").body(axum::body::Body::empty()).unwrap();
        let res = tower::ServiceExt::oneshot(router.clone(), req).await.unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice::<serde_json::Value>(&bytes).unwrap())
    };
    let (status, body) = ask().await;
    assert_eq!((status, body["files"].as_str()), (StatusCode::OK, Some("ok")), "{body}");
    std::fs::remove_dir_all(&files_dir).unwrap();
    std::fs::write(&files_dir, b"not a directory").unwrap();
    let (status, body) = ask().await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(
        (body["files"].as_str(), body["code"].as_str()),
        (Some("file_store_unavailable"), Some("file_store_unavailable"))
    );
    assert!(body["database_code"].is_null(), "the database is fine: {body}");
    std::fs::remove_file(&files_dir).unwrap();
    let (status, _) = ask().await;
    assert_eq!(status, StatusCode::OK, "ready again once files can be written");
}

/// SEC1: uploads are limited per person and searches per address, each answered with 429, a
/// page with the code and `Retry-After`; other people and plain pages are not affected.
#[tokio::test]
async fn uploads_and_searches_have_their_own_limits() {
    let app = TestApp::new().await;
    let w = app.citizen().await;
    let pdf: &[u8] = b"%PDF-1.7\n";
    // Requests until the first 429: at least the burst passes (a slow machine lets a few more
    // through as the budget refills), and one is refused well before 200.
    let mut passed = 0;
    let mut refused = None;
    for _ in 0..200 {
        // A signature upload for a document that does not exist: refused, but counted.
        let r = w.upload("/documents/signatures", &[("d", "a:none")], &[("signature", "s.sig", pdf)]).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(r);
            break;
        }
        passed += 1;
    }
    let r = refused.expect("uploads are limited");
    assert!(passed >= 60, "the burst of 60 passes: {passed}");
    assert!(r.text.contains("rate_limited"), "{}", r.text);
    assert!(r.header("retry-after").is_some_and(|v| v.parse::<u64>().is_ok_and(|n| n >= 1)), "{:?}", r.headers);
    let other = app.sign_in_as("+79345678901").await;
    let r = other.upload("/documents/signatures", &[("d", "a:none")], &[("signature", "s.sig", pdf)]).await;
    assert_ne!(r.status, StatusCode::TOO_MANY_REQUESTS, "another person's budget");

    let b = app.browser();
    let mut passed = 0;
    let mut limited = false;
    for _ in 0..300 {
        if b.get("/services?q=регистрация").await.status == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            break;
        }
        passed += 1;
    }
    assert!(limited && passed >= 60, "searches limited after the burst of 60: {passed}");
    assert_eq!(b.get("/services").await.status, StatusCode::OK, "the catalogue without a search is not limited");
}

/// T11 with a link under the test's control between the portal and PostgreSQL: while the
/// database is cut off, or hangs, a signed-in page is 503 with a page — not 500, not a sign-out
/// — and `/readyz` says which (`store_unavailable`, `store_timeout`); once the link is back, the
/// same portal (no restart) answers again within 10 seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t11_a_database_cut_off_or_hanging_is_503_and_recovers_without_a_restart() {
    use sep_testkit::link::{Link, Mode};
    let Some(db) = sep_testkit::TestDb::postgres().await else {
        eprintln!("SEP_TEST_DATABASE_URL not set: PostgreSQL link test skipped");
        return;
    };
    let (url, schema) = db.postgres_schema().unwrap();
    let (before, rest) = url.split_once('@').unwrap();
    let (authority, path) = rest.split_once('/').unwrap();
    let target: std::net::SocketAddr = tokio::net::lookup_host(authority).await.unwrap().next().unwrap();
    let link = Link::to(target).await;
    let proxied = format!("{before}@{}/{path}", link.addr());
    let store = Arc::new(sep_store_postgres::PgStore::connect(&proxied, Some(schema), 4).unwrap());

    // A signed-in person, made directly in the database.
    let now = time::OffsetDateTime::now_utc();
    let user = sep_testkit::stories::citizen(&db, now).await;
    db.store().update_terms_accepted(user, "2026-11", now, &Default::default()).await.unwrap();
    let token = sep_testkit::stories::sessions::open(&db, user, now, "127.0.0.1").await;
    let config = WebConfig {
        request_timeout: std::time::Duration::from_secs(3),
        ready_timeout: std::time::Duration::from_secs(2),
        ..WebConfig::default()
    };
    let state = AppState::new(
        store,
        Arc::new(SystemClock),
        config,
        None,
        sep_testkit::app::catalogue(),
        sep_testkit::app::files(),
    );
    let router = sep_web::router(state);
    let ask = |path: &'static str| {
        let router = router.clone();
        let cookie = format!("sep_session={}", token.expose());
        async move {
            let req = axum::http::Request::get(path)
                .header("accept", "text/html")
                .header("cookie", cookie)
                .body(axum::body::Body::empty())
                .unwrap();
            let res = tower::ServiceExt::oneshot(router, req).await.unwrap();
            let status = res.status();
            let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
            (status, String::from_utf8_lossy(&bytes).into_owned())
        }
    };
    let back_within = |limit: std::time::Duration| async move {
        let start = std::time::Instant::now();
        loop {
            if ask("/cabinet").await.0 == StatusCode::OK {
                return start.elapsed();
            }
            assert!(start.elapsed() < limit, "not back within {limit:?}");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    };
    assert_eq!(ask("/cabinet").await.0, StatusCode::OK);
    assert_eq!(ask("/readyz").await.0, StatusCode::OK);

    for (mode, said) in [(Mode::Down, "store_unavailable"), (Mode::Silent, "store_timeout")] {
        link.set(mode);
        let start = std::time::Instant::now();
        let (status, page) = ask("/cabinet").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{mode:?}: {page}");
        assert!(page.contains("Сервис временно недоступен"), "{mode:?}: a page, not a sign-out: {page}");
        assert!(start.elapsed() < std::time::Duration::from_secs(8), "{mode:?}: answered in {:?}", start.elapsed());
        let (status, ready) = ask("/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{mode:?}: {ready}");
        assert!(ready.contains(said), "{mode:?}: {ready}");
        link.set(Mode::Up);
        let took = back_within(std::time::Duration::from_secs(10)).await;
        eprintln!("T11 {mode:?}: back {took:?} after the link returned");
        assert_eq!(ask("/readyz").await.0, StatusCode::OK);
    }
}
