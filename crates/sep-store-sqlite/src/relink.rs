//! [`RelinkStore`] on SQLite.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{from_ts, from_ts_opt, map_err, parse_uuid, ts};
use rusqlite::{OptionalExtension, params};
use sep_core::ids::UserId;
use sep_core::otp::CodeState;
use sep_core::session::store::RelinkStore;
use sep_core::session::{RelinkRequest, SessionHash};
use sep_core::store::{Effects, StoreResult};

#[async_trait::async_trait]
impl RelinkStore for SqliteStore {
    async fn insert_relink(&self, r: &RelinkRequest, fx: &Effects) -> StoreResult<()> {
        let c = r.code.as_ref();
        self.write(|tx| {
            tx.run(
                "INSERT INTO relink_requests (hash, user_id, data, channel, destination, code_digest, code_expires_at,
                    code_tries_left, code_spent, created_at, expires_at, completed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    r.hash.0,
                    r.user_id.0.to_string(),
                    r.data.to_string(),
                    r.sent_to.as_ref().map(|s| s.0.clone()),
                    r.sent_to.as_ref().map(|s| s.1.clone()),
                    c.map(|c| c.digest.clone()),
                    c.map(|c| ts(c.expires_at)),
                    c.map(|c| c.tries_left),
                    c.map(|c| c.spent),
                    ts(r.created_at),
                    ts(r.expires_at),
                    r.completed_at.map(ts),
                ],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn find_relink(&self, hash: &SessionHash) -> StoreResult<Option<RelinkRequest>> {
        self.read(|c| {
            c.row(
                "SELECT hash, user_id, data, channel, destination, code_digest, code_expires_at, code_tries_left,
                    code_spent, created_at, expires_at, completed_at FROM relink_requests WHERE hash = ?1",
                [&hash.0],
                |r| {
                    let user: String = r.get(1)?;
                    let data: String = r.get(2)?;
                    let channel: Option<String> = r.get(3)?;
                    let destination: Option<String> = r.get(4)?;
                    let digest: Option<String> = r.get(5)?;
                    let code = match digest {
                        Some(digest) => Some(CodeState {
                            digest,
                            expires_at: from_ts(r.get(6)?)?,
                            tries_left: r.get(7)?,
                            spent: r.get(8)?,
                        }),
                        None => None,
                    };
                    Ok(RelinkRequest {
                        hash: SessionHash(r.get(0)?),
                        user_id: UserId(parse_uuid(&user)?),
                        data: serde_json::from_str(&data).map_err(|e| {
                            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
                        })?,
                        sent_to: channel.zip(destination),
                        code,
                        created_at: from_ts(r.get(9)?)?,
                        expires_at: from_ts(r.get(10)?)?,
                        completed_at: from_ts_opt(r.get(11)?)?,
                    })
                },
            )
            .optional()
        })
    }

    async fn update_relink(
        &self,
        r: &RelinkRequest,
        expected: Option<&sep_core::otp::CodeState>,
        fx: &Effects,
    ) -> StoreResult<()> {
        let c = r.code.as_ref();
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE relink_requests SET channel = ?2, destination = ?3, code_digest = ?4, code_expires_at = ?5,
                        code_tries_left = ?6, code_spent = ?7, completed_at = ?8, data = ?9
                     WHERE hash = ?1 AND completed_at IS NULL AND code_digest IS ?10 AND code_tries_left IS ?11
                        AND code_spent IS ?12",
                    params![
                        r.hash.0,
                        r.sent_to.as_ref().map(|s| s.0.clone()),
                        r.sent_to.as_ref().map(|s| s.1.clone()),
                        c.map(|c| c.digest.clone()),
                        c.map(|c| ts(c.expires_at)),
                        c.map(|c| c.tries_left),
                        c.map(|c| c.spent),
                        r.completed_at.map(ts),
                        r.data.to_string(),
                        expected.map(|e| e.digest.clone()),
                        expected.map(|e| e.tries_left),
                        expected.map(|e| e.spent),
                    ],
                )
                .map_err(map_err)?;
            if n == 0 {
                let exists: bool = tx
                    .row("SELECT EXISTS (SELECT 1 FROM relink_requests WHERE hash = ?1)", [&r.hash.0], |row| row.get(0))
                    .map_err(map_err)?;
                return Err(if exists {
                    sep_core::StoreError::Conflict { constraint: "relink_requests_changed".into() }
                } else {
                    sep_core::StoreError::NotFound
                });
            }
            crate::effects::apply(tx, fx)
        })
    }
}
