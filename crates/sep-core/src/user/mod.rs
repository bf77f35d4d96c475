//! Users of the portal and their profiles.

pub mod org;
pub mod store;

use crate::ident::{DivisionCode, Email, Inn, PassportNumber, PassportSeries, Phone, RuDate, Snils};
use crate::ids::UserId;
use time::OffsetDateTime;

/// What a user may do in СЭП. Applicants (citizens, ИП, employees of organisations) are
/// `Citizen`; officers and administrators are assigned by an administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// An applicant.
    Citizen,
    /// An agency officer who reviews applications.
    Officer,
    /// An administrator of rights, reference books and the catalogue.
    Admin,
}

impl Role {
    /// Stable code as stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Officer => "officer",
            Self::Admin => "admin",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "citizen" => Some(Self::Citizen),
            "officer" => Some(Self::Officer),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// Gender as ЕСИА reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    /// Мужской.
    Male,
    /// Женский.
    Female,
}

impl Gender {
    /// Stable code as stored (`M`/`F`, as in ЕСИА).
    pub fn code(self) -> &'static str {
        match self {
            Self::Male => "M",
            Self::Female => "F",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "M" => Some(Self::Male),
            "F" => Some(Self::Female),
            _ => None,
        }
    }
}

/// A passport of a citizen of the Russian Federation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passport {
    /// Серия.
    pub series: PassportSeries,
    /// Номер.
    pub number: PassportNumber,
    /// Дата выдачи.
    pub issued_on: RuDate,
    /// Кем выдан.
    pub issuer: String,
    /// Код подразделения.
    pub division_code: DivisionCode,
}

/// Personal data of a user. Every field but the name may be absent until the user or the
/// identity provider supplies it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    /// Фамилия.
    pub last_name: String,
    /// Имя.
    pub first_name: String,
    /// Отчество (not everyone has one).
    pub middle_name: Option<String>,
    /// Дата рождения.
    pub birth_date: Option<RuDate>,
    /// Место рождения.
    pub birth_place: Option<String>,
    /// Пол.
    pub gender: Option<Gender>,
    /// СНИЛС.
    pub snils: Option<Snils>,
    /// ИНН физического лица.
    pub inn: Option<Inn>,
    /// Mobile phone.
    pub phone: Option<Phone>,
    /// E-mail.
    pub email: Option<Email>,
    /// Паспорт.
    pub passport: Option<Passport>,
    /// Адрес регистрации.
    pub address: Option<String>,
}

impl Profile {
    /// «Фамилия Имя Отчество».
    pub fn full_name(&self) -> String {
        let mut s = format!("{} {}", self.last_name, self.first_name);
        if let Some(m) = &self.middle_name {
            s.push(' ');
            s.push_str(m);
        }
        s
    }
}

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Role.
    pub role: Role,
    /// Personal data.
    pub profile: Profile,
    /// When the user was created.
    pub created_at: OffsetDateTime,
    /// When the profile last changed.
    pub updated_at: OffsetDateTime,
    /// The version of the terms of use the user accepted, and when (L2).
    pub terms_accepted: Option<(String, OffsetDateTime)>,
    /// When the user completed «Регистрация в СЭП» («Услуга активирована»).
    pub registered_at: Option<OffsetDateTime>,
    /// The agency a staff member works for (officers see its queue).
    pub agency: Option<String>,
    /// Notification and accessibility settings.
    pub settings: crate::settings::Settings,
}

/// A link between a СЭП user and an account at an identity provider (L2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalIdentity {
    /// Issuer URL of the provider.
    pub provider: String,
    /// The provider's subject (`sub`, or the ЕСИА oid).
    pub subject: String,
    /// The linked user.
    pub user_id: UserId,
    /// When the link was made.
    pub linked_at: OffsetDateTime,
}

/// A profile flattened to plain values, the shape both storage backends keep. Converting
/// back re-validates every identifier, so corrupted rows surface as errors, never as
/// invalid values inside the core.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileRecord {
    /// Фамилия.
    pub last_name: String,
    /// Имя.
    pub first_name: String,
    /// Отчество.
    pub middle_name: Option<String>,
    /// Дата рождения.
    pub birth_date: Option<time::Date>,
    /// Место рождения.
    pub birth_place: Option<String>,
    /// `M`/`F`.
    pub gender: Option<String>,
    /// 11 digits.
    pub snils: Option<String>,
    /// 12 digits.
    pub inn: Option<String>,
    /// `+7XXXXXXXXXX`.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// 4 digits.
    pub passport_series: Option<String>,
    /// 6 digits.
    pub passport_number: Option<String>,
    /// Issue date.
    pub passport_issued_on: Option<time::Date>,
    /// Issuer.
    pub passport_issuer: Option<String>,
    /// `NNN-NNN`.
    pub passport_division_code: Option<String>,
    /// Address.
    pub address: Option<String>,
}

impl From<&Profile> for ProfileRecord {
    fn from(p: &Profile) -> Self {
        let pp = p.passport.as_ref();
        Self {
            last_name: p.last_name.clone(),
            first_name: p.first_name.clone(),
            middle_name: p.middle_name.clone(),
            birth_date: p.birth_date.map(RuDate::date),
            birth_place: p.birth_place.clone(),
            gender: p.gender.map(|g| g.code().to_owned()),
            snils: p.snils.as_ref().map(|s| s.as_digits().to_owned()),
            inn: p.inn.as_ref().map(|s| s.as_str().to_owned()),
            phone: p.phone.as_ref().map(|s| s.as_str().to_owned()),
            email: p.email.as_ref().map(|s| s.as_str().to_owned()),
            passport_series: pp.map(|x| x.series.as_str().to_owned()),
            passport_number: pp.map(|x| x.number.as_str().to_owned()),
            passport_issued_on: pp.map(|x| x.issued_on.date()),
            passport_issuer: pp.map(|x| x.issuer.clone()),
            passport_division_code: pp.map(|x| x.division_code.as_str().to_owned()),
            address: p.address.clone(),
        }
    }
}

fn refuse(e: crate::ident::IdError) -> crate::StoreError {
    crate::StoreError::Other(format!("stored value refused: {}", e.code()))
}

fn parse_opt<T>(
    v: Option<String>,
    parse: fn(&str) -> Result<T, crate::ident::IdError>,
) -> Result<Option<T>, crate::StoreError> {
    v.map(|s| parse(&s).map_err(refuse)).transpose()
}

impl TryFrom<ProfileRecord> for Profile {
    type Error = crate::StoreError;

    fn try_from(r: ProfileRecord) -> Result<Self, Self::Error> {
        let passport = match (
            r.passport_series,
            r.passport_number,
            r.passport_issued_on,
            r.passport_issuer,
            r.passport_division_code,
        ) {
            (Some(s), Some(n), Some(d), Some(i), Some(c)) => Some(Passport {
                series: PassportSeries::parse(&s).map_err(refuse)?,
                number: PassportNumber::parse(&n).map_err(refuse)?,
                issued_on: RuDate::from_date(d).map_err(refuse)?,
                issuer: i,
                division_code: DivisionCode::parse(&c).map_err(refuse)?,
            }),
            (None, None, None, None, None) => None,
            _ => return Err(crate::StoreError::Other("stored passport is incomplete".into())),
        };
        let gender = match r.gender {
            None => None,
            Some(g) => {
                Some(Gender::from_code(&g).ok_or_else(|| crate::StoreError::Other("stored gender refused".into()))?)
            }
        };
        Ok(Self {
            last_name: r.last_name,
            first_name: r.first_name,
            middle_name: r.middle_name,
            birth_date: r.birth_date.map(RuDate::from_date).transpose().map_err(refuse)?,
            birth_place: r.birth_place,
            gender,
            snils: parse_opt(r.snils, Snils::parse)?,
            inn: parse_opt(r.inn, Inn::parse_person)?,
            phone: parse_opt(r.phone, Phone::parse)?,
            email: parse_opt(r.email, Email::parse)?,
            passport,
            address: r.address,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_round_trips_through_its_record() {
        let p = Profile {
            last_name: "Иванов".into(),
            first_name: "Иван".into(),
            middle_name: Some("Иванович".into()),
            birth_date: Some(RuDate::parse("05.03.1987").unwrap()),
            birth_place: Some("г. Москва".into()),
            gender: Some(Gender::Male),
            snils: Some(Snils::parse("112-233-445 95").unwrap()),
            inn: Some(Inn::parse("500100732259").unwrap()),
            phone: Some(Phone::parse("8 912 345-67-89").unwrap()),
            email: Some(Email::parse("ivanov@example.ru").unwrap()),
            passport: Some(Passport {
                series: PassportSeries::parse("4508").unwrap(),
                number: PassportNumber::parse("123456").unwrap(),
                issued_on: RuDate::parse("10.04.2007").unwrap(),
                issuer: "ОВД района Арбат г. Москвы".into(),
                division_code: DivisionCode::parse("772-001").unwrap(),
            }),
            address: Some("г. Москва, ул. Арбат, д. 1".into()),
        };
        assert_eq!(Profile::try_from(ProfileRecord::from(&p)).unwrap(), p);
        assert_eq!(p.full_name(), "Иванов Иван Иванович");
    }

    #[test]
    fn corrupt_records_are_refused() {
        let r = ProfileRecord { snils: Some("11223344596".into()), ..Default::default() };
        assert!(Profile::try_from(r).is_err());
        let r = ProfileRecord { passport_series: Some("4508".into()), ..Default::default() };
        assert!(Profile::try_from(r).is_err());
    }
}

/// A change of the profile's phone (`sms`) or e-mail (`email`) waiting for its confirmation
/// (SPEC C3): an SMS code to the new phone or a one-time link to the new address. The profile
/// changes only when it is confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactChange {
    /// Whose.
    pub user_id: UserId,
    /// `sms` or `email`.
    pub channel: String,
    /// The new phone or address (normalised).
    pub value: String,
    /// The code or link token.
    pub code: crate::otp::CodeState,
    /// Codes sent within the current window (a limit against flooding).
    pub sent: u32,
    /// When the last one was sent.
    pub created_at: OffsetDateTime,
    /// When confirmed.
    pub confirmed_at: Option<OffsetDateTime>,
}
