//! «Мои документы» under load: a person with 1,000 documents over 20 applications, `GET
//! /documents` from 16 concurrent clients in process for five seconds, beside `/healthz` (the
//! bare stack) measured the same way in the same run. Prints requests per second, p50 and p99.
//! Then 500 distinct 1 MB documents downloaded as one ZIP (`POST /documents/zip`), read chunk
//! by chunk as a client would, with the process's peak resident memory growth (Linux
//! `VmHWM`, reset before the download) beside the archive's size.
//!
//! `cargo run --release -p sep-testkit --example documents_bench`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, reason = "a benchmark that prints")]

use sep_core::application::record::{Application, ApplicationId, Attachment};
use sep_core::application::status::Status;
use sep_core::catalogue::ApplicantType;
use sep_core::clock::Clock as _;
use sep_core::store::Effects;
use sep_testkit::TestApp;
use sep_testkit::bench::status_kb;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 16;
const WINDOW: Duration = Duration::from_secs(5);

async fn measure(w: Arc<sep_testkit::Signed>, path: &'static str) -> (f64, std::time::Duration, std::time::Duration) {
    sep_testkit::bench::measure(w, path, CLIENTS, WINDOW).await
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let app = TestApp::new().await;
    let w = app.citizen().await;
    let store = app.db.store();
    let now = app.clock.now();
    for a in 0..20 {
        let application = draft(w.user.id, now);
        store.insert_application(&application, &Effects::none()).await.unwrap();
        for d in 0..50 {
            let attachment = Attachment {
                id: uuid::Uuid::now_v7(),
                application_id: application.id,
                document: "passport_scan".into(),
                file_name: format!("документ-{a:02}-{d:02}.pdf"),
                content_type: "application/pdf".into(),
                size: 123_456,
                sha256: "ab".repeat(32),
                status: "accepted".into(),
                created_at: now + time::Duration::seconds(i64::from(a * 50 + d)),
                replaced_by: None,
            };
            store.insert_attachment(&attachment, &Effects::none()).await.unwrap();
        }
    }
    let w = Arc::new(w);
    assert!(w.page("/documents").await.contains("Найдено документов: 1000 из 1000"));
    println!("{CLIENTS} clients in process, {} s each, SQLite, 1,000 documents", WINDOW.as_secs());
    println!("{:<28} {:>10} {:>10} {:>10}", "", "req/s", "p50", "p99");
    for path in ["/healthz", "/documents"] {
        let (rate, p50, p99) = measure(w.clone(), path).await;
        println!("{path:<28} {rate:>10.0} {:>8.1}ms {:>8.1}ms", p50.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3);
    }
    zip_of_500(&app, &w).await;
}

/// An empty draft of «Регистрация в СЭП» of `user`.
fn draft(user: sep_core::ids::UserId, now: time::OffsetDateTime) -> Application {
    Application {
        id: ApplicationId::new(),
        number: None,
        user_id: user,
        service: "registration".into(),
        applicant_type: ApplicantType::Person,
        status: Status::Draft,
        data: Default::default(),
        consent: None,
        due_on: None,
        created_at: now,
        updated_at: now,
        submitted_at: None,
        assignee: None,
        checks_passed_at: None,
    }
}

/// 500 distinct 1 MB PDFs in one application, streamed as one ZIP.
async fn zip_of_500(app: &TestApp, w: &sep_testkit::Signed) {
    use http_body_util::BodyExt;
    let store = app.db.store();
    let now = app.clock.now();
    let application = draft(w.user.id, now);
    store.insert_application(&application, &Effects::none()).await.unwrap();
    let mut keys = Vec::new();
    for d in 0..500u32 {
        let mut bytes = format!("%PDF-1.7\n% document {d}\n").into_bytes();
        bytes.resize(1024 * 1024, b'a' + (d % 26) as u8);
        let sha256 = sep_core::application::attachment::content_key(&bytes);
        app.files.put(&sha256, &bytes).await.unwrap();
        let id = uuid::Uuid::now_v7();
        let attachment = Attachment {
            id,
            application_id: application.id,
            document: "passport_scan".into(),
            file_name: format!("скан-{d:03}.pdf"),
            content_type: "application/pdf".into(),
            size: bytes.len() as i64,
            sha256,
            status: "accepted".into(),
            created_at: now + time::Duration::seconds(i64::from(d)),
            replaced_by: None,
        };
        store.insert_attachment(&attachment, &Effects::none()).await.unwrap();
        keys.push(format!("d=a%3A{id}"));
    }
    let body = format!("csrf={}&{}", w.csrf, keys.join("&"));
    let request = || {
        axum::http::Request::post("/documents/zip")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(axum::body::Body::from(body.clone()))
            .unwrap()
    };
    // Linux: writing 5 to clear_refs resets the peak (VmHWM) to the current size.
    let reset = || std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_kb("VmRSS:");
    let measured = reset();
    let start = Instant::now();
    let res = w.open(request()).await;
    assert_eq!(res.status(), axum::http::StatusCode::OK);
    let mut stream = res.into_body();
    let mut total = 0usize;
    while let Some(frame) = stream.frame().await {
        total += frame.unwrap().data_ref().map_or(0, |d| d.len());
    }
    let took = start.elapsed();
    let streamed = status_kb("VmHWM:").saturating_sub(before);
    // The meter's control: the same archive kept whole, as a client that buffers would.
    let before = status_kb("VmRSS:");
    reset();
    let whole = w.open(request()).await.into_body().collect().await.unwrap().to_bytes();
    let kept = status_kb("VmHWM:").saturating_sub(before);
    assert_eq!(whole.len(), total);
    drop(whole);
    println!();
    println!("ZIP of 500 documents of 1 MB, streamed (SQLite, files on local disk)");
    println!(
        "  archive {:.0} MB in {:.2} s ({:.0} MB/s)",
        total as f64 / 1e6,
        took.as_secs_f64(),
        total as f64 / 1e6 / took.as_secs_f64()
    );
    if measured {
        println!("  peak resident memory growth while streaming: {:.1} MB (goal < 50 MB)", streamed as f64 / 1024.0);
        println!("  control, the same archive kept whole by the client: {:.1} MB", kept as f64 / 1024.0);
    } else {
        println!("  peak memory not measured: /proc/self/clear_refs is not writable here");
    }
}
