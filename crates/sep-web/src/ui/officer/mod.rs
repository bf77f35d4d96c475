//! The officer's workspace (SPEC A3): the agency's queue and one application with the
//! officer's steps. Every page takes the `Officer` or `InAgency` extractor.

pub(crate) mod application;
pub(crate) mod passports;
pub(crate) mod queue;
pub(crate) mod spravki;
