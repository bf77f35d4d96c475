//! Suspicious activity in a session (SPEC SEC1): a person whose session keeps asking for what
//! is not theirs — other people's applications, documents, e-passports — is refused each time
//! ("not found", journaled); after [`LIMIT`] such refusals within [`WINDOW`] since the session
//! began, the session ends (`refusals`) and the person is told, in case it was not them. The
//! count is read from the journal, so it holds whichever node answered.

use super::Session;
use crate::StoreError;
use crate::audit::{NewAuditEvent, Outcome};
use crate::notice::NewNotice;
use crate::store::{Effects, Store};
use time::{Duration, OffsetDateTime};

/// Refusals within [`WINDOW`] that end the session.
pub const LIMIT: usize = 20;
/// How far back refusals count.
pub const WINDOW: Duration = Duration::minutes(10);

/// Whether a journal action is an access refused to someone (not a wrong code or a login
/// refused by the provider: those have limits of their own).
pub fn is_refusal(action: &str) -> bool {
    action.ends_with(".access_denied") || action == "session.end_refused"
}

/// Journals `refusal` (an access refused to the person of `session`) and, when it makes
/// [`LIMIT`] within [`WINDOW`], ends the session. Whether it ended.
pub async fn refused(
    store: &dyn Store,
    session: &Session,
    refusal: &NewAuditEvent,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    store.insert_audit(refusal).await?;
    let since = (now - WINDOW).max(session.created_at);
    let count = crate::audit::count_own_since(store, session.user_id, since, |e| {
        e.outcome == Outcome::Denied && is_refusal(&e.action)
    })
    .await?;
    if count < LIMIT {
        return Ok(false);
    }
    let mut e = NewAuditEvent::system(now, "session.ended", Some(session.user_id));
    e.ip = refusal.ip.clone();
    e.request_id = refusal.request_id.clone();
    e.details = serde_json::json!({ "reason": "refusals", "refusals": count });
    let notice = NewNotice {
        user_id: session.user_id,
        at: now,
        kind: "security".into(),
        title: "Сеанс завершён из-за подозрительных действий".into(),
        text: format!(
            "За {} минут из вашего сеанса было {count} попыток открыть чужие заявления, документы или электронные паспорта, поэтому сеанс завершён. Если это были не вы, смените пароль на Госуслугах и завершите другие сеансы на странице «Сеансы».",
            WINDOW.whole_minutes()
        ),
        link: "/sessions".into(),
        critical: true,
    };
    let fx = Effects { audit: vec![e], jobs: vec![], notices: vec![notice] };
    store.update_session_ended(&session.hash, now, "refusals", &fx).await?;
    Ok(true)
}
