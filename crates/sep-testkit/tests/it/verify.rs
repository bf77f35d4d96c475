//! `/verify` (SPEC E4): anyone checks a document and its `.sig` without login and gets the
//! verdict with its code; the authority's certificate is downloadable; the page states its own
//! address; each address's pace is limited; bad input is a clear page, never a 500.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use axum::http::StatusCode;
use sep_testkit::TestApp;

const DOC: &[u8] = b"%PDF-1.7\nA document issued to Ivanov\n";

#[tokio::test]
async fn anyone_checks_a_document_and_its_signature() {
    let app = TestApp::new().await;
    let b = app.browser();
    let page = b.page("/verify").await;
    for label in [
        "<label for=\"document\">Документ</label>",
        "<label for=\"signature\">Подпись (.sig)</label>",
        ">Проверить</button>",
    ] {
        assert!(page.contains(label), "{label}: {page}");
    }
    assert!(page.contains("Адрес этой страницы") && page.contains("/verify</code>"), "the page names its address");
    assert!(page.contains("href=\"/verify/ca.pem\""));

    let sig = app.authority.sign(DOC);
    let r = b.post_multipart("/verify", &[], &[("document", "doc.pdf", DOC), ("signature", "doc.pdf.sig", &sig)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("Подпись действительна") && r.text.contains("signature_valid"), "{}", r.text);
    assert!(r.text.contains("Иванов Иван Иванович") && r.text.contains("Тестовый УЦ СЭП"), "signer and authority");
    assert!(r.text.contains(&sep_crypto::gost::streebog256_hex(DOC)), "the document's hash");

    let other = b"%PDF-1.7\nanother\n";
    let r = b.post_multipart("/verify", &[], &[("document", "x.pdf", other), ("signature", "doc.pdf.sig", &sig)]).await;
    assert!(r.text.contains("Подпись недействительна") && r.text.contains("signature_mismatch"), "{}", r.text);
    let r = b.post_multipart("/verify", &[], &[("document", "doc.pdf", DOC), ("signature", "doc.pdf", DOC)]).await;
    assert!(r.text.contains("Подпись недействительна") && r.text.contains("signature_malformed"), "{}", r.text);

    // A signature from an authority the portal does not trust.
    let stranger = sep_testkit::app::Authority::new();
    let r = b
        .post_multipart("/verify", &[], &[("document", "doc.pdf", DOC), ("signature", "s.sig", &stranger.sign(DOC))])
        .await;
    assert!(r.text.contains("cert_untrusted"), "{}", r.text);

    // Nothing chosen: the form again, with what is missing and a code.
    let r = b.post_multipart("/verify", &[], &[("document", "doc.pdf", DOC)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Не выбран файл: Подпись (.sig)") && r.text.contains("verify_files_missing"), "{}", r.text);

    let ca = b.get("/verify/ca.pem").await;
    assert_eq!(ca.status, StatusCode::OK);
    assert!(ca.text.starts_with("-----BEGIN CERTIFICATE-----"), "{}", ca.text);
}

#[tokio::test]
async fn a_revoked_certificate_is_refused_whatever_time_the_signature_claims() {
    let app = TestApp::new().await;
    let serial = sep_crypto::cert::facts(&app.authority.cert).unwrap().serial;
    let serial = u64::from_str_radix(&serial, 16).unwrap();
    let before = app.authority.sign(DOC);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    app.authority.ca.revoke(serial, std::time::SystemTime::now()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let after = app.authority.sign(DOC);
    // The list is read at each check.
    let page = app
        .browser()
        .post_multipart("/verify", &[], &[("document", "doc.pdf", DOC), ("signature", "d.sig", &before)])
        .await;
    assert!(page.text.contains("cert_revoked"), "the page sees the revocation without a restart: {}", page.text);
    let trust = sep_crypto::verify::TrustList::from_ca_dir(&app.authority.dir).unwrap();
    use sep_core::signature::SignatureChecker;
    let now = time::OffsetDateTime::now_utc();
    let v = trust.check(DOC, &before, now);
    assert_eq!(v.code(), "cert_revoked", "the claimed signing time does not escape the revocation: {v:?}");
    assert!(v.revoked_at.is_some() && v.revocation_checked);
    assert_eq!(trust.check(DOC, &after, now).code(), "cert_revoked");
}

#[tokio::test]
async fn the_page_limits_each_address_and_refuses_oversized_bodies_clearly() {
    let app = TestApp::new().await;
    let b = app.browser();
    let sig = app.authority.sign(DOC);
    let mut last = StatusCode::OK;
    for _ in 0..31 {
        let r = b.post_multipart("/verify", &[], &[("document", "doc.pdf", DOC), ("signature", "d.sig", &sig)]).await;
        last = r.status;
        if last == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.text.contains("rate_limited"), "{}", r.text);
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "30 checks a minute per address, then a pause");

    let app = TestApp::new().await;
    let big = vec![b'a'; 12 * 1024 * 1024];
    let r = app
        .browser()
        .post_multipart("/verify", &[], &[("document", "big.bin", &big), ("signature", "d.sig", &sig)])
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text.contains("payload_too_large"), "{}", r.text);
}
