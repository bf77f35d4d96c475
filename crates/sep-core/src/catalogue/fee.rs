//! A service's state fee (госпошлина) as its file declares it (SPEC P1, issue 16 point 7):
//! the amount — one for everyone, or by applicant type — in kopecks, the treasury requisites
//! the charge is paid to, and whether a rejected application's fee is returned.

use super::ApplicantType;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A state fee.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeDef {
    /// What the charge is called («Государственная пошлина за …»).
    pub title: String,
    /// The amount in kopecks for every applicant type not in `by_applicant`.
    #[serde(default)]
    pub amount: Option<i64>,
    /// The amount in kopecks by applicant type.
    #[serde(default)]
    pub by_applicant: BTreeMap<ApplicantType, i64>,
    /// КБК, 20 characters.
    pub kbk: String,
    /// ОКТМО, 8 or 11 digits.
    pub oktmo: String,
    /// The administrator's code in ГИС ГМП: the first three digits of the УИН.
    pub administrator: String,
    /// Days to pay from the charge's date (30 when not given).
    #[serde(default = "default_due_days")]
    pub due_days: u16,
    /// Whom it is paid to.
    pub payee: crate::payment::Payee,
    /// A rejected application's fee goes back to the payer.
    #[serde(default)]
    pub refund_on_reject: bool,
}

fn default_due_days() -> u16 {
    30
}

fn digits(s: &str, lens: &[usize]) -> bool {
    lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

impl FeeDef {
    /// What `who` pays; `None` when the fee does not apply to them.
    pub fn amount_for(&self, who: ApplicantType) -> Option<crate::money::Kopecks> {
        self.by_applicant.get(&who).copied().or(self.amount).filter(|a| *a > 0).map(crate::money::Kopecks)
    }

    /// What is wrong with it, for the catalogue's checks; `applicants` are the service's.
    pub fn problem(&self, applicants: &[ApplicantType]) -> Option<String> {
        let p = &self.payee;
        if self.title.trim().is_empty() || p.name.trim().is_empty() || p.bank.trim().is_empty() {
            return Some("fee: title, payee.name and payee.bank must not be empty".into());
        }
        if self.amount.is_some_and(|a| a <= 0) || self.by_applicant.values().any(|a| *a <= 0) {
            return Some("fee: amounts are kopecks above zero".into());
        }
        if let Some(a) = self.by_applicant.keys().find(|a| !applicants.contains(a)) {
            return Some(format!("fee.by_applicant: {a:?} may not apply for this service"));
        }
        if applicants.iter().all(|a| self.amount_for(*a).is_none()) {
            return Some("fee: give amount or by_applicant".into());
        }
        let checks = [
            (self.kbk.len() == 20 && self.kbk.chars().all(|c| c.is_ascii_alphanumeric()), "kbk: 20 characters"),
            (digits(&self.oktmo, &[8, 11]), "oktmo: 8 or 11 digits"),
            (digits(&self.administrator, &[3]), "administrator: 3 digits"),
            (digits(&p.inn, &[10]), "payee.inn: 10 digits"),
            (p.kpp.len() == 9 && p.kpp.chars().all(|c| c.is_ascii_alphanumeric()), "payee.kpp: 9 characters"),
            (digits(&p.account, &[20]), "payee.account: 20 digits"),
            (digits(&p.bic, &[9]), "payee.bic: 9 digits"),
            (digits(&p.corr_account, &[20]), "payee.corr_account: 20 digits"),
            (self.due_days > 0, "due_days: at least 1"),
        ];
        checks.iter().find(|(ok, _)| !ok).map(|(_, what)| format!("fee: {what}"))
    }
}
