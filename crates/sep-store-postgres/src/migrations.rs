//! Embedded migrations and their runner.

use crate::cached::Cached as _;
use crate::conv::map_err;
use deadpool_postgres::Object;
use sep_core::StoreError;
use sep_core::migrate::{Applied, Migration, pending};
use sep_core::store::StoreResult;

/// Every migration, in order; names match `crates/sep-store-sqlite/migrations`.
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "0001_initial", sql: include_str!("../migrations/0001_initial.sql") },
    Migration { version: 2, name: "0002_login", sql: include_str!("../migrations/0002_login.sql") },
    Migration { version: 3, name: "0003_relink", sql: include_str!("../migrations/0003_relink.sql") },
    Migration { version: 4, name: "0004_applications", sql: include_str!("../migrations/0004_applications.sql") },
    Migration { version: 5, name: "0005_attachments", sql: include_str!("../migrations/0005_attachments.sql") },
    Migration { version: 6, name: "0006_contacts", sql: include_str!("../migrations/0006_contacts.sql") },
    Migration { version: 7, name: "0007_review", sql: include_str!("../migrations/0007_review.sql") },
    Migration { version: 8, name: "0008_messages", sql: include_str!("../migrations/0008_messages.sql") },
    Migration { version: 9, name: "0009_settings", sql: include_str!("../migrations/0009_settings.sql") },
    Migration { version: 10, name: "0010_overdue", sql: include_str!("../migrations/0010_overdue.sql") },
    Migration {
        version: 11,
        name: "0011_contact_changes",
        sql: include_str!("../migrations/0011_contact_changes.sql"),
    },
    Migration { version: 12, name: "0012_checks_passed", sql: include_str!("../migrations/0012_checks_passed.sql") },
    Migration { version: 13, name: "0013_signing", sql: include_str!("../migrations/0013_signing.sql") },
    Migration { version: 14, name: "0014_spravki", sql: include_str!("../migrations/0014_spravki.sql") },
    Migration { version: 15, name: "0015_payments", sql: include_str!("../migrations/0015_payments.sql") },
    Migration { version: 16, name: "0016_receipts", sql: include_str!("../migrations/0016_receipts.sql") },
    Migration { version: 17, name: "0017_user_orgs", sql: include_str!("../migrations/0017_user_orgs.sql") },
    Migration { version: 18, name: "0018_refunds", sql: include_str!("../migrations/0018_refunds.sql") },
    Migration { version: 19, name: "0019_payment_codes", sql: include_str!("../migrations/0019_payment_codes.sql") },
    Migration { version: 20, name: "0020_linked_cards", sql: include_str!("../migrations/0020_linked_cards.sql") },
    Migration {
        version: 21,
        name: "0021_application_fees",
        sql: include_str!("../migrations/0021_application_fees.sql"),
    },
    Migration { version: 22, name: "0022_mail", sql: include_str!("../migrations/0022_mail.sql") },
    Migration { version: 23, name: "0023_mail_search", sql: include_str!("../migrations/0023_mail_search.sql") },
    Migration {
        version: 24,
        name: "0024_mail_signed_drafts",
        sql: include_str!("../migrations/0024_mail_signed_drafts.sql"),
    },
    Migration {
        version: 25,
        name: "0025_application_threads_in_mail",
        sql: include_str!("../migrations/0025_application_threads_in_mail.sql"),
    },
    Migration { version: 26, name: "0026_api_tokens", sql: include_str!("../migrations/0026_api_tokens.sql") },
    Migration {
        version: 27,
        name: "0027_api_idempotency",
        sql: include_str!("../migrations/0027_api_idempotency.sql"),
    },
    Migration { version: 28, name: "0028_webhooks", sql: include_str!("../migrations/0028_webhooks.sql") },
    Migration { version: 29, name: "0029_api_clients", sql: include_str!("../migrations/0029_api_clients.sql") },
    Migration { version: 30, name: "0030_api_operations", sql: include_str!("../migrations/0030_api_operations.sql") },
    Migration { version: 31, name: "0031_passports", sql: include_str!("../migrations/0031_passports.sql") },
    Migration {
        version: 32,
        name: "0032_passport_checks",
        sql: include_str!("../migrations/0032_passport_checks.sql"),
    },
    Migration { version: 33, name: "0033_submit_codes", sql: include_str!("../migrations/0033_submit_codes.sql") },
    Migration {
        version: 34,
        name: "0034_session_authenticated",
        sql: include_str!("../migrations/0034_session_authenticated.sql"),
    },
];

/// Serialises concurrent `migrate` runs from several nodes.
const MIGRATION_LOCK: i64 = 0x5E9_0001;

pub(crate) async fn run(client: &mut Object) -> StoreResult<usize> {
    let tx = client.transaction().await.map_err(map_err)?;
    tx.run("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(map_err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)",
    )
    .await
    .map_err(map_err)?;
    let applied: Vec<Applied> = tx
        .rows("SELECT version, name, checksum FROM schema_migrations ORDER BY version", &[])
        .await
        .map_err(map_err)?
        .iter()
        .map(|r| Applied { version: r.get(0), name: r.get(1), checksum: r.get(2) })
        .collect();
    let todo = pending(MIGRATIONS, &applied).map_err(|e| StoreError::Other(e.to_string()))?;
    let now = time::OffsetDateTime::now_utc();
    for m in &todo {
        tx.batch_execute(m.sql).await.map_err(map_err)?;
        tx.run(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            &[&m.version, &m.name, &m.checksum(), &now],
        )
        .await
        .map_err(map_err)?;
        tracing::info!(migration = m.name, "applied migration");
    }
    tx.commit().await.map_err(map_err)?;
    Ok(todo.len())
}
