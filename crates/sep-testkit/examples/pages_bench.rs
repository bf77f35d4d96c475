//! Signed-in pages under load (issue 20, point 1): the portal served on a real socket (SQLite,
//! as the demo runs), a citizen with 12 applications (8 submitted, 3 files each) and the
//! officer who reviews them, and `wrk` (closed loop, 64 connections, 2 threads) against every
//! page of `sep_testkit::pages::MEASURED` in turn, beside the bare handler `/healthz` measured
//! the same way in the same run. Prints requests per second, p99 and the ratio to bare.
//!
//! `cargo run --release -p sep-testkit --example pages_bench [seconds=5] [connections=64] [page…]`
//! (`bench/pages.sh` runs it; needs `wrk`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    reason = "a benchmark that prints and stops on a wrong answer"
)]

use sep_core::application::record::{Attachment, StatusChange};
use sep_core::application::status::Status;
use sep_core::clock::Clock as _;
use sep_core::demo::OFFICER_AGENCY;
use sep_core::store::Effects;
use sep_testkit::TestApp;
use sep_testkit::pages::{Actor, MEASURED};
use sep_testkit::stories::applications::stored_draft;
use std::process::Command;

/// `wrk` against `url` with `cookie`: requests per second and p99 in milliseconds, or why not.
fn wrk(url: &str, cookie: &str, seconds: u32, connections: u32) -> Result<(f64, f64), String> {
    let out = Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s"), "--latency", "-H"])
        .arg(format!("Cookie: {cookie}"))
        .arg(url)
        .output()
        .map_err(|e| format!("wrk: {e} (apt-get install wrk)"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if text.contains("Non-2xx") {
        return Err(format!("answers other than 2xx:\n{text}"));
    }
    let rate = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .ok_or_else(|| format!("no rate in:\n{text}"))?;
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(|v| {
            let v = v.trim();
            if let Some(us) = v.strip_suffix("us") {
                us.parse::<f64>().unwrap_or(f64::NAN) / 1000.0
            } else if let Some(ms) = v.strip_suffix("ms") {
                ms.parse::<f64>().unwrap_or(f64::NAN)
            } else if let Some(s) = v.strip_suffix('s') {
                s.parse::<f64>().unwrap_or(f64::NAN) * 1000.0
            } else {
                f64::NAN
            }
        })
        .unwrap_or(f64::NAN);
    Ok((rate, p99))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let connections: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(64);
    // Only the pages whose path is one of these (all when none is given).
    let only: Vec<String> = args.collect();
    let app = TestApp::new().await;
    let citizen = app.citizen().await;
    let officer = app.officer(OFFICER_AGENCY).await;
    let store = app.db.store();
    let registry = app.sign_in_as("+79789012345").await;
    store
        .update_user_agency(registry.user.id, Some(sep_core::passport::record::ISSUER), &Effects::none())
        .await
        .unwrap();
    let now = app.clock.now();
    let mut first_submitted = None;
    for n in 0..12u32 {
        let id = stored_draft(&app.db, citizen.user.id, now + time::Duration::seconds(n.into())).await;
        for f in 0..3 {
            let attachment = Attachment {
                id: uuid::Uuid::now_v7(),
                application_id: id,
                document: "passport_scan".into(),
                file_name: format!("скан-{n:02}-{f}.pdf"),
                content_type: "application/pdf".into(),
                size: 123_456,
                sha256: "ab".repeat(32),
                status: "accepted".into(),
                created_at: now,
                replaced_by: None,
            };
            store.insert_attachment(&attachment, &Effects::none()).await.unwrap();
        }
        if n < 8 {
            let mut sent = StatusChange::new(Status::Draft, Status::UnderReview, now, "applicant", "", Vec::new());
            sent.number = Some(format!("R2026-{:06}", n + 1));
            store.update_application_status(id, &sent, &Effects::none()).await.unwrap();
            first_submitted.get_or_insert(id);
        }
    }
    let id = first_submitted.unwrap().to_string();
    let base = app.serve_socket().await;

    println!(
        "sep pages bench — wrk -t2 -c{connections} -d{seconds}s against the portal on a socket (SQLite), {} cores",
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get)
    );
    println!("{:<32} {:>10} {:>9} {:>9} {:>9}", "page", "req/s", "p99 ms", "vs bare", "KB");
    let (bare, p99) = wrk(&format!("{base}/healthz"), "", seconds, connections).unwrap();
    println!("{:<32} {bare:>10.0} {p99:>9.2} {:>9.2} {:>9.1}", "/healthz (bare)", 1.0, 0.0);
    let mut worst = f64::INFINITY;
    for (path, actor) in MEASURED.iter().filter(|(p, _)| only.is_empty() || only.iter().any(|o| o == p)) {
        let who = match actor {
            Actor::Citizen => &citizen,
            Actor::Officer => &officer,
            Actor::RegistryOfficer => &registry,
        };
        let path = path.replace("{id}", &id);
        // The same page in process first: it must be a page, not a refusal.
        let r = who.get(&path).await;
        assert_eq!(r.status, axum::http::StatusCode::OK, "{path}: {}", r.text.chars().take(300).collect::<String>());
        match wrk(&format!("{base}{path}"), &who.cookie, seconds, connections) {
            Ok((rate, p99)) => {
                worst = worst.min(rate / bare);
                let shown = if path.contains(&id) { path.replace(&id, "{id}") } else { path.clone() };
                let kb = r.text.len() as f64 / 1024.0;
                println!("{shown:<32} {rate:>10.0} {p99:>9.2} {:>9.2} {kb:>9.1}", rate / bare);
            }
            Err(e) => panic!("{path}: {e}"),
        }
    }
    println!("lowest ratio to bare: {worst:.2} (goal of issue 20: 0.45)");
}
