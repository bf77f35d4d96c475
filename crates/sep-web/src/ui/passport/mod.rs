//! «Электронный паспорт» (SPEC EP1, EP2): the holder's card with the photo and the data,
//! «Получить электронный паспорт» as a QR code (PNG and SVG to save, full-screen for a
//! phone); the public check of a code with the published lists, and the lists themselves.
//! The rules are `sep_core::passport`; the worker issues the record.

pub(crate) mod card;
pub(crate) mod check;

use sep_core::passport::record::PassportStatus;

/// The badge tone of a record's status.
fn tone(s: PassportStatus) -> &'static str {
    match s {
        PassportStatus::Valid => "green",
        PassportStatus::Annulled => "red",
    }
}
