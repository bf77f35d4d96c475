//! Changing the phone or e-mail of the profile (SPEC C3). The new phone gets an SMS code, the
//! new address a one-time link; the profile changes only when it is confirmed, and the old
//! contact is told of the change (the usual guard against a taken-over session). Codes are
//! stored as digests; every write of a pending change is conditional on the row as read, so
//! parallel guesses cannot share a try. ФИО, СНИЛС and ИНН come from Госуслуги and change there.

use crate::StoreError;
use crate::application::contacts::Channel;
use crate::audit::Origin;
use crate::confirm::{Carrier, MAX_SENDS, issue, recent_sends};
use crate::ident::{Email, Phone};
use crate::job::{JobKind, NewJob};
use crate::notice::NewNotice;
use crate::otp::Verdict;
use crate::store::{Effects, Store};
use crate::user::{ContactChange, User};
use time::OffsetDateTime;

/// What a step came to, shown as a note (`?note=<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// A code went to the new phone.
    SmsSent,
    /// A link went to the new address.
    EmailSent,
    /// The phone changed.
    PhoneChanged,
    /// The address changed.
    EmailChanged,
    /// The value is the profile's already.
    Same,
    /// Not a mobile number.
    PhoneInvalid,
    /// Not an address.
    EmailInvalid,
    /// A wrong code.
    OtpWrong,
    /// The code is used up or expired.
    OtpVoid,
    /// The link does not fit or expired.
    LinkVoid,
    /// Too many sends.
    SendLimit,
    /// A parallel step changed the code first.
    Retry,
    /// No code was asked for.
    NotSent,
    /// Signed in on the way from the e-mail's link: open it again.
    ReopenLink,
}

impl Note {
    /// Every note.
    pub const ALL: [Note; 14] = [
        Self::SmsSent,
        Self::EmailSent,
        Self::PhoneChanged,
        Self::EmailChanged,
        Self::Same,
        Self::PhoneInvalid,
        Self::EmailInvalid,
        Self::OtpWrong,
        Self::OtpVoid,
        Self::LinkVoid,
        Self::SendLimit,
        Self::Retry,
        Self::NotSent,
        Self::ReopenLink,
    ];

    /// Stable code (in the address and on the page).
    pub fn code(self) -> &'static str {
        match self {
            Self::SmsSent => "sms_sent",
            Self::EmailSent => "email_sent",
            Self::PhoneChanged => "phone_changed",
            Self::EmailChanged => "email_changed",
            Self::Same => "same",
            Self::PhoneInvalid => "phone_invalid",
            Self::EmailInvalid => "email_invalid",
            Self::OtpWrong => "otp_wrong",
            Self::OtpVoid => "otp_void",
            Self::LinkVoid => "link_void",
            Self::SendLimit => "send_limit",
            Self::Retry => "retry",
            Self::NotSent => "not_sent",
            Self::ReopenLink => "reopen_link",
        }
    }

    /// From its code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.code() == code)
    }

    /// Whether it reports a failure (shown as an error, with its code).
    pub fn is_error(self) -> bool {
        matches!(
            self,
            Self::PhoneInvalid
                | Self::EmailInvalid
                | Self::OtpWrong
                | Self::OtpVoid
                | Self::LinkVoid
                | Self::SendLimit
                | Self::Retry
                | Self::NotSent
        )
    }

    /// The contact it is about, to keep its change open (none for a shared note).
    pub fn channel(self) -> Option<Channel> {
        match self {
            Self::SmsSent | Self::PhoneInvalid | Self::OtpWrong | Self::OtpVoid | Self::NotSent => Some(Channel::Sms),
            Self::EmailSent | Self::EmailInvalid | Self::LinkVoid | Self::ReopenLink => Some(Channel::Email),
            _ => None,
        }
    }

    /// What happened and what to do.
    pub fn text(self) -> &'static str {
        match self {
            Self::SmsSent => "Код отправлен на новый номер. Введите его ниже.",
            Self::EmailSent => "Письмо со ссылкой отправлено на новый адрес. Откройте ссылку из письма.",
            Self::PhoneChanged => "Телефон изменён.",
            Self::EmailChanged => "Адрес электронной почты изменён.",
            Self::Same => "Этот телефон или адрес уже указан в профиле.",
            Self::PhoneInvalid => "Номер не похож на мобильный: укажите 11 цифр, например +7 912 345-67-89.",
            Self::EmailInvalid => "Адрес записан неверно: нужен вид name@example.ru.",
            Self::OtpWrong => "Неверный код. Проверьте цифры или запросите код ещё раз.",
            Self::OtpVoid => "Код больше не действует. Запросите новый.",
            Self::LinkVoid => "Ссылка не подходит или устарела. Запросите новую.",
            Self::SendLimit => "Слишком много отправок. Повторите через час.",
            Self::Retry => "Код только что изменился. Введите код из последнего сообщения.",
            Self::NotSent => "Сначала укажите новый номер и нажмите «Получить код».",
            Self::ReopenLink => "Вы вошли. Откройте ссылку из письма ещё раз, чтобы подтвердить адрес.",
        }
    }
}

fn key(user: &User, channel: Channel) -> String {
    format!("profile:{}:{}", user.id, channel.code())
}

/// The change of `channel` waiting for its code, if any.
pub async fn pending(
    store: &dyn Store,
    user: &User,
    channel: Channel,
    now: OffsetDateTime,
) -> Result<Option<ContactChange>, StoreError> {
    let c = store.find_contact_change(user.id, channel.code()).await?;
    Ok(c.filter(|c| c.confirmed_at.is_none() && !c.code.spent && c.code.expires_at > now))
}

/// The new phone or address typed; sends the code or link, replacing an earlier one.
/// `None` from the random source ends in an error.
pub async fn request(
    store: &dyn Store,
    user: &User,
    channel: Channel,
    typed: &str,
    carrier: &Carrier<'_>,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Note, crate::application::ActionError> {
    let (value, current) = match channel {
        Channel::Sms => match Phone::parse(typed) {
            Ok(p) => (p.to_string(), user.profile.phone.as_ref().map(ToString::to_string)),
            Err(_) => return Ok(Note::PhoneInvalid),
        },
        Channel::Email => match Email::parse(typed) {
            Ok(e) => (e.to_string(), user.profile.email.as_ref().map(ToString::to_string)),
            Err(_) => return Ok(Note::EmailInvalid),
        },
    };
    if current.as_deref() == Some(value.as_str()) {
        return Ok(Note::Same);
    }
    let previous = store.find_contact_change(user.id, channel.code()).await?;
    // The limit counts sends on the channel within the window, whatever the value.
    let sent = recent_sends(previous.as_ref().map(|c| (c.created_at, c.sent)), now);
    if sent >= MAX_SENDS {
        return Ok(Note::SendLimit);
    }
    let (code, job) =
        issue(carrier, &key(user, channel), &value, now).ok_or(crate::application::ActionError::RandomUnavailable)?;
    let change = ContactChange {
        user_id: user.id,
        channel: channel.code().to_owned(),
        value,
        code,
        sent: sent + 1,
        created_at: now,
        confirmed_at: None,
    };
    let mut e = origin.event(now, "profile.contact_code_sent", Some(user.id));
    e.details = serde_json::json!({ "channel": channel.code() });
    match store.upsert_contact_change(&change, previous.as_ref(), None, &Effects::audit(e).with_job(job)).await {
        Ok(()) => Ok(if channel == Channel::Sms { Note::SmsSent } else { Note::EmailSent }),
        Err(StoreError::Conflict { .. }) => Ok(Note::Retry),
        Err(e) => Err(e.into()),
    }
}

/// How the old contact is told of a change, in the person's language.
pub struct Farewell {
    /// The message (SMS or e-mail text).
    pub text: String,
    /// The e-mail's subject.
    pub subject: String,
}

/// Checks `typed` against the pending change of `channel` and, when right, changes the
/// profile, notes it in the cabinet and tells the old contact (`farewell`).
pub async fn confirm(
    store: &dyn Store,
    user: &User,
    channel: Channel,
    typed: &str,
    farewell: &Farewell,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Note, crate::application::ActionError> {
    let Some(read) = pending(store, user, channel, now).await? else {
        return Ok(if channel == Channel::Sms { Note::NotSent } else { Note::LinkVoid });
    };
    let (verdict, next) = read.code.check(&key(user, channel), typed.trim(), now);
    let mut change = read.clone();
    change.code = next;
    let mut fx = Effects::none();
    let mut profile = None;
    if verdict == Verdict::Accepted {
        change.confirmed_at = Some(now);
        let mut p = user.profile.clone();
        let old = match channel {
            Channel::Sms => std::mem::replace(&mut p.phone, Phone::parse(&change.value).ok()).map(|o| o.to_string()),
            Channel::Email => std::mem::replace(&mut p.email, Email::parse(&change.value).ok()).map(|o| o.to_string()),
        };
        profile = Some(p);
        let mut e = origin.event(now, "profile.contact_changed", Some(user.id));
        e.details = serde_json::json!({ "channel": channel.code() });
        fx = Effects::audit(e);
        let what =
            if channel == Channel::Sms { "Телефон" } else { "Адрес электронной почты" };
        fx.notices.push(NewNotice {
            user_id: user.id,
            at: now,
            kind: "confirmation".into(),
            title: format!("{what} в профиле изменён"),
            text: format!(
                "{what} изменён на {}. Если это были не вы, завершите все сеансы и обратитесь в поддержку.",
                change.value
            ),
            link: "/profile/contacts".into(),
            critical: false,
        });
        // The old contact hears of it: someone holding the session cannot change it silently.
        if let Some(old) = old {
            let job = match channel {
                Channel::Sms => {
                    NewJob::of(JobKind::SendSms, serde_json::json!({ "to": old, "text": farewell.text }), now)
                }
                Channel::Email => {
                    let payload = serde_json::json!({ "to": old, "subject": farewell.subject, "text": farewell.text });
                    NewJob::of(JobKind::SendEmail, payload, now)
                }
            };
            fx = fx.with_job(job);
        }
    }
    match store.upsert_contact_change(&change, Some(&read), profile.as_ref(), &fx).await {
        Ok(()) => {}
        Err(StoreError::Conflict { .. }) => return Ok(Note::Retry),
        Err(e) => return Err(e.into()),
    }
    Ok(match verdict {
        Verdict::Accepted => {
            if channel == Channel::Sms {
                Note::PhoneChanged
            } else {
                Note::EmailChanged
            }
        }
        _ if channel == Channel::Email => Note::LinkVoid,
        Verdict::Wrong { .. } => Note::OtpWrong,
        _ => Note::OtpVoid,
    })
}
