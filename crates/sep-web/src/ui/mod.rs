//! Server-rendered pages.

pub(crate) mod account;
pub(crate) mod applications;
pub(crate) mod contacts;
pub(crate) mod documents;
pub(crate) mod help;
pub(crate) mod home;
pub(crate) mod login;
pub(crate) mod not_found;
pub(crate) mod outbox;
pub(crate) mod relink;
pub(crate) mod services;
pub(crate) mod sessions;

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
