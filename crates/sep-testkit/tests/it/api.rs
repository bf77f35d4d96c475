//! The integration API (issue 18): a person issues a personal access token in the cabinet —
//! shown once, stored as a hash, scopes in words, a lifetime — and their program reads their
//! applications and documents through `/api/v1` with it, page by page; a token without the
//! scope, revoked, or another person's reaches nothing; refusals are problem+json with codes;
//! the OpenAPI document and `/api/docs`. The helpers here serve the other `api_*` files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common::file;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
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
