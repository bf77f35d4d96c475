//! Subcommands.

pub mod api;
pub mod ca;
pub mod demo;
pub mod idp;
pub mod idp_admin;
pub mod migrate;
pub mod passport;
pub mod pay;
pub mod serve;
pub mod verify;
