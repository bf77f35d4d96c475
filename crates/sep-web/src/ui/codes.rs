//! Issuing a confirmation for a new phone or address: a six-digit SMS code (five minutes,
//! three tries) or an e-mail with a one-time link (a day, three tries), stored as a digest
//! bound to `key`, with the message that carries it, for the outbox queue.

use sep_core::job::NewJob;
use sep_core::otp::{CodeState, OtpPolicy};
use time::OffsetDateTime;

/// How the confirmation travels, and its wording.
pub(crate) enum Carrier<'a> {
    /// An SMS; `text` gets the code.
    Sms { text: &'a (dyn Fn(&str) -> String + Sync) },
    /// An e-mail; `text` gets the token (to put in a link).
    Email { subject: &'a str, text: &'a (dyn Fn(&str) -> String + Sync) },
}

/// The stored state and the message to `to`; `None` when the random source failed.
pub(crate) fn issue(carrier: &Carrier<'_>, key: &str, to: &str, now: OffsetDateTime) -> Option<(CodeState, NewJob)> {
    match carrier {
        Carrier::Sms { text } => {
            let code = sep_core::otp::generate().ok()?;
            let state = CodeState::new(key, &code, now, OtpPolicy::default());
            Some((state, NewJob::now("notify", "send_sms", serde_json::json!({ "to": to, "text": text(&code) }), now)))
        }
        Carrier::Email { subject, text } => {
            let token = sep_core::session::SessionToken::generate().ok()?.expose().to_owned();
            let state = CodeState {
                digest: sep_core::otp::digest(key, &token),
                expires_at: now + time::Duration::days(1),
                tries_left: 3,
                spent: false,
            };
            let payload = serde_json::json!({ "to": to, "subject": subject, "text": text(&token) });
            Some((state, NewJob::now("notify", "send_email", payload, now)))
        }
    }
}
