//! State fees of services (SPEC P1, issue 16 point 7), in process with the provider emulator on
//! a real socket: «Выписка из реестра участников СЭП» is sent only once its fee is paid; the
//! charge is issued once (pressed twice, the same УИН) for the applicant type's amount, is listed
//! among the person's charges and paid like any other; nobody else issues or sees it; an
//! officer's rejection returns the fee to the card through the provider, once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::paying::{between, card, no_redirects, path_of, start};
use axum::http::StatusCode;
use sep_core::clock::Clock;
use sep_core::demo::OFFICER_AGENCY;
use sep_core::payment::fee::FeeRefund;
use sep_testkit::{Backend, TestApp};

#[tokio::test]
async fn sqlite_a_fee_is_paid_before_sending_and_returned_on_rejection() {
    a_fee_is_paid_before_sending_and_returned_on_rejection(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_fee_is_paid_before_sending_and_returned_on_rejection() {
    a_fee_is_paid_before_sending_and_returned_on_rejection(Backend::Postgres).await;
}

async fn a_fee_is_paid_before_sending_and_returned_on_rejection(backend: Backend) {
    let Some(t) = TestApp::paying(backend).await else { return };
    let pay = t.pay_url.clone().unwrap();
    let w = t.citizen().await;
    let start_form = [("service", "participant_extract"), ("applicant", "org")];
    let app = w.post_form("/applications", &start_form).await.location().to_owned();
    assert!(app.starts_with("/applications/"), "{app}");
    let id = app.trim_start_matches("/applications/").to_owned();
    let fields = [
        ("extract_purpose", "Для представления в банк"),
        ("address", "125009, г. Москва, ул. Тверская, д. 1"),
        ("org_full_name", "Общество с ограниченной ответственностью «Ромашка»"),
        ("org_inn", "7701000019"),
    ];
    w.post_form(&app, &fields).await;

    // In order but for the fee: the check page asks for it, sending is refused with its code.
    let check = w.page(&format!("{app}/check")).await;
    assert!(check.contains("fee_unpaid") && check.contains("Оплатить госпошлину"), "{check}");
    assert!(check.contains("400,00"), "an organisation's amount: {check}");
    let r = w.post_form(&format!("{app}/submit"), &[("consent", "yes")]).await;
    assert!(r.text.contains("fee_unpaid") && !r.text.contains("Заявление успешно отправлено"), "{}", r.text);

    // Issued once for the organisation's amount; pressed again, the same charge.
    let r = w.post_form(&format!("{app}/fee"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let charge = r.location().to_owned();
    let uin = charge.trim_start_matches("/payments/charges/").to_owned();
    assert!(uin.starts_with("0710") && uin.len() == 20, "the administrator's УИН: {uin}");
    let again = w.post_form(&format!("{app}/fee"), &[]).await;
    assert_eq!(again.location(), charge, "pressed again: the same charge");
    let list = w.page("/payments").await;
    assert!(list.contains(&uin) && list.contains("Госпошлина"), "{list}");
    assert!(w.page(&charge).await.contains("400,00"), "the charge is the organisation's amount");

    // Nobody else issues it or sees it.
    let other = t.sign_in_as("+79345678901").await;
    assert_eq!(other.post_form(&format!("{app}/fee"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&charge).await.status, StatusCode::NOT_FOUND);

    // Paid by the 3-D Secure card; the result page leads back to the application.
    let to = start(&w, &uin).await;
    assert!(to.starts_with(&format!("{pay}/pay/")), "{to}");
    let r = card(&to, "2200 0000 0000 0020", "12/30").await;
    let threeds = format!("{pay}{}", r.headers()["location"].to_str().unwrap());
    let outbox = reqwest::get(format!("{pay}/outbox")).await.unwrap().text().await.unwrap();
    let code = between(&outbox, "Код ", " ").to_owned();
    let r = no_redirects().post(&threeds).form(&[("code", code.as_str())]).send().await.unwrap();
    let back = path_of(r.headers()["location"].to_str().unwrap());
    let result = w.page(&back).await;
    assert!(result.contains("Оплата прошла") && result.contains(&format!("/applications/{id}/check")), "{result}");
    let check = w.page(&format!("{app}/check")).await;
    assert!(check.contains("badge-green") && !check.contains("fee_unpaid"), "paid: {check}");
    assert!(!check.contains(">Оплатить госпошлину<"), "not offered again: {check}");
    let r = w.post_form(&format!("{app}/fee"), &[]).await;
    assert!(r.status == StatusCode::CONFLICT && r.text.contains("fee_paid"), "{}", r.text);
    let r = w.post_form(&format!("{app}/submit"), &[("consent", "yes")]).await;
    assert!(r.text.contains("Заявление успешно отправлено"), "{}", r.text);

    // Rejected by the officer: the fee goes back to the card, once.
    let officer = t.officer(OFFICER_AGENCY).await;
    let view = officer.page(&format!("/officer/applications/{id}")).await;
    let csrf = crate::common::hidden(&view, "csrf");
    let r = officer.post(&format!("/officer/applications/{id}/take"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let decide = [("csrf", csrf.as_str()), ("decision", "reject"), ("reason", "not_registered")];
    let r = officer.post(&format!("/officer/applications/{id}/decide"), &decide).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let checker = sep_core::payment::pay::Checker { store: t.db.store(), provider: t.pay_provider.clone().unwrap() };
    let store = t.db.store();
    let ran = sep_core::job::run_due(store.as_ref(), sep_core::job::Queue::Payments, "t", &checker, t.clock.now())
        .await
        .unwrap();
    assert!(ran >= 1, "the refund job ran");
    let app_id = sep_core::application::record::ApplicationId(id.parse().unwrap());
    let fee = store.find_fee(app_id).await.unwrap().unwrap();
    assert_eq!(fee.refund, FeeRefund::Done);
    let notices = w.page("/cabinet").await;
    assert!(notices.contains("Госпошлина возвращена"), "{notices}");
    // The provider returned it once: a second refund of the same payment is refused as too much.
    let again =
        sep_core::payment::fee::refund(store.as_ref(), t.pay_provider.as_deref().unwrap(), app_id, t.clock.now());
    again.await.unwrap();
    let payment = store.find_succeeded_payment(&uin).await.unwrap().unwrap();
    let more = t
        .pay_provider
        .as_ref()
        .unwrap()
        .refund("another-key", payment.provider_id.as_deref().unwrap(), payment.amount)
        .await
        .unwrap();
    assert!(more.is_err(), "nothing left to return: {more:?}");

    // Fixed and sent again after the rejection, it owes the fee again: a new charge.
    let check = w.page(&format!("{app}/check")).await;
    assert!(check.contains("fee_unpaid") && check.contains(">Оплатить госпошлину<"), "{check}");
    let r = w.post_form(&format!("{app}/fee"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_ne!(r.location(), charge, "a new charge, not the one returned");
    assert!(w.page("/payments").await.contains(r.location().trim_start_matches("/payments/charges/")));
}

/// The refund job waits in the queue; if the person sends the application again first, the fee
/// pays for that sending and is not returned.
#[tokio::test]
async fn a_fee_is_not_returned_once_the_application_is_sent_again() {
    let Some(t) = TestApp::paying(Backend::Sqlite).await else { return };
    let pay = t.pay_url.clone().unwrap();
    let w = t.citizen().await;
    let start_form = [("service", "participant_extract"), ("applicant", "person")];
    let app = w.post_form("/applications", &start_form).await.location().to_owned();
    let id = app.trim_start_matches("/applications/").to_owned();
    w.post_form(&app, &[("extract_purpose", "Для банка"), ("address", "г. Москва, ул. Тверская, д. 1")]).await;
    let uin =
        w.post_form(&format!("{app}/fee"), &[]).await.location().trim_start_matches("/payments/charges/").to_owned();
    assert!(w.page(&format!("/payments/charges/{uin}")).await.contains("200,00"), "a person's amount");
    let to = start(&w, &uin).await;
    let r = card(&to, "2200 0000 0000 0020", "12/30").await;
    let threeds = format!("{pay}{}", r.headers()["location"].to_str().unwrap());
    let outbox = reqwest::get(format!("{pay}/outbox")).await.unwrap().text().await.unwrap();
    let code = between(&outbox, "Код ", " ").to_owned();
    let r = no_redirects().post(&threeds).form(&[("code", code.as_str())]).send().await.unwrap();
    assert!(w.page(&path_of(r.headers()["location"].to_str().unwrap())).await.contains("Оплата прошла"));
    let r = w.post_form(&format!("{app}/submit"), &[("consent", "yes")]).await;
    assert!(r.text.contains("Заявление успешно отправлено"), "{}", r.text);
    let officer = t.officer(OFFICER_AGENCY).await;
    let csrf = crate::common::hidden(&officer.page(&format!("/officer/applications/{id}")).await, "csrf");
    officer.post(&format!("/officer/applications/{id}/take"), &[("csrf", &csrf)]).await;
    let decide = [("csrf", csrf.as_str()), ("decision", "reject"), ("reason", "data_mismatch")];
    assert_eq!(
        officer.post(&format!("/officer/applications/{id}/decide"), &decide).await.status,
        StatusCode::SEE_OTHER
    );
    // Sent again before the worker got to the refund.
    let r = w.post_form(&format!("{app}/submit"), &[("consent", "yes")]).await;
    assert!(r.text.contains("Заявление успешно отправлено"), "the paid fee counts: {}", r.text);
    let checker = sep_core::payment::pay::Checker { store: t.db.store(), provider: t.pay_provider.clone().unwrap() };
    let store = t.db.store();
    sep_core::job::run_due(store.as_ref(), sep_core::job::Queue::Payments, "t", &checker, t.clock.now()).await.unwrap();
    let app_id = sep_core::application::record::ApplicationId(id.parse().unwrap());
    assert_eq!(store.find_fee(app_id).await.unwrap().unwrap().refund, FeeRefund::None, "not returned");
    let payment = store.find_succeeded_payment(&uin).await.unwrap().unwrap();
    let whole =
        t.pay_provider.as_ref().unwrap().refund("probe", payment.provider_id.as_deref().unwrap(), payment.amount);
    assert!(whole.await.unwrap().is_ok(), "the provider still holds the whole payment");
}
