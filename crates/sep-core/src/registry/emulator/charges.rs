//! The emulator's ГИС ГМП (`crate::payment::ChargeRegistry`): charges for the demo people and
//! ООО «Ромашка», dated from today so a fine's 50 % discount is live in every demo. Иванов has a
//! transport tax, a traffic fine within its discount window, a property tax already paid and a
//! utility bill; Сидоров an overdue land tax and a fine past its discount; Петрова a state fee;
//! Васильев (ИП) a tax partly paid; ООО «Ромашка» a tax of its own. Иванов also has an
//! overpayment of 1 250,00 ₽ on his personal account; the treasury returns refunds except to an
//! account ending in 00000 (closed). Charges the portal issues (state fees) are kept in memory
//! as placed; the portal places them again at start. Switched off with
//! `set_available("ГИС ГМП", false)`.

use super::{EmulatedRegistries, Person};
use crate::money::Kopecks;
use crate::payment::account::{Overpayment, Refund, Treasury};
use crate::payment::{Charge, ChargeKind, ChargeRegistry, Discount, Payee, Uin};
use crate::registry::Unavailable;
use async_trait::async_trait;
use time::{Date, Duration};

fn treasury(name: &str, inn: &str, kpp: &str, account: &str) -> Payee {
    Payee {
        name: name.into(),
        inn: inn.into(),
        kpp: kpp.into(),
        account: account.into(),
        bank: "ГУ Банка России по ЦФО//УФК по г. Москве".into(),
        bic: "004525988".into(),
        corr_account: "40102810545370000003".into(),
    }
}

fn fns() -> Payee {
    treasury("Казначейство России (ФНС России)", "7727406020", "770801001", "03100643000000018500")
}

fn gibdd() -> Payee {
    treasury("УФК по г. Москве (ГУ МВД России по г. Москве)", "7707089101", "770731005", "03100643000000017300")
}

/// A УИН: the administrator's code, "0", a 15-digit number, the check digit.
fn uin(admin: &str, n: u64) -> Option<Uin> {
    Uin::complete(&format!("{admin}0{n:015}"))
}

#[allow(clippy::too_many_arguments, reason = "a charge is its fields")]
fn charge(
    uin: Uin,
    kind: ChargeKind,
    title: &str,
    kbk: &str,
    payee: Payee,
    amount: i64,
    paid: i64,
    (date, due): (Date, Date),
    payer: &str,
) -> Charge {
    // КоАП ст. 32.2 ч. 1.3: half of a traffic fine within 20 days of the ruling, since 2014.
    let discount = (kind == ChargeKind::Fine).then_some(Discount {
        percent: 50,
        window_days: 20,
        valid_from: time::macros::date!(2014 - 01 - 01),
        valid_to: None,
    });
    Charge {
        purpose: format!("{title}. УИН {uin}"),
        uin,
        kind,
        title: title.into(),
        kbk: kbk.into(),
        oktmo: "45380000".into(),
        payee,
        amount: Kopecks(amount),
        paid: Kopecks(paid),
        date,
        due,
        discount,
        payer_inn: payer.into(),
    }
}

impl EmulatedRegistries {
    fn charges_for(&self, person: usize, p: &Person, today: Date) -> Vec<Charge> {
        let n = |i: u64| 1_000_000 + (person as u64) * 100 + i;
        let d = |days: i64| today - Duration::days(days);
        let f = |days: i64| today + Duration::days(days);
        let mut out = Vec::new();
        let mut push = |c: Option<Charge>| out.extend(c);
        match p.name[0] {
            "Иванов" => {
                push(uin("182", n(1)).map(|u| {
                    charge(
                        u,
                        ChargeKind::Tax,
                        "Транспортный налог за 2025 год",
                        "18210604012021000110",
                        fns(),
                        1_250_000,
                        0,
                        (d(40), f(30)),
                        p.inn,
                    )
                }));
                push(uin("188", n(2)).map(|u| {
                    charge(
                        u,
                        ChargeKind::Fine,
                        "Штраф ГИБДД по постановлению 18810177230000123456 (превышение скорости)",
                        "18811601123010001140",
                        gibdd(),
                        50_000,
                        0,
                        (d(5), f(55)),
                        p.inn,
                    )
                }));
                push(uin("182", n(3)).map(|u| {
                    charge(
                        u,
                        ChargeKind::Tax,
                        "Налог на имущество физических лиц за 2024 год",
                        "18210601020041000110",
                        fns(),
                        389_000,
                        389_000,
                        (d(400), d(370)),
                        p.inn,
                    )
                }));
                push(uin("188", n(4)).map(|u| {
                    charge(
                        u,
                        ChargeKind::Utility,
                        "Жилищно-коммунальные услуги за ноябрь",
                        "00000000000000000130",
                        treasury("ГБУ «Жилищник района Тверской»", "7710152113", "771001001", "40603810038000000009"),
                        734_512,
                        0,
                        (d(6), f(14)),
                        p.inn,
                    )
                }));
            }
            "Сидоров" => {
                push(uin("182", n(1)).map(|u| {
                    charge(
                        u,
                        ChargeKind::Tax,
                        "Земельный налог за 2024 год",
                        "18210606043031000110",
                        fns(),
                        450_000,
                        0,
                        (d(400), d(5)),
                        p.inn,
                    )
                }));
                push(uin("188", n(2)).map(|u| {
                    charge(
                        u,
                        ChargeKind::Fine,
                        "Штраф ГИБДД по постановлению 18810177230000654321 (парковка)",
                        "18811601123010001140",
                        gibdd(),
                        300_000,
                        0,
                        (d(45), f(15)),
                        p.inn,
                    )
                }));
            }
            "Петрова" => {
                push(uin("182", n(1)).map(|u| {
                    charge(
                        u,
                        ChargeKind::Fee,
                        "Государственная пошлина за выдачу паспорта",
                        "18210807100011000110",
                        fns(),
                        150_000,
                        0,
                        (d(2), f(28)),
                        p.inn,
                    )
                }));
            }
            "Васильев" => {
                push(uin("182", n(1)).map(|u| {
                    charge(
                        u,
                        ChargeKind::Tax,
                        "Налог по упрощённой системе налогообложения за 3 квартал",
                        "18210501011011000110",
                        fns(),
                        2_700_000,
                        1_000_000,
                        (d(60), f(10)),
                        p.inn,
                    )
                }));
            }
            _ => {}
        }
        out
    }

    fn organisation_charges(today: Date) -> Vec<Charge> {
        let (_, inn, _, _) = crate::demo::ORGANISATION;
        uin("182", 2_000_001)
            .map(|u| {
                charge(
                    u,
                    ChargeKind::Tax,
                    "Налог на прибыль организаций за 9 месяцев",
                    "18210101011011000110",
                    fns(),
                    12_500_000,
                    0,
                    (today - Duration::days(20), today + Duration::days(8)),
                    inn,
                )
            })
            .into_iter()
            .collect()
    }

    fn all_charges(&self, today: Date) -> Vec<Charge> {
        let mut all: Vec<Charge> =
            self.people.iter().enumerate().flat_map(|(i, p)| self.charges_for(i, p, today)).collect();
        all.extend(Self::organisation_charges(today));
        all.extend(self.imported.lock().map(|m| m.values().cloned().collect::<Vec<_>>()).unwrap_or_default());
        all
    }
}

fn poisoned<T>(_: T) -> Unavailable {
    Unavailable { registry: "ГИС ГМП", detail: "lock".into() }
}

#[async_trait]
impl ChargeRegistry for EmulatedRegistries {
    async fn import(&self, charge: &Charge) -> Result<(), Unavailable> {
        Self::up(&self.gisgmp_up, "ГИС ГМП")?;
        self.imported.lock().map_err(poisoned)?.entry(charge.uin.to_string()).or_insert_with(|| charge.clone());
        Ok(())
    }

    async fn annul(&self, uin: &Uin) -> Result<(), Unavailable> {
        Self::up(&self.gisgmp_up, "ГИС ГМП")?;
        self.imported.lock().map_err(poisoned)?.remove(uin.as_str());
        Ok(())
    }

    async fn charges_of(&self, payer_inn: &str, today: Date) -> Result<Vec<Charge>, Unavailable> {
        Self::up(&self.gisgmp_up, "ГИС ГМП")?;
        Ok(self.all_charges(today).into_iter().filter(|c| c.payer_inn == payer_inn).collect())
    }

    async fn charge(&self, uin: &Uin, today: Date) -> Result<Option<Charge>, Unavailable> {
        Self::up(&self.gisgmp_up, "ГИС ГМП")?;
        Ok(self.all_charges(today).into_iter().find(|c| &c.uin == uin))
    }

    async fn overpayments_of(&self, payer_inn: &str) -> Result<Vec<Overpayment>, Unavailable> {
        Self::up(&self.gisgmp_up, "ГИС ГМП")?;
        // Иванов's property tax was recalculated down after he had paid it.
        Ok(if payer_inn == crate::demo::PEOPLE[0].inn {
            vec![Overpayment {
                id: "ovp-770123456703-2024".into(),
                date: time::macros::date!(2025 - 12 - 01),
                amount: Kopecks(125_000),
                title: "Переплата по налогу на имущество физических лиц за 2024 год (перерасчёт)".into(),
            }]
        } else {
            vec![]
        })
    }
}

/// Made to fail: the treasury refuses a refund to an account ending in 00000 (closed).
pub const CLOSED_ACCOUNT_TAIL: &str = "00000";

#[async_trait]
impl Treasury for EmulatedRegistries {
    async fn refund(&self, r: &Refund) -> Result<Result<(), String>, Unavailable> {
        Self::up(&self.gisgmp_up, "ГИС ГМП")?;
        let mut done = self.refunds.lock().map_err(poisoned)?;
        let outcome = done.entry(r.id).or_insert_with(|| {
            if r.account.ends_with(CLOSED_ACCOUNT_TAIL) {
                Err("счёт получателя закрыт, банк вернул платёж.".into())
            } else {
                Ok(())
            }
        });
        Ok(outcome.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payment::ChargeStatus;
    use time::macros::date;

    #[tokio::test]
    async fn the_demo_people_have_charges_with_valid_uins_and_the_fine_is_discounted() {
        let r = EmulatedRegistries::new();
        let today = date!(2026 - 12 - 06);
        let ivanov = r.charges_of("770123456703", today).await.unwrap();
        assert_eq!(ivanov.len(), 4);
        for c in &ivanov {
            assert!(Uin::parse(c.uin.as_str()).is_ok(), "{}", c.uin);
            assert_eq!(c.kbk.len(), 20);
        }
        let fine = ivanov.iter().find(|c| c.kind == ChargeKind::Fine).unwrap();
        assert_eq!(fine.due_amount(today), Kopecks(25_000), "half within 20 days of the ruling");
        assert_eq!(r.charge(&fine.uin, today).await.unwrap().as_ref(), Some(fine));
        let sidorov = r.charges_of("770345678922", today).await.unwrap();
        assert!(sidorov.iter().any(|c| c.status(today) == ChargeStatus::Overdue));
        assert_eq!(r.charges_of(crate::demo::ORGANISATION.1, today).await.unwrap().len(), 1, "the organisation's");
        // A refund asked twice is sent once: the second answer is the first's.
        let refund = Refund {
            id: uuid::Uuid::now_v7(),
            user_id: crate::ids::UserId(uuid::Uuid::now_v7()),
            amount: Kopecks(100),
            bic: "044525225".into(),
            account: "40817810938160925982".into(),
            recipient: String::new(),
            status: crate::payment::account::RefundStatus::Accepted,
            reason: None,
            request_key: String::new(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            updated_at: time::OffsetDateTime::UNIX_EPOCH,
        };
        assert_eq!(r.refund(&refund).await, Ok(Ok(())));
        let closed = Refund { account: "40817810000000000000".into(), ..refund.clone() };
        assert_eq!(r.refund(&closed).await, Ok(Ok(())), "the same id: the first outcome, whatever is asked");
        let other = Refund { id: uuid::Uuid::now_v7(), ..closed };
        assert!(r.refund(&other).await.unwrap().is_err(), "a closed account");
        let mut all: Vec<_> = r.all_charges(today).into_iter().map(|c| c.uin).collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "every УИН is unique");
        // A charge the portal places is listed and found; placed twice, it is one; annulled, gone.
        let mut fee = ivanov[0].clone();
        fee.uin = Uin::complete("0710000000000000042").unwrap();
        fee.kind = ChargeKind::Fee;
        r.import(&fee).await.unwrap();
        r.import(&Charge { amount: Kopecks(1), ..fee.clone() }).await.unwrap();
        assert_eq!(r.charge(&fee.uin, today).await.unwrap(), Some(fee.clone()), "the first placing stands");
        assert_eq!(r.charges_of("770123456703", today).await.unwrap().len(), 5);
        r.annul(&fee.uin).await.unwrap();
        assert_eq!(r.charge(&fee.uin, today).await.unwrap(), None);
        r.set_available("ГИС ГМП", false);
        assert!(r.charges_of("770123456703", today).await.is_err());
        assert!(r.import(&fee).await.is_err());
    }
}
