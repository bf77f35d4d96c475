//! After «Отправить заявление» (SPEC R7, A3, N2, SEC2), in process with signed-in browsers:
//! the registry checks run by the review worker, automatic completion for a citizen, a
//! registry failure and a registry outage, an organisation's application rejected by an
//! officer, fixed, sent again and approved; notifications in the cabinet, delivered through
//! the emulator's gateway on a real socket; nobody sees what is not theirs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common;

use axum::http::StatusCode;
use common::{ORG, PDF, file, hidden, send, status};
use sep_core::clock::Clock;
use sep_core::demo::OFFICER_AGENCY;
use sep_testkit::app::TestResponse;
use sep_testkit::{Backend, Signed, TestApp};

/// Each journey as two tests, on SQLite and on PostgreSQL (which returns at once when
/// `SEP_TEST_DATABASE_URL` is not set; `scripts/test` with `SEP_TEST_ALL=1` requires it).
macro_rules! on_both {
    ($($name:ident => $journey:ident;)*) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$journey(sep_testkit::Backend::Sqlite).await;
                }

                #[tokio::test]
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
    let Some(app) = TestApp::on(backend).await else { return };
    let w = app.citizen().await;
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains("подайте заявление") && !cabinet.contains("Вы зарегистрированы"));
    let sent = file(&w, "person", &[("passport_number", "000001")]).await;
    assert_eq!(status(&w.page(&sent).await), "Создано");

    assert_eq!(app.run_jobs().await, 2, "the check, then the completion");
    let shown = w.page(&sent).await;
    assert_eq!(status(&shown), "Завершено");
    assert!(shown.contains("Услуга активирована") && shown.contains("Проверки ФНС, СФР и МВД пройдены"), "{shown}");
    let journal: Vec<&str> = ["Создано", "На проверке", "Одобрено", "Завершено"]
        .into_iter()
        .filter(|s| shown.contains(&format!(">{s}</span></p>")))
        .collect();
    assert_eq!(journal.len(), 4, "every step is in the journal: {shown}");

    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains("Вы зарегистрированы в СЭП"), "{cabinet}");
    assert!(cabinet.contains(": Завершено") && cabinet.contains(": На проверке") && cabinet.contains(">новых: 4<"));
    let csrf = hidden(&cabinet, "csrf");
    let newest = hidden(&cabinet, "up_to");
    w.post("/notices/read", &[("csrf", &csrf), ("up_to", &newest)]).await;
    assert!(w.page("/cabinet").await.contains("data-count=\"0\" hidden>"), "all read");

    let jobs = app.db.store().list_jobs("notify", 50).await.unwrap();
    let sms: Vec<&str> =
        jobs.iter().filter(|j| j.job.kind == "send_sms").filter_map(|j| j.job.payload["text"].as_str()).collect();
    assert!(sms.iter().any(|t| t.contains("Завершено")), "an SMS when the service is provided: {sms:?}");
    let mails = jobs.iter().filter(|j| j.job.kind == "send_email").count();
    assert_eq!(mails, 4, "an e-mail per status change");
    assert!(app.actions().await.contains(&("application.completed".into(), "success".into())));

    // Delivered through the emulator's gateway: the same outbox as the emulator's own messages.
    let idp = common::emulator().await;
    assert!(idp.deliver(&app).await >= 5);
    let outbox: serde_json::Value = serde_json::from_str(&idp.outbox().await).unwrap();
    let sent: Vec<(String, String)> = outbox["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["recipient"].as_str().unwrap().to_owned(), m["body"].as_str().unwrap().to_owned()))
        .collect();
    assert!(sent.iter().any(|(to, body)| to == "+79123456789" && body.contains("Завершено")), "{sent:?}");
    assert!(sent.iter().any(|(to, body)| to == "ivanov@example.ru" && body.contains("Услуга активирована")));
    assert_eq!(idp.deliver(&app).await, 0, "each message once");
}

async fn a_registry_failure_is_a_named_reason_and_the_fixed_application_goes_again(backend: Backend) {
    let Some(app) = TestApp::on(backend).await else { return };
    let w = app.citizen().await;
    let sent = file(&w, "person", &[("passport_number", "999999")]).await;
    let number = w.page(&sent).await.split("Номер: <strong>").nth(1).unwrap().split('<').next().unwrap().to_owned();
    app.run_jobs().await;
    let shown = w.page(&sent).await;
    assert_eq!(status(&shown), "Отклонено");
    assert!(shown.contains("Что нужно исправить") && shown.contains("mvd_passport_invalid"), "{shown}");
    assert!(shown.contains("утрачен"), "the registry's own words");
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains("Требуется действие") && cabinet.contains("mvd_passport_invalid"), "{cabinet}");

    // The same application, fixed and sent again, keeps its number and passes.
    let csrf = hidden(&shown, "csrf");
    w.post(&sent, &[("csrf", &csrf), ("passport_number", "000001")]).await;
    send(&w, &sent).await;
    let shown = w.page(&sent).await;
    assert_eq!(status(&shown), "Создано");
    assert!(shown.contains(&format!("Номер: <strong>{number}</strong>")));
    app.run_jobs().await;
    assert_eq!(status(&w.page(&sent).await), "Завершено");
}

async fn a_registry_outage_keeps_the_application_under_review_and_retries(backend: Backend) {
    let Some(app) = TestApp::on(backend).await else { return };
    let w = app.citizen().await;
    app.registries.set_available("МВД", false);
    let sent = file(&w, "person", &[("passport_number", "000001")]).await;
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(status(&w.page(&sent).await), "На проверке", "nothing concluded");
    let job = app.db.store().list_jobs("review", 5).await.unwrap().remove(0);
    assert_eq!((job.state, job.attempts), (sep_core::job::JobState::Pending, 1));
    assert!(job.last_error.unwrap().contains("МВД"));
    assert_eq!(app.run_jobs().await, 0, "not before its back-off");
    app.clock.advance(time::Duration::minutes(2));
    assert_eq!(app.run_jobs().await, 1, "tried again, still down");
    app.registries.set_available("МВД", true);
    // The third try waits one to two minutes (and the applicant's session is still alive).
    app.clock.advance(time::Duration::minutes(5));
    app.run_jobs().await;
    assert_eq!(status(&w.page(&sent).await), "Завершено");
}

async fn officer_review(backend: Backend) {
    let Some(t) = TestApp::on(backend).await else { return };
    // Сидоров applies for ООО «Ромашка».
    let w = t.sign_in_as("+79345678901").await;
    let app = file(&w, "org", &ORG).await;
    let id = app.trim_start_matches("/applications/");
    t.run_jobs().await;
    let shown = w.page(&app).await;
    assert_eq!(status(&shown), "На проверке", "an organisation waits for an officer");
    assert!(shown.contains("Проверки пройдены. Заявление передано сотруднику ведомства «Оператор СЭП»"));
    assert_eq!(w.get("/officer").await.status, StatusCode::NOT_FOUND, "not an officer");

    // The officer, in another browser.
    let officer = t.officer(OFFICER_AGENCY).await;
    assert!(officer.page("/cabinet").await.contains("Очередь заявлений ведомства"));
    let queue = officer.page("/officer").await;
    assert!(queue.contains(&format!("/officer/applications/{id}")) && queue.contains("«Ромашка»"), "{queue}");
    let rejected_only = officer.page("/officer?status=rejected").await;
    assert!(!rejected_only.contains(id), "filtered by status");
    let overdue = officer.page("/officer?overdue=1").await;
    assert!(!overdue.contains(id), "not overdue yet");
    let view = officer.page(&format!("/officer/applications/{id}")).await;
    assert!(view.contains("Взять в работу") && !view.contains("Принять решение") && view.contains("charter.pdf"));
    let csrf = hidden(&view, "csrf");
    let decide = |form: Vec<(&'static str, String)>| {
        let url = format!("/officer/applications/{id}/decide");
        let mut body = vec![("csrf", csrf.clone())];
        body.extend(form);
        let officer = &officer;
        async move {
            let body: Vec<(&str, &str)> = body.iter().map(|(k, v)| (*k, v.as_str())).collect();
            officer.post(&url, &body).await
        }
    };
    let r = decide(vec![("decision", "approve".into())]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not taken into work yet");
    assert!(r.text.contains("application_not_in_charge") && r.text.contains("Взять в работу"), "{}", r.text);
    let r = officer.post(&format!("/officer/applications/{id}/take"), &[("csrf", &csrf)]).await;
    assert_eq!(r.location(), format!("/officer/applications/{id}"));
    let view = officer.page(&format!("/officer/applications/{id}")).await;
    assert!(view.contains("Заявление в работе у вас") && view.contains("Принять решение"));
    assert!(officer.page("/officer").await.contains("<td>вы</td>"));

    let r = decide(vec![]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "no decision chosen: the page again");
    assert!(r.text.contains("Выберите решение") && r.text.contains("decision_required"), "{}", r.text);
    let r = decide(vec![("decision", "reject".into())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("status_reason_required"));
    let r = decide(vec![
        ("decision", "reject".into()),
        ("reason", "authority_unconfirmed".into()),
        ("reason", "not_a_reason_of_this_service".into()),
        ("comment", "Приложите решение о назначении, подписанное участниками".into()),
    ])
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // «Связаться с оператором»: the applicant asks with a file, the officer answers.
    let shown = w.page(&app).await;
    let ask = [("csrf", hidden(&shown, "csrf")), ("text", "Какое решение о назначении нужно?".into())];
    let ask: Vec<(&str, &str)> = ask.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = w.post_multipart(&format!("{app}/messages"), &ask, &[("file", "устав.pdf", PDF)]).await;
    assert_eq!(r.location(), format!("{app}#messages"));
    let view = officer.page(&format!("/officer/applications/{id}")).await;
    assert!(view.contains("Какое решение о назначении нужно?") && view.contains("устав.pdf"), "{view}");
    let file_link = view.split("href=\"").find(|h| h.contains("/messages/") && h.contains("/file")).unwrap();
    let file_link = file_link.split('"').next().unwrap().to_owned();
    let r = officer.get(&file_link).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-disposition").unwrap().contains("filename*=UTF-8''%D1%83"));
    assert_eq!(r.text.as_bytes(), PDF, "the officer downloads the applicant's file");
    assert!(t.actions().await.iter().any(|(a, _)| a == "document.downloaded"), "journaled for the applicant");
    assert!(w.page("/history").await.contains("Документ открыт сотрудником ведомства"), "in the applicant's history");
    let answer = [("csrf", csrf.as_str()), ("text", "Решение участников о назначении директора")];
    let r = officer.post_multipart(&format!("{app}/messages"), &answer, &[]).await;
    assert_eq!(r.location(), format!("/officer/applications/{id}#messages"));
    let empty = [("csrf", csrf.as_str()), ("text", "  ")];
    let r = officer.post_multipart(&format!("{app}/messages"), &empty, &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("message_empty"));

    // One model of correspondence: the thread is a conversation of both mailboxes, found by
    // the mailbox's search, answered on the application (the officer's page read it).
    let inbox = w.page("/mail").await;
    assert!(inbox.contains(&format!("/mail/{id}")) && inbox.contains("Заявление №"), "{inbox}");
    assert!(inbox.contains("class=\"unread\""), "the answer is new: {inbox}");
    assert!(officer.page("/mail?box=agency").await.contains(&format!("/mail/{id}?box=agency")));
    let enc = |q: &str| q.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    let found = w.page(&format!("/mail?q={}", enc("назначение директора"))).await;
    assert!(found.contains("data-found=\"1\"") && found.contains(&format!("/mail/{id}")), "{found}");
    let r = w.upload(&format!("/mail/{id}/reply"), &[("text", "В обход заявления")], &[]).await;
    assert!(r.text.contains("mail_application_thread"), "{}", r.text);
    let sent = officer.page(&format!("/mail/{id}?box=agency")).await;
    assert!(sent.contains("data-receipt=\"delivered\"") && sent.contains("data-application-thread"), "{sent}");
    assert!(sent.contains("data-signed=\"system\""), "the agency's answer is signed with its key: {sent}");

    // The applicant sees the reason, the comment and the answer, fixes and sends again.
    let shown = w.page(&app).await;
    assert!(
        officer.page(&format!("/mail/{id}?box=agency")).await.contains("data-receipt=\"read\""),
        "read on the application's page"
    );
    assert!(!w.page("/mail").await.contains("class=\"unread\""));
    assert!(shown.contains("Сотрудник ведомства") && shown.contains("Решение участников о назначении директора"));
    assert!(w.page("/cabinet").await.contains("Новое сообщение по заявлению"));
    let doc_link =
        shown.split("href=\"").find(|h| h.contains("/attachments/")).unwrap().split('"').next().unwrap().to_owned();
    assert_eq!(w.get(&doc_link).await.text.as_bytes(), PDF);
    assert_eq!(status(&shown), "Отклонено");
    assert!(shown.contains("authority_unconfirmed") && shown.contains("подписанное участниками"), "{shown}");
    assert!(!shown.contains("not_a_reason_of_this_service"));
    let fields = [("csrf", hidden(&shown, "csrf")), ("document", "appointment_decision".into())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    w.post_multipart(&format!("{app}/documents"), &fields, &[("file", "решение.pdf", PDF)]).await;
    send(&w, &app).await;
    t.run_jobs().await;
    assert_eq!(status(&w.page(&app).await), "На проверке");

    let r = decide(vec![("decision", "approve".into())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "still the officer's");
    t.run_jobs().await;
    let shown = w.page(&app).await;
    assert_eq!(status(&shown), "Завершено");
    assert!(w.page("/cabinet").await.contains("Вы зарегистрированы в СЭП"));
    let acts = t.actions().await;
    for a in ["application.taken", "application.rejected", "application.approved", "application.completed"] {
        assert!(acts.contains(&(a.into(), "success".into())), "{a}: {acts:?}");
    }

    // Nobody else sees it: another citizen, and the officer through the applicant's pages.
    let other = t.citizen().await;
    for path in [format!("/officer/applications/{id}"), app.clone(), format!("{app}/check"), doc_link, file_link] {
        assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(officer.get(&app).await.status, StatusCode::NOT_FOUND);
    let r = other.post(&format!("/officer/applications/{id}/take"), &[("csrf", "x")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A draft is not the agency's business yet.
    let draft = {
        let page = other.page("/services/registration").await;
        let csrf = hidden(&page, "csrf");
        let start = [("csrf", csrf.as_str()), ("service", "registration"), ("applicant", "person")];
        other.post("/applications", &start).await.location().to_owned()
    };
    let draft_id = draft.trim_start_matches("/applications/");
    let r = officer.get(&format!("/officer/applications/{draft_id}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!officer.page("/officer").await.contains(draft_id));
}

#[tokio::test]
async fn the_queue_shows_overdue_applications() {
    let app = TestApp::new().await;
    let w = app.sign_in_as("+79345678901").await;
    let sent = file(&w, "org", &ORG).await;
    let id = sent.trim_start_matches("/applications/").to_owned();
    let officer = app.officer(OFFICER_AGENCY).await;
    assert!(!officer.page("/officer?overdue=1").await.contains(&id));
    // Thirty days on: past the ten working days, and the officer's session would have expired.
    app.clock.advance(time::Duration::days(30));
    assert_eq!(officer.get("/cabinet").await.location(), "/login?return_to=/cabinet", "the session has expired");
    let officer = app.officer(OFFICER_AGENCY).await;
    assert_eq!(officer.get("/cabinet").await.status, StatusCode::OK, "signed in again");
    let overdue = officer.page("/officer?overdue=1").await;
    assert!(overdue.contains(&id) && overdue.contains("Просрочено"), "{overdue}");
}

#[tokio::test]
async fn a_withdrawn_application_is_left_alone_by_the_checks() {
    let app = TestApp::new().await;
    let w = app.citizen().await;
    let sent = file(&w, "person", &[("passport_number", "000001")]).await;
    let shown = w.page(&sent).await;
    assert!(shown.contains("Отозвать заявление"));
    let r = w.post(&format!("{sent}/withdraw"), &[("csrf", &hidden(&shown, "csrf"))]).await;
    assert_eq!(r.location(), sent);
    let shown = w.page(&sent).await;
    assert_eq!(status(&shown), "Отозвано");
    assert!(!shown.contains("Отозвать заявление") && !shown.contains("Отправить сообщение"));
    assert_eq!(app.run_jobs().await, 1, "the check job finds nothing to do");
    assert_eq!(status(&w.page(&sent).await), "Отозвано");
    let r = w.post(&format!("{sent}/withdraw"), &[("csrf", &hidden(&shown, "csrf"))]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c2_a_status_change_reaches_an_open_cabinet_as_a_server_sent_event() {
    let app = TestApp::new().await;
    let anonymous = app.browser().stream("/events").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "an ended session, said as such (session_ended)");
    let w = app.citizen().await;
    let sent = file(&w, "person", &[("passport_number", "000001")]).await;
    let id = sent.trim_start_matches("/applications/");
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains(&format!("data-app-status=\"{id}\">Создано")), "{cabinet}");
    let since = cabinet.split("data-live=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert!(cabinet.contains("<script src=\"/assets/live.js\" defer>"));
    assert!(w.get("/assets/live.js").await.text.contains("EventSource"));

    // The cabinet is open and listening; the background check completes the registration.
    let mut events = w.stream(&format!("/events?since={since}")).await;
    assert_eq!(events.status, StatusCode::OK);
    assert!(events.headers["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    app.run_jobs().await;
    let mut text = String::new();
    while !text.contains("Завершено") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), events.chunk())
            .await
            .expect("the change arrives without a reload")
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: update") && text.contains(&format!("\"id\":\"{id}\"")), "{text}");
    assert!(text.contains("\"status\":\"Завершено\"") && text.contains("Услуга активирована"), "{text}");

    // A stream of a session that has ended stops.
    let cabinet = w.page("/cabinet").await;
    let mut events = w.stream("/events?since=0").await;
    w.post("/logout", &[("csrf", &hidden(&cabinet, "csrf"))]).await;
    let end = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while let Some(_chunk) = events.chunk().await {}
    })
    .await;
    assert!(end.is_ok(), "the stream closes once the session is over");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_message_gateway_takes_only_its_token_and_whole_messages() {
    let idp = common::emulator().await;
    let url = format!("{}/outbox/deliver", idp.url);
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
    let outbox = idp.outbox().await;
    assert_eq!(outbox.matches("Проверка").count(), 1);
}

async fn a_sole_proprietor_is_checked_in_egrip_and_approved_by_an_officer(backend: Backend) {
    let Some(t) = TestApp::on(backend).await else { return };
    let w = t.sign_in_as(common::TOTP_PHONE).await;
    let wrong = file(&w, "ip", &[("passport_number", "000006"), ("ogrnip", "304770100000027")]).await;
    let app = file(&w, "ip", &[("passport_number", "000006"), ("ogrnip", "304770100000016")]).await;
    t.run_jobs().await;
    let shown = w.page(&wrong).await;
    assert_eq!(status(&shown), "Отклонено");
    assert!(shown.contains("fns_egrip_not_found"), "{shown}");
    let shown = w.page(&app).await;
    assert_eq!(status(&shown), "На проверке", "a sole proprietor waits for an officer");
    let officer = t.officer(OFFICER_AGENCY).await;
    let id = app.trim_start_matches("/applications/");
    let view = officer.page(&format!("/officer/applications/{id}")).await;
    let csrf = hidden(&view, "csrf");
    officer.post(&format!("/officer/applications/{id}/take"), &[("csrf", &csrf)]).await;
    let r =
        officer.post(&format!("/officer/applications/{id}/decide"), &[("csrf", &csrf), ("decision", "approve")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    t.run_jobs().await;
    assert_eq!(status(&w.page(&app).await), "Завершено");
}

/// SEC2: every endpoint of an application, with another citizen's session and with an officer
/// of the agency where only the applicant may act, answers 404 and changes nothing.
async fn sec2_every_application_endpoint_refuses_others_with_not_found(backend: Backend) {
    let Some(t) = TestApp::on(backend).await else { return };
    let w = t.citizen().await;
    let app = file(&w, "person", &[("passport_number", "000001")]).await;
    let id = app.trim_start_matches("/applications/").to_owned();
    let shown = w.page(&app).await;
    let doc =
        shown.split("href=\"").find(|h| h.contains("/attachments/")).unwrap().split('"').next().unwrap().to_owned();
    let other = t.sign_in_as("+79345678901").await;
    let officer = t.officer(OFFICER_AGENCY).await;
    let own_csrf = |page: String| hidden(&page, "csrf");
    let other_csrf = own_csrf(other.page("/cabinet").await);
    let officer_csrf = own_csrf(officer.page("/cabinet").await);
    let gets =
        [app.clone(), format!("{app}/check"), doc.clone(), format!("{doc}?inline=1"), format!("{app}/messages/1/file")];
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
        assert_eq!(other.get(path).await.status, StatusCode::NOT_FOUND, "GET {path}");
    }
    assert_eq!(other.get(&format!("/officer/applications/{id}")).await.status, StatusCode::NOT_FOUND);
    let theirs = other.page("/documents").await;
    assert!(!theirs.contains("passport_scan.pdf") && !theirs.contains(&id), "«Мои документы» lists only one's own");
    for path in &posts {
        let form = [("csrf", other_csrf.as_str()), ("consent", "yes"), ("decision", "approve"), ("code", "123456")];
        let r = other.post(path, &form).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "POST {path}");
    }
    async fn upload(b: &Signed, csrf: String, path: String) -> TestResponse {
        let fields = [("csrf", csrf.as_str()), ("document", "passport_scan"), ("text", "чужое")];
        b.post_multipart(&path, &fields, &[("file", "x.pdf", PDF)]).await
    }
    for path in [format!("{app}/documents"), format!("{app}/messages")] {
        let r = upload(&other, other_csrf.clone(), path.clone()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "multipart {path}");
    }
    // The officer of the agency reads the application, but never acts as the applicant.
    for path in [format!("{app}/submit"), format!("{app}/withdraw"), app.clone()] {
        let r = officer.post(&path, &[("csrf", officer_csrf.as_str()), ("consent", "yes")]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "officer POST {path}");
    }
    let r = upload(&officer, officer_csrf.clone(), format!("{app}/documents")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(officer.get(&doc).await.status, StatusCode::OK, "the agency reads the file");
    // Nothing changed, nothing leaked, and each refusal is journaled.
    let shown = w.page(&app).await;
    assert_eq!(status(&shown), "Создано");
    assert!(!shown.contains("чужое"));
    let denied = t.db.store().list_audit(0, 500).await.unwrap();
    let n = denied.iter().filter(|e| e.event.action == "application.access_denied").count();
    assert!(n >= gets.len() + posts.len(), "{n}");
}

#[tokio::test]
async fn r8_the_background_save_keeps_what_was_typed_and_answers_without_a_page() {
    let app = TestApp::new().await;
    let w = app.citizen().await;
    let service = w.page("/services/registration").await;
    let csrf = hidden(&service, "csrf");
    let start = [("csrf", csrf.as_str()), ("service", "registration"), ("applicant", "person")];
    let draft = w.post("/applications", &start).await.location().to_owned();
    let form = w.page(&draft).await;
    assert!(form.contains("data-autosave") && form.contains("/assets/draft.js"));
    let autosave = [("x-sep-autosave", "1")];
    let r =
        w.post_with(&draft, &[("csrf", csrf.as_str()), ("address", "г. Москва, ул. Арбат, д. 10")], &autosave).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(w.page(&draft).await.contains(">г. Москва, ул. Арбат, д. 10</textarea>"), "the address is a textarea");
    let r = w.post_with(&draft, &[("csrf", "forged"), ("address", "чужой адрес")], &autosave).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the background save is a form like any other");
    // Signed out (an idle session), a background save is refused without starting a login,
    // which would replace the login cookie of the page's own way back.
    let r = app.browser().post_with(&draft, &[("csrf", csrf.as_str()), ("address", "x")], &autosave).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.header("set-cookie").is_none(), "no login cookie");
    assert!(
        r.text.contains("session_ended") && r.text.contains("Сеанс завершён"),
        "an ended session says so: {}",
        r.text
    );
}

#[tokio::test]
async fn r7_an_application_past_its_date_is_announced_as_delayed_once() {
    let app = TestApp::new().await;
    let w = app.sign_in_as("+79345678901").await;
    let sent = file(&w, "org", &ORG).await;
    app.run_jobs().await;
    let store = app.db.store();
    let catalogue = sep_testkit::app::catalogue();
    let told =
        sep_core::application::review::announce_delays(store.as_ref(), &catalogue, app.clock.now()).await.unwrap();
    assert_eq!(told, 0, "on time");
    // Ten working days for an organisation; a month later nobody has decided.
    app.clock.advance(time::Duration::days(30));
    let told =
        sep_core::application::review::announce_delays(store.as_ref(), &catalogue, app.clock.now()).await.unwrap();
    assert_eq!(told, 1);
    let again =
        sep_core::application::review::announce_delays(store.as_ref(), &catalogue, app.clock.now()).await.unwrap();
    assert_eq!(again, 0, "once");
    // The session has expired meanwhile: signed in again.
    let w = app.sign_in_as("+79345678901").await;
    let cabinet = w.page("/cabinet").await;
    assert!(cabinet.contains("срок рассмотрения превышен"), "{cabinet}");
    let jobs = app.db.store().list_jobs("notify", 50).await.unwrap();
    assert!(
        jobs.iter().any(|j| j.job.payload["subject"].as_str().unwrap_or("").contains("срок рассмотрения превышен"))
    );
    assert_eq!(status(&w.page(&sent).await), "На проверке");
}

/// An officer who takes a just-sent application does not skip the registry checks: approval
/// waits for them, and the check job still runs them; nor does an officer review their own.
#[tokio::test]
async fn a3_approval_waits_for_the_checks_and_nobody_reviews_their_own_application() {
    let t = TestApp::new().await;
    let w = t.sign_in_as("+79345678901").await;
    let app = file(&w, "org", &ORG).await;
    let id = app.trim_start_matches("/applications/").to_owned();
    let officer = t.officer(OFFICER_AGENCY).await;
    let view = officer.page(&format!("/officer/applications/{id}")).await;
    let csrf = hidden(&view, "csrf");
    let r = officer.post(&format!("/officer/applications/{id}/take"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "taken before the checks ran");
    let url = format!("/officer/applications/{id}/decide");
    let approve = [("csrf", csrf.as_str()), ("decision", "approve")];
    let r = officer.post(&url, &approve).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("checks_pending"));
    t.run_jobs().await;
    assert!(w.page(&app).await.contains("Проверки пройдены"), "the checks ran although an officer took it");
    assert_eq!(officer.post(&url, &approve).await.status, StatusCode::SEE_OTHER);

    // The officer's own application is not in their queue and cannot be opened there.
    let own = file(&officer, "person", &[("passport_number", "000004")]).await;
    let own_id = own.trim_start_matches("/applications/");
    assert!(!officer.page("/officer").await.contains(own_id));
    let r = officer.get(&format!("/officer/applications/{own_id}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
