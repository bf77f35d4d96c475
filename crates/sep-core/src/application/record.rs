//! An application as stored, and its journal.

use super::status::{Reason, Status};
use crate::catalogue::ApplicantType;
use crate::ids::UserId;
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// An application's id (UUIDv7; never shown as the human-readable number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApplicationId(pub Uuid);

impl ApplicationId {
    /// A fresh id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for ApplicationId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for ApplicationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The human-readable number given at submission: `2026-000123`.
pub fn format_number(year: i32, n: i64) -> String {
    format!("{year}-{n:06}")
}

/// Stable codes of applicant types, as stored.
pub fn applicant_code(t: ApplicantType) -> &'static str {
    match t {
        ApplicantType::Person => "person",
        ApplicantType::Ip => "ip",
        ApplicantType::Org => "org",
    }
}

/// From the stored code.
pub fn applicant_from_code(c: &str) -> Option<ApplicantType> {
    match c {
        "person" => Some(ApplicantType::Person),
        "ip" => Some(ApplicantType::Ip),
        "org" => Some(ApplicantType::Org),
        _ => None,
    }
}

/// A stored application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// Id.
    pub id: ApplicationId,
    /// Number, once submitted.
    pub number: Option<String>,
    /// The applicant.
    pub user_id: UserId,
    /// Service code.
    pub service: String,
    /// Applicant type.
    pub applicant_type: ApplicantType,
    /// Status.
    pub status: Status,
    /// Field values as typed.
    pub data: BTreeMap<String, String>,
    /// Consent text version and time (R4).
    pub consent: Option<(String, OffsetDateTime)>,
    /// Expected completion, in working days from submission.
    pub due_on: Option<Date>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// Submitted.
    pub submitted_at: Option<OffsetDateTime>,
    /// The officer who took it into work.
    pub assignee: Option<UserId>,
    /// When the automatic checks last passed (an officer approves only after them).
    pub checks_passed_at: Option<OffsetDateTime>,
}

/// A status change in the application's journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationEvent {
    /// Order.
    pub id: i64,
    /// When.
    pub at: OffsetDateTime,
    /// `applicant`, `officer`, `system`.
    pub actor: String,
    /// Before (none for creation).
    pub from: Option<Status>,
    /// After.
    pub to: Status,
    /// Comment shown to the applicant.
    pub comment: String,
    /// Reasons (rejection, request).
    pub reasons: Vec<Reason>,
}

/// A status change to store with its journal entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The status expected now; the change is refused if another one won the race.
    pub from: Status,
    /// The new status.
    pub to: Status,
    /// When.
    pub at: OffsetDateTime,
    /// Who (`applicant`, `officer`, `system`).
    pub actor: String,
    /// Comment.
    pub comment: String,
    /// Reasons.
    pub reasons: Vec<Reason>,
    /// Set the human-readable number (at first submission).
    pub number: Option<String>,
    /// Set the consent record (at submission).
    pub consent: Option<(String, OffsetDateTime)>,
    /// Set the expected completion date.
    pub due_on: Option<Date>,
    /// Set the officer in charge.
    pub assignee: Option<UserId>,
    /// Make the applicant a registered СЭП user (at completion of a service that activates).
    pub registers_user: bool,
    /// Refuse the change (`Conflict`) unless the data were last changed at this moment: what
    /// was checked is what is sent.
    pub data_as_of: Option<OffsetDateTime>,
    /// Refuse the change unless the officer in charge is still this one (`Some(None)`: nobody).
    pub assignee_was: Option<Option<UserId>>,
    /// Record that the automatic checks passed (cleared whenever the application is sent again).
    pub checks_passed: bool,
}

impl StatusChange {
    /// A change with a comment and reasons and nothing else set.
    pub fn new(from: Status, to: Status, at: OffsetDateTime, actor: &str, comment: &str, reasons: Vec<Reason>) -> Self {
        Self {
            from,
            to,
            at,
            actor: actor.to_owned(),
            comment: comment.to_owned(),
            reasons,
            number: None,
            consent: None,
            due_on: None,
            assignee: None,
            registers_user: false,
            data_as_of: None,
            assignee_was: None,
            checks_passed: false,
        }
    }
}

/// A file attached to an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Id.
    pub id: Uuid,
    /// The application.
    pub application_id: ApplicationId,
    /// The document type's code in the service.
    pub document: String,
    /// Cleaned original name.
    pub file_name: String,
    /// MIME type of the recognised format.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Key in the file store.
    pub sha256: String,
    /// `accepted` («Принят»).
    pub status: String,
    /// Upload time.
    pub created_at: OffsetDateTime,
    /// The newer version that replaced it (SPEC D2): kept, listed with its date, no longer
    /// part of the application.
    pub replaced_by: Option<Uuid>,
}

/// Confirmation of a contact typed in an application (SPEC R3): an SMS code for the phone, a
/// one-time link for the e-mail. The code's digest binds it to the application and channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactConfirmation {
    /// The application.
    pub application_id: ApplicationId,
    /// `sms` or `email`.
    pub channel: String,
    /// The phone or address being confirmed (normalised).
    pub value: String,
    /// The code or link token.
    pub code: crate::otp::CodeState,
    /// Codes sent for this value (a limit against flooding).
    pub sent: u32,
    /// When sent.
    pub created_at: OffsetDateTime,
    /// When confirmed.
    pub confirmed_at: Option<OffsetDateTime>,
}

/// A file kept in the file store, as a message carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Cleaned original name.
    pub file_name: String,
    /// MIME type of the recognised format.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Key in the file store.
    pub sha256: String,
}

impl StoredFile {
    /// A PDF still to be drawn: an issued document gets its number before its file.
    pub fn pdf_to_come() -> Self {
        Self { file_name: String::new(), content_type: "application/pdf".into(), size: 0, sha256: String::new() }
    }

    /// The PDF `pdf` kept as `file_name`, under its SHA-256 (the caller stores the bytes).
    pub fn pdf(file_name: String, pdf: &[u8]) -> Self {
        Self {
            file_name,
            content_type: "application/pdf".into(),
            size: i64::try_from(pdf.len()).unwrap_or(i64::MAX),
            sha256: crate::application::attachment::content_key(pdf),
        }
    }
}

/// A message in the «Связаться с оператором» thread of an application (SPEC A2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Order (set by the store).
    pub id: i64,
    /// The application.
    pub application_id: ApplicationId,
    /// When.
    pub at: OffsetDateTime,
    /// Who wrote it.
    pub author_id: UserId,
    /// `applicant` or `officer`.
    pub author: String,
    /// Text.
    pub text: String,
    /// An attached file.
    pub file: Option<StoredFile>,
}
