//! The integration API's first part (issue 18): a person issues a personal access token in the
//! cabinet — shown once, stored as a hash, scopes in words, a lifetime — and their program
//! reads their applications through `/api/v1` with it, page by page; a token without the
//! scope, revoked, or another person's reaches nothing; refusals are problem+json with codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common::file;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sep_core::clock::Clock;
use sep_testkit::TestApp;
use sep_testkit::app::{Signed, TestResponse};

/// `GET path` with `Authorization: Bearer token` (none when empty).
pub(crate) async fn call(t: &TestApp, path: &str, token: &str) -> TestResponse {
    let mut req = Request::get(path);
    if !token.is_empty() {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    t.request(req.body(Body::empty()).unwrap()).await
}

/// Issues a token with `scopes` through the cabinet; its secret from the page that answers.
pub(crate) async fn issue(w: &Signed, name: &str, scopes: &[&str]) -> String {
    let mut form = vec![("name", name), ("days", "30")];
    form.extend(scopes.iter().map(|s| ("scope", *s)));
    let r = w.post_form("/tokens", &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"), "the secret is not kept by caches");
    r.text.split("data-secret>").nth(1).unwrap().split('<').next().unwrap().to_owned()
}

pub(crate) fn json(r: &TestResponse) -> serde_json::Value {
    serde_json::from_slice(&r.bytes).unwrap_or_else(|e| panic!("{e}: {}", r.text))
}

#[tokio::test]
async fn a_personal_token_reads_ones_applications_and_nothing_more() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    assert!(w.page("/cabinet").await.contains("href=\"/tokens\""), "linked from the cabinet");
    let first =
        file(&w, "person", &[("passport_number", "000001")]).await.trim_start_matches("/applications/").to_owned();
    let second =
        file(&w, "person", &[("passport_number", "000002")]).await.trim_start_matches("/applications/").to_owned();

    let secret = issue(&w, "Бухгалтерия", &["applications:read"]).await;
    assert!(secret.starts_with("sep_pat_") && secret.len() == 72, "{secret}");
    let list = w.page("/tokens").await;
    assert!(list.contains("Бухгалтерия") && list.contains("Читать ваши заявления"), "{list}");
    assert!(!list.contains(&secret), "shown once, on the issuing page only");
    let stored = t.db.store().list_api_tokens(w.user.id).await.unwrap();
    assert!(stored.len() == 1 && stored[0].hash != secret && !stored[0].hash.contains(&secret[8..]));
    let journal = format!("{:?}", t.db.store().list_audit(0, 10_000).await.unwrap());
    assert!(journal.contains("api.token_issued") && !journal.contains(&secret[8..]), "journaled, not the secret");

    // The list, page by page; one with its history.
    let r = call(&t, "/api/v1/applications?limit=1", &secret).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let page = json(&r);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let next = page["next_cursor"].as_str().unwrap().to_owned();
    let r = json(&call(&t, &format!("/api/v1/applications?limit=1&cursor={next}"), &secret).await);
    assert!(r.get("next_cursor").is_none(), "the last page: {r}");
    let mut ids: Vec<String> = [page["items"][0]["id"].clone(), r["items"][0]["id"].clone()]
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    let mut want = vec![first.clone(), second.clone()];
    want.sort();
    assert_eq!(ids, want, "both, once each");
    let one = json(&call(&t, &format!("/api/v1/applications/{first}"), &secret).await);
    assert_eq!(one["service"], "registration");
    assert!(one["number"].as_str().is_some() && one["status"].as_str().is_some(), "{one}");
    assert!(!one["history"].as_array().unwrap().is_empty(), "{one}");
    let seen = t.db.store().list_api_tokens(w.user.id).await.unwrap();
    assert!(seen[0].last_used_at.is_some(), "the last use is noted");
    assert!(!w.page("/tokens").await.contains("не использовался"));

    // Refusals, each with its code, as problem+json.
    for (path, token, status, code) in [
        ("/api/v1/applications", "", StatusCode::UNAUTHORIZED, "api_token_missing"),
        ("/api/v1/applications", "sep_pat_0000", StatusCode::UNAUTHORIZED, "api_token_invalid"),
        ("/api/v1/applications?limit=0", secret.as_str(), StatusCode::UNPROCESSABLE_ENTITY, "api_limit_invalid"),
        ("/api/v1/applications?status=lost", secret.as_str(), StatusCode::UNPROCESSABLE_ENTITY, "api_status_unknown"),
        ("/api/v1/applications?cursor=x", secret.as_str(), StatusCode::UNPROCESSABLE_ENTITY, "api_cursor_invalid"),
        ("/api/v1/applications?limit=abc", secret.as_str(), StatusCode::UNPROCESSABLE_ENTITY, "api_limit_invalid"),
        ("/api/v1/applications?limit=abc", "", StatusCode::UNAUTHORIZED, "api_token_missing"),
    ] {
        let r = call(&t, path, token).await;
        assert_eq!(r.status, status, "{path}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"), "{path}");
        assert_eq!(json(&r)["code"], code, "{path}");
        // RFC 6750 §3: a 401 says how to authenticate, and why a token was refused.
        let challenge = match code {
            "api_token_missing" => Some("Bearer"),
            "api_token_invalid" => Some("Bearer error=\"invalid_token\""),
            _ => None,
        };
        assert_eq!(r.header("www-authenticate"), challenge, "{path}");
    }
    // A cursor past every item is a valid, empty page (an item gone since does not break it);
    // the scheme's name is case-insensitive.
    let r = json(&call(&t, "/api/v1/applications?cursor=1.01900000-0000-7000-8000-000000000000", &secret).await);
    assert!(r["items"].as_array().unwrap().is_empty() && r.get("next_cursor").is_none(), "{r}");
    let lower = Request::get("/api/v1/applications").header(header::AUTHORIZATION, format!("bearer {secret}"));
    assert_eq!(t.request(lower.body(Body::empty()).unwrap()).await.status, StatusCode::OK);
    assert!(w.page("/cabinet").await.contains("Выпущен токен доступа"), "the person hears of it");
    assert!(w.page("/history").await.contains("Выпущен токен доступа"));
    let docs_only = issue(&w, "Архив", &["documents:read"]).await;
    let r = call(&t, "/api/v1/applications", &docs_only).await;
    assert!(r.status == StatusCode::FORBIDDEN && json(&r)["code"] == "api_scope_missing", "{}", r.text);
    assert_eq!(r.header("www-authenticate"), Some("Bearer error=\"insufficient_scope\""));
    let r = call(&t, "/api/v1/documents", &secret).await;
    assert!(r.status == StatusCode::FORBIDDEN && json(&r)["code"] == "api_scope_missing", "{}", r.text);

    // «Мои документы»: listed as the page lists them, each file downloaded.
    let docs = json(&call(&t, "/api/v1/documents?limit=1", &docs_only).await);
    let first_doc = docs["items"][0].clone();
    assert_eq!(first_doc["origin"], "attachment", "{docs}");
    let file_url = first_doc["file"].as_str().unwrap().to_owned();
    let got = call(&t, &file_url, &docs_only).await;
    assert_eq!((got.status, got.bytes.as_slice()), (StatusCode::OK, crate::common::PDF), "{file_url}");
    let next = docs["next_cursor"].as_str().expect("more than one document").to_owned();
    let rest = json(&call(&t, &format!("/api/v1/documents?limit=200&cursor={next}"), &docs_only).await);
    let keys: Vec<&str> = rest["items"].as_array().unwrap().iter().map(|d| d["key"].as_str().unwrap()).collect();
    assert!(!keys.contains(&first_doc["key"].as_str().unwrap()), "no document twice");
    let total = w.page("/documents").await;
    assert!(total.contains(first_doc["file_name"].as_str().unwrap()), "the same documents as the page");

    // Another person's token reaches none of it.
    let other = t.sign_in_as("+79345678901").await;
    let theirs = issue(&other, "Чужая программа", &["applications:read"]).await;
    let r = json(&call(&t, "/api/v1/applications", &theirs).await);
    assert!(r["items"].as_array().unwrap().is_empty(), "{r}");
    let r = call(&t, &format!("/api/v1/applications/{first}"), &theirs).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let their_docs = issue(&other, "Чужой архив", &["documents:read"]).await;
    assert_eq!(call(&t, &file_url, &their_docs).await.status, StatusCode::NOT_FOUND, "another's document");
    let denied = t.db.store().list_audit(0, 10_000).await.unwrap();
    assert!(
        denied.iter().any(|e| e.event.action == "application.access_denied" && e.event.actor == Some(other.user.id)),
        "journaled as the pages journal it"
    );
    assert_eq!(call(&t, "/api/v1/applications/not-an-id", &secret).await.status, StatusCode::NOT_FOUND);

    // «Отозвать»: by its person only, and it stops working.
    let id = stored[0].id;
    assert_eq!(other.post_form(&format!("/tokens/{id}/revoke"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(w.post_form(&format!("/tokens/{id}/revoke"), &[]).await.location(), "/tokens");
    let r = call(&t, "/api/v1/applications", &secret).await;
    assert!(r.status == StatusCode::UNAUTHORIZED && json(&r)["code"] == "api_token_invalid", "{}", r.text);
    assert!(w.page("/tokens").await.contains("data-state=\"revoked\""));
}

#[tokio::test]
async fn a_token_is_issued_only_as_asked() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    for (form, code) in [
        (vec![("name", " "), ("scope", "applications:read"), ("days", "30")], "token_name_required"),
        (vec![("name", "Бухгалтерия"), ("days", "30")], "token_scopes_required"),
        (vec![("name", "Бухгалтерия"), ("scope", "everything"), ("days", "30")], "token_scopes_required"),
        (vec![("name", "Бухгалтерия"), ("scope", "applications:read"), ("days", "1000")], "token_lifetime_invalid"),
        (vec![("name", "Бухгалтерия"), ("scope", "applications:read"), ("days", "soon")], "token_lifetime_invalid"),
    ] {
        let r = w.post_form("/tokens", &form).await;
        assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.text.contains(code), "{code}: {}", r.status);
    }
    assert!(t.db.store().list_api_tokens(w.user.id).await.unwrap().is_empty(), "nothing issued");
    let form = [("name", "Много"), ("scope", "documents:read"), ("days", "30")];
    for _ in 0..sep_core::integration::tokens::MAX_LIVE {
        assert_eq!(w.post_form("/tokens", &form).await.status, StatusCode::OK);
    }
    let r = w.post_form("/tokens", &form).await;
    assert!(r.text.contains("token_limit"), "{}", r.status);
}

/// The OpenAPI document is generated from the handlers, served as JSON, describes every
/// `/api/v1` route the router has (and no other), and is snapshot so a change shows in review.
#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let t = TestApp::new().await;
    let r = call(&t, "/api/v1/openapi.json", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let doc = json(&r);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    assert_eq!(doc["components"]["securitySchemes"]["token"]["scheme"], "bearer");
    let mut described: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    described.sort();
    let mut served: Vec<String> = crate::routes::routes()
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| (p.starts_with("/api/v1/") && p != "/api/v1/openapi.json") || p == "/integration/register")
        .collect();
    served.sort();
    assert_eq!(described, served, "the document and the router agree");
    let events: Vec<&str> = doc["components"]["schemas"]["EventCode"]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", doc["components"]["schemas"]["EventCode"]))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let types: Vec<&str> = sep_core::integration::webhook::EventType::ALL.iter().map(|t| t.code()).collect();
    assert_eq!(events, types, "the document names every event type the portal raises");
    insta::assert_snapshot!("openapi", serde_json::to_string_pretty(&doc).unwrap());
}

/// `method path` with a JSON `body`, a token and, when given, an `Idempotency-Key`.
pub(crate) async fn write(
    t: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    key: Option<&str>,
    body: &str,
) -> TestResponse {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    t.request(req.body(Body::from(body.to_owned())).unwrap()).await
}

/// A refusal's code and its fields' names.
pub(crate) fn refusal(r: &TestResponse) -> (StatusCode, String, Vec<String>) {
    assert_eq!(r.header("content-type"), Some("application/problem+json"), "{}", r.text);
    let j = json(r);
    let fields = j["errors"]
        .as_array()
        .map_or_else(Vec::new, |e| e.iter().map(|x| x["field"].as_str().unwrap().to_owned()).collect());
    (r.status, j["code"].as_str().unwrap().to_owned(), fields)
}

/// Issue 18, point 1: a program creates a draft, fills it, sends and withdraws it through the
/// same use cases as the pages; a repeat with the same `Idempotency-Key` answers as the first
/// and creates nothing twice; bad bodies are refused by code, naming the field.
#[tokio::test]
async fn a_program_writes_applications_once_per_idempotency_key() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let token = issue(&w, "Бухгалтерия", &["applications:read", "applications:write"]).await;
    let store = t.db.store();
    let count = || async { store.list_applications_for_user(w.user.id).await.unwrap().len() };

    let body = r#"{"service":"registration","applicant_type":"person","data":{"birth_place":"г. Тверь"}}"#;
    let r = write(&t, "POST", "/api/v1/applications", &token, Some("k-1"), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let made = json(&r);
    let id = made["id"].as_str().unwrap().to_owned();
    assert_eq!(r.header("location"), Some(format!("/api/v1/applications/{id}").as_str()));
    assert_eq!((made["status"].as_str(), made["data"]["birth_place"].as_str()), (Some("draft"), Some("г. Тверь")));
    assert!(made["data"]["last_name"].as_str().is_some_and(|n| !n.is_empty()), "pre-filled from the profile: {made}");
    let again = write(&t, "POST", "/api/v1/applications", &token, Some("k-1"), body).await;
    assert_eq!((again.status, again.header("idempotent-replayed")), (StatusCode::CREATED, Some("true")));
    assert_eq!(json(&again)["id"], made["id"], "the first answer, not a second draft");
    assert_eq!(count().await, 1);
    let other = body.replace("Тверь", "Псков");
    let r = write(&t, "POST", "/api/v1/applications", &token, Some("k-1"), &other).await;
    assert_eq!(refusal(&r), (StatusCode::UNPROCESSABLE_ENTITY, "api_idempotency_key_reused".into(), vec![]));
    let journal = store.list_audit(0, 10_000).await.unwrap();
    assert_eq!(journal.iter().filter(|e| e.event.action == "application.created").count(), 1, "journaled once");
    // A key whose first request has not been answered (still running, or cut off by a crash)
    // is not run again.
    let claim = sep_core::integration::idempotency::Claim {
        owner: format!("user:{}", w.user.id.0),
        key: "k-2".into(),
        fingerprint: sep_core::integration::idempotency::fingerprint("POST", "/api/v1/applications", body.as_bytes()),
        created_at: t.clock.now(),
        answer: None,
    };
    assert!(store.insert_api_idempotency(&claim).await.unwrap());
    let r = write(&t, "POST", "/api/v1/applications", &token, Some("k-2"), body).await;
    assert_eq!(refusal(&r), (StatusCode::CONFLICT, "api_idempotency_in_progress".into(), vec![]));
    assert_eq!(count().await, 1);

    // Bad bodies: refused by code, the field named, nothing created.
    let create = |body: &'static str| write(&t, "POST", "/api/v1/applications", &token, None, body);
    for (r, want) in [
        (
            create(r#"{"service":"registration","applicant_type":"person","colour":"red"}"#).await,
            (StatusCode::UNPROCESSABLE_ENTITY, "api_field_unknown", vec!["colour"]),
        ),
        (
            create(r#"{"service":"registration","applicant_type":"person","data":{"shoe_size":"42","snils":"1"}}"#)
                .await,
            (StatusCode::UNPROCESSABLE_ENTITY, "api_field_unknown", vec!["shoe_size"]),
        ),
        (create(r#"{"service":"registration""#).await, (StatusCode::BAD_REQUEST, "api_json_invalid", vec![])),
        (
            create(r#"{"service":"registration","applicant_type":"alien"}"#).await,
            (StatusCode::UNPROCESSABLE_ENTITY, "api_body_invalid", vec![]),
        ),
        (
            create(r#"{"applicant_type":"person"}"#).await,
            (StatusCode::UNPROCESSABLE_ENTITY, "api_body_invalid", vec![]),
        ),
        (
            create(r#"{"service":"moon_landing","applicant_type":"person"}"#).await,
            (StatusCode::NOT_FOUND, "service_unknown", vec![]),
        ),
        (
            write(&t, "POST", "/api/v1/applications", &token, Some("a key"), body).await,
            (StatusCode::BAD_REQUEST, "api_idempotency_key_invalid", vec![]),
        ),
    ] {
        let want = (want.0, want.1.to_owned(), want.2.iter().map(|f| (*f).to_owned()).collect());
        assert_eq!(refusal(&r), want, "{}", r.text);
    }
    let plain = Request::post("/api/v1/applications")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(refusal(&t.request(plain).await).1, "api_content_type");
    assert_eq!(count().await, 1, "nothing half-made");

    // Sending what is not complete names what stops it, field by field.
    let path = format!("/api/v1/applications/{id}");
    let r = write(&t, "PATCH", &path, &token, None, r#"{"data":{"snils":"123"}}"#).await;
    assert_eq!((r.status, json(&r)["data"]["snils"].as_str()), (StatusCode::OK, Some("123")), "{}", r.text);
    let r = write(&t, "POST", &format!("{path}/submit"), &token, None, r#"{"consent":true}"#).await;
    let (status, code, fields) = refusal(&r);
    assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "application_incomplete"), "{}", r.text);
    assert!(fields.contains(&"snils".to_owned()) && fields.iter().any(|f| f.starts_with("doc-")), "{fields:?}");
    let r = write(&t, "PATCH", &path, &token, None, r#"{"data":{"snils":"1"},"extra":1}"#).await;
    assert_eq!(refusal(&r).2, vec!["extra".to_owned()]);

    // A draft made complete on the pages is sent and withdrawn by the program.
    let page = crate::common::fill(&w, "registration", "person", &[("passport_number", "000001")]).await;
    let id = page.trim_start_matches("/applications/").to_owned();
    let path = format!("/api/v1/applications/{id}");
    let r = write(&t, "POST", &format!("{path}/submit"), &token, None, r#"{"consent":false}"#).await;
    assert_eq!(refusal(&r).1, "consent_required");
    let r = write(&t, "POST", &format!("{path}/submit"), &token, Some("send-1"), r#"{"consent":true}"#).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let sent = json(&r);
    assert!(sent["number"].as_str().is_some() && sent["status"] != "draft", "{sent}");
    let r = write(&t, "POST", &format!("{path}/submit"), &token, Some("send-1"), r#"{"consent":true}"#).await;
    assert_eq!((r.status, json(&r)["number"].clone()), (StatusCode::OK, sent["number"].clone()), "replayed");
    let r = write(&t, "POST", &format!("{path}/submit"), &token, None, r#"{"consent":true}"#).await;
    assert_eq!(refusal(&r).0, StatusCode::CONFLICT, "sent once: {}", r.text);
    assert!(w.page(&page).await.contains(sent["number"].as_str().unwrap()), "the pages see what the API did");
    let bare = Request::post(format!("{path}/withdraw"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let r = t.request(bare).await;
    assert_eq!((r.status, json(&r)["status"].as_str()), (StatusCode::OK, Some("withdrawn")), "{}", r.text);

    // Another's token, a token without the scope: refused, nothing changed.
    let before =
        store.get_application(sep_core::application::record::ApplicationId(id.parse().unwrap())).await.unwrap();
    let stranger = t.sign_in_as("+79345678901").await;
    let theirs = issue(&stranger, "Чужая", &["applications:write"]).await;
    let r = write(&t, "PATCH", &path, &theirs, None, r#"{"data":{"birth_place":"x"}}"#).await;
    assert_eq!(refusal(&r).0, StatusCode::NOT_FOUND);
    let read_only = issue(&w, "Только чтение", &["applications:read"]).await;
    let r = write(&t, "POST", "/api/v1/applications", &read_only, None, body).await;
    assert_eq!(refusal(&r).1, "api_scope_missing");
    let after = store.get_application(before.id).await.unwrap();
    assert_eq!((after.data, after.status), (before.data, before.status));
    assert_eq!(count().await, 2);
}

/// `/api/docs`: every operation of the document on one page, under the portal's strict CSP,
/// with a form to try it and its script from the portal itself.
#[tokio::test]
async fn the_api_documentation_shows_every_operation_under_the_strict_csp() {
    let t = TestApp::new().await;
    let r = call(&t, "/api/docs", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("content-security-policy"), Some(sep_web::CSP_STRICT));
    let doc = json(&call(&t, "/api/v1/openapi.json", "").await);
    let mut ops = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let shown = format!("<code>{} {}</code>", method.to_ascii_uppercase(), path);
            assert!(r.text.contains(&shown), "{shown} missing");
            ops += 1;
        }
    }
    assert_eq!(r.text.matches("data-try").count(), ops, "a form for each");
    assert!(r.text.contains(r#"<script src="/assets/apidocs.js" defer></script>"#) && !r.text.contains("<script>"));
    assert!(r.text.contains("applicant_type"), "an example body from the schema");
    let js = call(&t, "/assets/apidocs.js", "").await;
    assert!(js.status == StatusCode::OK && js.text.contains("sessionStorage"));
}

/// Issue 18, point 1, справки: ordered through the API (the page's checks, field by field),
/// followed to «ready», downloaded with the agency's signature — which checks.
#[tokio::test]
async fn a_program_orders_a_spravka_follows_it_and_downloads_it_signed() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let token = issue(&w, "Бухгалтерия", &["spravki:read", "spravki:order"]).await;
    let kinds = json(&call(&t, "/api/v1/spravki/kinds", &token).await);
    let income = kinds["items"].as_array().unwrap().iter().find(|k| k["code"] == "income").unwrap().clone();
    assert!(income["max_period_days"].as_u64().is_some(), "{income}");

    let r = write(
        &t,
        "POST",
        "/api/v1/spravki",
        &token,
        None,
        r#"{"kind":"income","from":"2025-03-31","to":"2025-01-01"}"#,
    )
    .await;
    let (status, code, fields) = refusal(&r);
    assert_eq!(
        (status, code.as_str(), fields),
        (StatusCode::UNPROCESSABLE_ENTITY, "period_reversed", vec!["from".to_owned()])
    );
    let r = write(&t, "POST", "/api/v1/spravki", &token, None, r#"{"kind":"horoscope"}"#).await;
    assert_eq!(refusal(&r).1, "spravka_kind_unknown");
    let body = r#"{"kind":"income","from":"2025-01-01","to":"2025-03-31","purpose":"Для банка"}"#;
    let r = write(&t, "POST", "/api/v1/spravki", &token, Some("order-1"), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let order = json(&r);
    let id = order["id"].as_str().unwrap().to_owned();
    assert_eq!((order["status"].as_str(), order["period_from"].as_str()), (Some("accepted"), Some("2025-01-01")));
    assert!(order["document"].is_null());
    let again = write(&t, "POST", "/api/v1/spravki", &token, Some("order-1"), body).await;
    assert_eq!(json(&again)["id"], order["id"], "one order per key");
    assert_eq!(call(&t, &format!("/api/v1/spravki/{id}/file"), &token).await.status, StatusCode::NOT_FOUND, "not yet");

    assert!(t.run_spravki().await >= 1);
    let ready = json(&call(&t, &format!("/api/v1/spravki/{id}"), &token).await);
    assert_eq!(ready["status"], "ready", "{ready}");
    let pdf = call(&t, ready["document"]["file"].as_str().unwrap(), &token).await;
    assert!(pdf.status == StatusCode::OK && pdf.bytes.starts_with(b"%PDF-"));
    let sig = call(&t, ready["document"]["signature"].as_str().unwrap(), &token).await;
    assert_eq!(sig.header("content-type"), Some("application/pkcs7-signature"));
    let trust = sep_crypto::verify::TrustList::from_ca_dir(&t.authority.dir).unwrap();
    use sep_core::signature::SignatureChecker as _;
    let checked = trust.check(&pdf.bytes, &sig.bytes, t.clock.now());
    assert!(checked.is_valid(), "the agency's signature checks: {checked:?}");
    let list = json(&call(&t, "/api/v1/spravki?limit=10", &token).await);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], order["id"]);

    let other = t.sign_in_as("+79345678901").await;
    let theirs = issue(&other, "Чужая", &["spravki:read"]).await;
    assert_eq!(call(&t, &format!("/api/v1/spravki/{id}"), &theirs).await.status, StatusCode::NOT_FOUND);
    assert_eq!(call(&t, &format!("/api/v1/spravki/{id}/signature"), &theirs).await.status, StatusCode::NOT_FOUND);
}

/// Issue 18, point 1, charges and payments: read as «Начисления и платежи» shows them.
#[tokio::test]
async fn a_program_reads_the_persons_charges_as_the_page_shows_them() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let token = issue(&w, "Бухгалтерия", &["payments:read"]).await;
    let all = json(&call(&t, "/api/v1/charges?limit=200", &token).await);
    let items = all["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{all}");
    let page = w.page("/payments").await;
    for c in items {
        assert!(page.contains(c["uin"].as_str().unwrap()), "the page shows {} too", c["uin"]);
        let remaining = c["remaining_kopecks"].as_i64().unwrap();
        assert!(remaining >= 0 && remaining <= c["due_kopecks"].as_i64().unwrap());
    }
    let unpaid: i64 = items.iter().map(|c| c["remaining_kopecks"].as_i64().unwrap()).sum();
    assert_eq!(all["unpaid_kopecks"].as_i64(), Some(unpaid), "the total of what remains");
    let first = &items[0];
    let one = json(&call(&t, &format!("/api/v1/charges/{}", first["uin"].as_str().unwrap()), &token).await);
    assert_eq!(&one, first);
    let status = first["status"].as_str().unwrap();
    let filtered = json(&call(&t, &format!("/api/v1/charges?status={status}"), &token).await);
    assert!(filtered["items"].as_array().unwrap().iter().all(|c| c["status"] == status));
    let r = call(&t, "/api/v1/charges?kind=bribe", &token).await;
    assert_eq!(refusal(&r).1, "api_filter_unknown");
    let page1 = json(&call(&t, "/api/v1/charges?limit=1", &token).await);
    if items.len() > 1 {
        let next = page1["next_cursor"].as_str().unwrap();
        let rest = json(&call(&t, &format!("/api/v1/charges?limit=200&cursor={next}"), &token).await);
        assert_eq!(rest["items"].as_array().unwrap().len(), items.len() - 1, "paged without a gap or a repeat");
    }
    assert!(json(&call(&t, "/api/v1/payments", &token).await)["items"].as_array().unwrap().is_empty());
    let other = t.sign_in_as("+79345678901").await;
    let theirs = issue(&other, "Чужая", &["payments:read"]).await;
    let r = call(&t, &format!("/api/v1/charges/{}", first["uin"].as_str().unwrap()), &theirs).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another's charge is not found");
}

/// Issue 18, point 1, mail: the person's mailbox read and written through the API, by the
/// pages' rules.
#[tokio::test]
async fn a_program_writes_to_an_agency_and_reads_the_conversation() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let token = issue(&w, "Почта", &["mail:read", "mail:send"]).await;
    let recipients = json(&call(&t, "/api/v1/mail/recipients", &token).await);
    let agency = recipients["items"].as_array().unwrap().iter().find(|r| r["kind"] == "agency").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body =
        format!(r#"{{"to":{{"kind":"agency","id":"{agency}"}},"subject":"Справка","text":"Когда будет готова?"}}"#);
    let r = write(&t, "POST", "/api/v1/mail", &token, Some("m-1"), &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let sent = json(&r);
    let id = sent["id"].as_str().unwrap().to_owned();
    assert_eq!((sent["incoming"].as_bool(), sent["to"].as_str()), (Some(false), Some(agency.as_str())));
    let again = write(&t, "POST", "/api/v1/mail", &token, Some("m-1"), &body).await;
    assert_eq!(json(&again)["id"], sent["id"], "sent once per key");
    let folder = json(&call(&t, "/api/v1/mail?folder=sent", &token).await);
    assert_eq!(folder["items"].as_array().unwrap().len(), 1, "{folder}");
    assert!(w.page("/mail?folder=sent").await.contains("Справка"), "the page shows it too");
    let r =
        write(&t, "POST", "/api/v1/mail", &token, None, &format!(r#"{{"reply_to":"{id}","text":"Уточнение"}}"#)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let thread = json(&call(&t, &format!("/api/v1/mail/{id}"), &token).await);
    let messages = thread["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["subject"], "Re: Справка");
    for (body, code) in [
        (r#"{"to":{"kind":"org","id":"7701000019"},"text":"x"}"#, "mail_recipient_not_allowed"),
        (r#"{"to":{"kind":"agency","id":"Министерство магии"},"text":"x"}"#, "mail_recipient_not_allowed"),
        (&*format!(r#"{{"to":{{"kind":"agency","id":"{agency}"}}}}"#), "mail_empty"),
    ] {
        assert_eq!(refusal(&write(&t, "POST", "/api/v1/mail", &token, None, body).await).1, code, "{body}");
    }
    assert_eq!(refusal(&call(&t, "/api/v1/mail?folder=spam", &token).await).1, "api_folder_unknown");
    let other = t.sign_in_as("+79345678901").await;
    let theirs = issue(&other, "Чужая", &["mail:read", "mail:send"]).await;
    assert_eq!(call(&t, &format!("/api/v1/mail/{id}"), &theirs).await.status, StatusCode::NOT_FOUND);
    let r = write(&t, "POST", "/api/v1/mail", &theirs, None, &format!(r#"{{"reply_to":"{id}","text":"x"}}"#)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "nobody answers another's conversation");
}

/// Issue 18, point 1, agencies' queue: an officer's program takes and decides an application
/// of the officer's agency by the workspace's rules; another agency's officer and a citizen
/// reach nothing.
#[tokio::test]
async fn an_agency_system_takes_and_decides_from_the_officers_queue() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let filed = crate::common::file(&w, "org", &crate::common::ORG).await;
    let id = filed.trim_start_matches("/applications/").to_owned();
    let officer = t.officer(sep_core::demo::OFFICER_AGENCY).await;
    let token = issue(&officer, "Система ведомства", &["agency:review"]).await;
    let queue = json(&call(&t, "/api/v1/agency/applications", &token).await);
    let listed: Vec<&str> = queue["items"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert!(listed.contains(&id.as_str()), "{queue}");
    let one = json(&call(&t, &format!("/api/v1/agency/applications/{id}"), &token).await);
    assert_eq!(one["data"]["org_inn"], "7701000019", "the form, to review it");

    let path = format!("/api/v1/agency/applications/{id}");
    let r = write(
        &t,
        "POST",
        &format!("{path}/decide"),
        &token,
        None,
        r#"{"decision":"reject","reasons":["data_mismatch"]}"#,
    )
    .await;
    assert_eq!(refusal(&r), (StatusCode::CONFLICT, "application_not_in_charge".into(), vec![]), "taken first");
    let r = write(&t, "POST", &format!("{path}/take"), &token, None, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(json(&r)["status"], "under_review");
    let r = write(&t, "POST", &format!("{path}/decide"), &token, None, r#"{"decision":"reject"}"#).await;
    assert_eq!(refusal(&r).0, StatusCode::UNPROCESSABLE_ENTITY, "a rejection names its reason: {}", r.text);
    let r = write(
        &t,
        "POST",
        &format!("{path}/decide"),
        &token,
        Some("d-1"),
        r#"{"decision":"reject","reasons":["data_mismatch"],"comment":"ИНН не совпадает"}"#,
    )
    .await;
    assert_eq!((r.status, json(&r)["status"].as_str()), (StatusCode::OK, Some("rejected")), "{}", r.text);
    let history = json(&r)["history"].as_array().unwrap().clone();
    assert_eq!(history.last().unwrap()["reasons"], serde_json::json!(["data_mismatch"]));
    assert!(w.page(&filed).await.contains("ИНН не совпадает"), "the applicant sees the decision");

    // A citizen's token and another agency's officer reach nothing, journaled.
    let mine = issue(&w, "Моя", &["agency:review"]).await;
    assert_eq!(call(&t, "/api/v1/agency/applications", &mine).await.status, StatusCode::NOT_FOUND);
    assert_eq!(call(&t, &path, &mine).await.status, StatusCode::NOT_FOUND);
    let stranger = t.officer("ФНС России").await;
    let theirs = issue(&stranger, "Чужое ведомство", &["agency:review"]).await;
    assert!(json(&call(&t, "/api/v1/agency/applications", &theirs).await)["items"].as_array().unwrap().is_empty());
    assert_eq!(call(&t, &path, &theirs).await.status, StatusCode::NOT_FOUND);
    let r = write(&t, "POST", &format!("{path}/take"), &theirs, None, "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let denied = t.db.store().list_audit(0, 10_000).await.unwrap();
    assert!(
        denied.iter().any(|e| e.event.action == "application.access_denied" && e.event.actor == Some(stranger.user.id))
    );
}

/// Issue 18, point 1, documents: a program attaches the draft's files (the body is the file,
/// checked as the form checks it), sends it, and reads a document's description.
#[tokio::test]
async fn a_program_attaches_files_and_sends_a_draft_it_made() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let token = issue(&w, "Бухгалтерия", &["applications:read", "applications:write", "documents:read"]).await;
    let data = r#"{"service":"registration","applicant_type":"person","data":{"birth_place":"г. Москва","passport_series":"4510","passport_number":"000001","passport_issued_on":"10.04.2010","passport_issuer":"ГУ МВД России по г. Москве","passport_division_code":"770-001","address":"г. Москва, ул. Тверская, д. 1"}}"#;
    let made = json(&write(&t, "POST", "/api/v1/applications", &token, None, data).await);
    let id = made["id"].as_str().unwrap().to_owned();
    let upload = |doc: &'static str, name: &'static str, bytes: &'static [u8], key: Option<&'static str>| {
        let mut req = Request::post(format!("/api/v1/applications/{id}/documents/{doc}?name={name}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/octet-stream");
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        let t = &t;
        async move { t.request(req.body(Body::from(bytes)).unwrap()).await }
    };
    let r = upload("passport_scan", "scan.pdf", b"not a pdf at all", None).await;
    assert_eq!(refusal(&r).0, StatusCode::UNPROCESSABLE_ENTITY, "checked by content: {}", r.text);
    let r = upload("horoscope", "scan.pdf", crate::common::PDF, None).await;
    assert_eq!(refusal(&r).1, "document_unknown", "{}", r.text);
    let mut keys = Vec::new();
    for doc in ["passport_scan", "snils_scan", "inn_certificate"] {
        let r = upload(doc, "scan.pdf", crate::common::PDF, Some(doc)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{doc}: {}", r.text);
        keys.push(json(&r)["key"].as_str().unwrap().to_owned());
    }
    let again = upload("passport_scan", "scan.pdf", crate::common::PDF, Some("passport_scan")).await;
    assert_eq!(json(&again)["key"].as_str(), Some(keys[0].as_str()), "once per key");
    let d = json(&call(&t, &format!("/api/v1/documents/{}", keys[0]), &token).await);
    assert_eq!((d["origin"].as_str(), d["file_name"].as_str()), (Some("attachment"), Some("scan.pdf")), "{d}");
    let r = write(&t, "POST", &format!("/api/v1/applications/{id}/submit"), &token, None, r#"{"consent":true}"#).await;
    assert_eq!(r.status, StatusCode::OK, "sent with its files: {}", r.text);
    let r = upload("passport_scan", "scan.pdf", crate::common::PDF, None).await;
    assert_eq!(refusal(&r).0, StatusCode::CONFLICT, "nothing attached once sent");
    let other = t.sign_in_as("+79345678901").await;
    let theirs = issue(&other, "Чужая", &["documents:read"]).await;
    assert_eq!(call(&t, &format!("/api/v1/documents/{}", keys[0]), &theirs).await.status, StatusCode::NOT_FOUND);
}

/// `text/csv` posted to the import with a token.
async fn import(t: &TestApp, token: &str, query: &str, csv: &[u8]) -> TestResponse {
    let req = Request::post(format!("/api/v1/applications/import?{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv.to_vec()))
        .unwrap();
    t.request(req).await
}

/// Issue 18, points 7 and 8: a CSV of applications is accepted at once (202 and the
/// operation's address), made in the background row by row as the form would — refusals
/// reported by row, field and code — finished with an `operation.completed` webhook; the same
/// file again makes nothing twice; a file refused as a whole makes nothing.
#[tokio::test]
async fn a_csv_of_applications_is_imported_asynchronously_and_only_once() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let token = issue(&w, "Учёт", &["applications:read", "applications:write"]).await;
    let store = t.db.store();
    let count = || async { store.list_applications_for_user(w.user.id).await.unwrap().len() };
    let header =
        "passport_series;passport_number;passport_issued_on;passport_issuer;passport_division_code;birth_place;address";
    let good = |n: u32| {
        format!("4510;{n:06};10.04.2010;ГУ МВД России по г. Москве;770-001;г. Москва;г. Москва, ул. Тверская, д. {n}")
    };
    let mut csv = format!("{header}\n");
    for n in 1..=5 {
        csv.push_str(&good(n));
        csv.push('\n');
    }
    csv.push_str("4510;12;10.04.2010;ГУ МВД;770-001;г. Москва;г. Москва\n"); // a short passport number
    csv.push_str(
        "\"4510\";\"000007\";10.04.2010;\"ГУ МВД России; отдел 1\";770-001;г. Москва;г. Москва, ул. Тверская, д. 7\n",
    );

    // Refused as a whole: nothing made.
    let cp1251: Vec<u8> = csv.bytes().map(|b| if b >= 0x80 { 0xE0 } else { b }).collect();
    for (query, body, code) in [
        ("service=registration&applicant_type=person", cp1251.as_slice(), "import_encoding"),
        (
            "service=registration&applicant_type=person",
            b"passport_series;shoe_size\n4510;42\n".as_slice(),
            "import_column_unknown",
        ),
        ("service=registration&applicant_type=person", format!("{header}\n").as_bytes(), "import_empty"),
        ("service=registration&applicant_type=person", b"a;b\n\"1;2\n".as_slice(), "import_column_unknown"),
        ("service=registration&applicant_type=person&mode=fast", csv.as_bytes(), "import_mode_invalid"),
        ("service=moon&applicant_type=person", csv.as_bytes(), "service_unknown"),
    ] {
        let r = import(&t, &token, query, body).await;
        assert_eq!(refusal(&r).1, code, "{query}: {}", r.text);
    }
    let malformed = format!("{header}\n4510;1\n");
    assert_eq!(
        refusal(&import(&t, &token, "service=registration&applicant_type=person", malformed.as_bytes()).await).1,
        "import_malformed"
    );
    assert_eq!(count().await, 0, "nothing half-imported");

    // A webhook hears of the end.
    let hooks = issue(&w, "Уведомления", &["webhooks:manage"]).await;
    let r = write(
        &t,
        "POST",
        "/api/v1/webhooks",
        &hooks,
        None,
        r#"{"url":"http://127.0.0.1:9/hook","events":["operation.completed"]}"#,
    )
    .await;
    let endpoint = json(&r)["id"].as_str().unwrap().to_owned();

    let r = import(&t, &token, "service=registration&applicant_type=person", csv.as_bytes()).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let op = json(&r);
    let location = r.header("location").unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/operations/{}", op["id"].as_str().unwrap()));
    assert_eq!((op["state"].as_str(), op["total"].as_i64()), (Some("queued"), Some(7)));
    // As if a run had stopped after making the first row's draft and before filling it in: the
    // run that resumes finishes it rather than making another.
    let op_id = uuid::Uuid::parse_str(op["id"].as_str().unwrap()).unwrap();
    let stored = store.find_api_operation(op_id).await.unwrap().unwrap();
    let first = sep_core::application::bulk::row_id(&stored.key, 0);
    let origin = sep_core::audit::Origin { ip: None, request_id: None };
    let catalogue = sep_core::catalogue::Catalogue::load(None).unwrap();
    let user = store.get_user(w.user.id).await.unwrap();
    sep_core::application::draft::start_as(
        store.as_ref(),
        &catalogue,
        &user,
        "registration",
        "person",
        first,
        &origin,
        t.clock.now(),
    )
    .await
    .unwrap();
    assert!(t.run_operations().await >= 1);
    assert_eq!(store.get_application(first).await.unwrap().data["passport_number"], "000001", "the first row finished");
    let done = json(&call(&t, &location, &token).await);
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(
        (done["done"].as_i64(), done["result"]["made"].as_i64(), done["result"]["refused"].as_i64()),
        (Some(7), Some(6), Some(1))
    );
    let problem = &done["result"]["problems"][0];
    assert_eq!((problem["row"].as_i64(), problem["field"].as_str()), (Some(7), Some("passport_number")), "{problem}");
    assert_eq!(count().await, 6, "six drafts");
    let drafts = store.list_applications_for_user(w.user.id).await.unwrap();
    assert!(
        drafts.iter().any(|a| a.data.get("passport_issuer").is_some_and(|v| v.contains("; отдел 1"))),
        "quoted cells keep their delimiter"
    );
    t.run_webhooks().await;
    let log = json(&call(&t, &format!("/api/v1/webhooks/{endpoint}/messages"), &hooks).await);
    assert_eq!(log["items"][0]["type"], "operation.completed", "{log}");
    assert_eq!(log["items"][0]["payload"]["data"]["result"]["made"], 6);

    // The same file again: the same operation, nothing made twice.
    let again = import(&t, &token, "service=registration&applicant_type=person", csv.as_bytes()).await;
    assert_eq!(json(&again)["id"], op["id"]);
    t.run_operations().await;
    assert_eq!(count().await, 6);
    // Another person's token does not see it.
    let other = t.sign_in_as("+79345678901").await;
    let theirs = issue(&other, "Чужая", &["applications:write"]).await;
    assert_eq!(call(&t, &location, &theirs).await.status, StatusCode::NOT_FOUND);
}

/// SPEC A4 in the portal: the file uploaded on the page, its progress followed on a bar (the
/// page can be left: a notice tells the end), the result with each refused row.
#[tokio::test]
async fn a_csv_uploaded_on_the_page_shows_its_progress_and_result() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let page = w.page("/applications/import").await;
    assert!(page.contains("Загрузка заявлений из файла") && page.contains("type=\"file\""), "{page}");
    let csv = "passport_series;passport_number;passport_issued_on;passport_issuer;passport_division_code;birth_place;address\n\
        4510;000001;10.04.2010;ГУ МВД России по г. Москве;770-001;г. Москва;г. Москва, ул. Тверская, д. 1\n\
        4510;1;10.04.2010;ГУ МВД России по г. Москве;770-001;г. Москва;г. Москва, ул. Тверская, д. 2\n";
    let fields = [("service", "registration"), ("applicant", "person"), ("mode", "draft")];
    let r = w.upload("/applications/import", &fields, &[("file", "list.csv", b"shoe_size\n42\n")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("import_column_unknown") && r.text.contains("Файл не принят"), "{}", r.text);
    let r = w.upload("/applications/import", &fields, &[("file", "list.csv", csv.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let at = r.location().to_owned();
    let running = w.page(&at).await;
    assert!(
        running.contains("<progress") && running.contains("data-import-status") && running.contains("import.js"),
        "{running}"
    );
    let status = w.get(&format!("{at}/status")).await;
    assert!(status.text.contains("\"final\":false") && status.text.contains("\"total\":2"), "{}", status.text);
    t.run_operations().await;
    let done = w.page(&at).await;
    assert!(done.contains("data-made>1<") && done.contains("data-refused>1<"), "{done}");
    assert!(done.contains("passport_number") && !done.contains("import.js"), "the refused row, and no more polling");
    assert!(w.page("/cabinet").await.contains("Загрузка заявлений завершена"), "the end is told");
    let other = t.sign_in_as("+79345678901").await;
    assert_eq!(other.get(&at).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("{at}/status")).await.status, StatusCode::NOT_FOUND);
}
