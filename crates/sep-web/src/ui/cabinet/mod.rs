//! The personal cabinet (SPEC C1–C3, L4, L7): the dashboard, live news, the history of
//! operations, active sessions and settings.

pub(crate) mod history;
pub(crate) mod live;
pub(crate) mod page;
pub(crate) mod sessions;
pub(crate) mod settings;
