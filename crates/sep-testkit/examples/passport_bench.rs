//! The e-passport's figures (issue 21, point 11), each beside its anchor in the same run:
//! - offline verifications per second on one core — the whole check of a code (Base45, zlib,
//!   COSE, the signature, the dates, the annulment list) — for ES256 and for ГОСТ, beside the
//!   bare signature check of the same algorithm on the same bytes;
//! - the QR code's version at error correction Q and its character count, for both profiles
//!   (the goal: version 15 or lower);
//! - issuing per second: the record's two signed codes and its row with history and journal in
//!   one transaction (SQLite), beside the two signatures alone.
//!
//! `cargo run --release -p sep-testkit --example passport_bench`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic,
    reason = "a benchmark that prints"
)]

use sep_core::clock::Clock as _;
use sep_core::passport::code::{encode, parse};
use sep_core::passport::lists::Keys as _;
use sep_core::passport::record::{PassportStatus, StatusEntry};
use sep_core::passport::verify::{Lists, Verdict, verify};
use sep_core::store::Effects;
use sep_crypto::passport::PassportKeys;
use sep_testkit::TestApp;
use std::time::{Duration, Instant};
use uuid::Uuid;

const WINDOW: Duration = Duration::from_secs(3);

/// How many times `f` runs in [`WINDOW`] on this thread, per second.
fn rate(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < WINDOW {
        f();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let t = TestApp::new().await;
    let keys = t.passports.keys.clone();
    let now = t.clock.now();
    let user = sep_testkit::stories::citizen(&t.db, now).await;
    let numbers = std::cell::Cell::new(0i64);
    let record = |app| {
        numbers.set(numbers.get() + 1);
        let mut p = sep_testkit::stories::passports::record(user, app, numbers.get(), now);
        // A long name on purpose: the QR's size is measured with it.
        p.last_name = "Константинопольская".into();
        p.first_name = "Александра".into();
        p.middle_name = Some("Владимировна".into());
        p
    };
    let app = sep_testkit::stories::applications::stored_draft(&t.db, user, now).await;
    let p = record(app);
    let claims = p.claims();
    let trust = t.passports.trust_list(now).unwrap();
    let annulled: Vec<Uuid> = (0..1000).map(|_| Uuid::now_v7()).collect();
    let annulments = keys.annulment_list(&annulled, now).unwrap();
    let lists = Lists::open(&trust, &annulments, &keys.pins(), &PassportKeys, now).unwrap();

    println!("E-passport figures (one core, release build; {} annulled ids in the list)", annulled.len());
    println!("{:<44} {:>12} {:>14} {:>8}", "", "code/s", "anchor/s", "ratio");
    for (name, signer) in [("ES256", keys.es256.clone()), ("ГОСТ Р 34.10-2012 (256)", keys.gost.clone())] {
        let code = encode(&claims, signer.as_ref()).unwrap();
        assert!(matches!(verify(&code, &lists, &PassportKeys, now), Ok(Verdict::Valid { .. })));
        let checks = rate(|| {
            verify(&code, &lists, &PassportKeys, now).unwrap();
        });
        // The anchor: the bare signature check of the same bytes with a key already read.
        let parsed = parse(&code).unwrap();
        let verifier = PassportKeys.verifier(signer.algorithm(), signer.certificate().unwrap()).unwrap();
        let bare = rate(|| verifier.verify(&parsed.signed, &parsed.signature).unwrap());
        println!("{:<44} {:>12.0} {:>14.0} {:>8.2}", format!("offline check, {name}"), checks, bare, checks / bare);
        let version = sep_pdf::qr::version_q(&code).unwrap();
        println!("    QR: {} characters, version {version} at Q (goal ≤ 15)", code.len());
    }

    // Issuing: two signed codes and the record with its history, one transaction each (the
    // applications are made before the clock starts).
    let mut drafts = Vec::new();
    for _ in 0..4000 {
        drafts.push(sep_testkit::stories::applications::stored_draft(&t.db, user, now).await);
    }
    let mut made = 0u32;
    let mut previous: Option<Uuid> = None;
    let start = Instant::now();
    while start.elapsed() < WINDOW {
        let Some(app) = drafts.pop() else { break };
        let mut p = record(app);
        let c = p.claims();
        p.code_es256 = encode(&c, keys.es256.as_ref()).unwrap();
        p.code_gost = encode(&c, keys.gost.as_ref()).unwrap();
        let first = StatusEntry::issued(p.id, now, String::new());
        // One valid per person: each round annuls the one before, as a reissue does.
        let annul = previous.map(|id| StatusEntry {
            id: Uuid::now_v7(),
            passport_id: id,
            status: PassportStatus::Annulled,
            ..first.clone()
        });
        assert!(t.db.store().issue_passport(&p, &first, annul.as_ref(), &Effects::none()).await.unwrap());
        previous = Some(p.id);
        made += 1;
    }
    let issuing = f64::from(made) / start.elapsed().as_secs_f64();
    let signing = rate(|| {
        encode(&claims, keys.es256.as_ref()).unwrap();
        encode(&claims, keys.gost.as_ref()).unwrap();
    });
    println!(
        "{:<44} {:>12.0} {:>14.0} {:>8.2}",
        "issuing: record + 2 codes (SQLite)",
        issuing,
        signing,
        issuing / signing
    );
    println!("    anchor: the two codes signed alone, no store");

    // Biometric files sealed at rest: a 5 MB photo through Кузнечик CTR + OMAC, against the
    // same file through AES-256-GCM (the cloud signature's key ring), the usual choice.
    let photo: Vec<u8> = (0..5u32 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let ring = sep_crypto::cloud::KeyRing::parse(sep_testkit::app::FILE_KEYS).unwrap();
    let seal = sep_crypto::seal::FileSeal::new(ring.clone());
    let mb = photo.len() as f64 / 1_048_576.0;
    let sealed = seal.seal(&photo, "photo").unwrap();
    let sealing = rate(|| drop(seal.seal(&photo, "photo").unwrap())) * mb;
    let opening = rate(|| drop(seal.open(&sealed, "photo").unwrap())) * mb;
    let gcm = rate(|| drop(ring.seal(&photo, b"photo").unwrap())) * mb;
    println!("{:<44} {:>12} {:>14} {:>8}", "", "MB/s", "anchor MB/s", "ratio");
    println!(
        "{:<44} {:>12.0} {:>14.0} {:>8.2}",
        "sealing a 5 MB file (Кузнечик CTR + OMAC)",
        sealing,
        gcm,
        sealing / gcm
    );
    println!("{:<44} {:>12.0} {:>14.0} {:>8.2}", "opening it", opening, gcm, opening / gcm);
    println!("    anchor: AES-256-GCM sealing the same file");
}
