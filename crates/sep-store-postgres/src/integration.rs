//! [`IntegrationStore`] on PostgreSQL.

use crate::PgStore;
use crate::conv::{bad_code, map_err};
use sep_core::ids::UserId;
use sep_core::integration::Scope;
use sep_core::integration::idempotency::{Answer, Claim};
use sep_core::integration::store::IntegrationStore;
use sep_core::integration::tokens::PersonalToken;
use sep_core::store::{Effects, StoreResult};
use time::OffsetDateTime;
use tokio_postgres::Row;
use uuid::Uuid;

const TOKEN: &str = "SELECT id, user_id, name, scopes, hash, hint, created_at, expires_at, last_used_at, revoked_at
    FROM api_tokens";

fn token_row(r: &Row) -> StoreResult<PersonalToken> {
    let scopes: &str = r.get(3);
    Ok(PersonalToken {
        id: r.get(0),
        user_id: UserId(r.get(1)),
        name: r.get(2),
        scopes: scopes
            .split_whitespace()
            .map(|c| Scope::from_code(c).ok_or_else(|| bad_code("api scope", c)))
            .collect::<Result<_, _>>()?,
        hash: r.get(4),
        hint: r.get(5),
        created_at: r.get(6),
        expires_at: r.get(7),
        last_used_at: r.get(8),
        revoked_at: r.get(9),
    })
}

#[async_trait::async_trait]
impl IntegrationStore for PgStore {
    async fn insert_api_token(&self, t: &PersonalToken, fx: &Effects) -> StoreResult<()> {
        let scopes = t.scopes.iter().map(|s| s.code()).collect::<Vec<_>>().join(" ");
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.execute(
            "INSERT INTO api_tokens (id, user_id, name, scopes, hash, hint, created_at, expires_at, last_used_at,
                revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)",
            &[&t.id, &t.user_id.0, &t.name, &scopes, &t.hash, &t.hint, &t.created_at, &t.expires_at],
        )
        .await
        .map_err(map_err)?;
        crate::effects::apply(&tx, fx).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn list_api_tokens(&self, user: UserId) -> StoreResult<Vec<PersonalToken>> {
        let client = self.client().await?;
        let rows = client
            .query(&format!("{TOKEN} WHERE user_id = $1 ORDER BY created_at DESC, id DESC"), &[&user.0])
            .await
            .map_err(map_err)?;
        rows.iter().map(token_row).collect()
    }

    async fn find_api_token(&self, hash: &str) -> StoreResult<Option<PersonalToken>> {
        let client = self.client().await?;
        let row = client.query_opt(&format!("{TOKEN} WHERE hash = $1"), &[&hash]).await.map_err(map_err)?;
        row.as_ref().map(token_row).transpose()
    }

    async fn update_api_token_used(&self, id: Uuid, at: OffsetDateTime) -> StoreResult<()> {
        let client = self.client().await?;
        client.execute("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", &[&id, &at]).await.map_err(map_err)?;
        Ok(())
    }

    async fn update_api_token_revoked(
        &self,
        user: UserId,
        id: Uuid,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .execute(
                "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                &[&id, &user.0, &at],
            )
            .await
            .map_err(map_err)?;
        if n == 1 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n == 1)
    }

    async fn insert_api_idempotency(&self, c: &Claim) -> StoreResult<bool> {
        let client = self.client().await?;
        let n = client
            .execute(
                "INSERT INTO api_idempotency (owner, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (owner, key) DO NOTHING",
                &[&c.owner, &c.key, &c.fingerprint, &c.created_at],
            )
            .await
            .map_err(map_err)?;
        Ok(n == 1)
    }

    async fn get_api_idempotency(&self, owner: &str, key: &str) -> StoreResult<Option<Claim>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT owner, key, fingerprint, created_at, status, body, location FROM api_idempotency
                 WHERE owner = $1 AND key = $2",
                &[&owner, &key],
            )
            .await
            .map_err(map_err)?;
        Ok(row.map(|r| {
            let status: Option<i32> = r.get(4);
            Claim {
                owner: r.get(0),
                key: r.get(1),
                fingerprint: r.get(2),
                created_at: r.get(3),
                answer: status.map(|status| Answer {
                    status: u16::try_from(status).unwrap_or(500),
                    body: r.get(5),
                    location: r.get(6),
                }),
            }
        }))
    }

    async fn update_api_idempotency_answer(&self, owner: &str, key: &str, a: &Answer) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE api_idempotency SET status = $3, body = $4, location = $5 WHERE owner = $1 AND key = $2",
                &[&owner, &key, &i32::from(a.status), &a.body, &a.location],
            )
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_api_idempotency(&self, owner: &str, key: &str) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute("DELETE FROM api_idempotency WHERE owner = $1 AND key = $2", &[&owner, &key])
            .await
            .map_err(map_err)?;
        Ok(())
    }
}
