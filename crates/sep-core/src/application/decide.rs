//! The officer's steps (SPEC A3): «Взять в работу», and the decisions — approve, reject or ask
//! for more data — with the service's reason codes and a comment. Only the officer who took
//! the application decides, approval waits for the registry checks, and both steps are
//! written only if nobody else moved the application first.

use super::error::ActionError;
use super::record::{Application, StatusChange};
use super::review;
use super::status::{Action, Actor, Reason, Status};
use crate::audit::Origin;
use crate::catalogue::{Catalogue, Service};
use crate::store::{Effects, Store};
use crate::user::User;
use time::OffsetDateTime;

/// Longest comment kept.
pub const MAX_COMMENT: usize = 2000;

fn audit(origin: &Origin, action: &str, officer: &User, app: &Application, at: OffsetDateTime) -> Effects {
    let mut e = origin.event(at, action, Some(officer.id));
    e.subject = Some(app.user_id);
    e.object = Some(format!("application:{}", app.id));
    Effects::audit(e)
}

/// «Взять в работу»: a sent application not yet picked up by the checks moves on to review;
/// one under review stays there with this officer in charge.
pub async fn take(
    store: &dyn Store,
    catalogue: &Catalogue,
    app: &Application,
    officer: &User,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), ActionError> {
    let to = match app.status {
        Status::Created => app.status.apply(&Action::StartReview, Actor::Officer)?,
        Status::UnderReview => Status::UnderReview,
        other => return Err(ActionError::NotTakeable(other)),
    };
    let comment = format!("Взято в работу: {}", officer.profile.full_name());
    let mut change = StatusChange::new(app.status, to, now, "officer", &comment, vec![]);
    change.assignee = Some(officer.id);
    // From whoever held it as read: two officers taking it at once do not both win.
    change.assignee_was = Some(app.assignee);
    review::apply(store, catalogue, app, &change, audit(origin, "application.taken", officer, app, now)).await?;
    Ok(())
}

/// What the officer chose, as the form sends it.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// `approve`, `reject` or `request_info`; anything else is no decision.
    pub decision: String,
    /// The reason codes ticked (unknown ones are ignored).
    pub reasons: Vec<String>,
    /// The comment.
    pub comment: String,
}

/// Approve, reject or ask for more data; the status after it.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn decide(
    store: &dyn Store,
    catalogue: &Catalogue,
    service: &Service,
    app: &Application,
    officer: &User,
    d: &Decision,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Status, ActionError> {
    if app.assignee != Some(officer.id) {
        return Err(ActionError::NotInCharge);
    }
    let reasons: Vec<Reason> = d
        .reasons
        .iter()
        .filter_map(|code| service.reasons.iter().find(|r| &r.code == code))
        .map(|r| Reason { code: r.code.clone(), text: r.text.clone() })
        .collect();
    let action = match d.decision.as_str() {
        "approve" => Action::Approve,
        "reject" => Action::Reject(reasons),
        "request_info" => Action::RequestInfo(reasons),
        _ => return Err(ActionError::DecisionRequired),
    };
    let to = app.status.apply(&action, Actor::Officer)?;
    if to == Status::Approved && service.registry_checks && app.checks_passed_at.is_none() {
        return Err(ActionError::ChecksPending);
    }
    let reasons = match action {
        Action::Reject(r) | Action::RequestInfo(r) => r,
        _ => vec![],
    };
    let comment: String = d.comment.trim().chars().take(MAX_COMMENT).collect();
    let text = if comment.is_empty() {
        match to {
            Status::Approved => "Заявление одобрено",
            Status::Rejected => "Заявление отклонено",
            _ => "Нужны дополнительные сведения",
        }
        .to_owned()
    } else {
        comment
    };
    let mut change = StatusChange::new(app.status, to, now, "officer", &text, reasons);
    // Still this officer's when written, not only when read.
    change.assignee_was = Some(Some(officer.id));
    let mut fx = audit(origin, &format!("application.{}", to.code()), officer, app, now);
    if to == Status::Approved {
        fx = fx.with_job(review::complete_job(app.id, now));
    }
    review::apply(store, catalogue, app, &change, fx).await?;
    Ok(to)
}
