//! T14: nothing personal or secret in the logs. A citizen's whole path — filing an application
//! with documents, the officer's review, a certificate, a signature with its SMS code, the
//! journal — runs with every log line captured at the most detailed level, and the lines are
//! searched for the person's СНИЛС, ИНН, passport number, phone, e-mail, the SMS code and the
//! session token. The audit journal is searched the same way (it names actions and codes).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common::{PDF, file};
use std::sync::{Arc, Mutex};
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn no_personal_data_or_secret_reaches_the_logs_or_the_journal() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt().with_writer(logs.clone()).with_max_level(tracing::Level::TRACE).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let t = sep_testkit::TestApp::new().await;
    let w = t.citizen().await;
    let app = file(&w, "person", &[("passport_number", "583914")]).await;
    w.upload(&format!("{app}/messages"), &[("text", "Вопрос по заявлению")], &[("file", "скан.pdf", PDF)]).await;
    t.run_jobs().await;
    w.post_form("/signature/certificate", &[]).await;
    let page = w.page("/documents").await;
    let key = page.split("name=\"sign\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let url = w.post_form("/documents/sign", &[("sign", &key)]).await.location().to_owned();
    let jobs = t.db.store().list_jobs("notify", 100).await.unwrap();
    let sms = jobs
        .iter()
        .filter(|j| j.job.payload["text"].as_str().unwrap_or("").contains("подпись документа"))
        .max_by_key(|j| j.id)
        .unwrap();
    let code = sms.job.payload["text"].as_str().unwrap().split_whitespace().nth(1).unwrap().to_owned();
    w.post_form(&url, &[("code", "000000")]).await;
    w.post_form(&url, &[("code", &code)]).await;
    w.page("/history").await;
    // A failing request too: errors are where data slips into logs.
    w.post_form(&format!("{app}/submit"), &[("consent", "yes")]).await;

    let user = &w.user;
    let p = &user.profile;
    let mut secrets: Vec<(String, String)> = vec![
        ("СНИЛС".into(), p.snils.as_ref().unwrap().as_digits().to_owned()),
        ("СНИЛС printed".into(), p.snils.as_ref().unwrap().to_string()),
        ("ИНН".into(), p.inn.as_ref().unwrap().as_str().to_owned()),
        ("phone".into(), p.phone.as_ref().unwrap().as_str().to_owned()),
        ("e-mail".into(), p.email.as_ref().unwrap().as_str().to_owned()),
        ("passport number".into(), "583914".into()),
        ("SMS code".into(), code.clone()),
        ("CSRF secret".into(), w.csrf.clone()),
    ];
    if let Some(session) = w.cookie.split('=').nth(1) {
        secrets.push(("session token".into(), session.to_owned()));
    }
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(text.len() > 1000, "the logs were captured ({} bytes)", text.len());
    let journal: String =
        t.db.store()
            .list_audit(0, 1000)
            .await
            .unwrap()
            .iter()
            .map(|e| format!("{} {:?} {}\n", e.event.action, e.event.object, e.event.details))
            .collect();
    for (what, value) in &secrets {
        assert!(!text.contains(value.as_str()), "{what} in the logs");
        assert!(
            !journal.contains(value.as_str()),
            "{what} in the journal: {}",
            journal.lines().filter(|l| l.contains(value.as_str())).collect::<Vec<_>>().join(" | ")
        );
    }
}

/// T14: each security event leaves exactly one record — a refusal, an officer's read of a
/// person's document, an export of «Мои документы», a change of settings, a logout — and
/// nothing else leaves one by the way.
#[tokio::test]
async fn each_security_event_leaves_exactly_one_record() {
    use axum::http::StatusCode;
    let t = sep_testkit::TestApp::new().await;
    let w = t.citizen().await;
    let app = file(&w, "person", &[("passport_number", "000001")]).await;
    let store = t.db.store();
    let actions = || async {
        let mut all: Vec<String> =
            store.list_audit(0, 10_000).await.unwrap().into_iter().map(|e| e.event.action).collect();
        all.sort();
        all
    };
    // What one request adds to the journal.
    let added = |before: Vec<String>, after: Vec<String>| {
        let mut left = after;
        for a in before {
            if let Some(i) = left.iter().position(|x| *x == a) {
                left.remove(i);
            }
        }
        left
    };

    let other = t.sign_in_as(crate::common::TOTP_PHONE).await;
    let before = actions().await;
    assert_eq!(other.get(&app).await.status, StatusCode::NOT_FOUND);
    assert_eq!(added(before, actions().await), ["application.access_denied"], "a refusal");

    let id = sep_core::application::record::ApplicationId(
        uuid::Uuid::parse_str(app.trim_start_matches("/applications/")).unwrap(),
    );
    let file_id = store.list_attachments(id).await.unwrap()[0].id;
    let officer = t.officer("Оператор СЭП").await;
    let before = actions().await;
    assert_eq!(officer.get(&format!("{app}/attachments/{file_id}")).await.status, StatusCode::OK);
    assert_eq!(added(before, actions().await), ["document.downloaded"], "an officer reads a person's document");

    let before = actions().await;
    let r = w.post_form("/documents/zip", &[("d", &format!("a:{file_id}"))]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(added(before, actions().await), ["documents.exported"], "an export");
    let export = store
        .list_audit(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.event.action == "documents.exported")
        .unwrap();
    assert_eq!(export.event.details["documents"], 1);
    assert!(!format!("{:?}", export.event.details).contains(".pdf"), "no file names");

    let before = actions().await;
    w.post_form("/settings", &[("threshold", "normal"), ("language", "ru")]).await;
    assert_eq!(added(before, actions().await), ["settings.changed"], "a change of settings");

    let before = actions().await;
    let r = w.post_form("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(added(before, actions().await), ["auth.logout"], "a logout");
}
