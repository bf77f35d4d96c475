//! Signing in through Госуслуги (SPEC L1–L7): the login and its return, re-linking a
//! profile whose provider account changed, the terms of use, and logout.

pub(crate) mod account;
pub(crate) mod login;
pub(crate) mod relink;
