//! «Лицевой счёт» (SPEC P3): the balance from ГИС ГМП's overpayment, a refund to a bank
//! account checked by its control key, carried out (or refused) by the treasury through the
//! worker, two tabs unable to return the same money twice, balance alerts by e-mail and SMS,
//! and the report read back as a reader would: `pdftotext` for the PDF, Python's zipfile and
//! XML parser for the XLSX.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use axum::http::StatusCode;
use sep_testkit::TestApp;
use std::process::Command;

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    text.split(start).nth(1).and_then(|t| t.split(end).next()).unwrap_or_default()
}

fn hidden<'a>(page: &'a str, name: &str) -> &'a str {
    between(page, &format!("name=\"{name}\" value=\""), "\"")
}

const BIC: &str = "044525225";
const ACCOUNT: &str = "40817810938160925982";

#[tokio::test]
async fn the_overpayment_is_refunded_once_and_a_closed_account_gives_it_back() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    assert!(w.page("/payments").await.contains("href=\"/payments/account\""), "linked from «Начисления и платежи»");
    let page = w.page("/payments/account").await;
    assert!(page.contains("data-kopecks=\"125000\""), "Иванов's overpayment: {page}");
    assert!(page.contains("Переплата по налогу на имущество") && page.contains("+1\u{a0}250,00\u{a0}₽"), "{page}");
    let key = hidden(&page, "request_key").to_owned();
    let expected = hidden(&page, "expected").to_owned();
    assert_eq!(expected, "125000");

    // Each refusal says why, with its code; nothing is stored.
    let bad = [
        ("1 250,00", BIC, "40817810238160925982", "account_key_mismatch"),
        ("1 250,00", "144525225", ACCOUNT, "bic_invalid"),
        ("1 250,00", BIC, "4081781093816092598", "account_invalid_format"),
        ("1 250,01", BIC, ACCOUNT, "refund_amount_too_large"),
        ("тысяча", BIC, ACCOUNT, "refund_amount_invalid"),
        ("-5", BIC, ACCOUNT, "refund_amount_invalid"),
    ];
    for (amount, bic, account, code) in bad {
        let form =
            [("amount", amount), ("bic", bic), ("account", account), ("expected", "125000"), ("request_key", "")];
        let r = w.post_form("/payments/account/refunds", &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}: {}", r.text);
        assert!(r.text.contains(code), "{code}: {}", r.text);
    }
    let stale = [("amount", "100"), ("bic", BIC), ("account", ACCOUNT), ("expected", "90000"), ("request_key", "")];
    let r = w.post_form("/payments/account/refunds", &stale).await;
    assert!(r.text.contains("refund_balance_changed"), "a page drawn before the balance changed: {}", r.text);
    assert!(t.db.store().list_refunds_of_user(w.user.id).await.unwrap().is_empty(), "nothing stored");

    // Alerts on both channels, then 1 000 ₽ back; the same form twice is one refund.
    let r = w.post_form("/payments/account/alerts", &[("email", "1"), ("sms", "1"), ("threshold", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let form = [
        ("amount", "1 000,00"),
        ("bic", BIC),
        ("account", ACCOUNT),
        ("expected", expected.as_str()),
        ("request_key", key.as_str()),
    ];
    let r = w.post_form("/payments/account/refunds", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = w.post_form("/payments/account/refunds", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the second press finds the first");
    assert_eq!(t.db.store().list_refunds_of_user(w.user.id).await.unwrap().len(), 1);
    let page = w.page("/payments/account").await;
    assert!(page.contains("data-kopecks=\"25000\"") && page.contains("data-status=\"accepted\""), "{page}");
    assert!(page.contains("•••• 5982") && !page.contains(ACCOUNT), "the account masked");
    // Another tab still showing 1 250 ₽ cannot send that money again.
    let r = w
        .post_form(
            "/payments/account/refunds",
            &stale.map(|(k, v)| if k == "expected" { (k, "125000") } else { (k, v) }),
        )
        .await;
    assert!(r.text.contains("refund_balance_changed"), "{}", r.text);

    assert_eq!(t.run_refunds().await, 1);
    let page = w.page("/payments/account").await;
    assert!(page.contains("data-status=\"paid\"") && page.contains("Исполнено"), "{page}");
    assert!(page.contains("data-kopecks=\"25000\""), "1 000 ₽ returned, 250 ₽ left");
    assert!(w.page("/cabinet").await.contains("Возврат исполнен"), "a notification");
    let jobs = t.db.store().list_jobs("notify", 100).await.unwrap();
    let told: Vec<_> = jobs
        .iter()
        .filter(|j| j.job.payload["text"].as_str().is_some_and(|s| s.contains("Баланс лицевого счёта изменился")))
        .collect();
    assert_eq!(told.len(), 2, "by e-mail and SMS: {jobs:?}");
    assert!(told[0].job.payload["text"].as_str().unwrap().contains("было 1\u{a0}250,00\u{a0}₽, стало 250,00\u{a0}₽"));

    // The treasury refuses a closed account: the money is back on the balance.
    let closed = sep_core::payment::bank::BankAccount::with_key(BIC, "40817810000000000000").unwrap();
    let page = w.page("/payments/account").await;
    let form = [
        ("amount", "250"),
        ("bic", BIC),
        ("account", closed.as_str()),
        ("expected", hidden(&page, "expected")),
        ("request_key", hidden(&page, "request_key")),
    ];
    assert_eq!(w.post_form("/payments/account/refunds", &form).await.status, StatusCode::SEE_OTHER);
    assert!(w.page("/payments/account").await.contains("data-kopecks=\"0\""));
    t.run_refunds().await;
    let page = w.page("/payments/account").await;
    assert!(page.contains("data-status=\"rejected\"") && page.contains("счёт получателя закрыт"), "{page}");
    assert!(page.contains("data-kopecks=\"25000\""), "refused: the 250 ₽ stay");
    let audit: Vec<_> = t.actions().await.into_iter().map(|(a, _)| a).collect();
    for a in ["refund.requested", "refund.paid", "refund.rejected", "account.alerts_changed"] {
        assert!(audit.iter().any(|x| x == a), "{a} in {audit:?}");
    }

    // Somebody else has no balance and sees none of this.
    let sidorov = t.sign_in_as("+79345678901").await;
    let theirs = sidorov.page("/payments/account").await;
    assert!(
        theirs.contains("data-kopecks=\"0\"") && theirs.contains("Возвращать нечего") && !theirs.contains("5982"),
        "{theirs}"
    );
    let r = sidorov
        .post_form(
            "/payments/account/refunds",
            &[("amount", "1"), ("bic", BIC), ("account", ACCOUNT), ("expected", "0")],
        )
        .await;
    assert!(r.text.contains("refund_amount_too_large"), "{}", r.text);
    let r = sidorov.post("/payments/account/refunds", &[("amount", "1"), ("csrf", "forged")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "CSRF");
}

#[tokio::test]
async fn the_report_reads_back_as_pdf_and_xlsx() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let r = w.get("/payments/account/report?from=2025-01-01&to=2026-12-31&format=pdf").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.bytes.starts_with(b"%PDF-"));
    assert!(r.header("content-disposition").unwrap_or_default().contains(".pdf"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.pdf"), &r.bytes).unwrap();
    if let Ok(out) = Command::new("pdftotext").args(["-layout", "r.pdf", "-"]).current_dir(dir.path()).output() {
        let text = String::from_utf8_lossy(&out.stdout);
        for want in [
            "Отчёт об операциях по лицевому счёту",
            "Иванов Иван Иванович",
            "Переплата по налогу",
            "1 250,00",
            "с 01.01.2025 по 31.12.2026",
        ] {
            assert!(text.contains(want), "{want} in the report:\n{text}");
        }
    } else {
        assert!(std::env::var("SEP_TEST_ALL").as_deref() != Ok("1"), "SEP_TEST_ALL=1 but pdftotext is missing");
    }
    let x = w.get("/payments/account/report?from=2025-01-01&to=2026-12-31&format=xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.header("content-type").unwrap_or_default().contains("spreadsheetml"));
    std::fs::write(dir.path().join("r.xlsx"), &x.bytes).unwrap();
    // Read by Python's own zip and XML modules: the strings and the amount as a number.
    let script = "import sys, zipfile, xml.etree.ElementTree as E\n\
        z = zipfile.ZipFile(sys.argv[1])\n\
        ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}\n\
        s = [''.join(t.itertext()) for t in E.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', ns)]\n\
        v = [c.text for c in E.fromstring(z.read('xl/worksheets/sheet1.xml')).iter('{%s}v' % ns['m'])]\n\
        print('\\n'.join(s)); print('NUMBERS', ' '.join(x for x in v if x and '.' in x or (x or '').isdigit()))";
    let out =
        Command::new("python3").args(["-c", script, dir.path().join("r.xlsx").to_str().unwrap()]).output().unwrap();
    let read = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(read.contains("Зачисление переплаты: Переплата по налогу на имущество"), "{read}");
    assert!(read.contains("Баланс на дату отчёта"), "{read}");
    assert!(read.lines().any(|l| l.starts_with("NUMBERS") && l.contains("1250")), "1 250 ₽ as a number: {read}");
    // A period outside the overpayment's day has no lines; a reversed or missing one is refused.
    let empty = w.get("/payments/account/report?from=2026-01-01&to=2026-01-31&format=pdf").await;
    assert_eq!(empty.status, StatusCode::OK);
    std::fs::write(dir.path().join("e.pdf"), &empty.bytes).unwrap();
    if let Ok(out) = Command::new("pdftotext").args(["-layout", "e.pdf", "-"]).current_dir(dir.path()).output() {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Операций за период нет") && !text.contains("Переплата"), "{text}");
    }
    let r = w.get("/payments/account/report?from=2026-02-01&to=2026-01-01&format=pdf").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("period_reversed"));
    let r = w.get("/payments/account/report?format=xlsx").await;
    assert!(r.text.contains("report_period_invalid"), "{}", r.text);
    // The history filters by kind and day.
    let credits = w.page("/payments/account?kind=credit&from=2025-12-01&to=2025-12-01").await;
    assert!(credits.contains("data-kind=\"credit\""), "{credits}");
    assert!(w.page("/payments/account?kind=refund").await.contains("Операций, подходящих под отбор, нет"));
    assert!(!w.page("/payments/account?from=2026-01-01").await.contains("data-kind=\"credit\""), "from a later day");
}

/// Sixteen tabs showing the same balance send it back at once: one refund, the others told
/// the balance changed — on both databases.
async fn sixteen_tabs_return_the_money_once(backend: sep_testkit::Backend) {
    let Some(t) = TestApp::on(backend).await else { return };
    let w = std::sync::Arc::new(t.citizen().await);
    let tabs: Vec<_> = (0..16)
        .map(|i| {
            let w = w.clone();
            tokio::spawn(async move {
                let key = format!("tab{i}");
                let form = [
                    ("amount", "1 250,00"),
                    ("bic", BIC),
                    ("account", ACCOUNT),
                    ("expected", "125000"),
                    ("request_key", key.as_str()),
                ];
                let r = w.post_form("/payments/account/refunds", &form).await;
                (r.status, r.text)
            })
        })
        .collect();
    let mut accepted = 0;
    for tab in tabs {
        let (status, text) = tab.await.unwrap();
        match status {
            StatusCode::SEE_OTHER => accepted += 1,
            StatusCode::UNPROCESSABLE_ENTITY => assert!(text.contains("refund_balance_changed"), "{text}"),
            other => panic!("{other}: {text}"),
        }
    }
    assert_eq!(accepted, 1, "one refund");
    let refunds = t.db.store().list_refunds_of_user(w.user.id).await.unwrap();
    assert_eq!(refunds.iter().map(|r| r.amount.0).sum::<i64>(), 125_000, "the money is returned once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_sixteen_tabs_return_the_money_once() {
    sixteen_tabs_return_the_money_once(sep_testkit::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_sixteen_tabs_return_the_money_once() {
    // Skipped inside when SEP_TEST_DATABASE_URL is not set (required under SEP_TEST_ALL=1).
    sixteen_tabs_return_the_money_once(sep_testkit::Backend::Postgres).await;
}

/// A payment closed as a second payment of one charge (`P0060`) is the payer's money: the
/// person's own charge's goes on their balance; an organisation's, paid by its head, does not.
#[tokio::test]
async fn duplicates_of_own_charges_are_credited_and_an_organisations_are_not() {
    use sep_core::payment::pay::{DUPLICATE, Payment, PaymentStatus};
    let t = TestApp::new().await;
    let store = t.db.store();
    let now = sep_core::clock::Clock::now(t.clock.as_ref());
    let head = t.sign_in_as("+79345678901").await;
    store.replace_user_orgs(head.user.id, &[sep_testkit::stories::users::membership(true)], now).await.unwrap();
    let list = head.page("/payments").await;
    let uin_of = |marker: &str| {
        let row = list.split("<tr>").find(|r| r.contains(marker)).unwrap_or_else(|| panic!("{marker}: {list}"));
        between(row, "href=\"/payments/charges/", "\"").to_owned()
    };
    let (own, org) = (uin_of("Земельный налог"), uin_of("плательщик ООО «Ромашка»"));
    for (uin, amount) in [(own.as_str(), 70_000), (org.as_str(), 90_000)] {
        let p = Payment {
            id: uuid::Uuid::now_v7(),
            user_id: head.user.id,
            uin: uin.into(),
            amount: sep_core::money::Kopecks(amount),
            title: "Налог".into(),
            status: PaymentStatus::Created,
            request_key: format!("dup{amount}"),
            provider_id: None,
            confirmation_url: None,
            failure: None,
            rrn: None,
            auth_code: None,
            card: None,
            receipt_id: None,
            created_at: now,
            updated_at: now,
        };
        store.insert_payment(&p, &sep_core::store::Effects::none()).await.unwrap();
        let failure = Some((DUPLICATE, "Начисление уже было оплачено"));
        let fx = sep_core::store::Effects::none();
        store.update_payment_result(p.id, PaymentStatus::Failed, failure, None, now, &fx).await.unwrap();
    }
    let page = head.page("/payments/account").await;
    assert!(page.contains("data-kopecks=\"70000\""), "his own duplicate only: {page}");
    assert!(
        page.contains(&format!("Повторный платёж по УИН {own}")) && !page.contains(&format!("УИН {org}")),
        "{page}"
    );
}
