//! What an officer of МВД does with the registry (SPEC EP1, EP2): finds a record by its
//! number — each such view journaled as `passport.viewed` and shown to the holder — and annuls
//! it with a reason code. The annulment writes the status history, tells the holder, raises
//! `passport.annulled` for subscribed integrations; the published annulment list names it
//! from then on. Nobody outside МВД finds anything.

use super::record::{AnnulReason, ISSUER, Passport, PassportStatus, StatusEntry};
use crate::audit::{AuditEvent, Origin};
use crate::integration::webhook::{EventType, event_job};
use crate::notice::NewNotice;
use crate::store::{Effects, Store, StoreResult};
use crate::user::User;
use time::OffsetDateTime;
use uuid::Uuid;

/// Longest comment kept.
pub const MAX_COMMENT: usize = 1000;

/// Why an officer's step was refused.
#[derive(Debug, thiserror::Error)]
pub enum PassportError {
    /// No such record for this officer (or none at all).
    #[error("Электронный паспорт не найден.")]
    NotFound,
    /// No reason, or one not in the list.
    #[error("Выберите причину аннулирования из списка.")]
    ReasonRequired,
    /// Already annulled.
    #[error("Электронный паспорт уже аннулирован.")]
    NotValid,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

impl PassportError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "passport_not_found",
            Self::ReasonRequired => "passport_annul_reason_required",
            Self::NotValid => "passport_not_valid",
            Self::Store(e) => e.code(),
        }
    }
}

/// Whether `user` keeps the registry: an officer of the issuing agency.
pub fn keeps_registry(user: &User) -> bool {
    user.agency.as_deref() == Some(ISSUER)
}

/// The record numbered `number` with its history, for an officer of МВД; the view is
/// journaled for the holder to see.
pub async fn find(
    store: &dyn Store,
    officer: &User,
    number: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(Passport, Vec<StatusEntry>), PassportError> {
    if !keeps_registry(officer) {
        return Err(PassportError::NotFound);
    }
    let p = store.find_passport_by_number(number.trim()).await?.ok_or(PassportError::NotFound)?;
    let mut e = origin.event(now, "passport.viewed", Some(officer.id));
    e.subject = Some(p.user_id);
    e.object = Some(format!("passport:{}", p.id));
    e.details = serde_json::json!({ "agency": ISSUER });
    store.insert_audit(&e).await?;
    let history = store.passport_history(p.id).await?;
    Ok((p, history))
}

/// Annuls record `id` for `reason` (a code of [`AnnulReason`]) with `comment`.
pub async fn annul(
    store: &dyn Store,
    officer: &User,
    id: Uuid,
    reason: &str,
    comment: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Passport, PassportError> {
    if !keeps_registry(officer) {
        return Err(PassportError::NotFound);
    }
    let p = store.find_passport(id).await?.ok_or(PassportError::NotFound)?;
    let reason = AnnulReason::from_code(reason).ok_or(PassportError::ReasonRequired)?;
    if p.status != PassportStatus::Valid {
        return Err(PassportError::NotValid);
    }
    let comment: String = comment.trim().chars().filter(|c| !c.is_control()).take(MAX_COMMENT).collect();
    let entry = StatusEntry {
        id: Uuid::now_v7(),
        passport_id: p.id,
        at: now,
        status: PassportStatus::Annulled,
        by: Some(officer.id),
        reason: Some(reason),
        comment: comment.clone(),
    };
    let mut e = origin.event(now, "passport.annulled", Some(officer.id));
    e.subject = Some(p.user_id);
    e.object = Some(format!("passport:{}", p.id));
    e.details = serde_json::json!({ "reason": reason.code(), "number": p.number });
    let notice = NewNotice {
        user_id: p.user_id,
        at: now,
        kind: "passport".into(),
        title: "Электронный паспорт аннулирован".into(),
        text: format!(
            "Электронный паспорт № {} аннулирован: {}. {}Чтобы получить новый, подайте заявление на услугу «Электронный паспорт».",
            p.number,
            reason.label(),
            if comment.is_empty() { String::new() } else { format!("{comment}. ") }
        ),
        link: "/passport".into(),
        critical: true,
    };
    let fx = Effects { audit: vec![e], jobs: vec![], notices: vec![notice] }.with_job(event_job(
        p.user_id,
        EventType::PassportAnnulled,
        serde_json::json!({ "passport": p.id.to_string(), "number": p.number, "reason": reason.code() }),
        now,
    ));
    if !store.annul_passport(&entry, &fx).await? {
        return Err(PassportError::NotValid);
    }
    Ok(Passport { status: PassportStatus::Annulled, ..p })
}

/// Journals that `caller` (a program acting for `user`, its owner string `owner`) checked the
/// code of record `id` through the API; the holder sees it among the views.
pub async fn journal_check(
    store: &dyn Store,
    user: &User,
    owner: &str,
    id: Uuid,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let Some(p) = store.find_passport(id).await? else { return Ok(()) };
    let mut e = crate::audit::NewAuditEvent::system(now, "passport.viewed", Some(p.user_id));
    e.actor = Some(user.id);
    e.object = Some(format!("passport:{}", p.id));
    e.details = serde_json::json!({ "by": "api", "caller": owner });
    store.insert_audit(&e).await?;
    Ok(())
}

/// Who besides the holder looked at the holder's records: the journal's `passport.viewed`,
/// newest first (at most the last 200 journal lines of the person are read).
pub async fn views_of(store: &dyn Store, holder: &User) -> StoreResult<Vec<AuditEvent>> {
    let lines = store.list_audit_for_user(holder.id, None, 200).await?;
    Ok(lines.into_iter().filter(|e| e.event.action == "passport.viewed" && e.event.actor != Some(holder.id)).collect())
}
