//! «Начисления и платежи», first part (SPEC P1, P2): the person's charges from the ГИС ГМП
//! emulator with filters and the total unpaid, each with its requisites and the ГОСТ Р
//! 56042-2014 payment QR (read back by `zbarimg`), «Оплата по УИН» without login with the УИН's
//! check digit, and another payer's charge not found.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use axum::http::StatusCode;
use sep_testkit::TestApp;
use std::process::Command;

fn links(page: &str) -> Vec<String> {
    page.split("href=\"/payments/charges/").skip(1).map(|p| p.split('"').next().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_citizen_sees_their_charges_filtered_with_the_total_and_a_payment_qr() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    assert!(w.page("/cabinet").await.contains("href=\"/payments\""), "linked from the cabinet");
    let page = w.page("/payments").await;
    let all = links(&page);
    assert_eq!(all.len(), 4, "{page}");
    // 12 500 ₽ tax + 250 ₽ (the 500 ₽ fine, halved within 20 days) + 7 345,12 ₽ utilities; the
    // property tax is paid.
    assert!(page.contains("20\u{a0}095,12\u{a0}₽"), "the total unpaid: {page}");
    assert!(page.contains("Скидка 50 % до"), "the fine's discount: {page}");
    assert!(page.contains("data-status=\"paid\"") && page.contains("data-status=\"unpaid\""));
    let paid = w.page("/payments?status=paid").await;
    assert_eq!(links(&paid).len(), 1, "{paid}");
    assert!(paid.contains("Налог на имущество"));
    let fines = w.page("/payments?kind=fine").await;
    assert_eq!(links(&fines).len(), 1);
    let today = sep_core::clock::moscow_day(sep_core::clock::Clock::now(t.clock.as_ref()));
    let week = today - time::Duration::days(7);
    let recent = w.page(&format!("/payments?from={week}")).await;
    assert_eq!(links(&recent).len(), 2, "the fine (5 days) and the utilities (6 days): {recent}");

    // One charge: requisites, the amount due now and the QR that says so.
    let fine = links(&fines).remove(0);
    let card = w.page(&format!("/payments/charges/{fine}")).await;
    for want in ["КБК", "18811601123010001140", "ОКТМО", "004525988", "40102810545370000003", "<svg"] {
        assert!(card.contains(want), "{want}: {card}");
    }
    assert!(card.contains("ST00012|Name=") && card.contains("|Sum=25000|") && card.contains(&format!("|UIN={fine}|")));
    let png = w.get(&format!("/payments/charges/{fine}/qr.png")).await;
    assert_eq!(png.status, StatusCode::OK);
    assert!(png.bytes.starts_with(b"\x89PNG"));
    let zbar = Command::new("zbarimg").arg("--version").output().is_ok();
    assert!(zbar || std::env::var("SEP_TEST_ALL").as_deref() != Ok("1"), "SEP_TEST_ALL=1 but zbarimg is missing");
    if zbar {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("qr.png"), &png.bytes).unwrap();
        let out = Command::new("zbarimg").args(["-q", "--raw", "qr.png"]).current_dir(dir.path()).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let text = text.trim();
        assert!(text.starts_with("ST00012|Name=УФК по г. Москве"), "{text}");
        assert!(text.contains("|Sum=25000|") && text.contains(&format!("|UIN={fine}|")), "{text}");
    }
    let paid_uin = links(&paid).remove(0);
    assert!(!w.page(&format!("/payments/charges/{paid_uin}")).await.contains("<svg"), "nothing to pay, no QR");
    assert_eq!(w.get(&format!("/payments/charges/{paid_uin}/qr.png")).await.status, StatusCode::NOT_FOUND);

    // Another payer's charge is not found, like a made-up one.
    let sidorov = t.sign_in_as("+79345678901").await;
    let theirs = links(&sidorov.page("/payments").await);
    assert_eq!(theirs.len(), 2);
    assert_eq!(w.get(&format!("/payments/charges/{}", theirs[0])).await.status, StatusCode::NOT_FOUND);
    assert_eq!(sidorov.get(&format!("/payments/charges/{fine}")).await.status, StatusCode::NOT_FOUND);
    assert!(sidorov.page("/payments?status=overdue").await.contains("Земельный налог"), "overdue");
}

#[tokio::test]
async fn a_charge_is_found_by_its_uin_without_login_and_a_bad_uin_is_refused() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let fine = links(&w.page("/payments?kind=fine").await).remove(0);
    let b = t.browser();
    let form = b.get("/payments/uin").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains("name=\"uin\""));
    let spaced: String = fine
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("%20");
    let r = b.get(&format!("/payments/uin?uin={spaced}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.text.contains("Найдено начисление") && r.text.contains("|Sum=25000|") && r.text.contains("<svg"),
        "{}",
        r.text
    );
    assert!(!r.text.contains("770123456703") && !r.text.contains("Иванов"), "nothing about the payer");
    let mut wrong = fine.clone().into_bytes();
    wrong[19] = b'0' + (wrong[19] - b'0' + 1) % 10;
    let r = b.get(&format!("/payments/uin?uin={}", String::from_utf8(wrong).unwrap())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("uin_invalid") && r.text.contains("Контрольная цифра"), "{}", r.text);
    let r = b.get("/payments/uin?uin=12345").await;
    assert!(r.text.contains("uin_invalid_format"), "{}", r.text);
    let r = b.get("/payments/uin?uin=18810177230000123450").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a valid УИН nobody was charged under");
    assert!(r.text.contains("charge_not_found"));
}

#[tokio::test]
async fn an_unavailable_registry_is_said_so_with_its_code() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    t.registries.set_available("ГИС ГМП", false);
    let r = w.get("/payments").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text.contains("charges_unavailable") && r.text.contains("ГИС ГМП не отвечает"), "{}", r.text);
    let r = t.browser().get("/payments/uin?uin=18810177230000123450").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text.contains("charges_unavailable"));
}

/// SPEC P1: an organisation's charges are shown to its head (as Госуслуги said at login),
/// named as the organisation's, and open to pay; its accountant sees none of them.
#[tokio::test]
async fn the_head_sees_and_opens_the_organisations_charges_and_an_employee_does_not() {
    let t = TestApp::new().await;
    let store = t.db.store();
    let now = sep_core::clock::Clock::now(t.clock.as_ref());
    let head = t.sign_in_as("+79345678901").await;
    let own = links(&head.page("/payments").await);
    store.replace_user_orgs(head.user.id, &[sep_testkit::stories::users::membership(true)], now).await.unwrap();
    let page = head.page("/payments").await;
    let all = links(&page);
    assert_eq!(all.len(), own.len() + 1, "his two and Ромашка's tax: {page}");
    assert!(page.contains("плательщик ООО «Ромашка»"), "{page}");
    let theirs: Vec<_> = all.iter().filter(|u| !own.contains(u)).cloned().collect();
    let card = head.page(&format!("/payments/charges/{}", theirs[0])).await;
    assert!(card.contains("Начисление организации ООО «Ромашка»") && card.contains("Оплатить"), "{card}");
    let png = head.get(&format!("/payments/charges/{}/qr.png", theirs[0])).await;
    assert_eq!(png.status, StatusCode::OK, "its payment QR");

    let staff = t.citizen().await;
    store.replace_user_orgs(staff.user.id, &[sep_testkit::stories::users::membership(false)], now).await.unwrap();
    let page = staff.page("/payments").await;
    assert!(!page.contains("Ромашка") && !links(&page).contains(&theirs[0]), "not the accountant's: {page}");
    assert_eq!(staff.get(&format!("/payments/charges/{}", theirs[0])).await.status, StatusCode::NOT_FOUND);
    // No longer its head at the next login: no longer its charges.
    store.replace_user_orgs(head.user.id, &[], now).await.unwrap();
    assert_eq!(links(&head.page("/payments").await), own);
}
