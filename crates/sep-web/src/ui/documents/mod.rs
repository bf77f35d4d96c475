//! «Мои документы» (SPEC D1): the person's documents in one list.

pub(crate) mod archive;
pub(crate) mod issued;
