//! Personal access tokens on both backends: found by hash only, listed newest first,
//! revoked by their person once.

use super::t0;
use crate::TestDb;
use sep_core::integration::Scope;
use sep_core::integration::tokens::{PersonalToken, hash};
use sep_core::store::Effects;
use time::Duration;
use uuid::Uuid;

/// Issued, found by the hash of its secret, noted when used, revoked once by its person only.
pub async fn tokens(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let (a, b) = (super::citizen(db, at).await, super::citizen(db, at).await);
    let token = |name: &str, secret: &str, created: time::OffsetDateTime| PersonalToken {
        id: Uuid::now_v7(),
        user_id: a,
        name: name.into(),
        scopes: vec![Scope::ApplicationsRead, Scope::DocumentsRead],
        hash: hash(secret),
        hint: secret[8..14].to_owned(),
        created_at: created,
        expires_at: created + Duration::days(30),
        last_used_at: None,
        revoked_at: None,
    };
    let first = token("Бухгалтерия", "sep_pat_000000000001", at);
    let second = token("Банк", "sep_pat_000000000002", at + Duration::minutes(1));
    s.insert_api_token(&first, &Effects::none()).await.unwrap();
    s.insert_api_token(&second, &Effects::none()).await.unwrap();
    assert_eq!(s.list_api_tokens(a).await.unwrap(), vec![second.clone(), first.clone()], "newest first");
    assert!(s.list_api_tokens(b).await.unwrap().is_empty());
    assert_eq!(s.find_api_token(&hash("sep_pat_000000000001")).await.unwrap(), Some(first.clone()), "read back whole");
    assert!(s.find_api_token(&hash("sep_pat_000000000003")).await.unwrap().is_none());
    let used = at + Duration::minutes(5);
    s.update_api_token_used(first.id, used).await.unwrap();
    assert_eq!(s.find_api_token(&first.hash).await.unwrap().unwrap().last_used_at, Some(used));
    assert!(!s.update_api_token_revoked(b, first.id, used, &Effects::none()).await.unwrap(), "not another's");
    assert!(s.update_api_token_revoked(a, first.id, used, &Effects::none()).await.unwrap());
    assert!(!s.update_api_token_revoked(a, first.id, used, &Effects::none()).await.unwrap(), "once");
    assert_eq!(s.find_api_token(&first.hash).await.unwrap().unwrap().revoked_at, Some(used));
    let twin = PersonalToken { id: Uuid::now_v7(), ..second };
    assert!(s.insert_api_token(&twin, &Effects::none()).await.is_err(), "one secret, one token");
}

/// An idempotency key is claimed once per caller, answered once, freed on demand.
pub async fn idempotency(db: &TestDb) {
    use sep_core::integration::idempotency::{Answer, Claim};
    let s = db.store();
    let at = t0();
    let claim = |owner: &str, key: &str| Claim {
        owner: owner.into(),
        key: key.into(),
        fingerprint: "f1".into(),
        created_at: at,
        answer: None,
    };
    assert!(s.insert_api_idempotency(&claim("user:a", "k1")).await.unwrap());
    assert!(!s.insert_api_idempotency(&claim("user:a", "k1")).await.unwrap(), "claimed once");
    assert!(s.insert_api_idempotency(&claim("user:b", "k1")).await.unwrap(), "keys are per caller");
    assert_eq!(s.get_api_idempotency("user:a", "k1").await.unwrap(), Some(claim("user:a", "k1")));
    assert!(s.get_api_idempotency("user:a", "k2").await.unwrap().is_none());
    let answer = Answer { status: 201, body: "{\"id\":\"x\"}".into(), location: Some("/api/v1/applications/x".into()) };
    s.update_api_idempotency_answer("user:a", "k1", &answer).await.unwrap();
    let kept = s.get_api_idempotency("user:a", "k1").await.unwrap().unwrap();
    assert_eq!(kept.answer, Some(answer));
    assert_eq!(
        s.get_api_idempotency("user:b", "k1").await.unwrap().unwrap().answer,
        None,
        "the other caller's untouched"
    );
    s.delete_api_idempotency("user:a", "k1").await.unwrap();
    assert!(s.get_api_idempotency("user:a", "k1").await.unwrap().is_none());
    assert!(s.insert_api_idempotency(&claim("user:a", "k1")).await.unwrap(), "free again");
}
