//! Server-rendered pages, one folder per area (`public`, `help`, `auth`, `cabinet`, `documents`,
//! `profile`, `applications`, `officer`, `verify`); what several areas show (the journal, the thread,
//! the personal block, uploads, formatting) is in `components`, so no area imports another.

pub(crate) mod applications;
pub(crate) mod auth;
pub(crate) mod cabinet;
pub(crate) mod components;
pub(crate) mod documents;
pub(crate) mod help;
pub(crate) mod integration;
pub(crate) mod mail;
pub(crate) mod officer;
pub(crate) mod passport;
pub(crate) mod payments;
pub(crate) mod profile;
pub(crate) mod public;
pub(crate) mod signing;
pub(crate) mod spravki;
pub(crate) mod verify;
