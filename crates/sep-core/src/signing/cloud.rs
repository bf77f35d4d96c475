//! The cloud signature's use cases: get a certificate, revoke it, sign a document of «Мои
//! документы» with an SMS code bound to its hash.

use super::{Authority, Credential, SignRequest, Signature, SigningError, Source, Subject};
use crate::application::attachment::FileStore;
use crate::audit::Origin;
use crate::catalogue::Catalogue;
use crate::confirm::{Carrier, MAX_SENDS, WINDOW, issue};
use crate::document::Entry;
use crate::otp::Verdict;
use crate::store::{Effects, Store};
use crate::user::User;
use time::OffsetDateTime;
use uuid::Uuid;

/// What a certificate is issued for, from the verified profile: a name and a СНИЛС at least.
pub fn subject_of(user: &User) -> Result<Subject, SigningError> {
    let p = &user.profile;
    let snils = p.snils.as_ref().ok_or(SigningError::ProfileIncomplete)?;
    if p.last_name.trim().is_empty() || p.first_name.trim().is_empty() {
        return Err(SigningError::ProfileIncomplete);
    }
    Ok(Subject {
        last_name: p.last_name.clone(),
        first_name: p.first_name.clone(),
        middle_name: p.middle_name.clone(),
        snils: snils.as_digits().to_owned(),
        inn: p.inn.as_ref().map(|i| i.as_str().to_owned()),
    })
}

/// The person's certificate that can sign now, if any.
pub async fn current(store: &dyn Store, user: &User, now: OffsetDateTime) -> Result<Option<Credential>, SigningError> {
    Ok(store.list_credentials(user.id).await?.into_iter().find(|c| c.usable(now)))
}

/// «Получить сертификат электронной подписи»: a new key and certificate for the person.
pub async fn obtain(
    store: &dyn Store,
    authority: &dyn Authority,
    user: &User,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Credential, SigningError> {
    let subject = subject_of(user)?;
    let all = store.list_credentials(user.id).await?;
    if all.iter().any(|c| c.usable(now)) {
        return Err(SigningError::CertificateExists);
    }
    let issued = authority.issue(&subject, now).map_err(|e| SigningError::Authority(e.0))?;
    let c = Credential {
        id: Uuid::now_v7(),
        user_id: user.id,
        certificate: issued.certificate,
        der: issued.der,
        key: issued.key,
        created_at: now,
        revoked_at: None,
    };
    let mut e = origin.event(now, "signature.certificate_issued", Some(user.id));
    e.object = Some(format!("certificate:{}", c.certificate.serial));
    // An expired (unrevoked) certificate still holds the unique slot: mark it as ended first.
    for old in all.iter().filter(|c| c.revoked_at.is_none()) {
        store.update_credential_revoked(old.id, old.certificate.not_after.min(now), &Effects::none()).await?;
    }
    store.insert_credential(&c, &Effects::audit(e)).await.map_err(|e| match e {
        crate::StoreError::Conflict { .. } => SigningError::CertificateExists,
        e => e.into(),
    })?;
    Ok(c)
}

/// «Отозвать сертификат»: the authority lists it as revoked from now; signatures made before
/// stay valid at their signing time.
pub async fn revoke(
    store: &dyn Store,
    authority: &dyn Authority,
    user: &User,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Credential, SigningError> {
    let c = current(store, user, now).await?.ok_or(SigningError::CertificateMissing)?;
    // The portal's record first: from then on nothing signs with the key, whatever happens to
    // the list. The authority's list follows; if it fails, the revocation stands here (the key
    // cannot sign anywhere else) and the failure is logged for the operator to list it.
    let mut e = origin.event(now, "signature.certificate_revoked", Some(user.id));
    e.object = Some(format!("certificate:{}", c.certificate.serial));
    store.update_credential_revoked(c.id, now, &Effects::audit(e)).await?;
    if let Err(err) = authority.revoke(&c.certificate.serial, now) {
        tracing::error!(serial = %c.certificate.serial, error = %err, "revocation list not updated");
    }
    Ok(Credential { revoked_at: Some(now), ..c })
}

/// The person's document `key` of «Мои документы» (only their own are found).
pub async fn document(store: &dyn Store, catalogue: &Catalogue, user: &User, key: &str) -> Result<Entry, SigningError> {
    crate::document::find(store, catalogue, user, key).await?.ok_or(SigningError::NotFound)
}

/// What is about to be signed: a document of «Мои документы» or an application's statement.
#[derive(Debug, Clone)]
pub struct Target {
    /// Its key (`a:…`, `m:…`, `i:…`, `s:…`).
    pub key: String,
    /// Its name, as the person sees it when confirming.
    pub file_name: String,
    /// The content address (SHA-256) of this version.
    pub sha256: String,
    /// Its Стрибог-256 hash, hex: what is signed.
    pub hash: String,
}

/// The person's document `key` of «Мои документы», ready to be signed.
pub async fn document_target(
    store: &dyn Store,
    catalogue: &Catalogue,
    files: &dyn FileStore,
    authority: &dyn Authority,
    user: &User,
    key: &str,
) -> Result<Target, SigningError> {
    let entry = document(store, catalogue, user, key).await?;
    let bytes = files.get(&entry.file.sha256).await.map_err(|e| SigningError::FileStore(e.to_string()))?;
    Ok(Target {
        key: key.to_owned(),
        file_name: entry.file.file_name,
        sha256: entry.file.sha256,
        hash: authority.hash(&bytes),
    })
}

/// The statement of the person's application `app` as it is now, ready to be signed.
pub async fn statement_target(
    store: &dyn Store,
    authority: &dyn Authority,
    app: &crate::application::record::Application,
) -> Result<Target, SigningError> {
    use crate::application::statement;
    let attachments = store.list_attachments(app.id).await?;
    let bytes = statement::statement(app, &attachments);
    Ok(Target {
        key: statement::key(app),
        file_name: statement::file_name(app),
        sha256: crate::application::attachment::content_key(&bytes),
        hash: authority.hash(&bytes),
    })
}

/// «Подписать»: a code by SMS bound to exactly this target's hash.
pub async fn start(
    store: &dyn Store,
    user: &User,
    target: Target,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<SignRequest, SigningError> {
    let credential = current(store, user, now).await?.ok_or(SigningError::CertificateMissing)?;
    let phone = user.profile.phone.as_ref().ok_or(SigningError::PhoneMissing)?;
    if store.count_sign_requests_since(user.id, now - WINDOW).await? >= MAX_SENDS * 2 {
        return Err(SigningError::SendLimit);
    }
    let mut r = SignRequest {
        id: Uuid::now_v7(),
        user_id: user.id,
        credential_id: credential.id,
        document: target.key,
        file_name: target.file_name,
        sha256: target.sha256,
        hash: target.hash,
        code: crate::otp::CodeState { digest: String::new(), expires_at: now, tries_left: 0, spent: true },
        created_at: now,
        signature_id: None,
    };
    let short = r.hash.get(..8).unwrap_or_default().to_owned();
    let name = r.file_name.chars().take(40).collect::<String>();
    let text = move |code: &str| {
        format!("Код {code} — подпись документа «{name}» (хеш {short}…) в СЭП. Никому не сообщайте код.")
    };
    let (code, job) = issue(&Carrier::Sms { text: &text }, &r.binding(), phone.as_str(), now)
        .ok_or(SigningError::RandomUnavailable)?;
    r.code = code;
    let mut e = origin.event(now, "signature.code_sent", Some(user.id));
    e.object = Some(format!("document:{}", r.document));
    e.details = serde_json::json!({ "hash": r.hash });
    store.insert_sign_request(&r, &Effects::audit(e).with_job(job)).await?;
    Ok(r)
}

/// The pending signing `id` of the person (somebody else's is not found).
pub async fn request(store: &dyn Store, user: &User, id: Uuid) -> Result<SignRequest, SigningError> {
    match store.get_sign_request(id).await {
        Ok(r) if r.user_id == user.id => Ok(r),
        Ok(_) | Err(crate::StoreError::NotFound) => Err(SigningError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// The typed code for signing `id` checked: a wrong one is counted (and the error says how
/// many tries are left); a right one gives the request as it was, as it becomes (its code
/// spent, to be stored with what it released), and the credential to sign with.
pub async fn release(
    store: &dyn Store,
    user: &User,
    id: Uuid,
    typed: &str,
    now: OffsetDateTime,
) -> Result<(SignRequest, SignRequest, Credential), SigningError> {
    let r = request(store, user, id).await?;
    if r.signature_id.is_some() {
        return Err(SigningError::AlreadySigned);
    }
    let (verdict, next) = r.code.check(&r.binding(), typed.trim(), now);
    let updated = SignRequest { code: next, ..r.clone() };
    match verdict {
        Verdict::Accepted => {}
        Verdict::Wrong { tries_left } => {
            store.update_sign_request(&updated, &r.code, None, &Effects::none()).await?;
            return Err(SigningError::CodeWrong { tries_left });
        }
        Verdict::Exhausted => {
            store.update_sign_request(&updated, &r.code, None, &Effects::none()).await?;
            return Err(SigningError::CodeVoid);
        }
        Verdict::Expired | Verdict::Spent => return Err(SigningError::CodeVoid),
    }
    let credential = store
        .list_credentials(user.id)
        .await?
        .into_iter()
        .find(|c| c.id == r.credential_id && c.usable(now))
        .ok_or(SigningError::CertificateMissing)?;
    Ok((r, updated, credential))
}

/// The typed code for signing `id`: right, and it releases one signature over the hash the
/// person saw.
#[allow(clippy::too_many_arguments, reason = "the use case takes each port it needs by name, as the others do")]
pub async fn confirm(
    store: &dyn Store,
    authority: &dyn Authority,
    user: &User,
    id: Uuid,
    typed: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Signature, SigningError> {
    // A message's signing is confirmed with the message (`mail::sealed`), not as a document.
    if request(store, user, id).await?.document.starts_with("mail:") {
        return Err(SigningError::NotFound);
    }
    let (r, updated, credential) = release(store, user, id, typed, now).await?;
    let der = authority.sign(&credential, &r.hash, now).map_err(|e| SigningError::Authority(e.0))?;
    let s = Signature {
        id: Uuid::now_v7(),
        user_id: user.id,
        document: r.document.clone(),
        sha256: r.sha256.clone(),
        hash: r.hash.clone(),
        source: Source::Cloud,
        signer: credential.certificate.clone(),
        signed_at: now,
        credential_id: Some(credential.id),
        verdict: "signature_valid".to_owned(),
        created_at: now,
    };
    let updated = SignRequest { signature_id: Some(s.id), ..updated };
    let mut e = origin.event(now, "document.signed", Some(user.id));
    e.object = Some(format!("document:{}", r.document));
    e.details = serde_json::json!({ "hash": r.hash, "certificate": credential.certificate.serial });
    match store.update_sign_request(&updated, &r.code, Some((&s, &der)), &Effects::audit(e)).await {
        Ok(()) => Ok(s),
        // The same code was used by a press that landed first.
        Err(crate::StoreError::Conflict { .. }) => Err(SigningError::AlreadySigned),
        Err(e) => Err(e.into()),
    }
}

/// A signature of the person's documents with its bytes (somebody else's is not found).
pub async fn signature_file(store: &dyn Store, user: &User, id: Uuid) -> Result<(Signature, Vec<u8>), SigningError> {
    match store.get_signature(id).await {
        Ok((s, der)) if s.user_id == user.id => Ok((s, der)),
        Ok(_) | Err(crate::StoreError::NotFound) => Err(SigningError::NotFound),
        Err(e) => Err(e.into()),
    }
}
