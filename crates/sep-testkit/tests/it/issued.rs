//! Documents the system issues (SPEC E3, A3, E4): the officer in charge of an approved
//! application issues its result; the agency's system key signs it; it lands in the
//! applicant's «Мои документы» as «Выдан» with a number, a check link and a notification;
//! anyone with the link sees what was issued, when and by whom — and nothing without the code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common::{self, file, status};
use axum::http::StatusCode;
use sep_core::demo::OFFICER_AGENCY;
use sep_testkit::{Backend, TestApp};

const RESULT: &[u8] = b"%PDF-1.7\n% the registration certificate issued by the agency\n";

async fn result_is_issued_signed_and_checked_by_its_number(backend: Backend) {
    let Some(t) = TestApp::on(backend).await else { return };
    let w = t.sign_in_as(common::TOTP_PHONE).await;
    let app = file(&w, "ip", &[("passport_number", "000006"), ("ogrnip", "304770100000016")]).await;
    t.run_jobs().await;
    let id = app.trim_start_matches("/applications/").to_owned();
    let officer = t.officer(OFFICER_AGENCY).await;
    let page = format!("/officer/applications/{id}");
    let issue = format!("{page}/issue");
    // Not before the approval.
    officer.post_form(&format!("{page}/take"), &[]).await;
    assert!(!officer.page(&page).await.contains("Выдать документ"), "no issuing before the decision");
    let r = officer.upload(&issue, &[], &[("file", "result.pdf", RESULT)]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("document_not_issuable"), "{}", r.text);
    officer.post_form(&format!("{page}/decide"), &[("decision", "approve")]).await;
    t.run_jobs().await;
    assert_eq!(status(&w.page(&app).await), "Завершено");
    let view = officer.page(&page).await;
    assert!(view.contains("Выдать документ") && view.contains("Документ-результат не выдан"), "{view}");
    let r = officer.upload(&issue, &[], &[("file", "result.exe", b"MZ not a document")]).await;
    assert!(r.text.contains("upload_format_refused"), "{}", r.text);
    let r = officer.upload(&issue, &[], &[("file", "Свидетельство.pdf", RESULT)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let again = officer.upload(&issue, &[], &[("file", "Свидетельство.pdf", RESULT)]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(
        officer.page(&page).await.matches("проверка по номеру").count(),
        1,
        "a second press issues nothing more"
    );
    let view = officer.page(&page).await;
    let check = view.split("href=\"/verify/").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    let check = format!("/verify/{check}");
    assert!(view.contains("Свидетельство.pdf") && check.contains("?ck="), "{view}");

    // The applicant: «Выдан», a number, the check link, the agency's valid signature, a notice.
    let list = w.page("/documents").await;
    assert!(
        list.contains("Свидетельство.pdf") && list.contains("Выдан") && list.contains("Документ-результат"),
        "{list}"
    );
    assert!(list.contains(&check.replace('&', "&amp;")), "the check link: {list}");
    assert!(list.contains("подпись ведомства") && list.contains("Подпись действительна"), "{list}");
    let href = list.split("href=\"/documents/issued/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let href = format!("/documents/issued/{}", href.trim_end_matches("?inline=1"));
    let got = w.get(&href).await;
    assert_eq!((got.status, got.bytes.as_slice()), (StatusCode::OK, RESULT));
    let sig = list.split("href=\"/documents/signatures/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let sig = w.get(&format!("/documents/signatures/{sig}")).await;
    let b = t.browser();
    let r =
        b.post_multipart("/verify", &[], &[("document", "r.pdf", RESULT), ("signature", "r.sig", &sig.bytes)]).await;
    assert!(r.text.contains("Подпись действительна") && r.text.contains("Оператор СЭП"), "{}", r.text);
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains("Выдан документ"), "a notification: {cabinet}");

    // Anyone with the link; nothing without the right code.
    let r = b.get(&check).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("Документ выдан и действителен") && r.text.contains("Оператор СЭП"), "{}", r.text);
    assert!(!r.text.contains("Иванов") && !r.text.contains("Сидоров"), "nothing about the person");
    let (number, code) = check.trim_start_matches("/verify/").split_once("?ck=").unwrap();
    let wrong = b.get(&format!("/verify/{number}?ck={}", "0".repeat(32))).await;
    let unknown = b.get(&format!("/verify/D1999-000001?ck={code}")).await;
    assert_eq!((wrong.status, unknown.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert!(wrong.text.contains("document_check_failed") && unknown.text.contains("document_check_failed"));
    let r = b.get(&format!("/verify/document?number={number}&ck={code}")).await;
    assert_eq!(r.location(), check, "the form leads to the link");

    // Nobody else downloads it; an officer of another agency cannot issue.
    let other = t.sign_in_as("+79345678901").await;
    assert_eq!(other.get(&href).await.status, StatusCode::NOT_FOUND);
    let r = officer.post_multipart(&issue, &[("csrf", "forged")], &[("file", "x.pdf", RESULT)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Annulled: with a reason the applicant reads; the check link says so; never deleted.
    let view = officer.page(&page).await;
    let annul = view.split("action=\"/officer/applications/").find(|p| p.contains("/annul\"")).unwrap();
    let annul = format!("/officer/applications/{}", annul.split('"').next().unwrap());
    let r = officer.post_form(&annul, &[("reason", "  ")]).await;
    assert!(r.text.contains("annul_reason_required"), "{}", r.text);
    let r = officer.post_form(&annul, &[("reason", "Выдан по ошибке: неверная дата")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(officer.page(&page).await.contains("Аннулирован"));
    let r = b.get(&check).await;
    assert!(r.text.contains("Документ аннулирован"), "{}", r.text);
    let list = w.page("/documents").await;
    assert!(list.contains("Аннулирован") && list.contains("Свидетельство.pdf"), "kept, marked: {list}");
    assert!(w.page("/cabinet").await.contains("Выдан по ошибке"), "the applicant is told why");
    let r = officer.post_form(&annul, &[("reason", "ещё раз")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "once");
    let r = other.post_form(&annul, &[("reason", "чужой")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a citizen cannot");
    // The same officer moved to another agency.
    let stranger = t.officer("ФНС России").await;
    let r = stranger.upload(&issue, &[], &[("file", "x.pdf", RESULT)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let actions: Vec<String> = t.actions().await.into_iter().map(|(a, _)| a).collect();
    assert!(actions.iter().any(|a| a == "document.issued"), "{actions:?}");
}

#[tokio::test]
async fn sqlite_result_is_issued_signed_and_checked_by_its_number() {
    result_is_issued_signed_and_checked_by_its_number(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_result_is_issued_signed_and_checked_by_its_number() {
    // Skipped inside when SEP_TEST_DATABASE_URL is not set (required under SEP_TEST_ALL=1).
    result_is_issued_signed_and_checked_by_its_number(Backend::Postgres).await;
}
