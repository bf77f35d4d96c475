//! [`SessionStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::map_err;
use sep_core::ids::UserId;
use sep_core::session::store::{LoginRequestStore, SessionStore};
use sep_core::session::{Session, SessionHash, SessionPolicy};
use sep_core::store::{Effects, StoreResult};
use sep_core::user::User;
use time::OffsetDateTime;
use tokio_postgres::Row;

const COLUMNS: &str = "hash, user_id, created_at, last_seen_at, ip, user_agent, auth_method, csrf_secret, ended_at, end_reason, id_token, authenticated_at";

fn from_row(r: &Row) -> Session {
    from_row_at(r, 0)
}

/// The session whose columns begin at column `k` of `r`.
fn from_row_at(r: &Row, k: usize) -> Session {
    Session {
        hash: SessionHash(r.get(k)),
        user_id: UserId(r.get(k + 1)),
        created_at: r.get(k + 2),
        last_seen_at: r.get(k + 3),
        ip: r.get(k + 4),
        user_agent: r.get(k + 5),
        auth_method: r.get(k + 6),
        csrf_secret: r.get(k + 7),
        ended_at: r.get(k + 8),
        end_reason: r.get(k + 9),
        id_token: r.get(k + 10),
        authenticated_at: r.get(k + 11),
    }
}

/// The user's columns, then the session's, of the session with hash `$1`.
static WITH_USER: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let s = COLUMNS.split(", ").map(|c| format!("s.{c}")).collect::<Vec<_>>().join(", ");
    format!("SELECT {}, {s} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = $1", crate::users::COLUMNS)
});

#[async_trait::async_trait]
impl SessionStore for PgStore {
    async fn insert_session(&self, s: &Session, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            &format!("INSERT INTO sessions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"),
            &[
                &s.hash.0,
                &s.user_id.0,
                &s.created_at,
                &s.last_seen_at,
                &s.ip,
                &s.user_agent,
                &s.auth_method,
                &s.csrf_secret,
                &s.ended_at,
                &s.end_reason,
                &s.id_token,
                &s.authenticated_at,
            ],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn find_session(&self, hash: &SessionHash) -> StoreResult<Option<Session>> {
        let client = self.client().await?;
        let row = client
            .maybe_row(&format!("SELECT {COLUMNS} FROM sessions WHERE hash = $1"), &[&hash.0])
            .await
            .map_err(map_err)?;
        Ok(row.as_ref().map(from_row))
    }

    async fn find_session_and_user(&self, hash: &SessionHash) -> StoreResult<Option<(Session, User)>> {
        let client = self.client().await?;
        let row = client.maybe_row(&WITH_USER, &[&hash.0]).await.map_err(map_err)?;
        row.map(|r| Ok((from_row_at(&r, crate::users::WIDTH), crate::users::from_row(&r)?))).transpose()
    }

    async fn update_session_seen(&self, hash: &SessionHash, at: OffsetDateTime) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .run(
                "UPDATE sessions SET last_seen_at = greatest(last_seen_at, $2) WHERE hash = $1 AND ended_at IS NULL",
                &[&hash.0, &at],
            )
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn update_session_ended(
        &self,
        hash: &SessionHash,
        at: OffsetDateTime,
        reason: &str,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "UPDATE sessions SET ended_at = $2, end_reason = $3 WHERE hash = $1 AND ended_at IS NULL",
                &[&hash.0, &at, &reason],
            )
            .await
            .map_err(map_err)?;
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
    }

    async fn list_active_sessions(
        &self,
        user: UserId,
        now: OffsetDateTime,
        policy: SessionPolicy,
    ) -> StoreResult<Vec<Session>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!(
                    "SELECT {COLUMNS} FROM sessions WHERE user_id = $1 AND ended_at IS NULL AND created_at > $2
                        AND last_seen_at > $3 ORDER BY created_at DESC"
                ),
                &[&user.0, &(now - policy.absolute), &(now - policy.idle)],
            )
            .await
            .map_err(map_err)?;
        Ok(rows.iter().map(from_row).collect())
    }

    async fn delete_sessions_before(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let client = self.client().await?;
        client.run("DELETE FROM sessions WHERE ended_at < $1 OR created_at < $1", &[&before]).await.map_err(map_err)
    }
}

#[async_trait::async_trait]
impl LoginRequestStore for PgStore {
    async fn insert_login_request(&self, r: &sep_core::session::LoginRequest) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .run(
                "INSERT INTO login_requests (hash, state, nonce, pkce_verifier, return_to, created_at, expires_at, used_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[&r.hash.0, &r.state, &r.nonce, &r.pkce_verifier, &r.return_to, &r.created_at, &r.expires_at, &r.used_at],
            )
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn take_login_request(
        &self,
        hash: &SessionHash,
        at: OffsetDateTime,
    ) -> StoreResult<Option<sep_core::session::LoginRequest>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let row = tx
            .maybe_row(
                "SELECT hash, state, nonce, pkce_verifier, return_to, created_at, expires_at, used_at
                 FROM login_requests WHERE hash = $1 FOR UPDATE",
                &[&hash.0],
            )
            .await
            .map_err(map_err)?;
        let before = row.map(|r| sep_core::session::LoginRequest {
            hash: SessionHash(r.get(0)),
            state: r.get(1),
            nonce: r.get(2),
            pkce_verifier: r.get(3),
            return_to: r.get(4),
            created_at: r.get(5),
            expires_at: r.get(6),
            used_at: r.get(7),
        });
        if before.as_ref().is_some_and(|b| b.used_at.is_none()) {
            tx.run("UPDATE login_requests SET used_at = $2 WHERE hash = $1", &[&hash.0, &at]).await.map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(before)
    }

    async fn delete_login_requests_before(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let client = self.client().await?;
        client.run("DELETE FROM login_requests WHERE expires_at < $1", &[&before]).await.map_err(map_err)
    }
}
