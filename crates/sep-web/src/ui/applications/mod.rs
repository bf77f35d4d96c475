//! Applications (SPEC A2, R1–R8): «Мои заявления», the form and its drafts, contact
//! confirmation, documents, the check page and sending, withdrawing, and the thread with the
//! agency. Access is decided by the extractors (`Owned`, `Editable`, `Visible`), the rules by
//! `sep_core::application`.

pub(crate) mod check;
pub(crate) mod contacts;
pub(crate) mod documents;
pub(crate) mod form;
pub(crate) mod import;
pub(crate) mod list;
pub(crate) mod messages;
mod views;
pub(crate) mod withdraw;
