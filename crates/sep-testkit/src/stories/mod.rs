//! Conformance stories: each one a sequence of store calls with the outcomes every backend
//! must produce. `tests/conformance.rs` runs each story on SQLite and on PostgreSQL.

pub mod applications;
pub mod audit;
pub mod audited_changes;
#[cfg(test)]
mod drift;
pub mod health;
pub mod integration;
pub mod jobs;
pub mod mail;
pub mod passports;
pub mod payments;
pub mod relink;
pub mod sessions;
pub mod signing;
pub mod spravki;
pub mod users;

use sep_core::ident::{Email, Inn, Phone, RuDate, Snils};
use sep_core::user::Profile;
use time::OffsetDateTime;

/// A fixed instant with whole microseconds, so values compare equal after a round trip.
pub fn t0() -> OffsetDateTime {
    sep_core::clock::to_micros(OffsetDateTime::now_utc())
}

/// A citizen with [`profile`], created at `at`, for stories that need a user to exist.
pub async fn citizen(db: &crate::TestDb, at: OffsetDateTime) -> sep_core::ids::UserId {
    let id = sep_core::ids::UserId::new();
    let user = sep_core::store::NewUser { id, role: sep_core::user::Role::Citizen, profile: profile(), created_at: at };
    db.store().insert_user(&user, None, &sep_core::store::Effects::none()).await.unwrap();
    id
}

/// A complete profile.
pub fn profile() -> Profile {
    Profile {
        last_name: "Иванов".into(),
        first_name: "Иван".into(),
        middle_name: Some("Иванович".into()),
        birth_date: Some(RuDate::parse("05.03.1987").unwrap()),
        birth_place: Some("г. Москва".into()),
        gender: Some(sep_core::user::Gender::Male),
        snils: Some(Snils::parse("112-233-445 95").unwrap()),
        inn: Some(Inn::parse("500100732259").unwrap()),
        phone: Some(Phone::parse("+79123456789").unwrap()),
        email: Some(Email::parse("ivanov@example.ru").unwrap()),
        passport: Some(sep_core::user::Passport {
            series: sep_core::ident::PassportSeries::parse("4508").unwrap(),
            number: sep_core::ident::PassportNumber::parse("123456").unwrap(),
            issued_on: RuDate::parse("10.04.2007").unwrap(),
            issuer: "ОВД района Арбат г. Москвы".into(),
            division_code: sep_core::ident::DivisionCode::parse("772-001").unwrap(),
        }),
        address: Some("г. Москва, ул. Арбат, д. 1, кв. 2".into()),
    }
}
