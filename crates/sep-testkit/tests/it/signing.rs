//! The cloud signature (SPEC E1, E2): a person gets a certificate from the built-in authority
//! with the subject from the verified profile, signs a document of «Мои документы» with an SMS
//! code bound to its hash (5 minutes, 3 tries, single use), downloads the `.sig` — which
//! `/verify` accepts — and revokes the certificate, after which earlier signatures stay valid
//! at their signing time. Signatures made elsewhere are added with their check; refusals carry
//! codes; nobody reaches another person's signings or signatures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common::{PDF, file};
use axum::http::StatusCode;
use sep_testkit::TestApp;
use sep_testkit::app::Signed;

/// The first document's key on «Мои документы» (its «Подписать» button).
async fn first_document(w: &Signed) -> String {
    let page = w.page("/documents").await;
    page.split("name=\"sign\" value=\"").nth(1).expect("a «Подписать» button").split('"').next().unwrap().to_owned()
}

/// The code in the newest signing SMS.
async fn sms_code(t: &TestApp) -> (String, String) {
    let jobs = t.db.store().list_jobs("notify", 100).await.unwrap();
    // The newest: jobs get increasing ids.
    let sms = jobs
        .iter()
        .filter(|j| j.job.kind == "send_sms" && j.job.payload["text"].as_str().unwrap().contains("подпись документа"))
        .max_by_key(|j| j.id)
        .unwrap();
    let text = sms.job.payload["text"].as_str().unwrap().to_owned();
    (text.split_whitespace().nth(1).unwrap().to_owned(), text)
}

fn other_than(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

#[tokio::test]
async fn a_citizen_gets_a_certificate_signs_with_an_sms_code_and_revokes_it() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    file(&w, "person", &[("passport_number", "000001")]).await;

    let page = w.page("/signature").await;
    assert!(
        page.contains("Получить сертификат электронной подписи") && page.contains("Иванов Иван Иванович"),
        "{page}"
    );
    // Signing before there is a certificate says what to do.
    let key = first_document(&w).await;
    let r = w.post_form("/documents/sign", &[("sign", &key)]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("certificate_missing"), "{}", r.text);

    let r = w.post_form("/signature/certificate", &[]).await;
    assert_eq!(r.location(), "/signature?issued=1");
    let page = w.page("/signature?issued=1").await;
    assert!(page.contains("Сертификат выпущен") && page.contains("Отозвать сертификат"), "{page}");
    assert!(page.contains("Тестовый УЦ СЭП") && page.contains("Действует"), "{page}");
    let cer = w.get("/signature/certificate.cer").await;
    let facts = sep_crypto::cert::facts(cer.bytes.as_slice()).unwrap();
    assert!(facts.subject.contains("CN=Иванов Иван Иванович"), "{}", facts.subject);
    assert!(
        facts.subject.contains("СНИЛС=12345678964") && facts.subject.contains("ИНН=770123456703"),
        "{}",
        facts.subject
    );
    assert_eq!(w.post_form("/signature/certificate", &[]).await.status, StatusCode::CONFLICT, "one at a time");
    // The key is stored sealed: no PEM in the database.
    let stored = t.db.store().list_credentials(w.user.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!String::from_utf8_lossy(&stored[0].key.blob).contains("PRIVATE"), "sealed");

    // «Подписать»: the name and the hash, a code bound to them.
    let r = w.post_form("/documents/sign", &[("sign", &key)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let sign_url = r.location().to_owned();
    let page = w.page(&sign_url).await;
    let hash = sep_crypto::gost::streebog256_hex(PDF);
    assert!(page.contains(&hash) && page.contains(".pdf") && page.contains("Код из SMS"), "{page}");
    let (code, text) = sms_code(&t).await;
    assert!(text.contains(&hash[..8]), "the SMS names the hash: {text}");
    let r = w.post_form(&sign_url, &[("code", other_than(&code))]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("otp_wrong") && r.text.contains("Осталось попыток: 2"), "{}", r.text);
    let r = w.post_form(&sign_url, &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(r.location().starts_with("/documents?signed="), "{}", r.location());
    let r = w.post_form(&sign_url, &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a code signs once");
    assert!(r.text.contains("signing_done"), "{}", r.text);

    let list = w.page("/documents").await;
    assert!(list.contains("Подписан") && list.contains("Подпись действительна"), "{list}");
    assert!(list.contains("облачная подпись СЭП"), "{list}");
    let sig_href = list.split("href=\"/documents/signatures/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let sig = w.get(&format!("/documents/signatures/{sig_href}")).await;
    assert_eq!(sig.status, StatusCode::OK);
    assert!(sig.header("content-disposition").unwrap().contains(".pdf.sig"), "named after the document");

    // Anyone checks it at /verify.
    let b = t.browser();
    let r = b
        .post_multipart(
            "/verify",
            &[],
            &[("document", "doc.pdf", PDF), ("signature", "doc.pdf.sig", sig.bytes.as_slice())],
        )
        .await;
    assert!(r.text.contains("Подпись действительна") && r.text.contains("Иванов Иван Иванович"), "{}", r.text);

    // Revoked: the earlier signature stays valid at signing time; /verify judges now.
    t.clock.advance(time::Duration::minutes(1));
    let r = w.post_form("/signature/revoke", &[]).await;
    assert_eq!(r.location(), "/signature?revoked=1");
    let page = w.page("/signature?revoked=1").await;
    assert!(page.contains("Сертификат отозван") && page.contains("Прежние сертификаты"), "{page}");
    assert!(page.contains("Получить сертификат электронной подписи"), "a new one can be had");
    let list = w.page("/documents").await;
    assert!(list.contains("Действительна на момент подписания"), "{list}");
    let r = b
        .post_multipart(
            "/verify",
            &[],
            &[("document", "doc.pdf", PDF), ("signature", "doc.pdf.sig", sig.bytes.as_slice())],
        )
        .await;
    assert!(r.text.contains("cert_revoked"), "{}", r.text);
    let r = w.post_form("/documents/sign", &[("sign", &key)]).await;
    assert!(r.text.contains("certificate_missing"), "no signing with a revoked certificate");

    let actions: Vec<String> = t.actions().await.into_iter().map(|(a, _)| a).collect();
    for a in ["signature.certificate_issued", "signature.code_sent", "document.signed", "signature.certificate_revoked"]
    {
        assert!(actions.iter().any(|x| x == a), "{a} journaled: {actions:?}");
    }
}

#[tokio::test]
async fn a_code_is_bound_to_its_hash_expires_and_runs_out() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    file(&w, "person", &[("passport_number", "000001")]).await;
    w.post_form("/signature/certificate", &[]).await;
    let key = first_document(&w).await;

    // Two signings: the first one's code does not release the second.
    let first = w.post_form("/documents/sign", &[("sign", &key)]).await.location().to_owned();
    let (code1, _) = sms_code(&t).await;
    let second = w.post_form("/documents/sign", &[("sign", &key)]).await.location().to_owned();
    let (code2, _) = sms_code(&t).await;
    assert_ne!(first, second);
    if code1 != code2 {
        let r = w.post_form(&second, &[("code", &code1)]).await;
        assert!(r.text.contains("otp_wrong"), "a code for another signing: {}", r.text);
    }
    // Three wrong tries void it.
    for _ in 0..2 {
        w.post_form(&first, &[("code", other_than(&code1))]).await;
    }
    let r = w.post_form(&first, &[("code", other_than(&code1))]).await;
    assert!(r.text.contains("otp_void"), "{}", r.text);
    let r = w.post_form(&first, &[("code", &code1)]).await;
    assert!(r.text.contains("otp_void"), "even the right code after that: {}", r.text);
    // Five minutes.
    t.clock.advance(time::Duration::minutes(6));
    let r = w.post_form(&second, &[("code", &code2)]).await;
    assert!(r.text.contains("otp_void"), "expired: {}", r.text);
    // An unknown document, or nothing chosen.
    let r = w.post_form("/documents/sign", &[("sign", "a:00000000-0000-0000-0000-000000000000")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(w.post_form("/documents/sign", &[]).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn two_presses_with_one_code_make_one_signature() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    file(&w, "person", &[("passport_number", "000001")]).await;
    w.post_form("/signature/certificate", &[]).await;
    let key = first_document(&w).await;
    let url = w.post_form("/documents/sign", &[("sign", &key)]).await.location().to_owned();
    let (code, _) = sms_code(&t).await;
    let form = [("code", code.as_str())];
    let (a, b) = tokio::join!(w.post_form(&url, &form), w.post_form(&url, &form));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    assert_eq!(t.db.store().list_signatures_of_user(w.user.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_signature_made_elsewhere_is_checked_before_it_is_kept() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    file(&w, "person", &[("passport_number", "000001")]).await;
    let key = first_document(&w).await;
    let add = |sig: Vec<u8>, cert: Option<Vec<u8>>| {
        let w = &w;
        let key = key.clone();
        async move {
            let mut files: Vec<(&str, &str, Vec<u8>)> = vec![("signature", "doc.sig", sig)];
            if let Some(c) = cert {
                files.push(("certificate", "signer.cer", c));
            }
            let parts: Vec<(&str, &str, &[u8])> = files.iter().map(|(a, b, c)| (*a, *b, c.as_slice())).collect();
            w.upload("/documents/signatures", &[("d", &key)], &parts).await
        }
    };
    let r = add(b"not a signature".to_vec(), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("signature_malformed"), "{}", r.text);
    let r = add(t.authority.sign(b"another document"), None).await;
    assert!(r.text.contains("signature_mismatch"), "{}", r.text);
    let stranger = sep_testkit::app::Authority::new();
    let r = add(stranger.sign(PDF), None).await;
    assert!(r.text.contains("cert_untrusted"), "{}", r.text);
    let r = add(t.authority.sign(PDF), Some(stranger.cert.clone())).await;
    assert!(r.text.contains("certificate_not_signer"), "{}", r.text);
    let r = add(t.authority.sign(PDF), Some(b"garbage".to_vec())).await;
    assert!(r.text.contains("certificate_malformed"), "{}", r.text);
    assert!(t.db.store().list_signatures_of_user(w.user.id).await.unwrap().is_empty(), "nothing half-written");

    let r = add(t.authority.sign(PDF), Some(t.authority.cert.clone())).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let list = w.page("/documents").await;
    assert!(list.contains("Подписан") && list.contains("подпись загружена"), "{list}");

    // A revoked certificate is refused by its own code.
    let serial = sep_crypto::cert::facts(&t.authority.cert).unwrap().serial;
    t.authority.ca.revoke(u64::from_str_radix(&serial, 16).unwrap(), std::time::SystemTime::now()).unwrap();
    let r = add(t.authority.sign(PDF), None).await;
    assert!(r.text.contains("cert_revoked"), "{}", r.text);
    let r = w.upload("/documents/signatures", &[("d", &key)], &[]).await;
    assert!(r.text.contains("verify_files_missing"), "{}", r.text);
}

#[tokio::test]
async fn nobody_reaches_another_persons_signings_or_signatures() {
    let t = TestApp::new().await;
    let owner = t.citizen().await;
    file(&owner, "person", &[("passport_number", "000001")]).await;
    owner.post_form("/signature/certificate", &[]).await;
    let key = first_document(&owner).await;
    let url = owner.post_form("/documents/sign", &[("sign", &key)]).await.location().to_owned();
    let (code, _) = sms_code(&t).await;
    owner.post_form(&url, &[("code", &code)]).await;
    let list = owner.page("/documents").await;
    let sig = list.split("href=\"/documents/signatures/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let sig = format!("/documents/signatures/{sig}");

    let other = t.sign_in_as("+79345678901").await;
    assert_eq!(other.get(&url).await.status, StatusCode::NOT_FOUND, "another's signing");
    assert_eq!(other.post_form(&url, &[("code", &code)]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&sig).await.status, StatusCode::NOT_FOUND, "another's .sig");
    let r = other.post_form("/documents/sign", &[("sign", &key)]).await;
    assert!(matches!(r.status, StatusCode::NOT_FOUND | StatusCode::CONFLICT), "another's document: {}", r.status);
    let r =
        other.upload("/documents/signatures", &[("d", &key)], &[("signature", "s.sig", &t.authority.sign(PDF))]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another's document");
    let officer = t.officer("fns").await;
    assert_eq!(officer.get(&sig).await.status, StatusCode::NOT_FOUND);
    assert_eq!(officer.get(&url).await.status, StatusCode::NOT_FOUND);

    // Signed out: every page sends to sign in; a forged form changes nothing.
    let anonymous = t.browser();
    for path in ["/signature", "/signature/certificate.cer", url.as_str(), sig.as_str()] {
        let r = anonymous.get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "GET {path}");
        assert!(r.location().starts_with("/login"), "GET {path}: {}", r.location());
    }
    for path in ["/signature/certificate", "/signature/revoke", "/documents/sign", url.as_str()] {
        let r = owner.post(path, &[("csrf", "forged"), ("sign", &key), ("code", &code)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    let r = owner
        .post_multipart("/documents/signatures", &[("csrf", "forged"), ("d", &key)], &[("signature", "s.sig", b"x")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(owner.page("/signature").await.contains("Отозвать сертификат"), "still valid");
}

/// A service that says `signature = "required"`: the application (data and the files'
/// hashes) is signed before «Отправить заявление»; a change after signing asks again; the
/// officer sees the signature checked against the application as it is.
#[tokio::test]
async fn a_service_that_requires_a_signature_is_signed_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let builtin = include_str!("../../../sep-core/services/registration.toml");
    let signed = builtin
        .replacen("code = \"registration\"", "code = \"registration_signed\"", 1)
        .replacen(
            "title = \"Регистрация в СЭП\"",
            "title = \"Регистрация в СЭП (с подписью)\"\nsignature = \"required\"",
            1,
        )
        .replacen("activates_account = true", "activates_account = false", 1);
    std::fs::write(dir.path().join("registration_signed.toml"), signed).unwrap();
    let t = TestApp::with_services(dir.path()).await;
    let w = t.citizen().await;
    let app = crate::common::fill(&w, "registration_signed", "person", &[("passport_number", "000001")]).await;
    let check = w.page(&format!("{app}/check")).await;
    assert!(check.contains("signature_required") && check.contains("Подписать заявление"), "{check}");
    assert!(!check.contains("Отправить заявление</button>"), "no sending before the signature");
    let r = w.post_form(&format!("{app}/submit"), &[("consent", "yes")]).await;
    assert!(r.text.contains("signature_required"), "refused: {}", r.text);
    let r = w.post_form(&format!("{app}/sign"), &[]).await;
    assert!(r.text.contains("certificate_missing"), "{}", r.text);

    w.post_form("/signature/certificate", &[]).await;
    sign_statement(&t, &w, &app).await;
    let check = w.page(&format!("{app}/check")).await;
    assert!(check.contains("Подписано") && check.contains("Отправить заявление"), "{check}");
    // A change after signing: signed again.
    w.post_form(&app, &[("address", "г. Москва, ул. Тверская, д. 2")]).await;
    assert!(w.page(&format!("{app}/check")).await.contains("signature_required"), "the change voids it");
    sign_statement(&t, &w, &app).await;
    // What the signature covers is the statement anyone can download and check.
    let statement = w.get(&format!("{app}/statement.json")).await;
    assert!(statement.text.contains("\"address\":\"г. Москва, ул. Тверская, д. 2\""), "{}", statement.text);
    assert!(
        statement.text.contains(&format!("\"sha256\":\"{}\"", sep_core::application::attachment::content_key(PDF)))
    );
    let r = w.post_form(&format!("{app}/submit"), &[("consent", "yes")]).await;
    assert!(r.text.contains("Заявление успешно отправлено"), "{}", r.text);

    let officer = t.officer("Оператор СЭП").await;
    let id = app.trim_start_matches("/applications/");
    let view = officer.page(&format!("/officer/applications/{id}")).await;
    assert!(view.contains("Подпись заявителя") && view.contains("signature_valid"), "{view}");
    assert!(view.contains("Иванов Иван Иванович"), "{view}");
    assert_eq!(officer.get(&format!("{app}/statement.json")).await.bytes, statement.bytes, "the officer reads it too");
    let journal = t.db.store().list_audit(0, 500).await.unwrap();
    assert!(
        journal.iter().any(|e| e.event.action == "document.downloaded" && e.event.details["file"] == "statement"),
        "the officer's download is journaled"
    );
    let other = t.sign_in_as("+79345678901").await;
    assert_eq!(other.get(&format!("{app}/statement.json")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.post_form(&format!("{app}/sign"), &[]).await.status, StatusCode::NOT_FOUND);
}

/// «Подписать заявление» on the check page of `app`, with the code from the SMS.
async fn sign_statement(t: &TestApp, w: &Signed, app: &str) {
    let url = w.post_form(&format!("{app}/sign"), &[]).await.location().to_owned();
    assert!(w.page(&url).await.contains("zayavlenie-"), "the statement's name");
    let (code, _) = sms_code(t).await;
    let r = w.post_form(&url, &[("code", &code)]).await;
    assert_eq!(r.location(), format!("{app}/check"), "back to the check page: {} {}", r.status, r.text);
}

/// Bad input (SPEC U3): an upload over the body limit is refused as too large, with its code
/// and nothing written.
#[tokio::test]
async fn an_oversized_signature_upload_is_refused_whole() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    file(&w, "person", &[("passport_number", "000001")]).await;
    let key = first_document(&w).await;
    let huge = vec![0x30u8; 100 * 1024 * 1024];
    let r = w.upload("/documents/signatures", &[("d", &key)], &[("signature", "huge.sig", &huge)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    assert!(r.text.contains("payload_too_large"), "{}", r.text);
    assert!(t.db.store().list_signatures_of_user(w.user.id).await.unwrap().is_empty());
}

/// Signing codes are limited: ten an hour, then 429 `signing_code_limit` with `Retry-After`.
#[tokio::test]
async fn signing_codes_are_limited_per_hour() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    file(&w, "person", &[("passport_number", "000001")]).await;
    w.post_form("/signature/certificate", &[]).await;
    let key = first_document(&w).await;
    for _ in 0..10 {
        assert_eq!(w.post_form("/documents/sign", &[("sign", &key)]).await.status, StatusCode::SEE_OTHER);
    }
    let r = w.post_form("/documents/sign", &[("sign", &key)]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text.contains("signing_code_limit"), "{}", r.text);
    assert_eq!(r.header("retry-after"), Some("3600"));
    t.clock.advance(time::Duration::minutes(61));
    assert_eq!(w.post_form("/documents/sign", &[("sign", &key)]).await.status, StatusCode::SEE_OTHER, "an hour later");
}
