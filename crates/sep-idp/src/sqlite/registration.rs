//! [`RegistrationStore`] on SQLite.

use super::IdpSqlite;
use crate::store::{RegistrationStore, RegistrationTxn, StoreResult};
use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};
use sep_core::session::SessionHash;
use sep_store_sqlite::conv::{from_ts, from_ts_opt, map_err, ts};
use time::OffsetDateTime;

#[async_trait]
impl RegistrationStore for IdpSqlite {
    async fn insert_registration(&self, r: &RegistrationTxn) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO registration_txns (hash, data, password_hash, phone, created_at, expires_at, code_digest,
                    code_expires_at, code_tries_left, code_spent, completed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    r.hash.0,
                    r.data.to_string(),
                    r.password_hash,
                    r.phone,
                    ts(r.created_at),
                    ts(r.expires_at),
                    r.code.digest,
                    ts(r.code.expires_at),
                    r.code.tries_left,
                    r.code.spent,
                    r.completed_at.map(ts),
                ],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn find_registration(&self, hash: &SessionHash) -> StoreResult<Option<RegistrationTxn>> {
        self.db.read(|c| {
            c.query_row(
                "SELECT hash, data, password_hash, phone, created_at, expires_at, code_digest, code_expires_at,
                    code_tries_left, code_spent, completed_at FROM registration_txns WHERE hash = ?1",
                [&hash.0],
                |r| {
                    let data: String = r.get(1)?;
                    Ok(RegistrationTxn {
                        hash: SessionHash(r.get(0)?),
                        data: serde_json::from_str(&data).map_err(|e| {
                            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
                        })?,
                        password_hash: r.get(2)?,
                        phone: r.get(3)?,
                        created_at: from_ts(r.get(4)?)?,
                        expires_at: from_ts(r.get(5)?)?,
                        code: super::code_state(r, 6)?,
                        completed_at: from_ts_opt(r.get(10)?)?,
                    })
                },
            )
            .optional()
        })
    }

    async fn update_registration(&self, r: &RegistrationTxn) -> StoreResult<()> {
        super::update_code_txn(&self.db, "registration_txns", &r.hash, &r.code, r.completed_at)
    }

    async fn count_registrations(&self, phone: &str, since: OffsetDateTime) -> StoreResult<u32> {
        self.db.read(|c| {
            c.query_row(
                "SELECT count(*) FROM registration_txns WHERE phone = ?1 AND created_at > ?2",
                params![phone, ts(since)],
                |r| r.get(0),
            )
        })
    }
}
