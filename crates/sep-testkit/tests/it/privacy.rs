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
