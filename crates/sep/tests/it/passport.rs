//! `sep passport fetch URL` and `sep passport verify CODE|PNG` as a bank's clerk runs them: the
//! lists fetched once from a portal on a real socket, then codes checked with nothing else — a
//! valid one exits 0, a broken or annulled one 1; an annulment shows once the lists are fetched
//! again; a tampered list is refused (exit 2) and says so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use sep_core::clock::Clock as _;
use sep_core::passport::code::encode;
use sep_core::passport::record::{AnnulReason, PassportStatus, StatusEntry};
use sep_core::store::Effects;
use sep_testkit::TestApp;
use std::path::Path;
use uuid::Uuid;

async fn sep(args: Vec<String>) -> (Option<i32>, String) {
    tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sep"))
            .args(&args)
            .env("SEP_LOG_LEVEL", "warn")
            .output()
            .unwrap();
        (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    })
    .await
    .unwrap()
}

fn args(parts: &[&str], lists: &Path) -> Vec<String> {
    let mut v: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
    v.extend(["--lists".to_owned(), lists.to_str().unwrap().to_owned()]);
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_fetches_the_lists_once_and_checks_codes_offline() {
    let t = TestApp::new().await;
    let now = t.clock.now();
    let user = sep_testkit::stories::citizen(&t.db, now).await;
    let app = sep_testkit::stories::applications::stored_draft(&t.db, user, now).await;
    let mut p = sep_testkit::stories::passports::record(user, app, 777, now - time::Duration::minutes(1));
    let keys = t.passports.keys.clone();
    p.code_es256 = encode(&p.claims(), keys.es256.as_ref()).unwrap();
    p.code_gost = encode(&p.claims(), keys.gost.as_ref()).unwrap();
    let first = StatusEntry::issued(p.id, now, String::new());
    assert!(t.db.store().issue_passport(&p, &first, None, &Effects::none()).await.unwrap());
    let url = t.serve_socket().await;
    let tmp = tempfile::tempdir().unwrap();
    let lists = tmp.path().join("lists");

    // Nothing to check with before the lists are fetched.
    let (code, text) = sep(args(&["passport", "verify", &p.code_es256], &lists)).await;
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("sep passport fetch"), "{text}");

    let (code, text) = sep(args(&["passport", "fetch", &url], &lists)).await;
    assert_eq!(code, Some(0), "{text}");
    for pin in keys.pins() {
        assert!(text.contains(&pin), "the pinned roots are shown: {text}");
    }
    for c in [&p.code_es256, &p.code_gost] {
        let (code, text) = sep(args(&["passport", "verify", c], &lists)).await;
        assert_eq!(code, Some(0), "{text}");
        assert!(text.contains("Действителен") && text.contains("Иванов Иван"), "{text}");
    }
    // The picture of the code, as saved from the cabinet.
    let png = tmp.path().join("qr.png");
    std::fs::write(&png, sep_pdf::qr::png_q(&p.code_es256, 4).unwrap()).unwrap();
    let (code, text) = sep(args(&["passport", "verify", png.to_str().unwrap()], &lists)).await;
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = sep(args(&["passport", "verify", &p.code_es256[..p.code_es256.len() - 12]], &lists)).await;
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("passport_code_"), "{text}");
    let (code, text) = sep(args(&["passport", "verify", "HC1:NCFOXN"], &lists)).await;
    assert_eq!((code, text.contains("passport_code_prefix")), (Some(1), true), "{text}");

    // Annulled: the cached list does not know yet; the refreshed one does.
    let annul = StatusEntry {
        id: Uuid::now_v7(),
        status: PassportStatus::Annulled,
        reason: Some(AnnulReason::Lost),
        at: now + time::Duration::seconds(1),
        ..first
    };
    assert!(t.db.store().annul_passport(&annul, &Effects::none()).await.unwrap());
    let (code, _) = sep(args(&["passport", "verify", &p.code_es256], &lists)).await;
    assert_eq!(code, Some(0), "offline: the list of the last fetch");
    let (code, text) = sep(args(&["passport", "fetch", &url], &lists)).await;
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = sep(args(&["passport", "verify", &p.code_es256], &lists)).await;
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("Аннулирован по списку от"), "{text}");

    // A list changed after it was signed is not used.
    let file = lists.join("annulments.cose");
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() - 3;
    bytes[at] ^= 1;
    std::fs::write(&file, bytes).unwrap();
    let (code, text) = sep(args(&["passport", "verify", &p.code_es256], &lists)).await;
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("passport_list_signature"), "{text}");
    // Pinned to another root, a fetch refuses the portal's lists.
    let other = tmp.path().join("other");
    let (code, text) = sep(args(&["passport", "fetch", &url, "--pin", &"ab".repeat(32)], &other)).await;
    assert_ne!(code, Some(0), "{text}");
    assert!(text.contains("passport_list_signature") && !other.join("trust-list.cose").exists(), "{text}");
}
