//! What a справка says, laid out for the renderer: the [`Render`] port turns a [`Sheet`]
//! into PDF bytes (the `sep-pdf` crate does it with krilla); the agency then signs exactly
//! those bytes.

use super::records::Extract;

/// A справка ready to be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The issuing agency.
    pub agency: String,
    /// The kind's title.
    pub title: String,
    /// The document's number.
    pub number: String,
    /// Date of issue, `ДД.ММ.ГГГГ`.
    pub issued_on: String,
    /// «Действительна до», `ДД.ММ.ГГГГ`.
    pub valid_until: String,
    /// The holder: label and value lines (ФИО, дата рождения, СНИЛС or ИНН).
    pub holder: Vec<(String, String)>,
    /// The period, in words, for kinds that take one.
    pub period: Option<String>,
    /// What it is for.
    pub purpose: String,
    /// The registry's record.
    pub extract: Extract,
    /// The check link, printed and in the QR code.
    pub check_url: String,
    /// The order it answers.
    pub order_number: String,
}

/// Draws a справка.
pub trait Render: Send + Sync {
    /// The PDF of `sheet`.
    fn render(&self, sheet: &Sheet) -> Result<Vec<u8>, String>;
}
