//! A charge as ГИС ГМП keeps it (SPEC P1): УИН, КБК, ОКТМО, the payee's requisites, purpose,
//! amount in kopecks, dates and status; a traffic fine's discount as a dated rule.

use super::uin::Uin;
use crate::money::Kopecks;
use time::{Date, Duration};

/// What a charge is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChargeKind {
    /// A tax (property, transport, land).
    Tax,
    /// A fine (ГИБДД).
    Fine,
    /// A state fee of a service.
    Fee,
    /// A utility bill.
    Utility,
}

impl ChargeKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [Self::Tax, Self::Fine, Self::Fee, Self::Utility];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Tax => "tax",
            Self::Fine => "fine",
            Self::Fee => "fee",
            Self::Utility => "utility",
        }
    }

    /// From the code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// As people read it.
    pub const fn title(self) -> &'static str {
        match self {
            Self::Tax => "Налог",
            Self::Fine => "Штраф",
            Self::Fee => "Госпошлина",
            Self::Utility => "Коммунальные услуги",
        }
    }
}

/// Whether a charge is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChargeStatus {
    /// «Не оплачено».
    Unpaid,
    /// «Оплачено».
    Paid,
    /// «Частично оплачено».
    PartlyPaid,
    /// «Просрочено»: unpaid after its due date.
    Overdue,
}

impl ChargeStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [Self::Unpaid, Self::PartlyPaid, Self::Overdue, Self::Paid];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Unpaid => "unpaid",
            Self::Paid => "paid",
            Self::PartlyPaid => "partly_paid",
            Self::Overdue => "overdue",
        }
    }

    /// From the code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// As people read it.
    pub const fn title(self) -> &'static str {
        match self {
            Self::Unpaid => "Не оплачено",
            Self::Paid => "Оплачено",
            Self::PartlyPaid => "Частично оплачено",
            Self::Overdue => "Просрочено",
        }
    }
}

/// Whom a charge is paid to (as a service file declares it for a fee, too).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payee {
    /// Name (the treasury body and the administrator).
    pub name: String,
    /// ИНН.
    pub inn: String,
    /// КПП.
    pub kpp: String,
    /// Account (the treasury account, 20 digits).
    pub account: String,
    /// The bank's name.
    pub bank: String,
    /// БИК.
    pub bic: String,
    /// Correspondent account (the single treasury account).
    pub corr_account: String,
}

/// A discount for paying early, as a dated rule (КоАП ст. 32.2 ч. 1.3 for traffic fines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discount {
    /// Percent off.
    pub percent: u8,
    /// Days from the ruling while it applies (the ruling's day and `window_days` more).
    pub window_days: i64,
    /// The rule applies to rulings from this day.
    pub valid_from: Date,
    /// … to this day, if it ends.
    pub valid_to: Option<Date>,
}

/// A charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// УИН.
    pub uin: Uin,
    /// Kind.
    pub kind: ChargeKind,
    /// What it is («Штраф ГИБДД по постановлению № …»).
    pub title: String,
    /// КБК, 20 characters.
    pub kbk: String,
    /// ОКТМО, 8 or 11 digits.
    pub oktmo: String,
    /// The payee.
    pub payee: Payee,
    /// Purpose of payment.
    pub purpose: String,
    /// The full amount.
    pub amount: Kopecks,
    /// Paid so far.
    pub paid: Kopecks,
    /// The charge's (or ruling's) date.
    pub date: Date,
    /// Pay by.
    pub due: Date,
    /// The early-payment discount, if any.
    pub discount: Option<Discount>,
    /// The payer's ИНН (a person's or an organisation's).
    pub payer_inn: String,
}

impl Charge {
    /// Its status on `today`.
    pub fn status(&self, today: Date) -> ChargeStatus {
        if self.paid.0 >= self.due_amount(today).0 && self.paid.0 > 0 {
            ChargeStatus::Paid
        } else if today > self.due {
            ChargeStatus::Overdue
        } else if self.paid.0 > 0 {
            ChargeStatus::PartlyPaid
        } else {
            ChargeStatus::Unpaid
        }
    }

    /// Counts `amount` paid on `day`: a payment of the discounted amount within the discount's
    /// window settles the whole charge (that is what the discount means), so it stays paid when
    /// the window has passed.
    pub fn add_payment(&mut self, amount: Kopecks, day: Date) {
        let settles =
            self.discount_until().is_some_and(|until| day <= until) && self.paid.0 + amount.0 >= self.due_amount(day).0;
        self.paid =
            if settles { Kopecks(self.amount.0.max(self.paid.0 + amount.0)) } else { Kopecks(self.paid.0 + amount.0) };
    }

    /// The last day the discount applies, if it does for this charge.
    pub fn discount_until(&self) -> Option<Date> {
        let d = self.discount?;
        let applies = self.date >= d.valid_from && d.valid_to.is_none_or(|to| self.date <= to);
        applies.then(|| self.date + Duration::days(d.window_days))
    }

    /// What is to be paid on `today`: the amount, less the discount while it lasts.
    pub fn due_amount(&self, today: Date) -> Kopecks {
        match (self.discount, self.discount_until()) {
            (Some(d), Some(until)) if today <= until => {
                Kopecks(self.amount.0 - self.amount.0 * i64::from(d.percent) / 100)
            }
            _ => self.amount,
        }
    }

    /// What remains to be paid on `today`.
    pub fn remaining(&self, today: Date) -> Kopecks {
        Kopecks((self.due_amount(today).0 - self.paid.0).max(0))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::macros::date;

    pub(crate) fn fine() -> Charge {
        Charge {
            uin: Uin::complete("1881017723000012345").unwrap(),
            kind: ChargeKind::Fine,
            title: "Штраф ГИБДД".into(),
            kbk: "18811601123010001140".into(),
            oktmo: "45380000".into(),
            payee: Payee {
                name: "УФК по г. Москве (ГУ МВД России по г. Москве)".into(),
                inn: "7707089101".into(),
                kpp: "770731005".into(),
                account: "03100643000000017300".into(),
                bank: "ГУ Банка России по ЦФО//УФК по г. Москве".into(),
                bic: "004525988".into(),
                corr_account: "40102810545370000003".into(),
            },
            purpose: "Штраф по постановлению".into(),
            amount: Kopecks(50_000),
            paid: Kopecks(0),
            date: date!(2026 - 11 - 20),
            due: date!(2027 - 01 - 31),
            discount: Some(Discount {
                percent: 50,
                window_days: 20,
                valid_from: date!(2014 - 01 - 01),
                valid_to: None,
            }),
            payer_inn: "770123456703".into(),
        }
    }

    #[test]
    fn a_fine_is_half_within_twenty_days_of_the_ruling() {
        let f = fine();
        assert_eq!(f.discount_until(), Some(date!(2026 - 12 - 10)));
        assert_eq!(f.due_amount(date!(2026 - 12 - 10)), Kopecks(25_000));
        assert_eq!(f.due_amount(date!(2026 - 12 - 11)), Kopecks(50_000));
        let old_rule = Charge {
            discount: Some(Discount { valid_to: Some(date!(2020 - 01 - 01)), ..f.discount.unwrap() }),
            ..f.clone()
        };
        assert_eq!(old_rule.due_amount(date!(2026 - 11 - 21)), Kopecks(50_000), "a rule that ended does not apply");
    }

    #[test]
    fn status_follows_payments_and_the_due_date() {
        let mut f = fine();
        assert_eq!(f.status(date!(2026 - 12 - 01)), ChargeStatus::Unpaid);
        assert_eq!(f.status(date!(2027 - 02 - 01)), ChargeStatus::Overdue);
        f.paid = Kopecks(10_000);
        assert_eq!(f.status(date!(2026 - 12 - 01)), ChargeStatus::PartlyPaid);
        f.paid = Kopecks(25_000);
        assert_eq!(f.status(date!(2026 - 12 - 01)), ChargeStatus::Paid, "the discounted amount paid in time");
        assert_eq!(f.remaining(date!(2026 - 12 - 01)), Kopecks(0));
        f.paid = Kopecks(10_000);
        assert_eq!(f.status(date!(2027 - 02 - 01)), ChargeStatus::Overdue, "partly paid past the due date is overdue");
    }

    #[test]
    fn a_fine_paid_at_the_discount_stays_paid_after_the_window() {
        let mut f = fine();
        f.add_payment(Kopecks(25_000), date!(2026 - 12 - 10));
        assert_eq!(f.status(date!(2026 - 12 - 20)), ChargeStatus::Paid);
        assert_eq!(f.remaining(date!(2026 - 12 - 20)), Kopecks(0));
        let mut late = fine();
        late.add_payment(Kopecks(25_000), date!(2026 - 12 - 11));
        assert_eq!(late.status(date!(2026 - 12 - 20)), ChargeStatus::PartlyPaid, "half paid after the window is half");
        assert_eq!(late.remaining(date!(2026 - 12 - 20)), Kopecks(25_000));
    }
}
