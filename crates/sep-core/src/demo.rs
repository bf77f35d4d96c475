//! The demo data set: people who exist in every `sep demo`, so a newcomer can try each
//! journey. The Госуслуги emulator has the same people as accounts (oid = `subject`); the
//! portal seeds the staff among them (officer, administrator) linked to their emulator
//! accounts, because staff roles are granted in СЭП, not at Госуслуги.

use crate::user::Role;

/// A demo person.
#[derive(Debug, Clone, Copy)]
pub struct DemoPerson {
    /// Subject at the demo identity provider.
    pub subject: &'static str,
    /// What this account is for, in Russian, as printed by `sep demo`.
    pub purpose: &'static str,
    /// Фамилия.
    pub last_name: &'static str,
    /// Имя.
    pub first_name: &'static str,
    /// Отчество.
    pub middle_name: &'static str,
    /// Дата рождения `ДД.ММ.ГГГГ`.
    pub birth_date: &'static str,
    /// СНИЛС.
    pub snils: &'static str,
    /// ИНН.
    pub inn: &'static str,
    /// Телефон (the login).
    pub phone: &'static str,
    /// E-mail.
    pub email: &'static str,
    /// Demo password at the emulator (public by design: this is demo data).
    pub password: &'static str,
    /// Whether the Госуслуги account is confirmed (L3).
    pub confirmed: bool,
    /// Role in СЭП.
    pub role: Role,
    /// ОГРНИП when the person is a sole proprietor (ИП), else empty.
    pub ogrnip: &'static str,
}

/// Everyone in the demo.
pub const PEOPLE: [DemoPerson; 7] = [
    DemoPerson {
        subject: "1000001",
        purpose: "гражданин с подтверждённой учётной записью; бухгалтер ООО «Ромашка» (не руководитель)",
        last_name: "Иванов",
        first_name: "Иван",
        middle_name: "Иванович",
        birth_date: "05.03.1987",
        snils: "123-456-789 64",
        inn: "770123456703",
        phone: "+79123456789",
        email: "ivanov@example.ru",
        password: "Demo-Passw0rd",
        confirmed: true,
        role: Role::Citizen,
        ogrnip: "",
    },
    DemoPerson {
        subject: "1000002",
        purpose: "гражданка с неподтверждённой учётной записью (вход в СЭП не пускает)",
        last_name: "Петрова",
        first_name: "Мария",
        middle_name: "Сергеевна",
        birth_date: "17.11.1992",
        snils: "234-567-890 99",
        inn: "770234567818",
        phone: "+79234567890",
        email: "petrova@example.ru",
        password: "Demo-Passw0rd",
        confirmed: false,
        role: Role::Citizen,
        ogrnip: "",
    },
    DemoPerson {
        subject: "1000003",
        purpose: "сотрудник организации ООО «Ромашка» (ИНН 7701000019)",
        last_name: "Сидоров",
        first_name: "Пётр",
        middle_name: "Алексеевич",
        birth_date: "21.06.1979",
        snils: "345-678-901 23",
        inn: "770345678922",
        phone: "+79345678901",
        email: "sidorov@example.ru",
        password: "Demo-Passw0rd",
        confirmed: true,
        role: Role::Citizen,
        ogrnip: "",
    },
    DemoPerson {
        subject: "1000004",
        purpose: "сотрудник ведомства (рассматривает заявления)",
        last_name: "Кузнецова",
        first_name: "Анна",
        middle_name: "Викторовна",
        birth_date: "02.09.1985",
        snils: "456-789-012 38",
        inn: "770456789000",
        phone: "+79456789012",
        email: "kuznetsova@example.ru",
        password: "Demo-Passw0rd",
        confirmed: true,
        role: Role::Officer,
        ogrnip: "",
    },
    DemoPerson {
        subject: "1000005",
        purpose: "администратор СЭП",
        last_name: "Смирнов",
        first_name: "Олег",
        middle_name: "Николаевич",
        birth_date: "30.01.1975",
        snils: "567-890-123 43",
        inn: "770567890172",
        phone: "+79567890123",
        email: "smirnov@example.ru",
        password: "Demo-Passw0rd",
        confirmed: true,
        role: Role::Admin,
        ogrnip: "",
    },
    DemoPerson {
        subject: "1000006",
        purpose: "индивидуальный предприниматель (ИП)",
        last_name: "Васильев",
        first_name: "Дмитрий",
        middle_name: "Олегович",
        birth_date: "14.08.1983",
        snils: "678-901-234 38",
        inn: "770678901214",
        phone: "+79678901234",
        email: "vasiliev@example.ru",
        password: "Demo-Passw0rd",
        confirmed: true,
        role: Role::Citizen,
        ogrnip: "304770100000016",
    },
    DemoPerson {
        subject: "1000007",
        purpose: "сотрудник МВД (электронные паспорта: рассматривает заявления, ведёт реестр)",
        last_name: "Орлов",
        first_name: "Сергей",
        middle_name: "Андреевич",
        birth_date: "19.06.1982",
        snils: "789-012-345 23",
        inn: "770789012309",
        phone: "+79789012345",
        email: "orlov@example.ru",
        password: "Demo-Passw0rd",
        confirmed: true,
        role: Role::Officer,
        ogrnip: "",
    },
];

/// The demo officer of МВД, who decides e-passport applications and keeps their registry.
pub const PASSPORT_OFFICER_SUBJECT: &str = "1000007";

/// The demo organisation: name, ИНН, ОГРН, КПП; its employee is the person with subject
/// [`EMPLOYEE_SUBJECT`].
pub const ORGANISATION: (&str, &str, &str, &str) = ("ООО «Ромашка»", "7701000019", "1027700000019", "770101001");

/// The agency the demo officer works for: the one responsible for «Регистрация в СЭП».
pub const OFFICER_AGENCY: &str = "Оператор СЭП";

/// The demo organisation's employee (its head).
pub const EMPLOYEE_SUBJECT: &str = "1000003";

/// Another employee of the demo organisation, not its head (Иванов, its accountant).
pub const STAFF_SUBJECT: &str = "1000001";

/// Seeds the staff among the demo people (applicants are created at their first login),
/// linked to their accounts at the identity provider `issuer`; the officer works for
/// [`OFFICER_AGENCY`], the officer of МВД ([`PASSPORT_OFFICER_SUBJECT`]) for МВД. Idempotent: returns how many were added.
pub async fn seed_staff(
    store: &dyn crate::store::Store,
    issuer: &str,
    now: time::OffsetDateTime,
) -> Result<usize, crate::StoreError> {
    use crate::ident::{Email, Inn, Phone, RuDate, Snils};
    use crate::store::{Effects, NewUser};
    use crate::user::{ExternalIdentity, Profile};
    let bad = |e: crate::ident::IdError| crate::StoreError::Other(format!("demo data refused: {}", e.code()));
    let mut added = 0;
    for p in PEOPLE.iter().filter(|p| p.role != Role::Citizen) {
        let agency = (p.role == Role::Officer).then_some(if p.subject == PASSPORT_OFFICER_SUBJECT {
            crate::passport::record::ISSUER
        } else {
            OFFICER_AGENCY
        });
        if let Some(found) = store.find_user_by_identity(issuer, p.subject).await? {
            if found.agency.as_deref() != agency {
                store.update_user_agency(found.id, agency, &Effects::none()).await?;
            }
            continue;
        }
        let id = crate::ids::UserId::new();
        let profile = Profile {
            last_name: p.last_name.into(),
            first_name: p.first_name.into(),
            middle_name: Some(p.middle_name.into()),
            birth_date: Some(RuDate::parse(p.birth_date).map_err(bad)?),
            snils: Some(Snils::parse(p.snils).map_err(bad)?),
            inn: Some(Inn::parse_person(p.inn).map_err(bad)?),
            phone: Some(Phone::parse(p.phone).map_err(bad)?),
            email: Some(Email::parse(p.email).map_err(bad)?),
            ..Profile::default()
        };
        let link = ExternalIdentity { provider: issuer.into(), subject: p.subject.into(), user_id: id, linked_at: now };
        let mut event = crate::audit::NewAuditEvent::system(now, "demo.user_seeded", Some(id));
        event.details = serde_json::json!({"role": p.role.code()});
        store
            .insert_user(&NewUser { id, role: p.role, profile, created_at: now }, Some(&link), &Effects::audit(event))
            .await?;
        if agency.is_some() {
            store.update_user_agency(id, agency, &Effects::none()).await?;
        }
        added += 1;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::{Email, Inn, Ogrn, Phone, RuDate, Snils};

    #[test]
    fn every_demo_identifier_is_valid() {
        for p in PEOPLE {
            Snils::parse(p.snils).unwrap();
            Inn::parse_person(p.inn).unwrap();
            Phone::parse(p.phone).unwrap();
            Email::parse(p.email).unwrap();
            RuDate::parse(p.birth_date).unwrap();
        }
        Inn::parse_organisation(ORGANISATION.1).unwrap();
        Ogrn::parse(ORGANISATION.2).unwrap();
        crate::ident::Kpp::parse(ORGANISATION.3).unwrap();
        let ips: Vec<_> = PEOPLE.iter().filter(|p| !p.ogrnip.is_empty()).collect();
        assert_eq!(ips.len(), 1);
        crate::ident::Ogrnip::parse(ips[0].ogrnip).unwrap();
        assert!(PEOPLE.iter().any(|p| p.subject == EMPLOYEE_SUBJECT));
        assert!(PEOPLE.iter().any(|p| p.subject == STAFF_SUBJECT && p.confirmed));
    }
}
