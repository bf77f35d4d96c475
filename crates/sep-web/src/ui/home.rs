//! The home page: what СЭП is and the way in.

use askama::Template;
use axum::response::Response;

#[derive(Template)]
#[template(path = "home.html")]
struct Home;

/// `GET /`.
pub(crate) async fn page() -> Response {
    super::render(&Home)
}
