//! Charges and payments (SPEC P1–P3). This first part: charges as ГИС ГМП keeps them, read
//! through the [`ChargeRegistry`] port (the emulator answers for the demo people; a real ГИС
//! ГМП adapter implements the same trait), listed with filters and the total unpaid, found by
//! УИН without login, each with the ГОСТ Р 56042-2014 payment QR any bank app pays by.

pub mod account;
pub mod bank;
pub mod callback;
pub mod cards;
pub mod charge;
pub mod confirm;
pub mod fee;
pub mod pay;
pub mod qr;
pub mod receipt;
pub mod report;
pub mod store;
pub mod uin;

pub use charge::{Charge, ChargeKind, ChargeStatus, Discount, Payee};
pub use uin::{Uin, UinError};

use crate::money::Kopecks;
use crate::registry::Unavailable;
use crate::user::User;
use async_trait::async_trait;
use time::Date;

/// ГИС ГМП: the charges register.
#[async_trait]
pub trait ChargeRegistry: Send + Sync {
    /// Every charge of the payer with this ИНН (a person's or an organisation's), as of `today`.
    async fn charges_of(&self, payer_inn: &str, today: Date) -> Result<Vec<Charge>, Unavailable>;
    /// The charge with this УИН.
    async fn charge(&self, uin: &Uin, today: Date) -> Result<Option<Charge>, Unavailable>;
    /// The overpayments the budget holds for the payer with this ИНН.
    async fn overpayments_of(&self, payer_inn: &str) -> Result<Vec<account::Overpayment>, Unavailable>;
    /// Places a charge the portal issued (a service's state fee, `fee`); the same УИН again
    /// changes nothing.
    async fn import(&self, charge: &Charge) -> Result<(), Unavailable>;
    /// Withdraws an unpaid charge the portal issued; an unknown УИН is withdrawn already.
    async fn annul(&self, uin: &Uin) -> Result<(), Unavailable>;
}

/// Which charges the list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this status.
    pub status: Option<ChargeStatus>,
    /// Only this kind.
    pub kind: Option<ChargeKind>,
    /// Charged from this day.
    pub from: Option<Date>,
    /// Charged up to this day.
    pub to: Option<Date>,
}

/// Whose charges a person sees and pays: their own, and each organisation's they head (as
/// Госуслуги said at their last login; SPEC P1 — the organisation's charges for its head).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payer {
    /// The payer's ИНН.
    pub inn: String,
    /// The organisation's short name; `None` for the person.
    pub org: Option<String>,
}

/// The payers `user` acts for: themselves (with an ИНН in the profile) and the organisations
/// they head.
pub async fn payers(store: &dyn crate::store::Store, user: &User) -> crate::store::StoreResult<Vec<Payer>> {
    let mut all: Vec<Payer> =
        user.profile.inn.iter().map(|i| Payer { inn: i.as_str().to_owned(), org: None }).collect();
    for m in store.list_user_orgs(user.id).await? {
        if m.may_act() && !all.iter().any(|p| p.inn == m.inn.as_str()) {
            all.push(Payer { inn: m.inn.as_str().to_owned(), org: Some(m.short_name) });
        }
    }
    Ok(all)
}

/// The person's charges as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The charges that pass the filter, newest first.
    pub charges: Vec<Charge>,
    /// What remains to be paid of all the person's charges today.
    pub unpaid: Kopecks,
    /// How many the person has in all.
    pub total: usize,
    /// Whose charges these are.
    pub payers: Vec<Payer>,
}

/// The charges of `user` and of the organisations they head that pass `filter`, with the
/// total unpaid. A person without an ИНН in the profile and heading nothing has none.
pub async fn list(
    store: &dyn crate::store::Store,
    registry: &dyn ChargeRegistry,
    user: &User,
    filter: &Filter,
    today: Date,
) -> Result<Listing, ChargesError> {
    let payers = payers(store, user).await?;
    let mut all = Vec::new();
    for p in &payers {
        let charges = registry.charges_of(&p.inn, today).await?;
        if p.org.is_none() {
            all.extend(pay::with_local_payments(store, user, charges).await?);
        } else {
            // An organisation's charge may have been paid here by another of its heads.
            for c in charges {
                all.push(pay::with_payment_here(store, c).await?);
            }
        }
    }
    all.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.uin.cmp(&b.uin)));
    let unpaid = Kopecks(all.iter().map(|c| c.remaining(today).0).sum());
    let total = all.len();
    all.retain(|c| {
        filter.status.is_none_or(|s| c.status(today) == s)
            && filter.kind.is_none_or(|k| c.kind == k)
            && filter.from.is_none_or(|d| c.date >= d)
            && filter.to.is_none_or(|d| c.date <= d)
    });
    Ok(Listing { charges: all, unpaid, total, payers })
}

/// The charge with this УИН if it is the person's own or an organisation's they head;
/// another payer's is not found.
pub async fn own(
    store: &dyn crate::store::Store,
    registry: &dyn ChargeRegistry,
    user: &User,
    uin: &Uin,
    today: Date,
) -> Result<Option<Charge>, ChargesError> {
    let payers = payers(store, user).await?;
    Ok(registry.charge(uin, today).await?.filter(|c| payers.iter().any(|p| p.inn == c.payer_inn)))
}

/// The person's own (or their organisation's) charge with what was paid here counted.
pub async fn own_with_payments(
    store: &dyn crate::store::Store,
    registry: &dyn ChargeRegistry,
    user: &User,
    uin: &Uin,
    today: Date,
) -> Result<Option<Charge>, ChargesError> {
    match own(store, registry, user, uin, today).await? {
        Some(c) => Ok(Some(pay::with_payment_here(store, c).await?)),
        None => Ok(None),
    }
}

/// Reading charges failed.
#[derive(Debug, thiserror::Error)]
pub enum ChargesError {
    /// ГИС ГМП did not answer.
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}
