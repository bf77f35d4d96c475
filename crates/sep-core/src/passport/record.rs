//! The registry of e-passports (SPEC EP1, seed 004): one record per approved application —
//! the e-passport's number, ИНН, the paper passport's series and number, ФИО, birth date and
//! place, citizenship, photo, issue date, valid until, status — with its status history
//! (what, when, who, why). A person has at most one valid e-passport: a new one annuls the old.

use crate::application::record::{ApplicationId, StoredFile};
use crate::ids::UserId;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// How long an e-passport is valid, in years.
pub const VALID_YEARS: i32 = 10;

/// Who issues e-passports.
pub const ISSUER: &str = "МВД России";

/// The status of an e-passport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassportStatus {
    /// «Действителен».
    Valid,
    /// «Аннулирован».
    Annulled,
}

impl PassportStatus {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Annulled => "annulled",
        }
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Valid => "Действителен",
            Self::Annulled => "Аннулирован",
        }
    }

    /// The status stored as `code`.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Valid, Self::Annulled].into_iter().find(|s| s.code() == code)
    }
}

/// Why an e-passport was annulled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnulReason {
    /// «Утрата».
    Lost,
    /// «Смена ФИО».
    NameChanged,
    /// «Решение суда».
    CourtDecision,
    /// «Выдан новый».
    Reissued,
    /// «Ошибка в сведениях».
    DataError,
}

impl AnnulReason {
    /// Every reason, in the order the officer's form lists them.
    pub const ALL: [Self; 5] = [Self::Lost, Self::NameChanged, Self::CourtDecision, Self::Reissued, Self::DataError];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Lost => "lost",
            Self::NameChanged => "name_changed",
            Self::CourtDecision => "court_decision",
            Self::Reissued => "reissued",
            Self::DataError => "data_error",
        }
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Lost => "Утрата",
            Self::NameChanged => "Смена ФИО",
            Self::CourtDecision => "Решение суда",
            Self::Reissued => "Выдан новый электронный паспорт",
            Self::DataError => "Ошибка в сведениях",
        }
    }

    /// The reason with `code`.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// A record of the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passport {
    /// The record's id (what the code and the annulment list refer to).
    pub id: Uuid,
    /// The e-passport's number (`ЭП-2026-000001`).
    pub number: String,
    /// The holder.
    pub user_id: UserId,
    /// The application it answers.
    pub application_id: ApplicationId,
    /// ИНН, 12 digits.
    pub inn: String,
    /// The paper passport's series, 4 digits.
    pub passport_series: String,
    /// The paper passport's number, 6 digits.
    pub passport_number: String,
    /// Фамилия.
    pub last_name: String,
    /// Имя.
    pub first_name: String,
    /// Отчество.
    pub middle_name: Option<String>,
    /// Date of birth.
    pub birth_date: Date,
    /// Place of birth.
    pub birth_place: String,
    /// Citizenship, ISO 3166-1 alpha-3.
    pub citizenship: String,
    /// The photo (in the file store).
    pub photo: StoredFile,
    /// Issued.
    pub issued_at: OffsetDateTime,
    /// Valid until.
    pub valid_until: OffsetDateTime,
    /// Status.
    pub status: PassportStatus,
    /// The QR code signed ES256 (any verifier).
    pub code_es256: String,
    /// The QR code signed ГОСТ Р 34.10-2012 (the state profile).
    pub code_gost: String,
}

impl Passport {
    /// Имя and отчество, as the code writes them.
    pub fn given_names(&self) -> String {
        match &self.middle_name {
            Some(m) => format!("{} {m}", self.first_name),
            None => self.first_name.clone(),
        }
    }

    /// The full name.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.last_name, self.given_names())
    }

    /// The citizenship as people read it (`RUS` is «Российская Федерация»).
    pub fn citizenship_name(&self) -> &str {
        if self.citizenship == "RUS" { "Российская Федерация" } else { &self.citizenship }
    }

    /// The paper passport as the code writes it: `4510 123456`.
    pub fn document(&self) -> String {
        format!("{} {}", self.passport_series, self.passport_number)
    }

    /// What the code says.
    pub fn claims(&self) -> super::code::Claims {
        super::code::Claims {
            record_id: self.id,
            number: self.number.clone(),
            last_name: self.last_name.clone(),
            given_names: self.given_names(),
            birth_date: self.birth_date,
            citizenship: self.citizenship.clone(),
            issuer: super::code::ISSUER_MVD.into(),
            issued: self.issued_at,
            expires: self.valid_until,
        }
    }
}

impl StatusEntry {
    /// The first line of record `passport`: issued, valid, by the system, at `at`.
    pub fn issued(passport: Uuid, at: OffsetDateTime, comment: String) -> Self {
        Self {
            id: Uuid::now_v7(),
            passport_id: passport,
            at,
            status: PassportStatus::Valid,
            by: None,
            reason: None,
            comment,
        }
    }
}

/// One line of a record's status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// Id.
    pub id: Uuid,
    /// The record.
    pub passport_id: Uuid,
    /// When.
    pub at: OffsetDateTime,
    /// The status it moved to.
    pub status: PassportStatus,
    /// Who: the officer; none for the system.
    pub by: Option<UserId>,
    /// Why, for an annulment.
    pub reason: Option<AnnulReason>,
    /// What was said.
    pub comment: String,
}
