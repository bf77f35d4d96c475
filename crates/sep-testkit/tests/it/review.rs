//! After «Отправить заявление» (SPEC R7, A3, N2, SEC2), on real sockets: the registry checks
//! run by the review worker, automatic completion for a citizen, a registry failure and a
//! registry outage, an organisation's application rejected by an officer, fixed, sent again
//! and approved; notifications in the cabinet; nobody sees what is not theirs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common;

use common::{ORG, PDF, World, file, hidden, loc, page, send, status, world};
use reqwest::StatusCode;
use sep_core::clock::Clock;
use sep_testkit::Backend;

/// Each journey as two tests, on SQLite and on PostgreSQL (which returns at once when
/// `SEP_TEST_DATABASE_URL` is not set; `scripts/test` with `SEP_TEST_ALL=1` requires it).
macro_rules! on_both {
    ($($name:ident => $journey:ident;)*) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$journey(sep_testkit::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$journey(sep_testkit::Backend::Postgres).await;
                }
            }
        )*
    };
}

on_both! {
    citizen_completes_by_itself => citizen_completes_by_itself;
    officer_rejects_applicant_fixes_officer_approves => officer_review;
    registry_failure_is_named_and_fixed_application_goes_again => a_registry_failure_is_a_named_reason_and_the_fixed_application_goes_again;
    registry_outage_keeps_under_review_and_retries => a_registry_outage_keeps_the_application_under_review_and_retries;
    sole_proprietor_checked_in_egrip_and_approved => a_sole_proprietor_is_checked_in_egrip_and_approved_by_an_officer;
    sec2_every_endpoint_refuses_others => sec2_every_application_endpoint_refuses_others_with_not_found;
}

async fn citizen_completes_by_itself(backend: Backend) {
    let Some(w) = world(backend).await else { return };
    w.sign_in().await;
    let cabinet = page(&w, "/cabinet").await;
    assert!(cabinet.contains("подайте заявление") && !cabinet.contains("Вы зарегистрированы"));
    let app = file(&w, "person", &[("passport_number", "000001")]).await;
    assert_eq!(status(&page(&w, &app).await), "Создано");

    assert_eq!(w.run_jobs().await, 2, "the check, then the completion");
    let shown = page(&w, &app).await;
    assert_eq!(status(&shown), "Завершено");
    assert!(shown.contains("Услуга активирована") && shown.contains("Проверки ФНС, СФР и МВД пройдены"), "{shown}");
    let journal: Vec<&str> = ["Создано", "На проверке", "Одобрено", "Завершено"]
        .into_iter()
        .filter(|s| shown.contains(&format!(">{s}</span></p>")))
        .collect();
    assert_eq!(journal.len(), 4, "every step is in the journal: {shown}");

    let cabinet = page(&w, "/cabinet").await;
    assert!(cabinet.contains("Вы зарегистрированы в СЭП"), "{cabinet}");
    assert!(cabinet.contains(": Завершено") && cabinet.contains(": На проверке") && cabinet.contains(">новых: 4<"));
    let csrf = hidden(&cabinet, "csrf");
    let newest = hidden(&cabinet, "up_to");
    w.post(&format!("{}/notices/read", w.portal), &[("csrf", &csrf), ("up_to", &newest)]).await;
    assert!(page(&w, "/cabinet").await.contains("data-count=\"0\" hidden>"), "all read");

    let jobs = w.db.store().list_jobs("notify", 50).await.unwrap();
    let sms: Vec<&str> =
        jobs.iter().filter(|j| j.job.kind == "send_sms").filter_map(|j| j.job.payload["text"].as_str()).collect();
    assert!(sms.iter().any(|t| t.contains("Завершено")), "an SMS when the service is provided: {sms:?}");
    let mails = jobs.iter().filter(|j| j.job.kind == "send_email").count();
    assert_eq!(mails, 4, "an e-mail per status change");
    assert!(w.actions().await.contains(&("application.completed".into(), "success".into())));

    // Delivered through the emulator's gateway: the same outbox as the emulator's own messages.
    assert!(w.deliver().await >= 5);
    let outbox: serde_json::Value = w.get(&format!("{}/outbox.json", w.idp)).await.json().await.unwrap();
    let sent: Vec<(String, String)> = outbox["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["recipient"].as_str().unwrap().to_owned(), m["body"].as_str().unwrap().to_owned()))
        .collect();
    assert!(sent.iter().any(|(to, body)| to == "+79123456789" && body.contains("Завершено")), "{sent:?}");
    assert!(sent.iter().any(|(to, body)| to == "ivanov@example.ru" && body.contains("Услуга активирована")));
    assert_eq!(w.deliver().await, 0, "each message once");
}

async fn a_registry_failure_is_a_named_reason_and_the_fixed_application_goes_again(backend: Backend) {
    let Some(w) = world(backend).await else { return };
    w.sign_in().await;
    let app = file(&w, "person", &[("passport_number", "999999")]).await;
    let number = page(&w, &app).await.split("Номер: <strong>").nth(1).unwrap().split('<').next().unwrap().to_owned();
    w.run_jobs().await;
    let shown = page(&w, &app).await;
    assert_eq!(status(&shown), "Отклонено");
    assert!(shown.contains("Что нужно исправить") && shown.contains("mvd_passport_invalid"), "{shown}");
    assert!(shown.contains("утрачен"), "the registry's own words");
    let cabinet = page(&w, "/cabinet").await;
    assert!(cabinet.contains("Требуется действие") && cabinet.contains("mvd_passport_invalid"), "{cabinet}");

    // The same application, fixed and sent again, keeps its number and passes.
    let csrf = hidden(&shown, "csrf");
    w.post(&format!("{}{app}", w.portal), &[("csrf", &csrf), ("passport_number", "000001")]).await;
    send(&w, &app).await;
    let shown = page(&w, &app).await;
    assert_eq!(status(&shown), "Создано");
    assert!(shown.contains(&format!("Номер: <strong>{number}</strong>")));
    w.run_jobs().await;
    assert_eq!(status(&page(&w, &app).await), "Завершено");
}

async fn a_registry_outage_keeps_the_application_under_review_and_retries(backend: Backend) {
    let Some(w) = world(backend).await else { return };
    w.sign_in().await;
    w.registries.set_available("МВД", false);
    let app = file(&w, "person", &[("passport_number", "000001")]).await;
    assert_eq!(w.run_jobs().await, 1);
    assert_eq!(status(&page(&w, &app).await), "На проверке", "nothing concluded");
    let job = w.db.store().list_jobs("review", 5).await.unwrap().remove(0);
    assert_eq!((job.state, job.attempts), (sep_core::job::JobState::Pending, 1));
    assert!(job.last_error.unwrap().contains("МВД"));
    assert_eq!(w.run_jobs().await, 0, "not before its back-off");
    w.clock.advance(time::Duration::minutes(2));
    assert_eq!(w.run_jobs().await, 1, "tried again, still down");
    w.registries.set_available("МВД", true);
    // The third try waits one to two minutes (and the applicant's session is still alive).
    w.clock.advance(time::Duration::minutes(5));
    w.run_jobs().await;
    assert_eq!(status(&page(&w, &app).await), "Завершено");
}

async fn officer_review(backend: Backend) {
    let Some(w) = world(backend).await else { return };
    // Сидоров applies for ООО «Ромашка».
    w.sign_in_as("+79345678901").await;
    let app = file(&w, "org", &ORG).await;
    let id = app.trim_start_matches("/applications/");
    w.run_jobs().await;
    let shown = page(&w, &app).await;
    assert_eq!(status(&shown), "На проверке", "an organisation waits for an officer");
    assert!(shown.contains("Проверки пройдены. Заявление передано сотруднику ведомства «Оператор СЭП»"));
    assert_eq!(w.get(&format!("{}/officer", w.portal)).await.status(), StatusCode::NOT_FOUND, "not an officer");

    // The officer, in another browser.
    let officer = w.another_browser().await;
    officer.sign_in_as("+79456789012").await;
    assert!(page(&officer, "/cabinet").await.contains("Очередь заявлений ведомства"));
    let queue = page(&officer, "/officer").await;
    assert!(queue.contains(&format!("/officer/applications/{id}")) && queue.contains("«Ромашка»"), "{queue}");
    let rejected_only = page(&officer, "/officer?status=rejected").await;
    assert!(!rejected_only.contains(id), "filtered by status");
    let overdue = page(&officer, "/officer?overdue=1").await;
    assert!(!overdue.contains(id), "not overdue yet");
    let view = page(&officer, &format!("/officer/applications/{id}")).await;
    assert!(view.contains("Взять в работу") && !view.contains("Принять решение") && view.contains("charter.pdf"));
    let csrf = hidden(&view, "csrf");
    let decide = |form: Vec<(&'static str, String)>| {
        let url = format!("{}/officer/applications/{id}/decide", w.portal);
        let mut body = vec![("csrf", csrf.clone())];
        body.extend(form);
        officer.browser.post(url).form(&body).send()
    };
    let r = decide(vec![("decision", "approve".into())]).await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "not taken into work yet");
    let r = officer.post(&format!("{}/officer/applications/{id}/take", w.portal), &[("csrf", &csrf)]).await;
    assert_eq!(loc(&r), format!("/officer/applications/{id}"));
    let view = page(&officer, &format!("/officer/applications/{id}")).await;
    assert!(view.contains("Заявление в работе у вас") && view.contains("Принять решение"));
    assert!(page(&officer, "/officer").await.contains("<td>вы</td>"));

    let r = decide(vec![("decision", "reject".into())]).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("status_reason_required"));
    let r = decide(vec![
        ("decision", "reject".into()),
        ("reason", "authority_unconfirmed".into()),
        ("reason", "not_a_reason_of_this_service".into()),
        ("comment", "Приложите решение о назначении, подписанное участниками".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // «Связаться с оператором»: the applicant asks with a file, the officer answers.
    let shown = page(&w, &app).await;
    let ask = reqwest::multipart::Form::new()
        .text("csrf", hidden(&shown, "csrf"))
        .text("text", "Какое решение о назначении нужно?")
        .part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("устав.pdf"));
    let r = w.browser.post(format!("{}{app}/messages", w.portal)).multipart(ask).send().await.unwrap();
    assert_eq!(loc(&r), format!("{app}#messages"));
    let view = page(&officer, &format!("/officer/applications/{id}")).await;
    assert!(view.contains("Какое решение о назначении нужно?") && view.contains("устав.pdf"), "{view}");
    let file_link = view.split("href=\"").find(|h| h.contains("/messages/") && h.contains("/file")).unwrap();
    let file_link = file_link.split('"').next().unwrap().to_owned();
    let r = officer.get(&format!("{}{file_link}", w.portal)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''%D1%83"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF, "the officer downloads the applicant's file");
    let answer = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("text", "Решение участников о назначении директора");
    let r = officer.browser.post(format!("{}{app}/messages", w.portal)).multipart(answer).send().await.unwrap();
    assert_eq!(loc(&r), format!("/officer/applications/{id}#messages"));
    let empty = reqwest::multipart::Form::new().text("csrf", csrf.clone()).text("text", "  ");
    let r = officer.browser.post(format!("{}{app}/messages", w.portal)).multipart(empty).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The applicant sees the reason, the comment and the answer, fixes and sends again.
    let shown = page(&w, &app).await;
    assert!(shown.contains("Сотрудник ведомства") && shown.contains("Решение участников о назначении директора"));
    assert!(page(&w, "/cabinet").await.contains("Новое сообщение по заявлению"));
    let doc_link =
        shown.split("href=\"").find(|h| h.contains("/attachments/")).unwrap().split('"').next().unwrap().to_owned();
    assert_eq!(w.get(&format!("{}{doc_link}", w.portal)).await.bytes().await.unwrap().as_ref(), PDF);
    assert_eq!(status(&shown), "Отклонено");
    assert!(shown.contains("authority_unconfirmed") && shown.contains("подписанное участниками"), "{shown}");
    assert!(!shown.contains("not_a_reason_of_this_service"));
    let part = reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("решение.pdf");
    let body = reqwest::multipart::Form::new()
        .text("csrf", hidden(&shown, "csrf"))
        .text("document", "appointment_decision")
        .part("file", part);
    w.browser.post(format!("{}{app}/documents", w.portal)).multipart(body).send().await.unwrap();
    send(&w, &app).await;
    w.run_jobs().await;
    assert_eq!(status(&page(&w, &app).await), "На проверке");

    let r = decide(vec![("decision", "approve".into())]).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "still the officer's");
    w.run_jobs().await;
    let shown = page(&w, &app).await;
    assert_eq!(status(&shown), "Завершено");
    assert!(page(&w, "/cabinet").await.contains("Вы зарегистрированы в СЭП"));
    let acts = w.actions().await;
    for a in ["application.taken", "application.rejected", "application.approved", "application.completed"] {
        assert!(acts.contains(&(a.into(), "success".into())), "{a}: {acts:?}");
    }

    // Nobody else sees it: another citizen, and the officer through the applicant's pages.
    let other = w.another_browser().await;
    other.sign_in().await;
    for path in [format!("/officer/applications/{id}"), app.clone(), format!("{app}/check"), doc_link, file_link] {
        assert_eq!(other.get(&format!("{}{path}", w.portal)).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(officer.get(&format!("{}{app}", w.portal)).await.status(), StatusCode::NOT_FOUND);
    let r = other.post(&format!("{}/officer/applications/{id}/take", w.portal), &[("csrf", "x")]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A draft is not the agency's business yet.
    let draft = {
        let page = page(&other, "/services/registration").await;
        let csrf = hidden(&page, "csrf");
        let start = [("csrf", csrf.as_str()), ("service", "registration"), ("applicant", "person")];
        loc(&other.post(&format!("{}/applications", w.portal), &start).await)
    };
    let draft_id = draft.trim_start_matches("/applications/");
    let r = officer.get(&format!("{}/officer/applications/{draft_id}", w.portal)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!page(&officer, "/officer").await.contains(draft_id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_shows_overdue_applications() {
    let w = world(Backend::Sqlite).await.unwrap();
    w.sign_in_as("+79345678901").await;
    let app = file(&w, "org", &ORG).await;
    let id = app.trim_start_matches("/applications/").to_owned();
    let officer = w.another_browser().await;
    officer.sign_in_as("+79456789012").await;
    assert!(!page(&officer, "/officer?overdue=1").await.contains(&id));
    // Thirty days on: past the ten working days, and the officer's session would have expired.
    w.clock.advance(time::Duration::days(30));
    let callback = officer.through_the_emulator("+79456789012", "allow").await;
    assert_eq!(loc(&officer.get(&callback).await), "/cabinet", "signed in again");
    let overdue = page(&officer, "/officer?overdue=1").await;
    assert!(overdue.contains(&id) && overdue.contains("Просрочено"), "{overdue}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_application_is_left_alone_by_the_checks() {
    let w = world(Backend::Sqlite).await.unwrap();
    w.sign_in().await;
    let app = file(&w, "person", &[("passport_number", "000001")]).await;
    let shown = page(&w, &app).await;
    assert!(shown.contains("Отозвать заявление"));
    let r = w.post(&format!("{}{app}/withdraw", w.portal), &[("csrf", &hidden(&shown, "csrf"))]).await;
    assert_eq!(loc(&r), app);
    let shown = page(&w, &app).await;
    assert_eq!(status(&shown), "Отозвано");
    assert!(!shown.contains("Отозвать заявление") && !shown.contains("Отправить сообщение"));
    assert_eq!(w.run_jobs().await, 1, "the check job finds nothing to do");
    assert_eq!(status(&page(&w, &app).await), "Отозвано");
    let r = w.post(&format!("{}{app}/withdraw", w.portal), &[("csrf", &hidden(&shown, "csrf"))]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c2_a_status_change_reaches_an_open_cabinet_as_a_server_sent_event() {
    let w = world(Backend::Sqlite).await.unwrap();
    let anonymous = reqwest::Client::new().get(format!("{}/events", w.portal)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    w.sign_in().await;
    let app = file(&w, "person", &[("passport_number", "000001")]).await;
    let id = app.trim_start_matches("/applications/");
    let cabinet = page(&w, "/cabinet").await;
    assert!(cabinet.contains(&format!("data-app-status=\"{id}\">Создано")), "{cabinet}");
    let since = cabinet.split("data-live=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert!(cabinet.contains("<script src=\"/assets/live.js\" defer>"));
    assert!(w.get(&format!("{}/assets/live.js", w.portal)).await.text().await.unwrap().contains("EventSource"));

    // The cabinet is open and listening; the background check completes the registration.
    let mut events = w.browser.get(format!("{}/events?since={since}", w.portal)).send().await.unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    assert!(events.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    w.run_jobs().await;
    let mut text = String::new();
    while !text.contains("Завершено") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), events.chunk())
            .await
            .expect("the change arrives without a reload")
            .unwrap()
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: update") && text.contains(&format!("\"id\":\"{id}\"")), "{text}");
    assert!(text.contains("\"status\":\"Завершено\"") && text.contains("Услуга активирована"), "{text}");

    // A stream of a session that has ended stops.
    let cabinet = page(&w, "/cabinet").await;
    let mut events = w.browser.get(format!("{}/events?since=0", w.portal)).send().await.unwrap();
    w.post(&format!("{}/logout", w.portal), &[("csrf", &hidden(&cabinet, "csrf"))]).await;
    let end = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while let Some(_chunk) = events.chunk().await.unwrap() {}
    })
    .await;
    assert!(end.is_ok(), "the stream closes once the session is over");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_message_gateway_takes_only_its_token_and_whole_messages() {
    let w = world(Backend::Sqlite).await.unwrap();
    let url = format!("{}/outbox/deliver", w.idp);
    let message = serde_json::json!({ "channel": "sms", "to": "+79123456789", "text": "Проверка" });
    let http = reqwest::Client::new();
    let r = http.post(&url).json(&message).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r =
        http.post(&url).bearer_auth("gateway-token-for-the-tests-0000000000001").json(&message).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let wrong = serde_json::json!({ "channel": "pigeon", "to": "+79123456789", "text": "Проверка" });
    let r = http.post(&url).bearer_auth(common::GATEWAY).json(&wrong).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = http.post(&url).bearer_auth(common::GATEWAY).body("not json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = http.post(&url).bearer_auth(common::GATEWAY).json(&message).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let outbox = w.get(&format!("{}/outbox.json", w.idp)).await.text().await.unwrap();
    assert_eq!(outbox.matches("Проверка").count(), 1);
}

async fn a_sole_proprietor_is_checked_in_egrip_and_approved_by_an_officer(backend: Backend) {
    let Some(w) = world(backend).await else { return };
    w.sign_in_as(common::TOTP_PHONE).await;
    let wrong = file(&w, "ip", &[("passport_number", "000006"), ("ogrnip", "304770100000027")]).await;
    let app = file(&w, "ip", &[("passport_number", "000006"), ("ogrnip", "304770100000016")]).await;
    w.run_jobs().await;
    let shown = page(&w, &wrong).await;
    assert_eq!(status(&shown), "Отклонено");
    assert!(shown.contains("fns_egrip_not_found"), "{shown}");
    let shown = page(&w, &app).await;
    assert_eq!(status(&shown), "На проверке", "a sole proprietor waits for an officer");
    let officer = w.another_browser().await;
    officer.sign_in_as("+79456789012").await;
    let id = app.trim_start_matches("/applications/");
    let view = page(&officer, &format!("/officer/applications/{id}")).await;
    let csrf = hidden(&view, "csrf");
    officer.post(&format!("{}/officer/applications/{id}/take", w.portal), &[("csrf", &csrf)]).await;
    let r = officer
        .post(&format!("{}/officer/applications/{id}/decide", w.portal), &[("csrf", &csrf), ("decision", "approve")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    w.run_jobs().await;
    assert_eq!(status(&page(&w, &app).await), "Завершено");
}

/// SEC2: every endpoint of an application, with another citizen's session and with an officer
/// of the agency where only the applicant may act, answers 404 and changes nothing.
async fn sec2_every_application_endpoint_refuses_others_with_not_found(backend: Backend) {
    let Some(w) = world(backend).await else { return };
    w.sign_in().await;
    let app = file(&w, "person", &[("passport_number", "000001")]).await;
    let id = app.trim_start_matches("/applications/").to_owned();
    let shown = page(&w, &app).await;
    let doc =
        shown.split("href=\"").find(|h| h.contains("/attachments/")).unwrap().split('"').next().unwrap().to_owned();
    let other = w.another_browser().await;
    other.sign_in_as("+79345678901").await;
    let officer = w.another_browser().await;
    officer.sign_in_as("+79456789012").await;
    let own_csrf = |page: String| hidden(&page, "csrf");
    let other_csrf = own_csrf(page(&other, "/cabinet").await);
    let officer_csrf = own_csrf(page(&officer, "/cabinet").await);
    let gets = [app.clone(), format!("{app}/check"), doc.clone(), format!("{app}/messages/1/file")];
    let posts = [
        app.clone(),
        format!("{app}/submit"),
        format!("{app}/withdraw"),
        format!("{doc}/delete"),
        format!("{app}/contacts/sms"),
        format!("{app}/contacts/sms/confirm"),
        format!("/officer/applications/{id}/take"),
        format!("/officer/applications/{id}/decide"),
    ];
    for path in &gets {
        assert_eq!(other.get(&format!("{}{path}", w.portal)).await.status(), StatusCode::NOT_FOUND, "GET {path}");
    }
    assert_eq!(other.get(&format!("{}/officer/applications/{id}", w.portal)).await.status(), StatusCode::NOT_FOUND);
    for path in &posts {
        let form = [("csrf", other_csrf.as_str()), ("consent", "yes"), ("decision", "approve"), ("code", "123456")];
        let r = other.post(&format!("{}{path}", w.portal), &form).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "POST {path}");
    }
    let upload = |b: &World, csrf: String, path: String| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .text("document", "passport_scan")
            .text("text", "чужое")
            .part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("x.pdf"));
        b.browser.post(format!("{}{path}", w.portal)).multipart(form).send()
    };
    for path in [format!("{app}/documents"), format!("{app}/messages")] {
        let r = upload(&other, other_csrf.clone(), path.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "multipart {path}");
    }
    // The officer of the agency reads the application, but never acts as the applicant.
    for path in [format!("{app}/submit"), format!("{app}/withdraw"), app.clone()] {
        let r =
            officer.post(&format!("{}{path}", w.portal), &[("csrf", officer_csrf.as_str()), ("consent", "yes")]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "officer POST {path}");
    }
    let r = upload(&officer, officer_csrf.clone(), format!("{app}/documents")).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(officer.get(&format!("{}{doc}", w.portal)).await.status(), StatusCode::OK, "the agency reads the file");
    // Nothing changed, nothing leaked, and each refusal is journaled.
    let shown = page(&w, &app).await;
    assert_eq!(status(&shown), "Создано");
    assert!(!shown.contains("чужое"));
    let denied = w.db.store().list_audit(0, 500).await.unwrap();
    let n = denied.iter().filter(|e| e.event.action == "application.access_denied").count();
    assert!(n >= gets.len() + posts.len(), "{n}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r8_the_background_save_keeps_what_was_typed_and_answers_without_a_page() {
    let w = world(Backend::Sqlite).await.unwrap();
    w.sign_in().await;
    let service = page(&w, "/services/registration").await;
    let csrf = hidden(&service, "csrf");
    let start = [("csrf", csrf.as_str()), ("service", "registration"), ("applicant", "person")];
    let app = loc(&w.post(&format!("{}/applications", w.portal), &start).await);
    let form = page(&w, &app).await;
    assert!(form.contains("data-autosave") && form.contains("/assets/draft.js"));
    let r = w
        .browser
        .post(format!("{}{app}", w.portal))
        .header("x-sep-autosave", "1")
        .form(&[("csrf", csrf.as_str()), ("address", "г. Москва, ул. Арбат, д. 10")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(page(&w, &app).await.contains(">г. Москва, ул. Арбат, д. 10</textarea>"), "the address is a textarea");
    let r = w
        .browser
        .post(format!("{}{app}", w.portal))
        .header("x-sep-autosave", "1")
        .form(&[("csrf", "forged"), ("address", "чужой адрес")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "the background save is a form like any other");
    // Signed out (an idle session), a background save is refused without starting a login,
    // which would replace the login cookie of the page's own way back.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}{app}", w.portal))
        .header("x-sep-autosave", "1")
        .form(&[("csrf", csrf.as_str()), ("address", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get("set-cookie").is_none(), "no login cookie");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r7_an_application_past_its_date_is_announced_as_delayed_once() {
    let w = world(Backend::Sqlite).await.unwrap();
    w.sign_in_as("+79345678901").await;
    let app = file(&w, "org", &ORG).await;
    w.run_jobs().await;
    let store = w.db.store();
    let catalogue = sep_testkit::app::catalogue();
    let told = sep_core::application::review::announce_delays(store.as_ref(), &catalogue, w.clock.now()).await.unwrap();
    assert_eq!(told, 0, "on time");
    // Ten working days for an organisation; a month later nobody has decided.
    w.clock.advance(time::Duration::days(30));
    let told = sep_core::application::review::announce_delays(store.as_ref(), &catalogue, w.clock.now()).await.unwrap();
    assert_eq!(told, 1);
    let again =
        sep_core::application::review::announce_delays(store.as_ref(), &catalogue, w.clock.now()).await.unwrap();
    assert_eq!(again, 0, "once");
    let callback = w.through_the_emulator("+79345678901", "allow").await;
    w.get(&callback).await;
    let cabinet = page(&w, "/cabinet").await;
    assert!(cabinet.contains("срок рассмотрения превышен"), "{cabinet}");
    let jobs = w.db.store().list_jobs("notify", 50).await.unwrap();
    assert!(
        jobs.iter().any(|j| j.job.payload["subject"].as_str().unwrap_or("").contains("срок рассмотрения превышен"))
    );
    assert_eq!(status(&page(&w, &app).await), "На проверке");
}

/// An officer who takes a just-sent application does not skip the registry checks: approval
/// waits for them, and the check job still runs them; nor does an officer review their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a3_approval_waits_for_the_checks_and_nobody_reviews_their_own_application() {
    let w = world(Backend::Sqlite).await.unwrap();
    w.sign_in_as("+79345678901").await;
    let app = file(&w, "org", &ORG).await;
    let id = app.trim_start_matches("/applications/").to_owned();
    let officer = w.another_browser().await;
    officer.sign_in_as("+79456789012").await;
    let view = page(&officer, &format!("/officer/applications/{id}")).await;
    let csrf = hidden(&view, "csrf");
    let r = officer.post(&format!("{}/officer/applications/{id}/take", w.portal), &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "taken before the checks ran");
    let url = format!("{}/officer/applications/{id}/decide", w.portal);
    let approve = [("csrf", csrf.as_str()), ("decision", "approve")];
    let r = officer.post(&url, &approve).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("checks_pending"));
    w.run_jobs().await;
    assert!(page(&w, &app).await.contains("Проверки пройдены"), "the checks ran although an officer took it");
    assert_eq!(officer.post(&url, &approve).await.status(), StatusCode::SEE_OTHER);

    // The officer's own application is not in their queue and cannot be opened there.
    let own = file(&officer, "person", &[("passport_number", "000004")]).await;
    let own_id = own.trim_start_matches("/applications/");
    assert!(!page(&officer, "/officer").await.contains(own_id));
    let r = officer.get(&format!("{}/officer/applications/{own_id}", w.portal)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
