//! Storage of справка orders: the [`SpravkaStore`] port.

use super::order::{Order, OrderStatus, PostStatus};
use crate::document::issued::IssuedDocument;
use crate::ids::UserId;
use crate::signing::Signature;
use crate::store::{Effects, StoreResult};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Orders of справки.
#[async_trait]
pub trait SpravkaStore: Send + Sync {
    /// The next order number of `year` (1, 2, …).
    async fn next_spravka_number(&self, year: i32) -> StoreResult<i64>;
    /// Stores a new order; `Conflict` when the person already has one with its request key.
    async fn insert_spravka_order(&self, order: &Order, fx: &Effects) -> StoreResult<()>;
    /// An order by id.
    async fn find_spravka_order(&self, id: Uuid) -> StoreResult<Option<Order>>;
    /// A person's order by the form's request key.
    async fn find_spravka_order_by_key(&self, user: UserId, key: &str) -> StoreResult<Option<Order>>;
    /// The order that issued document `document`.
    async fn find_spravka_order_by_document(&self, document: Uuid) -> StoreResult<Option<Order>>;
    /// Up to `limit` orders still «Принят» or «Формируется» whose last change is before
    /// `before`, oldest first.
    async fn list_spravka_orders_stalled(&self, before: OffsetDateTime, limit: u32) -> StoreResult<Vec<Order>>;
    /// A person's orders, newest first.
    async fn list_spravka_orders_of_user(&self, user: UserId) -> StoreResult<Vec<Order>>;
    /// Moves an order from `from` to `to` (with the failure's code and text for «Ошибка»);
    /// `false` when it was not in `from` (nothing written).
    async fn update_spravka_order_status(
        &self,
        id: Uuid,
        from: OrderStatus,
        to: OrderStatus,
        error: Option<(&str, &str)>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool>;
    /// Files the made document (with the system's signature) and marks the order «Готово»
    /// with it, and its tracking number when it goes by post — one transaction; `false`
    /// when the order was not «Формируется» (nothing written).
    #[allow(clippy::too_many_arguments, reason = "one transaction: each part is named")]
    async fn complete_spravka_order(
        &self,
        id: Uuid,
        document: &IssuedDocument,
        signature: &Signature,
        der: &[u8],
        tracking: Option<&str>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool>;
    /// Moves the postal copy from `from` to `to`; `false` when it was not in `from`.
    async fn update_spravka_post(
        &self,
        id: Uuid,
        from: PostStatus,
        to: PostStatus,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool>;
}
