//! «Регистрация в СЭП» filled in (SPEC R1–R6), in process with signed-in browsers: pre-fill
//! from the profile, typos kept and named, every validation error, mismatches, documents by
//! content and size, consent, number; the list's filters; contacts confirmed by an SMS code
//! and a mail link; and another person's 404.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common::hidden;
use axum::http::StatusCode;
use sep_testkit::{Backend, TestApp};

#[tokio::test]
async fn a_citizen_fills_checks_and_submits_the_registration_application_sqlite() {
    fills_checks_and_submits(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_citizen_fills_checks_and_submits_the_registration_application_postgres() {
    fills_checks_and_submits(Backend::Postgres).await;
}

/// R1–R6 on one application: pre-fill, typos kept and named, mismatches, documents by
/// content and size, consent, number; then the list's filters and another person's 404.
async fn fills_checks_and_submits(backend: Backend) {
    let Some(t) = TestApp::on(backend).await else { return };
    let w = t.citizen().await;
    let page = w.get("/services/registration").await.text;
    assert!(page.contains("Подать заявление") && page.contains("value=\"person\""));
    let csrf = hidden(&page, "csrf");
    let r = w.post("/applications", &[("csrf", &csrf), ("service", "registration"), ("applicant", "person")]).await;
    let app = r.location().to_owned();
    assert!(app.starts_with("/applications/"), "{app}");
    let form = w.get(&app).await.text;
    assert!(form.contains("value=\"123-456-789 64\""), "pre-filled from Госуслуги");
    assert!(form.contains("value=\"Иванов\""));

    // A typo is saved as typed and flagged; nothing is lost.
    let r = w.post(&app, &[("csrf", &csrf), ("passport_series", "45 1"), ("birth_place", "г. Москва")]).await;
    assert_eq!(r.location(), format!("{app}?saved=1"));
    let form = w.get(&format!("{app}?saved=1")).await.text;
    assert!(
        form.contains("Черновик сохранён")
            && form.contains("value=\"45 1\"")
            && form.contains("passport_series_invalid_format")
    );

    let check = w.get(&format!("{app}/check")).await.text;
    for code in ["passport_series_invalid_format", "field_required"] {
        assert!(check.contains(code), "{code}: {check}");
    }
    assert!(check.contains(&format!("href=\"{app}#passport_number\"")), "each problem links to its field");
    assert!(!check.contains("Отправить заявление"), "no sending with errors");

    // A different СНИЛС than Госуслуги's is a named mismatch.
    let filled = [
        ("csrf", csrf.as_str()),
        ("passport_series", "4510"),
        ("passport_number", "000001"),
        ("passport_issued_on", "10.04.2010"),
        ("passport_issuer", "ГУ МВД России по г. Москве"),
        ("passport_division_code", "770-001"),
        ("address", "г. Москва, ул. Тверская, д. 1"),
        ("snils", "112-233-445 95"),
    ];
    w.post(&app, &filled).await;
    let check = w.get(&format!("{app}/check")).await.text;
    assert!(check.contains("Ошибка: несовпадение СНИЛС") && check.contains("mismatch_snils"), "{check}");
    w.post(&app, &[("csrf", &csrf), ("snils", "12345678964")]).await;
    let check = w.get(&format!("{app}/check")).await.text;
    assert!(
        check.contains("document_missing") && check.contains(&format!("href=\"{app}#doc-passport_scan\"")),
        "{check}"
    );

    // Documents: recognised by content, limited in size, named safely, each «Принят».
    let upload = |doc: &'static str, name: &'static str, bytes: Vec<u8>| {
        let (w, csrf, app) = (&w, csrf.clone(), app.clone());
        async move {
            let fields = [("csrf", csrf.as_str()), ("document", doc)];
            w.post_multipart(&format!("{app}/documents"), &fields, &[("file", name, &bytes)]).await
        }
    };
    let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec();
    let r = upload("passport_scan", "passport.pdf", b"MZ\x90\x00 this is an exe".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a renamed .exe is refused");
    assert!(r.text.contains("upload_format_refused"));
    let r = upload("passport_scan", "big.pdf", [pdf.clone(), vec![b' '; 5 * 1024 * 1024]].concat()).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = upload("passport_scan", "../../etc/скан паспорта.pdf", pdf.clone()).await;
    assert_eq!(r.location(), format!("{app}?saved=1#doc-passport_scan"));
    upload("snils_scan", "snils.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()).await;
    upload("inn_certificate", "inn.jpg", vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F']).await;
    let form = w.get(&app).await.text;
    assert_eq!(form.matches("Принят</span>").count(), 3, "{form}");
    assert!(form.contains("скан паспорта.pdf") && !form.contains("etc/"), "the name is cleaned");
    let check = w.get(&format!("{app}/check")).await.text;
    assert!(
        check.contains("Отправить заявление") && check.contains("Я даю согласие на обработку персональных данных"),
        "{check}"
    );

    let r = w.post(&format!("{app}/submit"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("consent_required"));
    let r = w.post(&format!("{app}/submit"), &[("csrf", &csrf), ("consent", "yes")]).await;
    assert_eq!(r.status, StatusCode::OK);
    let done = r.text;
    let year = time::OffsetDateTime::now_utc().year();
    assert!(done.contains("Заявление успешно отправлено") && done.contains(&format!("{year}-000001")), "{done}");
    assert!(done.contains("Создано"));
    let list = w.get("/applications").await.text;
    assert!(list.contains(&format!("{year}-000001")) && list.contains("Создано"));
    // A second, unsent application: the list filters by status and sorts by date.
    let start = [("csrf", csrf.as_str()), ("service", "registration"), ("applicant", "ip")];
    let draft = w.post("/applications", &start).await.location().to_owned();
    let only = |page: &str| (page.contains(&format!("{year}-000001")), page.contains(&format!("href=\"{draft}\"")));
    let page = w.get("/applications?status=draft").await.text;
    assert_eq!(only(&page), (false, true), "drafts only");
    assert!(page.contains("Показано: 1 из 2") && page.contains("value=\"draft\" selected"));
    let page = w.get("/applications?status=created").await.text;
    assert_eq!(only(&page), (true, false), "sent only");
    let page = w.get("/applications?status=nonsense&sort=old").await.text;
    assert_eq!(only(&page), (true, true), "an unknown status shows everything");
    let first =
        |page: &str| page.find(&format!("{year}-000001")).unwrap() < page.find(&format!("href=\"{draft}\"")).unwrap();
    assert!(first(&page), "oldest first");
    // Sorting is by the last change, not by creation: a later edit of an older draft moves it up.
    let later = w.post("/applications", &start).await.location().to_owned();
    t.clock.advance(time::Duration::minutes(1));
    w.post(&draft, &[("csrf", &csrf), ("birth_place", "г. Тверь")]).await;
    let before = |page: &str, a: &str, b: &str| {
        page.find(&format!("href=\"{a}\"")).unwrap() < page.find(&format!("href=\"{b}\"")).unwrap()
    };
    let page = w.get("/applications?sort=new").await.text;
    assert!(before(&page, &draft, &later), "the draft edited last comes first");
    let page = w.get("/applications?sort=old").await.text;
    assert!(before(&page, &later, &draft), "oldest change first");
    // Sending again is refused by the status machine; editing is closed.
    let r = w.post(&app, &[("csrf", &csrf), ("snils", "x")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let stored = t.db.store().list_jobs("notify", 10).await.unwrap();
    assert!(
        stored.iter().any(|j| j.job.payload["text"].as_str().unwrap_or("").contains("статус «Создано»")),
        "the notice is queued"
    );
    assert!(t.actions().await.contains(&("application.submitted".into(), "success".into())));

    // Another person cannot see or change it: "not found", journaled.
    let other = t.sign_in_as("+79345678901").await;
    let r = other.get(&app).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = other.get(&format!("{app}/check")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(t.actions().await.contains(&("application.access_denied".into(), "denied".into())));
    assert_eq!(w.get("/applications/not-a-uuid").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn r3_a_changed_phone_and_email_are_confirmed_by_sms_code_and_mail_link() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let page = w.get("/services/registration").await.text;
    let csrf = hidden(&page, "csrf");
    let form = [("csrf", csrf.as_str()), ("service", "registration"), ("applicant", "person")];
    let app = w.post("/applications", &form).await.location().to_owned();
    let page = w.get(&app).await.text;
    assert!(page.contains("Подтверждён в Госуслугах") && !page.contains("Не подтверждён"), "{page}");
    let check = w.get(&format!("{app}/check")).await.text;
    assert!(!check.contains("contact_phone_unconfirmed"), "Госуслуги's contacts need no new code");

    let typed = [("csrf", csrf.as_str()), ("phone", "8 (999) 111-22-33"), ("email", "new@example.ru")];
    w.post(&app, &typed).await;
    let check = w.get(&format!("{app}/check")).await.text;
    assert!(check.contains("contact_phone_unconfirmed") && check.contains("contact_email_unconfirmed"), "{check}");
    assert!(check.contains(&format!("href=\"{app}#contacts\"")));
    let r = w.post(&format!("{app}/contacts/sms/confirm"), &[("csrf", &csrf), ("code", "123456")]).await;
    assert_eq!(r.location(), format!("{app}?contact=contact_not_sent#contacts"), "no code was sent yet");

    // SMS: the first code is voided by "Отправить ещё раз"; a wrong code is named.
    let sms = || async {
        let jobs = t.db.store().list_jobs("notify", 50).await.unwrap();
        let last = jobs.iter().filter(|j| j.job.kind == "send_sms").max_by_key(|j| j.id).unwrap();
        assert_eq!(last.job.payload["to"], "+79991112233");
        let text = last.job.payload["text"].as_str().unwrap().to_owned();
        text.split(": ").nth(1).unwrap()[..6].to_owned()
    };
    let r = w.post(&format!("{app}/contacts/sms"), &[("csrf", &csrf)]).await;
    assert_eq!(r.location(), format!("{app}?contact=sms_sent#contacts"));
    let first = sms().await;
    w.post(&format!("{app}/contacts/sms"), &[("csrf", &csrf)]).await;
    let second = sms().await;
    let jobs = t.db.store().list_jobs("notify", 50).await.unwrap();
    assert_eq!(jobs.iter().filter(|j| j.job.kind == "send_sms").count(), 2);
    if first != second {
        let r = w.post(&format!("{app}/contacts/sms/confirm"), &[("csrf", &csrf), ("code", &first)]).await;
        assert_eq!(r.location(), format!("{app}?contact=otp_wrong#contacts"), "the old code is void");
        let note = w.get(r.location().split('#').next().unwrap_or_default()).await.text;
        assert!(note.contains("Неверный код") && note.contains("<code>otp_wrong</code>"), "the note shows its code");
    }
    let r = w.post(&format!("{app}/contacts/sms/confirm"), &[("csrf", &csrf), ("code", &second)]).await;
    assert_eq!(r.location(), format!("{app}?contact=sms_confirmed#contacts"));
    let page = w.get(&format!("{app}?contact=sms_confirmed")).await.text;
    assert!(page.contains("Телефон подтверждён."));

    // E-mail: a link; another person opening it gets "not found".
    let r = w.post(&format!("{app}/contacts/email"), &[("csrf", &csrf)]).await;
    assert_eq!(r.location(), format!("{app}?contact=email_sent#contacts"));
    let jobs = t.db.store().list_jobs("notify", 50).await.unwrap();
    let mail = jobs.iter().filter(|j| j.job.kind == "send_email").max_by_key(|j| j.id).unwrap();
    assert_eq!(mail.job.payload["to"], "new@example.ru");
    let text = mail.job.payload["text"].as_str().unwrap();
    let link = text.split("ссылку: ").nth(1).unwrap().split(' ').next().unwrap();
    let path = &link[link.find("/applications/").unwrap()..];
    let other = t.sign_in_as("+79345678901").await;
    assert_eq!(other.get(path).await.status, StatusCode::NOT_FOUND);
    let r = w.get(path).await;
    assert_eq!(r.location(), format!("{app}?contact=email_confirmed#contacts"));
    let check = w.get(&format!("{app}/check")).await.text;
    assert!(!check.contains("contact_phone_unconfirmed") && !check.contains("contact_email_unconfirmed"), "{check}");
    assert!(t.actions().await.contains(&("contact.confirmed".into(), "success".into())));

    // A confirmation holds for its value: a new phone asks again.
    w.post(&app, &[("csrf", &csrf), ("phone", "+79994445566")]).await;
    let check = w.get(&format!("{app}/check")).await.text;
    assert!(check.contains("contact_phone_unconfirmed") && !check.contains("contact_email_unconfirmed"));

    // Five sends per channel an hour, whichever number: two went above, three more may.
    let (sms_url, token) = (format!("{app}/contacts/sms"), [("csrf", csrf.as_str())]);
    let send = || w.post(&sms_url, &token);
    for _ in 0..3 {
        assert_eq!(send().await.location(), format!("{app}?contact=sms_sent#contacts"));
    }
    assert_eq!(send().await.location(), format!("{app}?contact=contact_send_limit#contacts"));
    for _ in 0..7 {
        t.clock.advance(time::Duration::minutes(10));
        w.get(&app).await;
    }
    assert_eq!(send().await.location(), format!("{app}?contact=sms_sent#contacts"), "an hour later");
    let r = w.get(&format!("{app}/contacts/email/confirm?token=forged")).await;
    assert_eq!(r.location(), format!("{app}?contact=link_void#contacts"));
    let check = w.get(&format!("{app}/check")).await.text;
    assert!(!check.contains("contact_email_unconfirmed"), "a bad link does not undo a confirmation");

    // New drafts do not buy new sends: ten per person an hour across all drafts.
    let mut limited_at = None;
    for n in 0..3 {
        let start = [("csrf", csrf.as_str()), ("service", "registration"), ("applicant", "person")];
        let other = w.post("/applications", &start).await.location().to_owned();
        w.post(&other, &[("csrf", &csrf), ("phone", "+79990000001")]).await;
        for k in 0..5 {
            let r = w.post(&format!("{other}/contacts/sms"), &[("csrf", &csrf)]).await;
            if r.location().contains("contact_send_limit") {
                limited_at.get_or_insert((n, k));
            }
        }
    }
    assert_eq!(limited_at, Some((1, 4)), "1 earlier + 5 + 4 = 10, then refused");

    // Opening the link signed out: log in, then open it again; the token is not carried along.
    let stranger = t.browser();
    let r = stranger.get(&format!("{app}/contacts/email/confirm?token=abc")).await;
    assert_eq!(r.location(), format!("/login?return_to={app}?contact=reopen_link"));
}

/// A field, the value typed into it and the code its check must give.
type Typed<'a> = (&'a str, &'a str, &'a str);

/// Every R1 validation error, named on «Проверка заявления» with a link to its field.
async fn every_r1_error_is_named(backend: Backend) {
    let Some(t) = TestApp::on(backend).await else { return };
    let w = t.citizen().await;
    let page = w.get("/services/registration").await.text;
    let csrf = hidden(&page, "csrf");
    let long = "я".repeat(301);
    let longer = "я".repeat(4001);
    // Rounds of (applicant type, [(field, typed value, expected code)]); one field per round.
    let rounds: Vec<(&str, Vec<Typed>)> = vec![
        (
            "org",
            vec![
                ("first_name", "", "field_required"),
                ("last_name", &long, "field_too_long"),
                ("address", &longer, "field_too_long"),
                ("birth_date", "2000-01-01", "date_invalid_format"),
                ("passport_issued_on", "31.02.2020", "date_not_in_calendar"),
                ("snils", "12345", "snils_invalid_format"),
                ("inn", "7707083893", "inn_person_expected"),
                ("passport_series", "45 1", "passport_series_invalid_format"),
                ("passport_number", "12", "passport_number_invalid_format"),
                ("passport_division_code", "77-001", "division_code_invalid_format"),
                ("phone", "12345", "phone_invalid_format"),
                ("email", "ivan@", "email_invalid_format"),
                ("org_inn", "500100732259", "inn_organisation_expected"),
                ("org_ogrn", "1027700132196", "ogrn_invalid_checksum"),
                ("org_kpp", "12", "kpp_invalid_format"),
                ("org_okved", "6201", "okved_invalid_format"),
            ],
        ),
        (
            "org",
            vec![
                ("snils", "123-456-789 00", "snils_invalid_checksum"),
                ("inn", "12345", "inn_invalid_format"),
                ("org_inn", "7707083894", "inn_invalid_checksum"),
                ("org_ogrn", "123", "ogrn_invalid_format"),
            ],
        ),
        ("ip", vec![("ogrnip", "304500116000158", "ogrnip_invalid_checksum")]),
        ("ip", vec![("ogrnip", "12345", "ogrnip_invalid_format")]),
    ];
    for (applicant, round) in rounds {
        let start = [("csrf", csrf.as_str()), ("service", "registration"), ("applicant", applicant)];
        let app = w.post("/applications", &start).await.location().to_owned();
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(round.iter().map(|(f, v, _)| (*f, *v)));
        assert_eq!(w.post(&app, &form).await.location(), format!("{app}?saved=1"));
        let check = w.get(&format!("{app}/check")).await.text;
        for (field, value, code) in &round {
            let item = check
                .split("<li>")
                .filter_map(|li| li.split("</li>").next())
                .find(|li| li.contains(&format!("href=\"{app}#{field}\"")));
            let item = item.unwrap_or_else(|| panic!("{field}: no problem listed in {check}"));
            assert!(
                item.contains(&format!("<code>{code}</code>")),
                "{field}={}: {item}",
                &value[..value.len().min(40)]
            );
        }
        // Nothing typed is lost: the form shows each value back as typed.
        let page = w.get(&app).await.text;
        for (field, value, _) in round.iter().filter(|(_, v, _)| !v.is_empty() && v.len() < 100) {
            assert!(page.contains(&format!("value=\"{value}\"")), "{field} kept as typed");
        }
    }
}

#[tokio::test]
async fn r1_every_validation_error_is_named_sqlite() {
    every_r1_error_is_named(Backend::Sqlite).await;
}

#[tokio::test]
async fn r1_every_validation_error_is_named_postgres() {
    every_r1_error_is_named(Backend::Postgres).await;
}

/// #22: draft saves are journaled — once for a sitting of typing (when the previous change was
/// ten minutes ago; the draft's creation has its own record), naming the fields changed, never
/// their values.
#[tokio::test]
async fn draft_saves_are_journaled_once_a_sitting_without_values() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let draft = crate::common::draft(&w).await;
    let saves = || async {
        t.db.store()
            .list_audit(0, 500)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event.action == "application.draft_saved")
            .collect::<Vec<_>>()
    };
    w.post_form(&draft, &[("address", "г. Москва, ул. Арбат, д. 9")]).await;
    assert!(saves().await.is_empty(), "right after the creation, which is journaled itself");
    t.clock.advance(time::Duration::minutes(11));
    w.post_form(&draft, &[("address", "г. Москва, ул. Арбат, д. 10")]).await;
    t.clock.advance(time::Duration::seconds(5));
    w.post_form_with(&draft, &[("address", "г. Москва, ул. Арбат, д. 11")], &[("x-sep-autosave", "1")]).await;
    let journaled = saves().await;
    assert_eq!(journaled.len(), 1, "one record for the sitting");
    assert_eq!(journaled[0].event.details["fields"], serde_json::json!(["address"]));
    assert!(!journaled[0].event.details.to_string().contains("Арбат"), "no values in the journal");
    t.clock.advance(time::Duration::minutes(11));
    w.post_form(&draft, &[("address", "г. Москва, ул. Арбат, д. 12")]).await;
    assert_eq!(saves().await.len(), 2, "a later sitting is journaled again");
}
