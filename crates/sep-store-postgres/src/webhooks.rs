//! [`WebhookStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, map_err};
use sep_core::StoreError;
use sep_core::ids::UserId;
use sep_core::integration::webhook::store::{MessageQuery, WebhookStore};
use sep_core::integration::webhook::{Attempt, Endpoint, EventType, Message, MessageState};
use sep_core::store::{Effects, StoreResult};
use time::OffsetDateTime;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

const ENDPOINT: &str = "SELECT id, user_id, url, events, secret, previous_secret, previous_until, created_at,
    failing_since, disabled_at, disabled_reason FROM webhook_endpoints";
const MESSAGE: &str = "SELECT id, endpoint_id, event_type, body, created_at, state, attempts FROM webhook_messages";

fn endpoint_row(r: &Row) -> StoreResult<Endpoint> {
    let events: &str = r.get(3);
    let previous = match (r.get::<_, Option<String>>(5), r.get::<_, Option<OffsetDateTime>>(6)) {
        (Some(s), Some(until)) => Some((s, until)),
        _ => None,
    };
    let disabled = match (r.get::<_, Option<OffsetDateTime>>(9), r.get::<_, Option<String>>(10)) {
        (Some(at), Some(why)) => Some((at, why)),
        _ => None,
    };
    Ok(Endpoint {
        id: r.get(0),
        user_id: UserId(r.get(1)),
        url: r.get(2),
        events: events
            .split_whitespace()
            .map(|c| EventType::from_code(c).ok_or_else(|| bad_code("webhook event", c)))
            .collect::<Result<_, _>>()?,
        secret: r.get(4),
        previous,
        created_at: r.get(7),
        failing_since: r.get(8),
        disabled,
    })
}

fn message_row(r: &Row) -> StoreResult<Message> {
    let kind: &str = r.get(2);
    let state: &str = r.get(5);
    Ok(Message {
        id: r.get(0),
        endpoint_id: r.get(1),
        event_type: EventType::from_code(kind).ok_or_else(|| bad_code("webhook event", kind))?,
        body: r.get(3),
        created_at: r.get(4),
        state: MessageState::from_code(state).ok_or_else(|| bad_code("webhook message state", state))?,
        attempts: r.get(6),
    })
}

fn events_text(events: &[EventType]) -> String {
    events.iter().map(|e| e.code()).collect::<Vec<_>>().join(" ")
}

async fn write_endpoint(c: &deadpool_postgres::Transaction<'_>, e: &Endpoint) -> StoreResult<()> {
    c.run(
        "UPDATE webhook_endpoints SET url = $2, events = $3, secret = $4, previous_secret = $5, previous_until = $6,
            failing_since = $7, disabled_at = $8, disabled_reason = $9
         WHERE id = $1",
        &[
            &e.id,
            &e.url,
            &events_text(&e.events),
            &e.secret,
            &e.previous.as_ref().map(|p| p.0.clone()),
            &e.previous.as_ref().map(|p| p.1),
            &e.failing_since,
            &e.disabled.as_ref().map(|d| d.0),
            &e.disabled.as_ref().map(|d| d.1.clone()),
        ],
    )
    .await
    .map_err(map_err)?;
    Ok(())
}

#[async_trait::async_trait]
impl WebhookStore for PgStore {
    async fn insert_webhook_endpoint(&self, e: &Endpoint, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "INSERT INTO webhook_endpoints (id, user_id, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&e.id, &e.user_id.0, &e.url, &events_text(&e.events), &e.secret, &e.created_at],
        )
        .await
        .map_err(map_err)?;
        write_endpoint(&tx, e).await?;
        crate::effects::commit(tx, fx).await
    }

    async fn list_webhook_endpoints(&self, user: UserId) -> StoreResult<Vec<Endpoint>> {
        let client = self.client().await?;
        let rows = client
            .rows(&format!("{ENDPOINT} WHERE user_id = $1 ORDER BY created_at, id"), &[&user.0])
            .await
            .map_err(map_err)?;
        rows.iter().map(endpoint_row).collect()
    }

    async fn get_webhook_endpoint(&self, id: Uuid) -> StoreResult<Endpoint> {
        let client = self.client().await?;
        let row = client.maybe_row(&format!("{ENDPOINT} WHERE id = $1"), &[&id]).await.map_err(map_err)?;
        row.as_ref().map(endpoint_row).ok_or(StoreError::NotFound)?
    }

    async fn update_webhook_endpoint(&self, e: &Endpoint, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        write_endpoint(&tx, e).await?;
        crate::effects::commit(tx, fx).await
    }

    async fn delete_webhook_endpoint(&self, id: Uuid, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "DELETE FROM webhook_attempts WHERE message_id IN (SELECT id FROM webhook_messages WHERE endpoint_id = $1)",
            &[&id],
        )
        .await
        .map_err(map_err)?;
        tx.run("DELETE FROM webhook_messages WHERE endpoint_id = $1", &[&id]).await.map_err(map_err)?;
        tx.run("DELETE FROM webhook_endpoints WHERE id = $1", &[&id]).await.map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn insert_webhook_messages(&self, messages: &[Message], fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        for m in messages {
            tx.run(
                "INSERT INTO webhook_messages (id, endpoint_id, event_type, body, created_at, state, attempts)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
                &[&m.id, &m.endpoint_id, &m.event_type.code(), &m.body, &m.created_at, &m.state.code(), &m.attempts],
            )
            .await
            .map_err(map_err)?;
        }
        crate::effects::commit(tx, fx).await
    }

    async fn get_webhook_message(&self, id: &str) -> StoreResult<Message> {
        let client = self.client().await?;
        let row = client.maybe_row(&format!("{MESSAGE} WHERE id = $1"), &[&id]).await.map_err(map_err)?;
        row.as_ref().map(message_row).ok_or(StoreError::NotFound)?
    }

    async fn list_webhook_messages(&self, endpoint: Uuid, q: &MessageQuery) -> StoreResult<Vec<Message>> {
        let state = q.state.map(MessageState::code);
        let (before_at, before_id) = match &q.before {
            Some((at, id)) => (Some(*at), Some(id.clone())),
            None => (None, None),
        };
        let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
        let args: [&(dyn ToSql + Sync); 6] = [&endpoint, &state, &q.since, &before_at, &before_id, &limit];
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!(
                    "{MESSAGE} WHERE endpoint_id = $1
                        AND ($2::TEXT IS NULL OR state = $2)
                        AND ($3::TIMESTAMPTZ IS NULL OR created_at >= $3)
                        AND ($4::TIMESTAMPTZ IS NULL OR created_at < $4 OR (created_at = $4 AND id < $5))
                     ORDER BY created_at DESC, id DESC LIMIT $6"
                ),
                &args,
            )
            .await
            .map_err(map_err)?;
        rows.iter().map(message_row).collect()
    }

    async fn update_webhook_message(
        &self,
        m: &Message,
        attempt: Option<&Attempt>,
        endpoint: Option<&Endpoint>,
        fx: &Effects,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "UPDATE webhook_messages SET state = $2, attempts = $3 WHERE id = $1",
            &[&m.id, &m.state.code(), &m.attempts],
        )
        .await
        .map_err(map_err)?;
        if let Some(a) = attempt {
            let status = a.status.map(i32::from);
            tx.run(
                "INSERT INTO webhook_attempts (message_id, n, at, status, response, duration_ms, error)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (message_id, n) DO NOTHING",
                &[&a.message_id, &a.n, &a.at, &status, &a.response, &a.duration_ms, &a.error],
            )
            .await
            .map_err(map_err)?;
        }
        if let Some(e) = endpoint {
            write_endpoint(&tx, e).await?;
        }
        crate::effects::commit(tx, fx).await
    }

    async fn list_webhook_attempts(&self, message: &str) -> StoreResult<Vec<Attempt>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                "SELECT message_id, n, at, status, response, duration_ms, error FROM webhook_attempts
                 WHERE message_id = $1 ORDER BY n",
                &[&message],
            )
            .await
            .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| Attempt {
                message_id: r.get(0),
                n: r.get(1),
                at: r.get(2),
                status: r.get::<_, Option<i32>>(3).and_then(|s| u16::try_from(s).ok()),
                response: r.get(4),
                duration_ms: r.get(5),
                error: r.get(6),
            })
            .collect())
    }
}
