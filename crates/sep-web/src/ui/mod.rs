//! Server-rendered pages.

pub(crate) mod access;
pub(crate) mod account;
pub(crate) mod applications;
pub(crate) mod cabinet;
pub(crate) mod codes;
pub(crate) mod contacts;
pub(crate) mod documents;
pub(crate) mod help;
pub(crate) mod home;
pub(crate) mod journal;
pub(crate) mod live;
pub(crate) mod login;
pub(crate) mod messages;
pub(crate) mod not_found;
pub(crate) mod officer;
pub(crate) mod outbox;
pub(crate) mod profile;
pub(crate) mod relink;
pub(crate) mod services;
pub(crate) mod sessions;
pub(crate) mod settings;
pub(crate) mod upload;
pub(crate) mod withdraw;

use crate::Problem;
use askama::Template;
use axum::response::{Html, IntoResponse, Response};

/// Renders a template; a rendering failure becomes the internal-error page.
pub(crate) fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            Problem::internal().into_response()
        }
    }
}

/// A moment as Moscow time, `ДД.ММ.ГГГГ ЧЧ:ММ`.
pub(crate) fn moscow(t: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[day].[month].[year] [hour]:[minute]");
    t.to_offset(time::macros::offset!(+3)).format(f).unwrap_or_default()
}

/// A date as `ДД.ММ.ГГГГ`, or a dash.
pub(crate) fn ru_date(d: Option<time::Date>) -> String {
    let f = time::macros::format_description!("[day].[month].[year]");
    d.and_then(|d| d.format(f).ok()).unwrap_or_else(|| "—".into())
}

/// A file size as people read it.
pub(crate) fn file_size(bytes: i64) -> String {
    crate::i18n::tr_dyn(&format!("{:.1} КБ", bytes as f64 / 1024.0))
}
