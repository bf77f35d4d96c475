//! Confirming a phone or an address (SPEC R3, C3). Issuing a confirmation for a new phone or address: a six-digit SMS code (five minutes,
//! three tries) or an e-mail with a one-time link (a day, three tries), stored as a digest
//! bound to `key`, with the message that carries it, for the outbox queue; and the one send
//! limit per channel both the application contacts and the profile contacts keep.

use crate::job::{JobKind, NewJob};
use crate::otp::{CodeState, OtpPolicy};
use time::OffsetDateTime;

/// Codes or links one channel may receive within [`WINDOW`] of the last one.
pub const MAX_SENDS: u32 = 5;
/// The window the send limits count in.
pub const WINDOW: time::Duration = time::Duration::hours(1);

/// The sends that count against the limit: those of the last send, if it was within the window.
pub fn recent_sends(last: Option<(OffsetDateTime, u32)>, now: OffsetDateTime) -> u32 {
    last.filter(|(at, _)| *at + WINDOW > now).map_or(0, |(_, sent)| sent)
}

/// How the confirmation travels, and its wording.
pub enum Carrier<'a> {
    /// An SMS; `text` gets the code.
    Sms {
        /// The message around the code.
        text: &'a (dyn Fn(&str) -> String + Sync),
    },
    /// An e-mail; `text` gets the token (to put in a link).
    Email {
        /// The subject line.
        subject: &'a str,
        /// The message around the token (to put in a link).
        text: &'a (dyn Fn(&str) -> String + Sync),
    },
}

impl<'a> Carrier<'a> {
    /// An SMS for `sms`, an e-mail for `email`.
    pub fn for_channel(
        channel: &str,
        sms: &'a (dyn Fn(&str) -> String + Sync),
        subject: &'a str,
        mail: &'a (dyn Fn(&str) -> String + Sync),
    ) -> Self {
        if channel == "sms" { Self::Sms { text: sms } } else { Self::Email { subject, text: mail } }
    }
}

/// The stored state and the message to `to`; `None` when the random source failed.
pub fn issue(carrier: &Carrier<'_>, key: &str, to: &str, now: OffsetDateTime) -> Option<(CodeState, NewJob)> {
    match carrier {
        Carrier::Sms { text } => {
            let code = crate::otp::generate().ok()?;
            let state = CodeState::new(key, &code, now, OtpPolicy::default());
            Some((state, NewJob::of(JobKind::SendSms, serde_json::json!({ "to": to, "text": text(&code) }), now)))
        }
        Carrier::Email { subject, text } => {
            let token = crate::session::SessionToken::generate().ok()?.expose().to_owned();
            let state = CodeState {
                digest: crate::otp::digest(key, &token),
                expires_at: now + time::Duration::days(1),
                tries_left: 3,
                spent: false,
            };
            let payload = serde_json::json!({ "to": to, "subject": subject, "text": text(&token) });
            Some((state, NewJob::of(JobKind::SendEmail, payload, now)))
        }
    }
}
