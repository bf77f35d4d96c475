//! Signatures and verifications per second: ГОСТ Р 34.10-2012 (256) as built here, P-256 from
//! RustCrypto, and openssl's gost engine on the same machine (a process per signature, as
//! `openssl dgst` allows, less the time of processes that only hash).
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

/// openssl's rate for one operation: `dgst` signs or checks one file per process, so `n`
/// processes doing it are timed against `n` that only hash the same file with the same engine.
fn openssl_rate(dir: &std::path::Path, args: &[&str], n: u32) -> Option<f64> {
    let time = |args: &[&str]| {
        let start = Instant::now();
        for _ in 0..n {
            let out = Command::new("openssl").args(args).arg("msg").current_dir(dir).output().ok()?;
            if !out.status.success() {
                return None;
            }
        }
        Some(start.elapsed().as_secs_f64())
    };
    let hash_only = time(&["dgst", "-engine", "gost", "-md_gost12_256"])?;
    let with = time(args)?;
    Some(f64::from(n) / (with - hash_only).max(1e-9))
}

fn main() {
    let window = Duration::from_secs(2);
    println!("{:<34} {:>12} {:>12}", "", "sign/s", "verify/s");
    for set in ["TCA", "A"] {
        let key = SigningKey::generate(Curve::named(set).unwrap()).unwrap();
        let sig = key.sign(MESSAGE).unwrap();
        let public = key.verifying_key();
        let s = rate(window, || {
            key.sign(MESSAGE).unwrap();
        });
        let v = rate(window, || {
            public.verify(MESSAGE, &sig).unwrap();
        });
        println!("{:<34} {s:>12.0} {v:>12.0}", format!("ГОСТ 2012-256 (sep-crypto, {set})"));
    }
    let p256 = P256Signer::generate().unwrap();
    let verifier = p256.verifier();
    let sig = p256.sign(MESSAGE).unwrap();
    let s = rate(window, || {
        p256.sign(MESSAGE).unwrap();
    });
    let v = rate(window, || {
        verifier.verify(MESSAGE, &sig).unwrap();
    });
    println!("{:<34} {s:>12.0} {v:>12.0}", "ECDSA P-256 (RustCrypto p256)");

    let dir = std::env::temp_dir().join(format!("sep-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("msg"), MESSAGE).unwrap();
    let setup = Command::new("openssl")
        .args(["genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", "key.pem"])
        .current_dir(&dir)
        .output();
    let ready = setup.is_ok_and(|o| o.status.success())
        && Command::new("openssl")
            .args(["pkey", "-engine", "gost", "-in", "key.pem", "-pubout", "-out", "pub.pem"])
            .current_dir(&dir)
            .output()
            .is_ok_and(|o| o.status.success())
        && Command::new("openssl")
            .args(["dgst", "-engine", "gost", "-md_gost12_256", "-sign", "key.pem", "-out", "sig", "msg"])
            .current_dir(&dir)
            .output()
            .is_ok_and(|o| o.status.success());
    if ready {
        let sign = ["dgst", "-engine", "gost", "-md_gost12_256", "-sign", "key.pem", "-out", "/dev/null"];
        let verify = ["dgst", "-engine", "gost", "-md_gost12_256", "-verify", "pub.pem", "-signature", "sig"];
        let s = openssl_rate(&dir, &sign, 300);
        let v = openssl_rate(&dir, &verify, 300);
        let show = |r: Option<f64>| r.map_or_else(|| "—".to_owned(), |r| format!("{r:.0}"));
        println!("{:<34} {:>12} {:>12}", "ГОСТ 2012-256 (openssl gost engine, A)", show(s), show(v));
    } else {
        println!("openssl's gost engine is not installed: apt-get install libengine-gost-openssl");
    }
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
