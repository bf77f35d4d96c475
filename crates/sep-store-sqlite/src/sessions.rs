//! [`SessionStore`] on SQLite.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{from_ts, from_ts_opt, map_err, parse_uuid, ts};
use rusqlite::{OptionalExtension, Row, params};
use sep_core::ids::UserId;
use sep_core::session::store::{LoginRequestStore, SessionStore};
use sep_core::session::{Session, SessionHash, SessionPolicy};
use sep_core::store::{Effects, StoreResult};
use sep_core::user::User;
use time::OffsetDateTime;

const COLUMNS: &str = "hash, user_id, created_at, last_seen_at, ip, user_agent, auth_method, csrf_secret, ended_at, end_reason, id_token, authenticated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Session> {
    from_row_at(r, 0)
}

/// The session whose columns begin at column `k` of `r`.
fn from_row_at(r: &Row<'_>, k: usize) -> rusqlite::Result<Session> {
    let user: String = r.get(k + 1)?;
    Ok(Session {
        hash: SessionHash(r.get(k)?),
        user_id: UserId(parse_uuid(&user)?),
        created_at: from_ts(r.get(k + 2)?)?,
        last_seen_at: from_ts(r.get(k + 3)?)?,
        ip: r.get(k + 4)?,
        user_agent: r.get(k + 5)?,
        auth_method: r.get(k + 6)?,
        csrf_secret: r.get(k + 7)?,
        ended_at: from_ts_opt(r.get(k + 8)?)?,
        end_reason: r.get(k + 9)?,
        id_token: r.get(k + 10)?,
        authenticated_at: from_ts_opt(r.get(k + 11)?)?,
    })
}

/// The user's columns, then the session's, of the session with hash `?1`.
static WITH_USER: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let s = COLUMNS.split(", ").map(|c| format!("s.{c}")).collect::<Vec<_>>().join(", ");
    format!(
        "SELECT {}, {s} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = ?1",
        crate::users::prefixed("u")
    )
});

#[async_trait::async_trait]
impl SessionStore for SqliteStore {
    async fn insert_session(&self, s: &Session, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                &format!("INSERT INTO sessions ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
                params![
                    s.hash.0,
                    s.user_id.0.to_string(),
                    ts(s.created_at),
                    ts(s.last_seen_at),
                    s.ip,
                    s.user_agent,
                    s.auth_method,
                    s.csrf_secret,
                    s.ended_at.map(ts),
                    s.end_reason,
                    s.id_token,
                    s.authenticated_at.map(ts),
                ],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn find_session(&self, hash: &SessionHash) -> StoreResult<Option<Session>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {COLUMNS} FROM sessions WHERE hash = ?1"))?
                .query_row([&hash.0], from_row)
                .optional()
        })
    }

    async fn find_session_and_user(&self, hash: &SessionHash) -> StoreResult<Option<(Session, User)>> {
        let found = self.read(|c| {
            c.prepare_cached(&WITH_USER)?
                .query_row([&hash.0], |r| Ok((crate::users::from_row(r)?, from_row_at(r, crate::users::WIDTH)?)))
                .optional()
        })?;
        found.map(|(user, session)| Ok((session, crate::users::finish(user)?))).transpose()
    }

    async fn update_session_seen(&self, hash: &SessionHash, at: OffsetDateTime) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "UPDATE sessions SET last_seen_at = max(last_seen_at, ?2) WHERE hash = ?1 AND ended_at IS NULL",
                params![hash.0, ts(at)],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn update_session_ended(
        &self,
        hash: &SessionHash,
        at: OffsetDateTime,
        reason: &str,
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE sessions SET ended_at = ?2, end_reason = ?3 WHERE hash = ?1 AND ended_at IS NULL",
                    params![hash.0, ts(at), reason],
                )
                .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        })
    }

    async fn list_active_sessions(
        &self,
        user: UserId,
        now: OffsetDateTime,
        policy: SessionPolicy,
    ) -> StoreResult<Vec<Session>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM sessions WHERE user_id = ?1 AND ended_at IS NULL AND created_at > ?2 AND last_seen_at > ?3
                 ORDER BY created_at DESC"
            ))?;
            s.query_map(params![user.0.to_string(), ts(now - policy.absolute), ts(now - policy.idle)], from_row)?
                .collect()
        })
    }

    async fn delete_sessions_before(&self, before: OffsetDateTime) -> StoreResult<u64> {
        self.write(|tx| {
            let n =
                tx.run("DELETE FROM sessions WHERE ended_at < ?1 OR created_at < ?1", [ts(before)]).map_err(map_err)?;
            Ok(n as u64)
        })
    }
}

#[async_trait::async_trait]
impl LoginRequestStore for SqliteStore {
    async fn insert_login_request(&self, r: &sep_core::session::LoginRequest) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "INSERT INTO login_requests (hash, state, nonce, pkce_verifier, return_to, created_at, expires_at, used_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![r.hash.0, r.state, r.nonce, r.pkce_verifier, r.return_to, ts(r.created_at), ts(r.expires_at), r.used_at.map(ts)],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn take_login_request(
        &self,
        hash: &SessionHash,
        at: OffsetDateTime,
    ) -> StoreResult<Option<sep_core::session::LoginRequest>> {
        self.write(|tx| {
            let before = tx
                .row(
                    "SELECT hash, state, nonce, pkce_verifier, return_to, created_at, expires_at, used_at
                     FROM login_requests WHERE hash = ?1",
                    [&hash.0],
                    |r| {
                        Ok(sep_core::session::LoginRequest {
                            hash: SessionHash(r.get(0)?),
                            state: r.get(1)?,
                            nonce: r.get(2)?,
                            pkce_verifier: r.get(3)?,
                            return_to: r.get(4)?,
                            created_at: from_ts(r.get(5)?)?,
                            expires_at: from_ts(r.get(6)?)?,
                            used_at: from_ts_opt(r.get(7)?)?,
                        })
                    },
                )
                .optional()
                .map_err(map_err)?;
            if before.as_ref().is_some_and(|b| b.used_at.is_none()) {
                tx.run("UPDATE login_requests SET used_at = ?2 WHERE hash = ?1", params![hash.0, ts(at)])
                    .map_err(map_err)?;
            }
            Ok(before)
        })
    }

    async fn delete_login_requests_before(&self, before: OffsetDateTime) -> StoreResult<u64> {
        self.write(|tx| {
            let n = tx.run("DELETE FROM login_requests WHERE expires_at < ?1", [ts(before)]).map_err(map_err)?;
            Ok(n as u64)
        })
    }
}
