//! The cabinet's settings (SPEC C3, N2), on real sockets: notifications per type and channel
//! with mandatory ones kept on, the importance threshold for e-mail and SMS, and the
//! accessibility look applied through `/prefs.css`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common;

use common::{file, hidden, loc, page, world};
use reqwest::StatusCode;
use sep_testkit::Backend;

async fn settings_choose_channels_and_the_look(backend: Backend) {
    let Some(w) = world(backend).await else { return };
    let anonymous = reqwest::get(format!("{}/prefs.css", w.portal)).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::OK);
    assert_eq!(anonymous.text().await.unwrap(), "", "no look for nobody");
    w.sign_in().await;
    assert!(page(&w, "/cabinet").await.contains("href=\"/prefs.css\""));
    let form = page(&w, "/settings").await;
    assert!(form.contains("id=\"on-status:cabinet\" checked disabled") && form.contains("обязательно"), "{form}");
    assert!(form.contains("id=\"on-confirmation:sms\" checked disabled"));
    assert!(form.contains("value=\"news:sms\">"), "news by SMS is off by default");
    let csrf = hidden(&form, "csrf");

    let r = w.post(&format!("{}/settings", w.portal), &[("csrf", "forged"), ("high_contrast", "1")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Status changes: SMS only (e-mail off), and only what needs action; an attempt to switch
    // off the cabinet's mandatory notices is ignored.
    let choice = [
        ("csrf", csrf.as_str()),
        ("on", "status:sms"),
        ("on", "reminder:email"),
        ("threshold", "critical"),
        ("high_contrast", "1"),
        ("large_font", "1"),
        ("language", "en"),
    ];
    let r = w.post(&format!("{}/settings", w.portal), &choice).await;
    assert_eq!(loc(&r), "/settings?saved=1");
    let form = page(&w, "/settings?saved=1").await;
    assert!(
        form.contains("Settings saved.") && form.contains("value=\"status:sms\" checked"),
        "saved, and now in English"
    );
    assert!(
        form.contains("value=\"status:email\">")
            && form.contains("id=\"threshold-critical\" name=\"threshold\" value=\"critical\" checked")
    );
    let cabinet = page(&w, "/cabinet").await;
    assert!(cabinet.contains("<html lang=\"en\">") && cabinet.contains("Personal data"), "the chosen language");
    assert!(page(&w, "/settings").await.contains("id=\"language-en\" name=\"language\" value=\"en\" checked"));
    // Back to Russian for the rest (the header's switch).
    assert_eq!(loc(&w.get(&format!("{}/lang?to=ru&return_to=/cabinet", w.portal)).await), "/cabinet");
    assert!(page(&w, "/cabinet").await.contains("Личные данные"));
    let css = w.get(&format!("{}/prefs.css", w.portal)).await.text().await.unwrap();
    assert!(css.contains("--text: #000000") && css.contains("font-size: 125%"), "{css}");
    assert!(w.actions().await.contains(&("settings.changed".into(), "success".into())));

    // A rejection: in the cabinet and by SMS; no e-mail, as chosen.
    let app = file(&w, "person", &[("passport_number", "999999")]).await;
    w.run_jobs().await;
    let cabinet = page(&w, "/cabinet").await;
    assert!(cabinet.contains(": Отклонено") && cabinet.contains(": На проверке"), "the cabinet gets everything");
    let jobs = w.db.store().list_jobs("notify", 50).await.unwrap();
    let texts = |kind: &str| -> Vec<String> {
        jobs.iter().filter(|j| j.job.kind == kind).map(|j| j.job.payload["text"].as_str().unwrap().to_owned()).collect()
    };
    assert!(texts("send_email").is_empty(), "status e-mail is off: {:?}", texts("send_email"));
    assert_eq!(texts("send_sms").len(), 1, "one SMS, for the rejection only");
    assert!(texts("send_sms")[0].contains("Отклонено"));
    assert!(page(&w, &app).await.contains("mvd_passport_invalid"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c3_settings_choose_channels_and_the_look_sqlite() {
    settings_choose_channels_and_the_look(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c3_settings_choose_channels_and_the_look_postgres() {
    settings_choose_channels_and_the_look(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c1_the_cabinet_shows_documents_and_history_and_a_draft_file_can_be_replaced() {
    let w = world(Backend::Sqlite).await.unwrap();
    w.sign_in().await;
    let service = page(&w, "/services/registration").await;
    let csrf = hidden(&service, "csrf");
    let start = [("csrf", csrf.as_str()), ("service", "registration"), ("applicant", "person")];
    let app = loc(&w.post(&format!("{}/applications", w.portal), &start).await);
    for name in ["скан-1.pdf", "скан-2.pdf"] {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("document", "passport_scan")
            .part("file", reqwest::multipart::Part::bytes([common::PDF, name.as_bytes()].concat()).file_name(name));
        w.browser.post(format!("{}{app}/documents", w.portal)).multipart(form).send().await.unwrap();
    }
    let cabinet = page(&w, "/cabinet").await;
    assert!(cabinet.contains("скан-1.pdf") && cabinet.contains("скан-2.pdf") && cabinet.contains("№ черновик"));
    assert_eq!(cabinet.matches(&format!("href=\"{app}#doc-passport_scan\">Заменить")).count(), 2, "{cabinet}");
    assert!(cabinet.contains("Документ принят") && cabinet.contains("операция №"), "the history block");

    let form = page(&w, &app).await;
    let first =
        form.split("href=\"").find(|h| h.contains("/attachments/")).unwrap().split('"').next().unwrap().to_owned();
    let r = w.post(&format!("{}{first}/delete", w.portal), &[("csrf", "forged")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = w.post(&format!("{}{first}/delete", w.portal), &[("csrf", &csrf)]).await;
    assert_eq!(loc(&r), format!("{app}?saved=1#documents"));
    let form = page(&w, &app).await;
    assert!(!form.contains("скан-1.pdf") && form.contains("скан-2.pdf"));
    assert_eq!(w.get(&format!("{}{first}", w.portal)).await.status(), StatusCode::NOT_FOUND, "gone");
    let r = w.post(&format!("{}{first}/delete", w.portal), &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "once");
    assert!(w.actions().await.contains(&("document.removed".into(), "success".into())));
}

/// C3: a new phone is confirmed by an SMS code to it, a new address by a link to it; the old
/// contact is told; until then the profile keeps the old one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c3_a_changed_phone_and_email_take_effect_only_when_confirmed() {
    let w = world(Backend::Sqlite).await.unwrap();
    w.sign_in().await;
    let cabinet = page(&w, "/cabinet").await;
    assert!(cabinet.contains("action=\"/profile/contacts/sms\""), "changed from the cabinet itself");
    let form = page(&w, "/profile/contacts").await;
    let csrf = hidden(&form, "csrf");
    let url = |p: &str| format!("{}{p}", w.portal);
    assert_eq!(
        loc(&w.post(&url("/profile/contacts/sms"), &[("csrf", &csrf), ("value", "12345")]).await),
        "/profile/contacts?note=phone_invalid"
    );
    assert_eq!(
        loc(&w.post(&url("/profile/contacts/sms"), &[("csrf", &csrf), ("value", "+7 912 345-67-89")]).await),
        "/profile/contacts?note=same"
    );
    assert_eq!(
        w.post(&url("/profile/contacts/sms"), &[("csrf", "forged"), ("value", "+79991112233")]).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = w.post(&url("/profile/contacts/sms"), &[("csrf", &csrf), ("value", "8 (999) 111-22-33")]).await;
    assert_eq!(loc(&r), "/profile/contacts?note=sms_sent");
    assert!(page(&w, "/cabinet").await.contains("+7 (912) 345-67-89"), "not changed yet");
    let sms = w.db.store().list_jobs("notify", 50).await.unwrap();
    let sms = sms.iter().find(|j| j.job.kind == "send_sms" && j.job.payload["to"] == "+79991112233").unwrap();
    let code = sms.job.payload["text"].as_str().unwrap().split(": ").nth(1).unwrap()[..6].to_owned();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = w.post(&url("/profile/contacts/sms/confirm"), &[("csrf", &csrf), ("code", wrong)]).await;
    assert_eq!(loc(&r), "/profile/contacts?note=otp_wrong");
    let r = w.post(&url("/profile/contacts/sms/confirm"), &[("csrf", &csrf), ("code", &code)]).await;
    assert_eq!(loc(&r), "/profile/contacts?note=phone_changed");
    let cabinet = page(&w, "/cabinet").await;
    assert!(cabinet.contains("+7 (999) 111-22-33") && cabinet.contains("Телефон в профиле изменён"), "{cabinet}");
    let jobs = w.db.store().list_jobs("notify", 50).await.unwrap();
    assert!(
        jobs.iter()
            .any(|j| j.job.payload["to"] == "+79123456789"
                && j.job.payload["text"].as_str().unwrap().contains("изменён")),
        "the old phone is told"
    );
    let r = w.post(&url("/profile/contacts/sms/confirm"), &[("csrf", &csrf), ("code", &code)]).await;
    assert_eq!(loc(&r), "/profile/contacts?note=not_sent", "a code works once");

    // E-mail: a link; a wrong token is refused, the right one changes the address.
    let r = w.post(&url("/profile/contacts/email"), &[("csrf", &csrf), ("value", "Ivan.New@Example.ru")]).await;
    assert_eq!(loc(&r), "/profile/contacts?note=email_sent");
    let jobs = w.db.store().list_jobs("notify", 50).await.unwrap();
    let mail =
        jobs.iter().find(|j| j.job.kind == "send_email" && j.job.payload["subject"] == "Смена адреса в СЭП").unwrap();
    let text = mail.job.payload["text"].as_str().unwrap();
    let link = text.split("ссылку: ").nth(1).unwrap().split(' ').next().unwrap();
    let path = &link[link.find("/profile").unwrap()..];
    let r = w.get(&url("/profile/contacts/email/confirm?token=forged")).await;
    assert_eq!(loc(&r), "/profile/contacts?note=link_void");
    let r = w.get(&url(path)).await;
    assert_eq!(loc(&r), "/profile/contacts?note=email_changed");
    assert!(page(&w, "/cabinet").await.contains("Ivan.New@example.ru"), "the domain is kept in lower case");
    assert!(w.actions().await.contains(&("profile.contact_changed".into(), "success".into())));
}

/// C1: the personal data block changes in place: a step sent by the page's script is answered
/// with the block itself (no redirect, no page), with the same validation and in the page's
/// language; a refused request is not a block, so the script falls back to a normal post.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c1_personal_data_change_in_place() {
    let w = world(Backend::Sqlite).await.unwrap();
    w.sign_in().await;
    let csrf = hidden(&page(&w, "/cabinet").await, "csrf");
    let step = |path: &str, form: Vec<(&'static str, String)>| {
        w.browser.post(format!("{}{path}", w.portal)).header("x-sep-inplace", "1").form(&form).send()
    };
    let block = |r: reqwest::Response| async move {
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers().get("x-sep-fragment").unwrap(), "1");
        let body = r.text().await.unwrap();
        assert!(body.starts_with("<div id=\"personal-block\" data-inplace>") && !body.contains("<html"), "{body}");
        body
    };
    let wrong =
        block(step("/profile/contacts/sms", vec![("csrf", csrf.clone()), ("value", "12".into())]).await.unwrap()).await;
    assert!(wrong.contains("role=\"alert\"") && wrong.contains("Номер не похож на мобильный"), "{wrong}");
    assert!(wrong.contains("<details class=\"inplace\" open>"), "the phone's change stays open to fix it");
    let sent = block(
        step("/profile/contacts/sms", vec![("csrf", csrf.clone()), ("value", "+79994445566".into())]).await.unwrap(),
    )
    .await;
    assert!(sent.contains("Код отправлен на новый номер") && sent.contains("id=\"phone-code\""), "{sent}");
    assert!(sent.contains("<details class=\"inplace\" open>"), "the code form stays open");
    let jobs = w.db.store().list_jobs("notify", 50).await.unwrap();
    let sms = jobs.iter().find(|j| j.job.kind == "send_sms" && j.job.payload["to"] == "+79994445566").unwrap();
    let code = sms.job.payload["text"].as_str().unwrap().split(": ").nth(1).unwrap()[..6].to_owned();
    // In English the block answers in English.
    w.get(&format!("{}/lang?to=en&return_to=/cabinet", w.portal)).await;
    let done =
        block(step("/profile/contacts/sms/confirm", vec![("csrf", csrf.clone()), ("code", code)]).await.unwrap()).await;
    assert!(done.contains("Phone changed.") && done.contains("+7 (999) 444-55-66"), "the new phone shown: {done}");
    // Refused before acting: a forged token is a 403 page, not a block.
    let r =
        step("/profile/contacts/sms", vec![("csrf", "forged".into()), ("value", "+79990000000".into())]).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.headers().get("x-sep-fragment").is_none());
    // Without the script's mark the same step is the ordinary way back to the page.
    let r = w.post(&format!("{}/profile/contacts/sms", w.portal), &[("csrf", &csrf), ("value", "12")]).await;
    assert_eq!(loc(&r), "/profile/contacts?note=phone_invalid");
}
