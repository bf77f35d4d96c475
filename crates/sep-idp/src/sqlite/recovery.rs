//! [`RecoveryStore`] on SQLite.

use super::IdpSqlite;
use crate::account::Oid;
use crate::outbox::Channel;
use crate::store::{RecoveryStore, RecoveryTxn, StoreResult};
use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};
use sep_core::session::SessionHash;
use sep_store_sqlite::conv::{bad_code, from_ts, from_ts_opt, map_err, ts};
use time::OffsetDateTime;

#[async_trait]
impl RecoveryStore for IdpSqlite {
    async fn insert_recovery(&self, r: &RecoveryTxn) -> StoreResult<()> {
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO recovery_txns (hash, oid, channel, created_at, expires_at, code_digest, code_expires_at,
                    code_tries_left, code_spent, completed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    r.hash.0,
                    r.oid,
                    r.channel.code(),
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

    async fn find_recovery(&self, hash: &SessionHash) -> StoreResult<Option<RecoveryTxn>> {
        self.db.read(|c| {
            c.query_row(
                "SELECT hash, oid, channel, created_at, expires_at, code_digest, code_expires_at, code_tries_left,
                    code_spent, completed_at FROM recovery_txns WHERE hash = ?1",
                [&hash.0],
                |r| {
                    let ch: String = r.get(2)?;
                    Ok(RecoveryTxn {
                        hash: SessionHash(r.get(0)?),
                        oid: r.get(1)?,
                        channel: Channel::from_code(&ch).ok_or_else(|| bad_code("channel", &ch))?,
                        created_at: from_ts(r.get(3)?)?,
                        expires_at: from_ts(r.get(4)?)?,
                        code: super::code_state(r, 5)?,
                        completed_at: from_ts_opt(r.get(9)?)?,
                    })
                },
            )
            .optional()
        })
    }

    async fn update_recovery(&self, r: &RecoveryTxn) -> StoreResult<()> {
        super::update_code_txn(&self.db, "recovery_txns", &r.hash, &r.code, r.completed_at)
    }

    async fn count_recoveries(&self, oid: Oid, since: OffsetDateTime) -> StoreResult<u32> {
        self.db.read(|c| {
            c.query_row(
                "SELECT count(*) FROM recovery_txns WHERE oid = ?1 AND created_at > ?2",
                params![oid, ts(since)],
                |r| r.get(0),
            )
        })
    }

    async fn end_sessions_of(&self, oid: Oid, at: OffsetDateTime) -> StoreResult<u64> {
        self.db.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE idp_sessions SET ended_at = ?2 WHERE oid = ?1 AND ended_at IS NULL",
                    params![oid, ts(at)],
                )
                .map_err(map_err)?;
            Ok(n as u64)
        })
    }
}
