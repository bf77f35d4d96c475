//! The registry emulator: ФНС, СФР and МВД answering from the demo data set, plus records
//! made to fail (a lost passport, a liquidated company), and a switch that makes a registry
//! unavailable so outages can be tried. Every demo person's passport is series 4510 and the
//! last six digits of their Госуслуги subject, as the Госуслуги emulator has it.

use super::{PassportRegistry, PensionRegistry, PersonQuery, RegistryResult, TaxRegistry, Unavailable, Verdict};
use crate::demo::{ORGANISATION, PEOPLE};
use async_trait::async_trait;
use std::sync::atomic::{AtomicBool, Ordering};

mod charges;
mod records;

/// A lost passport of the first demo citizen (Иванов): checks with it fail.
pub const LOST_PASSPORT: (&str, &str) = ("4510", "999999");

/// A liquidated organisation: ОГРН, ИНН, КПП.
pub const LIQUIDATED_ORG: (&str, &str, &str) = ("1027700000020", "7702000029", "770201001");

/// The demo passport number of a person with Госуслуги subject `subject`.
pub fn demo_passport_number(subject: &str) -> &str {
    subject.get(subject.len().saturating_sub(6)..).unwrap_or("000000")
}

pub(super) struct Person {
    name: [&'static str; 3],
    birth_date: &'static str,
    snils: String,
    inn: &'static str,
    passport: String,
    ogrnip: &'static str,
}

/// The emulated registries.
pub struct EmulatedRegistries {
    people: Vec<Person>,
    fns_up: AtomicBool,
    sfr_up: AtomicBool,
    mvd_up: AtomicBool,
    foms_up: AtomicBool,
    fssp_up: AtomicBool,
    fnp_up: AtomicBool,
    gisgmp_up: AtomicBool,
    /// The treasury's outcome of each refund it was asked to send, by the refund's id.
    refunds: std::sync::Mutex<std::collections::HashMap<uuid::Uuid, Result<(), String>>>,
    /// Charges the portal placed, by УИН.
    imported: std::sync::Mutex<std::collections::BTreeMap<String, crate::payment::Charge>>,
}

impl Default for EmulatedRegistries {
    fn default() -> Self {
        Self::new()
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Names compare without case, surrounding spaces or the ё/е difference.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim().to_lowercase().replace('ё', "е");
    norm(a) == norm(b)
}

impl Person {
    fn is(&self, q: &PersonQuery) -> bool {
        same_name(self.name[0], &q.last_name)
            && same_name(self.name[1], &q.first_name)
            && same_name(self.name[2], &q.middle_name)
            && self.birth_date == q.birth_date.trim()
    }
}

impl EmulatedRegistries {
    /// The registries with the demo data set, all available.
    pub fn new() -> Self {
        let people = PEOPLE
            .iter()
            .map(|p| Person {
                name: [p.last_name, p.first_name, p.middle_name],
                birth_date: p.birth_date,
                snils: digits(p.snils),
                inn: p.inn,
                passport: format!("4510{}", demo_passport_number(p.subject)),
                ogrnip: p.ogrnip,
            })
            .collect();
        let up = || AtomicBool::new(true);
        Self {
            people,
            fns_up: up(),
            sfr_up: up(),
            mvd_up: up(),
            foms_up: up(),
            fssp_up: up(),
            fnp_up: up(),
            gisgmp_up: up(),
            refunds: std::sync::Mutex::default(),
            imported: std::sync::Mutex::default(),
        }
    }

    /// Makes a registry (`ФНС`, `СФР`, `МВД`, `ФОМС`, `ФССП`, `ФНП`, `ГИС ГМП`) unavailable or available again.
    pub fn set_available(&self, registry: &str, up: bool) {
        let flag = match registry {
            "ФНС" => &self.fns_up,
            "СФР" => &self.sfr_up,
            "МВД" => &self.mvd_up,
            "ФОМС" => &self.foms_up,
            "ФССП" => &self.fssp_up,
            "ФНП" => &self.fnp_up,
            "ГИС ГМП" => &self.gisgmp_up,
            _ => return,
        };
        flag.store(up, Ordering::SeqCst);
    }

    fn up(flag: &AtomicBool, registry: &'static str) -> Result<(), Unavailable> {
        if flag.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(Unavailable {
                registry, detail: "сервис не отвечает (эмуляция сбоя)".into()
            })
        }
    }

    /// Checks a key against the owner: not found, someone else's, or a match.
    fn owned_by(&self, q: &PersonQuery, has: impl Fn(&Person) -> bool, what: &str) -> Verdict {
        match self.people.iter().find(|p| has(p)) {
            None => Verdict::NotFound,
            Some(p) if p.is(q) => Verdict::Match,
            Some(_) => {
                Verdict::Mismatch(format!("{what} принадлежит другому человеку или ФИО и дата рождения не совпадают"))
            }
        }
    }
}

#[async_trait]
impl TaxRegistry for EmulatedRegistries {
    async fn verify_inn(&self, person: &PersonQuery, inn: &str) -> RegistryResult {
        Self::up(&self.fns_up, "ФНС")?;
        let inn = digits(inn);
        Ok(self.owned_by(person, |p| p.inn == inn, "ИНН"))
    }

    async fn verify_legal_entity(&self, ogrn: &str, inn: &str, kpp: &str) -> RegistryResult {
        Self::up(&self.fns_up, "ФНС")?;
        let (ogrn, inn, kpp) = (digits(ogrn), digits(inn), kpp.trim().to_uppercase());
        let (_, org_inn, org_ogrn, org_kpp) = ORGANISATION;
        Ok(if ogrn == org_ogrn {
            if inn == org_inn && kpp == org_kpp {
                Verdict::Match
            } else {
                Verdict::Mismatch("ИНН или КПП не совпадают с записью ЕГРЮЛ для этого ОГРН".into())
            }
        } else if ogrn == LIQUIDATED_ORG.0 {
            Verdict::Invalid("организация ликвидирована (запись ЕГРЮЛ о прекращении деятельности)".into())
        } else {
            Verdict::NotFound
        })
    }

    async fn find_business(
        &self,
        inn: Option<&str>,
        ogrn: Option<&str>,
    ) -> Result<Option<super::Business>, Unavailable> {
        Self::up(&self.fns_up, "ФНС")?;
        let (inn, ogrn) = (inn.map(digits), ogrn.map(digits));
        let is = |i: &str, o: &str| inn.as_deref() == Some(i) || ogrn.as_deref() == Some(o);
        let (name, org_inn, org_ogrn, _) = ORGANISATION;
        if is(org_inn, org_ogrn) {
            return Ok(Some(super::Business {
                inn: org_inn.into(),
                ogrn: org_ogrn.into(),
                name: name.into(),
                active: true,
            }));
        }
        if is(LIQUIDATED_ORG.1, LIQUIDATED_ORG.0) {
            return Ok(Some(super::Business {
                inn: LIQUIDATED_ORG.1.into(),
                ogrn: LIQUIDATED_ORG.0.into(),
                name: "ООО «Ликвидировано»".into(),
                active: false,
            }));
        }
        Ok(self.people.iter().find(|p| !p.ogrnip.is_empty() && is(p.inn, p.ogrnip)).map(|p| super::Business {
            inn: p.inn.into(),
            ogrn: p.ogrnip.into(),
            name: format!(
                "ИП {} {}. {}.",
                p.name[0],
                p.name[1].chars().next().unwrap_or(' '),
                p.name[2].chars().next().unwrap_or(' ')
            ),
            active: true,
        }))
    }

    async fn verify_sole_proprietor(&self, person: &PersonQuery, ogrnip: &str, inn: &str) -> RegistryResult {
        Self::up(&self.fns_up, "ФНС")?;
        let (ogrnip, inn) = (digits(ogrnip), digits(inn));
        Ok(match self.people.iter().find(|p| !p.ogrnip.is_empty() && p.ogrnip == ogrnip) {
            None => Verdict::NotFound,
            Some(p) if p.is(person) && p.inn == inn => Verdict::Match,
            Some(_) => Verdict::Mismatch("ОГРНИП зарегистрирован на другого человека или с другим ИНН".into()),
        })
    }
}

#[async_trait]
impl PensionRegistry for EmulatedRegistries {
    async fn verify_snils(&self, person: &PersonQuery, snils: &str) -> RegistryResult {
        Self::up(&self.sfr_up, "СФР")?;
        let snils = digits(snils);
        Ok(self.owned_by(person, |p| p.snils == snils, "СНИЛС"))
    }
}

#[async_trait]
impl PassportRegistry for EmulatedRegistries {
    async fn verify_passport(&self, person: &PersonQuery, series: &str, number: &str) -> RegistryResult {
        Self::up(&self.mvd_up, "МВД")?;
        let key = format!("{}{}", digits(series), digits(number));
        if key == format!("{}{}", LOST_PASSPORT.0, LOST_PASSPORT.1) {
            return Ok(Verdict::Invalid("паспорт недействителен: утрачен".into()));
        }
        Ok(self.owned_by(person, |p| p.passport == key, "Паспорт"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ivanov() -> PersonQuery {
        PersonQuery {
            last_name: "иванов ".into(),
            first_name: "Иван".into(),
            middle_name: "Иванович".into(),
            birth_date: "05.03.1987".into(),
        }
    }

    #[tokio::test]
    async fn the_demo_people_match_and_the_made_up_failures_fail() {
        let r = EmulatedRegistries::new();
        let q = ivanov();
        assert_eq!(r.verify_snils(&q, "123-456-789 64").await, Ok(Verdict::Match));
        assert_eq!(r.verify_inn(&q, "770123456703").await, Ok(Verdict::Match));
        assert_eq!(r.verify_passport(&q, "4510", "000001").await, Ok(Verdict::Match));
        assert!(matches!(r.verify_inn(&q, "770345678922").await, Ok(Verdict::Mismatch(_))), "Сидоров's ИНН");
        assert!(matches!(r.verify_passport(&q, "4510", "999999").await, Ok(Verdict::Invalid(_))));
        assert_eq!(r.verify_snils(&q, "112-233-445 95").await, Ok(Verdict::NotFound));
        assert_eq!(r.verify_legal_entity("1027700000019", "7701000019", "770101001").await, Ok(Verdict::Match));
        assert!(matches!(
            r.verify_legal_entity("1027700000019", "7702000029", "770101001").await,
            Ok(Verdict::Mismatch(_))
        ));
        assert!(matches!(
            r.verify_legal_entity(LIQUIDATED_ORG.0, LIQUIDATED_ORG.1, LIQUIDATED_ORG.2).await,
            Ok(Verdict::Invalid(_))
        ));
        let ip = PersonQuery {
            last_name: "Васильев".into(),
            first_name: "Дмитрий".into(),
            middle_name: "Олегович".into(),
            birth_date: "14.08.1983".into(),
        };
        assert_eq!(r.verify_sole_proprietor(&ip, "304770100000016", "770678901214").await, Ok(Verdict::Match));
        assert!(matches!(
            r.verify_sole_proprietor(&q, "304770100000016", "770123456703").await,
            Ok(Verdict::Mismatch(_))
        ));
    }

    #[tokio::test]
    async fn a_registry_switched_off_is_unavailable_until_switched_on() {
        let r = EmulatedRegistries::new();
        r.set_available("МВД", false);
        let e = r.verify_passport(&ivanov(), "4510", "000001").await.unwrap_err();
        assert_eq!(e.registry, "МВД");
        assert_eq!(r.verify_snils(&ivanov(), "12345678964").await, Ok(Verdict::Match), "the others still answer");
        r.set_available("МВД", true);
        assert_eq!(r.verify_passport(&ivanov(), "4510", "000001").await, Ok(Verdict::Match));
    }

    #[tokio::test]
    async fn businesses_are_found_by_inn_or_ogrn() {
        let r = EmulatedRegistries::new();
        let org = r.find_business(Some(ORGANISATION.1), None).await.unwrap().unwrap();
        assert_eq!((org.ogrn.as_str(), org.name.as_str(), org.active), (ORGANISATION.2, ORGANISATION.0, true));
        assert_eq!(r.find_business(None, Some(ORGANISATION.2)).await.unwrap(), Some(org));
        let ip = r.find_business(None, Some("304770100000016")).await.unwrap().unwrap();
        assert_eq!((ip.inn.as_str(), ip.name.as_str()), ("770678901214", "ИП Васильев Д. О."));
        assert!(!r.find_business(Some(LIQUIDATED_ORG.1), None).await.unwrap().unwrap().active);
        assert_eq!(r.find_business(Some("7707083893"), None).await.unwrap(), None);
        r.set_available("ФНС", false);
        assert!(r.find_business(Some(ORGANISATION.1), None).await.is_err());
    }
}
