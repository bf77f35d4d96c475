//! Test kit: a fresh database per test on SQLite or PostgreSQL, an in-process `TestApp` with
//! signed-in browsers (`app.citizen()`, `app.officer(agency)`, `app.admin()`), and the storage
//! conformance stories that every backend must pass.
//!
//! PostgreSQL is used when `SEP_TEST_DATABASE_URL` is set; each test gets its own schema.
//! With `SEP_TEST_ALL=1` a missing PostgreSQL is a failure, never a silent skip.
#![expect(clippy::unwrap_used, clippy::panic, reason = "test support code: a failure here is a test failure")]

pub mod app;
pub mod bench;
pub mod db;
pub mod link;
pub mod pages;
pub mod stories;

pub use app::{Browser, Signed, TestApp};
pub use db::{Backend, TestDb};
