//! The other areas through the API (issue 18, point 1): справки ordered and downloaded signed,
//! charges and payments read, the person's mailbox read and written, an agency's queue taken
//! and decided — each by the pages' rules, another's objects out of reach.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::api::{call, issue, json, refusal, write};
use axum::http::StatusCode;
use sep_core::clock::Clock;
use sep_testkit::TestApp;

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
