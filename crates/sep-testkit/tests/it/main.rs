//! The integration tests of the portal, one binary: each file is a module. Most drive the
//! portal in process (`sep_testkit::TestApp`, with browsers signed in directly in the store);
//! the login tests (`login.rs`) run the portal and the Госуслуги emulator on real sockets,
//! the world of `common`.

mod account;
mod api;
mod api_access;
mod api_areas;
mod api_import;
mod api_writes;
mod applications;
mod cabinet;
mod common;
mod conformance;
mod documents;
mod fees;
mod issued;
mod login;
mod mail;
mod malformed;
mod oauth;
mod pages;
mod passport;
mod paying;
mod payments;
mod privacy;
mod review;
mod routes;
mod sessions;
mod signing;
mod spravki;
mod verify;
mod web;
mod webhooks;
