//! State fees of services (SPEC P1, issue 16 point 7). A service whose file declares a `[fee]`
//! is sent only once its fee is paid: «Оплатить госпошлину» on the check page issues the
//! charge — the portal places it in ГИС ГМП (`ChargeRegistry::import`) under a УИН of the
//! service's administrator — and the person pays it like any other charge. The amount follows
//! the applicant type; an unpaid charge for another amount is annulled and issued again. When an
//! application of a service with `refund_on_reject` is rejected, a job returns the fee through
//! the payment provider to the card it came from; sent again, it owes the fee again.

use super::pay::{PaymentProvider, ProviderError};
use super::{Charge, ChargeKind, ChargeRegistry, Payee, Uin};
use crate::application::record::Application;
use crate::application::record::ApplicationId;
use crate::audit::{NewAuditEvent, Origin};
use crate::catalogue::{ApplicantType, Service};
use crate::ids::UserId;
use crate::job::{JobKind, NewJob};
use crate::money::Kopecks;
use crate::notice::NewNotice;
use crate::store::{Effects, Store, StoreResult};
use crate::user::User;
use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

/// Whether a rejected application's fee went back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeeRefund {
    /// Not returned (not asked, or the application was not rejected).
    None,
    /// Returned to the card it was paid from.
    Done,
    /// The provider refused: support returns it by hand.
    Failed,
}

impl FeeRefund {
    /// Stable code as stored.
    pub const fn code(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::None, Self::Done, Self::Failed].into_iter().find(|r| r.code() == code)
    }
}

/// An application's fee: the charge issued for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fee {
    /// The application.
    pub application_id: ApplicationId,
    /// Its applicant (the payer).
    pub user_id: UserId,
    /// The applicant type the amount is for.
    pub applicant_type: ApplicantType,
    /// The charge as placed in ГИС ГМП.
    pub charge: Charge,
    /// Whether it went back after a rejection.
    pub refund: FeeRefund,
    /// The provider's reason when it refused the refund.
    pub refund_reason: Option<String>,
    /// Issued.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

/// The charge as stored with its fee (the store keeps it as JSON).
#[derive(Serialize, Deserialize)]
struct StoredCharge {
    uin: String,
    title: String,
    kbk: String,
    oktmo: String,
    payee: [String; 7],
    purpose: String,
    amount: i64,
    date: Date,
    due: Date,
    payer_inn: String,
}

/// The fee's charge as the store keeps it.
pub fn charge_to_json(c: &Charge) -> String {
    let p = &c.payee;
    let stored = StoredCharge {
        uin: c.uin.to_string(),
        title: c.title.clone(),
        kbk: c.kbk.clone(),
        oktmo: c.oktmo.clone(),
        payee: [
            p.name.clone(),
            p.inn.clone(),
            p.kpp.clone(),
            p.account.clone(),
            p.bank.clone(),
            p.bic.clone(),
            p.corr_account.clone(),
        ],
        purpose: c.purpose.clone(),
        amount: c.amount.0,
        date: c.date,
        due: c.due,
        payer_inn: c.payer_inn.clone(),
    };
    serde_json::to_string(&stored).unwrap_or_default()
}

/// The fee's charge read back; `None` for a damaged value.
pub fn charge_from_json(json: &str) -> Option<Charge> {
    let s: StoredCharge = serde_json::from_str(json).ok()?;
    let [name, inn, kpp, account, bank, bic, corr_account] = s.payee;
    Some(Charge {
        uin: Uin::parse(&s.uin).ok()?,
        kind: ChargeKind::Fee,
        title: s.title,
        kbk: s.kbk,
        oktmo: s.oktmo,
        payee: Payee { name, inn, kpp, account, bank, bic, corr_account },
        purpose: s.purpose,
        amount: Kopecks(s.amount),
        paid: Kopecks(0),
        date: s.date,
        due: s.due,
        discount: None,
        payer_inn: s.payer_inn,
    })
}

/// Where an application's fee stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeeState {
    /// The service has no fee for this applicant type.
    Free,
    /// Not issued yet (or issued for another applicant type and not paid): `amount` is due.
    NotIssued {
        /// What is due.
        amount: Kopecks,
    },
    /// Issued and not paid yet.
    Unpaid(Box<Fee>),
    /// Paid here.
    Paid {
        /// The fee.
        fee: Box<Fee>,
        /// When.
        at: OffsetDateTime,
    },
    /// Paid for another applicant type, less than the current one owes.
    PaidLess {
        /// The fee paid.
        fee: Box<Fee>,
        /// What the current applicant type owes.
        amount: Kopecks,
    },
}

/// What `who` owes for `service`, if anything.
pub fn amount_due(service: &Service, who: ApplicantType) -> Option<Kopecks> {
    service.fee.as_ref().and_then(|f| f.amount_for(who))
}

/// Where the fee of `app` stands.
pub async fn state(store: &dyn Store, service: &Service, app: &Application) -> StoreResult<FeeState> {
    let Some(amount) = amount_due(service, app.applicant_type) else { return Ok(FeeState::Free) };
    let Some(fee) = store.find_fee(app.id).await? else { return Ok(FeeState::NotIssued { amount }) };
    // A fee returned after a rejection is owed again when the application is sent again (one
    // the provider refused to return still counts: support returns it by hand).
    if fee.refund == FeeRefund::Done {
        return Ok(FeeState::NotIssued { amount });
    }
    let paid = store.find_succeeded_payment(fee.charge.uin.as_str()).await?;
    Ok(match paid {
        // What was charged is paid: a fee raised in the service file later is not owed again,
        // but one for another applicant type counts only if it covers this type's.
        Some(p)
            if p.amount >= fee.charge.amount && (fee.applicant_type == app.applicant_type || p.amount >= amount) =>
        {
            FeeState::Paid { fee: Box::new(fee), at: p.updated_at }
        }
        Some(_) => FeeState::PaidLess { fee: Box::new(fee), amount },
        None if fee.charge.amount == amount => FeeState::Unpaid(Box::new(fee)),
        None => FeeState::NotIssued { amount },
    })
}

/// Why the fee could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum FeeError {
    /// The service asks no fee of this applicant type.
    #[error("За эту услугу госпошлина не взимается.")]
    NotRequired,
    /// The fee is paid already.
    #[error("Госпошлина уже оплачена.")]
    AlreadyPaid,
    /// A payment of the earlier charge is under way.
    #[error("Оплата госпошлины ещё обрабатывается.")]
    InProgress,
    /// No ИНН to name the payer by.
    #[error("Без ИНН госпошлину не начислить.")]
    PayerUnknown,
    /// ГИС ГМП did not take the charge.
    #[error("ГИС ГМП не ответила.")]
    Unavailable(String),
    /// The application is sent already.
    #[error("Заявление уже отправлено.")]
    NotDraft,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

impl FeeError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotRequired => "fee_not_required",
            Self::AlreadyPaid => "fee_paid",
            Self::InProgress => "payment_in_progress",
            Self::PayerUnknown => "fee_payer_unknown",
            Self::Unavailable(_) => "charges_unavailable",
            Self::NotDraft => "fee_not_draft",
            Self::Store(e) => e.code(),
        }
    }

    /// What to do.
    pub fn action(&self) -> &'static str {
        match self {
            Self::NotRequired | Self::AlreadyPaid => "Вернитесь к проверке заявления и отправьте его.",
            Self::InProgress => "Дождитесь результата оплаты: он придёт в течение 90 минут. Повторно не оплачивайте.",
            Self::PayerUnknown => "Добавьте ИНН в профиль на Госуслугах и войдите в СЭП снова.",
            Self::Unavailable(_) | Self::Store(_) => "Повторите через несколько минут.",
            Self::NotDraft => "Откройте заявление из списка «Мои заявления».",
        }
    }
}

/// A new УИН of administrator `admin`: its code, "0", fifteen random digits and the check digit.
fn new_uin(admin: &str) -> Result<Uin, FeeError> {
    let bytes = crate::ids::random_bytes::<8>().map_err(|e| FeeError::Unavailable(e.to_string()))?;
    let n = u64::from_le_bytes(bytes) % 1_000_000_000_000_000;
    Uin::complete(&format!("{admin}0{n:015}")).ok_or_else(|| FeeError::Unavailable("УИН".into()))
}

/// «Оплатить госпошлину»: the fee's charge of `app`, issued now if it is not yet (or was for
/// another applicant type and not paid) and placed in ГИС ГМП. Asked again, it places the same
/// charge again (ГИС ГМП takes a УИН once), so a registry that missed it hears of it.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn issue(
    store: &dyn Store,
    registry: &dyn ChargeRegistry,
    service: &Service,
    app: &Application,
    user: &User,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Fee, FeeError> {
    if !app.status.allowed().contains(&crate::application::status::Allowed::Edit) {
        return Err(FeeError::NotDraft);
    }
    let def = service.fee.as_ref().ok_or(FeeError::NotRequired)?;
    let amount = def.amount_for(app.applicant_type).ok_or(FeeError::NotRequired)?;
    let earlier = store.find_fee(app.id).await?;
    if let Some(fee) = &earlier {
        let uin = fee.charge.uin.as_str();
        let returned = fee.refund == FeeRefund::Done;
        if !returned && store.find_succeeded_payment(uin).await?.is_some() {
            return Err(FeeError::AlreadyPaid);
        }
        if !returned && fee.charge.amount == amount {
            registry.import(&fee.charge).await.map_err(|e| FeeError::Unavailable(e.to_string()))?;
            return Ok(fee.clone());
        }
        if store.find_live_payment(uin).await?.is_some() {
            return Err(FeeError::InProgress);
        }
        // The old charge is withdrawn before a new one replaces it: were it left payable (a
        // second tab), a payment of it would belong to no application.
        if !returned {
            registry.annul(&fee.charge.uin).await.map_err(|e| FeeError::Unavailable(e.to_string()))?;
        }
    }
    let payer_inn = user.profile.inn.as_ref().map(ToString::to_string).ok_or(FeeError::PayerUnknown)?;
    let today = crate::clock::moscow_day(now);
    let uin = new_uin(&def.administrator)?;
    let charge = Charge {
        purpose: format!("{}. УИН {uin}", def.title),
        uin,
        kind: ChargeKind::Fee,
        title: def.title.clone(),
        kbk: def.kbk.clone(),
        oktmo: def.oktmo.clone(),
        payee: def.payee.clone(),
        amount,
        paid: Kopecks(0),
        date: today,
        due: today + Duration::days(i64::from(def.due_days)),
        discount: None,
        payer_inn,
    };
    let fee = Fee {
        application_id: app.id,
        user_id: user.id,
        applicant_type: app.applicant_type,
        charge,
        refund: FeeRefund::None,
        refund_reason: None,
        created_at: now,
        updated_at: now,
    };
    let mut e = origin.event(now, "fee.issued", Some(user.id));
    e.object = Some(format!("application:{}", app.id));
    e.details = serde_json::json!({ "uin": fee.charge.uin.as_str(), "amount": amount.0 });
    // Stored first: a registry that misses the charge is told again at the next press (and at
    // every start); a charge placed but not stored would be owed with no application behind it.
    let expected = earlier.as_ref().map(|f| f.charge.uin.as_str());
    match store.upsert_fee(&fee, expected, &Effects::audit(e)).await {
        Ok(()) => {}
        // Pressed twice at once: the other press issued it (and places it; so does this one).
        Err(crate::StoreError::Conflict { .. }) => {
            let other = store.find_fee(app.id).await?.ok_or(FeeError::InProgress)?;
            registry.import(&other.charge).await.map_err(|e| FeeError::Unavailable(e.to_string()))?;
            return Ok(other);
        }
        Err(e) => return Err(e.into()),
    }
    registry.import(&fee.charge).await.map_err(|e| FeeError::Unavailable(e.to_string()))?;
    Ok(fee)
}

/// Places every fee's charge in ГИС ГМП again: at start, for a registry that forgets (the
/// built-in emulator keeps charges in memory). Returns how many.
pub async fn replay(store: &dyn Store, registry: &dyn ChargeRegistry) -> Result<usize, String> {
    let fees = store.list_fees().await.map_err(|e| e.to_string())?;
    for f in &fees {
        registry.import(&f.charge).await.map_err(|e| e.to_string())?;
    }
    Ok(fees.len())
}

/// The job returning the fee of rejected application `id`.
pub fn refund_job(id: ApplicationId, at: OffsetDateTime) -> NewJob {
    let mut job = NewJob::of(JobKind::RefundFee, serde_json::json!({ "application": id.0 }), at);
    job.max_attempts = 50;
    job
}

/// The worker's job `refund_fee`: the paid fee of a rejected application goes back to the card
/// through the provider (one refund per fee: the provider's idempotency key is the УИН).
pub async fn refund(
    store: &dyn Store,
    provider: &dyn PaymentProvider,
    id: ApplicationId,
    now: OffsetDateTime,
) -> Result<(), String> {
    let e = |e: crate::StoreError| e.to_string();
    let Some(fee) = store.find_fee(id).await.map_err(e)? else { return Ok(()) };
    if fee.refund != FeeRefund::None {
        return Ok(());
    }
    // Sent again since the rejection (the job waited): the fee pays for that sending.
    if store.get_application(id).await.map_err(e)?.status != crate::application::status::Status::Rejected {
        return Ok(());
    }
    let uin = fee.charge.uin.as_str();
    let Some(paid) = store.find_succeeded_payment(uin).await.map_err(e)? else { return Ok(()) };
    let answer = match paid.provider_id.as_deref() {
        Some(provider_id) => {
            provider.refund(&format!("fee-{uin}"), provider_id, paid.amount).await.map_err(|ProviderError(why)| why)?
        }
        None => Err("платёж не прошёл через платёжный сервис".to_owned()),
    };
    let (to, reason) = match answer {
        Ok(_) => (FeeRefund::Done, None),
        Err(why) => (FeeRefund::Failed, Some(why)),
    };
    let mut a = NewAuditEvent::system(now, &format!("fee.refund_{}", to.code()), Some(fee.user_id));
    a.object = Some(format!("application:{}", id));
    a.details = serde_json::json!({ "uin": uin, "amount": paid.amount.0 });
    let (title, text) = match &reason {
        None => (
            "Госпошлина возвращена",
            format!(
                "Заявление отклонено: госпошлина {} (УИН {uin}) возвращена на карту, с которой её оплатили.",
                paid.amount
            ),
        ),
        Some(why) => (
            "Госпошлину не удалось вернуть",
            format!(
                "Заявление отклонено, но платёжный сервис не вернул госпошлину {} (УИН {uin}): {why}. Обратитесь в поддержку — её вернут на ваш счёт.",
                paid.amount
            ),
        ),
    };
    let notice = NewNotice {
        user_id: fee.user_id,
        at: now,
        kind: "payment".into(),
        title: title.into(),
        text,
        link: format!("/applications/{}", id),
        critical: reason.is_some(),
    };
    let fx = Effects { audit: vec![a], jobs: vec![], notices: vec![notice] };
    store.update_fee_refund(id, to, reason.as_deref(), now, &fx).await.map_err(e)?;
    Ok(())
}

/// The fee of the application a payment was for, if it was a fee.
pub async fn of_payment(store: &dyn Store, uin: &str) -> StoreResult<Option<Fee>> {
    store.find_fee_by_uin(uin).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_charge_survives_the_store_and_new_uins_are_valid() {
        let mut c = super::super::charge::tests::fine();
        c.kind = ChargeKind::Fee;
        c.discount = None;
        let back = charge_from_json(&charge_to_json(&c)).unwrap();
        assert_eq!(back, c);
        assert!(charge_from_json("{}").is_none());
        for _ in 0..50 {
            let u = new_uin("071").unwrap();
            assert!(u.as_str().starts_with("0710") && Uin::parse(u.as_str()).is_ok(), "{u}");
        }
    }

    #[test]
    fn refund_codes_read_back() {
        for r in [FeeRefund::None, FeeRefund::Done, FeeRefund::Failed] {
            assert_eq!(FeeRefund::from_code(r.code()), Some(r));
        }
        assert_eq!(FeeRefund::from_code("x"), None);
    }
}
