//! [`RelinkStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::{json, map_err};
use sep_core::ids::UserId;
use sep_core::otp::CodeState;
use sep_core::session::store::RelinkStore;
use sep_core::session::{RelinkRequest, SessionHash};
use sep_core::store::{Effects, StoreResult};
use time::OffsetDateTime;

#[async_trait::async_trait]
impl RelinkStore for PgStore {
    async fn insert_relink(&self, r: &RelinkRequest, fx: &Effects) -> StoreResult<()> {
        let c = r.code.as_ref();
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let tries = c.map(|c| i32::try_from(c.tries_left).unwrap_or(0));
        tx.run(
            "INSERT INTO relink_requests (hash, user_id, data, channel, destination, code_digest, code_expires_at,
                code_tries_left, code_spent, created_at, expires_at, completed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &r.hash.0,
                &r.user_id.0,
                &r.data.to_string(),
                &r.sent_to.as_ref().map(|s| s.0.clone()),
                &r.sent_to.as_ref().map(|s| s.1.clone()),
                &c.map(|c| c.digest.clone()),
                &c.map(|c| c.expires_at),
                &tries,
                &c.map(|c| c.spent),
                &r.created_at,
                &r.expires_at,
                &r.completed_at,
            ],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn find_relink(&self, hash: &SessionHash) -> StoreResult<Option<RelinkRequest>> {
        let client = self.client().await?;
        let row = client
            .maybe_row(
                "SELECT hash, user_id, data, channel, destination, code_digest, code_expires_at, code_tries_left,
                    code_spent, created_at, expires_at, completed_at FROM relink_requests WHERE hash = $1",
                &[&hash.0],
            )
            .await
            .map_err(map_err)?;
        let Some(r) = row else { return Ok(None) };
        let data: String = r.get(2);
        let channel: Option<String> = r.get(3);
        let destination: Option<String> = r.get(4);
        let digest: Option<String> = r.get(5);
        let code = match digest {
            Some(digest) => {
                let expires_at: Option<OffsetDateTime> = r.get(6);
                let tries: Option<i32> = r.get(7);
                let spent: Option<bool> = r.get(8);
                Some(CodeState {
                    digest,
                    expires_at: expires_at.unwrap_or(OffsetDateTime::UNIX_EPOCH),
                    tries_left: u32::try_from(tries.unwrap_or(0)).unwrap_or(0),
                    spent: spent.unwrap_or(true),
                })
            }
            None => None,
        };
        Ok(Some(RelinkRequest {
            hash: SessionHash(r.get(0)),
            user_id: UserId(r.get(1)),
            data: json(&data)?,
            sent_to: channel.zip(destination),
            code,
            created_at: r.get(9),
            expires_at: r.get(10),
            completed_at: r.get(11),
        }))
    }

    async fn update_relink(
        &self,
        r: &RelinkRequest,
        expected: Option<&sep_core::otp::CodeState>,
        fx: &Effects,
    ) -> StoreResult<()> {
        let c = r.code.as_ref();
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let tries = c.map(|c| i32::try_from(c.tries_left).unwrap_or(0));
        let was_tries = expected.map(|e| i32::try_from(e.tries_left).unwrap_or(0));
        let n = tx
            .run(
                "UPDATE relink_requests SET channel = $2, destination = $3, code_digest = $4, code_expires_at = $5,
                    code_tries_left = $6, code_spent = $7, completed_at = $8, data = $9
                 WHERE hash = $1 AND completed_at IS NULL AND code_digest IS NOT DISTINCT FROM $10
                    AND code_tries_left IS NOT DISTINCT FROM $11 AND code_spent IS NOT DISTINCT FROM $12",
                &[
                    &r.hash.0,
                    &r.sent_to.as_ref().map(|s| s.0.clone()),
                    &r.sent_to.as_ref().map(|s| s.1.clone()),
                    &c.map(|c| c.digest.clone()),
                    &c.map(|c| c.expires_at),
                    &tries,
                    &c.map(|c| c.spent),
                    &r.completed_at,
                    &r.data.to_string(),
                    &expected.map(|e| e.digest.clone()),
                    &was_tries,
                    &expected.map(|e| e.spent),
                ],
            )
            .await
            .map_err(map_err)?;
        if n == 0 {
            let row = tx
                .row("SELECT EXISTS (SELECT 1 FROM relink_requests WHERE hash = $1)", &[&r.hash.0])
                .await
                .map_err(map_err)?;
            return Err(if row.get(0) {
                sep_core::StoreError::Conflict { constraint: "relink_requests_changed".into() }
            } else {
                sep_core::StoreError::NotFound
            });
        }
        crate::effects::commit(tx, fx).await
    }
}
