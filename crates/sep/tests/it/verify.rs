//! `sep verify FILE SIG` as an integrator runs it, against openssl's gost engine both ways: a
//! `.sig` openssl makes with a key of the test authority is valid for `sep verify`, and a
//! `.sig` the portal's code makes verifies with `openssl cms -verify`; every refusal has its code
//! and exit status 1, unreadable files exit 2.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use std::path::Path;
use std::process::Command;

fn sep(args: &[&str], data_dir: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sep"))
        .args(args)
        .env("SEP_DATA_DIR", data_dir)
        .env("SEP_LOG_LEVEL", "warn")
        .output()
        .unwrap();
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn openssl(args: &[&str], dir: &Path) -> (bool, String) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Whether openssl's gost engine is here; otherwise skip, or fail under `SEP_TEST_ALL=1`.
fn engine(dir: &Path) -> bool {
    let ok = Command::new("openssl").arg("version").output().is_ok()
        && openssl(&["engine", "gost", "-c"], dir).1.contains("gost2012_256");
    if !ok {
        assert!(
            std::env::var("SEP_TEST_ALL").as_deref() != Ok("1"),
            "SEP_TEST_ALL=1 but openssl's gost engine is missing"
        );
        eprintln!("openssl gost engine not found: cross-check skipped");
    }
    ok
}

#[test]
fn sep_verify_takes_openssl_signatures_and_openssl_takes_ours() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ca = dir.join("ca");
    let p = |x: &str| dir.join(x).to_str().unwrap().to_owned();
    let (code, text) = sep(&["ca", "--dir", ca.to_str().unwrap(), "init"], dir);
    assert_eq!(code, Some(0), "{text}");
    sep(&["ca", "--dir", ca.to_str().unwrap(), "crl"], dir);
    let (code, text) = sep(
        &[
            "ca",
            "--dir",
            ca.to_str().unwrap(),
            "issue",
            "--kind",
            "user",
            "--name",
            "ivanov",
            "--subject",
            "CN=Иванов Иван Иванович",
        ],
        dir,
    );
    assert_eq!(code, Some(0), "{text}");
    let serial = text.lines().find_map(|l| l.split("серийный номер: ").nth(1)).unwrap().trim().to_owned();
    std::fs::write(dir.join("doc.pdf"), b"%PDF-1.7 a document signed by openssl\n").unwrap();
    std::fs::write(dir.join("other.pdf"), b"%PDF-1.7 another document\n").unwrap();
    std::fs::write(dir.join("junk.sig"), b"not a signature").unwrap();

    // Exit 2: nothing to judge.
    let (code, text) = sep(&["verify", &p("missing.pdf"), &p("junk.sig")], dir);
    assert_eq!(code, Some(2), "{text}");
    let (code, text) = sep(&["verify", &p("doc.pdf"), &p("junk.sig")], dir);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("signature_malformed"), "{text}");

    if !engine(dir) {
        return;
    }
    let key = ca.join("ivanov.key.pem");
    let cert = ca.join("ivanov.cert.pem");
    let (ok, text) = openssl(
        &[
            "cms",
            "-sign",
            "-engine",
            "gost",
            "-binary",
            "-outform",
            "DER",
            "-in",
            "doc.pdf",
            "-signer",
            cert.to_str().unwrap(),
            "-inkey",
            key.to_str().unwrap(),
            "-md",
            "md_gost12_256",
            "-out",
            "doc.pdf.sig",
        ],
        dir,
    );
    assert!(ok, "{text}");
    // The authority in data_dir/ca by default, or the one named by --ca.
    let (code, text) = sep(&["verify", &p("doc.pdf"), &p("doc.pdf.sig")], dir);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("Подпись действительна (signature_valid)") && text.contains("Иванов"), "{text}");
    let ca_pem = ca.join("ca.cert.pem");
    let (code, text) = sep(&["verify", &p("doc.pdf"), &p("doc.pdf.sig"), "--ca", ca_pem.to_str().unwrap()], dir);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = sep(&["verify", &p("other.pdf"), &p("doc.pdf.sig")], dir);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("signature_mismatch"), "{text}");
    // Another authority is not trusted.
    let stranger = dir.join("stranger");
    sep(&["ca", "--dir", stranger.to_str().unwrap(), "init", "--subject", "CN=Чужой УЦ"], dir);
    let (code, text) =
        sep(&["verify", &p("doc.pdf"), &p("doc.pdf.sig"), "--ca", stranger.join("ca.cert.pem").to_str().unwrap()], dir);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("cert_untrusted"), "{text}");
    // Revoked: refused whatever signing time the signature claims.
    let (code, text) = sep(&["ca", "--dir", ca.to_str().unwrap(), "revoke", "--serial", &serial], dir);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = sep(&["verify", &p("doc.pdf"), &p("doc.pdf.sig")], dir);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("cert_revoked") && text.contains("Сертификат отозван"), "{text}");

    // The other way: what the portal's code signs, openssl verifies against the authority.
    let signer = sep_crypto::gost::pkcs8::from_pem(&std::fs::read_to_string(&key).unwrap()).unwrap();
    let der = std::fs::read(ca.join("ivanov.cert.der")).unwrap();
    let ours = sep_crypto::cms::sign_detached(b"%PDF-1.7 ours\n", &signer, &der, std::time::SystemTime::now()).unwrap();
    std::fs::write(dir.join("ours.pdf"), b"%PDF-1.7 ours\n").unwrap();
    std::fs::write(dir.join("ours.pdf.sig"), &ours).unwrap();
    let (ok, text) = openssl(
        &[
            "cms",
            "-verify",
            "-engine",
            "gost",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "ours.pdf.sig",
            "-content",
            "ours.pdf",
            "-CAfile",
            ca_pem.to_str().unwrap(),
            "-out",
            "/dev/null",
        ],
        dir,
    );
    assert!(ok && text.contains("Verification successful"), "{text}");
}
