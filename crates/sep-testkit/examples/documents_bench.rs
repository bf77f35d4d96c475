//! «Мои документы» under load: a person with 1,000 documents over 20 applications, `GET
//! /documents` from 16 concurrent clients in process for five seconds, beside `/healthz` (the
//! bare stack) measured the same way in the same run. Prints requests per second, p50 and p99.
//!
//! `cargo run --release -p sep-testkit --example documents_bench`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, reason = "a benchmark that prints")]

use sep_core::application::record::{Application, ApplicationId, Attachment};
use sep_core::application::status::Status;
use sep_core::catalogue::ApplicantType;
use sep_core::clock::Clock as _;
use sep_core::store::Effects;
use sep_testkit::TestApp;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 16;
const WINDOW: Duration = Duration::from_secs(5);

async fn measure(w: Arc<sep_testkit::Signed>, path: &'static str) -> (f64, Duration, Duration) {
    let start = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let w = w.clone();
            tokio::spawn(async move {
                let mut times = Vec::new();
                while start.elapsed() < WINDOW {
                    let t = Instant::now();
                    let r = w.get(path).await;
                    assert_eq!(r.status, axum::http::StatusCode::OK, "{path}");
                    times.push(t.elapsed());
                }
                times
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    let pick = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    (all.len() as f64 / start.elapsed().as_secs_f64(), pick(0.5), pick(0.99))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let app = TestApp::new().await;
    let w = app.citizen().await;
    let store = app.db.store();
    let now = app.clock.now();
    for a in 0..20 {
        let application = Application {
            id: ApplicationId::new(),
            number: None,
            user_id: w.user.id,
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
        };
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
}
