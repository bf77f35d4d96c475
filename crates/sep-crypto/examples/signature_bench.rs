//! Signatures and verifications per second: ГОСТ Р 34.10-2012 (256) as built here beside
//! openssl's gost engine in process on the same machine in the same run (issue 20's anchor,
//! `bench/gost_openssl_speed.c`, built with `cc … -lcrypto`), and P-256 from RustCrypto.
//!
//! Then a 1 MB document signed as a detached CMS signature (Стрибог-256 of the document and a
//! ГОСТ signature) and checked as `/verify` checks it, beside `openssl cms` doing the same (a
//! process per operation, so its figure includes starting openssl).
//!
//! `cargo run --release -p sep-crypto --example signature_bench`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, reason = "a benchmark that prints")]

use sep_core::signer::{Signer as _, Verifier as _};
use sep_crypto::gost::{Curve, SigningKey};
use sep_crypto::p256_signer::P256Signer;
use std::process::Command;
use std::time::{Duration, Instant};

/// The message of bench/gost_openssl_speed.c, byte for byte.
const MESSAGE64: &[u8; 64] = b"The quick brown fox jumps over the lazy dog, signed many times.\0";
const MESSAGE: &[u8] = b"sep-portalopenid fullname2026.11.22 16:11:21 +0300c1b8d8d4-3b35-4d6e-9f50-0a7d0c0f5b55";

/// Runs `f` for about `for_how_long`; operations per second.
fn rate(for_how_long: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < for_how_long {
        f();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// openssl's gost engine in process, by `bench/gost_openssl_speed.c` built with the system's
/// compiler: sign/s and verify/s for a key of `paramset`, or `None` when it cannot run.
fn openssl_in_process(dir: &std::path::Path, paramset: &str, seconds: f64) -> Option<(f64, f64)> {
    let tool = dir.join("gost_openssl_speed");
    if !tool.exists() {
        let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/gost_openssl_speed.c");
        let built = Command::new("cc").arg("-O2").arg(&source).arg("-o").arg(&tool).arg("-lcrypto").output().ok()?;
        if !built.status.success() {
            eprintln!("cannot build {}: {}", source.display(), String::from_utf8_lossy(&built.stderr));
            return None;
        }
    }
    let key = dir.join(format!("{paramset}.pem"));
    let made = Command::new("openssl")
        .args(["genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt"])
        .arg(format!("paramset:{paramset}"))
        .arg("-out")
        .arg(&key)
        .output()
        .ok()?;
    if !made.status.success() {
        return None;
    }
    let out = Command::new(&tool).arg(&key).arg(seconds.to_string()).output().ok()?;
    // "openssl gost engine in-process: sign 30302/s, verify 10606/s (one core)"
    let text = String::from_utf8_lossy(&out.stdout);
    let figure = |after: &str| -> Option<f64> {
        let rest = &text[text.find(after)? + after.len()..];
        rest[..rest.find('/')?].trim().parse().ok()
    };
    Some((figure("sign ")?, figure("verify ")?))
}

fn main() {
    let window = Duration::from_secs(2);
    let dir = std::env::temp_dir().join(format!("sep-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!("ГОСТ Р 34.10-2012 (256), a 64-byte message hashed with Стрибог and signed or checked, one core;");
    println!("the anchor is openssl's gost engine in the same process kind of loop (bench/gost_openssl_speed.c)");
    println!(
        "{:<8} {:>12} {:>12} {:>7} {:>12} {:>12} {:>7}",
        "set", "sign/s", "openssl", "ratio", "verify/s", "openssl", "ratio"
    );
    let mut firsts = Vec::new();
    for (set, openssl_name) in [("TCA", "TCA"), ("A", "A"), ("B", "B"), ("C", "C")] {
        let key = SigningKey::generate(Curve::named(set).unwrap()).unwrap();
        let sig = key.sign(MESSAGE64).unwrap();
        let public = key.verifying_key();
        let s = rate(window, || {
            key.sign(MESSAGE64).unwrap();
        });
        let v = rate(window, || {
            public.verify(MESSAGE64, &sig).unwrap();
        });
        let (os, ov) = openssl_in_process(&dir, openssl_name, window.as_secs_f64()).unwrap_or((f64::NAN, f64::NAN));
        println!("{set:<8} {s:>12.0} {os:>12.0} {:>7.2} {v:>12.0} {ov:>12.0} {:>7.2}", s / os, v / ov);
        // A key seen for the first time: read from its 64 bytes (on the curve, in the subgroup)
        // and its multiples made before the check.
        let bytes = public.to_le_bytes();
        let first = rate(window, || {
            let fresh = sep_crypto::gost::VerifyingKey::from_le_bytes(Curve::named(set).unwrap(), &bytes).unwrap();
            fresh.verify(MESSAGE64, &sig).unwrap();
        });
        firsts.push(format!("{set} {first:.0}"));
    }
    println!("a key's first check (read, subgroup check, multiples, check), per second: {}", firsts.join(", "));
    let p256 = P256Signer::generate().unwrap();
    let verifier = p256.verifier();
    let sig = p256.sign(MESSAGE).unwrap();
    let s = rate(window, || {
        p256.sign(MESSAGE).unwrap();
    });
    let v = rate(window, || {
        verifier.verify(MESSAGE, &sig).unwrap();
    });
    println!();
    println!("{:<34} {s:>12.0} {v:>12.0}", "ECDSA P-256 (RustCrypto p256)");
    documents(&dir, window);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A 1 MB document: detached CMS signing and the full check against a trusted authority.
fn documents(dir: &std::path::Path, window: Duration) {
    use sep_core::signature::SignatureChecker as _;
    use sep_crypto::cert::{Kind, Request, issue};
    let now = std::time::SystemTime::now();
    let curve = || Curve::named("A").unwrap();
    let ca_key = SigningKey::generate(curve()).unwrap();
    let year = Duration::from_secs(365 * 86_400);
    let ca_req = Request { subject: "CN=Bench CA", kind: Kind::Authority, serial: 1, not_before: now, lifetime: year };
    let ca = issue(&ca_req, ca_key.verifying_key(), &ca_key, None).unwrap();
    let key = SigningKey::generate(curve()).unwrap();
    let req = Request { subject: "CN=Bench signer", kind: Kind::User, serial: 2, ..ca_req };
    let cert = issue(&req, key.verifying_key(), &ca_key, Some(&ca)).unwrap();
    let document: Vec<u8> = (0..1_048_576u32).map(|i| (i % 251) as u8).collect();
    let sig = sep_crypto::cms::sign_detached(&document, &key, &cert, now).unwrap();
    let trust = sep_crypto::verify::TrustList::new(vec![sep_crypto::verify::Authority {
        certificate: ca.clone(),
        crl: None,
        crl_file: None,
    }]);
    let at = time::OffsetDateTime::now_utc();
    assert!(trust.check(&document, &sig, at).is_valid());
    let s = rate(window, || {
        sep_crypto::cms::sign_detached(&document, &key, &cert, now).unwrap();
    });
    let v = rate(window, || {
        assert!(trust.check(&document, &sig, at).is_valid());
    });
    println!();
    println!("{:<34} {:>12} {:>12}", "1 MB document, detached CMS", "sign/s", "verify/s");
    println!("{:<34} {s:>12.1} {v:>12.1}", "sep-crypto (Стрибог + ГОСТ, A)");
    // openssl cms, a process per operation, with a key and certificate of its own making.
    std::fs::write(dir.join("doc.bin"), &document).unwrap();
    let run =
        |args: &[&str]| Command::new("openssl").args(args).current_dir(dir).output().is_ok_and(|o| o.status.success());
    let ready = run(&[
        "req",
        "-engine",
        "gost",
        "-x509",
        "-newkey",
        "gost2012_256",
        "-pkeyopt",
        "paramset:A",
        "-nodes",
        "-keyout",
        "cms.key",
        "-out",
        "cms.crt",
        "-subj",
        "/CN=bench",
        "-days",
        "1",
    ]) && run(&[
        "cms", "-sign", "-engine", "gost", "-binary", "-outform", "DER", "-in", "doc.bin", "-signer", "cms.crt",
        "-inkey", "cms.key", "-out", "doc.sig",
    ]);
    if !ready {
        println!("openssl's gost engine is not installed: the openssl cms row is left out");
        return;
    }
    let timed = |args: &[&str], n: u32| {
        let start = Instant::now();
        for _ in 0..n {
            assert!(run(args), "openssl {args:?}");
        }
        f64::from(n) / start.elapsed().as_secs_f64()
    };
    let s = timed(
        &[
            "cms",
            "-sign",
            "-engine",
            "gost",
            "-binary",
            "-outform",
            "DER",
            "-in",
            "doc.bin",
            "-signer",
            "cms.crt",
            "-inkey",
            "cms.key",
            "-out",
            "/dev/null",
        ],
        50,
    );
    let v = timed(
        &[
            "cms",
            "-verify",
            "-engine",
            "gost",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "doc.sig",
            "-content",
            "doc.bin",
            "-CAfile",
            "cms.crt",
            "-out",
            "/dev/null",
        ],
        50,
    );
    println!("{:<34} {s:>12.1} {v:>12.1}", "openssl cms (a process each)");
}
