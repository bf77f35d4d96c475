//! «Разрешённые получатели и контрагенты»: the organisations and sole proprietors a person
//! writes to, added by ИНН or ОГРН(ИП) after ФНС confirms they exist and operate; only while
//! one is on the list may it write to the person.

use super::MailError;
use crate::audit::Origin;
use crate::ident::{Inn, Ogrn, Ogrnip};
use crate::ids::UserId;
use crate::registry::{Business, TaxRegistry};
use crate::store::{Effects, Store};
use time::OffsetDateTime;

/// A counterparty on a person's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counterparty {
    /// Whose list.
    pub user_id: UserId,
    /// ИНН (10 digits for an organisation, 12 for an entrepreneur).
    pub inn: String,
    /// ОГРН or ОГРНИП.
    pub ogrn: String,
    /// Name as ФНС gives it.
    pub name: String,
    /// When added.
    pub added_at: OffsetDateTime,
}

/// `org` for an organisation's 10-digit ИНН, `ip` for an entrepreneur's 12.
fn kind_of(inn: &str) -> &'static str {
    if inn.len() == 12 { "ip" } else { "org" }
}

/// What a typed number is.
pub(super) enum Number {
    Inn(String),
    Ogrn(String),
}

pub(super) fn number(typed: &str) -> Result<Number, MailError> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    match digits.len() {
        10 | 12 => Inn::parse(&digits).map(|i| Number::Inn(i.to_string())).map_err(|_| MailError::CounterpartyInvalid),
        13 => Ogrn::parse(&digits).map(|o| Number::Ogrn(o.to_string())).map_err(|_| MailError::CounterpartyInvalid),
        15 => Ogrnip::parse(&digits).map(|o| Number::Ogrn(o.to_string())).map_err(|_| MailError::CounterpartyInvalid),
        _ => Err(MailError::CounterpartyInvalid),
    }
}

/// The operating organisation or entrepreneur with ИНН or ОГРН `typed`, as ФНС has it.
pub async fn lookup(fns: &dyn TaxRegistry, typed: &str) -> Result<Business, MailError> {
    let found = match number(typed)? {
        Number::Inn(inn) => fns.find_business(Some(&inn), None).await,
        Number::Ogrn(ogrn) => fns.find_business(None, Some(&ogrn)).await,
    }
    .map_err(|_| MailError::Unavailable)?;
    let b = found.ok_or(MailError::CounterpartyUnknown)?;
    if !b.active {
        return Err(MailError::CounterpartyCeased);
    }
    Ok(b)
}

/// Adds the organisation or entrepreneur with ИНН or ОГРН `typed` to `user`'s list, once ФНС
/// confirms it exists and has not ceased.
pub async fn add(
    store: &dyn Store,
    fns: &dyn TaxRegistry,
    user: UserId,
    typed: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Counterparty, MailError> {
    let Business { inn, ogrn, name, .. } = lookup(fns, typed).await?;
    let c = Counterparty { user_id: user, inn, ogrn, name, added_at: now };
    // An entrepreneur's ИНН is a person's: the journal keeps only what kind was added.
    let mut e = origin.event(now, "mail.counterparty_added", Some(user));
    e.details = serde_json::json!({ "kind": kind_of(&c.inn) });
    match store.insert_counterparty(&c, &Effects::audit(e)).await {
        Ok(()) => Ok(c),
        Err(crate::StoreError::Conflict { .. }) => Err(MailError::CounterpartyExists),
        Err(e) => Err(e.into()),
    }
}

/// Removes a counterparty from `user`'s list; `false` when it was not there.
pub async fn remove(
    store: &dyn Store,
    user: UserId,
    inn: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<bool, MailError> {
    let mut e = origin.event(now, "mail.counterparty_removed", Some(user));
    e.details = serde_json::json!({ "kind": kind_of(inn) });
    Ok(store.delete_counterparty(user, inn, &Effects::audit(e)).await?)
}
