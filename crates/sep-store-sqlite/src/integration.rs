//! [`IntegrationStore`] on SQLite.

use crate::SqliteStore;
use crate::conv::{bad_code, from_ts, map_err, parse_uuid, ts};
use rusqlite::{OptionalExtension, Row, params};
use sep_core::ids::UserId;
use sep_core::integration::Scope;
use sep_core::integration::idempotency::{Answer, Claim};
use sep_core::integration::store::IntegrationStore;
use sep_core::integration::tokens::PersonalToken;
use sep_core::store::{Effects, StoreResult};
use time::OffsetDateTime;
use uuid::Uuid;

const TOKEN: &str = "SELECT id, user_id, name, scopes, hash, hint, created_at, expires_at, last_used_at, revoked_at
    FROM api_tokens";

fn token_row(r: &Row<'_>) -> rusqlite::Result<PersonalToken> {
    let scopes: String = r.get(3)?;
    Ok(PersonalToken {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(1)?)?),
        name: r.get(2)?,
        scopes: scopes
            .split_whitespace()
            .map(|c| Scope::from_code(c).ok_or_else(|| bad_code("api scope", c)))
            .collect::<Result<_, _>>()?,
        hash: r.get(4)?,
        hint: r.get(5)?,
        created_at: from_ts(r.get(6)?)?,
        expires_at: from_ts(r.get(7)?)?,
        last_used_at: r.get::<_, Option<i64>>(8)?.map(from_ts).transpose()?,
        revoked_at: r.get::<_, Option<i64>>(9)?.map(from_ts).transpose()?,
    })
}

/// The scopes as stored: codes separated by spaces, as OAuth 2.0 writes them.
pub(crate) fn scopes_text(scopes: &[Scope]) -> String {
    scopes.iter().map(|s| s.code()).collect::<Vec<_>>().join(" ")
}

#[async_trait::async_trait]
impl IntegrationStore for SqliteStore {
    async fn insert_api_token(&self, t: &PersonalToken, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO api_tokens (id, user_id, name, scopes, hash, hint, created_at, expires_at, last_used_at,
                    revoked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL)",
                params![
                    t.id.to_string(),
                    t.user_id.0.to_string(),
                    t.name,
                    scopes_text(&t.scopes),
                    t.hash,
                    t.hint,
                    ts(t.created_at),
                    ts(t.expires_at)
                ],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn list_api_tokens(&self, user: UserId) -> StoreResult<Vec<PersonalToken>> {
        self.read(|c| {
            c.prepare_cached(&format!("{TOKEN} WHERE user_id = ?1 ORDER BY created_at DESC, id DESC"))?
                .query_map([user.0.to_string()], token_row)?
                .collect()
        })
    }

    async fn find_api_token(&self, hash: &str) -> StoreResult<Option<PersonalToken>> {
        self.read(|c| c.query_row(&format!("{TOKEN} WHERE hash = ?1"), [hash], token_row).optional())
    }

    async fn update_api_token_used(&self, id: Uuid, at: OffsetDateTime) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1", params![id.to_string(), ts(at)])
                .map_err(map_err)?;
            Ok(())
        })
    }

    async fn update_api_token_revoked(
        &self,
        user: UserId,
        id: Uuid,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE api_tokens SET revoked_at = ?3 WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL",
                    params![id.to_string(), user.0.to_string(), ts(at)],
                )
                .map_err(map_err)?;
            if n == 1 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n == 1)
        })
    }

    async fn insert_api_idempotency(&self, c: &Claim) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "INSERT INTO api_idempotency (owner, key, fingerprint, created_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (owner, key) DO NOTHING",
                    params![c.owner, c.key, c.fingerprint, ts(c.created_at)],
                )
                .map_err(map_err)?;
            Ok(n == 1)
        })
    }

    async fn get_api_idempotency(&self, owner: &str, key: &str) -> StoreResult<Option<Claim>> {
        self.read(|c| {
            c.query_row(
                "SELECT owner, key, fingerprint, created_at, status, body, location FROM api_idempotency
                 WHERE owner = ?1 AND key = ?2",
                params![owner, key],
                |r| {
                    let status: Option<u16> = r.get(4)?;
                    Ok(Claim {
                        owner: r.get(0)?,
                        key: r.get(1)?,
                        fingerprint: r.get(2)?,
                        created_at: from_ts(r.get(3)?)?,
                        answer: match status {
                            Some(status) => Some(Answer { status, body: r.get(5)?, location: r.get(6)? }),
                            None => None,
                        },
                    })
                },
            )
            .optional()
        })
    }

    async fn update_api_idempotency_answer(&self, owner: &str, key: &str, a: &Answer) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE api_idempotency SET status = ?3, body = ?4, location = ?5 WHERE owner = ?1 AND key = ?2",
                params![owner, key, a.status, a.body, a.location],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn delete_api_idempotency(&self, owner: &str, key: &str) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM api_idempotency WHERE owner = ?1 AND key = ?2", params![owner, key])
                .map_err(map_err)?;
            Ok(())
        })
    }
}
