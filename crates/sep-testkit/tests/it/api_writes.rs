//! The API's writes of applications (issue 18, point 1): a draft made, filled, sent and
//! withdrawn through the pages' use cases, once per `Idempotency-Key`; its files uploaded as
//! the request's body; bad bodies refused by code, naming the field.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::api::{call, issue, json, refusal, write};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sep_core::clock::Clock;
use sep_testkit::TestApp;

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
