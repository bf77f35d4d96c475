//! Справки under load (issue 15, item 9), measured in one run:
//! 1. one справка's PDF drawn by krilla alone, and drawn + hashed (Стрибог) + signed as the
//!    agency (detached CMS, ГОСТ Р 34.10-2012), per document (goal ≤ 10 ms);
//! 2. 1,000 orders placed, then taken from «Принят» to «Готово» by the worker's own job
//!    runner (`run_due` with the maker), on SQLite and — with `SEP_TEST_DATABASE_URL` — on
//!    PostgreSQL (goal ≤ 60 s), with the process's peak resident memory growth during it.
//!
//! `cargo run --release -p sep-testkit --example spravki_bench`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, reason = "a benchmark that prints")]

use sep_core::clock::Clock as _;
use sep_core::spravka::sheet::Render as _;
use sep_core::spravka::{self, OrderForm, OrderStatus};
use sep_testkit::bench::status_kb;
use sep_testkit::{Backend, TestApp};
use std::time::Instant;

const ORDERS: usize = 1_000;

fn per_document(app: &TestApp) {
    let render = sep_pdf::PdfRenderer::new().unwrap();
    let s = sep_pdf::example_sheet(11);
    let n = 300;
    let pdf = render.render(&s).unwrap();
    // Warm both paths (the agency key is made and certified on first use).
    app.cloud.sign_as_agency("ФНС России", &app.cloud.hash(&pdf), app.clock.now()).unwrap();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(render.render(&s).unwrap());
    }
    let krilla = t.elapsed().as_secs_f64() * 1e3 / f64::from(n);
    let t = Instant::now();
    for _ in 0..n {
        let pdf = render.render(&s).unwrap();
        let hash = app.cloud.hash(&pdf);
        std::hint::black_box(app.cloud.sign_as_agency("ФНС России", &hash, app.clock.now()).unwrap());
    }
    let whole = t.elapsed().as_secs_f64() * 1e3 / f64::from(n);
    println!("one справка (A4, 11 table rows, {} KB), one core, {n} times:", pdf.len() / 1024);
    println!("  {:<44} {:>8.2} ms", "krilla alone (layout + PDF/A-2b + fonts)", krilla);
    println!("  {:<44} {:>8.2} ms   goal ≤ 10 ms", "drawn + Стрибог hash + ГОСТ CMS signature", whole);
}

async fn thousand(backend: Backend) {
    let Some(app) = TestApp::on(backend).await else {
        println!("{backend:?}: not configured (SEP_TEST_DATABASE_URL), skipped");
        return;
    };
    let w = app.citizen().await;
    let store = app.db.store();
    let kinds = ["income", "pension", "registration", "tax_status", "social_support", "oms", "debts", "powers"];
    let origin = sep_core::audit::Origin::default();
    let t = Instant::now();
    let mut ids = Vec::with_capacity(ORDERS);
    for i in 0..ORDERS {
        let form = OrderForm {
            kind: kinds[i % kinds.len()].into(),
            from: "01.01.2025".into(),
            to: "30.06.2025".into(),
            request_key: format!("bench{i}"),
            ..OrderForm::default()
        };
        let o = spravka::place(store.as_ref(), &app.kinds, &w.user, &form, &origin, app.clock.now()).await.unwrap();
        ids.push(o.id);
    }
    let placed = t.elapsed();
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_kb("VmHWM:");
    let maker = app.maker();
    let t = Instant::now();
    loop {
        let n = sep_core::job::run_due(store.as_ref(), spravka::make::QUEUE, "bench", &maker, app.clock.now())
            .await
            .unwrap();
        if n == 0 {
            break;
        }
    }
    let made = t.elapsed();
    let growth = status_kb("VmHWM:").saturating_sub(before);
    let mut ready = 0;
    for id in &ids {
        if store.find_spravka_order(*id).await.unwrap().unwrap().status == OrderStatus::Ready {
            ready += 1;
        }
    }
    println!("{backend:?}: {ORDERS} orders of the eight kinds, one worker (2 cores)");
    println!("  {:<44} {:>8.2} s", "placed (checked, numbered, job enqueued)", placed.as_secs_f64());
    println!(
        "  {:<44} {:>8.2} s   goal ≤ 60 s ({:.0}/s)",
        "«Принят» → «Готово» through the worker",
        made.as_secs_f64(),
        ORDERS as f64 / made.as_secs_f64()
    );
    println!("  {:<44} {:>8}", "ready", ready);
    if reset {
        println!("  {:<44} {:>8.1} MB", "peak resident memory growth while making", growth as f64 / 1024.0);
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let app = TestApp::new().await;
    per_document(&app);
    thousand(Backend::Sqlite).await;
    thousand(Backend::Postgres).await;
}
