//! «Токены доступа» (seed 004, SPEC X1): the person issues, sees and revokes the personal
//! access tokens their own programs call `/api/v1` with. The rules are
//! `sep_core::integration`.

pub(crate) mod access;
pub(crate) mod tokens;
