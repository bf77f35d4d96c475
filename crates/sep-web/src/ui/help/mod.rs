//! Help (SPEC H2): how to log in and apply, every status, every error code.

pub(crate) mod pages;
