//! Webhooks (issue 18, point 6): a program subscribes through the API, events of its person
//! arrive at a real HTTP receiver signed as Standard Webhooks says — checked by our own
//! verification and by the independent `standardwebhooks` package (PyPI) — and are retried on
//! the schedule, logged, failed after the last try, replayed and recovered; a 410 disables the
//! endpoint and tells its owner; a rotation signs with both secrets; another's subscription is
//! out of reach; private addresses are refused when the configuration does not allow them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::api::{call, issue, json, refusal, write};
use axum::http::StatusCode;
use sep_core::clock::Clock;
use sep_core::integration::webhook::deliver::Sender;
use sep_core::integration::webhook::{SCHEDULE, WebhookError, signature};
use sep_testkit::TestApp;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use time::Duration;

/// What a receiver got: its headers (lowercase names) and body.
#[derive(Clone, Debug)]
pub(crate) struct Got {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Got {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }
}

/// A receiver on loopback answering the statuses queued (200 when none), keeping what came.
#[derive(Clone, Default)]
pub(crate) struct Receiver {
    got: Arc<Mutex<Vec<Got>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
    always: Arc<Mutex<Option<u16>>>,
}

impl Receiver {
    pub(crate) async fn start() -> (Self, String) {
        let r = Self::default();
        let state = r.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let state = state.clone();
                async move {
                    let headers = headers
                        .iter()
                        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                        .collect();
                    state.got.lock().unwrap().push(Got { headers, body });
                    let status = state.answers.lock().unwrap().pop_front().or(*state.always.lock().unwrap());
                    (StatusCode::from_u16(status.unwrap_or(200)).unwrap(), "received")
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (r, url)
    }

    pub(crate) fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }
}

/// `got`'s signature verifies under `secret` (one of the space-separated entries).
pub(crate) fn signed_by(got: &Got, secret: &str) -> bool {
    let ts: i64 = got.header("webhook-timestamp").parse().unwrap();
    let want = signature(secret, got.header("webhook-id"), ts, &got.body).unwrap();
    got.header("webhook-signature").split(' ').any(|s| s == want)
}

#[tokio::test]
async fn events_arrive_signed_and_are_retried_logged_replayed_and_recovered() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let (rx, url) = Receiver::start().await;
    let token = issue(&w, "Учёт", &["webhooks:manage"]).await;

    // Refusals first: each with its code.
    for (body, code) in [
        (r#"{"url":"ftp://x/","events":["mail.received"]}"#.to_owned(), "webhook_url_invalid"),
        (format!(r#"{{"url":"{url}","events":["application.deleted"]}}"#), "webhook_events_invalid"),
        (format!(r#"{{"url":"{url}","events":[]}}"#), "webhook_events_invalid"),
    ] {
        let r = write(&t, "POST", "/api/v1/webhooks", &token, None, &body).await;
        assert_eq!(refusal(&r).1, code, "{body}");
    }
    let body = format!(r#"{{"url":"{url}","events":["application.submitted","application.status_changed"]}}"#);
    let r = write(&t, "POST", "/api/v1/webhooks", &token, None, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let made = json(&r);
    let id = made["id"].as_str().unwrap().to_owned();
    let secret = made["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{made}");
    let shown = json(&call(&t, &format!("/api/v1/webhooks/{id}"), &token).await);
    assert!(shown.get("secret").is_none() && shown["state"] == "active", "the secret is shown once: {shown}");
    let journal = format!("{:?}", t.db.store().list_audit(0, 10_000).await.unwrap());
    assert!(journal.contains("webhook.subscribed") && !journal.contains(&secret[6..]), "journaled, not the secret");

    // Sending an application raises both events; they arrive signed, once each.
    crate::common::file(&w, "person", &[("passport_number", "000001")]).await;
    assert!(t.run_webhooks().await >= 3, "the event jobs and the deliveries");
    let got = rx.got();
    let types: Vec<String> =
        got.iter().map(|g| serde_json::from_str::<serde_json::Value>(&g.body).unwrap()["type"].to_string()).collect();
    assert_eq!(got.len(), 2, "{types:?}");
    assert!(types.contains(&"\"application.submitted\"".to_owned()), "{types:?}");
    for g in &got {
        assert!(signed_by(g, &secret), "{g:?}");
        assert!(g.header("webhook-id").starts_with("msg_") && g.header("content-type") == "application/json");
        let ts: i64 = g.header("webhook-timestamp").parse().unwrap();
        assert!((ts - t.clock.now().unix_timestamp()).abs() <= 1, "the attempt's own time");
        let body: serde_json::Value = serde_json::from_str(&g.body).unwrap();
        assert!(body["data"]["application"].as_str().is_some() && body["timestamp"].as_str().is_some(), "{body}");
    }
    assert_eq!(t.run_webhooks().await, 0, "nothing twice");

    // A failure is retried on the schedule and the log shows each attempt.
    rx.answers.lock().unwrap().push_back(503);
    crate::common::file(&w, "person", &[("passport_number", "000002")]).await;
    t.run_webhooks().await;
    let before = rx.got().len();
    assert_eq!(before, 4, "one failed, one delivered");
    t.clock.advance(SCHEDULE[1]);
    t.run_webhooks().await;
    assert_eq!(rx.got().len(), 5, "the failed one again after 5 s");
    assert_eq!(rx.got()[4].header("webhook-id"), rx.got()[2].header("webhook-id"), "the same webhook-id");
    let log = json(&call(&t, &format!("/api/v1/webhooks/{id}/messages?limit=200"), &token).await);
    let retried = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["attempts"].as_array().unwrap().len() == 2)
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(retried["state"], "delivered");
    assert_eq!(retried["attempts"][0]["status"], 503);
    assert_eq!(retried["attempts"][1]["response"], "received");
    let page = json(&call(&t, &format!("/api/v1/webhooks/{id}/messages?limit=1"), &token).await);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = json(&call(&t, &format!("/api/v1/webhooks/{id}/messages?limit=200&cursor={cursor}"), &token).await);
    assert_eq!(rest["items"].as_array().unwrap().len(), 3, "four messages, paged");

    // Every attempt failing: after the eighth the message is a dead letter; replayed, it goes.
    *rx.always.lock().unwrap() = Some(500);
    crate::common::file(&w, "person", &[("passport_number", "000003")]).await;
    t.run_webhooks().await;
    for delay in &SCHEDULE[1..] {
        t.clock.advance(*delay);
        t.run_webhooks().await;
    }
    let w = t.citizen().await; // a day and a half later: signed in anew
    let failed = json(&call(&t, &format!("/api/v1/webhooks/{id}/messages?state=failed"), &token).await);
    let dead = failed["items"].as_array().unwrap();
    assert_eq!(dead.len(), 2, "both events of the third application: {failed}");
    assert_eq!(dead[0]["attempts"].as_array().unwrap().len(), SCHEDULE.len(), "every try logged");
    let shown = json(&call(&t, &format!("/api/v1/webhooks/{id}"), &token).await);
    assert!(shown["failing_since"].as_str().is_some() && shown["state"] == "active", "failing, not yet disabled");
    *rx.always.lock().unwrap() = None;
    let msg = dead[0]["id"].as_str().unwrap();
    let replay = format!("/api/v1/webhooks/{id}/messages/{msg}/replay");
    let r = write(&t, "POST", &replay, &token, None, "").await;
    assert_eq!((r.status, json(&r)["queued"].as_u64()), (StatusCode::ACCEPTED, Some(1)), "{}", r.text);
    assert_eq!(refusal(&write(&t, "POST", &replay, &token, None, "").await).1, "webhook_message_pending");
    t.run_webhooks().await;
    let shown = json(&call(&t, &format!("/api/v1/webhooks/{id}"), &token).await);
    assert!(shown["failing_since"].is_null(), "a success ends the failure: {shown}");

    // 410: disabled at once, the owner told; events meanwhile fail unsent; enabled and
    // recovered, they go.
    let since = t.clock.now();
    rx.answers.lock().unwrap().push_back(410);
    crate::common::file(&w, "person", &[("passport_number", "000004")]).await;
    t.run_webhooks().await;
    let shown = json(&call(&t, &format!("/api/v1/webhooks/{id}"), &token).await);
    assert_eq!((shown["state"].as_str(), shown["disabled_reason"].as_str()), (Some("disabled"), Some("gone")));
    assert!(w.page("/cabinet").await.contains("Подписка на события отключена"), "the owner is told");
    let sent = rx.got().len();
    let r = write(&t, "POST", &format!("/api/v1/webhooks/{id}/enable"), &token, None, "").await;
    assert_eq!((r.status, json(&r)["state"].as_str()), (StatusCode::OK, Some("active")), "{}", r.text);
    let recover = format!(r#"{{"since":"{}"}}"#, sep_web_rfc3339(since));
    let r = write(&t, "POST", &format!("/api/v1/webhooks/{id}/recover"), &token, None, &recover).await;
    assert_eq!((r.status, json(&r)["queued"].as_u64()), (StatusCode::ACCEPTED, Some(2)), "{}", r.text);
    t.run_webhooks().await;
    assert_eq!(rx.got().len(), sent + 2, "both recovered");
    let r =
        write(&t, "POST", &format!("/api/v1/webhooks/{id}/recover"), &token, None, r#"{"since":"yesterday"}"#).await;
    assert_eq!(refusal(&r).1, "api_since_invalid");

    // Failing for five days disables it too (the failure's start moved back to say so).
    let store = t.db.store();
    let mut e = store.get_webhook_endpoint(id.parse().unwrap()).await.unwrap();
    e.failing_since = Some(t.clock.now() - sep_core::integration::webhook::DISABLE_AFTER);
    store.update_webhook_endpoint(&e, &sep_core::store::Effects::none()).await.unwrap();
    rx.answers.lock().unwrap().push_back(500);
    crate::common::file(&w, "person", &[("passport_number", "000007")]).await;
    t.run_webhooks().await;
    let shown = json(&call(&t, &format!("/api/v1/webhooks/{id}"), &token).await);
    assert_eq!(shown["disabled_reason"], "failing", "{shown}");
    write(&t, "POST", &format!("/api/v1/webhooks/{id}/enable"), &token, None, "").await;

    // A rotation: both secrets sign for a day.
    let r = write(&t, "POST", &format!("/api/v1/webhooks/{id}/rotate"), &token, None, "").await;
    let rotated = json(&r)["secret"].as_str().unwrap().to_owned();
    assert_ne!(rotated, secret);
    crate::common::file(&w, "person", &[("passport_number", "000005")]).await;
    t.run_webhooks().await;
    let last = rx.got().pop().unwrap();
    assert!(signed_by(&last, &secret) && signed_by(&last, &rotated), "{last:?}");
    t.clock.advance(Duration::hours(25));
    let w = t.citizen().await;
    crate::common::file(&w, "person", &[("passport_number", "000006")]).await;
    t.run_webhooks().await;
    let last = rx.got().pop().unwrap();
    assert!(signed_by(&last, &rotated) && !signed_by(&last, &secret), "the old one stopped");

    // Another person reaches none of it; the owner removes it.
    let other = t.sign_in_as("+79345678901").await;
    let theirs = issue(&other, "Чужая", &["webhooks:manage"]).await;
    assert!(json(&call(&t, "/api/v1/webhooks", &theirs).await)["items"].as_array().unwrap().is_empty());
    for path in [format!("/api/v1/webhooks/{id}"), format!("/api/v1/webhooks/{id}/messages")] {
        assert_eq!(call(&t, &path, &theirs).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    for path in [format!("/api/v1/webhooks/{id}/rotate"), replay.clone()] {
        assert_eq!(write(&t, "POST", &path, &theirs, None, "").await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        write(&t, "DELETE", &format!("/api/v1/webhooks/{id}"), &theirs, None, "").await.status,
        StatusCode::NOT_FOUND
    );
    let r = write(&t, "DELETE", &format!("/api/v1/webhooks/{id}"), &token, None, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(json(&call(&t, "/api/v1/webhooks", &token).await)["items"].as_array().unwrap().is_empty());
    let docs_only = issue(&w, "Архив", &["documents:read"]).await;
    assert_eq!(refusal(&call(&t, "/api/v1/webhooks", &docs_only).await).1, "api_scope_missing");
}

fn sep_web_rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

/// Outside the demo, addresses in private networks are refused when subscribing and when
/// posting, a literal or a name resolving to one alike, and plain http too.
#[tokio::test]
async fn private_addresses_are_refused_unless_allowed() {
    let strict = sep_web::webhooks::HttpSender::new(false);
    for url in ["https://127.0.0.1/hook", "https://[::1]/hook", "https://10.0.0.7/", "https://localhost/hook"] {
        assert!(matches!(strict.check(url).await, Err(WebhookError::UrlPrivate)), "{url}");
    }
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let token = issue(&w, "Учёт", &["webhooks:manage"]).await;
    let r = write(
        &t,
        "POST",
        "/api/v1/webhooks",
        &token,
        None,
        r#"{"url":"http://127.0.0.1:9/","events":["mail.received"]}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "the tests allow loopback: {}", r.text);
    let strict_app = TestApp::new().await;
    let strict_app = strict_app.hooking(Arc::new(sep_web::webhooks::HttpSender::new(false)));
    let w = strict_app.citizen().await;
    let token = issue(&w, "Учёт", &["webhooks:manage"]).await;
    for url in ["http://example.org/hook", "https://127.0.0.1/hook", "https://localhost:8080/hook"] {
        let body = format!(r#"{{"url":"{url}","events":["mail.received"]}}"#);
        let r = write(&strict_app, "POST", "/api/v1/webhooks", &token, None, &body).await;
        let code = if url.starts_with("http:") { "webhook_url_invalid" } else { "webhook_url_private" };
        assert_eq!(refusal(&r).1, code, "{url}");
    }
    // Posting checks again (a name may change its answer after the subscription).
    let (rx, url) = Receiver::start().await;
    let by_name = url.replace("127.0.0.1", "localhost");
    for target in [url.as_str(), by_name.as_str()] {
        let out = strict.post(target, &[], "{}").await;
        assert!(out.status.is_none() && out.error.is_some(), "{target}: {out:?}");
    }
    assert!(rx.got().is_empty(), "nothing reached the receiver");
}

/// An independent implementation — the `standardwebhooks` package of PyPI — verifies what the
/// portal sends. Needs `python3 -m pip install standardwebhooks`; under `SEP_TEST_ALL=1` its
/// absence fails the test.
#[tokio::test]
async fn the_standardwebhooks_package_verifies_our_signatures() {
    use std::io::{BufRead, BufReader, Write};
    const RECEIVER: &str = r#"
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from standardwebhooks.webhooks import Webhook
server = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
print(server.server_address[1], flush=True)
hook = Webhook(sys.stdin.readline().strip())
# Gone with the test: its end closes our input.
import os, threading
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        try:
            payload = hook.verify(body, {k.lower(): v for k, v in self.headers.items()})
            print("ok", payload["type"], flush=True)
        except Exception as e:
            print("bad", repr(e), flush=True)
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
server.RequestHandlerClass = Handler
while True:
    server.handle_request()
"#;
    let probe = std::process::Command::new("python3").args(["-c", "import standardwebhooks"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        assert_ne!(std::env::var("SEP_TEST_ALL").as_deref(), Ok("1"), "pip install standardwebhooks");
        eprintln!("standardwebhooks not installed: skipped");
        return;
    }
    let mut py = std::process::Command::new("python3")
        .args(["-c", RECEIVER])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(py.stdout.take().unwrap());
    let mut port = String::new();
    out.read_line(&mut port).unwrap();
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let token = issue(&w, "Учёт", &["webhooks:manage"]).await;
    let body = format!(r#"{{"url":"http://127.0.0.1:{}/hook","events":["application.submitted"]}}"#, port.trim());
    let made = json(&write(&t, "POST", "/api/v1/webhooks", &token, None, &body).await);
    writeln!(py.stdin.as_mut().unwrap(), "{}", made["secret"].as_str().unwrap()).unwrap();
    crate::common::file(&w, "person", &[("passport_number", "000001")]).await;
    t.run_webhooks().await;
    let mut verdict = String::new();
    out.read_line(&mut verdict).unwrap();
    py.kill().ok();
    py.wait().ok();
    assert_eq!(verdict.trim(), "ok application.submitted");
}

/// A receiver that redirects is a failure, not followed; document events reach subscribers.
#[tokio::test]
async fn redirects_are_not_followed_and_document_events_arrive() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let token = issue(&w, "Учёт", &["webhooks:manage", "applications:write"]).await;
    let hits = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = hits.clone();
    let app = axum::Router::new()
        .route("/moved", axum::routing::post(|| async { axum::response::Redirect::temporary("/elsewhere") }))
        .route(
            "/elsewhere",
            axum::routing::post(move |body: String| {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push(body);
                    StatusCode::OK
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let (rx, url) = Receiver::start().await;
    for target in [format!("{base}/moved"), url] {
        let body =
            format!(r#"{{"url":"{target}","events":["document.created","document.deleted","application.submitted"]}}"#);
        assert_eq!(write(&t, "POST", "/api/v1/webhooks", &token, None, &body).await.status, StatusCode::CREATED);
    }
    let made = json(
        &write(
            &t,
            "POST",
            "/api/v1/applications",
            &token,
            None,
            r#"{"service":"registration","applicant_type":"person"}"#,
        )
        .await,
    );
    let id = made["id"].as_str().unwrap();
    let upload = axum::http::Request::post(format!("/api/v1/applications/{id}/documents/passport_scan?name=p.pdf"))
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from(crate::common::PDF))
        .unwrap();
    let key = json(&t.request(upload).await)["key"].as_str().unwrap().to_owned();
    t.run_webhooks().await;
    assert!(hits.lock().unwrap().is_empty(), "the redirect was not followed");
    let got = rx.got();
    assert_eq!(got.len(), 1, "{got:?}");
    let body: serde_json::Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(
        (body["type"].as_str(), body["data"]["document"].as_str()),
        (Some("document.created"), Some(key.as_str()))
    );
    let endpoints = json(&call(&t, "/api/v1/webhooks", &token).await);
    let moved =
        endpoints["items"].as_array().unwrap().iter().find(|e| e["url"].as_str().unwrap().ends_with("/moved")).unwrap();
    let log = json(&call(&t, &format!("/api/v1/webhooks/{}/messages", moved["id"].as_str().unwrap()), &token).await);
    assert_eq!(log["items"][0]["attempts"][0]["status"], 307, "a 3xx is a failed attempt: {log}");
    assert_eq!(log["items"][0]["state"], "pending", "to be tried again");
}
