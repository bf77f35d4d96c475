//! Server-side sessions.

use super::t0;
use crate::TestDb;
use sep_core::audit::NewAuditEvent;
use sep_core::ids::UserId;
use sep_core::session::{Session, SessionPolicy, SessionToken};
use sep_core::store::Effects;
use time::Duration;

/// A session of `user` opened at `at` from `ip`, stored as a login would store it (for tests
/// that sign a person in without a provider); its token for the cookie.
pub async fn open(db: &TestDb, user: UserId, at: time::OffsetDateTime, ip: &str) -> SessionToken {
    let (token, mut s) = session(user, sep_core::clock::to_micros(at));
    s.ip = ip.into();
    s.auth_method = "pwd sms".into();
    s.id_token = None;
    s.authenticated_at = None;
    db.store().insert_session(&s, &Effects::none()).await.unwrap();
    token
}

fn session(user: UserId, at: time::OffsetDateTime) -> (SessionToken, Session) {
    let token = SessionToken::generate().unwrap();
    let s = Session {
        hash: token.hash(),
        user_id: user,
        created_at: at,
        last_seen_at: at,
        ip: "192.0.2.10".into(),
        user_agent: "Mozilla/5.0 (X11; Linux x86_64)".into(),
        auth_method: "oidc".into(),
        csrf_secret: "csrf-secret".into(),
        ended_at: None,
        end_reason: None,
        id_token: Some("eyJhbGciOiJFUzI1NiJ9.e30.c2ln".into()),
        authenticated_at: Some(at - Duration::minutes(3)),
    };
    (token, s)
}

/// Create, touch, list, end, purge.
pub async fn lifecycle(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;

    let (tok_a, a) = session(user, at);
    let (_, b) = session(user, at + Duration::minutes(1));
    s.insert_session(&a, &Effects::audit(NewAuditEvent::system(at, "session.started", Some(user)))).await.unwrap();
    s.insert_session(&b, &Effects::none()).await.unwrap();
    assert_eq!(s.find_session(&tok_a.hash()).await.unwrap(), Some(a.clone()));
    assert!(s.find_session(&SessionToken::generate().unwrap().hash()).await.unwrap().is_none());
    // Read at once with its user, as every signed-in request reads them.
    let (with, owner) = s.find_session_and_user(&tok_a.hash()).await.unwrap().unwrap();
    assert_eq!((with, owner.clone()), (a.clone(), s.get_user(a.user_id).await.unwrap()));
    assert!(!owner.profile.last_name.is_empty(), "the user's columns are the user's");
    assert!(s.find_session_and_user(&SessionToken::generate().unwrap().hash()).await.unwrap().is_none());

    // Activity moves last_seen forward only.
    s.update_session_seen(&a.hash, at + Duration::minutes(10)).await.unwrap();
    s.update_session_seen(&a.hash, at + Duration::minutes(2)).await.unwrap();
    assert_eq!(s.find_session(&a.hash).await.unwrap().unwrap().last_seen_at, at + Duration::minutes(10));

    let policy = SessionPolicy::default();
    let listed = s.list_active_sessions(user, at + Duration::minutes(12), policy).await.unwrap();
    assert_eq!(
        listed.iter().map(|x| x.hash.clone()).collect::<Vec<_>>(),
        vec![b.hash.clone(), a.hash.clone()],
        "newest first"
    );
    // At +17 min, b (last seen +1) is idle for 16 minutes; a (seen at +10) is not.
    let listed = s.list_active_sessions(user, at + Duration::minutes(17), policy).await.unwrap();
    assert_eq!(listed.iter().map(|x| x.hash.clone()).collect::<Vec<_>>(), vec![a.hash.clone()]);

    let end_at = at + Duration::minutes(13);
    let fx = Effects::audit(NewAuditEvent::system(end_at, "session.ended", Some(user)));
    assert!(s.update_session_ended(&a.hash, end_at, "logout", &fx).await.unwrap());
    assert!(!s.update_session_ended(&a.hash, end_at, "logout", &fx).await.unwrap(), "ending twice is a no-op");
    let ended = s.find_session(&a.hash).await.unwrap().unwrap();
    assert_eq!((ended.ended_at, ended.end_reason.as_deref()), (Some(end_at), Some("logout")));
    let actions: Vec<String> =
        s.list_audit_for_user(user, None, 10).await.unwrap().into_iter().map(|e| e.event.action).collect();
    assert_eq!(actions, vec!["session.ended", "session.started"], "one record per event, newest first");
    assert!(s.list_active_sessions(user, end_at, policy).await.unwrap().iter().all(|x| x.hash != a.hash));

    assert_eq!(s.delete_sessions_before(end_at + Duration::seconds(1)).await.unwrap(), 2);
    assert!(s.find_session(&b.hash).await.unwrap().is_none());
}

/// A login request is taken once; a second take returns it marked used; unknown is `None`.
pub async fn login_requests(db: &TestDb) {
    use sep_core::session::LoginRequest;
    let s = db.store();
    let at = t0();
    let token = SessionToken::generate().unwrap();
    let r = LoginRequest {
        hash: token.hash(),
        state: "state-1".into(),
        nonce: "nonce-1".into(),
        pkce_verifier: "verifier-1".into(),
        return_to: "/cabinet".into(),
        created_at: at,
        expires_at: at + Duration::minutes(10),
        used_at: None,
    };
    s.insert_login_request(&r).await.unwrap();
    let first = s.take_login_request(&r.hash, at + Duration::seconds(5)).await.unwrap().unwrap();
    assert_eq!(first, r, "returned as it was before the take");
    let second = s.take_login_request(&r.hash, at + Duration::seconds(6)).await.unwrap().unwrap();
    assert_eq!(second.used_at, Some(at + Duration::seconds(5)), "a replay sees the first use");
    assert!(s.take_login_request(&SessionToken::generate().unwrap().hash(), at).await.unwrap().is_none());
    assert_eq!(s.delete_login_requests_before(at + Duration::minutes(11)).await.unwrap(), 1);
    assert!(s.take_login_request(&r.hash, at).await.unwrap().is_none());
}
