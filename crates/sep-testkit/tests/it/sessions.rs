//! Portal sessions (SPEC L4, SECURITY.md T5), in process with signed-in browsers: the idle and
//! absolute timeouts, journaled; the session's CSRF secret on forms; the list of active
//! sessions, where another one can be ended.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common::hidden;
use axum::http::StatusCode;
use sep_testkit::TestApp;

#[tokio::test]
async fn t5_an_idle_session_ends_after_fifteen_minutes_and_is_journaled() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    t.clock.advance(time::Duration::minutes(14));
    assert_eq!(w.get("/cabinet").await.status, StatusCode::OK);
    t.clock.advance(time::Duration::minutes(15));
    assert_eq!(w.get("/cabinet").await.location(), "/login?return_to=/cabinet");
    let ended =
        t.db.store().list_audit(0, 100).await.unwrap().into_iter().find(|e| e.event.action == "session.ended").unwrap();
    assert_eq!(ended.event.details["reason"], "idle");
}

#[tokio::test]
async fn forms_without_the_session_csrf_token_are_refused() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let r = w.post("/logout", &[("csrf", "forged")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(w.get("/cabinet").await.status, StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn active_sessions_are_listed_and_another_one_can_be_ended() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let other = t.citizen().await; // a second browser of the same person
    let page = w.page("/sessions").await;
    assert!(page.contains("Текущий сеанс") && page.contains("127.0.0.1"), "{page}");
    assert_eq!(page.matches("Завершить сеанс").count(), 1, "the other session can be ended");
    let csrf = hidden(&page, "csrf");
    let id = hidden(&page, "session");
    // Someone else's (or a made-up) session id is "not found", and journaled as refused.
    let r = w.post("/sessions/end", &[("csrf", &csrf), ("session", &"0".repeat(64))]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(t.actions().await.contains(&("session.end_refused".into(), "denied".into())));
    let r = w.post("/sessions/end", &[("csrf", &csrf), ("session", &id)]).await;
    assert_eq!(r.location(), "/sessions");
    let r = other.get("/cabinet").await;
    assert_eq!(r.location(), "/login?return_to=/cabinet", "the other browser is signed out");
    assert_eq!(w.get("/cabinet").await.status, StatusCode::OK, "this one is not");
}

#[tokio::test]
async fn t5_an_active_session_still_ends_twelve_hours_after_login() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    // Busy all day: a page every 10 minutes keeps the idle timer from firing.
    for _ in 0..71 {
        t.clock.advance(time::Duration::minutes(10));
        assert_eq!(w.get("/cabinet").await.status, StatusCode::OK);
    }
    t.clock.advance(time::Duration::minutes(10));
    assert_eq!(w.get("/cabinet").await.location(), "/login?return_to=/cabinet");
    let ended =
        t.db.store().list_audit(0, 200).await.unwrap().into_iter().find(|e| e.event.action == "session.ended").unwrap();
    assert_eq!(ended.event.details["reason"], "absolute");
}

/// SEC1, suspicious activity: a session that keeps asking for other people's applications is
/// refused each time, and at the 20th refusal within ten minutes it ends, journaled with its
/// reason, and the person is told (in case it was not them). A new session starts afresh.
#[tokio::test]
async fn a_session_refused_twenty_times_in_ten_minutes_ends() {
    use sep_core::session::refusals::LIMIT;
    let t = TestApp::new().await;
    let owner = t.citizen().await;
    let app = crate::common::draft(&owner).await;
    let prober = t.sign_in_as(crate::common::TOTP_PHONE).await;
    for i in 1..LIMIT {
        assert_eq!(prober.get(&app).await.status, StatusCode::NOT_FOUND, "refusal {i}");
        if i == LIMIT / 2 {
            // Spread over time, within the window.
            t.clock.advance(time::Duration::minutes(4));
        }
    }
    assert_eq!(prober.get("/cabinet").await.status, StatusCode::OK, "still signed in after {} refusals", LIMIT - 1);
    assert_eq!(prober.get(&app).await.status, StatusCode::NOT_FOUND, "the last one is refused too");
    assert_eq!(prober.get("/cabinet").await.location(), "/login?return_to=/cabinet", "then the session is over");
    let journal = t.db.store().list_audit(0, 1000).await.unwrap();
    let refusals = journal.iter().filter(|e| e.event.action == "application.access_denied").count();
    assert_eq!(refusals, LIMIT);
    let ended = journal.iter().find(|e| e.event.action == "session.ended").unwrap();
    assert_eq!((ended.event.details["reason"].as_str(), ended.event.subject), (Some("refusals"), Some(prober.user.id)));
    let again = t.sign_in_as(crate::common::TOTP_PHONE).await;
    let cabinet = again.page("/cabinet").await;
    assert!(cabinet.contains("Сеанс завершён из-за подозрительных действий"), "the person is told: {cabinet}");
    assert_eq!(again.get(&app).await.status, StatusCode::NOT_FOUND);
    assert_eq!(again.get("/cabinet").await.status, StatusCode::OK, "a new session counts afresh");
    // Refusals spread wider than the window do not add up.
    let slow = t.sign_in_as("+79345678901").await;
    for _ in 0..LIMIT {
        assert_eq!(slow.get(&app).await.status, StatusCode::NOT_FOUND);
        t.clock.advance(time::Duration::seconds(40));
        assert_eq!(slow.get("/cabinet").await.status, StatusCode::OK);
    }
}
