//! Documents the system issues (SPEC E3, A3): the officer attaches the result of an approved
//! application; the agency's system key signs it; it lands in the applicant's «Мои документы»
//! as «Выдан», with a notification. Each carries a number and a 128-bit check code: the link
//! `/verify/{number}?ck={code}` printed with it lets anyone check what was issued, when, by
//! whom and its status — and reveals nothing without the code.

use crate::application::ActionError;
use crate::application::attachment::{FileStore, check, mime};
use crate::application::record::{Application, ApplicationId, StoredFile};
use crate::application::status::Status;
use crate::audit::Origin;
use crate::catalogue::Format;
use crate::ids::UserId;
use crate::notice::NewNotice;
use crate::signing::{Authority, Signature, Source};
use crate::store::{Effects, Store};
use crate::user::User;
use time::OffsetDateTime;
use uuid::Uuid;

/// The kind «Мои документы» shows for an issued document.
pub const ISSUED_KIND: &str = "Документ-результат";

/// Largest result document, in megabytes.
pub const MAX_MB: u32 = 20;

/// A document the system issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedDocument {
    /// Id.
    pub id: Uuid,
    /// Its number (`D2026-000001`).
    pub number: String,
    /// The check code: 32 hex digits.
    pub check_code: String,
    /// The application it answers, when an officer issued it.
    pub application_id: Option<ApplicationId>,
    /// The справка order it answers, when the worker made it.
    pub order_id: Option<Uuid>,
    /// The payment it answers, when it is a receipt.
    pub payment_id: Option<Uuid>,
    /// To whom it was issued.
    pub user_id: UserId,
    /// The issuing agency.
    pub agency: String,
    /// The officer who issued it; none for a справка the system made.
    pub issued_by: Option<UserId>,
    /// What it is (the service's title).
    pub title: String,
    /// The holder as a public page may show them: surname and initials.
    pub holder: String,
    /// The file.
    pub file: StoredFile,
    /// When it was issued.
    pub issued_at: OffsetDateTime,
    /// Valid until, for documents that expire (справки).
    pub valid_until: Option<OffsetDateTime>,
    /// When it was annulled, if it was.
    pub annulled_at: Option<OffsetDateTime>,
}

impl IssuedDocument {
    /// Its key in «Мои документы».
    pub fn key(&self) -> String {
        format!("i:{}", self.id)
    }

    /// The record of the agency's signature of this document, made at `at`.
    pub fn system_signature(
        &self,
        hash: String,
        signer: crate::signature::Certificate,
        at: OffsetDateTime,
    ) -> Signature {
        Signature {
            id: Uuid::now_v7(),
            user_id: self.user_id,
            document: self.key(),
            sha256: self.file.sha256.clone(),
            hash,
            source: Source::System,
            signer,
            signed_at: at,
            credential_id: None,
            verdict: "signature_valid".to_owned(),
            created_at: at,
        }
    }

    /// The check link's path: `/verify/{number}?ck={code}`.
    pub fn check_path(&self) -> String {
        format!("/verify/{}?ck={}", self.number, self.check_code)
    }
}

/// «Выдать документ»: the officer in charge issues `bytes` as the result of approved `app`.
#[allow(clippy::too_many_arguments, reason = "the use case takes each port it needs by name, as the others do")]
pub async fn issue(
    store: &dyn Store,
    files: &dyn FileStore,
    authority: &dyn Authority,
    app: &Application,
    title: &str,
    officer: &User,
    upload: (&str, &[u8]),
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<IssuedDocument, ActionError> {
    if !matches!(app.status, Status::Approved | Status::Completed) {
        return Err(ActionError::NotIssuable(app.status));
    }
    if app.assignee != Some(officer.id) {
        return Err(ActionError::NotInCharge);
    }
    let agency = officer.agency.clone().ok_or(ActionError::NotInCharge)?;
    let (name, bytes) = upload;
    let format = check(bytes, &[Format::Pdf, Format::Jpeg, Format::Png], MAX_MB).map_err(ActionError::File)?;
    let sha256 = crate::application::attachment::content_key(bytes);
    // The same file again (a second press, a retried form) is the document already issued.
    if let Some(same) = store
        .list_issued_documents(app.id)
        .await?
        .into_iter()
        .find(|d| d.file.sha256 == sha256 && d.annulled_at.is_none())
    {
        return Ok(same);
    }
    files.put(&sha256, bytes).await.map_err(|e| ActionError::FileStore(e.to_string()))?;
    let hash = authority.hash(bytes);
    let (der, signer) = authority.sign_as_agency(&agency, &hash, now).map_err(|e| ActionError::Signing(e.0))?;
    let year = now.year();
    let seq = store.next_document_number(year).await?;
    let code = crate::ids::random_bytes::<16>().map_err(|_| ActionError::RandomUnavailable)?;
    let file_name = crate::application::attachment::clean_name(name);
    let d = IssuedDocument {
        id: Uuid::now_v7(),
        number: format!("D{year}-{seq:06}"),
        check_code: hex::encode(code),
        application_id: Some(app.id),
        order_id: None,
        payment_id: None,
        user_id: app.user_id,
        agency,
        issued_by: Some(officer.id),
        title: title.to_owned(),
        holder: String::new(),
        file: StoredFile { file_name, content_type: mime(format).to_owned(), size: bytes.len() as i64, sha256 },
        issued_at: now,
        valid_until: None,
        annulled_at: None,
    };
    let s = d.system_signature(hash, signer, now);
    let mut e = origin.event(now, "document.issued", Some(officer.id));
    e.subject = Some(app.user_id);
    e.object = Some(format!("application:{}", app.id));
    e.details = serde_json::json!({ "number": d.number, "hash": s.hash });
    let number = app.number.clone().unwrap_or_default();
    let notice = NewNotice {
        user_id: app.user_id,
        at: now,
        kind: "status".into(),
        title: "Выдан документ".into(),
        text: format!("По заявлению № {number} выдан документ № {}, подписанный ведомством.", d.number),
        link: "/documents".into(),
        critical: false,
    };
    let data = serde_json::json!({ "application": app.id.to_string(), "number": d.number });
    let event = crate::integration::webhook::EventType::DocumentIssued;
    let jobs = vec![crate::integration::webhook::event_job(app.user_id, event, data, now)];
    let fx = Effects { audit: vec![e], jobs, notices: vec![notice] };
    match store.insert_issued_document(&d, &s, &der, &fx).await {
        Ok(()) => Ok(d),
        // Two presses at once: the one that landed first is the document.
        Err(crate::StoreError::Conflict { .. }) => store
            .list_issued_documents(app.id)
            .await?
            .into_iter()
            .find(|x| x.file.sha256 == d.file.sha256 && x.annulled_at.is_none())
            .ok_or(ActionError::Changed),
        Err(e) => Err(e.into()),
    }
}

/// «Аннулировать»: an officer of the issuing agency annuls a document issued on `app`, with
/// a reason the applicant reads; its check link then says «Документ аннулирован». Issued
/// documents are never deleted.
#[allow(clippy::too_many_arguments, reason = "the use case takes each port it needs by name, as the others do")]
pub async fn annul(
    store: &dyn Store,
    app: &Application,
    officer: &User,
    id: Uuid,
    reason: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<IssuedDocument, ActionError> {
    let all = store.list_issued_documents(app.id).await?;
    let d = all.into_iter().find(|d| d.id == id).ok_or(ActionError::DocumentUnknown)?;
    annul_document(store, officer, d, reason, origin, now).await
}

/// Annuls issued document `d` (an application's result or a справка) by an officer of its
/// agency, with a reason its holder is told.
pub async fn annul_document(
    store: &dyn Store,
    officer: &User,
    d: IssuedDocument,
    reason: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<IssuedDocument, ActionError> {
    let reason: String = reason.trim().chars().filter(|c| !c.is_control()).take(1000).collect();
    if reason.is_empty() {
        return Err(ActionError::ReasonRequired);
    }
    if officer.role != crate::user::Role::Officer || officer.agency.as_deref() != Some(d.agency.as_str()) {
        return Err(ActionError::NotInCharge);
    }
    if d.annulled_at.is_some() {
        return Err(ActionError::Changed);
    }
    let mut e = origin.event(now, "document.annulled", Some(officer.id));
    e.subject = Some(d.user_id);
    e.object = match (d.application_id, d.order_id, d.payment_id) {
        (Some(app), _, _) => Some(format!("application:{app}")),
        (None, Some(order), _) => Some(format!("spravka:{order}")),
        (None, None, Some(payment)) => Some(format!("payment:{payment}")),
        (None, None, None) => Some(format!("document:{}", d.id)),
    };
    e.details = serde_json::json!({ "number": d.number });
    let link = d.order_id.map_or_else(|| "/documents".to_owned(), |o| format!("/spravki/{o}"));
    let notice = NewNotice {
        user_id: d.user_id,
        at: now,
        kind: "status".into(),
        title: "Документ аннулирован".into(),
        text: format!("Документ № {} аннулирован ведомством. Причина: {reason}", d.number),
        link,
        critical: true,
    };
    let fx = Effects { audit: vec![e], jobs: vec![], notices: vec![notice] };
    if !store.update_issued_document_annulled(d.id, now, &fx).await? {
        return Err(ActionError::Changed);
    }
    Ok(IssuedDocument { annulled_at: Some(now), ..d })
}

/// What `/verify/{number}?ck=…` shows: the document when number and code match, else nothing
/// (an unknown number and a wrong code look alike).
pub async fn check_by_code(
    store: &dyn Store,
    number: &str,
    code: &str,
) -> Result<Option<IssuedDocument>, crate::StoreError> {
    let Some(d) = store.find_issued_document(number.trim()).await? else { return Ok(None) };
    let given = code.trim().to_ascii_lowercase();
    Ok(crate::ids::ct_eq(given.as_bytes(), d.check_code.as_bytes()).then_some(d))
}

/// The system's signature of issued document `d` and its DER.
pub async fn system_signature(
    store: &dyn Store,
    d: &IssuedDocument,
) -> Result<Option<(Signature, Vec<u8>)>, crate::StoreError> {
    let key = d.key();
    let found = store
        .list_signatures_of_user(d.user_id)
        .await?
        .into_iter()
        .find(|s| s.document == key && s.source == Source::System && s.sha256 == d.file.sha256);
    match found {
        Some(s) => Ok(Some(store.get_signature(s.id).await?)),
        None => Ok(None),
    }
}

/// What the check page says of an issued document at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// «Действителен».
    Valid,
    /// «Аннулирован».
    Annulled,
    /// «Срок действия истёк».
    Expired,
}

impl IssuedDocument {
    /// Its standing at `now`: annulment first, then expiry.
    pub fn standing(&self, now: OffsetDateTime) -> Standing {
        match (self.annulled_at, self.valid_until) {
            (Some(_), _) => Standing::Annulled,
            (None, Some(until)) if until < now => Standing::Expired,
            _ => Standing::Valid,
        }
    }
}
