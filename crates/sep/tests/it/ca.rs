//! `sep ca …` as an integrator runs it: create the authority, issue a client certificate,
//! check it, revoke it, and see the check refuse it with its code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use std::process::Command;

fn sep(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sep"))
        .arg("ca")
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env("SEP_LOG_LEVEL", "warn")
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_test_authority_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ca");
    let (ok, text) = sep(&dir, &["issue", "--kind", "client", "--name", "x", "--subject", "CN=x"]);
    assert!(!ok && text.contains("sep ca init"), "no authority yet: {text}");
    let (ok, text) = sep(&dir, &["init"]);
    assert!(ok && text.contains("ca.cert.pem"), "{text}");
    let (ok, text) = sep(&dir, &["init"]);
    assert!(!ok && text.contains("уже создан"), "{text}");
    let (ok, text) = sep(&dir, &["issue", "--kind", "robot", "--name", "x", "--subject", "CN=x"]);
    assert!(!ok && text.contains("client, user или system"), "{text}");
    let (ok, text) =
        sep(&dir, &["issue", "--kind", "client", "--name", "sep-portal", "--subject", "CN=sep-portal,O=СЭП"]);
    assert!(ok && text.contains("серийный номер: 2"), "{text}");
    let hash = text.lines().find_map(|l| l.strip_prefix("client_certificate_hash: ")).unwrap();
    assert_eq!(hash.len(), 64, "hex Стрибог-256 of the DER certificate");
    // The emulator takes the certificate for the client's ЕСИА requests, with the same hash.
    let idp = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_sep"))
            .arg("idp")
            .args(args)
            .env("SEP_DATA_DIR", tmp.path())
            .env("SEP_LOG_LEVEL", "warn")
            .env_remove("SEP_DATABASE_URL")
            .output()
            .unwrap();
        (
            out.status.success(),
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        )
    };
    let pem = dir.join("sep-portal.cert.pem");
    let (ok, text) = idp(&["client", "esia", "--id", "SEP01", "--certificate", pem.to_str().unwrap()]);
    assert!(!ok, "no such client yet: {text}");
    let (ok, text) = idp(&["client", "add", "--id", "SEP01", "--name", "СЭП", "--redirect-uri", "https://sep.test/cb"]);
    assert!(ok, "{text}");
    let (ok, text) = idp(&["client", "esia", "--id", "SEP01", "--certificate", pem.to_str().unwrap()]);
    assert!(ok && text.contains(&format!("client_certificate_hash: {hash}")), "{text}");
    let cert = dir.join("sep-portal.cert.der");
    let (ok, text) = sep(&dir, &["check", cert.to_str().unwrap()]);
    assert!(ok && text.contains("действителен"), "{text}");
    let (ok, text) = sep(&dir, &["revoke", "--serial", "2"]);
    assert!(ok, "{text}");
    let (ok, text) = sep(&dir, &["check", dir.join("sep-portal.cert.pem").to_str().unwrap()]);
    assert!(!ok && text.contains("cert_revoked"), "{text}");
    let (ok, text) = sep(&dir, &["crl", "--days", "3"]);
    assert!(ok && dir.join("crl.der").exists(), "{text}");
}
