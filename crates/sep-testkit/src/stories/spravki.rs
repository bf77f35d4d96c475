//! Справка orders: numbers per year, one order per request key, status moves guarded by the
//! expected status, the made document filed with the order's «Готово» in one transaction,
//! and the postal copy's steps.

use super::t0;
use crate::TestDb;
use sep_core::StoreError;
use sep_core::application::record::StoredFile;
use sep_core::audit::NewAuditEvent;
use sep_core::document::issued::IssuedDocument;
use sep_core::job::{JobKind, NewJob};
use sep_core::signing::Source;
use sep_core::spravka::order::{Order, OrderStatus, PostStatus};
use sep_core::store::Effects;
use time::macros::date;
use uuid::Uuid;

fn order(user: sep_core::ids::UserId, number: &str, key: &str, at: time::OffsetDateTime) -> Order {
    Order {
        id: Uuid::now_v7(),
        number: number.into(),
        user_id: user,
        // Ordered for an organisation, so that its columns round-trip (one without: below).
        org: Some(sep_core::spravka::OrgHolder {
            full_name: "Общество с ограниченной ответственностью «Ромашка»".into(),
            short_name: "ООО «Ромашка»".into(),
            inn: "7701000019".into(),
            ogrn: "1027700000019".into(),
            kpp: Some("770101001".into()),
        }),
        kind: "income".into(),
        period: Some((date!(2026 - 01 - 01), date!(2026 - 06 - 30))),
        purpose: "в банк".into(),
        email: Some("ivanov@example.ru".into()),
        post_address: Some("101000, г. Москва, ул. Мясницкая, д. 1".into()),
        request_key: key.into(),
        status: OrderStatus::Accepted,
        error: None,
        document_id: None,
        tracking: None,
        post: None,
        created_at: at,
        updated_at: at,
    }
}

/// The whole life of an order on one backend.
pub async fn lifecycle(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let other = super::citizen(db, at).await;
    assert_eq!(s.next_spravka_number(2026).await.unwrap(), 1);
    assert_eq!(s.next_spravka_number(2026).await.unwrap(), 2);
    assert_eq!(s.next_spravka_number(2027).await.unwrap(), 1, "per year");

    let o = order(user, "S2026-000001", "k1", at);
    let job = NewJob::of(JobKind::MakeSpravka, serde_json::json!({ "order": o.id }), at);
    let fx = Effects {
        audit: vec![NewAuditEvent::system(at, "spravka.ordered", Some(user))],
        jobs: vec![job],
        notices: vec![],
    };
    s.insert_spravka_order(&o, &fx).await.unwrap();
    assert_eq!(s.find_spravka_order(o.id).await.unwrap(), Some(o.clone()));
    assert_eq!(s.find_spravka_order(Uuid::now_v7()).await.unwrap(), None);
    assert_eq!(s.find_spravka_order_by_key(user, "k1").await.unwrap(), Some(o.clone()));
    assert_eq!(s.find_spravka_order_by_key(other, "k1").await.unwrap(), None, "keys are per person");
    let twice = Order { id: Uuid::now_v7(), number: "S2026-000002".into(), ..o.clone() };
    assert!(matches!(s.insert_spravka_order(&twice, &Effects::none()).await, Err(StoreError::Conflict { .. })));
    let theirs = order(other, "S2026-000003", "k1", at);
    s.insert_spravka_order(&theirs, &Effects::none()).await.unwrap();
    let no_period = Order {
        period: None,
        email: None,
        post_address: None,
        org: None,
        ..order(user, "S2026-000004", "k2", at + time::Duration::seconds(1))
    };
    s.insert_spravka_order(&no_period, &Effects::none()).await.unwrap();
    let mine = s.list_spravka_orders_of_user(user).await.unwrap();
    assert_eq!(mine, vec![no_period.clone(), o.clone()], "newest first, only the person's");
    // None has changed since it was stored: all count as stalled later, oldest first.
    let stalled = s.list_spravka_orders_stalled(at + time::Duration::seconds(2), 10).await.unwrap();
    assert_eq!(stalled.iter().map(|o| o.id).collect::<Vec<_>>(), vec![o.id, theirs.id, no_period.id]);
    assert_eq!(s.list_spravka_orders_stalled(at + time::Duration::seconds(2), 1).await.unwrap().len(), 1, "limited");
    assert!(s.list_spravka_orders_stalled(at, 10).await.unwrap().is_empty(), "not before their last change");
    let claimed = s.claim_jobs("spravki", "w", at, time::Duration::minutes(5), 10).await.unwrap();
    assert_eq!(claimed.len(), 1, "the job landed with the order");

    // Accepted → Making, guarded by the expected status.
    let t1 = at + time::Duration::seconds(5);
    assert!(
        !s.update_spravka_order_status(o.id, OrderStatus::Making, OrderStatus::Ready, None, t1, &Effects::none())
            .await
            .unwrap()
    );
    assert!(
        s.update_spravka_order_status(o.id, OrderStatus::Accepted, OrderStatus::Making, None, t1, &Effects::none())
            .await
            .unwrap()
    );

    // Ready with the document, its signature and the tracking number, at once.
    let d = IssuedDocument {
        id: Uuid::now_v7(),
        number: "D2026-000010".into(),
        check_code: "0f".repeat(16),
        application_id: None,
        order_id: Some(o.id),
        payment_id: None,
        user_id: user,
        agency: "ФНС России".into(),
        issued_by: None,
        title: "Справка о доходах".into(),
        holder: "Иванов И. И.".into(),
        file: StoredFile {
            file_name: "spravka.pdf".into(),
            content_type: "application/pdf".into(),
            size: 10,
            sha256: "cd".repeat(32),
        },
        issued_at: t1,
        valid_until: Some(t1 + time::Duration::days(30)),
        annulled_at: None,
    };
    let mut sig = super::signing::signature(&super::signing::credential(user, "1A", at), &d.key(), t1);
    sig.source = Source::System;
    sig.credential_id = None;
    let t2 = at + time::Duration::seconds(10);
    assert!(
        !s.complete_spravka_order(no_period.id, &d, &sig, b"DER", None, t2, &Effects::none()).await.unwrap(),
        "not being made"
    );
    assert_eq!(s.find_issued_document("D2026-000010").await.unwrap(), None, "nothing filed for it");
    assert!(
        s.complete_spravka_order(o.id, &d, &sig, b"DER", Some("10100012000429"), t2, &Effects::none()).await.unwrap()
    );
    let ready = s.find_spravka_order(o.id).await.unwrap().unwrap();
    assert_eq!(ready.status, OrderStatus::Ready);
    assert_eq!(ready.document_id, Some(d.id));
    assert_eq!(ready.tracking.as_deref(), Some("10100012000429"));
    assert_eq!(ready.post, Some((PostStatus::Accepted, t2)));
    assert_eq!(s.find_issued_document("D2026-000010").await.unwrap(), Some(d.clone()), "filed with holder and expiry");
    assert_eq!(s.list_issued_documents_of_user(user).await.unwrap(), vec![d.clone()]);
    assert_eq!(s.find_spravka_order_by_document(d.id).await.unwrap().map(|o| o.id), Some(o.id));
    assert_eq!(s.find_spravka_order_by_document(Uuid::now_v7()).await.unwrap(), None);
    assert_eq!(s.get_signature(sig.id).await.unwrap().0, sig);
    assert!(!s.complete_spravka_order(o.id, &d, &sig, b"DER", None, t2, &Effects::none()).await.unwrap(), "once");

    // The post moves one step at a time.
    let t3 = at + time::Duration::seconds(20);
    assert!(
        !s.update_spravka_post(o.id, PostStatus::InTransit, PostStatus::Delivered, t3, &Effects::none()).await.unwrap()
    );
    assert!(
        s.update_spravka_post(o.id, PostStatus::Accepted, PostStatus::InTransit, t3, &Effects::none()).await.unwrap()
    );
    assert_eq!(s.find_spravka_order(o.id).await.unwrap().unwrap().post, Some((PostStatus::InTransit, t3)));
    assert!(
        !s.update_spravka_post(no_period.id, PostStatus::Accepted, PostStatus::InTransit, t3, &Effects::none())
            .await
            .unwrap(),
        "no postal copy"
    );

    // A failure keeps its code and text.
    assert!(
        s.update_spravka_order_status(
            no_period.id,
            OrderStatus::Accepted,
            OrderStatus::Making,
            None,
            t3,
            &Effects::none()
        )
        .await
        .unwrap()
    );
    let fx = Effects::audit(NewAuditEvent::system(t3, "spravka.failed", Some(user)));
    assert!(
        s.update_spravka_order_status(
            no_period.id,
            OrderStatus::Making,
            OrderStatus::Failed,
            Some(("registry_no_data", "Нет сведений.")),
            t3,
            &fx
        )
        .await
        .unwrap()
    );
    let failed = s.find_spravka_order(no_period.id).await.unwrap().unwrap();
    assert_eq!(failed.status, OrderStatus::Failed);
    assert_eq!(failed.error, Some(("registry_no_data".into(), "Нет сведений.".into())));
    assert_eq!(failed.updated_at, t3);
    let stalled = s.list_spravka_orders_stalled(t3 + time::Duration::hours(1), 10).await.unwrap();
    assert_eq!(stalled.iter().map(|o| o.id).collect::<Vec<_>>(), vec![theirs.id], "ready and failed ones are not");
}
