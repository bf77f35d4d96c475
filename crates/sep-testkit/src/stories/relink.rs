//! Pending re-links and the jobs they enqueue.

use super::t0;
use crate::TestDb;
use sep_core::StoreError;
use sep_core::audit::NewAuditEvent;
use sep_core::job::{JobKind, NewJob, Queue};
use sep_core::otp::{CodeState, OtpPolicy};
use sep_core::session::{RelinkRequest, SessionToken};
use sep_core::store::Effects;
use time::Duration;

/// Insert, send a code with its message in the same transaction, read back, complete.
pub async fn lifecycle(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let token = SessionToken::generate().unwrap();
    let mut r = RelinkRequest {
        hash: token.hash(),
        user_id: user,
        data: serde_json::json!({"snils": "12345678964", "id_token": "a.b.c"}),
        sent_to: None,
        code: None,
        created_at: at,
        expires_at: at + Duration::minutes(15),
        completed_at: None,
    };
    s.insert_relink(&r, &Effects::audit(NewAuditEvent::system(at, "user.relink_requested", Some(user)))).await.unwrap();
    assert_eq!(s.find_relink(&r.hash).await.unwrap(), Some(r.clone()));

    r.sent_to = Some(("sms".into(), "+79123456789".into()));
    r.code = Some(CodeState::new(&r.hash.0, "123456", at, OtpPolicy::default()));
    let job = NewJob::of(JobKind::SendSms, serde_json::json!({"to": "+79123456789", "text": "code"}), at);
    r.data["sends"] = serde_json::json!(1);
    s.update_relink(&r, None, &Effects::none().with_job(job)).await.unwrap();
    assert_eq!(s.find_relink(&r.hash).await.unwrap(), Some(r.clone()));
    let jobs = s.list_jobs(Queue::Notify.code(), 10).await.unwrap();
    assert_eq!((jobs.len(), jobs[0].kind()), (1, Some(JobKind::SendSms)));

    let read = r.code.clone();
    let mut stale = r.clone();
    r.completed_at = Some(at + Duration::minutes(1));
    if let Some(c) = r.code.as_mut() {
        c.spent = true;
        c.tries_left = 2;
    }
    s.update_relink(&r, read.as_ref(), &Effects::none()).await.unwrap();
    assert_eq!(s.find_relink(&r.hash).await.unwrap(), Some(r.clone()), "data (the send count) is kept too");
    if let Some(c) = stale.code.as_mut() {
        c.tries_left = 2;
    }
    assert!(
        matches!(s.update_relink(&stale, read.as_ref(), &Effects::none()).await, Err(StoreError::Conflict { .. })),
        "a guess read before the completion cannot write"
    );

    let ghost = RelinkRequest { hash: SessionToken::generate().unwrap().hash(), ..r };
    assert!(matches!(s.update_relink(&ghost, None, &Effects::none()).await, Err(StoreError::NotFound)));
    assert!(s.find_relink(&ghost.hash).await.unwrap().is_none());
    assert!(s.list_jobs("other", 10).await.unwrap().is_empty());
}
