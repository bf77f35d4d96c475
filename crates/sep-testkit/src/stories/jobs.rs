//! The job queue / outbox.

use super::{profile, t0};
use crate::TestDb;
use sep_core::StoreError;
use sep_core::ids::UserId;
use sep_core::job::{JobState, NewJob};
use sep_core::store::{Effects, NewUser};
use sep_core::user::Role;
use std::collections::HashSet;
use time::Duration;

fn job(kind: &str, at: time::OffsetDateTime) -> NewJob {
    NewJob::now("mail", kind, serde_json::json!({"to": "user", "n": 1}), at)
}

/// Enqueue with a change, claim due jobs under a lease, retry, finish, dead-letter.
pub async fn lifecycle(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let user = UserId::new();
    let fx = Effects::none().with_job(job("welcome", at));
    s.insert_user(&NewUser { id: user, role: Role::Citizen, profile: profile(), created_at: at }, None, &fx)
        .await
        .unwrap();
    let later = s.insert_job(&NewJob { run_at: at + Duration::hours(1), ..job("later", at) }).await.unwrap();
    let other_queue = s.insert_job(&NewJob { queue: "sms".into(), ..job("sms", at) }).await.unwrap();

    let claimed = s.claim_jobs("mail", "w1", at, Duration::minutes(5), 10).await.unwrap();
    assert_eq!(claimed.len(), 1, "only the due job of this queue");
    let first = &claimed[0];
    assert_eq!((first.job.kind.as_str(), first.state, first.attempts), ("welcome", JobState::Running, 1));
    assert_eq!(first.job.payload, serde_json::json!({"to": "user", "n": 1}));
    assert_eq!(first.locked_by.as_deref(), Some("w1"));
    assert!(
        s.claim_jobs("mail", "w2", at + Duration::minutes(1), Duration::minutes(5), 10).await.unwrap().is_empty(),
        "leased"
    );

    // The worker died: after the lease the job is claimable again.
    let again = s.claim_jobs("mail", "w2", at + Duration::minutes(6), Duration::minutes(5), 10).await.unwrap();
    assert_eq!(again.iter().map(|j| (j.id, j.attempts)).collect::<Vec<_>>(), vec![(first.id, 2)]);

    let retry_at = at + Duration::minutes(20);
    let failed = s.update_job_failed(first.id, "smtp: connection refused", retry_at).await.unwrap();
    assert_eq!(
        (failed.state, failed.job.run_at, failed.last_error.as_deref()),
        (JobState::Pending, retry_at, Some("smtp: connection refused"))
    );
    assert!(s.claim_jobs("mail", "w2", at + Duration::minutes(19), Duration::minutes(5), 10).await.unwrap().is_empty());
    let third = s.claim_jobs("mail", "w2", retry_at, Duration::minutes(5), 1).await.unwrap();
    assert_eq!(third.iter().map(|j| j.id).collect::<Vec<_>>(), vec![first.id]);
    s.update_job_done(first.id, retry_at).await.unwrap();
    assert_eq!(s.get_job(first.id).await.unwrap().state, JobState::Done);
    assert!(matches!(s.update_job_done(first.id, retry_at).await, Err(StoreError::NotFound)), "done only once");
    assert!(matches!(s.update_job_failed(later, "x", retry_at).await, Err(StoreError::NotFound)), "not running");
    assert_eq!(s.get_job(other_queue).await.unwrap().state, JobState::Pending);
    assert!(matches!(s.get_job(999_999).await, Err(StoreError::NotFound)));

    // Out of attempts: a dead letter.
    let fragile = s.insert_job(&NewJob { max_attempts: 2, ..job("fragile", at) }).await.unwrap();
    let t = at + Duration::hours(2);
    for round in 1..=2 {
        let got = s.claim_jobs("mail", "w3", t, Duration::minutes(5), 10).await.unwrap();
        assert!(got.iter().any(|j| j.id == fragile), "round {round}");
        for j in got.iter().filter(|j| j.id != fragile) {
            s.update_job_done(j.id, t).await.unwrap();
        }
        let state = s.update_job_failed(fragile, "boom", t).await.unwrap().state;
        assert_eq!(state, if round == 1 { JobState::Pending } else { JobState::Dead });
    }
    assert_eq!(s.list_dead_jobs("mail", 10).await.unwrap().iter().map(|j| j.id).collect::<Vec<_>>(), vec![fragile]);
    assert!(s.claim_jobs("mail", "w3", t + Duration::hours(1), Duration::minutes(5), 10).await.unwrap().is_empty());

    // A worker that dies holding the last attempt leaves a dead letter at the next claim.
    let orphan = s.insert_job(&NewJob { max_attempts: 1, ..job("orphan", t) }).await.unwrap();
    assert_eq!(s.claim_jobs("mail", "w4", t, Duration::minutes(1), 10).await.unwrap().len(), 1);
    assert!(s.claim_jobs("mail", "w5", t + Duration::minutes(2), Duration::minutes(1), 10).await.unwrap().is_empty());
    assert_eq!(s.get_job(orphan).await.unwrap().state, JobState::Dead);
}

/// Workers claiming at once never get the same job, and together get every job.
pub async fn concurrent_claims_are_disjoint(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let mut all = HashSet::new();
    for i in 0..60 {
        all.insert(s.insert_job(&job(&format!("j{i}"), at)).await.unwrap());
    }
    let tasks: Vec<_> = (0..4)
        .map(|w| {
            let s = s.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = s.claim_jobs("mail", &format!("w{w}"), at, Duration::minutes(5), 3).await.unwrap();
                    if got.is_empty() {
                        break mine;
                    }
                    mine.extend(got.into_iter().map(|j| j.id));
                }
            })
        })
        .collect();
    let mut seen = HashSet::new();
    for t in tasks {
        for id in t.await.unwrap() {
            assert!(seen.insert(id), "job {id} claimed twice");
        }
    }
    assert_eq!(seen, all);
}
