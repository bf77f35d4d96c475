//! Webhooks exactly as the Standard Webhooks specification writes them (SPEC X3; seed 004
//! «Настроить webhook‑подписку на события СЭП»): a person's program subscribes an endpoint to
//! event types; each event becomes one message per subscribed endpoint, delivered through the
//! job queue with the headers `webhook-id`, `webhook-timestamp` and `webhook-signature`
//! (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the endpoint's `whsec_` secret),
//! retried on the schedule immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, every
//! attempt logged; after the last the message is failed (a dead letter), an endpoint failing
//! for 5 days (or answering 410) is disabled and its owner told.
//!
//! An event is raised in the transaction of the change that causes it, as a job
//! ([`event_job`]): nothing is looked up on the change's path, and a crash loses neither.

pub mod deliver;
pub mod error;
pub mod manage;
pub mod store;

pub use error::WebhookError;

use crate::ids::UserId;
use crate::job::{JobKind, NewJob};
use base64::Engine;
use hmac::{KeyInit, Mac};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// What happened, as a subscriber names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    /// An application was sent (its number given).
    ApplicationSubmitted,
    /// An application's status changed.
    ApplicationStatusChanged,
    /// A file was attached to one of the person's applications («Мои документы»).
    DocumentCreated,
    /// A file of the person's was replaced by a new version.
    DocumentChanged,
    /// A file was removed from a draft.
    DocumentDeleted,
    /// An agency issued a document to the person («Мои документы»).
    DocumentIssued,
    /// A справка ordered is ready.
    SpravkaReady,
    /// A payment went through.
    PaymentSucceeded,
    /// A letter arrived in the person's mailbox.
    MailReceived,
    /// An asynchronous operation finished (a bulk import).
    OperationCompleted,
    /// An e-passport was issued to the person.
    PassportIssued,
    /// The person's e-passport was annulled.
    PassportAnnulled,
}

impl EventType {
    /// Every type, in the order the API lists them.
    pub const ALL: [Self; 12] = [
        Self::ApplicationSubmitted,
        Self::ApplicationStatusChanged,
        Self::DocumentCreated,
        Self::DocumentChanged,
        Self::DocumentDeleted,
        Self::DocumentIssued,
        Self::SpravkaReady,
        Self::PaymentSucceeded,
        Self::MailReceived,
        Self::OperationCompleted,
        Self::PassportIssued,
        Self::PassportAnnulled,
    ];

    /// The type's code (the payload's `type`).
    pub const fn code(self) -> &'static str {
        match self {
            Self::ApplicationSubmitted => "application.submitted",
            Self::ApplicationStatusChanged => "application.status_changed",
            Self::DocumentCreated => "document.created",
            Self::DocumentChanged => "document.changed",
            Self::DocumentDeleted => "document.deleted",
            Self::DocumentIssued => "document.issued",
            Self::SpravkaReady => "spravka.ready",
            Self::PaymentSucceeded => "payment.succeeded",
            Self::MailReceived => "mail.received",
            Self::OperationCompleted => "operation.completed",
            Self::PassportIssued => "passport.issued",
            Self::PassportAnnulled => "passport.annulled",
        }
    }

    /// The type with this code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// Where a subscriber is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Id.
    pub id: Uuid,
    /// Whose events it gets.
    pub user_id: UserId,
    /// Where they are posted.
    pub url: String,
    /// The types it subscribed to.
    pub events: Vec<EventType>,
    /// `whsec_` + base64 of 32 random bytes. Kept as it is: signing needs it.
    pub secret: String,
    /// The secret before the last rotation, still signing until the time given.
    pub previous: Option<(String, OffsetDateTime)>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Since when every delivery has failed (none once one succeeds).
    pub failing_since: Option<OffsetDateTime>,
    /// Disabled: when, and why (`gone`: it answered 410; `failing`: 5 days of failures).
    pub disabled: Option<(OffsetDateTime, String)>,
}

impl Endpoint {
    /// The secrets that sign a message at `now`: the current one, and the previous one while
    /// its overlap lasts.
    pub fn signing_secrets(&self, now: OffsetDateTime) -> Vec<&str> {
        let mut out = vec![self.secret.as_str()];
        if let Some((old, until)) = &self.previous
            && now < *until
        {
            out.push(old);
        }
        out
    }
}

/// Where a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageState {
    /// Waiting for an attempt.
    Pending,
    /// A 2xx came back.
    Delivered,
    /// Every attempt failed, or its endpoint was disabled: a dead letter, until replayed.
    Failed,
}

impl MessageState {
    /// Stable code as stored and shown.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed].into_iter().find(|s| s.code() == code)
    }
}

/// One event for one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// `msg_…`: the `webhook-id`, stable across attempts (receivers deduplicate on it).
    pub id: String,
    /// To which endpoint.
    pub endpoint_id: Uuid,
    /// The event's type.
    pub event_type: EventType,
    /// The JSON body, as signed and sent.
    pub body: String,
    /// When the event happened.
    pub created_at: OffsetDateTime,
    /// Where it is.
    pub state: MessageState,
    /// Attempts made.
    pub attempts: i32,
}

/// One attempt to deliver a message: the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The message.
    pub message_id: String,
    /// Which attempt (1 for the first).
    pub n: i32,
    /// When it started.
    pub at: OffsetDateTime,
    /// The answer's status, when one came.
    pub status: Option<u16>,
    /// The answer's first bytes (up to [`EXCERPT`]), lossily as text.
    pub response: String,
    /// How long it took, milliseconds.
    pub duration_ms: i64,
    /// Why it failed without an answer (timeout, refused address, connection).
    pub error: Option<String>,
}

/// Bytes of an answer kept in the log.
pub const EXCERPT: usize = 256;

/// The delays before each attempt: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
pub const SCHEDULE: [Duration; 8] = [
    Duration::ZERO,
    Duration::seconds(5),
    Duration::minutes(5),
    Duration::minutes(30),
    Duration::hours(2),
    Duration::hours(5),
    Duration::hours(10),
    Duration::hours(10),
];

/// An endpoint failing this long is disabled.
pub const DISABLE_AFTER: Duration = Duration::days(5);

/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);

/// A new secret: `whsec_` and base64 of 32 random bytes.
pub fn new_secret() -> Result<String, WebhookError> {
    let bytes = crate::ids::random_bytes::<32>().map_err(|_| WebhookError::RandomUnavailable)?;
    Ok(format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
}

/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under `secret` (`whsec_` + base64 key);
/// none when the secret is not of that form.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    Some(format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header: one signature per secret, space-separated (a rotation's
/// overlap carries both).
pub fn signature_header(secrets: &[&str], id: &str, timestamp: i64, body: &str) -> String {
    secrets.iter().filter_map(|s| signature(s, id, timestamp, body)).collect::<Vec<_>>().join(" ")
}

/// The job that turns an event of `user`'s into messages for their subscribed endpoints; put
/// it into the effects of the change that caused the event. `data` says what happened (ids
/// and statuses: the program reads the rest through the API).
pub fn event_job(user: UserId, event: EventType, data: serde_json::Value, at: OffsetDateTime) -> NewJob {
    let payload = serde_json::json!({
        "event": Uuid::now_v7().to_string(),
        "user": user.0.to_string(),
        "type": event.code(),
        "data": data,
        "at": at.unix_timestamp_nanos().to_string(),
    });
    NewJob::of(JobKind::WebhookEvent, payload, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_webhooks_test_vector_signs_alike() {
        // ../shared/facts/webhooks.md
        let got = signature(
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1_649_367_553,
            r#"{"email":"test@example.com","username":"test_user"}"#,
        );
        assert_eq!(got.as_deref(), Some("v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="));
        assert_eq!(signature("C2FVsBQIhrscChlQIMV", "m", 1, "{}"), None, "not a whsec_ secret");
    }

    #[test]
    fn a_rotation_signs_with_both_secrets_while_it_overlaps() {
        let at = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let mut e = Endpoint {
            id: Uuid::nil(),
            user_id: UserId(Uuid::nil()),
            url: "https://example.org/hook".into(),
            events: vec![EventType::MailReceived],
            secret: new_secret().unwrap(),
            previous: None,
            created_at: at,
            failing_since: None,
            disabled: None,
        };
        assert_eq!(e.signing_secrets(at).len(), 1);
        e.previous = Some((new_secret().unwrap(), at + ROTATION_OVERLAP));
        let both = e.signing_secrets(at);
        assert_eq!(both.len(), 2);
        let header = signature_header(&both, "msg_1", 1, "{}");
        assert_eq!(header.split(' ').count(), 2, "{header}");
        assert_eq!(e.signing_secrets(at + ROTATION_OVERLAP).len(), 1, "the old one stops");
        assert!(e.secret.starts_with("whsec_") && e.secret.len() == 6 + 44);
    }

    #[test]
    fn event_types_read_back_by_their_codes() {
        for t in EventType::ALL {
            assert_eq!(EventType::from_code(t.code()), Some(t));
        }
        assert_eq!(EventType::from_code("application.deleted"), None);
    }
}
