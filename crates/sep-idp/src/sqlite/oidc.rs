//! [`OidcStore`] on SQLite.

use super::IdpSqlite;
use crate::account::Oid;
use crate::oidc::model::{AuthCode, AuthRequest, OidcClient, Token, TokenKind};
use crate::oidc::store::OidcStore;
use crate::store::StoreResult;
use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, params};
use sep_store_sqlite::conv::{from_ts, from_ts_opt, map_err, ts};
use time::OffsetDateTime;

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

fn lines(s: &str) -> Vec<String> {
    s.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

const REQUEST_COLUMNS: &str = "hash, client_id, redirect_uri, scopes, state, nonce, code_challenge, created_at, expires_at, used_at, prompt, max_age";

fn request_row(r: &Row<'_>) -> rusqlite::Result<AuthRequest> {
    Ok(AuthRequest {
        hash: r.get(0)?,
        client_id: r.get(1)?,
        redirect_uri: r.get(2)?,
        scopes: words(&r.get::<_, String>(3)?),
        state: r.get(4)?,
        nonce: r.get(5)?,
        code_challenge: r.get(6)?,
        created_at: from_ts(r.get(7)?)?,
        expires_at: from_ts(r.get(8)?)?,
        used_at: from_ts_opt(r.get(9)?)?,
        prompt: words(&r.get::<_, String>(10)?),
        max_age: r.get(11)?,
    })
}

const CODE_COLUMNS: &str = "hash, client_id, redirect_uri, oid, scopes, nonce, code_challenge, auth_time, amr, session_hash, expires_at, used_at";

fn code_row(r: &Row<'_>) -> rusqlite::Result<AuthCode> {
    Ok(AuthCode {
        hash: r.get(0)?,
        client_id: r.get(1)?,
        redirect_uri: r.get(2)?,
        oid: r.get(3)?,
        scopes: words(&r.get::<_, String>(4)?),
        nonce: r.get(5)?,
        code_challenge: r.get(6)?,
        auth_time: from_ts(r.get(7)?)?,
        amr: words(&r.get::<_, String>(8)?),
        session_hash: r.get(9)?,
        expires_at: from_ts(r.get(10)?)?,
        used_at: from_ts_opt(r.get(11)?)?,
    })
}

const TOKEN_COLUMNS: &str =
    "hash, kind, client_id, oid, scopes, auth_time, amr, session_hash, code_hash, family, created_at,
    expires_at, used_at, revoked_at";

fn token_row(r: &Row<'_>) -> rusqlite::Result<Token> {
    let kind: String = r.get(1)?;
    Ok(Token {
        hash: r.get(0)?,
        kind: if kind == "refresh" { TokenKind::Refresh } else { TokenKind::Access },
        client_id: r.get(2)?,
        oid: r.get(3)?,
        scopes: words(&r.get::<_, String>(4)?),
        auth_time: from_ts(r.get(5)?)?,
        amr: words(&r.get::<_, String>(6)?),
        session_hash: r.get(7)?,
        code_hash: r.get(8)?,
        family: r.get(9)?,
        created_at: from_ts(r.get(10)?)?,
        expires_at: from_ts(r.get(11)?)?,
        used_at: from_ts_opt(r.get(12)?)?,
        revoked_at: from_ts_opt(r.get(13)?)?,
    })
}

#[async_trait]
impl OidcStore for IdpSqlite {
    async fn find_signing_key(&self) -> StoreResult<Option<(String, String)>> {
        self.db.read(|c| {
            c.prepare_cached("SELECT kid, private_key FROM signing_keys ORDER BY created_at DESC LIMIT 1")?
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
    }

    async fn insert_signing_key(&self, kid: &str, private_hex: &str, at: OffsetDateTime) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO signing_keys (kid, alg, private_key, created_at) VALUES (?1, 'ES256', ?2, ?3)",
                params![kid, private_hex, ts(at)],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn upsert_client(&self, c: &OidcClient, at: OffsetDateTime) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO oidc_clients (id, name, secret_hash, redirect_uris, post_logout_redirect_uris, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, secret_hash = excluded.secret_hash,
                    redirect_uris = excluded.redirect_uris, post_logout_redirect_uris = excluded.post_logout_redirect_uris",
                params![c.id, c.name, c.secret_hash, c.redirect_uris.join("\n"), c.post_logout_redirect_uris.join("\n"), ts(at)],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn find_client(&self, id: &str) -> StoreResult<Option<OidcClient>> {
        self.db.read(|c| {
            c.prepare_cached("SELECT id, name, secret_hash, redirect_uris, post_logout_redirect_uris FROM oidc_clients WHERE id = ?1")?.query_row([id], |r| {
                    Ok(OidcClient {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        secret_hash: r.get(2)?,
                        redirect_uris: lines(&r.get::<_, String>(3)?),
                        post_logout_redirect_uris: lines(&r.get::<_, String>(4)?),
                    })
                })
            .optional()
        })
    }

    async fn insert_auth_request(&self, a: &AuthRequest) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute(
                &format!(
                    "INSERT INTO auth_requests ({REQUEST_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                ),
                params![
                    a.hash,
                    a.client_id,
                    a.redirect_uri,
                    a.scopes.join(" "),
                    a.state,
                    a.nonce,
                    a.code_challenge,
                    ts(a.created_at),
                    ts(a.expires_at),
                    a.used_at.map(ts),
                    a.prompt.join(" "),
                    a.max_age,
                ],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn find_auth_request(&self, hash: &str) -> StoreResult<Option<AuthRequest>> {
        self.db.read(|c| {
            c.prepare_cached(&format!("SELECT {REQUEST_COLUMNS} FROM auth_requests WHERE hash = ?1"))?
                .query_row([hash], request_row)
                .optional()
        })
    }

    async fn update_auth_request_used(&self, hash: &str, at: OffsetDateTime) -> StoreResult<bool> {
        self.db.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE auth_requests SET used_at = ?2 WHERE hash = ?1 AND used_at IS NULL",
                    params![hash, ts(at)],
                )
                .map_err(map_err)?;
            Ok(n == 1)
        })
    }

    async fn find_consent(&self, oid: Oid, client_id: &str) -> StoreResult<Option<Vec<String>>> {
        self.db.read(|c| {
            c.prepare_cached("SELECT scopes FROM consents WHERE oid = ?1 AND client_id = ?2")?
                .query_row(params![oid, client_id], |r| Ok(words(&r.get::<_, String>(0)?)))
                .optional()
        })
    }

    async fn upsert_consent(
        &self,
        oid: Oid,
        client_id: &str,
        scopes: &[String],
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO consents (oid, client_id, scopes, granted_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (oid, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at",
                params![oid, client_id, scopes.join(" "), ts(at)],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn insert_code(&self, a: &AuthCode) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute(
                &format!(
                    "INSERT INTO auth_codes ({CODE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                ),
                params![
                    a.hash,
                    a.client_id,
                    a.redirect_uri,
                    a.oid,
                    a.scopes.join(" "),
                    a.nonce,
                    a.code_challenge,
                    ts(a.auth_time),
                    a.amr.join(" "),
                    a.session_hash,
                    ts(a.expires_at),
                    a.used_at.map(ts),
                ],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn take_code(&self, hash: &str, at: OffsetDateTime) -> StoreResult<Option<AuthCode>> {
        self.db.write(|tx| {
            let before = tx
                .query_row(&format!("SELECT {CODE_COLUMNS} FROM auth_codes WHERE hash = ?1"), [hash], code_row)
                .optional()
                .map_err(map_err)?;
            if before.as_ref().is_some_and(|c| c.used_at.is_none()) {
                tx.execute("UPDATE auth_codes SET used_at = ?2 WHERE hash = ?1", params![hash, ts(at)])
                    .map_err(map_err)?;
            }
            Ok(before)
        })
    }

    async fn insert_tokens(&self, tokens: &[Token]) -> StoreResult<()> {
        self.db.write(|tx| {
            for t in tokens {
                tx.execute(
                    &format!(
                        "INSERT INTO oauth_tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
                    ),
                    params![
                        t.hash, t.kind.code(), t.client_id, t.oid, t.scopes.join(" "), ts(t.auth_time), t.amr.join(" "),
                        t.session_hash, t.code_hash, t.family, ts(t.created_at), ts(t.expires_at), t.used_at.map(ts),
                        t.revoked_at.map(ts),
                    ],
                )
                .map_err(map_err)?;
            }
            Ok(())
        })
    }

    async fn find_token(&self, hash: &str) -> StoreResult<Option<Token>> {
        self.db.read(|c| {
            c.prepare_cached(&format!("SELECT {TOKEN_COLUMNS} FROM oauth_tokens WHERE hash = ?1"))?
                .query_row([hash], token_row)
                .optional()
        })
    }

    async fn update_token_used(&self, hash: &str, at: OffsetDateTime) -> StoreResult<bool> {
        self.db.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE oauth_tokens SET used_at = ?2 WHERE hash = ?1 AND used_at IS NULL",
                    params![hash, ts(at)],
                )
                .map_err(map_err)?;
            Ok(n == 1)
        })
    }

    async fn revoke_tokens_of_code(&self, code_hash: &str, at: OffsetDateTime) -> StoreResult<u64> {
        self.db.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE oauth_tokens SET revoked_at = ?2 WHERE code_hash = ?1 AND revoked_at IS NULL",
                    params![code_hash, ts(at)],
                )
                .map_err(map_err)?;
            Ok(n as u64)
        })
    }

    async fn revoke_family(&self, family: &str, at: OffsetDateTime) -> StoreResult<u64> {
        self.db.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE oauth_tokens SET revoked_at = ?2 WHERE family = ?1 AND revoked_at IS NULL",
                    params![family, ts(at)],
                )
                .map_err(map_err)?;
            Ok(n as u64)
        })
    }

    async fn revoke_tokens_of_session(&self, session_hash: &str, at: OffsetDateTime) -> StoreResult<u64> {
        self.db.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE oauth_tokens SET revoked_at = ?2 WHERE session_hash = ?1 AND revoked_at IS NULL",
                    params![session_hash, ts(at)],
                )
                .map_err(map_err)?;
            Ok(n as u64)
        })
    }

    async fn upsert_esia_client(
        &self,
        client_id: &str,
        certificate: &[u8],
        token_alg: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO esia_clients (client_id, certificate, token_alg, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (client_id) DO UPDATE SET certificate = excluded.certificate, token_alg = excluded.token_alg",
                params![client_id, certificate, token_alg, ts(at)],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn find_esia_client(&self, client_id: &str) -> StoreResult<Option<(Vec<u8>, String)>> {
        self.db.read(|c| {
            c.prepare_cached("SELECT certificate, token_alg FROM esia_clients WHERE client_id = ?1")?
                .query_row([client_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
    }

    async fn use_esia_state(&self, client_id: &str, state: &str, at: OffsetDateTime) -> StoreResult<bool> {
        self.db.write(|tx| {
            let n = tx
                .execute(
                    "INSERT INTO esia_states (client_id, state, used_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                    params![client_id, state, ts(at)],
                )
                .map_err(map_err)?;
            Ok(n == 1)
        })
    }

    async fn find_esia_key(&self, alg: &str) -> StoreResult<Option<(String, Vec<u8>)>> {
        self.db.read(|c| {
            c.prepare_cached("SELECT private_key, certificate FROM esia_key WHERE alg = ?1")?
                .query_row([alg], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
    }

    async fn insert_esia_key(
        &self,
        alg: &str,
        private_pem: &str,
        certificate: &[u8],
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        self.db.write(|tx| {
            let n = tx
                .execute(
                    "INSERT INTO esia_key (alg, private_key, certificate, created_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT DO NOTHING",
                    params![alg, private_pem, certificate, ts(at)],
                )
                .map_err(map_err)?;
            Ok(n == 1)
        })
    }
}
