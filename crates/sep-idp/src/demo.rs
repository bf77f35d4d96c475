//! Demo accounts at the emulator: the people of `sep_core::demo`, with their passwords, and
//! the demo organisation with its employee. Idempotent.

use crate::account::{Level, LoginId, Membership, Organisation};
use crate::password::Hasher;
use crate::store::{IdpStore, NewAccount};
use sep_core::StoreError;
use sep_core::demo::{EMPLOYEE_SUBJECT, ORGANISATION, PEOPLE};
use sep_core::ident::{
    DivisionCode, Email, IdError, Inn, Kpp, Ogrn, PassportNumber, PassportSeries, Phone, RuDate, Snils,
};
use sep_core::user::{Gender, Passport, Profile};
use time::OffsetDateTime;

/// The authenticator-app secret of the demo sole proprietor (public: this is demo data).
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A demo value failed validation (a bug in the demo data set).
fn bad(e: IdError) -> StoreError {
    StoreError::Other(format!("demo data refused: {}", e.code()))
}

/// A passport for a confirmed demo person: the one the registry emulator knows.
fn demo_passport(subject: &str) -> Result<Passport, StoreError> {
    Ok(Passport {
        series: PassportSeries::parse("4510").map_err(bad)?,
        number: PassportNumber::parse(sep_core::registry::emulator::demo_passport_number(subject)).map_err(bad)?,
        issued_on: RuDate::parse("10.04.2010").map_err(bad)?,
        issuer: "ГУ МВД России по г. Москве".into(),
        division_code: DivisionCode::parse("770-001").map_err(bad)?,
    })
}

/// Seeds what is missing; returns how many accounts were added.
pub async fn seed(store: &dyn IdpStore, hasher: &Hasher, now: OffsetDateTime) -> Result<usize, StoreError> {
    let mut added = 0;
    for p in PEOPLE {
        let phone = Phone::parse(p.phone).map_err(bad)?;
        if store.find_account(&LoginId::Phone(phone.clone())).await?.is_some() {
            continue;
        }
        let hash = hasher.hash(p.password).await.map_err(|e| StoreError::Other(e.to_string()))?;
        let profile = Profile {
            last_name: p.last_name.into(),
            first_name: p.first_name.into(),
            middle_name: Some(p.middle_name.into()),
            birth_date: Some(RuDate::parse(p.birth_date).map_err(bad)?),
            birth_place: Some("г. Москва".into()),
            gender: Some(if p.middle_name.ends_with("вич") { Gender::Male } else { Gender::Female }),
            snils: Some(Snils::parse(p.snils).map_err(bad)?),
            inn: Some(Inn::parse_person(p.inn).map_err(bad)?),
            phone: Some(phone),
            email: Some(Email::parse(p.email).map_err(bad)?),
            passport: p.confirmed.then(|| demo_passport(p.subject)).transpose()?,
            address: Some("г. Москва, ул. Тверская, д. 1".into()),
        };
        let oid = p.subject.parse::<i64>().map_err(|e| StoreError::Other(e.to_string()))?;
        let level = if p.confirmed { Level::Confirmed } else { Level::Simplified };
        store
            .insert_account(&NewAccount { oid: Some(oid), profile, level, password_hash: hash, created_at: now })
            .await?;
        if !p.ogrnip.is_empty() {
            store.update_totp_secret(oid, Some(DEMO_TOTP_SECRET)).await?;
        }
        added += 1;
    }
    let (name, inn, ogrn, kpp) = ORGANISATION;
    if store.find_org_by_inn(inn).await?.is_none() {
        let org = Organisation {
            oid: 2_000_001,
            full_name: format!("Общество с ограниченной ответственностью {}", name.trim_start_matches("ООО ")),
            short_name: name.into(),
            inn: Inn::parse_organisation(inn).map_err(bad)?,
            ogrn: Ogrn::parse(ogrn).map_err(bad)?,
            kpp: Kpp::parse(kpp).map_err(bad)?,
        };
        store.insert_org(&org).await?;
        let employee = EMPLOYEE_SUBJECT.parse::<i64>().map_err(|e| StoreError::Other(e.to_string()))?;
        store
            .insert_membership(&Membership {
                org_oid: org.oid,
                account_oid: employee,
                position: "Генеральный директор".into(),
                chief: true,
                admin: true,
            })
            .await?;
        // An employee who is not its head: СЭП shows the organisation but does not let him
        // act for it.
        let staff = sep_core::demo::STAFF_SUBJECT.parse::<i64>().map_err(|e| StoreError::Other(e.to_string()))?;
        store
            .insert_membership(&Membership {
                org_oid: org.oid,
                account_oid: staff,
                position: "Бухгалтер".into(),
                chief: false,
                admin: false,
            })
            .await?;
    }
    Ok(added)
}
