//! The integration API's figures (issue 18, point 10), each beside its anchor in the same run:
//! - `GET /api/v1/applications/{id}` with a personal access token from 64 concurrent clients in
//!   process, beside the bare stack (`/healthz`) measured the same way: req/s, p50, p99 and the
//!   ratio (goal: p99 ≤ 10 ms);
//! - webhook deliveries per second to a receiver on loopback, posted by the `webhooks` queue
//!   with the claimers `sep serve` runs it with, beside the receiver's own rate for plain posts
//!   from one client per claimer (goal ≥ 500/s);
//! - a 10,000-row CSV imported to drafts (`POST /api/v1/applications/import`, then the
//!   `operations` queue), beside 500 drafts made one by one through `POST /api/v1/applications`.
//!
//! `cargo run --release -p sep-testkit --example api_bench`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic,
    reason = "a benchmark that prints"
)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sep_core::clock::Clock as _;
use sep_core::integration::webhook::manage::deliver_job;
use sep_core::integration::webhook::{EventType, Message, MessageState};
use sep_core::store::Effects;
use sep_testkit::TestApp;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const CLIENTS: usize = 64;
const WINDOW: Duration = Duration::from_secs(5);
const MESSAGES: usize = 2_000;
const ROWS: usize = 10_000;
/// `sep serve`'s claimers of the `webhooks` queue (`crates/sep/src/worker.rs`).
const CLAIMERS: usize = 4;

/// `clients` concurrent `GET path` with `token` (none for the bare stack) for [`WINDOW`].
async fn measure(app: Arc<TestApp>, path: String, token: Option<String>) -> (f64, Duration, Duration) {
    let start = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (app, path, token) = (app.clone(), path.clone(), token.clone());
            tokio::spawn(async move {
                let mut times = Vec::new();
                while start.elapsed() < WINDOW {
                    let mut req = Request::get(&path);
                    if let Some(t) = &token {
                        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
                    }
                    let t = Instant::now();
                    let r = app.request(req.body(Body::empty()).unwrap()).await;
                    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let app = Arc::new(TestApp::new().await);
    let w = app.citizen().await;
    let path = draft(&w).await;
    let token = issue(&w, &["applications:read", "applications:write", "webhooks:manage"]).await;

    println!(
        "== GET /api/v1/applications/{{id}} with a token, {CLIENTS} clients in process, {} s each, SQLite",
        WINDOW.as_secs()
    );
    println!("{:<34} {:>10} {:>10} {:>10}", "", "req/s", "p50", "p99");
    let (bare, b50, b99) = measure(app.clone(), "/healthz".into(), None).await;
    println!("{:<34} {bare:>10.0} {:>8.2}ms {:>8.2}ms", "/healthz (bare)", ms(b50), ms(b99));
    let (api, a50, a99) = measure(app.clone(), path.clone(), Some(token.clone())).await;
    println!("{:<34} {api:>10.0} {:>8.2}ms {:>8.2}ms", "/api/v1/applications/{id}", ms(a50), ms(a99));
    println!(
        "ratio to bare: {:.2}; p99 goal ≤ 10 ms: {}",
        api / bare,
        if a99 <= Duration::from_millis(10) { "met" } else { "NOT met" }
    );

    webhooks(&app, &w, &token).await;
    import(&app, &token).await;
}

/// A draft started on the pages; its API address.
async fn draft(w: &sep_testkit::Signed) -> String {
    let start = [("service", "registration"), ("applicant", "person")];
    let page = w.post_form("/applications", &start).await.location().to_owned();
    format!("/api/v1{page}")
}

/// A personal access token with `scopes`, issued on the page.
async fn issue(w: &sep_testkit::Signed, scopes: &[&str]) -> String {
    let mut form = vec![("name", "bench"), ("days", "30")];
    form.extend(scopes.iter().map(|s| ("scope", *s)));
    let r = w.post_form("/tokens", &form).await;
    r.text.split("data-secret>").nth(1).unwrap().split('<').next().unwrap().to_owned()
}

async fn webhooks(app: &Arc<TestApp>, w: &sep_testkit::Signed, token: &str) {
    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::Relaxed);
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    // The anchor: the receiver's rate for plain posts, one client per claimer.
    let http = reqwest::Client::new();
    let start = Instant::now();
    let posts: Vec<_> = (0..CLAIMERS)
        .map(|_| {
            let (http, url) = (http.clone(), url.clone());
            tokio::spawn(async move {
                for _ in 0..MESSAGES / CLAIMERS {
                    http.post(&url).body("{}").send().await.unwrap();
                }
            })
        })
        .collect();
    for p in posts {
        p.await.unwrap();
    }
    let plain = MESSAGES as f64 / start.elapsed().as_secs_f64();
    received.store(0, Ordering::Relaxed);

    let body = format!(r#"{{"url":"{url}","events":["mail.received"]}}"#);
    let req = Request::post("/api/v1/webhooks")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let made: serde_json::Value = serde_json::from_slice(&app.request(req).await.bytes).unwrap();
    let endpoint = uuid::Uuid::parse_str(made["id"].as_str().unwrap()).unwrap();
    let store = app.db.store();
    let now = app.clock.now();
    let messages: Vec<Message> = (0..MESSAGES)
        .map(|i| Message {
            id: format!("msg_bench{i:06}"),
            endpoint_id: endpoint,
            event_type: EventType::MailReceived,
            body: format!(r#"{{"type":"mail.received","timestamp":"2026-12-07T10:00:00Z","data":{{"n":{i}}}}}"#),
            created_at: now,
            state: MessageState::Pending,
            attempts: 0,
        })
        .collect();
    let mut fx = Effects::none();
    fx.jobs = messages.iter().map(|m| deliver_job(&m.id, 0, now)).collect();
    store.insert_webhook_messages(&messages, &fx).await.unwrap();
    let hooks = Arc::new(sep_core::integration::webhook::deliver::Webhooks {
        store: store.clone(),
        sender: app.webhook_sender(),
    });
    let start = Instant::now();
    let claimers: Vec<_> = (0..CLAIMERS)
        .map(|k| {
            let (store, hooks, app) = (store.clone(), hooks.clone(), app.clone());
            tokio::spawn(async move {
                loop {
                    let ran = sep_core::job::run_due(
                        store.as_ref(),
                        sep_core::job::Queue::Webhooks,
                        &format!("bench-{k}"),
                        hooks.as_ref(),
                        app.clock.now(),
                    )
                    .await
                    .unwrap();
                    if ran == 0 {
                        break;
                    }
                }
            })
        })
        .collect();
    for c in claimers {
        c.await.unwrap();
    }
    let took = start.elapsed();
    let got = received.load(Ordering::Relaxed);
    assert_eq!(got, MESSAGES, "every message delivered once");
    let _ = w;
    println!();
    println!("== webhook deliveries to a loopback receiver ({MESSAGES} messages, {CLAIMERS} claimers, SQLite)");
    println!("{:<34} {:>10.0} /s", "plain posts (anchor)", plain);
    println!(
        "{:<34} {:>10.0} /s  (goal ≥ 500/s: {})",
        "signed deliveries, logged",
        MESSAGES as f64 / took.as_secs_f64(),
        if MESSAGES as f64 / took.as_secs_f64() >= 500.0 { "met" } else { "NOT met" }
    );
}

async fn import(app: &Arc<TestApp>, token: &str) {
    // The anchor: drafts one by one through the API.
    const ONE_BY_ONE: usize = 500;
    let start = Instant::now();
    for _ in 0..ONE_BY_ONE {
        let req = Request::post("/api/v1/applications")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                r#"{"service":"registration","applicant_type":"person","data":{"birth_place":"г. Москва"}}"#,
            ))
            .unwrap();
        assert_eq!(app.request(req).await.status, StatusCode::CREATED);
    }
    let single = ONE_BY_ONE as f64 / start.elapsed().as_secs_f64();

    let mut csv = String::from(
        "passport_series;passport_number;passport_issued_on;passport_issuer;passport_division_code;birth_place;address\n",
    );
    for n in 0..ROWS {
        csv.push_str(&format!(
            "4510;{:06};10.04.2010;ГУ МВД России по г. Москве;770-001;г. Москва;г. Москва, ул. Тверская, д. {n}\n",
            n % 1_000_000
        ));
    }
    let start = Instant::now();
    let req = Request::post("/api/v1/applications/import?service=registration&applicant_type=person")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv))
        .unwrap();
    let r = app.request(req).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let accepted = start.elapsed();
    app.run_operations().await;
    let took = start.elapsed();
    let op: serde_json::Value = serde_json::from_slice(&r.bytes).unwrap();
    let req = Request::get(format!("/api/v1/operations/{}", op["id"].as_str().unwrap()))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let done: serde_json::Value = serde_json::from_slice(&app.request(req).await.bytes).unwrap();
    assert_eq!(done["result"]["made"].as_u64(), Some(ROWS as u64), "{done}");
    println!();
    println!("== {ROWS}-row CSV to drafts (SQLite)");
    println!("{:<34} {:>10.0} drafts/s", "POST /api/v1/applications (anchor)", single);
    println!(
        "{:<34} {:>10.2} s (accepted in {:.0} ms), {:.0} drafts/s",
        "the import, end to end",
        took.as_secs_f64(),
        ms(accepted),
        ROWS as f64 / took.as_secs_f64()
    );
}
