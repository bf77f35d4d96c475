//! Registry ports (SPEC R7): the ФНС, СФР and МВД checks an application goes through after it
//! is sent. Each port asks a yes/no question about data the applicant typed, as the
//! interagency (СМЭВ) verification services do: a registry confirms or refuses a match, it
//! never hands back somebody's record. The emulator in [`emulator`] answers from the demo data
//! set; a real adapter implements the same traits.

pub mod emulator;

use async_trait::async_trait;

/// A person as typed in the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonQuery {
    /// Фамилия.
    pub last_name: String,
    /// Имя.
    pub first_name: String,
    /// Отчество (may be empty).
    pub middle_name: String,
    /// Дата рождения `ДД.ММ.ГГГГ`.
    pub birth_date: String,
}

/// A registry's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The record exists and belongs to the person (or organisation) asked about.
    Match,
    /// The record exists but belongs to someone else or differs; the text says what.
    Mismatch(String),
    /// No such record.
    NotFound,
    /// The record exists and is not valid (a lost passport, a liquidated company).
    Invalid(String),
}

/// A registry could not answer: the check is retried later.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Реестр {registry} недоступен: {detail}")]
pub struct Unavailable {
    /// `ФНС`, `СФР`, `МВД`.
    pub registry: &'static str,
    /// What happened (timeout, maintenance).
    pub detail: String,
}

/// The answer of a registry call.
pub type RegistryResult = Result<Verdict, Unavailable>;

/// ФНС: ИНН of a person, ЕГРЮЛ, ЕГРИП.
#[async_trait]
pub trait TaxRegistry: Send + Sync {
    /// Whether `inn` is this person's ИНН.
    async fn verify_inn(&self, person: &PersonQuery, inn: &str) -> RegistryResult;
    /// Whether ЕГРЮЛ has an active organisation with this ОГРН, ИНН and КПП.
    async fn verify_legal_entity(&self, ogrn: &str, inn: &str, kpp: &str) -> RegistryResult;
    /// Whether ЕГРИП has this person as an active sole proprietor under `ogrnip`.
    async fn verify_sole_proprietor(&self, person: &PersonQuery, ogrnip: &str, inn: &str) -> RegistryResult;
    /// The organisation or sole proprietor with this ИНН or ОГРН(ИП) in ЕГРЮЛ / ЕГРИП.
    async fn find_business(&self, inn: Option<&str>, ogrn: Option<&str>) -> Result<Option<Business>, Unavailable>;
}

/// An organisation or a sole proprietor as ЕГРЮЛ / ЕГРИП describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Business {
    /// ИНН.
    pub inn: String,
    /// ОГРН or ОГРНИП.
    pub ogrn: String,
    /// Short name («ООО «Ромашка»», «ИП Васильев Д. С.»).
    pub name: String,
    /// Operating (not liquidated, not ceased).
    pub active: bool,
}

/// СФР: СНИЛС.
#[async_trait]
pub trait PensionRegistry: Send + Sync {
    /// Whether `snils` is this person's СНИЛС.
    async fn verify_snils(&self, person: &PersonQuery, snils: &str) -> RegistryResult;
}

/// МВД: passports.
#[async_trait]
pub trait PassportRegistry: Send + Sync {
    /// Whether the passport is valid and this person's.
    async fn verify_passport(&self, person: &PersonQuery, series: &str, number: &str) -> RegistryResult;
}

/// The three registries an application is checked against.
#[derive(Clone)]
pub struct Registries {
    /// ФНС.
    pub fns: std::sync::Arc<dyn TaxRegistry>,
    /// СФР.
    pub sfr: std::sync::Arc<dyn PensionRegistry>,
    /// МВД.
    pub mvd: std::sync::Arc<dyn PassportRegistry>,
}

impl Registries {
    /// All three from one implementation (the emulator).
    pub fn all<T: TaxRegistry + PensionRegistry + PassportRegistry + 'static>(r: std::sync::Arc<T>) -> Self {
        Self { fns: r.clone(), sfr: r.clone(), mvd: r }
    }
}
