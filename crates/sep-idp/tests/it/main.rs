//! The integration tests of the Госуслуги emulator, one binary: each file is a module;
//! `common` is the emulator in process with a browser's cookie jar.

mod common;
mod esia;
mod login;
mod mail;
mod oidc;
mod rp_openidconnect;
