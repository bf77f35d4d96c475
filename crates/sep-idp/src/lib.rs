//! The Госуслуги emulator: an identity provider that behaves like ЕСИА closely enough for
//! integrators to develop against, on its own origin (`sep idp`, or inside `sep demo`).
//!
//! Protocol and account rules live in plain modules tested without HTTP (`password`,
//! `lockout`, `otp`, `login`); `web` is a thin axum router over them; `sqlite` keeps the
//! emulator's own database (see docs/DECISIONS.md, "The emulator's storage").

pub mod account;
pub mod admin;
pub mod demo;
pub mod lockout;
pub mod login;
pub mod mail;
pub mod oidc;
pub use sep_core::otp;
pub mod outbox;
pub mod password;
pub mod recovery;
pub mod registration;
pub mod sqlite;
pub mod store;
pub mod totp;
pub mod web;

pub use login::{LoginError, LoginService};
