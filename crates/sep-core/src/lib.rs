//! СЭП domain core.
//!
//! Value types, domain models, state rules and the ports (storage traits, clock) that the
//! outer layers implement. This crate depends on no web framework and no SQL driver, so
//! the rules here can be tested in isolation and reused by every front end (portal, API,
//! jobs, the Госуслуги emulator). Check with `cargo tree -p sep-core`.

pub mod application;
pub mod audit;
pub mod backoff;
pub mod catalogue;
pub mod clock;
pub mod confirm;
pub mod demo;
pub mod document;
pub mod error;
pub mod esia;
pub mod ident;
pub mod identity;
pub mod ids;
pub mod integration;
pub mod job;
pub mod mail;
pub mod migrate;
pub mod money;
pub mod notice;
pub mod otp;
pub mod passport;
pub mod payment;
pub mod profile;
pub mod registry;
pub mod session;
pub mod settings;
pub mod signature;
pub mod signer;
pub mod signin;
pub mod signing;
pub mod spravka;
pub mod store;
pub mod user;

pub use error::StoreError;
