//! Every storage story on every backend, and the parity of the two schemas.
//! PostgreSQL runs when `SEP_TEST_DATABASE_URL` is set (required under `SEP_TEST_ALL=1`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers fail the test by panicking")]

use sep_testkit::stories;
use sep_testkit::{Backend, TestDb};

macro_rules! on_both {
    ($($name:ident => $story:path;)*) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = TestDb::on(Backend::Sqlite).await.unwrap();
                    $story(&db).await;
                }
            )*
        }
        mod postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = TestDb::on(Backend::Postgres).await else {
                        eprintln!("SEP_TEST_DATABASE_URL not set: PostgreSQL story skipped");
                        return;
                    };
                    $story(&db).await;
                }
            )*
        }
    };
}

/// Stories that hold on PostgreSQL only, each saying why.
mod postgres_only {
    use super::*;

    /// The PostgreSQL database of a test, or `None` (said) when none is configured.
    async fn postgres() -> Option<TestDb> {
        let db = TestDb::on(Backend::Postgres).await;
        if db.is_none() {
            eprintln!("SEP_TEST_DATABASE_URL not set: PostgreSQL story skipped");
        }
        db
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refused_audit_record_takes_its_change_along() {
        let Some(db) = postgres().await else { return };
        stories::audited_changes::a_refused_audit_record_takes_its_change_along(&db).await;
    }

    /// A commit sent with its audit record forgets its transaction; what that leaves behind
    /// must not grow with every commit: at most one connection (the stand-in's) has more than
    /// its own share of its statement cache.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn commits_sent_with_their_record_leave_nothing_behind() {
        let Some(db) = postgres().await else { return };
        stories::audited_changes::audited_changes_at_once(&db).await;
        let shares = db.pg_store().unwrap().statement_cache_shares().await.unwrap();
        assert!(!shares.is_empty());
        assert!(shares.iter().filter(|&&n| n > 1).count() <= 1, "shares of each connection's cache: {shares:?}");
    }
}

on_both! {
    users_crud => stories::users::crud;
    users_links_unique_changes_atomic => stories::users::links_are_unique_and_changes_atomic;
    users_contact_changes => stories::users::contact_changes;
    users_settings => stories::users::settings;
    users_orgs => stories::users::orgs;
    sessions_lifecycle => stories::sessions::lifecycle;
    login_requests_taken_once => stories::sessions::login_requests;
    relink_requests_with_their_messages => stories::relink::lifecycle;
    signing_certificates_codes_signatures => stories::signing::lifecycle;
    issued_documents_with_their_signature => stories::signing::issued_documents;
    spravka_orders_lifecycle => stories::spravki::lifecycle;
    passports_lifecycle => stories::passports::lifecycle;
    payments_lifecycle => stories::payments::lifecycle;
    payments_refunds_and_alerts => stories::payments::refunds_and_alerts;
    payments_codes => stories::payments::payment_codes;
    payments_linked_cards => stories::payments::linked_cards;
    payments_fees => stories::payments::fees;
    integration_tokens => stories::integration::tokens;
    integration_idempotency => stories::integration::idempotency;
    integration_webhooks => stories::integration::webhooks;
    integration_clients => stories::integration::clients;
    integration_grants => stories::integration::grants;
    integration_operations => stories::integration::operations;
    mail_lifecycle => stories::mail::lifecycle;
    mail_counterparties => stories::mail::counterparties;
    mail_search_same_on_both => stories::mail::search;
    mail_drafts_and_signatures => stories::mail::drafts_and_signatures;
    attachments_keep_their_versions => stories::applications::versions_of_a_file;
    applications_lifecycle => stories::applications::lifecycle;
    applications_orphan_files_swept => stories::applications::orphan_files_are_swept;
    applications_review_and_notices => stories::applications::review_and_notices;
    applications_messages_thread => stories::applications::messages_thread;
    applications_legacy_threads_move_into_mail => stories::applications::legacy_threads_move_into_mail;
    applications_overdue_noticed_once => stories::applications::overdue_noticed_once;
    applications_files_of_a_person => stories::applications::files_of_a_person;
    audit_chain_and_history => stories::audit::chain_and_history;
    audit_tampering_refused_and_detected => stories::audit::tampering_is_refused_and_detected;
    audit_concurrent_appends => stories::audit::concurrent_appends_keep_the_chain;
    audited_changes_at_once => stories::audited_changes::audited_changes_at_once;
    jobs_lifecycle => stories::jobs::lifecycle;
    jobs_concurrent_claims_disjoint => stories::jobs::concurrent_claims_are_disjoint;
    health_ping_and_backend => stories::health::ping_and_backend;
}

fn migration_files(dir: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir).join("migrations");
    let mut names: Vec<String> = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".sql").to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn migration_trees_have_the_same_names_and_all_are_embedded() {
    let sqlite = migration_files("sep-store-sqlite");
    let postgres = migration_files("sep-store-postgres");
    assert_eq!(sqlite, postgres, "migration file names differ between the backends");
    let embedded = |m: &[sep_core::migrate::Migration]| m.iter().map(|m| m.name.to_owned()).collect::<Vec<_>>();
    assert_eq!(embedded(sep_store_sqlite::MIGRATIONS), sqlite, "a SQLite migration file is not embedded");
    assert_eq!(embedded(sep_store_postgres::MIGRATIONS), postgres, "a PostgreSQL migration file is not embedded");
    let versions: Vec<i64> = sep_store_sqlite::MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(versions, (1..=versions.len() as i64).collect::<Vec<_>>(), "versions run 1, 2, 3… without gaps");
}

#[tokio::test]
async fn schemas_have_the_same_tables_and_columns() {
    let sqlite = TestDb::sqlite().await;
    let sqlite_cols = sqlite.sqlite_store().unwrap().schema_columns().unwrap();
    assert!(sqlite_cols.iter().any(|(t, c)| t == "users" && c == "snils"));
    let Some(pg) = TestDb::postgres().await else {
        eprintln!("SEP_TEST_DATABASE_URL not set: schema parity checked on SQLite only");
        return;
    };
    let pg_cols = pg.pg_store().unwrap().schema_columns().await.unwrap();
    // The mailbox's full-text index is each engine's own (an FTS5 table with its shadow
    // tables; a tsvector column with a GIN index); what it finds is compared by the story.
    let own = |cols: Vec<(String, String)>| -> Vec<(String, String)> {
        assert!(cols.iter().any(|(t, c)| t == "mail_search" && c == "terms"), "the search index exists");
        cols.into_iter().filter(|(t, _)| !t.starts_with("mail_search")).collect()
    };
    assert_eq!(own(sqlite_cols), own(pg_cols));
}

#[tokio::test]
async fn migrating_twice_applies_nothing_the_second_time() {
    let db = TestDb::sqlite().await;
    assert_eq!(db.sqlite_store().unwrap().migrate().unwrap(), 0);
    if let Some(pg) = TestDb::postgres().await {
        assert_eq!(pg.pg_store().unwrap().migrate().await.unwrap(), 0);
    }
}
