//! The personal account's report of operations for a period (seed 003: «Формирование отчётов
//! за выбранный период … (PDF, XLS)»): the same lines as the page, laid out once here for both
//! formats — a [`Sheet`] for the PDF renderer (without a check link: a report is not a signed
//! document) and [`Line`]s with amounts in kopecks for a spreadsheet. Printed in Russian, like
//! the справки, whatever the reader's language.

use super::account::{Account, OpKind};
use crate::money::Kopecks;
use crate::spravka::records::{Extract, rubles};
use crate::spravka::sheet::Sheet;
use crate::user::User;
use time::{Date, OffsetDateTime};

/// The report's title.
pub const TITLE: &str = "Отчёт об операциях по лицевому счёту";

/// Column headings.
pub const COLUMNS: [&str; 5] = ["Дата, МСК", "Операция", "Сумма, ₽", "Изменение баланса, ₽", "Статус"];

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// When, Moscow time, `ДД.ММ.ГГГГ ЧЧ:ММ`.
    pub at: String,
    /// What («Оплата начисления: …»).
    pub text: String,
    /// How much.
    pub amount: Kopecks,
    /// How it changed the balance (0 for a payment).
    pub effect: Kopecks,
    /// Its status.
    pub status: &'static str,
}

/// The lines of `a` (already filtered to the period).
pub fn lines(a: &Account) -> Vec<Line> {
    a.operations
        .iter()
        .map(|o| Line {
            at: crate::clock::moscow_time(o.at, false),
            text: format!("{}: {}", o.kind.title(), o.title),
            amount: o.amount,
            effect: o.effect,
            status: o.status,
        })
        .collect()
}

/// The totals under the table: label and amount.
pub fn totals(a: &Account) -> Vec<(&'static str, Kopecks)> {
    let paid = a.operations.iter().filter(|o| o.kind == OpKind::Payment).map(|o| o.amount.0).sum();
    vec![
        ("Оплачено начислений за период", Kopecks(paid)),
        ("Изменение баланса за период", Kopecks(a.operations.iter().map(|o| o.effect.0).sum())),
        ("Баланс на дату отчёта", a.balance),
    ]
}

/// «с ДД.ММ.ГГГГ по ДД.ММ.ГГГГ».
pub fn period((from, to): (Date, Date)) -> String {
    format!("с {} по {}", crate::ident::ru_date(from), crate::ident::ru_date(to))
}

/// The report of `user`'s account `a` for `period`, made at `now`, laid out for the renderer.
pub fn sheet(user: &User, a: &Account, span: (Date, Date), now: OffsetDateTime) -> Sheet {
    let mut holder = vec![("Ф. И. О.".to_owned(), user.profile.full_name())];
    if let Some(inn) = &user.profile.inn {
        holder.push(("ИНН".into(), inn.as_str().to_owned()));
    }
    let statement = if a.operations.is_empty() {
        "Операций за период нет.".to_owned()
    } else {
        format!("Операций за период: {}.", a.operations.len())
    };
    let day = crate::clock::moscow_day(now);
    Sheet {
        agency: "Система электронных процедур (СЭП)".into(),
        title: TITLE.into(),
        number: format!("ЛС-{}", day.to_string().replace('-', "")),
        issued_on: crate::ident::ru_date(day),
        valid_until: String::new(),
        holder,
        period: Some(period(span)),
        purpose: "для личного учёта".into(),
        extract: Extract {
            statement,
            columns: COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
            rows: lines(a)
                .into_iter()
                .map(|l| {
                    let effect = if l.effect.0 == 0 { String::new() } else { rubles(l.effect.0) };
                    vec![l.at, l.text, rubles(l.amount.0), effect, l.status.to_owned()]
                })
                .collect(),
            totals: totals(a).into_iter().map(|(k, v)| (k.to_owned(), v.to_string())).collect(),
        },
        check_url: String::new(),
        reference: ("Сформирован".into(), crate::clock::moscow_time(now, false)),
        photo: None,
    }
}
