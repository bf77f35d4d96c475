//! Rows holding a confirmation code for a new contact — `contact_confirmations` (an
//! application's) and `contact_changes` (a profile's) — share their columns and one write rule:
//! insert, or replace the stored row only if its code and send count are still as read, so
//! parallel guesses or sends cannot each spend the same try.

use crate::cached::Cached as _;
use crate::conv::map_err;
use deadpool_postgres::Transaction;
use sep_core::StoreError;
use sep_core::otp::CodeState;
use sep_core::store::StoreResult;
use time::OffsetDateTime;

/// One such row, whichever table and key it belongs to.
pub(crate) struct CodeRow<'a> {
    /// `contact_confirmations` or `contact_changes`.
    pub(crate) table: &'static str,
    /// The owner's column (`application_id`, `user_id`) and its value.
    pub(crate) key: (&'static str, uuid::Uuid),
    pub(crate) channel: &'a str,
    pub(crate) value: &'a str,
    pub(crate) code: &'a CodeState,
    pub(crate) sent: u32,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) confirmed_at: Option<OffsetDateTime>,
}

fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Writes `row` if the stored one is still `expected` (its code and send count as read;
/// `None`: there was none), else `Conflict` and nothing is written.
pub(crate) async fn upsert(
    tx: &Transaction<'_>,
    row: &CodeRow<'_>,
    expected: Option<(&CodeState, u32)>,
) -> StoreResult<()> {
    let (table, (key, owner)) = (row.table, &row.key);
    let was_digest = expected.map(|e| e.0.digest.clone());
    let was_tries = expected.map(|e| int(e.0.tries_left));
    let was_spent = expected.map(|e| e.0.spent);
    let was_sent = expected.map(|e| int(e.1));
    let changed = tx
        .run(
            &format!(
                "INSERT INTO {table} ({key}, channel, value, code_digest, code_expires_at, code_tries_left, code_spent,
                    sent, created_at, confirmed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT ({key}, channel) DO UPDATE SET value = excluded.value,
                    code_digest = excluded.code_digest, code_expires_at = excluded.code_expires_at,
                    code_tries_left = excluded.code_tries_left, code_spent = excluded.code_spent, sent = excluded.sent,
                    created_at = excluded.created_at, confirmed_at = excluded.confirmed_at
                 WHERE {table}.code_digest = $11 AND {table}.code_tries_left = $12
                    AND {table}.code_spent = $13 AND {table}.sent = $14"
            ),
            &[
                owner,
                &row.channel,
                &row.value,
                &row.code.digest,
                &row.code.expires_at,
                &int(row.code.tries_left),
                &row.code.spent,
                &int(row.sent),
                &row.created_at,
                &row.confirmed_at,
                &was_digest,
                &was_tries,
                &was_spent,
                &was_sent,
            ],
        )
        .await
        .map_err(map_err)?;
    if changed == 0 { Err(StoreError::Conflict { constraint: format!("{table}_changed") }) } else { Ok(()) }
}
