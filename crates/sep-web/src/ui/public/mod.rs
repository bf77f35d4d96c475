//! Pages anyone may open: the home page, the service catalogue, "not found", and the demo's
//! outbox.

pub(crate) mod home;
pub(crate) mod not_found;
pub(crate) mod outbox;
pub(crate) mod services;
