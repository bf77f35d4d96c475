//! The integration tests of the portal, one binary: each file is a module; `common` is the
//! world of the real-socket tests (the portal and the Госуслуги emulator on free ports).

mod cabinet;
mod common;
mod conformance;
mod login;
mod pages;
mod review;
mod web;
