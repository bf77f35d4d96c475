//! The profile (SPEC C3): changing the phone and e-mail, confirmed by a code or a link.

pub(crate) mod contacts;
