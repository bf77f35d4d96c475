//! Payment attempts: one live attempt per charge, one success per charge, the form's key, the
//! provider's id, moves only from a live status.

use super::t0;
use crate::TestDb;
use sep_core::StoreError;
use sep_core::audit::NewAuditEvent;
use sep_core::money::Kopecks;
use sep_core::payment::account::{Alerts, Refund, RefundStatus};
use sep_core::payment::pay::{Payment, PaymentStatus};
use sep_core::store::Effects;
use uuid::Uuid;

fn attempt(user: sep_core::ids::UserId, uin: &str, key: &str, at: time::OffsetDateTime) -> Payment {
    Payment {
        id: Uuid::now_v7(),
        user_id: user,
        uin: uin.into(),
        amount: Kopecks(25_000),
        title: "Штраф ГИБДД".into(),
        status: PaymentStatus::Created,
        request_key: key.into(),
        provider_id: None,
        confirmation_url: None,
        failure: None,
        rrn: None,
        auth_code: None,
        card: None,
        receipt_id: None,
        created_at: at,
        updated_at: at,
    }
}

/// The whole life of attempts on one backend.
pub async fn lifecycle(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let uin = "18800000000010000028";
    let first = attempt(user, uin, "k1", at);
    s.insert_payment(&first, &Effects::audit(NewAuditEvent::system(at, "payment.started", Some(user)))).await.unwrap();
    assert_eq!(s.find_payment(first.id).await.unwrap(), Some(first.clone()));
    assert_eq!(s.find_payment_by_key(user, "k1").await.unwrap(), Some(first.clone()));
    assert_eq!(s.find_live_payment(uin).await.unwrap().map(|p| p.id), Some(first.id));
    let second = attempt(user, uin, "k2", at);
    assert!(
        matches!(s.insert_payment(&second, &Effects::none()).await, Err(StoreError::Conflict { .. })),
        "one live attempt"
    );
    let t1 = at + time::Duration::seconds(1);
    assert!(s.update_payment_started(first.id, "prov-1", "http://pay/1", t1).await.unwrap());
    assert!(!s.update_payment_started(first.id, "prov-2", "http://pay/2", t1).await.unwrap(), "once");
    let started = s.find_payment_by_provider("prov-1").await.unwrap().unwrap();
    assert_eq!((started.status, started.confirmation_url.as_deref()), (PaymentStatus::Pending, Some("http://pay/1")));
    let t2 = at + time::Duration::seconds(2);
    let outcome = (Some("123456789012".to_owned()), Some("AB12CD".to_owned()), Some("2200 00•• •••• 0004".to_owned()));
    assert!(
        s.update_payment_result(first.id, PaymentStatus::Succeeded, None, Some(outcome.clone()), t2, &Effects::none())
            .await
            .unwrap()
    );
    assert!(
        !s.update_payment_result(first.id, PaymentStatus::Failed, Some(("P0010", "x")), None, t2, &Effects::none())
            .await
            .unwrap(),
        "final stays"
    );
    let paid = s.find_payment(first.id).await.unwrap().unwrap();
    assert_eq!(
        (paid.status, paid.rrn, paid.auth_code, paid.card),
        (PaymentStatus::Succeeded, outcome.0, outcome.1, outcome.2)
    );
    assert_eq!(s.find_live_payment(uin).await.unwrap(), None);
    // Its receipt, once.
    let receipt = sep_core::document::issued::IssuedDocument {
        id: Uuid::now_v7(),
        number: "D2026-000077".into(),
        check_code: "0f".repeat(16),
        application_id: None,
        order_id: None,
        payment_id: Some(first.id),
        user_id: user,
        agency: "Оператор СЭП".into(),
        issued_by: None,
        title: "Квитанция об оплате".into(),
        holder: "Иванов И. И.".into(),
        file: sep_core::application::record::StoredFile {
            file_name: "receipt.pdf".into(),
            content_type: "application/pdf".into(),
            size: 10,
            sha256: "ef".repeat(32),
        },
        issued_at: t2,
        valid_until: None,
        annulled_at: None,
    };
    let mut sig = super::signing::signature(&super::signing::credential(user, "2B", at), &receipt.key(), t2);
    sig.source = sep_core::signing::Source::System;
    sig.credential_id = None;
    assert!(s.complete_receipt(first.id, &receipt, &sig, b"DER", &Effects::none()).await.unwrap());
    assert!(!s.complete_receipt(first.id, &receipt, &sig, b"DER", &Effects::none()).await.unwrap(), "once");
    assert_eq!(s.find_payment(first.id).await.unwrap().unwrap().receipt_id, Some(receipt.id));
    assert_eq!(s.find_issued_document("D2026-000077").await.unwrap(), Some(receipt.clone()));
    assert_eq!(s.find_succeeded_payment(uin).await.unwrap().map(|p| p.id), Some(first.id));
    assert_eq!(s.find_succeeded_payment("18800000000010000036").await.unwrap(), None);
    // A second success for the same charge cannot land.
    let again = attempt(user, uin, "k3", t2);
    s.insert_payment(&again, &Effects::none()).await.unwrap();
    assert!(
        !s.update_payment_result(again.id, PaymentStatus::Succeeded, None, None, t2, &Effects::none()).await.unwrap()
    );
    assert!(
        s.update_payment_result(
            again.id,
            PaymentStatus::Failed,
            Some(("P0010", "Недостаточно средств")),
            None,
            t2,
            &Effects::none()
        )
        .await
        .unwrap()
    );
    let failed = s.find_payment(again.id).await.unwrap().unwrap();
    assert_eq!(failed.failure, Some(("P0010".into(), "Недостаточно средств".into())));
    let mine = s.list_payments_of_user(user).await.unwrap();
    assert_eq!(mine.iter().map(|p| p.id).collect::<Vec<_>>(), vec![again.id, first.id], "newest first");
    assert_eq!(s.find_payment_by_provider("nobody").await.unwrap(), None);
}

fn refund(user: sep_core::ids::UserId, amount: i64, key: &str, at: time::OffsetDateTime) -> Refund {
    Refund {
        id: Uuid::now_v7(),
        user_id: user,
        amount: Kopecks(amount),
        bic: "044525225".into(),
        account: "40817810938160925982".into(),
        recipient: "Иванов Иван Иванович".into(),
        status: RefundStatus::Accepted,
        reason: None,
        request_key: key.into(),
        created_at: at,
        updated_at: at,
    }
}

/// Refunds: stored only while the refunds not refused total what the person saw, one per
/// form key, moved once from «Принято»; balance alerts read back and are listed when on.
pub async fn refunds_and_alerts(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let other = super::citizen(db, at).await;
    let job = sep_core::job::NewJob::of(sep_core::job::JobKind::ProcessRefund, serde_json::json!({}), at);
    let fx = Effects {
        audit: vec![NewAuditEvent::system(at, "refund.requested", Some(user))],
        jobs: vec![job],
        notices: vec![],
    };
    let first = refund(user, 100_000, "k1", at);
    s.insert_refund(&first, Kopecks(0), &fx).await.unwrap();
    assert_eq!(s.find_refund(first.id).await.unwrap(), Some(first.clone()));
    assert_eq!(s.find_refund_by_key(user, "k1").await.unwrap(), Some(first.clone()));
    assert_eq!(s.find_refund_by_key(other, "k1").await.unwrap(), None, "keys are per person");
    assert_eq!(s.list_jobs("refunds", 10).await.unwrap().len(), 1, "the job landed with it");
    // A second tab saw nothing reserved: refused, nothing written.
    let stale = refund(user, 25_000, "k2", at + time::Duration::seconds(1));
    assert!(matches!(s.insert_refund(&stale, Kopecks(0), &Effects::none()).await, Err(StoreError::Conflict { .. })));
    assert_eq!(s.find_refund(stale.id).await.unwrap(), None);
    s.insert_refund(&stale, Kopecks(100_000), &Effects::none()).await.unwrap();
    let again = Refund { id: Uuid::now_v7(), ..stale.clone() };
    assert!(
        matches!(s.insert_refund(&again, Kopecks(125_000), &Effects::none()).await, Err(StoreError::Conflict { .. })),
        "one refund per form key"
    );
    assert_eq!(s.list_refunds_of_user(user).await.unwrap(), vec![stale.clone(), first.clone()], "newest first");
    assert!(s.list_refunds_of_user(other).await.unwrap().is_empty());
    let later = at + time::Duration::minutes(1);
    assert!(s.update_refund_status(first.id, RefundStatus::Paid, None, later, &Effects::none()).await.unwrap());
    assert!(
        !s.update_refund_status(first.id, RefundStatus::Rejected, Some("x"), later, &Effects::none()).await.unwrap(),
        "moved once"
    );
    let why = Some("счёт получателя закрыт");
    assert!(s.update_refund_status(stale.id, RefundStatus::Rejected, why, later, &Effects::none()).await.unwrap());
    let got = s.find_refund(stale.id).await.unwrap().unwrap();
    assert_eq!((got.status, got.reason.as_deref(), got.updated_at), (RefundStatus::Rejected, why, later));
    // A refused refund no longer counts as reserved.
    let third = refund(user, 5_000, "k3", later);
    s.insert_refund(&third, Kopecks(100_000), &Effects::none()).await.unwrap();

    assert_eq!(s.find_account_alerts(user).await.unwrap(), None);
    let on =
        Alerts { email: true, sms: false, threshold: Some(Kopecks(100_000)), last_balance: Some(Kopecks(125_000)) };
    s.upsert_account_alerts(user, &on, &Effects::none()).await.unwrap();
    s.upsert_account_alerts(other, &Alerts::default(), &Effects::none()).await.unwrap();
    assert_eq!(s.find_account_alerts(user).await.unwrap(), Some(on.clone()));
    assert_eq!(s.list_users_with_alerts().await.unwrap(), vec![user], "only those with a channel on");
    // The balance last told moves only from what was read; the settings stay.
    let told = NewAuditEvent::system(at, "account.balance_told", Some(user));
    assert!(
        s.update_alert_balance(user, Some(Kopecks(125_000)), Kopecks(25_000), &Effects::audit(told)).await.unwrap()
    );
    assert!(
        !s.update_alert_balance(user, Some(Kopecks(125_000)), Kopecks(0), &Effects::none()).await.unwrap(),
        "stale"
    );
    let now = s.find_account_alerts(user).await.unwrap().unwrap();
    assert_eq!((now.last_balance, now.email, now.threshold), (Some(Kopecks(25_000)), true, on.threshold));
    let fresh = super::citizen(db, at).await;
    assert!(!s.update_alert_balance(fresh, None, Kopecks(1), &Effects::none()).await.unwrap(), "no alerts, nothing");
    let off = Alerts { email: false, threshold: None, last_balance: Some(Kopecks(25_000)), ..on };
    s.upsert_account_alerts(user, &off, &Effects::none()).await.unwrap();
    assert_eq!(s.find_account_alerts(user).await.unwrap(), Some(off));
    assert!(s.list_users_with_alerts().await.unwrap().is_empty());
}

/// A held payment's SMS code: inserted once, replaced only while still as read (a parallel
/// guess or send loses), read back with its send count.
pub async fn payment_codes(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let p = attempt(user, "18810000000000000017", "code", at);
    s.insert_payment(&p, &Effects::none()).await.unwrap();
    assert_eq!(s.find_payment_code(p.id).await.unwrap(), None);
    let policy = sep_core::otp::OtpPolicy::default();
    let first = sep_core::otp::CodeState::new(&p.id.to_string(), "123456", at, policy);
    s.upsert_payment_code(p.id, &first, 1, None, &Effects::none()).await.unwrap();
    assert_eq!(s.find_payment_code(p.id).await.unwrap(), Some((first.clone(), 1)));
    assert!(
        matches!(
            s.upsert_payment_code(p.id, &first, 1, None, &Effects::none()).await,
            Err(StoreError::Conflict { .. })
        ),
        "a second first code loses"
    );
    let (_, tried) = first.check(&p.id.to_string(), "000000", at);
    s.upsert_payment_code(p.id, &tried, 1, Some((&first, 1)), &Effects::none()).await.unwrap();
    assert!(
        matches!(
            s.upsert_payment_code(p.id, &tried, 1, Some((&first, 1)), &Effects::none()).await,
            Err(StoreError::Conflict { .. })
        ),
        "the same try spent twice loses"
    );
    let second = sep_core::otp::CodeState::new(&p.id.to_string(), "654321", at, policy);
    s.upsert_payment_code(p.id, &second, 2, Some((&tried, 1)), &Effects::none()).await.unwrap();
    assert_eq!(s.find_payment_code(p.id).await.unwrap(), Some((second, 2)));
}

/// Linked cards: a token linked once, listed oldest first per person, removed only by its owner.
pub async fn linked_cards(db: &TestDb) {
    use sep_core::payment::cards::LinkedCard;
    let s = db.store();
    let at = t0();
    let (user, other) = (super::citizen(db, at).await, super::citizen(db, at).await);
    let card = |token: &str, secs: i64| LinkedCard {
        id: Uuid::now_v7(),
        user_id: user,
        token: token.into(),
        masked: "2200 00•• •••• 0004".into(),
        expiry: "12/30".into(),
        created_at: at + time::Duration::seconds(secs),
    };
    let (a, b) = (card("card_a", 0), card("card_b", 1));
    s.insert_linked_card(&a).await.unwrap();
    s.insert_linked_card(&b).await.unwrap();
    s.insert_linked_card(&LinkedCard { id: Uuid::now_v7(), ..a.clone() }).await.unwrap();
    assert_eq!(s.list_linked_cards(user).await.unwrap(), vec![a.clone(), b.clone()], "a token once, oldest first");
    assert!(s.list_linked_cards(other).await.unwrap().is_empty());
    assert!(!s.delete_linked_card(other, a.id, &Effects::none()).await.unwrap(), "not another's");
    let fx = Effects::audit(NewAuditEvent::system(at, "card.removed", Some(user)));
    assert!(s.delete_linked_card(user, a.id, &fx).await.unwrap());
    assert!(!s.delete_linked_card(user, a.id, &Effects::none()).await.unwrap(), "once");
    assert_eq!(s.list_linked_cards(user).await.unwrap(), vec![b]);
}

/// State fees: one per application, replaced only from the УИН read, found by application and
/// by УИН, listed; the refund's outcome recorded once.
pub async fn fees(db: &TestDb) {
    use sep_core::catalogue::ApplicantType;
    use sep_core::payment::fee::{Fee, FeeRefund};
    use sep_core::payment::{ChargeKind, Uin};
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let (app, other) = (
        super::applications::stored_draft(db, user, at).await,
        super::applications::stored_draft(db, user, at + time::Duration::seconds(1)).await,
    );
    let fee = |app, uin: &str, amount: i64| {
        let mut charge = sep_core::payment::Charge {
            uin: Uin::complete(uin).unwrap(),
            kind: ChargeKind::Fee,
            title: "Государственная пошлина".into(),
            kbk: "07110807081011000110".into(),
            oktmo: "45380000".into(),
            payee: sep_core::payment::Payee {
                name: "УФК".into(),
                inn: "7710474375".into(),
                kpp: "771001001".into(),
                account: "03100643000000017300".into(),
                bank: "ГУ Банка России".into(),
                bic: "004525988".into(),
                corr_account: "40102810545370000003".into(),
            },
            purpose: String::new(),
            amount: Kopecks(amount),
            paid: Kopecks(0),
            date: at.date(),
            due: at.date() + time::Duration::days(30),
            discount: None,
            payer_inn: "770123456703".into(),
        };
        charge.purpose = format!("Пошлина. УИН {}", charge.uin);
        Fee {
            application_id: app,
            user_id: user,
            applicant_type: ApplicantType::Person,
            charge,
            refund: FeeRefund::None,
            refund_reason: None,
            created_at: at,
            updated_at: at,
        }
    };
    let first = fee(app, "0710000000000000001", 20_000);
    s.upsert_fee(&first, None, &Effects::none()).await.unwrap();
    assert_eq!(s.find_fee(app).await.unwrap().as_ref(), Some(&first), "read back whole");
    let twice = s.upsert_fee(&first, None, &Effects::none()).await;
    assert!(matches!(twice, Err(StoreError::Conflict { .. })), "one fee per application");
    let second = fee(app, "0710000000000000002", 40_000);
    let stale = s.upsert_fee(&second, Some("071000000000000099"), &Effects::none()).await;
    assert!(matches!(stale, Err(StoreError::Conflict { .. })), "replaced only from the УИН read");
    let fx = Effects::audit(NewAuditEvent::system(at, "fee.issued", Some(user)));
    s.upsert_fee(&second, Some(first.charge.uin.as_str()), &fx).await.unwrap();
    assert_eq!(s.find_fee(app).await.unwrap().unwrap().charge.amount, Kopecks(40_000));
    assert!(s.find_fee_by_uin(first.charge.uin.as_str()).await.unwrap().is_none(), "the old УИН is gone");
    assert_eq!(s.find_fee_by_uin(second.charge.uin.as_str()).await.unwrap().unwrap().application_id, app);
    assert!(s.find_fee(other).await.unwrap().is_none());
    let third = fee(other, "0710000000000000003", 20_000);
    s.upsert_fee(&third, None, &Effects::none()).await.unwrap();
    let listed: Vec<_> = s.list_fees().await.unwrap().into_iter().map(|f| f.application_id).collect();
    assert!(listed.contains(&app) && listed.contains(&other));
    let later = at + time::Duration::minutes(5);
    assert!(s.update_fee_refund(app, FeeRefund::Done, None, later, &Effects::none()).await.unwrap());
    assert!(!s.update_fee_refund(app, FeeRefund::Failed, Some("x"), later, &Effects::none()).await.unwrap(), "once");
    let done = s.find_fee(app).await.unwrap().unwrap();
    assert_eq!((done.refund, done.refund_reason, done.updated_at), (FeeRefund::Done, None, later));
}
