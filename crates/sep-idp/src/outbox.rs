//! Messages the emulator "sends" (SPEC I6): kept so a person running the demo can read their
//! code on the outbox page.

use time::OffsetDateTime;

/// Channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// SMS to a phone.
    Sms,
    /// E-mail.
    Email,
}

impl Channel {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }

    /// From the stored code.
    pub fn from_code(c: &str) -> Option<Self> {
        match c {
            "sms" => Some(Self::Sms),
            "email" => Some(Self::Email),
            _ => None,
        }
    }
}

/// A message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Message {
    /// Id, increasing.
    pub id: i64,
    /// `sms` or `email`.
    pub channel: &'static str,
    /// Phone or address.
    pub recipient: String,
    /// Subject (e-mail) or empty.
    pub subject: String,
    /// Text.
    pub body: String,
    /// When sent.
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
}
