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

/// Webhook endpoints by person, messages stored once per id and paged newest first, attempts
/// logged with their message, an endpoint's removal taking its messages along.
pub async fn webhooks(db: &TestDb) {
    use sep_core::integration::webhook::store::MessageQuery;
    use sep_core::integration::webhook::{Attempt, Endpoint, EventType, Message, MessageState};
    let s = db.store();
    let at = t0();
    let (a, b) = (super::citizen(db, at).await, super::citizen(db, at).await);
    let mut e = Endpoint {
        id: Uuid::now_v7(),
        user_id: a,
        url: "https://example.org/hooks".into(),
        events: vec![EventType::ApplicationSubmitted, EventType::MailReceived],
        secret: "whsec_AAAA".into(),
        previous: None,
        created_at: at,
        failing_since: None,
        disabled: None,
    };
    s.insert_webhook_endpoint(&e, &Effects::none()).await.unwrap();
    assert_eq!(s.get_webhook_endpoint(e.id).await.unwrap(), e, "read back whole");
    assert!(matches!(s.get_webhook_endpoint(Uuid::now_v7()).await, Err(sep_core::StoreError::NotFound)));
    assert_eq!(s.list_webhook_endpoints(a).await.unwrap(), vec![e.clone()]);
    assert!(s.list_webhook_endpoints(b).await.unwrap().is_empty());
    e.previous = Some(("whsec_BBBB".into(), at + Duration::hours(24)));
    e.secret = "whsec_CCCC".into();
    e.failing_since = Some(at);
    e.disabled = Some((at + Duration::days(5), "failing".into()));
    s.update_webhook_endpoint(&e, &Effects::none()).await.unwrap();
    assert_eq!(s.get_webhook_endpoint(e.id).await.unwrap(), e);

    let msg = |n: i64| Message {
        id: format!("msg_{n:03}"),
        endpoint_id: e.id,
        event_type: EventType::MailReceived,
        body: format!("{{\"n\":{n}}}"),
        created_at: at + Duration::seconds(n),
        state: MessageState::Pending,
        attempts: 0,
    };
    let all: Vec<Message> = (1..=5).map(msg).collect();
    s.insert_webhook_messages(&all, &Effects::none()).await.unwrap();
    let mut changed = msg(1);
    changed.body = "other".into();
    s.insert_webhook_messages(&[changed], &Effects::none()).await.unwrap();
    assert_eq!(s.get_webhook_message("msg_001").await.unwrap(), msg(1), "stored once, as first");
    let q = |limit: usize| MessageQuery { limit, ..MessageQuery::default() };
    let first = s.list_webhook_messages(e.id, &q(2)).await.unwrap();
    assert_eq!(first.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["msg_005", "msg_004"], "newest first");
    let next = MessageQuery { before: Some((first[1].created_at, first[1].id.clone())), ..q(10) };
    assert_eq!(s.list_webhook_messages(e.id, &next).await.unwrap().len(), 3, "the rest after the cursor");

    let attempt = Attempt {
        message_id: "msg_002".into(),
        n: 1,
        at,
        status: Some(503),
        response: "busy".into(),
        duration_ms: 12,
        error: None,
    };
    let mut m2 = msg(2);
    m2.attempts = 1;
    m2.state = MessageState::Failed;
    e.failing_since = Some(at + Duration::minutes(1));
    s.update_webhook_message(&m2, Some(&attempt), Some(&e), &Effects::none()).await.unwrap();
    assert_eq!(s.get_webhook_message("msg_002").await.unwrap(), m2);
    assert_eq!(s.get_webhook_endpoint(e.id).await.unwrap().failing_since, e.failing_since, "the endpoint with it");
    assert_eq!(s.list_webhook_attempts("msg_002").await.unwrap(), vec![attempt.clone()]);
    s.update_webhook_message(&m2, Some(&attempt), None, &Effects::none()).await.unwrap();
    assert_eq!(s.list_webhook_attempts("msg_002").await.unwrap().len(), 1, "an attempt is logged once");
    let failed = MessageQuery { state: Some(MessageState::Failed), since: Some(at + Duration::seconds(2)), ..q(10) };
    assert_eq!(s.list_webhook_messages(e.id, &failed).await.unwrap(), vec![m2.clone()]);
    let later = MessageQuery { since: Some(at + Duration::seconds(3)), ..failed };
    assert!(s.list_webhook_messages(e.id, &later).await.unwrap().is_empty());

    s.delete_webhook_endpoint(e.id, &Effects::none()).await.unwrap();
    assert!(s.list_webhook_endpoints(a).await.unwrap().is_empty());
    assert!(matches!(s.get_webhook_message("msg_002").await, Err(sep_core::StoreError::NotFound)), "with its messages");
    assert!(s.list_webhook_attempts("msg_002").await.unwrap().is_empty(), "and their log");
}
