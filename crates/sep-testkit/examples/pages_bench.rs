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

use sep_core::application::record::StatusChange;
use sep_core::application::status::Status;
use sep_core::clock::Clock as _;
use sep_core::demo::OFFICER_AGENCY;
use sep_core::store::Effects;
use sep_testkit::TestApp;
use sep_testkit::bench::status_kb;
use sep_testkit::pages::{Actor, MEASURED};
use sep_testkit::stories::applications::{scan, stored_draft};
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
            let attachment = scan(id, &format!("скан-{n:02}-{f}.pdf"), now);
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
    memory(&base, &citizen.cookie);
}

/// Clients held open by a child process (so that their sockets are not this process's):
/// `n` connections that each make `request` once, read the answer's head and then stay open,
/// idle. The child says `ready` once all are open and waits for its input to close.
const HOLDER: &str = r#"
import socket, sys
host, port, n, request = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].encode().decode("unicode_escape").encode()
held = []
for _ in range(n):
    s = socket.create_connection((host, port))
    s.sendall(request)
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("closed")
        head += chunk
    held.append(s)
print("ready", flush=True)
sys.stdin.read()
"#;

/// The resident memory growth of this process while `n` connections making `request` are held
/// open, per connection, in kB.
fn held_growth(base: &str, n: usize, request: &str) -> Option<f64> {
    use std::io::BufRead as _;
    let addr = base.trim_start_matches("http://");
    let (host, port) = addr.split_once(':')?;
    let before = status_kb("VmRSS:");
    let mut child = Command::new("python3")
        .args(["-c", HOLDER, host, port, &n.to_string(), request])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take()?).read_line(&mut line).ok()?;
    std::thread::sleep(std::time::Duration::from_millis(500));
    let during = status_kb("VmRSS:");
    drop(child.stdin.take());
    let _ = child.wait();
    (line.trim() == "ready").then(|| during.saturating_sub(before) as f64 / n as f64)
}

/// Point 5 of issue 20: resident memory after the pages' load, with 10,000 idle keep-alive
/// connections, and per open live-status stream.
fn memory(base: &str, cookie: &str) {
    println!();
    println!(
        "resident memory after the load above: {:.1} MB (peak {:.1} MB)",
        status_kb("VmRSS:") as f64 / 1024.0,
        status_kb("VmHWM:") as f64 / 1024.0
    );
    let idle = held_growth(base, 10_000, "GET /healthz HTTP/1.1\\r\\nHost: bench\\r\\n\\r\\n");
    match idle {
        Some(kb) => {
            println!("10,000 idle keep-alive connections: {:.1} MB more, {kb:.1} kB each", kb * 10_000.0 / 1024.0)
        }
        None => println!("10,000 idle keep-alive connections: could not hold them (python3, open files?)"),
    }
    let stream = format!(
        "GET /events HTTP/1.1\\r\\nHost: bench\\r\\nAccept: text/event-stream\\r\\nCookie: {cookie}\\r\\n\\r\\n"
    );
    match held_growth(base, 1_000, &stream) {
        Some(kb) => println!("1,000 open live-status streams (/events): {kb:.1} kB each"),
        None => println!("live-status streams: could not hold them"),
    }
}
