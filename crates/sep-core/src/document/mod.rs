//! «Мои документы» (SPEC D1, D2) and the documents the system issues (E3).

mod archive;
pub mod issued;
pub mod replace;
pub mod store;

pub use archive::*;
