//! Status changes with their audit record on both stores: refused together, sent at once.

use super::applications::{draft, stored_draft};
use super::t0;
use crate::TestDb;
use sep_core::application::record::StatusChange;
use sep_core::application::status::Status;
use sep_core::job::Queue;
use sep_core::store::Effects;

/// A change whose audit record the database refuses is not written at all — the status, its
/// journal entry, its job and its notice — and the connection it used is left outside any
/// transaction for the next change (on PostgreSQL the commit goes out with the record's insert,
/// issue 20). PostgreSQL refuses a NUL in text; SQLite keeps it, so this story runs there only.
pub async fn a_refused_audit_record_takes_its_change_along(db: &TestDb) {
    use sep_core::audit::NewAuditEvent;
    use sep_core::notice::NewNotice;
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    for round in 0..12 {
        let a = draft(user, at);
        s.insert_application(&a, &Effects::none()).await.unwrap();
        let mut change = StatusChange::new(Status::Draft, Status::Created, at, "applicant", "", vec![]);
        change.number = Some(format!("2026-{round:06}"));
        let effects = |action: &str| {
            let mut fx = Effects::audit(NewAuditEvent::system(at, action, Some(user)))
                .with_job(sep_core::application::review::check_job(a.id, at));
            fx.notices.push(NewNotice {
                user_id: user,
                at,
                kind: "status".into(),
                title: "Заявление отправлено".into(),
                text: String::new(),
                link: format!("/applications/{}", a.id),
                critical: false,
            });
            fx
        };
        let journal = s.list_application_events(a.id).await.unwrap().len();
        let refused = s.update_application_status(a.id, &change, &effects("application.sub\0mitted")).await;
        assert!(refused.is_err(), "round {round}: the database took a NUL");
        assert_eq!(s.get_application(a.id).await.unwrap().status, Status::Draft, "round {round}");
        assert_eq!(s.list_application_events(a.id).await.unwrap().len(), journal, "round {round}: no journal entry");
        // The same change goes through next, on whichever connection the pool gives.
        s.update_application_status(a.id, &change, &effects("application.submitted")).await.unwrap();
        assert_eq!(s.get_application(a.id).await.unwrap().status, Status::Created, "round {round}");
        assert_eq!(s.list_application_events(a.id).await.unwrap().len(), journal + 1, "round {round}");
    }
    let jobs = s.list_jobs(Queue::Review.code(), 100).await.unwrap();
    assert_eq!(jobs.len(), 12, "one job a round, none from the refused changes");
    assert_eq!(s.list_notices(user, 100).await.unwrap().len(), 12, "one notice a round");
    assert!(s.verify_audit_chain().await.unwrap().first_broken.is_none());
}

/// Two dozen applications sent at once, each change with its audit record: all of them go
/// through, each with its journal entry, and the audit chain verifies.
pub async fn audited_changes_at_once(db: &TestDb) {
    use sep_core::audit::NewAuditEvent;
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let mut ids = Vec::new();
    for _ in 0..24 {
        ids.push(stored_draft(db, user, at).await);
    }
    let sent: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(n, &id)| {
            let s = s.clone();
            tokio::spawn(async move {
                let mut change = StatusChange::new(Status::Draft, Status::Created, at, "applicant", "", vec![]);
                change.number = Some(format!("2026-{:06}", 500 + n));
                let fx = Effects::audit(NewAuditEvent::system(at, "application.submitted", Some(user)));
                s.update_application_status(id, &change, &fx).await
            })
        })
        .collect();
    for task in sent {
        task.await.unwrap().unwrap();
    }
    for id in ids {
        assert_eq!(s.get_application(id).await.unwrap().status, Status::Created);
        assert_eq!(s.list_application_events(id).await.unwrap().last().map(|e| e.to), Some(Status::Created));
    }
    let report = s.verify_audit_chain().await.unwrap();
    assert!(report.first_broken.is_none());
}
