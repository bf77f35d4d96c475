//! Writes under load (issue 20, point 3): «Отправить заявление» and the draft's background
//! save, driven through the portal's real router (middleware, session, CSRF, handler, use
//! case, store) by concurrent signed-in clients in process, on SQLite and on PostgreSQL.
//! Beside each backend's figures, in the same run, its anchor: bare one-row commits through
//! the same driver on the same database (one writer for SQLite; as many connections as the
//! store's pool for PostgreSQL), the most commits per second that database gives here.
//!
//! A submission is three reads and two transactions (the number's counter; the status with
//! its journal entry, audit record and registry-check job); a background save is a read and one
//! transaction (the data, and a journal entry once per sitting).
//!
//! `cargo run --release -p sep-testkit --example writes_bench [seconds=3] [clients=32]`
//! (`bench/writes.sh` runs it; PostgreSQL when `SEP_TEST_DATABASE_URL` is set).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    reason = "a benchmark that prints and stops on a wrong answer"
)]

use axum::http::StatusCode;
use sep_core::application::record::{Application, ApplicationId, Attachment};
use sep_core::store::Effects;
use sep_testkit::{Backend, Signed, TestApp};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A PDF as small as the upload's checks take.
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";

/// What the citizen types beyond what Госуслуги pre-fills.
const TYPED: [(&str, &str); 7] = [
    ("birth_place", "г. Москва"),
    ("passport_issued_on", "10.04.2010"),
    ("passport_issuer", "ГУ МВД России по г. Москве"),
    ("passport_division_code", "770-001"),
    ("address", "г. Москва, ул. Тверская, д. 1"),
    ("passport_series", "4510"),
    ("passport_number", "000001"),
];

/// One complete draft made through the handlers, as a person would (form, three documents,
/// the check page offering «Отправить заявление»); returns it with its files.
async fn template(w: &Signed, app: &TestApp) -> (Application, Vec<Attachment>) {
    let r = w.post_form("/applications", &[("service", "registration"), ("applicant", "person")]).await;
    let path = r.location().to_owned();
    let r = w.post_form(&path, &TYPED).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    for doc in ["passport_scan", "snils_scan", "inn_certificate"] {
        let name = format!("{doc}.pdf");
        let r = w.upload(&format!("{path}/documents"), &[("document", doc)], &[("file", &name, PDF)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{doc}: {}", r.text);
    }
    let check = w.page(&format!("{path}/check")).await;
    assert!(check.contains("Отправить заявление"), "the template is not complete: {check}");
    let id = ApplicationId(path.trim_start_matches("/applications/").parse().unwrap());
    let store = app.db.store();
    (store.get_application(id).await.unwrap(), store.list_attachments(id).await.unwrap())
}

/// `n` copies of the complete draft `t` (own ids, own file records), written straight to the
/// store by `writers` tasks: what is measured is sending them, not making them.
async fn copies(app: &TestApp, t: &(Application, Vec<Attachment>), n: usize, writers: usize) -> Vec<ApplicationId> {
    let next = Arc::new(AtomicUsize::new(0));
    let made = Arc::new(std::sync::Mutex::new(Vec::with_capacity(n)));
    let tasks: Vec<_> = (0..writers)
        .map(|_| {
            let (store, next, made, t) = (app.db.store(), next.clone(), made.clone(), t.clone());
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    let mut a = t.0.clone();
                    a.id = ApplicationId::new();
                    store.insert_application(&a, &Effects::none()).await.unwrap();
                    for f in &t.1 {
                        let f = Attachment { id: uuid::Uuid::now_v7(), application_id: a.id, ..f.clone() };
                        store.insert_attachment(&f, &Effects::none()).await.unwrap();
                    }
                    made.lock().unwrap().push(a.id);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    std::mem::take(&mut *made.lock().unwrap())
}

/// Rate, p50 and p99 of `clients` concurrent loops of `one(client, draft index)` until
/// `window` ends or `limit` calls were made.
async fn drive<F, Fut>(clients: &[Arc<Signed>], window: Duration, limit: usize, one: F) -> (f64, Duration, Duration)
where
    F: Fn(Arc<Signed>, usize, usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(c, w)| {
            let (w, next, one) = (w.clone(), next.clone(), one.clone());
            tokio::spawn(async move {
                let mut times = Vec::new();
                while start.elapsed() < window {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= limit {
                        break;
                    }
                    let t = Instant::now();
                    one(w.clone(), c, i).await;
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
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let pick = |q: f64| all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1))).copied();
    (all.len() as f64 / elapsed, pick(0.5).unwrap_or_default(), pick(0.99).unwrap_or_default())
}

/// The anchor on SQLite: one-row commits by one writer with the store's settings (WAL,
/// synchronous NORMAL), in a file beside the store's, for `window`.
fn sqlite_commits(window: Duration) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let c = rusqlite::Connection::open(dir.path().join("anchor.db")).unwrap();
    c.pragma_update(None, "journal_mode", "WAL").unwrap();
    c.pragma_update(None, "synchronous", "NORMAL").unwrap();
    c.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").unwrap();
    let body = "х".repeat(200);
    let (start, mut n) = (Instant::now(), 0u64);
    while start.elapsed() < window {
        c.execute_batch("BEGIN IMMEDIATE").unwrap();
        c.prepare_cached("INSERT INTO t (body) VALUES (?1)").unwrap().execute([&body]).unwrap();
        c.execute_batch("COMMIT").unwrap();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// The anchor on PostgreSQL: one-row commits from `connections` connections at once, in a
/// table of the store's schema, for `window`.
async fn postgres_commits(url: &str, schema: &str, connections: usize, window: Duration) -> f64 {
    let mut clients = Vec::new();
    for _ in 0..connections {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        clients.push(client);
    }
    let table = format!("{schema}.bench_anchor");
    clients[0]
        .batch_execute(&format!("CREATE TABLE {table} (id bigserial PRIMARY KEY, body text NOT NULL)"))
        .await
        .unwrap();
    let start = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|client| {
            let table = table.clone();
            tokio::spawn(async move {
                let insert = client.prepare(&format!("INSERT INTO {table} (body) VALUES ($1)")).await.unwrap();
                let body = "х".repeat(200);
                let mut n = 0u64;
                while start.elapsed() < window {
                    client.execute(&insert, &[&body]).await.unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut n = 0;
    for t in tasks {
        n += t.await.unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn backend(backend: Backend, window: Duration, clients: usize) {
    let Some(app) = TestApp::on(backend).await else {
        println!("{backend:?}: not configured (set SEP_TEST_DATABASE_URL), skipped");
        return;
    };
    let citizen = app.citizen().await;
    let t = template(&citizen, &app).await;
    // Each client is a session of its own (the same person on several devices).
    let mut signed = Vec::new();
    for _ in 0..clients {
        signed.push(Arc::new(app.sign_in(&citizen.user).await));
    }
    // Enough drafts that the window, not the supply, ends the submissions (up to 5,000/s).
    let n = (window.as_secs_f64() * 5_000.0) as usize;
    let t0 = Instant::now();
    let drafts = Arc::new(copies(&app, &t, n + clients, 16).await);
    let prepared = t0.elapsed();
    let anchor = match app.db.postgres_schema() {
        None => sqlite_commits(window),
        Some((url, schema)) => postgres_commits(url, schema, 8, window).await,
    };
    let name = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    println!(
        "{name}: bare one-row commits (the anchor) {anchor:>8.0}/s   ({} drafts prepared in {:.1} s)",
        drafts.len(),
        prepared.as_secs_f64()
    );

    // The background save: each client types into a draft of its own, the last `clients`.
    let own: Arc<Vec<String>> = Arc::new(drafts[n..].iter().map(|id| format!("/applications/{id}")).collect());
    let (rate, p50, p99) = drive(&signed, window, usize::MAX, {
        let own = own.clone();
        move |w: Arc<Signed>, c: usize, i: usize| {
            let own = own.clone();
            async move {
                let address = format!("г. Москва, ул. Арбат, д. {i}");
                let r = w.post_form_with(&own[c], &[("address", &address)], &[("x-sep-autosave", "1")]).await;
                assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
            }
        }
    })
    .await;
    println!(
        "{name}: draft autosave      {rate:>8.0}/s  p50 {:>6.2} ms  p99 {:>6.2} ms  {:.2} of the anchor (goal: 2,000/s)",
        ms(p50),
        ms(p99),
        rate / anchor
    );

    let (rate, p50, p99) = drive(&signed, window, n, {
        let drafts = drafts.clone();
        move |w: Arc<Signed>, _c: usize, i: usize| {
            let drafts = drafts.clone();
            async move {
                let r = w.post_form(&format!("/applications/{}/submit", drafts[i]), &[("consent", "yes")]).await;
                assert!(r.status == StatusCode::OK && r.text.contains("Заявление успешно отправлено"), "{}", r.text);
            }
        }
    })
    .await;
    println!(
        "{name}: submit an application {rate:>6.0}/s  p50 {:>6.2} ms  p99 {:>6.2} ms  {:.2} of the anchor (goal: 1,000/s)",
        ms(p50),
        ms(p99),
        rate / anchor
    );
    let store = app.db.store();
    let sent = store.get_application(drafts[0]).await.unwrap();
    assert!(sent.number.is_some(), "the first copy was sent and numbered");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let clients: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(32);
    let window = Duration::from_secs(seconds);
    println!(
        "sep writes bench — {clients} signed-in clients in process, {seconds} s a figure, {} cores",
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get)
    );
    for b in [Backend::Sqlite, Backend::Postgres] {
        backend(b, window, clients).await;
    }
}
