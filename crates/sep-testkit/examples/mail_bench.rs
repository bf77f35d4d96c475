//! «Электронный ящик» at scale (issue 17 point 9): 100,000 messages in one organisation's
//! mailbox (20,000 conversations of five; texts of 40 words, one in fifty from 24 business words in
//! several forms, the rest from some 4,000 rarer ones), on SQLite and on
//! PostgreSQL. Prints the import rate (each message stored with its files' rows, its search
//! terms and both mailboxes' entries, one transaction), search latency through the page
//! (`/mail?box=org:…&q=…`, p50 and p95 of 200 queries) and the inbox page under 16 clients in
//! process beside the bare stack (`/healthz`) of the same run.
//!
//! `cargo run --release -p sep-testkit --example mail_bench`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, reason = "a benchmark that prints")]

use sep_core::clock::Clock as _;
use sep_core::mail::{Letter, MailFile, Party};
use sep_core::store::Effects;
use sep_testkit::{Backend, TestApp};
use std::sync::Arc;
use std::time::{Duration, Instant};

const MESSAGES: usize = 100_000;
const PER_CONVERSATION: usize = 5;
const CLIENTS: usize = 16;
const WINDOW: Duration = Duration::from_secs(5);
const ORG: &str = "7701000019";

/// Words in several forms, so that search has stems to meet.
const WORDS: [&str; 24] = [
    "декларация",
    "декларацию",
    "декларации",
    "акт",
    "акта",
    "сверки",
    "счёт",
    "счета",
    "договор",
    "договору",
    "оплата",
    "оплаты",
    "налог",
    "налога",
    "отчёт",
    "отчёта",
    "заявление",
    "заявления",
    "подпись",
    "подписи",
    "квартал",
    "квартала",
    "поставка",
    "поставки",
];

/// A small deterministic generator (no dependency for a benchmark's texts).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }

    /// `n` words: mostly from a vocabulary of some 4,000 made-up words (as a real mailbox's
    /// words are mostly rare), one in fifty from the business words above.
    fn words(&mut self, n: usize) -> String {
        const SYLLABLES: [&str; 16] =
            ["ка", "ро", "ми", "ту", "ле", "на", "по", "сви", "дра", "ко", "ве", "лу", "жа", "бо", "ти", "нер"];
        (0..n)
            .map(|_| {
                if self.next().is_multiple_of(50) {
                    WORDS[self.next() % WORDS.len()].to_owned()
                } else {
                    (0..3).map(|_| SYLLABLES[self.next() % SYLLABLES.len()]).collect::<String>()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn percentile(times: &mut [Duration], q: f64) -> f64 {
    times.sort();
    let i = ((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1));
    times.get(i).copied().unwrap_or_default().as_secs_f64() * 1e3
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        run(backend).await;
    }
}

async fn run(backend: Backend) {
    let Some(app) = TestApp::on(backend).await else {
        println!("{backend:?}: not configured (SEP_TEST_DATABASE_URL), skipped");
        return;
    };
    let app = Arc::new(app);
    let head = app.sign_in_as("+79345678901").await;
    let membership = sep_testkit::stories::users::membership(true);
    app.db.store().replace_user_orgs(head.user.id, &[membership], app.clock.now()).await.unwrap();
    let writer = app.citizen().await.user.id;
    let now = app.clock.now();

    // Import: 8 writers, each a share of the conversations.
    let started = Instant::now();
    let writers = 8;
    let tasks: Vec<_> = (0..writers)
        .map(|k| {
            let store = app.db.store();
            tokio::spawn(async move {
                let mut rng = Lcg(k as u64 + 1);
                let conversations = MESSAGES / PER_CONVERSATION;
                for c in (k..conversations).step_by(writers) {
                    let first = uuid::Uuid::now_v7();
                    for m in 0..PER_CONVERSATION {
                        let id = if m == 0 { first } else { uuid::Uuid::now_v7() };
                        let incoming = m % 2 == 0;
                        let (from, to) = if incoming {
                            (Party::Person(writer), Party::Org(ORG.into()))
                        } else {
                            (Party::Org(ORG.into()), Party::Person(writer))
                        };
                        let letter = Letter {
                            id,
                            conversation: first,
                            from,
                            from_name: "Иванов Иван Иванович".into(),
                            to,
                            to_name: "ООО «Ромашка»".into(),
                            author: writer,
                            subject: format!("{} № {c}", rng.words(3)),
                            text: rng.words(40),
                            files: vec![MailFile {
                                name: format!("{}.pdf", rng.words(1)),
                                content_type: "application/pdf".into(),
                                size: 1000,
                                sha256: "cd".repeat(32),
                            }],
                            sent_at: now + time::Duration::seconds((c * PER_CONVERSATION + m) as i64),
                            read_at: None,
                            signatures: vec![],
                            application: None,
                        };
                        store.insert_letter(&letter, &[], None, &Effects::none()).await.unwrap();
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let import = started.elapsed();
    // PostgreSQL's autovacuum would have gathered statistics after such an import; SQLite
    // runs as the portal runs it (no ANALYZE).
    if backend == Backend::Postgres {
        app.db.raw_execute("ANALYZE mail_letters, mail_files, mail_boxes, mail_threads, mail_search").await.unwrap();
    }
    println!(
        "\n{backend:?}: {MESSAGES} messages imported in {:.1} s — {:.0} messages/s (each with its search terms)",
        import.as_secs_f64(),
        MESSAGES as f64 / import.as_secs_f64()
    );

    // Search through the page: 200 queries, one after another.
    let queries = ["декларацию", "\"акт сверки\"", "счёт -договор", "подпис*", "отчёта квартала", "поставки"];
    let mut times = Vec::new();
    for i in 0..200 {
        let q: String = queries[i % queries.len()].bytes().map(|b| format!("%{b:02X}")).collect();
        let path = format!("/mail?box=org:{ORG}&q={q}");
        let t = Instant::now();
        let r = head.get(&path).await;
        times.push(t.elapsed());
        assert_eq!(r.status, axum::http::StatusCode::OK, "{path}");
    }
    println!(
        "search through /mail?q= (200 queries, up to 200 hits shown): p50 {:.1} ms, p95 {:.1} ms (goal < 50 ms)",
        percentile(&mut times, 0.5),
        percentile(&mut times, 0.95)
    );

    // The inbox under load beside the bare stack.
    let head = Arc::new(head);
    println!("{CLIENTS} clients in process, {} s each", WINDOW.as_secs());
    println!("{:<36} {:>10} {:>10} {:>10}", "", "req/s", "p50", "p99");
    for path in ["/healthz", "/mail?box=org:7701000019"] {
        let (rate, p50, p99) = sep_testkit::bench::measure(head.clone(), path, CLIENTS, WINDOW).await;
        println!("{path:<36} {rate:>10.0} {:>8.1}ms {:>8.1}ms", p50.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3);
    }
}
