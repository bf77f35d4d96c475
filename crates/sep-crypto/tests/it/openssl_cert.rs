//! Certificates and revocation lists cross-checked with openssl's gost engine: openssl accepts
//! the chain our test authority issues, refuses a revoked or expired certificate; and our check
//! accepts a certificate openssl made with a ГОСТ key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common;

use common::{engine, openssl};
use sep_crypto::cert::{self, Kind, Request};
use sep_crypto::gost::{Curve, SigningKey};
use std::time::{Duration, SystemTime};

const DAY: Duration = Duration::from_secs(86_400);

fn unix(t: SystemTime) -> String {
    t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs().to_string()
}

#[test]
fn openssl_accepts_our_chain_and_refuses_revoked_and_expired() {
    let dir = tempfile::tempdir().unwrap();
    if !engine(dir.path()) {
        return;
    }
    let start = SystemTime::now() - DAY;
    let ca_key = SigningKey::generate(Curve::named("TCA").unwrap()).unwrap();
    let ca_req = Request {
        subject: "CN=Тестовый УЦ СЭП,O=СЭП",
        kind: Kind::Authority,
        serial: 1,
        not_before: start,
        lifetime: 3650 * DAY,
    };
    let ca = cert::issue(&ca_req, ca_key.verifying_key(), &ca_key, None).unwrap();
    let client_key = SigningKey::generate(Curve::named("A").unwrap()).unwrap();
    let req = Request {
        subject: "CN=sep-portal,O=СЭП",
        kind: Kind::Client,
        serial: 7,
        not_before: start,
        lifetime: 30 * DAY,
    };
    let client = cert::issue(&req, client_key.verifying_key(), &ca_key, Some(&ca)).unwrap();
    let crl = cert::revocation_list(&[(7, start + DAY)], &ca_key, &ca, start + DAY, start + 10 * DAY).unwrap();
    let empty = cert::revocation_list(&[], &ca_key, &ca, start, start + 10 * DAY).unwrap();
    for (name, der, kind) in
        [("ca", &ca, "x509"), ("client", &client, "x509"), ("crl", &crl, "crl"), ("empty", &empty, "crl")]
    {
        std::fs::write(dir.path().join(format!("{name}.der")), der).unwrap();
        let (ok, text) = openssl(
            &[kind, "-inform", "DER", "-in", &format!("{name}.der"), "-out", &format!("{name}.pem")],
            dir.path(),
        );
        assert!(ok, "openssl reads our {name}: {text}");
    }
    let (_, text) = openssl(&["x509", "-engine", "gost", "-in", "client.pem", "-noout", "-text"], dir.path());
    assert!(text.contains("Digital Signature") && text.contains("sep-portal"), "{text}");
    let now = unix(SystemTime::now());
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "-engine", "gost", "-CAfile", "ca.pem"];
        args.extend_from_slice(extra);
        args.push("client.pem");
        openssl(&args, dir.path())
    };
    let (ok, text) = verify(&["-attime", &now]);
    assert!(ok && text.contains("client.pem: OK"), "{text}");
    let (ok, text) = verify(&["-attime", &now, "-crl_check", "-CRLfile", "empty.pem"]);
    assert!(ok, "not on the empty list: {text}");
    let (ok, text) = verify(&["-attime", &now, "-crl_check", "-CRLfile", "crl.pem"]);
    assert!(!ok && text.contains("certificate revoked"), "{text}");
    let later = unix(start + 40 * DAY);
    let (ok, text) = verify(&["-attime", &later]);
    assert!(!ok && text.contains("certificate has expired"), "{text}");
}

#[test]
fn we_accept_a_certificate_openssl_made() {
    let dir = tempfile::tempdir().unwrap();
    if !engine(dir.path()) {
        return;
    }
    for set in ["A", "TCA"] {
        let paramset = format!("paramset:{set}");
        let (ok, text) = openssl(
            &[
                "req",
                "-engine",
                "gost",
                "-x509",
                "-newkey",
                "gost2012_256",
                "-pkeyopt",
                &paramset,
                "-nodes",
                "-keyout",
                "key.pem",
                "-subj",
                "/CN=openssl test",
                "-days",
                "10",
                "-outform",
                "DER",
                "-out",
                "cert.der",
            ],
            dir.path(),
        );
        assert!(ok, "{set}: {text}");
        let der = std::fs::read(dir.path().join("cert.der")).unwrap();
        assert_eq!(cert::check(&der, &der, None, SystemTime::now()), Ok(()), "{set}: self-signed by openssl");
        assert_eq!(cert::check(&der, &der, None, SystemTime::now() + 20 * DAY), Err(cert::CertError::Expired));
        assert_eq!(cert::public_key(&der).unwrap().curve().name, set);
    }
}

/// The authority's directory is plain PKCS#8 and X.509: openssl signs with a key we issued
/// (checked by our code against the certificate), checks the chain with the directory's list,
/// and a key openssl made signs through our code.
#[test]
fn the_test_authority_files_work_with_openssl() {
    let dir = tempfile::tempdir().unwrap();
    if !engine(dir.path()) {
        return;
    }
    let now = SystemTime::now();
    let ca = sep_crypto::ca::TestCa::init(dir.path(), "CN=Тестовый УЦ СЭП", 3650 * DAY, "A", now).unwrap();
    let issued = ca.issue("sep-portal", Kind::Client, "CN=sep-portal", 365 * DAY, now).unwrap();
    std::fs::write(dir.path().join("msg"), b"client_secret string").unwrap();
    let (ok, text) = openssl(
        &["dgst", "-engine", "gost", "-md_gost12_256", "-sign", "sep-portal.key.pem", "-out", "sig", "msg"],
        dir.path(),
    );
    assert!(ok, "openssl reads our PKCS#8 key: {text}");
    let key = cert::public_key(&std::fs::read(&issued.cert).unwrap()).unwrap();
    assert_eq!(key.verify(b"client_secret string", &std::fs::read(dir.path().join("sig")).unwrap()), Ok(()));
    // openssl checks the portal's certificate against the authority and its current CRL.
    let verify = || {
        openssl(
            &[
                "verify",
                "-engine",
                "gost",
                "-crl_check",
                "-CAfile",
                "ca.cert.pem",
                "-CRLfile",
                "crl.pem",
                "sep-portal.cert.pem",
            ],
            dir.path(),
        )
    };
    let (ok, text) = verify();
    assert!(ok, "{text}");
    ca.revoke(issued.serial, now).unwrap();
    let (ok, text) = verify();
    assert!(!ok && text.contains("certificate revoked"), "{text}");
    let (ok, text) = openssl(
        &["genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:TCA", "-out", "theirs.pem"],
        dir.path(),
    );
    assert!(ok, "{text}");
    let (ok, text) =
        openssl(&["pkey", "-engine", "gost", "-in", "theirs.pem", "-pubout", "-out", "theirs.pub.pem"], dir.path());
    assert!(ok, "{text}");
    let theirs =
        sep_crypto::gost::pkcs8::from_pem(&std::fs::read_to_string(dir.path().join("theirs.pem")).unwrap()).unwrap();
    std::fs::write(dir.path().join("sig2"), theirs.sign(b"client_secret string").unwrap()).unwrap();
    let (ok, text) = openssl(
        &["dgst", "-engine", "gost", "-md_gost12_256", "-verify", "theirs.pub.pem", "-signature", "sig2", "msg"],
        dir.path(),
    );
    assert!(ok && text.contains("Verified OK"), "a key openssl made signs through our code: {text}");
}

/// Detached CMS both ways: `openssl cms -verify` accepts ours, we accept `openssl cms -sign`'s.
#[test]
fn detached_cms_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    if !engine(dir.path()) {
        return;
    }
    let now = SystemTime::now();
    let ca = sep_crypto::ca::TestCa::init(dir.path(), "CN=Тестовый УЦ СЭП", 3650 * DAY, "TCA", now).unwrap();
    let issued = ca.issue("sep-portal", Kind::Client, "CN=sep-portal", 365 * DAY, now).unwrap();
    let content = b"openid fullname2026.11.22 16:11:21 +0300sep-portalc1b8d8d4-3b35-4d6e-9f50-0a7d0c0f5b55";
    std::fs::write(dir.path().join("msg"), content).unwrap();
    std::fs::write(dir.path().join("other"), b"something else").unwrap();
    let key = sep_crypto::gost::pkcs8::from_pem(&std::fs::read_to_string(&issued.key).unwrap()).unwrap();
    let cert_der = std::fs::read(&issued.cert).unwrap();
    let ours = sep_crypto::cms::sign_detached(content, &key, &cert_der, now).unwrap();
    std::fs::write(dir.path().join("ours.p7s"), &ours).unwrap();
    let verify = |file: &str, content: &str| {
        let args = ["cms", "-verify", "-engine", "gost", "-binary", "-inform", "DER", "-in", file, "-content", content];
        let mut all = args.to_vec();
        all.extend(["-CAfile", "ca.cert.pem", "-out", "/dev/null"]);
        openssl(&all, dir.path())
    };
    let (ok, text) = verify("ours.p7s", "msg");
    assert!(ok && text.contains("Verification successful"), "{text}");
    let (ok, text) = verify("ours.p7s", "other");
    assert!(!ok, "another content is refused: {text}");

    let (ok, text) = openssl(
        &[
            "cms",
            "-sign",
            "-engine",
            "gost",
            "-binary",
            "-in",
            "msg",
            "-signer",
            "sep-portal.cert.pem",
            "-inkey",
            "sep-portal.key.pem",
            "-md",
            "md_gost12_256",
            "-outform",
            "DER",
            "-out",
            "theirs.p7s",
        ],
        dir.path(),
    );
    assert!(ok, "{text}");
    let theirs = std::fs::read(dir.path().join("theirs.p7s")).unwrap();
    let crl = std::fs::read(dir.path().join("crl.der")).unwrap();
    let ca_der = ca.certificate().unwrap();
    let signed = sep_crypto::cms::verify_detached(&theirs, content, Some((&ca_der, Some(&crl))), now).unwrap();
    assert_eq!(signed.certificate, cert_der);
    assert!(sep_crypto::cms::verify_detached(&theirs, b"something else", None, now).is_err());
}

/// The cloud signature (a person's sealed key, signing the hash the person confirmed): openssl
/// verifies the `.sig` against the authority, and reads the certificate's СНИЛС and ИНН.
#[test]
fn openssl_verifies_a_cloud_signature_and_reads_the_subject() {
    use sep_core::signing::{Authority, Credential, Subject};
    let dir = tempfile::tempdir().unwrap();
    if !engine(dir.path()) {
        return;
    }
    let now = SystemTime::now();
    let ca = sep_crypto::ca::TestCa::init(dir.path(), "CN=Тестовый УЦ СЭП", 3650 * DAY, "TCA", now).unwrap();
    let ring = sep_crypto::cloud::KeyRing::parse(&sep_crypto::cloud::KeyRing::generate("k1").unwrap()).unwrap();
    let cloud = sep_crypto::cloud::CloudAuthority::new(ca, ring);
    let subject = Subject {
        last_name: "Иванов".into(),
        first_name: "Иван".into(),
        middle_name: Some("Иванович".into()),
        snils: "12345678964".into(),
        inn: Some("770123456703".into()),
    };
    let at = time::OffsetDateTime::from(now);
    let issued = cloud.issue(&subject, at).unwrap();
    let credential = Credential {
        id: uuid::Uuid::now_v7(),
        user_id: sep_core::ids::UserId::new(),
        certificate: issued.certificate,
        der: issued.der.clone(),
        key: issued.key,
        created_at: at,
        revoked_at: None,
    };
    let content = b"%PDF-1.7 a document of the archive";
    std::fs::write(dir.path().join("doc.pdf"), content).unwrap();
    let sig = cloud.sign(&credential, &cloud.hash(content), at).unwrap();
    std::fs::write(dir.path().join("doc.pdf.sig"), &sig).unwrap();
    let args = ["cms", "-verify", "-engine", "gost", "-binary", "-inform", "DER", "-in", "doc.pdf.sig"];
    let mut all = args.to_vec();
    all.extend(["-content", "doc.pdf", "-CAfile", "ca.cert.pem", "-out", "/dev/null"]);
    let (ok, text) = openssl(&all, dir.path());
    assert!(ok && text.contains("Verification successful"), "{text}");
    std::fs::write(dir.path().join("person.der"), &issued.der).unwrap();
    let (ok, text) = openssl(
        &["x509", "-engine", "gost", "-inform", "DER", "-in", "person.der", "-noout", "-subject", "-nameopt", "utf8"],
        dir.path(),
    );
    assert!(ok && text.contains("SNILS") && text.contains("12345678964"), "{text}");
    assert!(text.contains("INN") && text.contains("770123456703") && text.contains("Иванов Иван Иванович"), "{text}");
}
