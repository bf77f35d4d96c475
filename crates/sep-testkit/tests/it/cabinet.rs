//! The cabinet's settings (SPEC C3, N2), in process with a signed-in browser: notifications
//! per type and channel with mandatory ones kept on, the importance threshold for e-mail and
//! SMS, and the accessibility look applied through `/prefs.css`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common;

use axum::http::StatusCode;
use common::{file, hidden};
use sep_testkit::app::TestResponse;
use sep_testkit::{Backend, TestApp};

async fn settings_choose_channels_and_the_look(backend: Backend) {
    let Some(app) = TestApp::on(backend).await else { return };
    let anonymous = app.get("/prefs.css").await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert_eq!(anonymous.text, "", "no look for nobody");
    let w = app.citizen().await;
    assert!(w.page("/cabinet").await.contains("href=\"/prefs.css\""));
    let form = w.page("/settings").await;
    assert!(form.contains("id=\"on-status:cabinet\" checked disabled") && form.contains("обязательно"), "{form}");
    assert!(form.contains("id=\"on-confirmation:sms\" checked disabled"));
    assert!(form.contains("value=\"news:sms\">"), "news by SMS is off by default");
    assert_eq!(hidden(&form, "csrf"), w.csrf);

    let r = w.post("/settings", &[("csrf", "forged"), ("high_contrast", "1")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Status changes: SMS only (e-mail off), and only what needs action; an attempt to switch
    // off the cabinet's mandatory notices is ignored.
    let choice = [
        ("on", "status:sms"),
        ("on", "reminder:email"),
        ("threshold", "critical"),
        ("high_contrast", "1"),
        ("large_font", "1"),
        ("language", "en"),
    ];
    let r = w.post_form("/settings", &choice).await;
    assert_eq!(r.location(), "/settings?saved=1");
    let form = w.page("/settings?saved=1").await;
    assert!(
        form.contains("Settings saved.") && form.contains("value=\"status:sms\" checked"),
        "saved, and now in English"
    );
    assert!(
        form.contains("value=\"status:email\">")
            && form.contains("id=\"threshold-critical\" name=\"threshold\" value=\"critical\" checked")
    );
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains("<html lang=\"en\">") && cabinet.contains("Personal data"), "the chosen language");
    assert!(w.page("/settings").await.contains("id=\"language-en\" name=\"language\" value=\"en\" checked"));
    // Back to Russian for the rest (the header's switch).
    assert_eq!(w.get("/lang?to=ru&return_to=/cabinet").await.location(), "/cabinet");
    assert!(w.page("/cabinet").await.contains("Личные данные"));
    let css = w.get("/prefs.css").await.text;
    assert!(css.contains("--text: #000000") && css.contains("font-size: 125%"), "{css}");
    assert!(app.actions().await.contains(&("settings.changed".into(), "success".into())));

    // A rejection: in the cabinet and by SMS; no e-mail, as chosen.
    let sent = file(&w, "person", &[("passport_number", "999999")]).await;
    app.run_jobs().await;
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains(": Отклонено") && cabinet.contains(": На проверке"), "the cabinet gets everything");
    let jobs = app.db.store().list_jobs("notify", 50).await.unwrap();
    let texts = |kind: &str| -> Vec<String> {
        jobs.iter().filter(|j| j.job.kind == kind).map(|j| j.job.payload["text"].as_str().unwrap().to_owned()).collect()
    };
    assert!(texts("send_email").is_empty(), "status e-mail is off: {:?}", texts("send_email"));
    assert_eq!(texts("send_sms").len(), 1, "one SMS, for the rejection only");
    assert!(texts("send_sms")[0].contains("Отклонено"));
    assert!(w.page(&sent).await.contains("mvd_passport_invalid"));
}

#[tokio::test]
async fn c3_settings_choose_channels_and_the_look_sqlite() {
    settings_choose_channels_and_the_look(Backend::Sqlite).await;
}

#[tokio::test]
async fn c3_settings_choose_channels_and_the_look_postgres() {
    settings_choose_channels_and_the_look(Backend::Postgres).await;
}

#[tokio::test]
async fn c1_the_cabinet_shows_documents_and_history_and_a_draft_file_can_be_replaced() {
    let app = TestApp::new().await;
    let w = app.citizen().await;
    let service = w.page("/services/registration").await;
    let csrf = hidden(&service, "csrf");
    let start = [("csrf", csrf.as_str()), ("service", "registration"), ("applicant", "person")];
    let draft = w.post("/applications", &start).await.location().to_owned();
    for name in ["скан-1.pdf", "скан-2.pdf"] {
        let fields = [("csrf", csrf.as_str()), ("document", "passport_scan")];
        let bytes = [common::PDF, name.as_bytes()].concat();
        w.post_multipart(&format!("{draft}/documents"), &fields, &[("file", name, &bytes)]).await;
    }
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains("скан-1.pdf") && cabinet.contains("скан-2.pdf") && cabinet.contains("№ черновик"));
    assert_eq!(cabinet.matches(&format!("href=\"{draft}#doc-passport_scan\">Заменить")).count(), 2, "{cabinet}");
    assert!(cabinet.contains("Документ принят") && cabinet.contains("операция №"), "the history block");
    assert!(!cabinet.contains("Показаны последние загруженные"), "all of them are shown");

    let form = w.page(&draft).await;
    let first =
        form.split("href=\"").find(|h| h.contains("/attachments/")).unwrap().split('"').next().unwrap().to_owned();
    let r = w.post(&format!("{first}/delete"), &[("csrf", "forged")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w.post(&format!("{first}/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(r.location(), format!("{draft}?saved=1#documents"));
    let form = w.page(&draft).await;
    assert!(!form.contains("скан-1.pdf") && form.contains("скан-2.pdf"));
    assert_eq!(w.get(&first).await.status, StatusCode::NOT_FOUND, "gone");
    let r = w.post(&format!("{first}/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "once");
    assert!(app.actions().await.contains(&("document.removed".into(), "success".into())));
}

/// C1: the cabinet's documents block shows the ten newest files and sends to «Мои документы»
/// for the rest (issue 20: it listed every file of every application).
#[tokio::test]
async fn c1_the_cabinets_documents_block_shows_the_newest_ten() {
    use sep_core::clock::Clock as _;
    let app = TestApp::new().await;
    let w = app.citizen().await;
    let now = app.clock.now();
    let store = app.db.store();
    let draft = sep_testkit::stories::applications::stored_draft(&app.db, w.user.id, now).await;
    for n in 0..11i64 {
        let file = sep_testkit::stories::applications::scan(
            draft,
            &format!("скан-{n:02}.pdf"),
            now + time::Duration::seconds(n),
        );
        store.insert_attachment(&file, &sep_core::store::Effects::none()).await.unwrap();
    }
    let cabinet = w.page("/cabinet").await;
    assert!((1..11).all(|n| cabinet.contains(&format!("скан-{n:02}.pdf"))), "{cabinet}");
    assert!(!cabinet.contains("скан-00.pdf"), "the oldest is left to «Мои документы»");
    assert!(cabinet.contains("Показаны последние загруженные; все документы — в «Мои документы»"));
    let documents = w.page("/documents").await;
    assert!((0..11).all(|n| documents.contains(&format!("скан-{n:02}.pdf"))), "all of them there");
}

/// C3: a new phone is confirmed by an SMS code to it, a new address by a link to it; the old
/// contact is told; until then the profile keeps the old one.
#[tokio::test]
async fn c3_a_changed_phone_and_email_take_effect_only_when_confirmed() {
    let app = TestApp::new().await;
    let w = app.citizen().await;
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains("action=\"/profile/contacts/sms\""), "changed from the cabinet itself");
    let form = w.page("/profile/contacts").await;
    let csrf = hidden(&form, "csrf");
    assert_eq!(
        w.post("/profile/contacts/sms", &[("csrf", &csrf), ("value", "12345")]).await.location(),
        "/profile/contacts?note=phone_invalid"
    );
    assert_eq!(
        w.post("/profile/contacts/sms", &[("csrf", &csrf), ("value", "+7 912 345-67-89")]).await.location(),
        "/profile/contacts?note=same"
    );
    assert_eq!(
        w.post("/profile/contacts/sms", &[("csrf", "forged"), ("value", "+79991112233")]).await.status,
        StatusCode::FORBIDDEN
    );
    let r = w.post("/profile/contacts/sms", &[("csrf", &csrf), ("value", "8 (999) 111-22-33")]).await;
    assert_eq!(r.location(), "/profile/contacts?note=sms_sent");
    assert!(w.page("/cabinet").await.contains("+7 (912) 345-67-89"), "not changed yet");
    let sms = app.db.store().list_jobs("notify", 50).await.unwrap();
    let sms = sms.iter().find(|j| j.job.kind == "send_sms" && j.job.payload["to"] == "+79991112233").unwrap();
    let code = sms.job.payload["text"].as_str().unwrap().split(": ").nth(1).unwrap()[..6].to_owned();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = w.post("/profile/contacts/sms/confirm", &[("csrf", &csrf), ("code", wrong)]).await;
    assert_eq!(r.location(), "/profile/contacts?note=otp_wrong");
    let r = w.post("/profile/contacts/sms/confirm", &[("csrf", &csrf), ("code", &code)]).await;
    assert_eq!(r.location(), "/profile/contacts?note=phone_changed");
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains("+7 (999) 111-22-33") && cabinet.contains("Телефон в профиле изменён"), "{cabinet}");
    let jobs = app.db.store().list_jobs("notify", 50).await.unwrap();
    assert!(
        jobs.iter()
            .any(|j| j.job.payload["to"] == "+79123456789"
                && j.job.payload["text"].as_str().unwrap().contains("изменён")),
        "the old phone is told"
    );
    let r = w.post("/profile/contacts/sms/confirm", &[("csrf", &csrf), ("code", &code)]).await;
    assert_eq!(r.location(), "/profile/contacts?note=not_sent", "a code works once");

    // E-mail: a link; a wrong token is refused, the right one changes the address.
    let r = w.post("/profile/contacts/email", &[("csrf", &csrf), ("value", "Ivan.New@Example.ru")]).await;
    assert_eq!(r.location(), "/profile/contacts?note=email_sent");
    let jobs = app.db.store().list_jobs("notify", 50).await.unwrap();
    let mail =
        jobs.iter().find(|j| j.job.kind == "send_email" && j.job.payload["subject"] == "Смена адреса в СЭП").unwrap();
    let text = mail.job.payload["text"].as_str().unwrap();
    let link = text.split("ссылку: ").nth(1).unwrap().split(' ').next().unwrap();
    let path = &link[link.find("/profile").unwrap()..];
    let r = w.get("/profile/contacts/email/confirm?token=forged").await;
    assert_eq!(r.location(), "/profile/contacts?note=link_void");
    let r = w.get(path).await;
    assert_eq!(r.location(), "/profile/contacts?note=email_changed");
    assert!(w.page("/cabinet").await.contains("Ivan.New@example.ru"), "the domain is kept in lower case");
    assert!(app.actions().await.contains(&("profile.contact_changed".into(), "success".into())));
}

/// C1: the personal data block changes in place: a step sent by the page's script is answered
/// with the block itself (no redirect, no page), with the same validation and in the page's
/// language; a refused request is not a block, so the script falls back to a normal post.
#[tokio::test]
async fn c1_personal_data_change_in_place() {
    let app = TestApp::new().await;
    let w = app.citizen().await;
    let csrf = hidden(&w.page("/cabinet").await, "csrf");
    let step = |path: &'static str, form: Vec<(&'static str, String)>| {
        let w = &w;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            w.post_with(path, &form, &[("x-sep-inplace", "1")]).await
        }
    };
    let block = |r: TestResponse| {
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("x-sep-fragment").unwrap(), "1");
        let body = r.text;
        assert!(body.starts_with("<div id=\"personal-block\" data-inplace>") && !body.contains("<html"), "{body}");
        body
    };
    let wrong = block(step("/profile/contacts/sms", vec![("csrf", csrf.clone()), ("value", "12".into())]).await);
    assert!(wrong.contains("role=\"alert\"") && wrong.contains("Номер не похож на мобильный"), "{wrong}");
    assert!(wrong.contains("<details class=\"inplace\" open>"), "the phone's change stays open to fix it");
    let sent =
        block(step("/profile/contacts/sms", vec![("csrf", csrf.clone()), ("value", "+79994445566".into())]).await);
    assert!(sent.contains("Код отправлен на новый номер") && sent.contains("id=\"phone-code\""), "{sent}");
    assert!(sent.contains("<details class=\"inplace\" open>"), "the code form stays open");
    let jobs = app.db.store().list_jobs("notify", 50).await.unwrap();
    let sms = jobs.iter().find(|j| j.job.kind == "send_sms" && j.job.payload["to"] == "+79994445566").unwrap();
    let code = sms.job.payload["text"].as_str().unwrap().split(": ").nth(1).unwrap()[..6].to_owned();
    // In English the block answers in English.
    w.get("/lang?to=en&return_to=/cabinet").await;
    let done = block(step("/profile/contacts/sms/confirm", vec![("csrf", csrf.clone()), ("code", code)]).await);
    assert!(done.contains("Phone changed.") && done.contains("+7 (999) 444-55-66"), "the new phone shown: {done}");
    // Refused before acting: a forged token is a 403 page, not a block.
    let r = step("/profile/contacts/sms", vec![("csrf", "forged".into()), ("value", "+79990000000".into())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.header("x-sep-fragment").is_none());
    // Without the script's mark the same step is the ordinary way back to the page.
    let r = w.post("/profile/contacts/sms", &[("csrf", &csrf), ("value", "12")]).await;
    assert_eq!(r.location(), "/profile/contacts?note=phone_invalid");
}
