//! [`IntegrationStore`] on SQLite.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, from_ts, map_err, parse_uuid, ts};
use rusqlite::{OptionalExtension, Row, params};
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
            tx.run(
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
        self.read(|c| c.row(&format!("{TOKEN} WHERE hash = ?1"), [hash], token_row).optional())
    }

    async fn update_api_token_used(&self, id: Uuid, at: OffsetDateTime) -> StoreResult<()> {
        self.write(|tx| {
            tx.run("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1", params![id.to_string(), ts(at)])
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
                .run(
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
                .run(
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
            c.row(
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
            tx.run(
                "UPDATE api_idempotency SET status = ?3, body = ?4, location = ?5 WHERE owner = ?1 AND key = ?2",
                params![owner, key, a.status, a.body, a.location],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn delete_api_idempotency_claimed_at(
        &self,
        owner: &str,
        key: &str,
        created_at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "DELETE FROM api_idempotency WHERE owner = ?1 AND key = ?2 AND created_at = ?3",
                params![owner, key, ts(created_at)],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn delete_api_idempotency_before(&self, before: OffsetDateTime) -> StoreResult<u64> {
        self.write(|tx| {
            let n =
                tx.run("DELETE FROM api_idempotency WHERE created_at < ?1", params![ts(before)]).map_err(map_err)?;
            Ok(n as u64)
        })
    }

    async fn delete_api_idempotency(&self, owner: &str, key: &str) -> StoreResult<()> {
        self.write(|tx| {
            tx.run("DELETE FROM api_idempotency WHERE owner = ?1 AND key = ?2", params![owner, key])
                .map_err(map_err)?;
            Ok(())
        })
    }
}

const CLIENT: &str =
    "SELECT id, owner, acts_for, kind, name, method, credential, scopes, mode, created_at, disabled_at,
    redirect_uris FROM api_clients";

fn client_row(r: &Row<'_>) -> rusqlite::Result<Client> {
    let (kind, method, credential, scopes, mode): (String, String, String, String, String) =
        (r.get(3)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?);
    Ok(Client {
        id: r.get(0)?,
        owner: UserId(parse_uuid(&r.get::<_, String>(1)?)?),
        acts_for: UserId(parse_uuid(&r.get::<_, String>(2)?)?),
        kind: Kind::from_code(&kind).ok_or_else(|| bad_code("api client kind", &kind))?,
        name: r.get(4)?,
        credentials: Credentials::from_stored(&method, &credential)
            .ok_or_else(|| bad_code("api client credentials", &method))?,
        scopes: scopes_of(&scopes)?,
        mode: Mode::from_code(&mode).ok_or_else(|| bad_code("api client mode", &mode))?,
        created_at: from_ts(r.get(9)?)?,
        disabled_at: r.get::<_, Option<i64>>(10)?.map(from_ts).transpose()?,
        redirect_uris: r.get::<_, String>(11)?.split_whitespace().map(str::to_owned).collect(),
    })
}

fn scopes_of(text: &str) -> rusqlite::Result<Vec<Scope>> {
    text.split_whitespace().map(|c| Scope::from_code(c).ok_or_else(|| bad_code("api scope", c))).collect()
}

const ACCESS: &str =
    "SELECT id, hash, client_id, user_id, grant_id, scopes, created_at, expires_at, revoked_at FROM api_access_tokens";

fn access_row(r: &Row<'_>) -> rusqlite::Result<AccessToken> {
    Ok(AccessToken {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        hash: r.get(1)?,
        client_id: r.get(2)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(3)?)?),
        grant_id: r.get::<_, Option<String>>(4)?.as_deref().map(parse_uuid).transpose()?,
        scopes: scopes_of(&r.get::<_, String>(5)?)?,
        created_at: from_ts(r.get(6)?)?,
        expires_at: from_ts(r.get(7)?)?,
        revoked_at: r.get::<_, Option<i64>>(8)?.map(from_ts).transpose()?,
    })
}

#[async_trait::async_trait]
impl ClientStore for SqliteStore {
    async fn insert_api_client(&self, c: &Client, fx: &Effects) -> StoreResult<()> {
        let (method, credential) = c.credentials.stored();
        self.write(|tx| {
            tx.run(
                "INSERT INTO api_clients (id, owner, acts_for, kind, name, method, credential, scopes, mode, created_at,
                    disabled_at, redirect_uris)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    c.id,
                    c.owner.0.to_string(),
                    c.acts_for.0.to_string(),
                    c.kind.code(),
                    c.name,
                    method,
                    credential,
                    scopes_text(&c.scopes),
                    c.mode.code(),
                    ts(c.created_at),
                    c.disabled_at.map(ts),
                    c.redirect_uris.join(" ")
                ],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn get_api_client(&self, id: &str) -> StoreResult<Client> {
        self.read(|c| c.row(&format!("{CLIENT} WHERE id = ?1"), [id], client_row))
    }

    async fn list_api_clients(&self, owner: UserId) -> StoreResult<Vec<Client>> {
        self.read(|c| {
            c.prepare_cached(&format!("{CLIENT} WHERE owner = ?1 ORDER BY created_at, id"))?
                .query_map([owner.0.to_string()], client_row)?
                .collect()
        })
    }

    async fn list_live_api_clients(&self) -> StoreResult<Vec<Client>> {
        self.read(|c| {
            c.prepare_cached(&format!("{CLIENT} WHERE mode = 'live' AND disabled_at IS NULL ORDER BY created_at, id"))?
                .query_map([], client_row)?
                .collect()
        })
    }

    async fn update_api_client(&self, c: &Client, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "UPDATE api_clients SET acts_for = ?2, mode = ?3, disabled_at = ?4 WHERE id = ?1",
                params![c.id, c.acts_for.0.to_string(), c.mode.code(), c.disabled_at.map(ts)],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn insert_api_access_token(&self, t: &AccessToken, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "INSERT INTO api_access_tokens (id, hash, client_id, user_id, grant_id, scopes, created_at, expires_at,
                    revoked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    t.id.to_string(),
                    t.hash,
                    t.client_id,
                    t.user_id.0.to_string(),
                    t.grant_id.map(|g| g.to_string()),
                    scopes_text(&t.scopes),
                    ts(t.created_at),
                    ts(t.expires_at),
                    t.revoked_at.map(ts)
                ],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn find_api_access_token(&self, hash: &str) -> StoreResult<Option<AccessToken>> {
        self.read(|c| c.row(&format!("{ACCESS} WHERE hash = ?1"), [hash], access_row).optional())
    }

    async fn update_api_access_token_revoked(&self, id: Uuid, at: OffsetDateTime) -> StoreResult<()> {
        self.write(|tx| {
            tx.run("UPDATE api_access_tokens SET revoked_at = ?2 WHERE id = ?1", params![id.to_string(), ts(at)])
                .map_err(map_err)?;
            Ok(())
        })
    }

    async fn save_api_grant(&self, g: &Grant, code: &Ticket, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "INSERT INTO api_grants (id, user_id, client_id, scopes, created_at, revoked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET scopes = excluded.scopes",
                params![
                    g.id.to_string(),
                    g.user_id.0.to_string(),
                    g.client_id,
                    scopes_text(&g.scopes),
                    ts(g.created_at),
                    g.revoked_at.map(ts)
                ],
            )
            .map_err(map_err)?;
            put_ticket(tx, code)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn list_api_grants(&self, user: UserId) -> StoreResult<Vec<Grant>> {
        self.read(|c| {
            c.prepare_cached(&format!("{GRANT} WHERE user_id = ?1 ORDER BY created_at DESC, id DESC"))?
                .query_map([user.0.to_string()], grant_row)?
                .collect()
        })
    }

    async fn get_api_grant(&self, id: Uuid) -> StoreResult<Grant> {
        self.read(|c| c.row(&format!("{GRANT} WHERE id = ?1"), [id.to_string()], grant_row))
    }

    async fn update_api_grant_revoked(
        &self,
        user: UserId,
        id: Uuid,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE api_grants SET revoked_at = ?3 WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL",
                    params![id.to_string(), user.0.to_string(), ts(at)],
                )
                .map_err(map_err)?;
            if n == 1 {
                // Its refresh tokens go with it; its access tokens die with the grant they name.
                tx.run("DELETE FROM api_tickets WHERE grant_id = ?1", [id.to_string()]).map_err(map_err)?;
                crate::effects::apply(tx, fx)?;
            }
            Ok(n == 1)
        })
    }

    async fn insert_api_ticket(&self, t: &Ticket) -> StoreResult<()> {
        self.write(|tx| put_ticket(tx, t))
    }

    async fn take_api_ticket(&self, hash: &str, kind: &str) -> StoreResult<Option<Ticket>> {
        self.write(|tx| {
            let t = tx
                .row(
                    "SELECT hash, kind, grant_id, client_id, redirect_uri, challenge, scopes, expires_at FROM api_tickets
                     WHERE hash = ?1 AND kind = ?2",
                    params![hash, kind],
                    |r| {
                        Ok(Ticket {
                            hash: r.get(0)?,
                            kind: r.get(1)?,
                            grant_id: parse_uuid(&r.get::<_, String>(2)?)?,
                            client_id: r.get(3)?,
                            redirect_uri: r.get(4)?,
                            challenge: r.get(5)?,
                            scopes: scopes_of(&r.get::<_, String>(6)?)?,
                            expires_at: from_ts(r.get(7)?)?,
                        })
                    },
                )
                .optional()
                .map_err(map_err)?;
            if t.is_some() {
                tx.run("DELETE FROM api_tickets WHERE hash = ?1", [hash]).map_err(map_err)?;
            }
            Ok(t)
        })
    }
}

const GRANT: &str = "SELECT id, user_id, client_id, scopes, created_at, revoked_at FROM api_grants";

fn grant_row(r: &Row<'_>) -> rusqlite::Result<Grant> {
    Ok(Grant {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(1)?)?),
        client_id: r.get(2)?,
        scopes: scopes_of(&r.get::<_, String>(3)?)?,
        created_at: from_ts(r.get(4)?)?,
        revoked_at: r.get::<_, Option<i64>>(5)?.map(from_ts).transpose()?,
    })
}

fn put_ticket(tx: &rusqlite::Transaction<'_>, t: &Ticket) -> StoreResult<()> {
    tx.run(
        "INSERT INTO api_tickets (hash, kind, grant_id, client_id, redirect_uri, challenge, scopes, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            t.hash,
            t.kind,
            t.grant_id.to_string(),
            t.client_id,
            t.redirect_uri,
            t.challenge,
            scopes_text(&t.scopes),
            ts(t.expires_at)
        ],
    )
    .map_err(map_err)?;
    Ok(())
}
