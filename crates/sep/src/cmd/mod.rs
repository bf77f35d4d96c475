//! Subcommands.

pub mod demo;
pub mod idp;
pub mod migrate;
pub mod serve;
