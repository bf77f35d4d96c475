//! Paying a charge (SPEC P2, P3): «Оплатить» makes one payment attempt, hands the payer to the
//! provider, and learns the outcome from the provider's signed callback or by asking it. Never
//! twice: one live attempt per charge and one successful payment per charge are unique indexes
//! in the store; «paid» is reached only through a conditional update from a live status; the
//! same form sent twice (its key) is the same attempt; a charge paid here or in ГИС ГМП is not
//! offered again.

use super::{Charge, ChargeRegistry, Uin};
use crate::audit::{NewAuditEvent, Origin};
use crate::ids::UserId;
use crate::job::{JobKind, NewJob};
use crate::money::Kopecks;
use crate::notice::NewNotice;
use crate::store::{Effects, Store};
use crate::user::User;
use async_trait::async_trait;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Where a payment attempt is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// Stored; the provider not asked yet or the payer not at its page yet.
    Created,
    /// With the provider: the payer is paying or the outcome is not known.
    Pending,
    /// Paid.
    Succeeded,
    /// Declined, cancelled or a provider error.
    Failed,
    /// Not completed within 90 minutes.
    Expired,
}

impl PaymentStatus {
    /// Every status.
    pub const ALL: [Self; 5] = [Self::Created, Self::Pending, Self::Succeeded, Self::Failed, Self::Expired];

    /// Stable code as stored (the provider's words).
    pub const fn code(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Expired => "expired",
        }
    }

    /// From the code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// As people read it.
    pub const fn title(self) -> &'static str {
        match self {
            Self::Created | Self::Pending => "Выполняется",
            Self::Succeeded => "Оплачено",
            Self::Failed => "Не оплачено",
            Self::Expired => "Время оплаты истекло",
        }
    }

    /// Whether it can still change.
    pub const fn is_live(self) -> bool {
        matches!(self, Self::Created | Self::Pending)
    }
}

/// A payment attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// Id (the provider's reference and idempotency key).
    pub id: Uuid,
    /// Who pays.
    pub user_id: UserId,
    /// The charge.
    pub uin: String,
    /// What it pays.
    pub amount: Kopecks,
    /// What the charge is (for pages and the receipt).
    pub title: String,
    /// Status.
    pub status: PaymentStatus,
    /// The form's one-time key.
    pub request_key: String,
    /// The provider's id, once asked.
    pub provider_id: Option<String>,
    /// Where the payer confirms.
    pub confirmation_url: Option<String>,
    /// Failure code (`P0010`…) and text.
    pub failure: Option<(String, String)>,
    /// The provider's retrieval reference number.
    pub rrn: Option<String>,
    /// The authorisation code.
    pub auth_code: Option<String>,
    /// The card, masked.
    pub card: Option<String>,
    /// The receipt issued for it, once made.
    pub receipt_id: Option<Uuid>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

/// The source of money the payer chose (seed 003: «банковская карта, электронный кошелек, СБП»).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Method {
    /// A bank card.
    #[default]
    Card,
    /// The faster payments system, confirmed in the bank's app.
    Sbp,
    /// An e-wallet.
    Wallet,
}

impl Method {
    /// Every method.
    pub const ALL: [Self; 3] = [Self::Card, Self::Sbp, Self::Wallet];

    /// Stable code, as the provider takes it.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::Sbp => "sbp",
            Self::Wallet => "wallet",
        }
    }

    /// From the code; a card when unknown.
    pub fn from_code(code: &str) -> Self {
        Self::ALL.into_iter().find(|m| m.code() == code).unwrap_or_default()
    }

    /// As people read it.
    pub const fn title(self) -> &'static str {
        match self {
            Self::Card => "Банковская карта",
            Self::Sbp => "СБП (Система быстрых платежей)",
            Self::Wallet => "Электронный кошелёк",
        }
    }
}

/// What the provider is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRequest {
    /// Kopecks.
    pub amount: Kopecks,
    /// Shown to the payer.
    pub description: String,
    /// Our payment's id.
    pub reference: String,
    /// Where the payer comes back.
    pub return_url: String,
    /// Where the provider posts the outcome.
    pub callback_url: String,
    /// The source of money.
    pub method: Method,
}

/// What the provider says about a payment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ProviderPayment {
    /// The provider's id.
    pub id: String,
    /// `created`, `pending`, `succeeded`, `failed`, `expired`.
    pub status: String,
    /// Kopecks.
    pub amount: i64,
    /// Our payment's id.
    pub reference: String,
    /// Where the payer confirms.
    #[serde(default)]
    pub confirmation_url: String,
    /// RRN.
    #[serde(default)]
    pub rrn: Option<String>,
    /// Authorisation code.
    #[serde(default)]
    pub auth_code: Option<String>,
    /// Failure code.
    #[serde(default)]
    pub failure_code: Option<String>,
    /// Failure text.
    #[serde(default)]
    pub failure_text: Option<String>,
    /// The card, masked.
    #[serde(default)]
    pub card: Option<String>,
    /// `card`, `sbp` or `wallet`.
    #[serde(default)]
    pub method: String,
    /// The saved card's token, when the payer asked the provider to keep the card.
    #[serde(default)]
    pub card_token: Option<String>,
    /// The saved card's expiry, `ММ/ГГ`.
    #[serde(default)]
    pub card_expiry: Option<String>,
}

/// The provider could not be reached or refused the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("платёжный сервис: {0}")]
pub struct ProviderError(pub String);

/// The payment provider.
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// Creates a payment under idempotency key `key`.
    async fn create(&self, key: &str, request: &ProviderRequest) -> Result<ProviderPayment, ProviderError>;
    /// The payment's current state.
    async fn status(&self, provider_id: &str) -> Result<ProviderPayment, ProviderError>;
    /// Cancels a payment the payer has not paid yet, or releases a held one.
    async fn cancel(&self, provider_id: &str) -> Result<ProviderPayment, ProviderError>;
    /// Takes the money of a held payment ([`WAITING_FOR_CODE`]) once the payer confirmed it.
    async fn capture(&self, provider_id: &str) -> Result<ProviderPayment, ProviderError>;
    /// Unlinks a saved card; one the provider does not know is removed already.
    async fn remove_card(&self, token: &str) -> Result<(), ProviderError>;
    /// Returns `amount` of a succeeded payment to where it came from, once per key: the
    /// refund's id, or the provider's reason for refusing it.
    async fn refund(
        &self,
        key: &str,
        provider_id: &str,
        amount: Kopecks,
    ) -> Result<Result<String, String>, ProviderError>;
}

/// The provider's status of a card payment without 3-D Secure: the money is held until the
/// portal has the payer's SMS code (seed 003: «Подтвердите операцию кодом, полученным в SMS»)
/// and captures it.
pub const WAITING_FOR_CODE: &str = "waiting_for_capture";

/// Why «Оплатить» did not start a payment.
#[derive(Debug, thiserror::Error)]
pub enum PayError {
    /// No such charge of this person.
    #[error("Начисление не найдено.")]
    NotFound,
    /// Nothing remains to be paid.
    #[error("Начисление уже оплачено.")]
    AlreadyPaid,
    /// An earlier attempt's outcome is not known yet.
    #[error("Предыдущая оплата этого начисления ещё обрабатывается.")]
    InProgress,
    /// ГИС ГМП or the provider did not answer.
    #[error("Платёжный сервис или ГИС ГМП не отвечает.")]
    Unavailable(String),
    /// No provider configured.
    #[error("Оплата на этом портале не настроена.")]
    NotConfigured,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

impl PayError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "charge_not_found",
            Self::AlreadyPaid => "charge_paid",
            Self::InProgress => "payment_in_progress",
            Self::Unavailable(_) => "payment_provider_unavailable",
            Self::NotConfigured => "payments_not_configured",
            Self::Store(e) => e.code(),
        }
    }

    /// What to do.
    pub fn action(&self) -> &'static str {
        match self {
            Self::NotFound => "Откройте начисление из списка «Начисления и платежи».",
            Self::AlreadyPaid => "Ничего делать не нужно: начисление оплачено.",
            Self::InProgress => {
                "Дождитесь результата предыдущей оплаты: он придёт в течение 90 минут. Повторно не оплачивайте."
            }
            Self::Unavailable(_) | Self::Store(_) => "Повторите через несколько минут; деньги не списаны.",
            Self::NotConfigured => "Оплатите по QR-коду в приложении банка.",
        }
    }
}

/// How often an unknown outcome is asked about.
pub const CHECK_EVERY: Duration = Duration::minutes(2);

/// An outcome still unknown this long after the attempt (the provider expires its own at 90
/// minutes) is closed for support to sort out.
pub const GIVE_UP_AFTER: Duration = Duration::hours(3);

/// The job asking about payment `id` at `at`, retried for as long as it may take.
fn check_job(id: Uuid, at: OffsetDateTime) -> NewJob {
    let mut job = NewJob::of(JobKind::CheckPayment, serde_json::json!({ "payment": id }), at);
    job.max_attempts = 100;
    job
}

/// The charges of `charges` with what was paid here added (a payment succeeded here counts as
/// paid even before ГИС ГМП hears of it).
pub async fn with_local_payments(
    store: &dyn Store,
    user: &User,
    mut charges: Vec<Charge>,
) -> crate::store::StoreResult<Vec<Charge>> {
    let paid = store.list_payments_of_user(user.id).await?;
    for c in &mut charges {
        let uin = c.uin.to_string();
        for p in paid.iter().filter(|p| p.uin == uin && p.status == PaymentStatus::Succeeded) {
            c.add_payment(p.amount, crate::clock::moscow_day(p.updated_at));
        }
    }
    Ok(charges)
}

/// One charge with its payment here counted, whoever paid it (for «Оплата по УИН»).
pub async fn with_payment_here(store: &dyn Store, mut charge: Charge) -> crate::store::StoreResult<Charge> {
    if let Some(p) = store.find_succeeded_payment(charge.uin.as_str()).await? {
        charge.add_payment(p.amount, crate::clock::moscow_day(p.updated_at));
    }
    Ok(charge)
}

/// «Оплатить»: one attempt for the person's charge `uin`, handed to the provider; returns the
/// attempt (its `confirmation_url` is where the payer goes).
#[allow(clippy::too_many_arguments, reason = "the use case takes each port it needs by name, as the others do")]
pub async fn start(
    store: &dyn Store,
    registry: &dyn ChargeRegistry,
    provider: &dyn PaymentProvider,
    user: &User,
    uin: &Uin,
    method: Method,
    request_key: &str,
    public_url: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Payment, PayError> {
    let key: String = request_key.chars().filter(char::is_ascii_alphanumeric).take(64).collect();
    if !key.is_empty()
        && let Some(same) = store.find_payment_by_key(user.id, &key).await?
    {
        return Ok(same);
    }
    let today = crate::clock::moscow_day(now);
    let charge = match super::own_with_payments(store, registry, user, uin, today).await {
        Ok(c) => c.ok_or(PayError::NotFound)?,
        Err(super::ChargesError::Unavailable(e)) => return Err(PayError::Unavailable(e.to_string())),
        Err(super::ChargesError::Store(e)) => return Err(e.into()),
    };
    let amount = charge.remaining(today);
    if amount.0 == 0 {
        return Err(PayError::AlreadyPaid);
    }
    if let Some(live) = store.find_live_payment(uin.as_str()).await? {
        // The payer closed the provider's page before paying: the same page again for the same
        // source of money; for another, that attempt is cancelled and a new one made. A held
        // card payment the payer starts again (the code lost, the sends used up) is released
        // and made anew.
        let unpaid = match (live.user_id == user.id, live.provider_id.as_deref(), live.confirmation_url.as_deref()) {
            (true, Some(id), Some(_)) => provider
                .status(id)
                .await
                .ok()
                .filter(|said| said.status == "created" || said.status == WAITING_FOR_CODE),
            _ => None,
        };
        let Some(said) = unpaid else { return Err(PayError::InProgress) };
        let same = said.method == method.code() || said.method.is_empty() && method == Method::Card;
        if said.status == "created" && same {
            return Ok(live);
        }
        let cancelled = provider.cancel(&said.id).await.map_err(|e| PayError::Unavailable(e.0))?;
        let closed = settle(store, &live, &cancelled, now).await?;
        if closed.status.is_live() {
            return Err(PayError::InProgress);
        }
    }
    let p = Payment {
        id: Uuid::now_v7(),
        user_id: user.id,
        uin: uin.to_string(),
        amount,
        title: charge.title.clone(),
        status: PaymentStatus::Created,
        request_key: if key.is_empty() { crate::spravka::request_key() } else { key },
        provider_id: None,
        confirmation_url: None,
        failure: None,
        rrn: None,
        auth_code: None,
        card: None,
        receipt_id: None,
        created_at: now,
        updated_at: now,
    };
    let mut e = origin.event(now, "payment.started", Some(user.id));
    e.object = Some(format!("payment:{}", p.id));
    e.details = serde_json::json!({ "uin": p.uin, "amount": p.amount.0 });
    // The unknown outcome is asked about until it is known.
    let job = check_job(p.id, now + CHECK_EVERY);
    match store.insert_payment(&p, &Effects { audit: vec![e], jobs: vec![job], notices: vec![] }).await {
        Ok(()) => {}
        Err(crate::StoreError::Conflict { .. }) => return Err(PayError::InProgress),
        Err(e) => return Err(e.into()),
    }
    let base = public_url.trim_end_matches('/');
    let request = ProviderRequest {
        amount,
        description: format!("{} (УИН {})", charge.title, charge.uin),
        reference: p.id.to_string(),
        return_url: format!("{base}/payments/result/{}", p.id),
        callback_url: format!("{base}/payments/callback"),
        method,
    };
    match provider.create(&p.id.to_string(), &request).await {
        Ok(created) => {
            store.update_payment_started(p.id, &created.id, &created.confirmation_url, now).await?;
            Ok(Payment { provider_id: Some(created.id), confirmation_url: Some(created.confirmation_url), ..p })
        }
        Err(err) => {
            let failure = Some(("P0050", "Платёжный сервис не ответил"));
            store.update_payment_result(p.id, PaymentStatus::Failed, failure, None, now, &Effects::none()).await?;
            Err(PayError::Unavailable(err.0))
        }
    }
}

/// The failure code of a payment closed as a second payment of one charge: its money is
/// the person's, credited to the personal account (`super::account`).
pub const DUPLICATE: &str = "P0060";

/// Takes what the provider says about payment `p` into the store: a final outcome moves a live
/// payment once (a repeated or late report changes nothing) with its notification.
pub async fn settle(
    store: &dyn Store,
    p: &Payment,
    said: &ProviderPayment,
    now: OffsetDateTime,
) -> crate::store::StoreResult<Payment> {
    let Some(reported) = PaymentStatus::from_code(&said.status).filter(|s| !s.is_live()) else { return Ok(p.clone()) };
    if !p.status.is_live() {
        if reported == PaymentStatus::Succeeded && p.status != PaymentStatus::Succeeded {
            // Money taken for an attempt closed here: somebody must return it.
            tracing::error!(payment = %p.id, "provider reports success for a closed payment: refund needed");
        }
        return Ok(p.clone());
    }
    let (to, failure) = if said.amount != p.amount.0 {
        tracing::error!(payment = %p.id, "provider reported another amount: the payment is failed for support");
        (
            PaymentStatus::Failed,
            Some(("P0070".to_owned(), "Сумма платежа не совпала с начислением: обратитесь в поддержку".to_owned())),
        )
    } else {
        match reported {
            PaymentStatus::Succeeded => (reported, None),
            _ => (
                reported,
                Some((
                    said.failure_code.clone().unwrap_or_else(|| "P0050".into()),
                    said.failure_text.clone().unwrap_or_else(|| "Платёж не выполнен".into()),
                )),
            ),
        }
    };
    let mut fx = Effects::none();
    let mut e = NewAuditEvent::system(now, &format!("payment.{}", to.code()), Some(p.user_id));
    e.object = Some(format!("payment:{}", p.id));
    e.details =
        serde_json::json!({ "uin": p.uin, "amount": p.amount.0, "code": failure.as_ref().map(|f| f.0.clone()) });
    fx.audit.push(e);
    let (title, text, critical) = match to {
        PaymentStatus::Succeeded => {
            ("Оплата прошла", format!("Оплачено {} по начислению «{}» (УИН {}).", p.amount, p.title, p.uin), false)
        }
        _ => (
            "Оплата не прошла",
            format!(
                "Оплата по начислению «{}» (УИН {}) не прошла: {}. Деньги не списаны.",
                p.title,
                p.uin,
                failure.as_ref().map_or("", |f| f.1.as_str())
            ),
            true,
        ),
    };
    fx.notices.push(NewNotice {
        user_id: p.user_id,
        at: now,
        kind: "payment".into(),
        title: title.into(),
        text,
        link: format!("/payments/result/{}", p.id),
        critical,
    });
    if to == PaymentStatus::Succeeded {
        fx.jobs.push(NewJob::of(JobKind::MakeReceipt, serde_json::json!({ "payment": p.id }), now));
        let data = serde_json::json!({ "payment": p.id, "uin": p.uin, "amount_kopecks": p.amount.0 });
        fx.jobs.push(crate::integration::webhook::event_job(
            p.user_id,
            crate::integration::webhook::EventType::PaymentSucceeded,
            data,
            now,
        ));
    }
    let outcome = (said.rrn.clone(), said.auth_code.clone(), said.card.clone());
    let failure_ref = failure.as_ref().map(|(c, t)| (c.as_str(), t.as_str()));
    let moved = store.update_payment_result(p.id, to, failure_ref, Some(outcome), now, &fx).await?;
    // The payer asked the provider to keep the card: its token and mask join the account.
    if let (true, PaymentStatus::Succeeded, Some(token), Some(masked)) = (moved, to, &said.card_token, &said.card) {
        let card = super::cards::LinkedCard {
            id: Uuid::now_v7(),
            user_id: p.user_id,
            token: token.clone(),
            masked: masked.clone(),
            expiry: said.card_expiry.clone().unwrap_or_default(),
            created_at: now,
        };
        store.insert_linked_card(&card).await?;
    }
    let now_stored = store.find_payment(p.id).await?.unwrap_or_else(|| p.clone());
    if !moved && to == PaymentStatus::Succeeded && now_stored.status.is_live() {
        // The charge already had its successful payment (paid twice in a race the checks
        // before the card could not see): this one is closed as a duplicate to be refunded.
        tracing::error!(payment = %p.id, "a second success for one charge: closed as a duplicate, refund needed");
        let duplicate =
            Some((DUPLICATE, "Начисление уже было оплачено: деньги за этот платёж зачислены на лицевой счёт"));
        let notice = NewNotice {
            user_id: p.user_id,
            at: now,
            kind: "payment".into(),
            title: "Повторный платёж зачислен на лицевой счёт".into(),
            text: format!(
                "Начисление «{}» (УИН {}) уже было оплачено; {} за повторный платёж зачислены на лицевой счёт: их можно вернуть на банковский счёт.",
                p.title, p.uin, p.amount
            ),
            link: "/payments/account".into(),
            critical: true,
        };
        let fx = Effects { audit: vec![], jobs: vec![], notices: vec![notice] };
        store.update_payment_result(p.id, PaymentStatus::Failed, duplicate, None, now, &fx).await?;
        return Ok(store.find_payment(p.id).await?.unwrap_or_else(|| p.clone()));
    }
    Ok(now_stored)
}

/// Asks the provider about a live payment and settles it.
pub async fn refresh(
    store: &dyn Store,
    provider: &dyn PaymentProvider,
    p: &Payment,
    now: OffsetDateTime,
) -> Result<Payment, PayError> {
    Ok(look(store, provider, p, now).await?.0)
}

/// [`refresh`], also telling whether the provider holds the money for the payer's SMS code.
pub async fn look(
    store: &dyn Store,
    provider: &dyn PaymentProvider,
    p: &Payment,
    now: OffsetDateTime,
) -> Result<(Payment, bool), PayError> {
    let (true, Some(id)) = (p.status.is_live(), p.provider_id.as_deref()) else { return Ok((p.clone(), false)) };
    let said = provider.status(id).await.map_err(|e| PayError::Unavailable(e.0))?;
    let settled = settle(store, p, &said, now).await?;
    let waiting = settled.status.is_live() && said.status == WAITING_FOR_CODE;
    Ok((settled, waiting))
}

/// The worker's job `check_payment`: asks about a payment whose outcome is unknown until it is
/// known; the provider itself expires an unfinished one after 90 minutes. The same queue's
/// `refund_fee` returns a rejected application's fee ([`super::fee::refund`]).
pub struct Checker {
    /// Storage.
    pub store: std::sync::Arc<dyn Store>,
    /// The provider.
    pub provider: std::sync::Arc<dyn PaymentProvider>,
}

#[async_trait]
impl crate::job::Handler for Checker {
    async fn handle(&self, job: &crate::job::Job, now: OffsetDateTime) -> Result<(), String> {
        // The provider's queue also returns rejected applications' fees.
        if job.kind() == Some(JobKind::RefundFee) {
            let Some(id) = job.job.payload["application"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .map(crate::application::record::ApplicationId)
            else {
                return Err("payload without an application".into());
            };
            return super::fee::refund(self.store.as_ref(), self.provider.as_ref(), id, now).await;
        }
        let Some(id) = job.job.payload["payment"].as_str().and_then(|s| s.parse::<Uuid>().ok()) else {
            return Err("payload without a payment".into());
        };
        let Some(p) = self.store.find_payment(id).await.map_err(|e| e.to_string())? else { return Ok(()) };
        if !p.status.is_live() {
            return Ok(());
        }
        // Created and never handed over (the provider was down): nothing to ask.
        if p.provider_id.is_none() && now - p.created_at > Duration::minutes(95) {
            let failure = Some(("P0020", "Платёж не завершён за 90 минут"));
            self.store
                .update_payment_result(p.id, PaymentStatus::Expired, failure, None, now, &Effects::none())
                .await
                .map_err(|e| e.to_string())?;
            return Ok(());
        }
        let p = match refresh(self.store.as_ref(), self.provider.as_ref(), &p, now).await {
            Ok(p) => p,
            // The provider silent for hours: the person is told to ask support, not left waiting.
            Err(e) if now - p.created_at > GIVE_UP_AFTER => {
                tracing::error!(payment = %p.id, error = %e, "payment outcome unknown for hours: closed for support");
                let failure = Some(("P0050", "Результат платежа неизвестен: обратитесь в поддержку"));
                self.store
                    .update_payment_result(p.id, PaymentStatus::Failed, failure, None, now, &Effects::none())
                    .await
                    .map_err(|e| e.to_string())?;
                return Ok(());
            }
            Err(e) => return Err(e.to_string()),
        };
        if p.status.is_live() {
            let next = check_job(p.id, now + CHECK_EVERY);
            self.store.insert_job(&next).await.map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}
