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
    s.delete_api_idempotency_claimed_at("user:a", "k1", at + time::Duration::seconds(1)).await.unwrap();
    assert!(s.get_api_idempotency("user:a", "k1").await.unwrap().is_some(), "another claim stays");
    s.delete_api_idempotency_claimed_at("user:a", "k1", at).await.unwrap();
    assert!(s.get_api_idempotency("user:a", "k1").await.unwrap().is_none(), "that claim goes");
    let late = Claim { created_at: at + time::Duration::hours(30), ..claim("user:c", "k9") };
    assert!(s.insert_api_idempotency(&late).await.unwrap());
    let gone = s.delete_api_idempotency_before(at + time::Duration::hours(24)).await.unwrap();
    assert_eq!(gone, 1, "user:b's claim, older; the late one stays");
    assert!(s.get_api_idempotency("user:c", "k9").await.unwrap().is_some());
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

/// Registered clients by owner, read back whole whatever their credentials; access tokens
/// found by hash only and revoked.
pub async fn clients(db: &TestDb) {
    use sep_core::integration::client::{Client, Credentials, Kind, Mode};
    use sep_core::integration::oauth::AccessToken;
    let s = db.store();
    let at = t0();
    let (a, b) = (super::citizen(db, at).await, super::citizen(db, at).await);
    let client = |id: &str, credentials: Credentials, created: time::OffsetDateTime| Client {
        id: id.into(),
        owner: a,
        acts_for: a,
        kind: Kind::Accounting,
        name: "1С".into(),
        credentials,
        scopes: vec![Scope::ApplicationsRead, Scope::WebhooksManage],
        redirect_uris: vec!["https://1c.example.ru/cb".into(), "http://127.0.0.1:8765/cb".into()],
        mode: Mode::Live,
        created_at: created,
        disabled_at: None,
    };
    let first = client("sep_cli_1", Credentials::Secret(hash("sep_cs_1")), at);
    let second = client("sep_cli_2", Credentials::Es256(vec![4, 1, 2, 3]), at + Duration::minutes(1));
    let mut third = client("sep_cli_3", Credentials::Gost(vec![0x30, 0x82]), at + Duration::minutes(2));
    third.kind = Kind::Bank;
    third.mode = Mode::Test;
    third.acts_for = b;
    for c in [&first, &second, &third] {
        s.insert_api_client(c, &Effects::none()).await.unwrap();
    }
    assert_eq!(s.get_api_client("sep_cli_3").await.unwrap(), third, "read back whole");
    assert!(matches!(s.get_api_client("sep_cli_9").await, Err(sep_core::StoreError::NotFound)));
    assert_eq!(s.list_api_clients(a).await.unwrap(), vec![first.clone(), second.clone(), third.clone()]);
    assert!(s.list_api_clients(b).await.unwrap().is_empty(), "by owner, not by whom it acts for");
    let live = s.list_live_api_clients().await.unwrap();
    assert!(live.contains(&first) && live.contains(&second) && !live.contains(&third), "approved ones only");
    third.mode = Mode::Live;
    third.acts_for = a;
    third.disabled_at = Some(at + Duration::hours(1));
    s.update_api_client(&third, &Effects::none()).await.unwrap();
    assert_eq!(s.get_api_client("sep_cli_3").await.unwrap(), third);
    assert!(!s.list_live_api_clients().await.unwrap().contains(&third), "nor disabled ones");

    let token = AccessToken {
        id: Uuid::now_v7(),
        hash: hash("sep_at_1"),
        client_id: first.id.clone(),
        user_id: a,
        grant_id: Some(Uuid::now_v7()),
        scopes: vec![Scope::ApplicationsRead],
        created_at: at,
        expires_at: at + Duration::minutes(15),
        revoked_at: None,
    };
    s.insert_api_access_token(&token, &Effects::none()).await.unwrap();
    assert_eq!(s.find_api_access_token(&token.hash).await.unwrap(), Some(token.clone()));
    assert!(s.find_api_access_token(&hash("sep_at_2")).await.unwrap().is_none());
    s.update_api_access_token_revoked(token.id, at + Duration::minutes(1)).await.unwrap();
    assert_eq!(
        s.find_api_access_token(&token.hash).await.unwrap().unwrap().revoked_at,
        Some(at + Duration::minutes(1))
    );
    let twin = AccessToken { id: Uuid::now_v7(), ..token };
    assert!(s.insert_api_access_token(&twin, &Effects::none()).await.is_err(), "one secret, one token");
}

/// A person's grants to a client with the one-time tickets standing for them: a ticket taken
/// once, a grant widened in place, withdrawn by its person only, taking its tickets along.
pub async fn grants(db: &TestDb) {
    use sep_core::integration::client::{Client, Credentials, Kind, Mode};
    use sep_core::integration::delegation::{Grant, Ticket};
    let s = db.store();
    let at = t0();
    let (a, b) = (super::citizen(db, at).await, super::citizen(db, at).await);
    let client = Client {
        id: "sep_cli_g".into(),
        owner: b,
        acts_for: b,
        kind: Kind::Accounting,
        name: "Учёт".into(),
        credentials: Credentials::Secret(hash("sep_cs_g")),
        scopes: Scope::ALL.to_vec(),
        redirect_uris: vec!["https://u.example.ru/cb".into()],
        mode: Mode::Live,
        created_at: at,
        disabled_at: None,
    };
    s.insert_api_client(&client, &Effects::none()).await.unwrap();
    let mut grant = Grant {
        id: Uuid::now_v7(),
        user_id: a,
        client_id: client.id.clone(),
        scopes: vec![Scope::ApplicationsRead],
        created_at: at,
        revoked_at: None,
    };
    let ticket = |secret: &str, kind: &str| Ticket {
        hash: hash(secret),
        kind: kind.into(),
        grant_id: grant.id,
        client_id: client.id.clone(),
        redirect_uri: "https://u.example.ru/cb".into(),
        challenge: "c".repeat(43),
        scopes: vec![Scope::ApplicationsRead],
        expires_at: at + Duration::minutes(1),
    };
    let code = ticket("sep_ac_1", "code");
    s.save_api_grant(&grant, &code, &Effects::none()).await.unwrap();
    assert_eq!(s.get_api_grant(grant.id).await.unwrap(), grant);
    assert!(s.take_api_ticket(&code.hash, "refresh").await.unwrap().is_none(), "by its kind");
    assert_eq!(s.take_api_ticket(&code.hash, "code").await.unwrap(), Some(code.clone()));
    assert!(s.take_api_ticket(&code.hash, "code").await.unwrap().is_none(), "taken once");
    grant.scopes.push(Scope::DocumentsRead);
    s.save_api_grant(&grant, &ticket("sep_ac_2", "code"), &Effects::none()).await.unwrap();
    assert_eq!(s.list_api_grants(a).await.unwrap(), vec![grant.clone()], "widened in place");
    assert!(s.list_api_grants(b).await.unwrap().is_empty());
    let refresh = ticket("sep_rt_1", "refresh");
    s.insert_api_ticket(&refresh).await.unwrap();
    assert!(!s.update_api_grant_revoked(b, grant.id, at, &Effects::none()).await.unwrap(), "not another's");
    assert!(s.update_api_grant_revoked(a, grant.id, at, &Effects::none()).await.unwrap());
    assert!(!s.update_api_grant_revoked(a, grant.id, at, &Effects::none()).await.unwrap(), "once");
    assert_eq!(s.get_api_grant(grant.id).await.unwrap().revoked_at, Some(at));
    assert!(s.take_api_ticket(&refresh.hash, "refresh").await.unwrap().is_none(), "its tickets go with it");
    assert!(matches!(s.get_api_grant(Uuid::now_v7()).await, Err(sep_core::StoreError::NotFound)));
}

/// Operations stored once per owner and key, read back whole, their progress written.
pub async fn operations(db: &TestDb) {
    use sep_core::integration::operation::{Operation, State};
    let s = db.store();
    let at = t0();
    let a = super::citizen(db, at).await;
    let mut op = Operation {
        id: Uuid::now_v7(),
        owner: format!("user:{}", a.0),
        user_id: a,
        kind: "application_import".into(),
        key: "k1".into(),
        params: serde_json::json!({ "service": "registration" }),
        input: "a;b\n1;2\n".into(),
        state: State::Queued,
        total: 1,
        done: 0,
        result: serde_json::json!({ "made": 0 }),
        created_at: at,
        updated_at: at,
    };
    assert!(s.insert_api_operation(&op, &Effects::none()).await.unwrap());
    let twin = Operation { id: Uuid::now_v7(), ..op.clone() };
    assert!(!s.insert_api_operation(&twin, &Effects::none()).await.unwrap(), "one per owner and key");
    assert!(s.find_api_operation(twin.id).await.unwrap().is_none());
    assert_eq!(s.find_api_operation(op.id).await.unwrap(), Some(op.clone()), "read back whole");
    assert_eq!(s.find_api_operation_by_key(&op.owner, "k1").await.unwrap(), Some(op.clone()));
    assert!(s.find_api_operation_by_key("user:other", "k1").await.unwrap().is_none(), "keys are per owner");
    op.state = State::Succeeded;
    op.done = 1;
    op.result = serde_json::json!({ "made": 1 });
    op.updated_at = at + Duration::seconds(5);
    s.update_api_operation(&op, &Effects::none()).await.unwrap();
    assert_eq!(s.find_api_operation(op.id).await.unwrap(), Some(op));
}
