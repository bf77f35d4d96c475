//! `/api/v1`: one folder per area, as the pages have.

pub(crate) mod agency;
pub(crate) mod applications;
pub(crate) mod documents;
pub(crate) mod mail;
pub(crate) mod operations;
pub(crate) mod passports;
pub(crate) mod payments;
pub(crate) mod spravki;
pub(crate) mod webhooks;
