//! Payments under load (issue 16, item 10), measured in one run: 1,000 charges paid from
//! «Оплатить» to the signed receipt — the attempt stored, the provider emulator asked over HTTP
//! (a real socket), the card submitted to its page, the outcome asked back and settled, the
//! receipts drawn and signed by the worker's job runner with two claimers, as `sep serve` runs that
//! queue — payments one after another, then eight payers at once, on SQLite and (with
//! `SEP_TEST_DATABASE_URL`) on PostgreSQL (goal ≤ 30 s). A made-up ГИС ГМП holds the 1,000
//! charges.
//!
//! `cargo run --release -p sep-testkit --example payments_bench`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, reason = "a benchmark that prints")]

use sep_core::clock::Clock as _;
use sep_core::money::Kopecks;
use sep_core::payment::pay::{self, PaymentStatus};
use sep_core::payment::{Charge, ChargeKind, ChargeRegistry, Payee, Uin};
use sep_core::registry::Unavailable;
use sep_testkit::{Backend, TestApp};
use std::sync::Arc;
use std::time::Instant;
use time::Date;

const N: u64 = 1_000;

/// ГИС ГМП with `count` unpaid utility bills for one payer.
struct ManyCharges {
    inn: String,
    count: u64,
}

impl ManyCharges {
    fn nth(&self, i: u64, today: Date) -> Charge {
        Charge {
            uin: Uin::complete(&format!("3000{:015}", i)).unwrap(),
            kind: ChargeKind::Utility,
            title: format!("Коммунальные услуги, счёт {i}"),
            kbk: "00000000000000000130".into(),
            oktmo: "45380000".into(),
            payee: Payee {
                name: "ГБУ «Жилищник»".into(),
                inn: "7710152113".into(),
                kpp: "771001001".into(),
                account: "40603810038000000009".into(),
                bank: "ПАО Сбербанк".into(),
                bic: "044525225".into(),
                corr_account: "30101810400000000225".into(),
            },
            purpose: format!("Оплата счёта {i}"),
            amount: Kopecks(100_000 + i64::try_from(i).unwrap()),
            paid: Kopecks(0),
            date: today,
            due: today + time::Duration::days(30),
            discount: None,
            payer_inn: self.inn.clone(),
        }
    }
}

#[async_trait::async_trait]
impl ChargeRegistry for ManyCharges {
    async fn charges_of(&self, inn: &str, today: Date) -> Result<Vec<Charge>, Unavailable> {
        Ok(if inn == self.inn { (0..self.count).map(|i| self.nth(i, today)).collect() } else { vec![] })
    }

    async fn charge(&self, uin: &Uin, today: Date) -> Result<Option<Charge>, Unavailable> {
        Ok((0..self.count).map(|i| self.nth(i, today)).find(|c| &c.uin == uin))
    }

    async fn overpayments_of(&self, _: &str) -> Result<Vec<sep_core::payment::account::Overpayment>, Unavailable> {
        Ok(vec![])
    }

    async fn import(&self, _: &Charge) -> Result<(), Unavailable> {
        Err(Unavailable { registry: "ГИС ГМП", detail: "the bench places no charges".into() })
    }

    async fn annul(&self, _: &Uin) -> Result<(), Unavailable> {
        Ok(())
    }
}

/// One charge paid by card from «Оплатить» to captured: the attempt, the provider's card page,
/// the hold, the portal's SMS code (read from the queued SMS naming this УИН) and the capture.
#[allow(clippy::too_many_arguments, reason = "each port of the path")]
async fn pay_one(
    store: &dyn sep_core::store::Store,
    registry: &dyn ChargeRegistry,
    provider: &dyn pay::PaymentProvider,
    http: &reqwest::Client,
    user: &sep_core::user::User,
    c: &Charge,
    i: usize,
    now: time::OffsetDateTime,
) {
    let origin = sep_core::audit::Origin::default();
    let key = format!("bench{i}");
    let p = pay::start(
        store,
        registry,
        provider,
        user,
        &c.uin,
        pay::Method::Card,
        &key,
        "http://127.0.0.1:8080",
        &origin,
        now,
    )
    .await
    .unwrap();
    let form = [("number", "2200000000000004"), ("expiry", "12/30"), ("cvc", "123"), ("holder", "BENCH")];
    let r = http.post(p.confirmation_url.clone().unwrap()).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 303);
    // No 3-D Secure: the money is held until the person's SMS code (seed 003).
    let (p, waiting) = pay::look(store, provider, &p, now).await.unwrap();
    assert!(waiting);
    sep_core::payment::confirm::send_code(store, provider, user, &p, &origin, now).await.unwrap();
    let uin = c.uin.to_string();
    let sms = store.list_jobs("notify", 64).await.unwrap();
    let text = sms
        .iter()
        .filter_map(|j| j.job.payload["text"].as_str())
        .find(|t| t.contains(&uin))
        .expect("the SMS for this УИН is queued");
    let code = text.trim_start_matches("Код ").split(' ').next().unwrap().to_owned();
    let p = sep_core::payment::confirm::confirm(store, provider, user, &p, &code, &origin, now).await.unwrap();
    assert_eq!(p.status, PaymentStatus::Succeeded);
}

async fn thousand(backend: Backend, payers: usize) {
    let Some(app) = TestApp::paying(backend).await else {
        println!("{backend:?}: not configured (SEP_TEST_DATABASE_URL), skipped");
        return;
    };
    let w = app.citizen().await;
    let registry = Arc::new(ManyCharges { inn: w.user.profile.inn.clone().unwrap().as_str().to_owned(), count: N });
    let provider = app.pay_provider.clone().unwrap();
    let store = app.db.store();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let receipts = sep_core::payment::receipt::ReceiptMaker {
        store: store.clone(),
        registry: registry.clone(),
        authority: app.cloud.clone(),
        render: Arc::new(sep_pdf::PdfRenderer::new().unwrap()),
        files: app.files.clone(),
        public_url: "http://127.0.0.1:8080".into(),
    };
    let today = sep_core::clock::moscow_day(app.clock.now());
    let charges = registry.charges_of(&registry.inn, today).await.unwrap();
    let t = Instant::now();
    // `payers` people at the provider at once (real payers do not queue behind each other);
    // one: one after another.
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let charges = Arc::new(charges);
    let tasks: Vec<_> = (0..payers)
        .map(|_| {
            let (next, charges) = (next.clone(), charges.clone());
            let (store, registry, provider, http) = (store.clone(), registry.clone(), provider.clone(), http.clone());
            let (user, clock) = (w.user.clone(), app.clock.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(c) = charges.get(i) else { break };
                    pay_one(store.as_ref(), registry.as_ref(), provider.as_ref(), &http, &user, c, i, clock.now())
                        .await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let paid = t.elapsed();
    // Two claimers, as the worker runs this queue (one per core).
    let t = Instant::now();
    let receipts = Arc::new(receipts);
    let claimers: Vec<_> = (0..2)
        .map(|k| {
            let (store, receipts, now) = (store.clone(), receipts.clone(), app.clock.now());
            tokio::spawn(async move {
                loop {
                    let queue = sep_core::payment::receipt::QUEUE;
                    let n =
                        sep_core::job::run_due(store.as_ref(), queue, &format!("bench-{k}"), receipts.as_ref(), now)
                            .await
                            .unwrap();
                    if n == 0 {
                        break;
                    }
                }
            })
        })
        .collect();
    for c in claimers {
        c.await.unwrap();
    }
    let receipted = t.elapsed();
    let all = store.list_payments_of_user(w.user.id).await.unwrap();
    let with_receipt = all.iter().filter(|p| p.receipt_id.is_some()).count();
    let total = paid + receipted;
    let how = if payers == 1 { "one at a time".to_owned() } else { format!("{payers} payers at once") };
    println!("{backend:?}: {N} charges paid by card through the provider emulator (HTTP on loopback), {how}");
    println!("  {:<52} {:>8.2} s", "«Оплатить» → provider → card → SMS code → captured", paid.as_secs_f64());
    println!("  {:<52} {:>8.2} s", "receipts drawn, signed and filed (worker)", receipted.as_secs_f64());
    println!(
        "  {:<52} {:>8.2} s   goal ≤ 30 s ({:.0}/s)",
        "in all",
        total.as_secs_f64(),
        N as f64 / total.as_secs_f64()
    );
    println!("  {:<52} {:>8}", "payments with a receipt", with_receipt);
}

const CLIENTS: usize = 16;
const WINDOW: std::time::Duration = std::time::Duration::from_secs(5);

async fn measure(w: Arc<sep_testkit::Signed>, path: &'static str) -> (f64, std::time::Duration, std::time::Duration) {
    sep_testkit::bench::measure(w, path, CLIENTS, WINDOW).await
}

/// `/payments` with 500 charges (the list, the filter, the total), 16 clients in process.
async fn charges_page() {
    let app = TestApp::new().await;
    let w = app.citizen().await;
    let registry = Arc::new(ManyCharges { inn: w.user.profile.inn.clone().unwrap().as_str().to_owned(), count: 500 });
    let app = app.charging(registry);
    let w = Arc::new(app.citizen().await);
    assert!(w.page("/payments").await.contains("Всего начислений: 500"));
    println!("/payments with 500 charges, {CLIENTS} clients in process, {} s each, SQLite", WINDOW.as_secs());
    println!("  {:<28} {:>10} {:>10} {:>10}", "", "req/s", "p50", "p99");
    for path in ["/healthz", "/payments"] {
        let (rate, p50, p99) = measure(w.clone(), path).await;
        println!("  {path:<28} {rate:>10.0} {:>8.1}ms {:>8.1}ms", p50.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3);
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    for payers in [1, 8] {
        thousand(Backend::Sqlite, payers).await;
        thousand(Backend::Postgres, payers).await;
    }
    charges_page().await;
}
