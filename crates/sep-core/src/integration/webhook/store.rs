//! Storage of webhook endpoints, their messages and the delivery log: the [`WebhookStore`]
//! port.

use super::{Attempt, Endpoint, Message, MessageState};
use crate::ids::UserId;
use crate::store::{Effects, StoreResult};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Which of an endpoint's messages to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageQuery {
    /// Only in this state.
    pub state: Option<MessageState>,
    /// Only created at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Only before this one in the order (created, id), newest first: the page's cursor.
    pub before: Option<(OffsetDateTime, String)>,
    /// At most this many.
    pub limit: usize,
}

/// Webhook endpoints, messages and attempts.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Stores a new endpoint.
    async fn insert_webhook_endpoint(&self, e: &Endpoint, fx: &Effects) -> StoreResult<()>;
    /// A person's endpoints, oldest first.
    async fn list_webhook_endpoints(&self, user: UserId) -> StoreResult<Vec<Endpoint>>;
    /// Endpoint `id` (`NotFound` when there is none).
    async fn get_webhook_endpoint(&self, id: Uuid) -> StoreResult<Endpoint>;
    /// Writes the endpoint's secrets, failure and disabling as given.
    async fn update_webhook_endpoint(&self, e: &Endpoint, fx: &Effects) -> StoreResult<()>;
    /// Removes endpoint `id` with its messages and their log.
    async fn delete_webhook_endpoint(&self, id: Uuid, fx: &Effects) -> StoreResult<()>;
    /// Stores new messages (one already stored is left as it is).
    async fn insert_webhook_messages(&self, messages: &[Message], fx: &Effects) -> StoreResult<()>;
    /// Message `id` (`NotFound` when there is none).
    async fn get_webhook_message(&self, id: &str) -> StoreResult<Message>;
    /// An endpoint's messages, newest first.
    async fn list_webhook_messages(&self, endpoint: Uuid, q: &MessageQuery) -> StoreResult<Vec<Message>>;
    /// Writes a message's state and attempts, with the attempt made (if any) and its
    /// endpoint's change (if any), in one transaction.
    async fn update_webhook_message(
        &self,
        m: &Message,
        attempt: Option<&Attempt>,
        endpoint: Option<&Endpoint>,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// A message's attempts, first first.
    async fn list_webhook_attempts(&self, message: &str) -> StoreResult<Vec<Attempt>>;
}
