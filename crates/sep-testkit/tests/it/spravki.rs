//! «Справки» (SPEC S1, S2, E3, E4): ordered from `/spravki`, made by the worker from the
//! registry, drawn as PDF, signed by the agency, checked by number and code — read back as a
//! person and a verifier would: `pdftotext` for the text, `zbarimg` for the QR code, openssl
//! (gost engine) for the signature.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common::{have, openssl_verifies, run};
use axum::http::StatusCode;
use sep_core::clock::Clock;
use sep_testkit::{Backend, TestApp};
use std::process::Command;

/// The order's id from the redirect after «Заказать справку».
fn order_id(location: &str) -> String {
    location.trim_start_matches("/spravki/").to_owned()
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    text.split(start).nth(1).and_then(|t| t.split(end).next()).unwrap_or_default()
}

async fn ordered_made_signed_checked_and_annulled(backend: Backend) {
    let Some(t) = TestApp::on(backend).await else { return };
    let w = t.citizen().await;
    let page = w.page("/spravki").await;
    assert!(page.contains("Заказать справку") && page.contains("Справка о доходах"), "{page}");
    for code in ["income", "pension", "registration", "tax_status", "social_support", "oms", "debts", "powers"] {
        assert!(page.contains(&format!("value=\"{code}\"")), "{code} is offered");
    }
    assert!(w.page("/cabinet").await.contains("href=\"/spravki\""), "linked from the cabinet");
    let key = between(&page, "name=\"request_key\" value=\"", "\"").to_owned();
    let form = [
        ("kind", "income"),
        ("from", "01.01.2025"),
        ("to", "31.03.2025"),
        ("purpose", ""),
        ("by_post", "1"),
        ("post_address", "101000, г. Москва, ул. Мясницкая, д. 1"),
        ("request_key", key.as_str()),
    ];
    let r = w.post_form("/spravki", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id = order_id(r.location());
    let again = w.post_form("/spravki", &form).await;
    assert_eq!(order_id(again.location()), id, "a double click is one order");
    let order = w.page(&format!("/spravki/{id}")).await;
    assert!(order.contains("data-status=\"accepted\"") && order.contains("S20"), "«Принят» with a number: {order}");
    assert!(order.contains("data-order-status="), "the page follows the status live");
    let status = w.get(&format!("/spravki/{id}/status")).await;
    assert!(
        status.text.contains("\"status\":\"accepted\"") && status.text.contains("\"final\":false"),
        "{}",
        status.text
    );
    assert_eq!(w.get(&format!("/spravki/{id}/pdf")).await.status, StatusCode::NOT_FOUND, "nothing to download yet");

    // The worker makes it.
    assert!(t.run_spravki().await >= 1);
    let status = w.get(&format!("/spravki/{id}/status")).await;
    assert!(status.text.contains("\"status\":\"ready\"") && status.text.contains("\"final\":true"), "{}", status.text);
    let order = w.page(&format!("/spravki/{id}")).await;
    assert!(order.contains("Справка готова") && order.contains("Действительна"), "{order}");
    let check_url = between(&order, "Ссылка для проверки</dt><dd><a href=\"", "\"").replace("&amp;", "&");
    assert!(check_url.starts_with("http://127.0.0.1:8080/verify/D20") && check_url.contains("?ck="), "{check_url}");
    let ck = check_url.split("?ck=").nth(1).unwrap();
    assert_eq!(ck.len(), 32, "128 bits as hex");
    let number = between(&check_url, "/verify/", "?");
    let tracking = between(&order, "<strong><code>", "</code>").to_owned();
    assert!(sep_core::spravka::post::is_valid(&tracking), "a 14-digit tracking number: {tracking}");
    assert!(tracking.starts_with("101000"), "from the sending office");
    assert!(order.contains("Принято в отделении связи"));
    let pdf = w.get(&format!("/spravki/{id}/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let sig = w.get(&format!("/spravki/{id}/sig")).await;
    assert_eq!(sig.status, StatusCode::OK);
    assert!(sig.header("content-disposition").unwrap_or_default().contains(".pdf.sig"));
    // The pair as one archive: python's zipfile reads both, byte for byte.
    let pair = w.get(&format!("/spravki/{id}/zip")).await;
    assert_eq!(pair.status, StatusCode::OK);
    let dir0 = tempfile::tempdir().unwrap();
    let zip_path = dir0.path().join("pair.zip");
    std::fs::write(&zip_path, &pair.bytes).unwrap();
    let script = "import sys, zipfile, hashlib\nz = zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist(): print(i.filename, hashlib.sha256(z.read(i)).hexdigest())";
    let out = Command::new("python3").args(["-c", script, zip_path.to_str().unwrap()]).output().unwrap();
    let listing = String::from_utf8_lossy(&out.stdout).to_string();
    let sha = |b: &[u8]| sep_core::application::attachment::content_key(b);
    assert!(listing.contains(&format!("spravka-{number}.pdf {}", sha(&pdf.bytes))), "{listing}");
    assert!(listing.contains(&format!("spravka-{number}.pdf.sig {}", sha(&sig.bytes))), "{listing}");
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains("Справка готова"), "a notification");
    let docs = w.page("/documents").await;
    assert!(docs.contains(&format!("spravka-{number}.pdf")) && docs.contains("Справка"), "in «Мои документы»: {docs}");
    assert!(docs.contains(&format!("href=\"/spravki/{id}\"")), "with its order as the source");

    // Read as a person and a verifier would.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.pdf"), &pdf.bytes).unwrap();
    std::fs::write(dir.path().join("s.pdf.sig"), &sig.bytes).unwrap();
    if have("pdftotext", "poppler-utils") {
        let (ok, text) = run("pdftotext", &["-layout", "s.pdf", "-"], dir.path());
        assert!(ok, "{text}");
        for want in [
            "Иванов Иван Иванович",
            number,
            "ФНС России",
            "770123456703",
            "март 2025",
            "Общая сумма дохода",
            &check_url,
        ] {
            assert!(text.contains(want), "{want} in the PDF text:\n{text}");
        }
        assert!(text.contains("для предоставления по месту требования"), "the default purpose");
        let (ok, fonts) = run("pdffonts", &["s.pdf"], dir.path());
        assert!(ok && fonts.contains("PTSans") && !fonts.contains(" no "), "fonts embedded:\n{fonts}");
    }
    if have("zbarimg", "zbar-tools") && have("pdftoppm", "poppler-utils") {
        let (ok, text) = run("pdftoppm", &["-r", "150", "-png", "s.pdf", "page"], dir.path());
        assert!(ok, "{text}");
        let out =
            Command::new("sh").args(["-c", "zbarimg -q --raw page*.png"]).current_dir(dir.path()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // zbarimg's own noise (D-Bus) goes to stderr; the codes to stdout.
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), check_url, "the QR code is the check link");
    }
    if let Some((ok, text)) = openssl_verifies(&t.authority.dir.join("ca.cert.pem"), &pdf.bytes, &sig.bytes) {
        assert!(ok, "{text}");
    }
    let b = t.browser();
    let r = b
        .post_multipart("/verify", &[], &[("document", "s.pdf", &pdf.bytes), ("signature", "s.sig", &sig.bytes)])
        .await;
    assert!(r.text.contains("Подпись действительна") && r.text.contains("ФНС России"), "{}", r.text);

    // The check page: what, when, by whom, to whom (initials only), its status.
    let path = check_url.trim_start_matches("http://127.0.0.1:8080");
    let r = b.get(path).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("data-standing=\"valid\"") && r.text.contains("Иванов И. И."), "{}", r.text);
    assert!(!r.text.contains("Иванович") && !r.text.contains("770123456703"), "nothing more of the person");
    assert!(r.text.contains("Действителен до"), "its expiry");
    let bare = b.get(&format!("/verify/{number}")).await;
    assert_eq!(bare.status, StatusCode::NOT_FOUND, "a number alone tells nothing");
    assert!(!bare.text.contains("ФНС") && !bare.text.contains("Иванов"));
    let same = b.post_multipart(path, &[], &[("document", "s.pdf", &pdf.bytes)]).await;
    assert!(
        same.text.contains("data-same=\"true\"") && same.text.contains("Подпись ведомства к этому файлу действительна"),
        "{}",
        same.text
    );
    let mut forged = pdf.bytes.clone();
    forged.extend_from_slice(b"\n% changed");
    let other = b.post_multipart(path, &[], &[("document", "s.pdf", &forged)]).await;
    assert!(other.text.contains("data-same=\"false\"") && other.text.contains("document_mismatch"), "{}", other.text);

    // Nobody else sees the order or its files, not even the issuing agency's officer.
    let stranger = t.sign_in_as("+79345678901").await;
    let officer = t.officer("ФНС России").await;
    for p in ["", "/status", "/pdf", "/sig", "/zip"] {
        assert_eq!(stranger.get(&format!("/spravki/{id}{p}")).await.status, StatusCode::NOT_FOUND, "{p}");
        assert_eq!(officer.get(&format!("/spravki/{id}{p}")).await.status, StatusCode::NOT_FOUND, "{p}");
    }
    assert!(!stranger.page("/spravki").await.contains(&id), "not in another's list");

    // The post moves on.
    t.clock.advance(sep_core::spravka::post::STEP + time::Duration::seconds(1));
    t.run_spravki().await;
    assert!(w.page(&format!("/spravki/{id}")).await.contains("class=\"done\">В пути"));
    t.clock.advance(sep_core::spravka::post::STEP + time::Duration::seconds(1));
    t.run_spravki().await;
    assert!(w.page(&format!("/spravki/{id}")).await.contains("class=\"done\">Вручено"));
    assert!(w.page("/cabinet").await.contains("Справка вручена"));

    // Annulled by the issuing agency's officer only.
    let other_agency = t.officer("Социальный фонд России").await;
    let r = other_agency.get(&format!("/officer/spravki?number={number}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another agency's справка is not found");
    let r = other_agency.post_form(&format!("/officer/spravki/{number}/annul"), &[("reason", "чужая")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        w.post_form(&format!("/officer/spravki/{number}/annul"), &[("reason", "x")]).await.status,
        StatusCode::NOT_FOUND,
        "a citizen cannot"
    );
    let officer = t.officer("ФНС России").await;
    let found = officer.page(&format!("/officer/spravki?number={number}")).await;
    assert!(found.contains("Иванов И. И.") && found.contains("Аннулировать справку"), "{found}");
    let r = officer.post_form(&format!("/officer/spravki/{number}/annul"), &[("reason", " ")]).await;
    assert!(r.text.contains("annul_reason_required"), "{}", r.text);
    let r = officer
        .post_form(&format!("/officer/spravki/{number}/annul"), &[("reason", "Сведения о доходах уточнены агентом")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = b.get(path).await;
    assert!(r.text.contains("data-standing=\"annulled\"") && r.text.contains("Документ аннулирован"), "{}", r.text);
    let r = b
        .post_multipart("/verify", &[], &[("document", "s.pdf", &pdf.bytes), ("signature", "s.sig", &sig.bytes)])
        .await;
    assert!(r.text.contains("Подпись действительна"), "the signature itself stays valid: {}", r.text);
    assert!(w.page(&format!("/spravki/{id}")).await.contains("Аннулирована"));
    assert!(w.page("/cabinet").await.contains("Сведения о доходах уточнены агентом"), "the holder is told why");
    let r = officer.post_form(&format!("/officer/spravki/{number}/annul"), &[("reason", "ещё раз")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "once");
    let actions: Vec<String> = t.actions().await.into_iter().map(|(a, _)| a).collect();
    for a in ["spravka.ordered", "spravka.issued", "spravka.post", "document.annulled"] {
        assert!(actions.iter().any(|x| x == a), "{a} journaled: {actions:?}");
    }
}

#[tokio::test]
async fn sqlite_spravka_ordered_made_signed_checked_and_annulled() {
    ordered_made_signed_checked_and_annulled(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_spravka_ordered_made_signed_checked_and_annulled() {
    // Skipped inside when SEP_TEST_DATABASE_URL is not set (required under SEP_TEST_ALL=1).
    ordered_made_signed_checked_and_annulled(Backend::Postgres).await;
}

/// Every bad order is refused with its code and nothing is ordered.
#[tokio::test]
async fn bad_orders_are_refused_with_their_codes_and_nothing_is_ordered() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let today = sep_core::clock::moscow_day(t.clock.now());
    let fmt = |d: time::Date| format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year());
    let tomorrow = fmt(today + time::Duration::days(1));
    let long_ago = fmt(today - time::Duration::days(2000));
    let yesterday = fmt(today - time::Duration::days(1));
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("kind", "income"), ("from", "01.01.2025"), ("to", tomorrow.as_str())], "period_future"),
        (vec![("kind", "income"), ("from", yesterday.as_str()), ("to", "01.01.2025")], "period_reversed"),
        (vec![("kind", "income"), ("from", long_ago.as_str()), ("to", yesterday.as_str())], "period_too_long"),
        (vec![("kind", "income"), ("from", ""), ("to", "")], "period_required"),
        (vec![("kind", "income"), ("from", "32.01.2025"), ("to", "01.02.2025")], "period_invalid"),
        (vec![("kind", "nuclear_codes")], "spravka_kind_unknown"),
        (vec![("kind", "oms"), ("by_post", "1"), ("post_address", "  ")], "post_address_missing"),
    ];
    for (form, code) in cases {
        let r = w.post_form("/spravki", &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}: {}", r.text);
        assert!(r.text.contains(code), "{code}: {}", r.text);
        assert!(r.text.contains("Заказ не принят"), "{code}");
    }
    // An e-mail delivery needs a confirmed address: this profile has lost it.
    let mut profile = w.user.profile.clone();
    profile.email = None;
    t.db.store().update_profile(w.user.id, &profile, t.clock.now(), &sep_core::store::Effects::none()).await.unwrap();
    let r = w.post_form("/spravki", &[("kind", "oms"), ("by_email", "1")]).await;
    assert!(r.text.contains("email_unconfirmed"), "{}", r.text);
    assert!(w.page("/spravki").await.contains("Заказов пока нет"), "nothing was ordered");
    let r = w.post("/spravki", &[("kind", "oms"), ("csrf", "forged")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "CSRF");
}

/// A registry that does not answer is retried with back-off and never gives a wrong
/// справка: after the last attempt the order fails with its reason; a registry without data
/// fails at once.
#[tokio::test]
async fn an_outage_is_retried_then_fails_and_no_data_fails_at_once() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    t.registries.set_available("ФССП", false);
    let r = w.post_form("/spravki", &[("kind", "debts")]).await;
    let id = order_id(r.location());
    t.run_spravki().await;
    let status = w.get(&format!("/spravki/{id}/status")).await;
    assert!(status.text.contains("\"status\":\"making\""), "retried, not failed: {}", status.text);
    for _ in 0..sep_core::spravka::MAKE_ATTEMPTS {
        t.clock.advance(time::Duration::minutes(31));
        t.run_spravki().await;
    }
    // Hours later: the session has ended meanwhile.
    let w = t.citizen().await;
    let page = w.page(&format!("/spravki/{id}")).await;
    assert!(page.contains("data-status=\"failed\"") && page.contains("registry_unavailable"), "{page}");
    assert!(!page.contains("/pdf"), "no справка");
    assert!(w.page("/cabinet").await.contains("Справка не сформирована"));

    // Back up: a new order is made.
    t.registries.set_available("ФССП", true);
    let r = w.post_form("/spravki", &[("kind", "debts")]).await;
    let ok = order_id(r.location());
    t.run_spravki().await;
    assert!(w.get(&format!("/spravki/{ok}/status")).await.text.contains("\"ready\""));

    // Сидоров's income is reported by nobody.
    let sidorov = t.sign_in_as(sep_core::demo::PEOPLE[2].phone).await;
    let r = sidorov.post_form("/spravki", &[("kind", "income"), ("from", "01.01.2025"), ("to", "31.01.2025")]).await;
    let none = order_id(r.location());
    t.run_spravki().await;
    let page = sidorov.page(&format!("/spravki/{none}")).await;
    assert!(page.contains("registry_no_data"), "{page}");
}

/// Ordering is limited per person: a burst of 20, then 429 with the wait.
#[tokio::test]
async fn orders_are_limited_per_person() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    for i in 0..20 {
        let key = format!("k{i}");
        let r = w.post_form("/spravki", &[("kind", "oms"), ("request_key", key.as_str())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{i}");
    }
    let r = w.post_form("/spravki", &[("kind", "oms"), ("request_key", "k20")]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.header("retry-after").is_some() && r.text.contains("rate_limited"));
    let other = t.sign_in_as("+79345678901").await;
    let r = other.post_form("/spravki", &[("kind", "oms")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "another person's budget is their own");
}

/// An order whose job died with its worker is not left «Формируется» for ever: the hourly
/// sweep fails it after two hours and tells the holder.
#[tokio::test]
async fn a_stalled_order_is_failed_and_the_holder_told() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let r = w.post_form("/spravki", &[("kind", "oms")]).await;
    let id = order_id(r.location());
    assert_eq!(t.maker().fail_stalled(t.clock.now()).await.unwrap(), 0, "not yet");
    t.clock.advance(sep_core::spravka::make::STALLED_AFTER + time::Duration::minutes(1));
    assert_eq!(t.maker().fail_stalled(t.clock.now()).await.unwrap(), 1);
    let w = t.citizen().await;
    let page = w.page(&format!("/spravki/{id}")).await;
    assert!(page.contains("data-status=\"failed\"") && page.contains("spravka_internal"), "{page}");
    assert!(w.page("/cabinet").await.contains("Справка не сформирована"));
    // Its job, should it run after all, finds the order final and does nothing.
    t.run_spravki().await;
    assert!(w.page(&format!("/spravki/{id}")).await.contains("data-status=\"failed\""));
}

/// SPEC S1 for organisations: the head (as Госуслуги said at login) orders the organisation's
/// справка, which names the organisation and who asked; the public check page shows the
/// organisation, not the head. An employee who is not the head, anyone for an organisation
/// Госуслуги did not name, and a person's own kind for an organisation are refused.
#[tokio::test]
async fn the_head_orders_for_the_organisation_and_nobody_else_does() {
    let t = TestApp::new().await;
    let store = t.db.store();
    let now = t.clock.now();
    let phone = |subject: &str| sep_core::demo::PEOPLE.iter().find(|p| p.subject == subject).unwrap().phone;
    let head = t.sign_in_as(phone(sep_core::demo::EMPLOYEE_SUBJECT)).await;
    store.replace_user_orgs(head.user.id, &[sep_testkit::stories::users::membership(true)], now).await.unwrap();
    let page = head.page("/spravki").await;
    assert!(page.contains("Для кого") && page.contains("id=\"org-7701000019\""), "{page}");
    assert!(!page.contains("value=\"7701000019\" disabled"), "the head may choose it");
    assert!(page.contains("Выдаётся") && page.contains("организациям"), "each kind says to whom it is issued");

    let r = head.post_form("/spravki", &[("kind", "tax_status"), ("org", "7701000019")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id = order_id(r.location());
    t.run_spravki().await;
    let order = head.page(&format!("/spravki/{id}")).await;
    assert!(order.contains("data-status=\"ready\""), "{order}");
    assert!(order.contains("Для организации") && order.contains("ИНН 7701000019"), "{order}");
    assert!(head.page("/spravki").await.contains("для ООО «Ромашка»"), "the list says for whom");
    let check_url = between(&order, "Ссылка для проверки</dt><dd><a href=\"", "\"").replace("&amp;", "&");
    let pdf = head.get(&format!("/spravki/{id}/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    if have("pdftotext", "poppler-utils") {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("s.pdf"), &pdf.bytes).unwrap();
        let (ok, text) = run("pdftotext", &["-layout", "s.pdf", "-"], dir.path());
        assert!(ok, "{text}");
        for want in [
            "Общество с ограниченной ответственностью «Ромашка»",
            "7701000019",
            "770101001",
            "1027700000019",
            "Сидоров Пётр Алексеевич, руководитель организации",
            "У организации нет неисполненной обязанности",
        ] {
            assert!(text.contains(want), "{want} in the PDF text:\n{text}");
        }
        // The head's own tax debt is his, not the organisation's.
        assert!(!text.contains("Транспортный налог"), "{text}");
        assert!(!text.contains("770678901214") && !text.contains("678-901-234"), "not the head's identifiers");
    }
    let b = t.browser();
    let check = b.get(check_url.trim_start_matches("http://127.0.0.1:8080")).await;
    assert!(check.text.contains("data-standing=\"valid\"") && check.text.contains("ООО «Ромашка»"), "{}", check.text);
    assert!(!check.text.contains("Сидоров"), "the public page shows the organisation, not its head");
    let audit = store.list_audit_for_user(head.user.id, None, 50).await.unwrap();
    let ordered = audit.iter().find(|e| e.event.action == "spravka.ordered").unwrap();
    assert_eq!(ordered.event.details["org_inn"], "7701000019", "the audit names the organisation");

    // A person's own record is not issued to an organisation.
    let r = head.post_form("/spravki", &[("kind", "oms"), ("org", "7701000019")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("spravka_kind_not_for_org"), "{}", r.text);

    // The accountant sees the organisation but may not order for it.
    let staff = t.sign_in_as(phone(sep_core::demo::STAFF_SUBJECT)).await;
    store.replace_user_orgs(staff.user.id, &[sep_testkit::stories::users::membership(false)], now).await.unwrap();
    let page = staff.page("/spravki").await;
    assert!(page.contains("value=\"7701000019\" disabled"), "{page}");
    assert!(page.contains("только её руководитель"), "and says why");
    let r = staff.post_form("/spravki", &[("kind", "tax_status"), ("org", "7701000019")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("spravka_org_not_head") && r.text.contains("href=\"#org\""), "{}", r.text);
    let r = staff.post_form("/spravki", &[("kind", "tax_status"), ("org", "7707329152")]).await;
    assert!(r.text.contains("spravka_org_unknown"), "an organisation Госуслуги did not name: {}", r.text);
    assert!(staff.page("/spravki").await.contains("Заказов пока нет"), "nothing was ordered for him");
    // Nor does he see the head's order by its id.
    assert_eq!(staff.get(&format!("/spravki/{id}")).await.status, StatusCode::NOT_FOUND);
    // Госуслуги no longer names Сидоров its head: the next order is refused.
    store.replace_user_orgs(head.user.id, &[sep_testkit::stories::users::membership(false)], now).await.unwrap();
    let r = head.post_form("/spravki", &[("kind", "tax_status"), ("org", "7701000019")]).await;
    assert!(r.text.contains("spravka_org_not_head"), "{}", r.text);
}
