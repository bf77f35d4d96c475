//! [`WebhookStore`] on SQLite.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, from_ts, map_err, parse_uuid, ts};
use rusqlite::types::Value;
use rusqlite::{Row, Transaction, params, params_from_iter};
use sep_core::ids::UserId;
use sep_core::integration::webhook::store::{MessageQuery, WebhookStore};
use sep_core::integration::webhook::{Attempt, Endpoint, EventType, Message, MessageState};
use sep_core::store::{Effects, StoreResult};
use uuid::Uuid;

const ENDPOINT: &str = "SELECT id, user_id, url, events, secret, previous_secret, previous_until, created_at,
    failing_since, disabled_at, disabled_reason FROM webhook_endpoints";
const MESSAGE: &str = "SELECT id, endpoint_id, event_type, body, created_at, state, attempts FROM webhook_messages";

fn opt_ts(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<time::OffsetDateTime>> {
    r.get::<_, Option<i64>>(i)?.map(from_ts).transpose()
}

fn endpoint_row(r: &Row<'_>) -> rusqlite::Result<Endpoint> {
    let events: String = r.get(3)?;
    let previous = match (r.get::<_, Option<String>>(5)?, opt_ts(r, 6)?) {
        (Some(s), Some(until)) => Some((s, until)),
        _ => None,
    };
    let disabled = match (opt_ts(r, 9)?, r.get::<_, Option<String>>(10)?) {
        (Some(at), Some(why)) => Some((at, why)),
        _ => None,
    };
    Ok(Endpoint {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(1)?)?),
        url: r.get(2)?,
        events: events
            .split_whitespace()
            .map(|c| EventType::from_code(c).ok_or_else(|| bad_code("webhook event", c)))
            .collect::<Result<_, _>>()?,
        secret: r.get(4)?,
        previous,
        created_at: from_ts(r.get(7)?)?,
        failing_since: opt_ts(r, 8)?,
        disabled,
    })
}

fn message_row(r: &Row<'_>) -> rusqlite::Result<Message> {
    let kind: String = r.get(2)?;
    let state: String = r.get(5)?;
    Ok(Message {
        id: r.get(0)?,
        endpoint_id: parse_uuid(&r.get::<_, String>(1)?)?,
        event_type: EventType::from_code(&kind).ok_or_else(|| bad_code("webhook event", &kind))?,
        body: r.get(3)?,
        created_at: from_ts(r.get(4)?)?,
        state: MessageState::from_code(&state).ok_or_else(|| bad_code("webhook message state", &state))?,
        attempts: r.get(6)?,
    })
}

fn events_text(events: &[EventType]) -> String {
    events.iter().map(|e| e.code()).collect::<Vec<_>>().join(" ")
}

fn write_endpoint(tx: &Transaction<'_>, e: &Endpoint) -> StoreResult<()> {
    tx.run(
        "UPDATE webhook_endpoints SET url = ?2, events = ?3, secret = ?4, previous_secret = ?5, previous_until = ?6,
            failing_since = ?7, disabled_at = ?8, disabled_reason = ?9
         WHERE id = ?1",
        params![
            e.id.to_string(),
            e.url,
            events_text(&e.events),
            e.secret,
            e.previous.as_ref().map(|p| p.0.clone()),
            e.previous.as_ref().map(|p| ts(p.1)),
            e.failing_since.map(ts),
            e.disabled.as_ref().map(|d| ts(d.0)),
            e.disabled.as_ref().map(|d| d.1.clone()),
        ],
    )
    .map_err(map_err)?;
    Ok(())
}

#[async_trait::async_trait]
impl WebhookStore for SqliteStore {
    async fn insert_webhook_endpoint(&self, e: &Endpoint, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "INSERT INTO webhook_endpoints (id, user_id, url, events, secret, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![e.id.to_string(), e.user_id.0.to_string(), e.url, events_text(&e.events), e.secret, ts(e.created_at)],
            )
            .map_err(map_err)?;
            write_endpoint(tx, e)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn list_webhook_endpoints(&self, user: UserId) -> StoreResult<Vec<Endpoint>> {
        self.read(|c| {
            c.prepare_cached(&format!("{ENDPOINT} WHERE user_id = ?1 ORDER BY created_at, id"))?
                .query_map([user.0.to_string()], endpoint_row)?
                .collect()
        })
    }

    async fn get_webhook_endpoint(&self, id: Uuid) -> StoreResult<Endpoint> {
        self.read(|c| c.row(&format!("{ENDPOINT} WHERE id = ?1"), [id.to_string()], endpoint_row))
    }

    async fn update_webhook_endpoint(&self, e: &Endpoint, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            write_endpoint(tx, e)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn delete_webhook_endpoint(&self, id: Uuid, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            // The log and the messages go first (the cascade, spelled out).
            let id = id.to_string();
            tx.run(
                "DELETE FROM webhook_attempts WHERE message_id IN (SELECT id FROM webhook_messages WHERE endpoint_id = ?1)",
                [&id],
            )
            .map_err(map_err)?;
            tx.run("DELETE FROM webhook_messages WHERE endpoint_id = ?1", [&id]).map_err(map_err)?;
            tx.run("DELETE FROM webhook_endpoints WHERE id = ?1", [&id]).map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn insert_webhook_messages(&self, messages: &[Message], fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            for m in messages {
                tx.run(
                    "INSERT INTO webhook_messages (id, endpoint_id, event_type, body, created_at, state, attempts)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
                    params![
                        m.id,
                        m.endpoint_id.to_string(),
                        m.event_type.code(),
                        m.body,
                        ts(m.created_at),
                        m.state.code(),
                        m.attempts
                    ],
                )
                .map_err(map_err)?;
            }
            crate::effects::apply(tx, fx)
        })
    }

    async fn get_webhook_message(&self, id: &str) -> StoreResult<Message> {
        self.read(|c| c.row(&format!("{MESSAGE} WHERE id = ?1"), [id], message_row))
    }

    async fn list_webhook_messages(&self, endpoint: Uuid, q: &MessageQuery) -> StoreResult<Vec<Message>> {
        let mut sql = format!("{MESSAGE} WHERE endpoint_id = ?1");
        let mut args: Vec<Value> = vec![Value::Text(endpoint.to_string())];
        if let Some(state) = q.state {
            args.push(Value::Text(state.code().to_owned()));
            sql.push_str(&format!(" AND state = ?{}", args.len()));
        }
        if let Some(since) = q.since {
            args.push(Value::Integer(ts(since)));
            sql.push_str(&format!(" AND created_at >= ?{}", args.len()));
        }
        if let Some((at, id)) = &q.before {
            args.push(Value::Integer(ts(*at)));
            args.push(Value::Text(id.clone()));
            let (a, b) = (args.len() - 1, args.len());
            sql.push_str(&format!(" AND (created_at < ?{a} OR (created_at = ?{a} AND id < ?{b}))"));
        }
        args.push(Value::Integer(i64::try_from(q.limit).unwrap_or(i64::MAX)));
        sql.push_str(&format!(" ORDER BY created_at DESC, id DESC LIMIT ?{}", args.len()));
        self.read(|c| c.prepare_cached(&sql)?.query_map(params_from_iter(args), message_row)?.collect())
    }

    async fn update_webhook_message(
        &self,
        m: &Message,
        attempt: Option<&Attempt>,
        endpoint: Option<&Endpoint>,
        fx: &Effects,
    ) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "UPDATE webhook_messages SET state = ?2, attempts = ?3 WHERE id = ?1",
                params![m.id, m.state.code(), m.attempts],
            )
            .map_err(map_err)?;
            if let Some(a) = attempt {
                tx.run(
                    "INSERT INTO webhook_attempts (message_id, n, at, status, response, duration_ms, error)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (message_id, n) DO NOTHING",
                    params![a.message_id, a.n, ts(a.at), a.status, a.response, a.duration_ms, a.error],
                )
                .map_err(map_err)?;
            }
            if let Some(e) = endpoint {
                write_endpoint(tx, e)?;
            }
            crate::effects::apply(tx, fx)
        })
    }

    async fn list_webhook_attempts(&self, message: &str) -> StoreResult<Vec<Attempt>> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT message_id, n, at, status, response, duration_ms, error FROM webhook_attempts
                 WHERE message_id = ?1 ORDER BY n",
            )?
            .query_map([message], |r| {
                Ok(Attempt {
                    message_id: r.get(0)?,
                    n: r.get(1)?,
                    at: from_ts(r.get(2)?)?,
                    status: r.get(3)?,
                    response: r.get(4)?,
                    duration_ms: r.get(5)?,
                    error: r.get(6)?,
                })
            })?
            .collect()
        })
    }
}
