//! «Начисления и платежи» (SPEC P1, P2): the person's charges from ГИС ГМП with filters and the
//! total unpaid, each with its requisites and the ГОСТ Р 56042-2014 payment QR, and «Оплата по
//! УИН» without login. The rules are `sep_core::payment`.

pub(crate) mod account;
pub(crate) mod charges;
pub(crate) mod paying;
mod report;
pub(crate) mod uin;

use crate::i18n::tr;
use crate::ui::components::ru_date;
use sep_core::payment::{Charge, ChargeStatus, qr};
use time::Date;

/// A charge as a row or a card shows it.
pub(crate) struct ChargeView {
    uin: String,
    title: String,
    kind: &'static str,
    date: String,
    due: String,
    amount: String,
    /// What is to be paid now (with the discount), and what remains.
    to_pay: String,
    /// «Скидка 50 % до ДД.ММ.ГГГГ», empty without a live discount.
    discount: String,
    status: &'static str,
    code: &'static str,
    tone: &'static str,
    payable: bool,
    purpose: String,
    kbk: String,
    oktmo: String,
    payee: Vec<(&'static str, String)>,
    /// The payment string of the QR.
    payment: String,
    /// The QR as inline SVG markup (made here, not from input).
    qr_svg: String,
    payer_inn: String,
    /// The organisation whose charge it is, empty for the person's own.
    org: String,
}

fn tone(s: ChargeStatus) -> &'static str {
    match s {
        ChargeStatus::Paid => "green",
        ChargeStatus::PartlyPaid => "blue",
        ChargeStatus::Unpaid => "grey",
        ChargeStatus::Overdue => "red",
    }
}

impl ChargeView {
    pub(crate) fn of(c: &Charge, today: Date) -> Self {
        let status = c.status(today);
        let remaining = c.remaining(today);
        let discount = match (c.discount, c.discount_until()) {
            (Some(d), Some(until)) if today <= until && status != ChargeStatus::Paid => {
                format!("{} {} % {} {}", tr("Скидка"), d.percent, tr("до"), ru_date(Some(until)))
            }
            _ => String::new(),
        };
        let payment = qr::payment_string(c, remaining);
        let payable = remaining.0 > 0;
        let p = &c.payee;
        Self {
            uin: c.uin.to_string(),
            title: c.title.clone(),
            kind: tr(c.kind.title()),
            date: ru_date(Some(c.date)),
            due: ru_date(Some(c.due)),
            amount: c.amount.to_string(),
            to_pay: remaining.to_string(),
            discount,
            status: tr(status.title()),
            code: status.code(),
            tone: tone(status),
            payable,
            purpose: c.purpose.clone(),
            kbk: c.kbk.clone(),
            oktmo: c.oktmo.clone(),
            payee: vec![
                ("Получатель", p.name.clone()),
                ("ИНН получателя", p.inn.clone()),
                ("КПП получателя", p.kpp.clone()),
                ("Счёт получателя", p.account.clone()),
                ("Банк получателя", p.bank.clone()),
                ("БИК", p.bic.clone()),
                ("Корреспондентский счёт", p.corr_account.clone()),
            ],
            payment,
            qr_svg: String::new(),
            payer_inn: c.payer_inn.clone(),
            org: String::new(),
        }
    }

    /// The same naming the organisation it is charged to, when it is one of `payers`'.
    pub(crate) fn payer(mut self, payers: &[sep_core::payment::Payer]) -> Self {
        self.org = payers.iter().find(|p| p.inn == self.payer_inn).and_then(|p| p.org.clone()).unwrap_or_default();
        self
    }

    /// The same with its payment QR drawn (for a charge's own page; a list has no QR).
    pub(crate) fn with_qr(mut self) -> Self {
        if self.payable {
            self.qr_svg =
                sep_pdf::qr::svg(&self.payment, tr("QR-код для оплаты в приложении банка")).unwrap_or_default();
        }
        self
    }
}
