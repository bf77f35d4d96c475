//! The emulator's records for справки (`crate::spravka::records::Records`): every demo person
//! has income, a pension account, an ОМС policy and the rest, made up but consistent — the
//! same person and period always give the same figures. Made to fail: Сидоров has no income
//! reported (a справка about it ends in `registry_no_data`), anyone outside the demo set is
//! unknown to every registry, and each registry can be switched off (`set_available`) to try
//! an outage. Сидоров also owes a tax and has an enforcement proceeding; Иванов has given
//! Петрова a power of attorney; Петрова receives a benefit.

use super::{EmulatedRegistries, Person};
use crate::registry::Unavailable;
use crate::spravka::records::{Extract, Holder, Records, rubles};
use async_trait::async_trait;
use time::{Date, Month};

const MONTHS: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];

/// A number made from the person's identifier and a salt: stable figures per person.
fn seed(p: &Person, salt: u64) -> u64 {
    p.snils
        .bytes()
        .chain(p.inn.bytes())
        .fold(salt.wrapping_mul(0x9e37_79b9_7f4a_7c15), |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn cols(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

use crate::ident::ru_date as day;

impl EmulatedRegistries {
    fn person(&self, h: &Holder) -> Option<&Person> {
        let digits = |s: &Option<String>| s.as_deref().map(super::digits).unwrap_or_default();
        let (snils, inn) = (digits(&h.snils), digits(&h.inn));
        self.people.iter().find(|p| {
            super::same_name(p.name[0], &h.last_name)
                && ((!snils.is_empty() && p.snils == snils) || (!inn.is_empty() && p.inn == inn))
        })
    }

    fn income(p: &Person, (from, to): (Date, Date)) -> Option<Extract> {
        if p.name[0] == "Сидоров" {
            return None;
        }
        let monthly = 6_000_000 + i64::try_from(seed(p, 1) % 9_000_000).unwrap_or(0);
        let mut rows = Vec::new();
        let (mut total, mut tax) = (0_i64, 0_i64);
        let (mut y, mut m) = (from.year(), from.month());
        while (y, u8::from(m)) <= (to.year(), u8::from(to.month())) {
            // A bonus in December, as payrolls have.
            let amount = if m == Month::December { monthly * 2 } else { monthly };
            let t = amount * 13 / 100;
            total += amount;
            tax += t;
            rows.push(vec![
                format!("{} {y}", MONTHS[usize::from(u8::from(m)) - 1]),
                "2000".to_owned(),
                rubles(amount),
                rubles(t),
            ]);
            if m == Month::December {
                y += 1;
            }
            m = m.next();
        }
        Some(Extract {
            statement: format!(
                "Доходы, полученные от налогового агента ООО «Ромашка» (ИНН 7701000019), за период с {} по {}.",
                day(from),
                day(to)
            ),
            columns: cols(&["Месяц", "Код дохода", "Сумма дохода, ₽", "Налог удержан, ₽"]),
            rows,
            totals: vec![
                ("Общая сумма дохода, ₽".into(), rubles(total)),
                ("Сумма налога удержанная, ₽".into(), rubles(tax)),
            ],
        })
    }

    fn pension(p: &Person) -> Extract {
        let base = 2_000_000 + i64::try_from(seed(p, 2) % 1_500_000).unwrap_or(0);
        let mut rows = Vec::new();
        let (mut total, mut coefficient) = (0_i64, 0_i64);
        for (i, year) in (2019..=2025).enumerate() {
            let paid = base + base * i64::try_from(i).unwrap_or(0) / 10;
            total += paid;
            // ИПК in hundredths: a year's contributions against the year's maximum.
            let k = (paid * 1000 / 28_000_000).min(1000);
            coefficient += k;
            rows.push(vec![year.to_string(), rubles(paid), "12 мес.".into(), format!("{},{:02}", k / 100, k % 100)]);
        }
        Extract {
            statement: "Сведения индивидуального (персонифицированного) учёта застрахованного лица.".into(),
            columns: cols(&["Год", "Страховые взносы, ₽", "Стаж", "ИПК за год"]),
            rows,
            totals: vec![
                ("Всего страховых взносов, ₽".into(), rubles(total)),
                (
                    "Индивидуальный пенсионный коэффициент".into(),
                    format!("{},{:02}", coefficient / 100, coefficient % 100),
                ),
            ],
        }
    }

    fn arrears(p: &Person) -> Extract {
        if p.name[0] == "Сидоров" {
            return Extract {
                statement: "Имеется неисполненная обязанность по уплате налогов, сборов, страховых взносов, пеней, штрафов, процентов.".into(),
                columns: cols(&["Налог", "КБК", "Недоимка, ₽", "Пени, ₽"]),
                rows: vec![vec![
                    "Транспортный налог с физических лиц".into(),
                    "18210604012021000110".into(),
                    rubles(450_000),
                    rubles(3_712),
                ]],
                totals: vec![("Итого задолженность, ₽".into(), rubles(453_712))],
            };
        }
        Extract {
            statement: "Неисполненной обязанности по уплате налогов, сборов, страховых взносов, пеней, штрафов, процентов не имеется.".into(),
            ..Extract::default()
        }
    }

    fn support(p: &Person, (from, to): (Date, Date)) -> Extract {
        let mut rows = Vec::new();
        if p.name[0] == "Петрова" {
            rows.push(vec![
                "Единое пособие в связи с рождением и воспитанием ребёнка".into(),
                "Социальный фонд России".into(),
                format!("{} — {}", day(from), day(to)),
                rubles(1_465_000),
            ]);
        }
        let statement = if rows.is_empty() {
            format!("Меры социальной защиты (поддержки) за период с {} по {} не назначались.", day(from), day(to))
        } else {
            format!("Назначенные меры социальной защиты (поддержки) за период с {} по {}.", day(from), day(to))
        };
        Extract {
            statement,
            columns: cols(&["Мера поддержки", "Кто назначил", "Период", "Сумма в месяц, ₽"]),
            rows,
            totals: vec![],
        }
    }

    fn policy(p: &Person) -> Extract {
        let number = format!("77{:014}", seed(p, 3) % 100_000_000_000_000);
        Extract {
            statement: "Застрахованное лицо состоит на учёте в едином регистре застрахованных лиц.".into(),
            columns: cols(&["Номер полиса", "Страховая медицинская организация", "Действует с", "Статус"]),
            rows: vec![vec![number, "АО «СОГАЗ-Мед»".into(), "01.01.2021".into(), "действует".into()]],
            totals: vec![],
        }
    }

    fn proceedings(p: &Person) -> Extract {
        if p.name[0] == "Сидоров" {
            return Extract {
                statement: "В отношении вас возбуждены исполнительные производства.".into(),
                columns: cols(&["Номер производства", "Дата", "Предмет исполнения", "Остаток долга, ₽", "Отдел"]),
                rows: vec![vec![
                    "12345/25/77001-ИП".into(),
                    "14.03.2025".into(),
                    "Задолженность по кредитным платежам".into(),
                    rubles(8_734_550),
                    "ОСП по Центральному АО № 1 ГУФССП России по г. Москве".into(),
                ]],
                totals: vec![("Общая сумма задолженности, ₽".into(), rubles(8_734_550))],
            };
        }
        Extract {
            statement: "Исполнительных производств в отношении вас не возбуждено.".into(), ..Extract::default()
        }
    }

    fn powers(p: &Person) -> Extract {
        if p.name[0] == "Иванов" {
            return Extract {
                statement: "Доверенности в реестре, в которых вы — доверитель или представитель.".into(),
                columns: cols(&["Номер", "Доверитель", "Представитель", "Полномочия", "Действует до"]),
                rows: vec![vec![
                    "77/100-н/77-2025-1-123".into(),
                    "Иванов Иван Иванович".into(),
                    "Петрова Анна Сергеевна".into(),
                    "Получение справок и выписок, подача заявлений".into(),
                    "31.12.2027".into(),
                ]],
                totals: vec![],
            };
        }
        Extract {
            statement: "Действующих доверенностей, в которых вы доверитель или представитель, нет.".into(),
            ..Extract::default()
        }
    }
}

impl EmulatedRegistries {
    /// What the registries say of an organisation: the demo one (ООО «Ромашка») pays its
    /// taxes and owes nothing to bailiffs; no other is known, and no registry of personal
    /// records (income, pension, ОМС) answers for an organisation.
    fn organisation(registry: &str, org: &crate::spravka::OrgHolder) -> Option<Extract> {
        if org.inn != crate::demo::ORGANISATION.1 {
            return None;
        }
        let statement = match registry {
            "fns.arrears" => {
                "У организации нет неисполненной обязанности по уплате налогов, сборов, страховых взносов, пеней, штрафов, процентов."
            }
            "fssp.proceedings" => "Исполнительных производств в отношении организации не возбуждено.",
            _ => return None,
        };
        Some(Extract { statement: statement.into(), ..Extract::default() })
    }
}

#[async_trait]
impl Records for EmulatedRegistries {
    async fn read(
        &self,
        registry: &str,
        holder: &Holder,
        period: Option<(Date, Date)>,
    ) -> Result<Option<Extract>, Unavailable> {
        let (flag, name) = match registry.split('.').next() {
            Some("fns") => (&self.fns_up, "ФНС"),
            Some("sfr") => (&self.sfr_up, "СФР"),
            Some("foms") => (&self.foms_up, "ФОМС"),
            Some("fssp") => (&self.fssp_up, "ФССП"),
            Some("fnp") => (&self.fnp_up, "ФНП"),
            _ => return Ok(None),
        };
        Self::up(flag, name)?;
        if let Some(org) = &holder.org {
            return Ok(Self::organisation(registry, org));
        }
        let Some(p) = self.person(holder) else { return Ok(None) };
        let whole_year = || {
            let y = time::OffsetDateTime::now_utc().year() - 1;
            (Date::from_calendar_date(y, Month::January, 1), Date::from_calendar_date(y, Month::December, 31))
        };
        let period = match period {
            Some(p) => p,
            None => match whole_year() {
                (Ok(a), Ok(b)) => (a, b),
                _ => return Ok(None),
            },
        };
        Ok(match registry {
            "fns.income" => Self::income(p, period),
            "sfr.account" => Some(Self::pension(p)),
            "fns.arrears" => Some(Self::arrears(p)),
            "sfr.support" => Some(Self::support(p, period)),
            "foms.policy" => Some(Self::policy(p)),
            "fssp.proceedings" => Some(Self::proceedings(p)),
            "fnp.powers" => Some(Self::powers(p)),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn holder(last: &str, inn: &str) -> Holder {
        Holder {
            last_name: last.into(),
            first_name: String::new(),
            middle_name: String::new(),
            birth_date: String::new(),
            snils: None,
            inn: Some(inn.into()),
            org: None,
        }
    }

    #[tokio::test]
    async fn the_demo_organisation_is_known_to_the_tax_service_and_bailiffs_only() {
        let r = EmulatedRegistries::new();
        let (name, inn, ogrn, kpp) = crate::demo::ORGANISATION;
        let org = crate::spravka::OrgHolder {
            full_name: name.into(),
            short_name: name.into(),
            inn: inn.into(),
            ogrn: ogrn.into(),
            kpp: Some(kpp.into()),
        };
        // Asked by its head, Сидоров, who himself owes a tax: the organisation does not.
        let head = Holder { org: Some(org.clone()), ..holder("Сидоров", "770345678922") };
        let tax = r.read("fns.arrears", &head, None).await.unwrap().unwrap();
        assert!(tax.statement.starts_with("У организации нет"), "{}", tax.statement);
        assert!(r.read("fssp.proceedings", &head, None).await.unwrap().is_some());
        assert_eq!(r.read("foms.policy", &head, None).await, Ok(None), "no personal record of an organisation");
        let stranger = Holder { org: Some(crate::spravka::OrgHolder { inn: "7707329152".into(), ..org }), ..head };
        assert_eq!(r.read("fns.arrears", &stranger, None).await, Ok(None));
    }

    #[tokio::test]
    async fn every_registry_answers_for_a_demo_person_the_same_each_time() {
        let r = EmulatedRegistries::new();
        let ivanov = holder("Иванов", "770123456703");
        for reg in crate::spravka::records::REGISTRIES.iter().filter(|r| !r.starts_with("sep.")) {
            let a = r.read(reg, &ivanov, Some((date!(2025 - 01 - 01), date!(2025 - 12 - 31)))).await.unwrap();
            let b = r.read(reg, &ivanov, Some((date!(2025 - 01 - 01), date!(2025 - 12 - 31)))).await.unwrap();
            assert!(a.is_some(), "{reg}");
            assert_eq!(a, b, "{reg}");
        }
        let income = r.read("fns.income", &ivanov, Some((date!(2025 - 11 - 15), date!(2026 - 02 - 01)))).await;
        let income = income.unwrap().unwrap();
        let months: Vec<_> = income.rows.iter().map(|r| r[0].clone()).collect();
        assert_eq!(months, ["ноябрь 2025", "декабрь 2025", "январь 2026", "февраль 2026"]);
    }

    #[tokio::test]
    async fn the_made_up_failures_fail() {
        let r = EmulatedRegistries::new();
        let sidorov = holder("Сидоров", "770345678922");
        let period = Some((date!(2025 - 01 - 01), date!(2025 - 03 - 31)));
        assert_eq!(r.read("fns.income", &sidorov, period).await, Ok(None), "no income reported");
        assert_eq!(r.read("fns.income", &holder("Чужой", "770123456703"), period).await, Ok(None), "not the owner");
        r.set_available("ФССП", false);
        let e = r.read("fssp.proceedings", &holder("Сидоров", "770345678922"), None).await.unwrap_err();
        assert_eq!(e.registry, "ФССП");
        let sidorov = r.read("fns.arrears", &holder("Сидоров", "770345678922"), None).await.unwrap().unwrap();
        assert!(sidorov.statement.starts_with("Имеется"));
    }
}
