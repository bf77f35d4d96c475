//! Storage of payment attempts: the [`PaymentStore`] port.

use super::account::{Alerts, Refund, RefundStatus};
use super::pay::{Payment, PaymentStatus};
use crate::ids::UserId;
use crate::money::Kopecks;
use crate::store::{Effects, StoreResult};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// What the provider reported of a successful payment: RRN, authorisation code, masked card.
pub type Outcome = (Option<String>, Option<String>, Option<String>);

/// Payment attempts.
#[async_trait]
pub trait PaymentStore: Send + Sync {
    /// Stores a new attempt; `Conflict` when the charge already has a live one (or the person
    /// this request key).
    async fn insert_payment(&self, p: &Payment, fx: &Effects) -> StoreResult<()>;
    /// An attempt by id.
    async fn find_payment(&self, id: Uuid) -> StoreResult<Option<Payment>>;
    /// An attempt by the provider's id.
    async fn find_payment_by_provider(&self, provider_id: &str) -> StoreResult<Option<Payment>>;
    /// A person's attempt by the form's key.
    async fn find_payment_by_key(&self, user: UserId, key: &str) -> StoreResult<Option<Payment>>;
    /// The charge's successful payment, if any.
    async fn find_succeeded_payment(&self, uin: &str) -> StoreResult<Option<Payment>>;
    /// The charge's live attempt (created or pending), if any.
    async fn find_live_payment(&self, uin: &str) -> StoreResult<Option<Payment>>;
    /// A person's attempts, newest first.
    async fn list_payments_of_user(&self, user: UserId) -> StoreResult<Vec<Payment>>;
    /// Records the provider's id and confirmation address of a created attempt, now pending.
    async fn update_payment_started(
        &self,
        id: Uuid,
        provider_id: &str,
        confirmation_url: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Files the receipt of a successful payment (the document, its signature) and links it,
    /// one transaction; `false` when the payment already has one or did not succeed.
    async fn complete_receipt(
        &self,
        id: Uuid,
        document: &crate::document::issued::IssuedDocument,
        signature: &crate::signing::Signature,
        der: &[u8],
        fx: &Effects,
    ) -> StoreResult<bool>;
    /// Moves a live attempt to a final `to` with its failure or outcome; `false` when it was
    /// not live any more (nothing written) — or, for success, when the charge already has a
    /// successful payment.
    async fn update_payment_result(
        &self,
        id: Uuid,
        to: PaymentStatus,
        failure: Option<(&str, &str)>,
        outcome: Option<Outcome>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool>;
    /// Stores a refund only while the person's refunds not refused still total `reserved`
    /// (what the person saw when asking); else `Conflict` and nothing is written. The same
    /// request key twice is a `Conflict` too.
    async fn insert_refund(&self, r: &Refund, reserved: Kopecks, fx: &Effects) -> StoreResult<()>;
    /// A refund by id.
    async fn find_refund(&self, id: Uuid) -> StoreResult<Option<Refund>>;
    /// A person's refund by the form's key.
    async fn find_refund_by_key(&self, user: UserId, key: &str) -> StoreResult<Option<Refund>>;
    /// A person's refunds, newest first.
    async fn list_refunds_of_user(&self, user: UserId) -> StoreResult<Vec<Refund>>;
    /// Moves an accepted refund to `to` with the treasury's reason; `false` when it was not
    /// accepted any more (nothing written).
    async fn update_refund_status(
        &self,
        id: Uuid,
        to: RefundStatus,
        reason: Option<&str>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool>;
    /// A person's balance alerts.
    async fn find_account_alerts(&self, user: UserId) -> StoreResult<Option<Alerts>>;
    /// Replaces a person's balance alerts.
    async fn upsert_account_alerts(&self, user: UserId, alerts: &Alerts, fx: &Effects) -> StoreResult<()>;
    /// Records the balance last told, only if the stored one is still `expected`; `false`
    /// (nothing written, the effects dropped) when it changed meanwhile or alerts are gone.
    async fn update_alert_balance(
        &self,
        user: UserId,
        expected: Option<Kopecks>,
        balance: Kopecks,
        fx: &Effects,
    ) -> StoreResult<bool>;
    /// Links a saved card; the same token again changes nothing.
    async fn insert_linked_card(&self, card: &super::cards::LinkedCard) -> StoreResult<()>;
    /// A person's linked cards, oldest first.
    async fn list_linked_cards(&self, user: UserId) -> StoreResult<Vec<super::cards::LinkedCard>>;
    /// Unlinks the person's card; `false` when there was no such card of theirs.
    async fn delete_linked_card(&self, user: UserId, id: Uuid, fx: &Effects) -> StoreResult<bool>;
    /// Everyone with an alert channel on.
    async fn list_users_with_alerts(&self) -> StoreResult<Vec<UserId>>;
    /// The SMS code of a held card payment and how many were sent.
    async fn find_payment_code(&self, payment: Uuid) -> StoreResult<Option<(crate::otp::CodeState, u32)>>;
    /// Stores the payment's code and send count only if the stored ones are still `expected`
    /// (`None`: there were none), else `Conflict` and nothing is written.
    async fn upsert_payment_code(
        &self,
        payment: Uuid,
        code: &crate::otp::CodeState,
        sent: u32,
        expected: Option<(&crate::otp::CodeState, u32)>,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// Stores an application's fee, replacing its earlier one only while that still has УИН
    /// `expected` (`None`: there was none); else `Conflict` and nothing is written.
    async fn upsert_fee(&self, fee: &super::fee::Fee, expected: Option<&str>, fx: &Effects) -> StoreResult<()>;
    /// An application's fee.
    async fn find_fee(
        &self,
        application: crate::application::record::ApplicationId,
    ) -> StoreResult<Option<super::fee::Fee>>;
    /// The fee with this УИН.
    async fn find_fee_by_uin(&self, uin: &str) -> StoreResult<Option<super::fee::Fee>>;
    /// Every fee, oldest first.
    async fn list_fees(&self) -> StoreResult<Vec<super::fee::Fee>>;
    /// Records a fee's refund outcome once: `false` (nothing written) when it has one already.
    async fn update_fee_refund(
        &self,
        application: crate::application::record::ApplicationId,
        to: super::fee::FeeRefund,
        reason: Option<&str>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool>;
}
