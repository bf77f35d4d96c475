//! The portal's own confirmation of a card payment without 3-D Secure (seed 003: «Подтвердите
//! операцию кодом, полученным в SMS»): the provider holds the money
//! ([`super::pay::WAITING_FOR_CODE`]); the payer asks for a six-digit SMS code bound to that
//! payment (five minutes, three tries, three sends); the right code captures the money, the
//! third wrong one releases it. Codes are stored as digests beside the payment, written only
//! if the stored one is still as read, so parallel guesses cannot each spend the same try.

use super::pay::{Payment, PaymentProvider, settle};
use crate::StoreError;
use crate::audit::{NewAuditEvent, Origin};
use crate::job::{JobKind, NewJob};
use crate::otp::{CodeState, OtpPolicy, Verdict};
use crate::store::{Effects, Store};
use crate::user::User;
use time::OffsetDateTime;

/// Codes one payment may be sent.
pub const MAX_SENDS: u32 = 3;
/// Codes sent to one person for all their payments within an hour.
pub const MAX_SENDS_PER_PERSON: usize = 10;

/// Why a code was not sent or not accepted.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    /// The payment does not wait for a code (paid, failed, or another kind of confirmation).
    #[error("Этот платёж не ждёт кода подтверждения.")]
    NotWaiting,
    /// No phone in the profile.
    #[error("В профиле нет телефона: код подтверждения оплаты отправляется по SMS.")]
    PhoneMissing,
    /// Three codes sent already.
    #[error("Коды подтверждения этой оплаты отправлялись слишком часто.")]
    SendLimit,
    /// Ten codes sent to the person for their payments within the hour.
    #[error("Коды подтверждения оплаты отправлялись вам слишком часто.")]
    PersonLimit,
    /// No code sent yet, or it expired.
    #[error("Код подтверждения истёк или ещё не отправлен.")]
    Expired,
    /// Wrong, with tries left.
    #[error("Неверный код подтверждения. Осталось попыток: {0}.")]
    Wrong(u32),
    /// The third wrong code: the held money is released.
    #[error("Код введён неверно три раза: оплата отменена, деньги не списаны.")]
    Exhausted,
    /// The code changed or was tried at the same moment elsewhere.
    #[error("Код только что изменился. Введите код из последнего SMS.")]
    Changed,
    /// The provider did not answer.
    #[error("Платёжный сервис не отвечает.")]
    Unavailable(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ConfirmError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotWaiting => "payment_not_waiting",
            Self::PhoneMissing => "payment_phone_missing",
            Self::SendLimit => "payment_code_limit",
            Self::PersonLimit => "payment_code_person_limit",
            Self::Expired => "payment_code_expired",
            Self::Wrong(_) => "payment_code_wrong",
            Self::Exhausted => "payment_code_exhausted",
            Self::Changed => "payment_code_changed",
            Self::Unavailable(_) => "payment_provider_unavailable",
            Self::Store(_) => "internal",
        }
    }

    /// What to do about it.
    pub fn action(&self) -> &'static str {
        match self {
            Self::NotWaiting => "Откройте результат оплаты: на странице видно, чем она закончилась.",
            Self::PhoneMissing => "Укажите телефон в профиле Госуслуг и войдите снова, или оплатите через СБП.",
            Self::SendLimit => "Начните оплату заново кнопкой «Оплатить» на странице начисления.",
            Self::PersonLimit => "Подождите час и запросите код снова, или оплатите через СБП.",
            Self::Expired => "Нажмите «Отправить код» и введите код из нового SMS.",
            Self::Wrong(_) => "Проверьте цифры из последнего SMS и введите код ещё раз.",
            Self::Exhausted => "Начните оплату заново кнопкой «Оплатить» на странице начисления.",
            Self::Changed => "Введите код из последнего SMS.",
            Self::Unavailable(_) => "Повторите через несколько минут; деньги не списаны, пока оплата не подтверждена.",
            Self::Store(_) => "Повторите позже.",
        }
    }
}

/// The text of the SMS.
fn sms(p: &Payment, code: &str) -> String {
    format!("Код {code} — подтверждение оплаты {} по УИН {} в СЭП. Никому не сообщайте код.", p.amount, p.uin)
}

/// «Отправить код»: a new code for the held payment `p` to the person's phone.
#[allow(clippy::too_many_arguments, reason = "the use case takes each port it needs by name, as the others do")]
pub async fn send_code(
    store: &dyn Store,
    provider: &dyn PaymentProvider,
    user: &User,
    p: &Payment,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), ConfirmError> {
    let Some(id) = p.provider_id.as_deref().filter(|_| p.user_id == user.id && p.status.is_live()) else {
        return Err(ConfirmError::NotWaiting);
    };
    let phone = user.profile.phone.as_ref().ok_or(ConfirmError::PhoneMissing)?;
    let stored = store.find_payment_code(p.id).await?;
    // Three wrong codes end this payment's codes, even if the hold could not be released yet.
    if stored.as_ref().is_some_and(|(c, _)| c.exhausted()) {
        return Err(ConfirmError::Exhausted);
    }
    let sent = stored.as_ref().map_or(0, |s| s.1);
    if sent >= MAX_SENDS {
        return Err(ConfirmError::SendLimit);
    }
    // And per person across payments, so new payments do not buy new SMS.
    let hour = crate::audit::count_own_since(store, user.id, now - crate::confirm::WINDOW, |e| {
        e.action == "payment.code_sent"
    })
    .await?;
    if hour >= MAX_SENDS_PER_PERSON {
        return Err(ConfirmError::PersonLimit);
    }
    // Only a payment the provider holds takes a code (not one waiting for its card page, СБП
    // or a wallet): no SMS is sent for nothing.
    let said = provider.status(id).await.map_err(|e| ConfirmError::Unavailable(e.0))?;
    if said.status != super::pay::WAITING_FOR_CODE {
        return Err(ConfirmError::NotWaiting);
    }
    let code = crate::otp::generate().map_err(|e| ConfirmError::Unavailable(e.to_string()))?;
    let state = CodeState::new(&p.id.to_string(), &code, now, OtpPolicy::default());
    let mut e = origin.event(now, "payment.code_sent", Some(user.id));
    e.object = Some(format!("payment:{}", p.id));
    let job = NewJob::of(JobKind::SendSms, serde_json::json!({ "to": phone.as_str(), "text": sms(p, &code) }), now);
    let fx = Effects { audit: vec![e], jobs: vec![job], notices: vec![] };
    let expected = stored.as_ref().map(|(c, n)| (c, *n));
    match store.upsert_payment_code(p.id, &state, sent + 1, expected, &fx).await {
        Err(StoreError::Conflict { .. }) => Err(ConfirmError::Changed),
        other => Ok(other?),
    }
}

/// «Подтвердить»: the right code captures the held money and settles the payment; the third
/// wrong one releases it.
pub async fn confirm(
    store: &dyn Store,
    provider: &dyn PaymentProvider,
    user: &User,
    p: &Payment,
    typed: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Payment, ConfirmError> {
    let Some(id) = p.provider_id.as_deref().filter(|_| p.user_id == user.id && p.status.is_live()) else {
        return Err(ConfirmError::NotWaiting);
    };
    let (code, sent) = store.find_payment_code(p.id).await?.ok_or(ConfirmError::Expired)?;
    let typed: String = typed.chars().filter(char::is_ascii_digit).take(6).collect();
    let (verdict, next) = code.check(&p.id.to_string(), &typed, now);
    let mut e = origin.event(now, "payment.code_checked", Some(user.id));
    e.object = Some(format!("payment:{}", p.id));
    e.outcome =
        if verdict == Verdict::Accepted { crate::audit::Outcome::Success } else { crate::audit::Outcome::Denied };
    match store.upsert_payment_code(p.id, &next, sent, Some((&code, sent)), &Effects::audit(e)).await {
        Err(StoreError::Conflict { .. }) => return Err(ConfirmError::Changed),
        other => other?,
    }
    match verdict {
        Verdict::Accepted => {
            let said = provider.capture(id).await.map_err(|e| ConfirmError::Unavailable(e.0))?;
            Ok(settle(store, p, &said, now).await?)
        }
        Verdict::Wrong { tries_left } => Err(ConfirmError::Wrong(tries_left)),
        Verdict::Expired | Verdict::Spent => Err(ConfirmError::Expired),
        Verdict::Exhausted => {
            // The hold is released; the payment ends failed and a new «Оплатить» may start.
            match provider.cancel(id).await {
                Ok(said) => {
                    settle(store, p, &said, now).await?;
                }
                Err(err) => {
                    tracing::warn!(payment = %p.id, error = %err.0, "hold not released: the provider expires it")
                }
            }
            let mut a = NewAuditEvent::system(now, "payment.code_exhausted", Some(user.id));
            a.object = Some(format!("payment:{}", p.id));
            store.insert_audit(&a).await?;
            Err(ConfirmError::Exhausted)
        }
    }
}
