//! Sending confirmed by an SMS code (seed 004: «подтверждение операции кодом из СМС»): for a
//! service with `confirm_by_sms = true` the applicant asks for a code on «Проверка
//! заявления», types it, and only then may send. The code goes to the phone of the Госуслуги
//! profile, is bound to this application (five minutes, three tries), and the confirmation
//! holds for [`VALID_FOR`] and only for the application as it was when confirmed.

use super::error::ActionError;
use super::record::{Application, ContactConfirmation};
use super::status::Allowed;
use crate::audit::Origin;
use crate::confirm::{Carrier, MAX_SENDS, issue, recent_sends};
use crate::otp::Verdict;
use crate::store::{Effects, Store};
use crate::user::User;
use time::{Duration, OffsetDateTime};

/// The confirmation's channel among the application's confirmations.
pub const CHANNEL: &str = "submit";

/// How long a confirmation allows sending.
pub const VALID_FOR: Duration = Duration::minutes(30);

fn key(app: &Application) -> String {
    format!("submit:{}", app.id)
}

/// Whether sending `app` is confirmed at `now`: a code typed after its last change, within
/// [`VALID_FOR`].
pub fn confirmed(app: &Application, all: &[ContactConfirmation], now: OffsetDateTime) -> bool {
    all.iter()
        .any(|c| c.channel == CHANNEL && c.confirmed_at.is_some_and(|at| at >= app.updated_at && now - at < VALID_FOR))
}

/// Whether a code was sent for `app` (the page then shows where to type it).
pub fn sent(all: &[ContactConfirmation]) -> bool {
    all.iter().any(|c| c.channel == CHANNEL)
}

fn editable(app: &Application) -> Result<(), ActionError> {
    if app.status.allowed().contains(&Allowed::Edit) { Ok(()) } else { Err(ActionError::NotEditable(app.status)) }
}

/// «Получить код»: a code by SMS to the profile's phone.
pub async fn send(
    store: &dyn Store,
    app: &Application,
    user: &User,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), ActionError> {
    editable(app)?;
    let phone = user.profile.phone.as_ref().ok_or(ActionError::SmsCodeNoPhone)?.to_string();
    let all = store.list_contact_confirmations(app.id).await?;
    let previous = all.iter().find(|c| c.channel == CHANNEL);
    let sent = recent_sends(previous.map(|c| (c.created_at, c.sent)), now);
    // Per application, and per person across all their drafts.
    if sent >= MAX_SENDS
        || super::contacts::sends_by_user(store, user, CHANNEL, now).await? >= super::contacts::MAX_SENDS_PER_USER
    {
        return Err(ActionError::SmsCodeLimit);
    }
    let text = |code: &str| format!("Код {code} — подтверждение отправки заявления в СЭП. Никому не сообщайте его.");
    let (code, job) =
        issue(&Carrier::Sms { text: &text }, &key(app), &phone, now).ok_or(ActionError::RandomUnavailable)?;
    let c = ContactConfirmation {
        application_id: app.id,
        channel: CHANNEL.to_owned(),
        value: phone,
        code,
        sent: sent + 1,
        created_at: now,
        confirmed_at: None,
    };
    let mut e = origin.event(now, "application.sms_code_sent", Some(user.id));
    e.object = Some(format!("application:{}", app.id));
    store.upsert_contact_confirmation(&c, previous, &Effects::audit(e).with_job(job)).await?;
    Ok(())
}

/// «Подтвердить»: the code typed.
pub async fn confirm(
    store: &dyn Store,
    app: &Application,
    user: &User,
    typed: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), ActionError> {
    editable(app)?;
    let all = store.list_contact_confirmations(app.id).await?;
    let read = all.iter().find(|c| c.channel == CHANNEL).ok_or(ActionError::SmsCodeNotSent)?;
    let mut c = read.clone();
    let (verdict, next) = c.code.check(&key(app), typed.trim(), now);
    c.code = next;
    let mut fx = Effects::none();
    if verdict == Verdict::Accepted {
        c.confirmed_at = Some(now);
        let mut e = origin.event(now, "application.sms_code_confirmed", Some(user.id));
        e.object = Some(format!("application:{}", app.id));
        fx = Effects::audit(e);
    }
    // A parallel guess changed the state first: `Changed`, and this guess does not count.
    store.upsert_contact_confirmation(&c, Some(read), &fx).await?;
    match verdict {
        Verdict::Accepted => Ok(()),
        Verdict::Wrong { .. } => Err(ActionError::SmsCodeWrong),
        _ => Err(ActionError::SmsCodeVoid),
    }
}
