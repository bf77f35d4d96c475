//! Confirming the phone and e-mail typed in an application (SPEC R3): a contact that differs
//! from the one confirmed at Госуслуги gets an SMS code or an e-mail with a one-time link; a
//! new send voids the old; a confirmation holds for the value it was made for. Sends are
//! limited per channel and per person across all their drafts.

use super::error::ActionError;
use super::record::{Application, ContactConfirmation};
use crate::audit::Origin;
use crate::catalogue::field::FieldKind;
use crate::confirm::{Carrier, MAX_SENDS, WINDOW, issue, recent_sends};
use crate::otp::Verdict;
use crate::store::{Effects, Store};
use crate::user::User;
use time::OffsetDateTime;

/// Codes or links one person may have sent on a channel within the window, all drafts together.
pub const MAX_SENDS_PER_USER: u32 = 10;

/// How a contact is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The phone, by an SMS code.
    Sms,
    /// The e-mail address, by a link.
    Email,
}

impl Channel {
    /// From the address (`sms`, `email`).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "sms" => Some(Self::Sms),
            "email" => Some(Self::Email),
            _ => None,
        }
    }

    /// As stored and in addresses.
    pub fn code(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }

    fn field(self) -> (&'static str, FieldKind) {
        match self {
            Self::Sms => ("phone", FieldKind::Phone),
            Self::Email => ("email", FieldKind::Email),
        }
    }
}

/// The normalised contact of `channel` typed in the application, if valid.
pub fn typed_contact(app: &Application, channel: Channel) -> Option<String> {
    let (field, kind) = channel.field();
    app.data.get(field).and_then(|v| kind.normalise(v).ok())
}

/// The Госуслуги value of a channel: already confirmed there, so it needs no new code.
fn known(user: &User, channel: Channel) -> Option<String> {
    let p = &user.profile;
    let v = match channel {
        Channel::Sms => p.phone.as_ref().map(ToString::to_string),
        Channel::Email => p.email.as_ref().map(ToString::to_string),
    };
    v.and_then(|v| channel.field().1.normalise(&v).ok())
}

/// Whether the contact of `channel` is confirmed for its current value.
pub fn confirmed(app: &Application, all: &[ContactConfirmation], channel: Channel) -> bool {
    let current = typed_contact(app, channel);
    all.iter().any(|c| c.channel == channel.code() && c.confirmed_at.is_some() && Some(&c.value) == current.as_ref())
}

/// A typed contact and whether it still needs confirming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactState {
    /// Its channel.
    pub channel: Channel,
    /// The value typed.
    pub value: String,
    /// Confirmed (here or at Госуслуги).
    pub confirmed: bool,
    /// The same as Госуслуги's.
    pub from_profile: bool,
}

/// The typed contacts of `app`, phone first.
pub fn states(app: &Application, user: &User, all: &[ContactConfirmation]) -> Vec<ContactState> {
    [Channel::Sms, Channel::Email]
        .into_iter()
        .filter_map(|channel| {
            let value = typed_contact(app, channel)?;
            let from_profile = known(user, channel).as_ref() == Some(&value);
            Some(ContactState { channel, confirmed: from_profile || confirmed(app, all, channel), value, from_profile })
        })
        .collect()
}

/// What a contact step came to, shown as a note on the form (`?contact=<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// A code went by SMS.
    SmsSent,
    /// A link went by e-mail.
    EmailSent,
    /// The phone is confirmed.
    SmsConfirmed,
    /// The address is confirmed.
    EmailConfirmed,
    /// A wrong code.
    OtpWrong,
    /// The code is used up or expired.
    OtpVoid,
    /// The typed contact is not valid.
    ContactInvalid,
    /// The link does not fit or expired.
    LinkVoid,
    /// Too many sends.
    SendLimit,
    /// A parallel send or guess changed the code first.
    Retry,
    /// Nothing was sent for this value yet.
    NotSent,
    /// Signed in on the way from the e-mail's link: open it again.
    ReopenLink,
}

impl Note {
    /// Every note.
    pub const ALL: [Note; 12] = [
        Self::SmsSent,
        Self::EmailSent,
        Self::SmsConfirmed,
        Self::EmailConfirmed,
        Self::OtpWrong,
        Self::OtpVoid,
        Self::ContactInvalid,
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
            Self::SmsConfirmed => "sms_confirmed",
            Self::EmailConfirmed => "email_confirmed",
            Self::OtpWrong => "otp_wrong",
            Self::OtpVoid => "otp_void",
            Self::ContactInvalid => "contact_invalid",
            Self::LinkVoid => "link_void",
            Self::SendLimit => "contact_send_limit",
            Self::Retry => "contact_retry",
            Self::NotSent => "contact_not_sent",
            Self::ReopenLink => "reopen_link",
        }
    }

    /// From its code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.code() == code)
    }

    /// Whether it reports a failure (shown as an error, with its code).
    pub fn is_error(self) -> bool {
        !matches!(self, Self::SmsSent | Self::EmailSent | Self::SmsConfirmed | Self::EmailConfirmed | Self::ReopenLink)
    }

    /// What happened and what to do.
    pub fn text(self) -> &'static str {
        match self {
            Self::SmsSent => "Код отправлен по SMS. Введите его ниже.",
            Self::EmailSent => "Письмо со ссылкой отправлено. Откройте ссылку из письма.",
            Self::SmsConfirmed => "Телефон подтверждён.",
            Self::EmailConfirmed => "Адрес электронной почты подтверждён.",
            Self::OtpWrong => "Неверный код. Проверьте цифры или нажмите «Отправить ещё раз».",
            Self::OtpVoid => "Код больше не действует. Нажмите «Отправить ещё раз».",
            Self::ContactInvalid => "Сначала укажите правильный телефон или адрес и сохраните черновик.",
            Self::LinkVoid => "Ссылка не подходит или устарела. Нажмите «Отправить ссылку» ещё раз.",
            Self::SendLimit => "Слишком много отправок. Повторите через час.",
            Self::Retry => "Код только что изменился. Введите код из последнего сообщения ещё раз.",
            Self::NotSent => "Сначала нажмите «Отправить код».",
            Self::ReopenLink => "Вы вошли. Откройте ссылку из письма ещё раз, чтобы подтвердить адрес.",
        }
    }

    fn sent(channel: Channel) -> Self {
        match channel {
            Channel::Sms => Self::SmsSent,
            Channel::Email => Self::EmailSent,
        }
    }

    fn confirmed(channel: Channel) -> Self {
        match channel {
            Channel::Sms => Self::SmsConfirmed,
            Channel::Email => Self::EmailConfirmed,
        }
    }
}

fn key(app: &Application, channel: Channel) -> String {
    format!("{}:{}", app.id, channel.code())
}

/// The codes sent on `channel` (an application's confirmation channel: `sms`, `email`,
/// `submit`) for any of `user`'s applications within the window: a limit per person, so new
/// drafts do not buy new sends.
pub(crate) async fn sends_by_user(
    store: &dyn Store,
    user: &User,
    channel: &str,
    now: OffsetDateTime,
) -> Result<u32, ActionError> {
    let mut total = 0;
    for app in store.list_applications_for_user(user.id).await? {
        for c in store.list_contact_confirmations(app.id).await? {
            if c.channel == channel && c.created_at + WINDOW > now {
                total += c.sent;
            }
        }
    }
    Ok(total)
}

fn editable(app: &Application) -> Result<(), ActionError> {
    if app.status.allowed().contains(&super::status::Allowed::Edit) {
        Ok(())
    } else {
        Err(ActionError::NotEditable(app.status))
    }
}

/// «Отправить код» / «Отправить ссылку» (again) for the contact typed in `app`; `carrier`
/// words the message in the person's language.
pub async fn send(
    store: &dyn Store,
    app: &Application,
    user: &User,
    channel: Channel,
    carrier: &Carrier<'_>,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Note, ActionError> {
    editable(app)?;
    let all = store.list_contact_confirmations(app.id).await?;
    let Some(value) = typed_contact(app, channel) else { return Ok(Note::ContactInvalid) };
    if confirmed(app, &all, channel) {
        return Ok(Note::confirmed(channel));
    }
    // The limit counts sends per channel within the window, whatever the value: switching
    // between numbers does not reset it.
    let previous = all.iter().find(|c| c.channel == channel.code());
    let sent = recent_sends(previous.map(|c| (c.created_at, c.sent)), now);
    if sent >= MAX_SENDS {
        return Ok(Note::SendLimit);
    }
    // And per person across all their drafts, so new drafts do not buy new sends.
    if sends_by_user(store, user, channel.code(), now).await? >= MAX_SENDS_PER_USER {
        return Ok(Note::SendLimit);
    }
    let (code, job) = issue(carrier, &key(app, channel), &value, now).ok_or(ActionError::RandomUnavailable)?;
    let c = ContactConfirmation {
        application_id: app.id,
        channel: channel.code().to_owned(),
        value,
        code,
        sent: sent + 1,
        created_at: now,
        confirmed_at: None,
    };
    let mut e = origin.event(now, "contact.code_sent", Some(user.id));
    e.object = Some(format!("application:{}", app.id));
    e.details = serde_json::json!({ "channel": channel.code() });
    match store.upsert_contact_confirmation(&c, previous, &Effects::audit(e).with_job(job)).await {
        Ok(()) => Ok(Note::sent(channel)),
        // Another send for this contact landed in between: that one counts, this one is dropped.
        Err(crate::StoreError::Conflict { .. }) => Ok(Note::Retry),
        Err(e) => Err(e.into()),
    }
}

/// The code from the SMS or the token from the e-mail's link, for the contact typed now.
pub async fn confirm(
    store: &dyn Store,
    app: &Application,
    user: &User,
    channel: Channel,
    typed: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Note, ActionError> {
    editable(app)?;
    let all = store.list_contact_confirmations(app.id).await?;
    let current = typed_contact(app, channel);
    let Some(read) = all.iter().find(|c| c.channel == channel.code() && Some(&c.value) == current.as_ref()) else {
        return Ok(Note::NotSent);
    };
    let mut c = read.clone();
    let (verdict, next) = c.code.check(&key(app, channel), typed.trim(), now);
    c.code = next;
    let mut fx = Effects::none();
    if verdict == Verdict::Accepted {
        c.confirmed_at = Some(now);
        let mut e = origin.event(now, "contact.confirmed", Some(user.id));
        e.object = Some(format!("application:{}", app.id));
        e.details = serde_json::json!({ "channel": channel.code() });
        fx = Effects::audit(e);
    }
    match store.upsert_contact_confirmation(&c, Some(read), &fx).await {
        Ok(()) => {}
        // A parallel guess or a resend changed the code first: this guess does not count.
        Err(crate::StoreError::Conflict { .. }) => return Ok(Note::Retry),
        Err(e) => return Err(e.into()),
    }
    Ok(match verdict {
        Verdict::Accepted => Note::confirmed(channel),
        _ if channel == Channel::Email => Note::LinkVoid,
        Verdict::Wrong { .. } => Note::OtpWrong,
        _ => Note::OtpVoid,
    })
}
