//! What several areas show: rendering and formatting, the application's journal and
//! thread, the personal data block, file downloads. Areas import these, never
//! each other.

pub(crate) mod files;
pub(crate) mod journal;
pub(crate) mod personal;
pub(crate) mod signatures;
pub(crate) mod thread;
pub(crate) mod zip;

use crate::AppState;
use crate::error::{Page, WebError};
use askama::Template;
use axum::response::{Html, IntoResponse};
use sep_core::user::User;

/// Renders a template; a rendering failure becomes the internal-error page.
pub(crate) fn render(t: &impl Template) -> Page {
    t.render().map(|html| Html(html).into_response()).map_err(|e| WebError::internal(format!("template: {e}")))
}

/// A moment as Moscow time, `ДД.ММ.ГГГГ ЧЧ:ММ`.
pub(crate) fn moscow(t: time::OffsetDateTime) -> String {
    sep_http::moscow::minutes(t)
}

/// The title of the service `code` in the page's language; the code itself for a service
/// that has left the catalogue.
pub(crate) fn service_title(s: &AppState, code: &str) -> String {
    s.catalogue.get(code).map_or_else(|| code.to_owned(), |svc| crate::i18n::tr_dyn(&svc.title))
}

/// A date as `ДД.ММ.ГГГГ`, or a dash.
/// A filter's day as a date input sends it (`ГГГГ-ММ-ДД`) or as people type it
/// (`ДД.ММ.ГГГГ`); an unreadable one is ignored, as a bookmark's would be.
pub(crate) fn filter_day(text: &str) -> Option<time::Date> {
    let ru = time::macros::format_description!("[day].[month].[year]");
    time::Date::parse(text.trim(), ISO_DAY).or_else(|_| time::Date::parse(text.trim(), ru)).ok()
}

/// A filter's day as a date input shows it again (`ГГГГ-ММ-ДД`); empty for none.
pub(crate) fn input_day(d: Option<time::Date>) -> String {
    d.and_then(|d| d.format(ISO_DAY).ok()).unwrap_or_default()
}

const ISO_DAY: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub(crate) fn ru_date(d: Option<time::Date>) -> String {
    let f = time::macros::format_description!("[day].[month].[year]");
    d.and_then(|d| d.format(f).ok()).unwrap_or_else(|| "—".into())
}

/// `text` with everything but unreserved characters (RFC 3986) percent-encoded: for a query
/// parameter or an RFC 5987 file name.
pub(crate) fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An unread count as a badge says it: nothing for none, «99+» at the cap.
pub(crate) fn badge(n: i64) -> String {
    match n {
        0 => String::new(),
        n if n >= sep_core::mail::UNREAD_CAP => format!("{}+", sep_core::mail::UNREAD_CAP - 1),
        n => n.to_string(),
    }
}

/// A file size as people read it.
pub(crate) fn file_size(bytes: i64) -> String {
    crate::i18n::tr_dyn(&format!("{} КБ", kilobytes(bytes)))
}

/// `bytes` in kilobytes with one decimal, rounded half to even as `{:.1}` of the float would
/// be, in integers: formatting floats was a twentieth of the cabinet's time (issue 20).
fn kilobytes(bytes: i64) -> String {
    let tenths = u64::try_from(bytes).unwrap_or(0).saturating_mul(10);
    let (mut q, r) = (tenths / 1024, tenths % 1024);
    if r > 512 || (r == 512 && q % 2 == 1) {
        q += 1;
    }
    format!("{}.{}", q / 10, q % 10)
}

/// The newest notification id of `user`: where a page's live updates start.
pub(crate) async fn newest_notice(s: &AppState, user: &User) -> Result<i64, WebError> {
    Ok(s.store.list_notices(user.id, 1).await?.first().map_or(0, |n| n.id))
}

#[cfg(test)]
mod tests {
    /// The integer rounding says what the float formatting said, ties included.
    #[test]
    fn kilobytes_as_the_float_formatting_says_them() {
        let sizes =
            (0..=300_000i64).chain((0..2_000).map(|i| i * 7_919_993 + 511)).chain([i64::from(u32::MAX), 1 << 40]);
        for b in sizes {
            assert_eq!(super::kilobytes(b), format!("{:.1}", b as f64 / 1024.0), "{b} bytes");
        }
    }

    #[test]
    fn a_badge_says_nothing_a_number_or_99_plus() {
        assert_eq!(super::badge(0), "");
        assert_eq!(super::badge(7), "7");
        assert_eq!(super::badge(sep_core::mail::UNREAD_CAP), "99+");
    }
}
