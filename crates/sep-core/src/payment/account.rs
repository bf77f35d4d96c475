//! «Лицевой счёт» (SPEC P3, seed 003 «Управление информацией о лицевом счете»): the money the
//! budget holds for the person — overpayments ГИС ГМП reports and payments made here twice —
//! less what was returned. The balance is read, not kept: credits come from the registry and
//! the payments table, debits from refund requests; only refunds are stored. A refund goes to
//! a bank account checked by its control key, carries the balance the person saw (a changed
//! balance refuses it, so two tabs cannot return the same money twice), and is carried out by
//! the treasury through a job. Balance alerts go by e-mail or SMS when it changes.

use super::bank::{BankAccount, BankError};
use super::pay::PaymentStatus;
use super::{ChargeRegistry, ChargesError};
use crate::StoreError;
use crate::audit::{NewAuditEvent, Origin};
use crate::job::{Handler, Job, JobKind, NewJob, Queue};
use crate::money::Kopecks;
use crate::notice::NewNotice;
use crate::registry::Unavailable;
use crate::store::{Effects, Store};
use crate::user::User;
use async_trait::async_trait;
use std::sync::Arc;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The queue of refunds.
pub const QUEUE: Queue = Queue::Refunds;

/// An overpayment ГИС ГМП (the tax service) holds for the payer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overpayment {
    /// The registry's id of it.
    pub id: String,
    /// When it arose.
    pub date: Date,
    /// How much.
    pub amount: Kopecks,
    /// What it is («Переплата по транспортному налогу за 2024 год»).
    pub title: String,
}

/// Where a refund is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundStatus {
    /// «Принято»: stored, sent to the treasury.
    Accepted,
    /// «Исполнено»: the money went to the account.
    Paid,
    /// «Отклонено»: the treasury refused; the money stays on the balance.
    Rejected,
}

impl RefundStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Accepted, Self::Paid, Self::Rejected];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Paid => "paid",
            Self::Rejected => "rejected",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// As people read it.
    pub const fn title(self) -> &'static str {
        match self {
            Self::Accepted => "Принято",
            Self::Paid => "Исполнено",
            Self::Rejected => "Отклонено",
        }
    }
}

/// A refund of an overpayment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// Id.
    pub id: Uuid,
    /// Whose.
    pub user_id: crate::ids::UserId,
    /// How much.
    pub amount: Kopecks,
    /// The bank's БИК.
    pub bic: String,
    /// The account, 20 digits.
    pub account: String,
    /// The account holder (the person).
    pub recipient: String,
    /// Status.
    pub status: RefundStatus,
    /// Why the treasury refused it.
    pub reason: Option<String>,
    /// The form's one-time key.
    pub request_key: String,
    /// Requested at.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

impl Refund {
    /// The number people quote: the first eight hex digits of its id, upper case.
    pub fn number(&self) -> String {
        self.id.simple().to_string()[..8].to_uppercase()
    }

    /// Whether it takes money off the balance (not refused).
    pub const fn counts(&self) -> bool {
        !matches!(self.status, RefundStatus::Rejected)
    }
}

/// What kind of operation a line of the account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// A charge paid here (from a card, СБП or a wallet: the balance does not change).
    Payment,
    /// Money credited: an overpayment, or a payment made twice.
    Credit,
    /// Money returned to a bank account.
    Refund,
}

impl OpKind {
    /// Every kind.
    pub const ALL: [Self; 3] = [Self::Payment, Self::Credit, Self::Refund];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Payment => "payment",
            Self::Credit => "credit",
            Self::Refund => "refund",
        }
    }

    /// From the code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// As people read it.
    pub const fn title(self) -> &'static str {
        match self {
            Self::Payment => "Оплата начисления",
            Self::Credit => "Зачисление переплаты",
            Self::Refund => "Возврат на счёт",
        }
    }
}

/// A line of the account's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// When.
    pub at: OffsetDateTime,
    /// What kind.
    pub kind: OpKind,
    /// What it was.
    pub title: String,
    /// How much.
    pub amount: Kopecks,
    /// How it changed the balance: `+` credit, `−` refund, 0 for a payment.
    pub effect: Kopecks,
    /// Its status in words («Исполнено»).
    pub status: &'static str,
    /// Where to see it in the portal.
    pub link: Option<String>,
}

/// Which operations the history shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpFilter {
    /// Only this kind.
    pub kind: Option<OpKind>,
    /// From this day (Moscow).
    pub from: Option<Date>,
    /// Up to this day (Moscow).
    pub to: Option<Date>,
}

impl OpFilter {
    fn keeps(&self, o: &Operation) -> bool {
        let day = crate::clock::moscow_day(o.at);
        self.kind.is_none_or(|k| o.kind == k) && self.from.is_none_or(|d| day >= d) && self.to.is_none_or(|d| day <= d)
    }
}

/// The account as the person sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// What can be returned now.
    pub balance: Kopecks,
    /// Credited in all.
    pub credited: Kopecks,
    /// Being returned (accepted, not yet carried out).
    pub pending: Kopecks,
    /// Returned.
    pub refunded: Kopecks,
    /// The history that passes the filter, newest first.
    pub operations: Vec<Operation>,
    /// The refunds, newest first.
    pub refunds: Vec<Refund>,
}

fn moscow_noon(d: Date) -> OffsetDateTime {
    // A registry date has no time: noon in Moscow keeps it on its day in any view.
    d.with_hms(9, 0, 0).map_or(OffsetDateTime::UNIX_EPOCH, time::PrimitiveDateTime::assume_utc)
}

/// The account of `user` on `today`, its history filtered by `filter`.
pub async fn account(
    store: &dyn Store,
    registry: &dyn ChargeRegistry,
    user: &User,
    filter: &OpFilter,
) -> Result<Account, ChargesError> {
    let mut ops = Vec::new();
    if let Some(inn) = &user.profile.inn {
        for o in registry.overpayments_of(inn.as_str()).await? {
            ops.push(Operation {
                at: moscow_noon(o.date),
                kind: OpKind::Credit,
                title: o.title,
                amount: o.amount,
                effect: o.amount,
                status: "Зачислено",
                link: None,
            });
        }
    }
    for p in store.list_payments_of_user(user.id).await? {
        let link = Some(format!("/payments/result/{}", p.id));
        match p.status {
            PaymentStatus::Succeeded => ops.push(Operation {
                at: p.updated_at,
                kind: OpKind::Payment,
                title: format!("{} (УИН {})", p.title, p.uin),
                amount: p.amount,
                effect: Kopecks(0),
                status: "Исполнено",
                link,
            }),
            // Money taken for a charge already paid: the payer's, on the balance — the
            // person's own charge only (an organisation's is the organisation's money).
            PaymentStatus::Failed
                if p.failure.as_ref().is_some_and(|f| f.0 == super::pay::DUPLICATE)
                    && own_charge(registry, user, &p.uin).await? =>
            {
                ops.push(Operation {
                    at: p.updated_at,
                    kind: OpKind::Credit,
                    title: format!("Повторный платёж по УИН {} — «{}»", p.uin, p.title),
                    amount: p.amount,
                    effect: p.amount,
                    status: "Зачислено",
                    link,
                });
            }
            _ => {}
        }
    }
    let refunds = store.list_refunds_of_user(user.id).await?;
    for r in &refunds {
        ops.push(Operation {
            at: r.created_at,
            kind: OpKind::Refund,
            title: format!("Возврат № {} на счёт {}", r.number(), masked(&r.account)),
            amount: r.amount,
            effect: if r.counts() { Kopecks(-r.amount.0) } else { Kopecks(0) },
            status: r.status.title(),
            link: None,
        });
    }
    let credited = Kopecks(ops.iter().filter(|o| o.kind == OpKind::Credit).map(|o| o.amount.0).sum());
    let sum = |s: RefundStatus| Kopecks(refunds.iter().filter(|r| r.status == s).map(|r| r.amount.0).sum());
    let (pending, refunded) = (sum(RefundStatus::Accepted), sum(RefundStatus::Paid));
    ops.sort_by_key(|o| std::cmp::Reverse(o.at));
    ops.retain(|o| filter.keeps(o));
    Ok(Account {
        balance: Kopecks(credited.0 - pending.0 - refunded.0),
        credited,
        pending,
        refunded,
        operations: ops,
        refunds,
    })
}

/// Whether the charge `uin` is the person's own (by ИНН), not an organisation's they paid.
async fn own_charge(registry: &dyn ChargeRegistry, user: &User, uin: &str) -> Result<bool, ChargesError> {
    let (Some(inn), Ok(uin)) = (&user.profile.inn, super::Uin::parse(uin)) else { return Ok(false) };
    let today = crate::clock::moscow_day(OffsetDateTime::now_utc());
    Ok(registry.charge(&uin, today).await?.is_some_and(|c| c.payer_inn == inn.as_str()))
}

/// «•••• 5982»: how an account is shown once given.
pub fn masked(account: &str) -> String {
    format!("•••• {}", account.get(16..).unwrap_or_default())
}

/// The refund form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefundForm {
    /// Amount in rubles, `1 234,56`.
    pub amount: String,
    /// БИК.
    pub bic: String,
    /// Account.
    pub account: String,
    /// The balance the page showed, kopecks: a changed balance refuses the request.
    pub expected: String,
    /// The form's one-time key.
    pub request_key: String,
}

/// Why a refund was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    /// The amount is not a sum of money.
    #[error("Сумма возврата указана неверно: нужны рубли и копейки, например 1 250,00.")]
    AmountInvalid,
    /// More than the balance.
    #[error("Сумма возврата больше баланса лицевого счёта.")]
    AmountTooLarge,
    /// Bank details refused.
    #[error("{0}")]
    Bank(#[from] BankError),
    /// The balance changed since the page was drawn (another tab, a refund carried out).
    #[error("Баланс лицевого счёта изменился, пока страница была открыта.")]
    BalanceChanged,
    /// ГИС ГМП did not answer.
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RefundError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AmountInvalid => "refund_amount_invalid",
            Self::AmountTooLarge => "refund_amount_too_large",
            Self::Bank(b) => b.code(),
            Self::BalanceChanged => "refund_balance_changed",
            Self::Unavailable(_) => "charges_unavailable",
            Self::Store(_) => "internal",
        }
    }

    /// What to do about it.
    pub fn action(&self) -> &'static str {
        match self {
            Self::AmountInvalid => "Укажите сумму не больше баланса, например 1 250,00.",
            Self::AmountTooLarge => "Уменьшите сумму до баланса, указанного на странице.",
            Self::Bank(BankError::BicInvalid) => "Возьмите БИК из реквизитов счёта в приложении банка.",
            Self::Bank(_) => "Сверьте номер счёта и БИК с реквизитами из приложения банка.",
            Self::BalanceChanged => "Посмотрите новый баланс на странице и отправьте заявление ещё раз.",
            Self::Unavailable(_) => "Повторите через несколько минут; деньги остаются на лицевом счёте.",
            Self::Store(_) => "Повторите позже.",
        }
    }
}

impl From<ChargesError> for RefundError {
    fn from(e: ChargesError) -> Self {
        match e {
            ChargesError::Unavailable(u) => Self::Unavailable(u),
            ChargesError::Store(s) => Self::Store(s),
        }
    }
}

/// «Вернуть на счёт»: checks the form against the balance the person saw, stores the refund
/// with its job. The same form sent twice is one refund.
pub async fn request_refund(
    store: &dyn Store,
    registry: &dyn ChargeRegistry,
    user: &User,
    form: &RefundForm,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Refund, RefundError> {
    let key: String = form.request_key.chars().filter(char::is_ascii_alphanumeric).take(64).collect();
    if !key.is_empty()
        && let Some(same) = store.find_refund_by_key(user.id, &key).await?
    {
        return Ok(same);
    }
    let amount = Kopecks::parse_rubles(&form.amount).filter(|k| k.0 > 0).ok_or(RefundError::AmountInvalid)?;
    let bank = BankAccount::parse(&form.bic, &form.account)?;
    let acc = account(store, registry, user, &OpFilter::default()).await?;
    if form.expected.trim().parse::<i64>().ok() != Some(acc.balance.0) {
        return Err(RefundError::BalanceChanged);
    }
    if amount > acc.balance {
        return Err(RefundError::AmountTooLarge);
    }
    let r = Refund {
        id: Uuid::now_v7(),
        user_id: user.id,
        amount,
        bic: bank.bic.as_str().to_owned(),
        account: bank.number.clone(),
        recipient: user.profile.full_name(),
        status: RefundStatus::Accepted,
        reason: None,
        request_key: if key.is_empty() { crate::spravka::request_key() } else { key },
        created_at: now,
        updated_at: now,
    };
    let mut e = origin.event(now, "refund.requested", Some(user.id));
    e.object = Some(format!("refund:{}", r.id));
    e.details = serde_json::json!({ "amount": amount.0, "account": bank.masked() });
    let job = NewJob::of(JobKind::ProcessRefund, serde_json::json!({ "refund": r.id }), now);
    let fx = Effects { audit: vec![e], jobs: vec![job], notices: vec![] };
    // What the person saw as being returned must still be: two tabs cannot both pass.
    let reserved = Kopecks(acc.pending.0 + acc.refunded.0);
    match store.insert_refund(&r, reserved, &fx).await {
        Ok(()) => Ok(r),
        Err(StoreError::Conflict { .. }) => match store.find_refund_by_key(user.id, &r.request_key).await? {
            Some(same) => Ok(same),
            None => Err(RefundError::BalanceChanged),
        },
        Err(e) => Err(e.into()),
    }
}

/// The treasury that carries out refunds (the emulator, or a real adapter).
#[async_trait]
pub trait Treasury: Send + Sync {
    /// Sends the money; `Ok(Err(reason))` when it refuses (a closed account). The refund's id
    /// is its idempotency key: asked again (the job retried after a crash between the
    /// treasury's answer and the status written), it answers the first outcome and sends
    /// nothing more.
    async fn refund(&self, r: &Refund) -> Result<Result<(), String>, Unavailable>;
}

/// Balance alerts: on or off, through which channels, from which balance.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Alerts {
    /// By e-mail.
    pub email: bool,
    /// By SMS.
    pub sms: bool,
    /// Only when the balance is at least this (with either side of a change); `None`: any change.
    pub threshold: Option<Kopecks>,
    /// The balance last seen, to tell a change.
    pub last_balance: Option<Kopecks>,
}

impl Alerts {
    /// Whether any channel is on.
    pub const fn on(&self) -> bool {
        self.email || self.sms
    }
}

/// The notification (and its e-mail and SMS) for a balance that went from `old` to `new`,
/// if the alerts ask for it.
pub fn alert(user: &User, alerts: &Alerts, old: Kopecks, new: Kopecks, now: OffsetDateTime) -> Effects {
    let mut fx = Effects::none();
    if !alerts.on() || old == new || alerts.threshold.is_some_and(|t| old < t && new < t) {
        return fx;
    }
    let text = format!("Баланс лицевого счёта изменился: было {old}, стало {new}.");
    fx.notices.push(NewNotice {
        user_id: user.id,
        at: now,
        kind: "payment".into(),
        title: "Баланс лицевого счёта изменился".into(),
        text: text.clone(),
        link: "/payments/account".into(),
        critical: false,
    });
    if let (true, Some(to)) = (alerts.email, &user.profile.email) {
        let payload = serde_json::json!({ "to": to.as_str(), "subject": "Баланс лицевого счёта в СЭП", "text": text });
        fx.jobs.push(NewJob::of(JobKind::SendEmail, payload, now));
    }
    if let (true, Some(to)) = (alerts.sms, &user.profile.phone) {
        fx.jobs.push(NewJob::of(JobKind::SendSms, serde_json::json!({ "to": to.as_str(), "text": text }), now));
    }
    fx
}

/// Looks at the balance of a person with alerts on and tells them of a change since it was
/// last seen (the worker's hourly sweep, and after every refund's outcome).
pub async fn watch(
    store: &dyn Store,
    registry: &dyn ChargeRegistry,
    user: &User,
    now: OffsetDateTime,
) -> Result<(), ChargesError> {
    let Some(alerts) = store.find_account_alerts(user.id).await? else { return Ok(()) };
    if !alerts.on() {
        return Ok(());
    }
    let balance = account(store, registry, user, &OpFilter::default()).await?.balance;
    let old = alerts.last_balance.unwrap_or(balance);
    if alerts.last_balance == Some(balance) {
        return Ok(());
    }
    let fx = alert(user, &alerts, old, balance, now);
    // Only the balance is written, and only if it is still the one read: settings changed
    // meanwhile stay, and of two workers looking at once one tells the person.
    store.update_alert_balance(user.id, alerts.last_balance, balance, &fx).await?;
    Ok(())
}

/// The worker's hourly look at every balance with alerts on (an overpayment ГИС ГМП reports
/// arrives without the portal doing anything); returns how many were looked at.
pub async fn watch_all(
    store: &dyn Store,
    registry: &dyn ChargeRegistry,
    now: OffsetDateTime,
) -> Result<usize, ChargesError> {
    let users = store.list_users_with_alerts().await?;
    let mut looked = 0;
    for id in &users {
        // One person's failure does not stop the others' alerts.
        let done = match store.get_user(*id).await {
            Ok(user) => watch(store, registry, &user, now).await,
            Err(e) => Err(e.into()),
        };
        match done {
            Ok(()) => looked += 1,
            Err(e) => tracing::warn!(error = %e, "balance alert not checked"),
        }
    }
    Ok(looked)
}

/// Switches the alerts (the page's one button per channel) and the threshold, remembering the
/// balance now so that only later changes are told.
#[allow(clippy::too_many_arguments, reason = "the use case takes each port it needs by name, as the others do")]
pub async fn set_alerts(
    store: &dyn Store,
    registry: &dyn ChargeRegistry,
    user: &User,
    email: bool,
    sms: bool,
    threshold: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Alerts, RefundError> {
    let threshold = match threshold.trim() {
        "" => None,
        t => Some(Kopecks::parse_rubles(t).filter(|k| k.0 >= 0).ok_or(RefundError::AmountInvalid)?),
    };
    let balance = account(store, registry, user, &OpFilter::default()).await?.balance;
    let alerts = Alerts { email, sms, threshold, last_balance: Some(balance) };
    let mut e = origin.event(now, "account.alerts_changed", Some(user.id));
    e.details = serde_json::json!({ "email": email, "sms": sms, "threshold": threshold.map(|t| t.0) });
    store.upsert_account_alerts(user.id, &alerts, &Effects::audit(e)).await?;
    Ok(alerts)
}

/// The worker's job `process_refund`: hands an accepted refund to the treasury and records
/// what it did, with the person's notification; a silent treasury is asked again later.
pub struct RefundDesk {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// ГИС ГМП, for the balance alert after the outcome.
    pub registry: Arc<dyn ChargeRegistry>,
    /// The treasury.
    pub treasury: Arc<dyn Treasury>,
}

#[async_trait]
impl Handler for RefundDesk {
    async fn handle(&self, job: &Job, now: OffsetDateTime) -> Result<(), String> {
        let Some(id) = job.job.payload["refund"].as_str().and_then(|s| s.parse::<Uuid>().ok()) else {
            return Err("payload without a refund".into());
        };
        let e = |e: StoreError| e.to_string();
        let Some(r) = self.store.find_refund(id).await.map_err(e)? else { return Ok(()) };
        if r.status != RefundStatus::Accepted {
            return Ok(());
        }
        let answer = self.treasury.refund(&r).await.map_err(|u| u.to_string())?;
        let (to, reason) = match answer {
            Ok(()) => (RefundStatus::Paid, None),
            Err(why) => (RefundStatus::Rejected, Some(why)),
        };
        let mut a = NewAuditEvent::system(now, &format!("refund.{}", to.code()), Some(r.user_id));
        a.object = Some(format!("refund:{}", r.id));
        let text = match &reason {
            None => format!(
                "Возврат № {} на {} исполнен: {} отправлены на счёт {}.",
                r.number(),
                r.amount,
                r.amount,
                masked(&r.account)
            ),
            Some(why) => format!("Возврат № {} отклонён: {why} Деньги остаются на лицевом счёте.", r.number()),
        };
        let notice = NewNotice {
            user_id: r.user_id,
            at: now,
            kind: "payment".into(),
            title: if reason.is_none() { "Возврат исполнен" } else { "Возврат отклонён" }.into(),
            text,
            link: "/payments/account".into(),
            critical: reason.is_some(),
        };
        let fx = Effects { audit: vec![a], jobs: vec![], notices: vec![notice] };
        self.store.update_refund_status(r.id, to, reason.as_deref(), now, &fx).await.map_err(e)?;
        let user = self.store.get_user(r.user_id).await.map_err(e)?;
        // The alert is best effort: the refund's outcome is recorded either way.
        if let Err(err) = watch(self.store.as_ref(), self.registry.as_ref(), &user, now).await {
            tracing::warn!(error = %err, "balance alert after a refund not checked");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        let now = OffsetDateTime::UNIX_EPOCH;
        let profile = crate::user::Profile {
            last_name: "Иванов".into(),
            first_name: "Иван".into(),
            email: Some(crate::ident::Email::parse("ivanov@example.ru").unwrap()),
            phone: Some(crate::ident::Phone::parse("+79123456789").unwrap()),
            ..Default::default()
        };
        User {
            id: crate::ids::UserId(Uuid::now_v7()),
            role: crate::user::Role::Citizen,
            profile,
            created_at: now,
            updated_at: now,
            terms_accepted: None,
            registered_at: None,
            agency: None,
            settings: crate::settings::Settings::default(),
        }
    }

    #[test]
    fn alerts_follow_their_channels_and_threshold() {
        let u = user();
        let now = OffsetDateTime::UNIX_EPOCH;
        let off = Alerts::default();
        assert!(alert(&u, &off, Kopecks(0), Kopecks(100), now).notices.is_empty(), "off: nothing");
        let both = Alerts { email: true, sms: true, ..Alerts::default() };
        let fx = alert(&u, &both, Kopecks(125_000), Kopecks(25_000), now);
        assert_eq!(fx.notices.len(), 1);
        assert_eq!(fx.jobs.iter().map(|j| j.kind.as_str()).collect::<Vec<_>>(), ["send_email", "send_sms"]);
        assert!(
            fx.notices[0].text.contains("было 1\u{a0}250,00\u{a0}₽, стало 250,00\u{a0}₽"),
            "{}",
            fx.notices[0].text
        );
        assert!(alert(&u, &both, Kopecks(5), Kopecks(5), now).notices.is_empty(), "no change");
        let high = Alerts { email: true, threshold: Some(Kopecks(100_000)), ..Alerts::default() };
        assert!(alert(&u, &high, Kopecks(10), Kopecks(20), now).notices.is_empty(), "both below the threshold");
        assert_eq!(alert(&u, &high, Kopecks(10), Kopecks(100_000), now).jobs.len(), 1, "reaching it");
    }

    #[test]
    fn codes_read_back_and_numbers_are_short() {
        for s in RefundStatus::ALL {
            assert_eq!(RefundStatus::from_code(s.code()), Some(s));
        }
        for k in OpKind::ALL {
            assert_eq!(OpKind::from_code(k.code()), Some(k));
        }
        let r = Refund {
            id: Uuid::parse_str("0193a4f2-0000-7000-8000-000000000000").unwrap(),
            user_id: crate::ids::UserId(Uuid::now_v7()),
            amount: Kopecks(1),
            bic: String::new(),
            account: "40817810938160925982".into(),
            recipient: String::new(),
            status: RefundStatus::Rejected,
            reason: None,
            request_key: String::new(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        };
        assert_eq!(r.number(), "0193A4F2");
        assert!(!r.counts(), "a refused refund leaves the money on the balance");
        assert_eq!(masked(&r.account), "•••• 5982");
    }
}
