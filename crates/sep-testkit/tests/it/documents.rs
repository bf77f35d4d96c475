//! «Мои документы» (SPEC D1): every document of the person in one list — their application
//! attachments and the files of the threads — searchable by name and kind, filtered by date,
//! 50 to a page; PDF and images open in the browser, everything downloads.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common::{PDF, file};
use axum::http::StatusCode;
use sep_testkit::TestApp;

#[tokio::test]
async fn the_archive_lists_searches_filters_and_pages() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let empty = w.page("/documents").await;
    assert!(empty.contains("Документов пока нет"), "{empty}");
    assert!(w.page("/cabinet").await.contains("href=\"/documents\""), "linked from the cabinet");

    let app = file(&w, "person", &[("passport_number", "000001")]).await;
    let id = app.trim_start_matches("/applications/");
    // A message with a file from the applicant.
    let r = w
        .upload(&format!("{app}/messages"), &[("text", "Скан ИНН ещё раз")], &[("file", "ИНН повторно.pdf", PDF)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let all = w.page("/documents").await;
    for name in ["passport_scan.pdf", "snils_scan.pdf", "inn_certificate.pdf", "ИНН повторно.pdf"] {
        assert!(all.contains(name), "{name}: {all}");
    }
    assert!(all.contains("Найдено документов: 4 из 4"), "{all}");
    assert!(all.contains(&format!("href=\"/applications/{id}\"")), "the source application");
    assert!(all.contains("Вложение сообщения"));

    let found = w.page("/documents?q=SNILS").await;
    assert!(found.contains("snils_scan.pdf") && !found.contains("passport_scan.pdf"), "by name, any case");
    assert!(found.contains("Найдено документов: 1 из 4"));
    let kind = w
        .page(&format!(
            "/documents?kind={}",
            "%D0%92%D0%BB%D0%BE%D0%B6%D0%B5%D0%BD%D0%B8%D0%B5%20%D1%81%D0%BE%D0%BE%D0%B1%D1%89%D0%B5%D0%BD%D0%B8%D1%8F"
        ))
        .await;
    assert!(kind.contains("ИНН повторно.pdf") && !kind.contains("snils_scan.pdf"), "by kind");
    let future = w.page("/documents?from=2099-01-01").await;
    assert!(future.contains("Под условия поиска ничего не подошло"), "by date");
    let today = w.page("/documents?from=01.01.2020&to=31.12.2099").await;
    assert!(today.contains("Найдено документов: 4 из 4"), "a typed date reads too");
    assert!(
        w.page("/documents?from=garbage&page=zero").await.contains("Найдено документов: 4 из 4"),
        "ignored, not refused"
    );

    // Open in place (PDF) or download.
    let href =
        all.split("href=\"").find(|h| h.contains("/attachments/")).unwrap().split('"').next().unwrap().to_owned();
    assert!(href.ends_with("?inline=1"));
    let shown = w.get(&href).await;
    assert!(shown.header("content-disposition").unwrap().starts_with("inline;"), "a PDF opens in the browser");
    let saved = w.get(href.trim_end_matches("?inline=1")).await;
    assert!(saved.header("content-disposition").unwrap().starts_with("attachment;"));
}

#[tokio::test]
async fn the_archive_pages_past_fifty() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let app = crate::common::draft(&w).await;
    for i in 0..51 {
        let name = format!("скан-{i:02}.pdf");
        let r = w.upload(&format!("{app}/documents"), &[("document", "passport_scan")], &[("file", &name, PDF)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let first = w.page("/documents").await;
    assert!(first.contains("Страница 1 из 2") && first.contains("rel=\"next\""), "{first}");
    // A row is its checkbox (the upload form's choices are outside the table).
    let rows = |page: &str| page.matches("<input type=\"checkbox\" name=\"d\"").count();
    assert_eq!(rows(&first), 50, "50 rows");
    let second = w.page("/documents?page=2").await;
    assert!(second.contains("Страница 2 из 2") && second.contains("rel=\"prev\""));
    assert_eq!(rows(&second), 1);
}

#[tokio::test]
async fn chosen_documents_download_as_one_zip_that_python_reads() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let app = file(&w, "person", &[("passport_number", "000001")]).await;
    let page = w.page("/documents").await;
    let keys: Vec<String> =
        page.split("name=\"d\" value=\"").skip(1).map(|p| p.split('"').next().unwrap().to_owned()).collect();
    assert_eq!(keys.len(), 3, "a box for each document");
    // Two chosen, and a key that is not this person's: ignored.
    let mut form: Vec<(&str, &str)> = keys[..2].iter().map(|k| ("d", k.as_str())).collect();
    form.push(("d", "a:00000000-0000-0000-0000-000000000000"));
    let r = w.post_form("/documents/zip", &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/zip"));
    let raw = &r.bytes;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docs.zip");
    std::fs::write(&path, raw).unwrap();
    let script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nfor i in z.infolist(): print(i.filename, len(z.read(i)))";
    let out = std::process::Command::new("python3").args(["-c", script, path.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listing = String::from_utf8_lossy(&out.stdout);
    assert_eq!(listing.lines().count(), 2, "{listing}");
    let id = uuid::Uuid::parse_str(app.trim_start_matches("/applications/")).unwrap();
    let number =
        t.db.store().get_application(sep_core::application::record::ApplicationId(id)).await.unwrap().number.unwrap();
    assert!(
        listing.lines().all(|l| l.starts_with(&format!("{number}/")) && l.ends_with(&format!(" {}", PDF.len()))),
        "{listing}"
    );

    // Nothing chosen (or only others' documents): a clear refusal.
    let r = w.post_form("/documents/zip", &[("d", "a:00000000-0000-0000-0000-000000000000")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("zip_empty"), "{}", r.text);
    let other = t.sign_in_as("+79345678901").await;
    let theirs: Vec<(&str, &str)> = keys.iter().map(|k| ("d", k.as_str())).collect();
    assert!(
        other.post_form("/documents/zip", &theirs).await.text.contains("zip_empty"),
        "another person's keys give nothing"
    );
}

#[tokio::test]
async fn own_uploads_of_an_unsent_application_are_removed_from_the_archive_others_stay() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let draft = crate::common::draft(&w).await;
    w.upload(&format!("{draft}/documents"), &[("document", "passport_scan")], &[("file", "лишний.pdf", PDF)]).await;
    let sent = file(&w, "person", &[("passport_number", "000001")]).await;
    let page = w.page("/documents").await;
    let removals: Vec<&str> = page
        .split("formaction=\"")
        .skip(1)
        .map(|p| p.split('"').next().unwrap())
        .filter(|p| p.contains("/attachments/"))
        .collect();
    assert_eq!(removals.len(), 1, "only the draft's file can go: {page}");
    assert!(removals[0].starts_with(&format!("{draft}/attachments/")) && !removals[0].contains(sent.as_str()));
    let r = w.post_form(removals[0], &[("back", "documents")]).await;
    assert_eq!(r.location(), "/documents?removed=1");
    let after = w.page(r.location()).await;
    assert!(after.contains("Документ удалён из заявления.") && !after.contains("лишний.pdf"), "{after}");
    assert!(after.contains("passport_scan.pdf"), "the sent application's files stay");
    assert!(t.actions().await.iter().any(|(a, _)| a == "document.removed"), "journaled");
}

/// SPEC D2: «Заменить» keeps the earlier version, listed with its date and downloadable; the
/// application has the new one; a sent application's files are not replaced; nobody replaces
/// another person's file.
#[tokio::test]
async fn a_replaced_document_keeps_its_earlier_version() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let draft = crate::common::draft(&w).await;
    w.upload(&format!("{draft}/documents"), &[("document", "passport_scan")], &[("file", "паспорт.pdf", PDF)]).await;
    let page = w.page("/documents").await;
    let key = page.split("name=\"replace\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let newer: &[u8] = b"%PDF-1.7\n% the second scan, sharper\n";
    let field = format!("file:{key}");
    let r = w.upload("/documents/replace", &[("replace", &key)], &[(&field, "паспорт-2.pdf", newer)]).await;
    assert_eq!(r.location(), "/documents?replaced=1", "{}", r.text);
    let page = w.page("/documents?replaced=1").await;
    assert!(page.contains("Загружена новая версия") && page.contains("паспорт-2.pdf"), "{page}");
    assert!(page.contains("Прежние версии") && page.contains("версия 1 от"), "{page}");
    assert!(page.contains("Найдено документов: 1 из 1"), "one document, two versions: {page}");
    let earlier =
        page.split("Прежние версии").nth(1).unwrap().split("href=\"").nth(1).unwrap().split('"').next().unwrap();
    assert_eq!(w.get(earlier).await.bytes, PDF, "the earlier version downloads");
    let form = w.page(&draft).await;
    assert!(form.contains("паспорт-2.pdf") && !form.contains(">паспорт.pdf<"), "the application has the new one");
    let r = w.upload("/documents/replace", &[("replace", &key)], &[]).await;
    assert!(r.text.contains("upload_empty"), "{}", r.text);
    let r = w
        .upload(
            "/documents/replace",
            &[("replace", "a:00000000-0000-0000-0000-000000000000")],
            &[("file:a:00000000-0000-0000-0000-000000000000", "x.pdf", PDF)],
        )
        .await;
    assert!(r.text.contains("document_unknown"), "{}", r.text);

    let other = t.sign_in_as("+79345678901").await;
    let current = w.page("/documents").await;
    let key = current.split("name=\"replace\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let field = format!("file:{key}");
    let r = other.upload("/documents/replace", &[("replace", &key)], &[(&field, "чужое.pdf", PDF)]).await;
    assert!(r.text.contains("document_unknown"), "another's: {}", r.text);
    assert!(!w.page("/documents").await.contains("чужое.pdf"));

    let sent = file(&w, "person", &[("passport_number", "000001")]).await;
    let page = w.page("/documents").await;
    let id = sent.trim_start_matches("/applications/");
    let sent_row = page.split(&format!("href=\"/applications/{id}\"")).count();
    assert!(sent_row > 1);
    assert_eq!(page.matches("name=\"replace\"").count(), 1, "only the draft's file can be replaced");
}
