//! The audit journal: append-only, chained, per-user history.

use super::t0;
use crate::{Backend, TestDb};
use sep_core::audit::{NewAuditEvent, Outcome};
use sep_core::ids::UserId;
use time::Duration;

fn event(at: time::OffsetDateTime, action: &str, actor: Option<UserId>, subject: Option<UserId>) -> NewAuditEvent {
    NewAuditEvent {
        at,
        actor,
        subject,
        action: action.into(),
        object: Some("user:test".into()),
        outcome: Outcome::Success,
        ip: Some("192.0.2.1".into()),
        request_id: Some("req-1".into()),
        details: serde_json::json!({"b": 2, "a": [1, "x"], "method": "oidc"}),
    }
}

/// Appends chain without gaps; history per user pages newest first; content round-trips.
pub async fn chain_and_history(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let (alice, bob) = (UserId::new(), UserId::new());
    let mut appended = Vec::new();
    for i in 0..6 {
        let (actor, subject) = if i % 2 == 0 { (Some(alice), None) } else { (Some(bob), Some(alice)) };
        appended.push(
            s.insert_audit(&event(at + Duration::seconds(i), &format!("test.{i}"), actor, subject)).await.unwrap(),
        );
    }
    assert_eq!(appended.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(appended[1].prev_hash, appended[0].hash);

    let all = s.list_audit(0, 100).await.unwrap();
    assert_eq!(all, appended, "what is read back is what was appended");
    assert_eq!(s.list_audit(4, 100).await.unwrap().len(), 2);

    let report = s.verify_audit_chain().await.unwrap();
    assert_eq!((report.checked, report.first_broken), (6, None));

    // Alice is actor of 0, 2, 4 and subject of 1, 3, 5: all six; Bob only of 1, 3, 5.
    let alice_history = s.list_audit_for_user(alice, None, 4).await.unwrap();
    assert_eq!(alice_history.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![6, 5, 4, 3]);
    let next = s.list_audit_for_user(alice, Some(3), 4).await.unwrap();
    assert_eq!(next.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 1]);
    let bob_history = s.list_audit_for_user(bob, None, 10).await.unwrap();
    assert_eq!(bob_history.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![6, 4, 2]);
    assert!(s.list_audit_for_user(UserId::new(), None, 10).await.unwrap().is_empty());
    // Actor and subject at once: listed once.
    s.insert_audit(&event(at + Duration::seconds(7), "test.7", Some(alice), Some(alice))).await.unwrap();
    let newest = s.list_audit_for_user(alice, None, 3).await.unwrap();
    assert_eq!(newest.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![7, 6, 5]);
}

/// The database refuses edits and deletions; an edit forced past that is detected.
pub async fn tampering_is_refused_and_detected(db: &TestDb) {
    let s = db.store();
    let at = t0();
    for i in 0..4 {
        s.insert_audit(&event(at, &format!("test.{i}"), None, None)).await.unwrap();
    }
    let err = db.raw_execute("UPDATE audit_events SET action = 'forged' WHERE seq = 2").await.unwrap_err();
    assert!(err.contains("append-only"), "{err}");
    let err = db.raw_execute("DELETE FROM audit_events WHERE seq = 4").await.unwrap_err();
    assert!(err.contains("append-only"), "{err}");
    assert_eq!(s.verify_audit_chain().await.unwrap().first_broken, None);

    let force = match db.backend() {
        Backend::Sqlite => {
            "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET action = 'forged' WHERE seq = 3"
        }
        Backend::Postgres => {
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update; UPDATE audit_events SET action = 'forged' WHERE seq = 3"
        }
    };
    db.raw_execute(force).await.unwrap();
    let report = s.verify_audit_chain().await.unwrap();
    assert_eq!(report.first_broken, Some(3));
}

/// Appends from many tasks at once still form one unbroken chain.
pub async fn concurrent_appends_keep_the_chain(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let tasks: Vec<_> = (0..4)
        .map(|t| {
            let s = s.clone();
            tokio::spawn(async move {
                for i in 0..25 {
                    s.insert_audit(&event(at, &format!("task{t}.{i}"), None, None)).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let report = s.verify_audit_chain().await.unwrap();
    assert_eq!((report.checked, report.first_broken), (100, None));
}
