//! [`IntegrationStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, map_err};
use sep_core::StoreError;
use sep_core::ids::UserId;
use sep_core::integration::Scope;
use sep_core::integration::client::{Client, Credentials, Kind, Mode};
use sep_core::integration::delegation::{Grant, Ticket};
use sep_core::integration::idempotency::{Answer, Claim};
use sep_core::integration::oauth::AccessToken;
use sep_core::integration::store::{ClientStore, IntegrationStore};
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
        tx.run(
            "INSERT INTO api_tokens (id, user_id, name, scopes, hash, hint, created_at, expires_at, last_used_at,
                revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)",
            &[&t.id, &t.user_id.0, &t.name, &scopes, &t.hash, &t.hint, &t.created_at, &t.expires_at],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn list_api_tokens(&self, user: UserId) -> StoreResult<Vec<PersonalToken>> {
        let client = self.client().await?;
        let rows = client
            .rows(&format!("{TOKEN} WHERE user_id = $1 ORDER BY created_at DESC, id DESC"), &[&user.0])
            .await
            .map_err(map_err)?;
        rows.iter().map(token_row).collect()
    }

    async fn find_api_token(&self, hash: &str) -> StoreResult<Option<PersonalToken>> {
        let client = self.client().await?;
        let row = client.maybe_row(&format!("{TOKEN} WHERE hash = $1"), &[&hash]).await.map_err(map_err)?;
        row.as_ref().map(token_row).transpose()
    }

    async fn update_api_token_used(&self, id: Uuid, at: OffsetDateTime) -> StoreResult<()> {
        let client = self.client().await?;
        client.run("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", &[&id, &at]).await.map_err(map_err)?;
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
            .run(
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
            .run(
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
            .maybe_row(
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
            .run(
                "UPDATE api_idempotency SET status = $3, body = $4, location = $5 WHERE owner = $1 AND key = $2",
                &[&owner, &key, &i32::from(a.status), &a.body, &a.location],
            )
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_api_idempotency_claimed_at(
        &self,
        owner: &str,
        key: &str,
        created_at: OffsetDateTime,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .run(
                "DELETE FROM api_idempotency WHERE owner = $1 AND key = $2 AND created_at = $3",
                &[&owner, &key, &created_at],
            )
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_api_idempotency_before(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let client = self.client().await?;
        client.run("DELETE FROM api_idempotency WHERE created_at < $1", &[&before]).await.map_err(map_err)
    }

    async fn delete_api_idempotency(&self, owner: &str, key: &str) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .run("DELETE FROM api_idempotency WHERE owner = $1 AND key = $2", &[&owner, &key])
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

const CLIENT: &str =
    "SELECT id, owner, acts_for, kind, name, method, credential, scopes, mode, created_at, disabled_at,
    redirect_uris FROM api_clients";

fn scopes_of(text: &str) -> StoreResult<Vec<Scope>> {
    text.split_whitespace().map(|c| Scope::from_code(c).ok_or_else(|| bad_code("api scope", c))).collect()
}

fn scopes_text(scopes: &[Scope]) -> String {
    scopes.iter().map(|s| s.code()).collect::<Vec<_>>().join(" ")
}

fn client_row(r: &Row) -> StoreResult<Client> {
    let (kind, method, credential, mode): (&str, &str, &str, &str) = (r.get(3), r.get(5), r.get(6), r.get(8));
    Ok(Client {
        id: r.get(0),
        owner: UserId(r.get(1)),
        acts_for: UserId(r.get(2)),
        kind: Kind::from_code(kind).ok_or_else(|| bad_code("api client kind", kind))?,
        name: r.get(4),
        credentials: Credentials::from_stored(method, credential)
            .ok_or_else(|| bad_code("api client credentials", method))?,
        scopes: scopes_of(r.get(7))?,
        mode: Mode::from_code(mode).ok_or_else(|| bad_code("api client mode", mode))?,
        created_at: r.get(9),
        disabled_at: r.get(10),
        redirect_uris: r.get::<_, &str>(11).split_whitespace().map(str::to_owned).collect(),
    })
}

const ACCESS: &str =
    "SELECT id, hash, client_id, user_id, grant_id, scopes, created_at, expires_at, revoked_at FROM api_access_tokens";

fn access_row(r: &Row) -> StoreResult<AccessToken> {
    Ok(AccessToken {
        id: r.get(0),
        hash: r.get(1),
        client_id: r.get(2),
        user_id: UserId(r.get(3)),
        grant_id: r.get(4),
        scopes: scopes_of(r.get(5))?,
        created_at: r.get(6),
        expires_at: r.get(7),
        revoked_at: r.get(8),
    })
}

#[async_trait::async_trait]
impl ClientStore for PgStore {
    async fn insert_api_client(&self, c: &Client, fx: &Effects) -> StoreResult<()> {
        let (method, credential) = c.credentials.stored();
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "INSERT INTO api_clients (id, owner, acts_for, kind, name, method, credential, scopes, mode, created_at,
                disabled_at, redirect_uris)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &c.id,
                &c.owner.0,
                &c.acts_for.0,
                &c.kind.code(),
                &c.name,
                &method,
                &credential,
                &scopes_text(&c.scopes),
                &c.mode.code(),
                &c.created_at,
                &c.disabled_at,
                &c.redirect_uris.join(" "),
            ],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn get_api_client(&self, id: &str) -> StoreResult<Client> {
        let client = self.client().await?;
        let row = client.maybe_row(&format!("{CLIENT} WHERE id = $1"), &[&id]).await.map_err(map_err)?;
        row.as_ref().map(client_row).ok_or(StoreError::NotFound)?
    }

    async fn list_api_clients(&self, owner: UserId) -> StoreResult<Vec<Client>> {
        let client = self.client().await?;
        let rows = client
            .rows(&format!("{CLIENT} WHERE owner = $1 ORDER BY created_at, id"), &[&owner.0])
            .await
            .map_err(map_err)?;
        rows.iter().map(client_row).collect()
    }

    async fn list_live_api_clients(&self) -> StoreResult<Vec<Client>> {
        let client = self.client().await?;
        let rows = client
            .rows(&format!("{CLIENT} WHERE mode = 'live' AND disabled_at IS NULL ORDER BY created_at, id"), &[])
            .await
            .map_err(map_err)?;
        rows.iter().map(client_row).collect()
    }

    async fn update_api_client(&self, c: &Client, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "UPDATE api_clients SET acts_for = $2, mode = $3, disabled_at = $4 WHERE id = $1",
            &[&c.id, &c.acts_for.0, &c.mode.code(), &c.disabled_at],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn insert_api_access_token(&self, t: &AccessToken, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "INSERT INTO api_access_tokens (id, hash, client_id, user_id, grant_id, scopes, created_at, expires_at,
                revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &t.id,
                &t.hash,
                &t.client_id,
                &t.user_id.0,
                &t.grant_id,
                &scopes_text(&t.scopes),
                &t.created_at,
                &t.expires_at,
                &t.revoked_at,
            ],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn find_api_access_token(&self, hash: &str) -> StoreResult<Option<AccessToken>> {
        let client = self.client().await?;
        let row = client.maybe_row(&format!("{ACCESS} WHERE hash = $1"), &[&hash]).await.map_err(map_err)?;
        row.as_ref().map(access_row).transpose()
    }

    async fn update_api_access_token_revoked(&self, id: Uuid, at: OffsetDateTime) -> StoreResult<()> {
        let client = self.client().await?;
        client.run("UPDATE api_access_tokens SET revoked_at = $2 WHERE id = $1", &[&id, &at]).await.map_err(map_err)?;
        Ok(())
    }

    async fn save_api_grant(&self, g: &Grant, code: &Ticket, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "INSERT INTO api_grants (id, user_id, client_id, scopes, created_at, revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE SET scopes = excluded.scopes",
            &[&g.id, &g.user_id.0, &g.client_id, &scopes_text(&g.scopes), &g.created_at, &g.revoked_at],
        )
        .await
        .map_err(map_err)?;
        put_ticket(&tx, code).await?;
        crate::effects::commit(tx, fx).await
    }

    async fn list_api_grants(&self, user: UserId) -> StoreResult<Vec<Grant>> {
        let client = self.client().await?;
        let rows = client
            .rows(&format!("{GRANT} WHERE user_id = $1 ORDER BY created_at DESC, id DESC"), &[&user.0])
            .await
            .map_err(map_err)?;
        rows.iter().map(grant_row).collect()
    }

    async fn get_api_grant(&self, id: Uuid) -> StoreResult<Grant> {
        let client = self.client().await?;
        let row = client.maybe_row(&format!("{GRANT} WHERE id = $1"), &[&id]).await.map_err(map_err)?;
        row.as_ref().map(grant_row).ok_or(StoreError::NotFound)?
    }

    async fn update_api_grant_revoked(
        &self,
        user: UserId,
        id: Uuid,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "UPDATE api_grants SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                &[&id, &user.0, &at],
            )
            .await
            .map_err(map_err)?;
        if n == 1 {
            tx.run("DELETE FROM api_tickets WHERE grant_id = $1", &[&id]).await.map_err(map_err)?;
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n == 1)
    }

    async fn insert_api_ticket(&self, t: &Ticket) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        put_ticket(&tx, t).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn take_api_ticket(&self, hash: &str, kind: &str) -> StoreResult<Option<Ticket>> {
        let client = self.client().await?;
        // Deleted and returned in one statement: two exchanges of one code cannot both get it.
        let row = client
            .maybe_row(
                "DELETE FROM api_tickets WHERE hash = $1 AND kind = $2
                 RETURNING hash, kind, grant_id, client_id, redirect_uri, challenge, scopes, expires_at",
                &[&hash, &kind],
            )
            .await
            .map_err(map_err)?;
        row.map(|r| {
            Ok(Ticket {
                hash: r.get(0),
                kind: r.get(1),
                grant_id: r.get(2),
                client_id: r.get(3),
                redirect_uri: r.get(4),
                challenge: r.get(5),
                scopes: scopes_of(r.get(6))?,
                expires_at: r.get(7),
            })
        })
        .transpose()
    }
}

const GRANT: &str = "SELECT id, user_id, client_id, scopes, created_at, revoked_at FROM api_grants";

fn grant_row(r: &Row) -> StoreResult<Grant> {
    Ok(Grant {
        id: r.get(0),
        user_id: UserId(r.get(1)),
        client_id: r.get(2),
        scopes: scopes_of(r.get(3))?,
        created_at: r.get(4),
        revoked_at: r.get(5),
    })
}

async fn put_ticket(tx: &deadpool_postgres::Transaction<'_>, t: &Ticket) -> StoreResult<()> {
    tx.run(
        "INSERT INTO api_tickets (hash, kind, grant_id, client_id, redirect_uri, challenge, scopes, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &t.hash,
            &t.kind,
            &t.grant_id,
            &t.client_id,
            &t.redirect_uri,
            &t.challenge,
            &scopes_text(&t.scopes),
            &t.expires_at,
        ],
    )
    .await
    .map_err(map_err)?;
    Ok(())
}
