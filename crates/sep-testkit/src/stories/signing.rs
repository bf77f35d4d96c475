//! Certificates with sealed keys, signings bound to a code, and signatures.

use super::t0;
use crate::TestDb;
use sep_core::StoreError;
use sep_core::audit::NewAuditEvent;
use sep_core::otp::{CodeState, OtpPolicy};
use sep_core::signature::Certificate;
use sep_core::signing::{Credential, SealedKey, SignRequest, Signature, Source};
use sep_core::store::Effects;
use time::Duration;
use uuid::Uuid;

pub(crate) fn credential(user: sep_core::ids::UserId, serial: &str, at: time::OffsetDateTime) -> Credential {
    Credential {
        id: Uuid::now_v7(),
        user_id: user,
        certificate: Certificate {
            subject: "CN=Иванов Иван Иванович".into(),
            issuer: "CN=Тестовый УЦ СЭП".into(),
            serial: serial.into(),
            not_before: at,
            not_after: at + Duration::days(365),
        },
        der: vec![0x30, 0x82, 1, 2],
        key: SealedKey { key_id: "k1".into(), blob: vec![7; 60] },
        created_at: at,
        revoked_at: None,
    }
}

pub(crate) fn signature(c: &Credential, document: &str, at: time::OffsetDateTime) -> Signature {
    Signature {
        id: Uuid::now_v7(),
        user_id: c.user_id,
        document: document.into(),
        sha256: "ab".repeat(32),
        hash: "cd".repeat(32),
        source: Source::Cloud,
        signer: c.certificate.clone(),
        signed_at: at,
        credential_id: Some(c.id),
        verdict: "signature_valid".into(),
        created_at: at,
    }
}

/// One unrevoked certificate a person; a signing's code releases one signature, once, even
/// when two presses race; uploaded signatures are kept with their bytes; revocation is once.
pub async fn lifecycle(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let other = super::citizen(db, at).await;
    let c = credential(user, "0A", at);
    s.insert_credential(&c, &Effects::audit(NewAuditEvent::system(at, "signature.certificate_issued", Some(user))))
        .await
        .unwrap();
    assert!(
        matches!(
            s.insert_credential(&credential(user, "0B", at), &Effects::none()).await,
            Err(StoreError::Conflict { .. })
        ),
        "one unrevoked certificate a person"
    );
    s.insert_credential(&credential(other, "0C", at), &Effects::none()).await.unwrap();
    assert_eq!(s.list_credentials(user).await.unwrap(), vec![c.clone()]);

    let code = CodeState::new("sign", "123456", at, OtpPolicy::default());
    let r = SignRequest {
        id: Uuid::now_v7(),
        user_id: user,
        credential_id: c.id,
        document: "a:1".into(),
        file_name: "Паспорт.pdf".into(),
        sha256: "ab".repeat(32),
        hash: "cd".repeat(32),
        code: code.clone(),
        created_at: at,
        signature_id: None,
    };
    s.insert_sign_request(&r, &Effects::none()).await.unwrap();
    assert_eq!(s.get_sign_request(r.id).await.unwrap(), r);
    assert!(matches!(s.get_sign_request(Uuid::now_v7()).await, Err(StoreError::NotFound)));
    assert_eq!(s.count_sign_requests_since(user, at).await.unwrap(), 1);
    assert_eq!(s.count_sign_requests_since(user, at + Duration::seconds(1)).await.unwrap(), 0);
    assert_eq!(s.count_sign_requests_since(other, at).await.unwrap(), 0);

    // A wrong try is written only if nobody else wrote first.
    let wrong = SignRequest { code: CodeState { tries_left: 2, ..code.clone() }, ..r.clone() };
    s.update_sign_request(&wrong, &code, None, &Effects::none()).await.unwrap();
    assert!(matches!(
        s.update_sign_request(&wrong, &code, None, &Effects::none()).await,
        Err(StoreError::Conflict { .. })
    ));
    // The right code: the signature lands with the request, once.
    let sig = signature(&c, "a:1", at);
    let done =
        SignRequest { code: CodeState { spent: true, ..wrong.code.clone() }, signature_id: Some(sig.id), ..r.clone() };
    s.update_sign_request(&done, &wrong.code, Some((&sig, b"DER")), &Effects::none()).await.unwrap();
    let twin = Signature { id: Uuid::now_v7(), ..sig.clone() };
    let again = SignRequest { signature_id: Some(twin.id), ..done.clone() };
    assert!(matches!(
        s.update_sign_request(&again, &wrong.code, Some((&twin, b"DER")), &Effects::none()).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(s.get_signature(twin.id).await, Err(StoreError::NotFound)), "the loser's signature is undone");
    assert_eq!(s.get_sign_request(r.id).await.unwrap(), done);
    assert_eq!(s.get_signature(sig.id).await.unwrap(), (sig.clone(), b"DER".to_vec()));

    let uploaded = Signature {
        id: Uuid::now_v7(),
        source: Source::Uploaded,
        credential_id: None,
        created_at: at + Duration::seconds(1),
        ..sig.clone()
    };
    s.insert_signature(&uploaded, b"OTHER", &Effects::none()).await.unwrap();
    assert_eq!(s.list_signatures_of_user(user).await.unwrap(), vec![sig.clone(), uploaded.clone()]);
    assert!(s.list_signatures_of_user(other).await.unwrap().is_empty());

    let later = at + Duration::minutes(5);
    assert!(s.update_credential_revoked(c.id, later, &Effects::none()).await.unwrap());
    assert!(!s.update_credential_revoked(c.id, later, &Effects::none()).await.unwrap(), "once");
    assert_eq!(s.list_credentials(user).await.unwrap()[0].revoked_at, Some(later));
    let next = credential(user, "0D", later);
    s.insert_credential(&next, &Effects::none()).await.unwrap();
    assert_eq!(s.list_credentials(user).await.unwrap()[0].id, next.id, "newest first");
}

/// Issued documents: numbers per year, the document with the system's signature in one
/// transaction, found by owner, application and number.
pub async fn issued_documents(db: &TestDb) {
    use sep_core::application::record::{ApplicationId, StoredFile};
    use sep_core::document::issued::IssuedDocument;
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    let app = super::applications::stored_draft(db, user, at).await;
    assert_eq!(s.next_document_number(2026).await.unwrap(), 1);
    assert_eq!(s.next_document_number(2026).await.unwrap(), 2);
    assert_eq!(s.next_document_number(2027).await.unwrap(), 1, "per year");
    let d = IssuedDocument {
        id: Uuid::now_v7(),
        number: "D2026-000002".into(),
        check_code: "0f".repeat(16),
        application_id: Some(app),
        order_id: None,
        payment_id: None,
        user_id: user,
        agency: "Оператор СЭП".into(),
        issued_by: Some(user),
        title: "Регистрация в СЭП".into(),
        holder: String::new(),
        file: StoredFile {
            file_name: "Свидетельство.pdf".into(),
            content_type: "application/pdf".into(),
            size: 10,
            sha256: "ab".repeat(32),
        },
        issued_at: at,
        valid_until: None,
        annulled_at: None,
    };
    let mut sig = signature(&credential(user, "0E", at), &d.key(), at);
    sig.source = Source::System;
    sig.credential_id = None;
    s.insert_issued_document(
        &d,
        &sig,
        b"DER",
        &Effects::audit(NewAuditEvent::system(at, "document.issued", Some(user))),
    )
    .await
    .unwrap();
    assert_eq!(s.list_issued_documents_of_user(user).await.unwrap(), vec![d.clone()]);
    assert_eq!(s.list_issued_documents(app).await.unwrap(), vec![d.clone()]);
    assert_eq!(s.list_issued_documents(ApplicationId(Uuid::now_v7())).await.unwrap(), vec![]);
    assert_eq!(s.find_issued_document("D2026-000002").await.unwrap(), Some(d.clone()));
    assert_eq!(s.find_issued_document("D2026-000003").await.unwrap(), None);
    assert!(s.file_referenced(&d.file.sha256).await.unwrap(), "the orphan sweep keeps an issued file");
    assert_eq!(s.get_signature(sig.id).await.unwrap().0, sig, "the signature landed with it");
    let same_file = IssuedDocument { id: Uuid::now_v7(), number: "D2026-000009".into(), ..d.clone() };
    let sig3 = Signature { id: Uuid::now_v7(), ..sig.clone() };
    assert!(
        matches!(
            s.insert_issued_document(&same_file, &sig3, b"DER", &Effects::none()).await,
            Err(StoreError::Conflict { .. })
        ),
        "one valid document a file per application"
    );
    let twin = IssuedDocument { id: Uuid::now_v7(), ..d.clone() };
    let sig2 = Signature { id: Uuid::now_v7(), ..sig.clone() };
    assert!(
        matches!(
            s.insert_issued_document(&twin, &sig2, b"DER", &Effects::none()).await,
            Err(StoreError::Conflict { .. })
        ),
        "numbers are unique"
    );
    assert!(matches!(s.get_signature(sig2.id).await, Err(StoreError::NotFound)), "nothing half-written");
    let later = at + Duration::days(1);
    assert!(s.update_issued_document_annulled(d.id, later, &Effects::none()).await.unwrap());
    assert!(
        !s.update_issued_document_annulled(d.id, later + Duration::days(1), &Effects::none()).await.unwrap(),
        "once"
    );
    assert_eq!(s.find_issued_document("D2026-000002").await.unwrap().unwrap().annulled_at, Some(later));
}
