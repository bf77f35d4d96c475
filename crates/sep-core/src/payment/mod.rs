//! Charges and payments (SPEC P1–P3). This first part: charges as ГИС ГМП keeps them, read
//! through the [`ChargeRegistry`] port (the emulator answers for the demo people; a real ГИС
//! ГМП adapter implements the same trait), listed with filters and the total unpaid, found by
//! УИН without login, each with the ГОСТ Р 56042-2014 payment QR any bank app pays by.

pub mod callback;
pub mod charge;
pub mod pay;
pub mod qr;
pub mod receipt;
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

/// The person's charges as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The charges that pass the filter, newest first.
    pub charges: Vec<Charge>,
    /// What remains to be paid of all the person's charges today.
    pub unpaid: Kopecks,
    /// How many the person has in all.
    pub total: usize,
}

/// The charges of `user` (by their ИНН) that pass `filter`, with the total unpaid. A person
/// without an ИНН in the profile has none to show.
pub async fn list(
    store: &dyn crate::store::Store,
    registry: &dyn ChargeRegistry,
    user: &User,
    filter: &Filter,
    today: Date,
) -> Result<Listing, ChargesError> {
    let Some(inn) = user.profile.inn.as_ref() else {
        return Ok(Listing { charges: vec![], unpaid: Kopecks(0), total: 0 });
    };
    let all = registry.charges_of(inn.as_str(), today).await?;
    let mut all = pay::with_local_payments(store, user, all).await?;
    all.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.uin.cmp(&b.uin)));
    let unpaid = Kopecks(all.iter().map(|c| c.remaining(today).0).sum());
    let total = all.len();
    all.retain(|c| {
        filter.status.is_none_or(|s| c.status(today) == s)
            && filter.kind.is_none_or(|k| c.kind == k)
            && filter.from.is_none_or(|d| c.date >= d)
            && filter.to.is_none_or(|d| c.date <= d)
    });
    Ok(Listing { charges: all, unpaid, total })
}

/// The person's own charge with this УИН; another payer's is not found.
pub async fn own(
    registry: &dyn ChargeRegistry,
    user: &User,
    uin: &Uin,
    today: Date,
) -> Result<Option<Charge>, Unavailable> {
    let inn = user.profile.inn.as_ref().map(|i| i.as_str().to_owned()).unwrap_or_default();
    Ok(registry.charge(uin, today).await?.filter(|c| !inn.is_empty() && c.payer_inn == inn))
}

/// The person's own charge with what was paid here counted.
pub async fn own_with_payments(
    store: &dyn crate::store::Store,
    registry: &dyn ChargeRegistry,
    user: &User,
    uin: &Uin,
    today: Date,
) -> Result<Option<Charge>, ChargesError> {
    match own(registry, user, uin, today).await? {
        Some(c) => Ok(pay::with_local_payments(store, user, vec![c]).await?.pop()),
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
