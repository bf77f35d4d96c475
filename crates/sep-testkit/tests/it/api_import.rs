//! Bulk import as an asynchronous operation (issue 18, points 7 and 8): a CSV accepted with
//! 202 and made in the background, row by row as the form would, nothing made twice; the same
//! in the portal with a progress bar.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::api::{call, issue, json, refusal, write};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sep_core::clock::Clock;
use sep_testkit::TestApp;
use sep_testkit::app::TestResponse;

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
