//! СЭП storage on embedded SQLite.
//!
//! Why this shape: on this hardware a statement through rusqlite costs ≈ 4 µs while any
//! driver that hops to another thread per statement costs ≈ 100 µs (docs/decisions). So
//! store methods run their statements right on the calling async worker thread: reads take a
//! connection from a small pool of read connections (WAL lets them run beside the writer),
//! writes go through the single writer connection in an `IMMEDIATE` transaction. Every
//! statement is short, so holding a worker for it costs less than the hop would.

mod applications;
mod audit;
mod cached;
mod code_rows;
pub mod conv;
mod db;
mod documents;
mod effects;
mod integration;
mod jobs;
mod mail;
mod messages;
mod migrations;
mod notices;
mod operations;
mod passports;
mod payments;
mod relink;
mod sessions;
mod signing;
mod spravki;
mod users;
mod webhooks;

use crate::cached::Cached as _;
use sep_core::store::{Health, StoreResult};
use std::path::Path;

pub use db::Db;
pub use migrations::MIGRATIONS;

/// The portal's SQLite store. Cheap to share behind an `Arc`.
pub struct SqliteStore {
    db: Db,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`. Does not migrate.
    pub fn open(path: &Path) -> StoreResult<Self> {
        Ok(Self { db: Db::open(path)? })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        self.db.path()
    }

    /// Applies the portal's embedded migrations that are missing; returns how many ran.
    pub fn migrate(&self) -> StoreResult<usize> {
        self.db.migrate(MIGRATIONS)
    }

    /// Table and column names of the live schema, for the parity check with PostgreSQL.
    pub fn schema_columns(&self) -> StoreResult<Vec<(String, String)>> {
        self.db.schema_columns()
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        self.db.read(f)
    }

    pub(crate) fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> StoreResult<T>) -> StoreResult<T> {
        self.db.write(f)
    }
}

#[async_trait::async_trait]
impl Health for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.read(|c| c.row("SELECT count(*) FROM schema_migrations", [], |_| Ok(())))
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}
