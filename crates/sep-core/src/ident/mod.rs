//! Russian identifiers as validated value types.
//!
//! Every type is built only through `parse`, which accepts input the way people type it
//! (spaces, dashes, `8` for `+7`) and normalises it. A value that exists is valid, so code
//! past the edge never re-checks. Types that hold personal data redact themselves in `Debug`
//! so that they cannot leak into logs by accident; `Display` gives the value for rendering.

/// `Display` for identifiers stored in their printed form.
macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
use display_as_str;

mod date;
mod digits;
mod email;
mod error;
mod inn;
mod kpp;
mod ogrn;
mod passport;
mod phone;
mod snils;

pub use date::{RuDate, ru as ru_date};
pub use email::Email;
pub use error::IdError;
pub use inn::{Inn, InnKind};
pub use kpp::Kpp;
pub use ogrn::{Ogrn, Ogrnip};
pub use passport::{DivisionCode, PassportNumber, PassportSeries};
pub use phone::Phone;
pub use snils::Snils;

/// Check-digit functions, for generators of valid identifiers in tests and fixtures.
pub mod check_digits {
    pub use super::inn::{inn10_check, inn12_checks};
    pub use super::ogrn::{ogrn_check, ogrnip_check};
    pub use super::snils::snils_check;
}
