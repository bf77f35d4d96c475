//! «Электронный паспорт» (SPEC EP1, EP2): a registered person applies with a photo and
//! fingerprints, the registries are checked, an officer of МВД approves, the registry makes a
//! record; the holder gets the card and the QR code; anyone checks the code on
//! `/passport/verify`, offline with the published lists, and independently (PyPI's cbor2 and
//! cryptography; zbarimg reads the picture). A second e-passport annuls the first.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common::{self, file, send, status};
use axum::http::StatusCode;
use sep_core::clock::Clock as _;
use sep_core::passport::lists::fingerprint;
use sep_core::passport::verify::{Lists, Verdict, verify};
use sep_crypto::passport::PassportKeys;
use sep_testkit::{Backend, Signed, TestApp};

const AGENCY: &str = "МВД России";

/// A PNG header saying `w`×`h`: what the portal reads of a photo.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b
}

/// The newest code sent by SMS that confirms sending.
async fn sms_code(t: &TestApp) -> String {
    let jobs = t.db.store().list_jobs("notify", 500).await.unwrap();
    let newest = jobs
        .iter()
        .filter(|j| j.job.payload["text"].as_str().is_some_and(|t| t.contains("подтверждение отправки заявления")))
        .max_by_key(|j| j.id)
        .unwrap();
    let text = newest.job.payload["text"].as_str().unwrap().to_owned();
    text.split_whitespace().nth(1).unwrap().to_owned()
}

/// A registered citizen's e-passport application, filled, with its files, sending confirmed
/// by the SMS code and sent; its path.
async fn apply(t: &TestApp, w: &Signed) -> String {
    let start = [("service", "e_passport"), ("applicant", "person")];
    let app = w.post_form("/applications", &start).await.location().to_owned();
    assert!(app.starts_with("/applications/"), "{app}");
    let form = [
        ("passport_series", "4510"),
        ("passport_number", "000001"),
        ("birth_place", "г. Москва"),
        ("passport_issued_on", "10.04.2010"),
        ("passport_issuer", "ГУ МВД России по г. Москве"),
        ("passport_division_code", "770-001"),
        ("citizenship", "Российская Федерация"),
    ];
    w.post_form(&app, &form).await;
    let docs = format!("{app}/documents");
    for (name, bytes, code) in [
        ("landscape.png", png(800, 600), "upload_photo_not_portrait"),
        ("small.png", png(300, 400), "upload_photo_too_small"),
        ("photo.pdf", b"%PDF-1.7 not a photo".to_vec(), "upload_format_refused"),
        ("broken.jpg", vec![0xFF, 0xD8, 0xFF, 0x00], "upload_photo_unreadable"),
    ] {
        let r = w.upload(&docs, &[("document", "photo")], &[("file", name, &bytes)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(r.text.contains(code), "{name}: {}", r.text);
    }
    let r = w.upload(&docs, &[("document", "photo")], &[("file", "photo.png", &png(900, 1200))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = w.upload(&docs, &[("document", "fingerprints")], &[("file", "fingers.png", &png(500, 500))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    // Sending is confirmed by an SMS code first.
    let check = w.page(&format!("{app}/check")).await;
    assert!(check.contains("sms_code_required") && check.contains("Получить код"), "{check}");
    assert!(!check.contains("Отправить заявление</button>"), "no sending before the code");
    let confirm = format!("{app}/sms-code/confirm");
    let r = w.post_form(&confirm, &[("code", "000000")]).await;
    assert!(r.text.contains("sms_code_not_sent"), "{}", r.text);
    assert_eq!(w.post_form(&format!("{app}/sms-code"), &[]).await.status, StatusCode::SEE_OTHER);
    let code = sms_code(t).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = w.post_form(&confirm, &[("code", wrong)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("sms_code_wrong"), "{}", r.text);
    assert_eq!(w.post_form(&confirm, &[("code", &code)]).await.status, StatusCode::SEE_OTHER);
    assert!(w.page(&format!("{app}/check")).await.contains("Подтверждено"));
    send(w, &app).await;
    app
}

/// The officer of МВД takes and approves `app`; the worker completes it and issues.
async fn approve(t: &TestApp, app: &str) {
    t.run_jobs().await;
    let officer = t.officer(AGENCY).await;
    let page = format!("/officer/applications/{}", app.trim_start_matches("/applications/"));
    officer.post_form(&format!("{page}/take"), &[]).await;
    let r = officer.post_form(&format!("{page}/decide"), &[("decision", "approve")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    t.run_jobs().await;
    assert_eq!(t.run_passports().await, 1, "one record made");
}

fn between<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    text.split(from).nth(1).unwrap_or_else(|| panic!("{from} not in {text}")).split(to).next().unwrap()
}

async fn issued_checked_and_annulled_by_a_new_one(backend: Backend) {
    let Some(t) = TestApp::on(backend).await else { return };
    let w = t.citizen().await;
    // Only for people registered in СЭП.
    let r = w.post_form("/applications", &[("service", "e_passport"), ("applicant", "person")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("registration_required"), "{}", r.text);
    file(&w, "person", &[("passport_number", "000001")]).await;
    t.run_jobs().await;
    assert!(w.page("/passport").await.contains("У вас нет электронного паспорта"));

    let app = apply(&t, &w).await;
    approve(&t, &app).await;
    assert_eq!(status(&w.page(&app).await), "Завершено");
    let page = w.get("/passport").await;
    assert_eq!(page.headers["cache-control"], "private, no-store", "personal data is not cached");
    let page = page.text;
    for want in ["Действителен", "Получить электронный паспорт", "Иванов", "4510 000001", "ЭП-", "Российская Федерация"]
    {
        assert!(page.contains(want), "{want}: {page}");
    }
    let id = between(&page, "/passport/", "/").to_owned();
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains("Электронный паспорт выдан"), "the holder is told: {cabinet}");
    // The PDF: in «Мои документы», signed by МВД, with the data and the code.
    let mut pdf_code = String::new();
    let pdf_link = between(&page, "href=\"/documents/issued/", "\"").to_owned();
    let pdf = w.get(&format!("/documents/issued/{pdf_link}")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.bytes.starts_with(b"%PDF-"), "a PDF");
    let documents = w.page("/documents").await;
    assert!(documents.contains("e-passport-") && documents.contains("Подпись действительна"), "{documents}");
    if common::have("pdftotext", "poppler-utils") {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.pdf"), &pdf.bytes).unwrap();
        let (ok, text) = common::run("pdftotext", &["-layout", "p.pdf", "-"], dir.path());
        assert!(ok, "{text}");
        for want in ["МВД России", "Электронный паспорт", "Иванов Иван", "4510 000001", "SEP1:"]
        {
            assert!(text.contains(want), "{want} in the PDF: {text}");
        }
        if common::have("zbarimg", "zbar-tools") {
            let (ok, out) = common::run("pdftoppm", &["-r", "200", "-png", "p.pdf", "page"], dir.path());
            assert!(ok, "{out}");
            let out = std::process::Command::new("sh")
                .args(["-c", "zbarimg -q --raw page*.png"])
                .current_dir(dir.path())
                .output()
                .unwrap();
            pdf_code = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            assert!(pdf_code.starts_with("SEP1:"), "the PDF's QR code is the e-passport's code: {pdf_code}");
        }
    }

    // The code, full-screen and as files.
    let qr = w.page(&format!("/passport/{id}/qr")).await;
    let code = between(&qr, "id=\"passport-code\">", "<").to_owned();
    assert!(code.starts_with("SEP1:"), "{code}");
    let version: i16 = between(&qr, "data-qr-version=\"", "\"").parse().unwrap();
    assert!((1..=15).contains(&version), "QR version {version} at Q for {} characters", code.len());
    if !pdf_code.is_empty() {
        assert_eq!(pdf_code, code, "the PDF carries the ES256 code");
    }
    let gost =
        between(&w.page(&format!("/passport/{id}/qr?profile=gost")).await, "id=\"passport-code\">", "<").to_owned();
    assert_ne!(gost, code);
    let image = w.get(&format!("/passport/{id}/qr.png")).await;
    assert_eq!((image.status, image.headers["content-type"].to_str().unwrap()), (StatusCode::OK, "image/png"));
    let svg = w.get(&format!("/passport/{id}/qr.svg?profile=gost")).await;
    assert!(svg.text.starts_with("<svg"), "{}", svg.text);
    let photo = w.get(&format!("/passport/{id}/photo")).await;
    assert_eq!(photo.bytes, png(900, 1200));
    // On disk every file is sealed (Кузнечик CTR + OMAC): the photo is nowhere in the clear.
    let mut kept = 0;
    for shard in std::fs::read_dir(&t.files_dir).unwrap() {
        for f in std::fs::read_dir(shard.unwrap().path()).unwrap() {
            let raw = std::fs::read(f.unwrap().path()).unwrap();
            assert!(sep_crypto::seal::is_sealed(&raw));
            assert!(!raw.windows(12).any(|w| w == &png(900, 1200)[12..24]), "the photo in the clear");
            kept += 1;
        }
    }
    assert!(kept >= 3, "the photo, the fingerprints and the PDF: {kept}");

    // The biometric files of the application: the holder and the officer in charge only.
    let app_id = sep_core::application::record::ApplicationId(
        uuid::Uuid::parse_str(app.trim_start_matches("/applications/")).unwrap(),
    );
    let files = t.db.store().list_attachments(app_id).await.unwrap();
    let photo_file = files.iter().find(|f| f.document == "photo").unwrap();
    let photo_path = format!("{app}/attachments/{}", photo_file.id);
    assert_eq!(w.get(&photo_path).await.status, StatusCode::OK);
    let in_charge = t.officer(AGENCY).await;
    assert_eq!(in_charge.get(&photo_path).await.status, StatusCode::OK, "the officer who decided");
    let orlov = t.sign_in_as("+79789012345").await;
    t.db.store().update_user_agency(orlov.user.id, Some(AGENCY), &sep_core::store::Effects::none()).await.unwrap();
    assert_eq!(orlov.get(&photo_path).await.status, StatusCode::NOT_FOUND, "another officer of МВД");
    let passport_scan = files.iter().find(|f| f.document == "fingerprints").unwrap();
    let fingers = format!("{app}/attachments/{}", passport_scan.id);
    assert_eq!(orlov.get(&fingers).await.status, StatusCode::NOT_FOUND);
    let journal = t.db.store().list_audit(0, 2000).await.unwrap();
    assert_eq!(journal.iter().filter(|e| e.event.action == "document.access_denied").count(), 2);

    // Nobody else opens any of it; the attempt is journaled.
    let other = t.sign_in_as(common::TOTP_PHONE).await;
    for path in ["qr", "qr.png", "qr.svg", "photo"] {
        assert_eq!(other.get(&format!("/passport/{id}/{path}")).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let journal = t.db.store().list_audit(0, 1000).await.unwrap();
    let object = format!("passport:{id}");
    let denied = journal
        .iter()
        .filter(|e| e.event.action == "passport.access_denied" && e.event.object.as_deref() == Some(object.as_str()));
    assert_eq!(denied.count(), 4, "each refusal journaled");

    // Anyone checks it on the page.
    let b = t.browser();
    let r = b.post("/passport/verify", &[("code", &code)]).await;
    assert!(r.text.contains("data-verdict=\"valid\"") && r.text.contains("Иванов"), "{}", r.text);
    let r = b.post("/passport/verify", &[("code", &gost)]).await;
    assert!(r.text.contains("data-verdict=\"valid\"") && r.text.contains("GOST3410_2012_256"), "{}", r.text);
    let r = b.post("/passport/verify", &[("code", &code[..code.len() - 20])]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("data-verdict=\"invalid\""), "{}", r.text);
    let r = b.post("/passport/verify", &[("code", "HC1:6BFOXN")]).await;
    assert!(r.text.contains("passport_code_prefix"), "{}", r.text);

    // Offline, with the lists as published.
    let trust = b.get("/.well-known/sep/trust-list").await;
    assert_eq!(trust.headers["content-type"], "application/cose");
    let annul = b.get("/.well-known/sep/annulments").await;
    let pins = t.passports.keys.pins();
    let now = t.clock.now();
    let lists = Lists::open(&trust.bytes, &annul.bytes, &pins, &PassportKeys, now).unwrap();
    assert!(matches!(verify(&code, &lists, &PassportKeys, now), Ok(Verdict::Valid { .. })));
    let (trust_file, annul_file) = (tempfile::NamedTempFile::new().unwrap(), tempfile::NamedTempFile::new().unwrap());
    std::fs::write(trust_file.path(), &trust.bytes).unwrap();
    std::fs::write(annul_file.path(), &annul.bytes).unwrap();
    let independent = |code: &str, annul: &[u8]| {
        std::fs::write(annul_file.path(), annul).unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/oracles/passport_check.py");
        let out = std::process::Command::new("python3")
            .args([script, code, trust_file.path().to_str().unwrap(), annul_file.path().to_str().unwrap(), &pins[0]])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    if python_has_the_oracle() {
        let v = independent(&code, &annul.bytes);
        assert_eq!((v["signature"].as_str(), v["chain"].as_str()), (Some("valid"), Some("valid")));
        assert_eq!((v["record"].as_str(), v["last_name"].as_str()), (Some(id.as_str()), Some("Иванов")));
        assert_eq!(
            (v["iss"].as_str(), v["citizenship"].as_str(), v["annulled"].as_bool()),
            (Some("RU"), Some("RUS"), Some(false))
        );
    }
    if common::have("zbarimg", "zbar-tools") {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("qr.png"), &image.bytes).unwrap();
        let (ok, out) = common::run("zbarimg", &["--raw", "-q", "qr.png"], dir.path());
        assert!(ok, "{out}");
        assert_eq!(out.lines().next(), Some(code.as_str()), "zbarimg reads the code back");
    }

    // A second e-passport annuls the first: the page, the list, the checks say so.
    let second = apply(&t, &w).await;
    approve(&t, &second).await;
    let page = w.page("/passport").await;
    assert!(!page.contains(&format!("/passport/{id}/")), "the newest is shown");
    let old = t.db.store().find_passport(uuid::Uuid::parse_str(&id).unwrap()).await.unwrap().unwrap();
    assert_eq!(old.status, sep_core::passport::record::PassportStatus::Annulled);
    let history = t.db.store().passport_history(old.id).await.unwrap();
    assert_eq!(history.last().unwrap().reason, Some(sep_core::passport::record::AnnulReason::Reissued));
    let r = b.post("/passport/verify", &[("code", &code)]).await;
    assert!(r.text.contains("data-verdict=\"annulled\"") && r.text.contains("аннулирован по списку от"), "{}", r.text);
    let annul = b.get("/.well-known/sep/annulments").await;
    let lists = Lists::open(&trust.bytes, &annul.bytes, &pins, &PassportKeys, now).unwrap();
    assert!(matches!(verify(&code, &lists, &PassportKeys, now), Ok(Verdict::Annulled { .. })));
    if python_has_the_oracle() {
        assert_eq!(independent(&code, &annul.bytes)["annulled"].as_bool(), Some(true));
    }
    // A list whose signature is broken is not used.
    let mut bad = annul.bytes.clone();
    let at = bad.len() - 5;
    bad[at] ^= 1;
    assert_eq!(
        Lists::open(&trust.bytes, &bad, &pins, &PassportKeys, now).unwrap_err(),
        sep_core::passport::ListError::Signature
    );
    assert_eq!(pins.len(), 2);
    assert_eq!(fingerprint(t.passports.keys.roots[0].certificate().unwrap()), pins[0]);
}

async fn an_officer_of_mvd_finds_and_annuls_the_holder_sees_it(backend: Backend) {
    let Some(t) = TestApp::on(backend).await else { return };
    let w = t.citizen().await;
    file(&w, "person", &[("passport_number", "000001")]).await;
    t.run_jobs().await;
    approve(&t, &apply(&t, &w).await).await;
    let page = w.page("/passport").await;
    let id = between(&page, "/passport/", "/").to_owned();
    let number = between(&page, "<dd>ЭП-", "<").to_owned();
    let number = format!("ЭП-{number}");
    let code = between(&w.page(&format!("/passport/{id}/qr")).await, "id=\"passport-code\">", "<").to_owned();
    assert!(page.contains("Никто, кроме вас, его не просматривал"));
    let find = format!("/officer/passports?number={}", sep_web_query(&number));

    // Another agency's officer and a citizen find nothing; the registry's officer finds it.
    let fns = t.officer("ФНС России").await;
    assert_eq!(fns.get(&find).await.status, StatusCode::NOT_FOUND);
    let annul = format!("/officer/passports/{id}/annul");
    assert_eq!(fns.post_form(&annul, &[("reason", "lost")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(w.get(&find).await.status, StatusCode::NOT_FOUND);
    let mvd = t.officer(AGENCY).await;
    assert!(mvd.page("/officer").await.contains("Реестр электронных паспортов"));
    let found = mvd.page(&find).await;
    assert!(found.contains("Иванов") && found.contains("Аннулировать электронный паспорт"), "{found}");
    let unknown = mvd.get("/officer/passports?number=ЭП-1999-000001").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // The holder sees who looked.
    let page = w.page("/passport").await;
    assert!(page.contains("Кто просматривал") && page.contains("Кузнецова"), "{page}");

    // A reason is required; then the record is annulled, once.
    let r = mvd.post_form(&annul, &[("reason", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("passport_annul_reason_required"), "{}", r.text);
    let r = mvd.post_form(&annul, &[("reason", "lost"), ("comment", "Заявление об утрате")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = mvd.post_form(&annul, &[("reason", "court_decision")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("passport_not_valid"), "{}", r.text);
    let page = w.page("/passport").await;
    assert!(page.contains("Аннулирован") && page.contains("Утрата") && page.contains("Заявление об утрате"), "{page}");
    assert!(!page.contains("Получить электронный паспорт"), "no code to show for an annulled one");
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains("Электронный паспорт аннулирован"), "the holder is told: {cabinet}");
    let b = t.browser();
    let r = b.post("/passport/verify", &[("code", &code)]).await;
    assert!(r.text.contains("data-verdict=\"annulled\""), "{}", r.text);
    // A bank checks the code through the API; the holder sees the check.
    let bank = t.sign_in_as(common::TOTP_PHONE).await;
    let token = crate::api::issue(&bank, "Банк", &["passports:verify"]).await;
    let body = format!(r#"{{"code":"{code}"}}"#);
    let r = crate::api::json(&crate::api::write(&t, "POST", "/api/v1/passports/verify", &token, None, &body).await);
    assert_eq!((r["result"].as_str(), r["last_name"].as_str()), (Some("annulled"), Some("Иванов")), "{r}");
    assert!(r["algorithm"].is_null(), "{r}");
    let bad = crate::api::write(&t, "POST", "/api/v1/passports/verify", &token, None, r#"{"code":"HC1:X"}"#).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("passport_code_prefix"), "{}", bad.text);
    let other = crate::api::issue(&bank, "Без права", &["applications:read"]).await;
    let r = crate::api::write(&t, "POST", "/api/v1/passports/verify", &other, None, &body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = w.page("/passport").await;
    assert!(page.contains("Проверка через API") && page.contains("Васильев"), "{page}");
    let jobs = t.db.store().list_jobs("webhooks", 50).await.unwrap();
    assert!(jobs.iter().any(|j| j.job.payload["type"] == "passport.annulled"), "the event is raised");
    let journal = t.db.store().list_audit(0, 1000).await.unwrap();
    assert!(journal.iter().any(|e| e.event.action == "passport.annulled" && e.event.actor == Some(mvd.user.id)));
}

fn sep_web_query(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Seed 004: «При первом входе в сервис система проверяет актуальность паспорта…» — the holder's
/// e-passport against МВД's register at login, at most daily; a discrepancy is a critical notice
/// with what to do; a register that does not answer is asked again next time.
async fn checked_against_the_register_at_login(backend: Backend) {
    use sep_core::passport::check::{Found, at_login};
    let Some(t) = TestApp::on(backend).await else { return };
    let w = t.citizen().await;
    let store = t.db.store();
    let now = t.clock.now();
    assert_eq!(
        at_login(store.as_ref(), t.registries.as_ref(), &w.user, now).await.unwrap(),
        Found::Skipped,
        "none yet"
    );
    let app = sep_testkit::stories::applications::stored_draft(&t.db, w.user.id, now).await;
    let mut p = sep_testkit::stories::passports::record(w.user.id, app, 1, now);
    // The register knows this passport as lost.
    (p.passport_series, p.passport_number) = ("4510".into(), "999999".into());
    (p.last_name, p.first_name, p.middle_name) = ("Иванов".into(), "Иван".into(), Some("Иванович".into()));
    p.birth_date = time::macros::date!(1987 - 03 - 05);
    let first = sep_core::passport::record::StatusEntry::issued(p.id, now, String::new());
    store.issue_passport(&p, &first, None, &sep_core::store::Effects::none()).await.unwrap();

    t.registries.set_available("МВД", false);
    assert_eq!(at_login(store.as_ref(), t.registries.as_ref(), &w.user, now).await.unwrap(), Found::Unanswered);
    assert_eq!(store.passport_checked_at(p.id).await.unwrap(), None, "asked again next time");
    t.registries.set_available("МВД", true);
    let found = at_login(store.as_ref(), t.registries.as_ref(), &w.user, now).await.unwrap();
    assert!(matches!(&found, Found::Differs(what) if what.contains("утрачен")), "{found:?}");
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains("Сведения электронного паспорта расходятся с реестром МВД"), "{cabinet}");
    assert!(cabinet.contains("обратитесь в подразделение МВД"), "with what to do: {cabinet}");
    let later = now + time::Duration::hours(3);
    assert_eq!(at_login(store.as_ref(), t.registries.as_ref(), &w.user, later).await.unwrap(), Found::Skipped, "daily");
    let tomorrow = now + time::Duration::days(1) + time::Duration::minutes(1);
    assert!(matches!(
        at_login(store.as_ref(), t.registries.as_ref(), &w.user, tomorrow).await.unwrap(),
        Found::Differs(_)
    ));
    // The holder's valid e-passport that the register agrees with: nothing to tell.
    let other = t.sign_in_as(common::TOTP_PHONE).await;
    assert_eq!(at_login(store.as_ref(), t.registries.as_ref(), &other.user, now).await.unwrap(), Found::Skipped);
}

mod e_passport_checked_against_the_register_at_login {
    #[tokio::test]
    async fn sqlite() {
        super::checked_against_the_register_at_login(sep_testkit::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        super::checked_against_the_register_at_login(sep_testkit::Backend::Postgres).await;
    }
}

/// Whether python3 has cbor2, base45 and cryptography; required under `SEP_TEST_ALL=1`.
fn python_has_the_oracle() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import cbor2, base45, cryptography"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok || std::env::var("SEP_TEST_ALL").as_deref() != Ok("1"),
        "SEP_TEST_ALL=1 but python3 lacks cbor2, base45 or cryptography"
    );
    ok
}

mod e_passport_annulled_by_an_officer_of_mvd {
    #[tokio::test]
    async fn sqlite() {
        super::an_officer_of_mvd_finds_and_annuls_the_holder_sees_it(sep_testkit::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        super::an_officer_of_mvd_finds_and_annuls_the_holder_sees_it(sep_testkit::Backend::Postgres).await;
    }
}

mod e_passport_issued_checked_and_annulled_by_a_new_one {
    #[tokio::test]
    async fn sqlite() {
        super::issued_checked_and_annulled_by_a_new_one(sep_testkit::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        super::issued_checked_and_annulled_by_a_new_one(sep_testkit::Backend::Postgres).await;
    }
}

/// «Защита входа» (#21, point 8) covers the e-passport wherever it opens: the card, its QR
/// code and photo, and its PDF in «Мои документы», alone or in an archive. With the login
/// older than 15 minutes each sends the person to a fresh login and back; just back from one
/// that is still stale, a page says so instead of asking again. Switching off asks for the
/// same fresh login.
async fn login_protection_covers_the_card_the_codes_and_the_pdf(backend: Backend) {
    let Some(t) = TestApp::on(backend).await else { return };
    let w = t.citizen().await;
    file(&w, "person", &[("passport_number", "000001")]).await;
    t.run_jobs().await;
    let app = apply(&t, &w).await;
    approve(&t, &app).await;
    let page = w.page("/passport").await;
    let id = between(&page, "/passport/", "/").to_owned();
    let pdf = format!("/documents/issued/{}", between(&page, "href=\"/documents/issued/", "\""));
    let r = w.post_form("/settings/login-protection", &[("on", "1")]).await;
    assert_eq!(r.location(), "/settings?saved=1#login-protection");
    assert!(w.page("/settings").await.contains("data-login-protection=\"on\""));
    let open = [
        "/passport".to_owned(),
        format!("/passport/{id}/qr"),
        format!("/passport/{id}/qr.png"),
        format!("/passport/{id}/photo"),
        pdf.clone(),
    ];
    for path in &open {
        assert_eq!(w.get(path).await.status, StatusCode::OK, "{path}: a login just made");
    }
    // Sixteen minutes on, the session kept alive halfway.
    t.clock.advance(time::Duration::minutes(8));
    w.page("/cabinet").await;
    t.clock.advance(time::Duration::minutes(8));
    let pdf_id = pdf.trim_start_matches("/documents/issued/").split('?').next().unwrap();
    for path in &open {
        let r = w.get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        let back: String = query_encoded(path);
        assert_eq!(r.location(), format!("/login?fresh=1&return_to={back}"), "{path}");
    }
    let zip = w.post_form("/documents/zip", &[("d", &format!("i:{pdf_id}"))]).await;
    assert_eq!(zip.location(), "/login?fresh=1&return_to=%2Fdocuments", "the PDF in an archive");
    let r = w.get("/passport?relogin=1").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("fresh_login_not_confirmed"), "{}", r.text);
    let bare = pdf.split('?').next().unwrap();
    let r = w.get(&format!("{bare}?relogin=1")).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the PDF too says so rather than asking again: {} {bare}",
        r.location()
    );
    let inline = format!("{bare}?inline=1");
    assert_eq!(w.get(&inline).await.location(), format!("/login?fresh=1&return_to={}", query_encoded(&inline)));
    // A token proves no recent login: through the API the e-passport's PDF is refused.
    let token = crate::api::issue(&w, "Учёт", &["documents:read"]).await;
    let r = crate::api::call(&t, &format!("/api/v1/documents/i:{pdf_id}/file"), &token).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("fresh_login_required"), "{}", r.text);
    let off = w.post_form("/settings/login-protection", &[("on", "0")]).await;
    assert_eq!(off.location(), "/login?fresh=1&return_to=%2Fsettings%23login-protection");
    assert!(w.page("/settings").await.contains("data-login-protection=\"on\""), "still on");
    // Another person's settings are theirs: the holder's protection does not touch them.
    let other = t.sign_in_as(common::TOTP_PHONE).await;
    assert_eq!(other.get("/passport").await.status, StatusCode::OK);
    let journal = t.db.store().list_audit(0, 5000).await.unwrap();
    assert_eq!(journal.iter().filter(|e| e.event.action == "security.login_protection_on").count(), 1);
    assert_eq!(journal.iter().filter(|e| e.event.action == "security.login_protection_off").count(), 0);
}

/// A path as a query value (`/` and the rest percent-encoded).
fn query_encoded(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._*".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

mod e_passport_behind_login_protection {
    #[tokio::test]
    async fn sqlite() {
        super::login_protection_covers_the_card_the_codes_and_the_pdf(sep_testkit::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        super::login_protection_covers_the_card_the_codes_and_the_pdf(sep_testkit::Backend::Postgres).await;
    }
}

/// An annulment reaches the systems that check e-passports (#21, point 6): an approved bank
/// allowed `passports:verify` gets `passport.annulled` with the record and its number only;
/// the holder's own subscription gets the reason too; a bank not yet approved and a person's
/// own program, whatever its scopes, get nothing.
#[tokio::test]
async fn an_annulment_reaches_approved_verifiers_and_the_holder_only() {
    use crate::api::{issue, json, write};
    use crate::webhooks::{Receiver, signed_by};
    let t = TestApp::new().await;
    let w = t.citizen().await;
    file(&w, "person", &[("passport_number", "000001")]).await;
    t.run_jobs().await;
    approve(&t, &apply(&t, &w).await).await;
    let page = w.page("/passport").await;
    let id = between(&page, "/passport/", "/").to_owned();

    let subscribe = |token: String, url: String| {
        let t = &t;
        async move {
            let body = format!(r#"{{"url":"{url}","events":["passport.annulled"]}}"#);
            let r = write(t, "POST", "/api/v1/webhooks", &token, None, &body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            json(&r)["secret"].as_str().unwrap().to_owned()
        }
    };
    // The holder, an approved bank, a bank on its sandbox, a person's own program.
    let (holder_rx, holder_url) = Receiver::start().await;
    subscribe(issue(&w, "Мой учёт", &["webhooks:manage"]).await, holder_url).await;
    let mut parties = Vec::new();
    for (phone, kind, approved) in
        [(common::TOTP_PHONE, "bank", true), ("+79345678901", "bank", false), ("+79456789012", "other", true)]
    {
        let owner = t.sign_in_as(phone).await;
        let pat = issue(&owner, "Проверка паспортов", &["passports:verify", "webhooks:manage"]).await;
        let body = format!(r#"{{"kind":"{kind}","name":"Система {phone}","auth":{{"method":"client_secret_basic"}}}}"#);
        let reg = json(&write(&t, "POST", "/integration/register", &pat, None, &body).await);
        assert!(reg["scopes"].as_array().unwrap().iter().any(|s| s == "passports:verify"), "{reg}");
        if kind == "bank" && approved {
            let admin = sep_core::audit::Origin { ip: Some("cli".into()), request_id: None };
            let decision = sep_core::integration::client::Decision::Approve;
            sep_core::integration::client::decide(
                t.db.store().as_ref(),
                reg["client_id"].as_str().unwrap(),
                decision,
                &admin,
                t.clock.now(),
            )
            .await
            .unwrap();
        }
        let (rx, url) = Receiver::start().await;
        let secret = subscribe(pat, url).await;
        parties.push((rx, secret, kind == "bank" && approved));
    }

    let mvd = t.officer(AGENCY).await;
    let r = mvd.post_form(&format!("/officer/passports/{id}/annul"), &[("reason", "lost")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    t.run_webhooks().await;
    for (rx, secret, gets) in &parties {
        let got = rx.got();
        if !gets {
            assert!(got.is_empty(), "{got:?}");
            continue;
        }
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(signed_by(&got[0], secret));
        let body: serde_json::Value = serde_json::from_str(&got[0].body).unwrap();
        assert_eq!(body["type"], "passport.annulled");
        assert_eq!(body["data"]["passport"], id.as_str());
        assert!(body["data"]["number"].as_str().unwrap().starts_with("ЭП-"));
        assert!(body["data"].get("reason").is_none(), "why is the holder's business: {body}");
    }
    let mine = holder_rx.got();
    assert_eq!(mine.len(), 1);
    let body: serde_json::Value = serde_json::from_str(&mine[0].body).unwrap();
    assert_eq!(body["data"]["reason"], "lost", "{body}");
}

/// SEC1: the SMS codes that confirm sending are limited per application (5 an hour) and per
/// person across all their drafts (10 an hour), so new drafts do not buy new SMS; an hour
/// later sending codes works again.
#[tokio::test]
async fn codes_to_confirm_sending_are_limited_per_application_and_per_person() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    file(&w, "person", &[("passport_number", "000001")]).await;
    t.run_jobs().await;
    let draft = || async {
        let start = [("service", "e_passport"), ("applicant", "person")];
        w.post_form("/applications", &start).await.location().to_owned()
    };
    let send = |app: String| {
        let w = &w;
        async move { w.post_form(&format!("{app}/sms-code"), &[]).await }
    };
    let (a, b, c) = (draft().await, draft().await, draft().await);
    for _ in 0..5 {
        assert_eq!(send(a.clone()).await.status, StatusCode::SEE_OTHER);
    }
    let r = send(a.clone()).await;
    assert!(r.text.contains("sms_code_limit"), "the sixth for one application: {}", r.text);
    for _ in 0..5 {
        assert_eq!(send(b.clone()).await.status, StatusCode::SEE_OTHER);
    }
    let r = send(c.clone()).await;
    assert!(r.text.contains("sms_code_limit"), "the eleventh for one person, on a new draft: {}", r.text);
    t.clock.advance(time::Duration::minutes(61));
    let w = t.sign_in(&w.user).await;
    assert_eq!(w.post_form(&format!("{c}/sms-code"), &[]).await.status, StatusCode::SEE_OTHER, "an hour later");
}
