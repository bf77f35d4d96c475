//! The home page: what СЭП is and the way in.

use crate::error::Page;
use crate::ui::components::render;
use askama::Template;

#[derive(Template)]
#[template(path = "public/home.html")]
struct Home;

/// `GET /`.
pub(crate) async fn page() -> Page {
    render(&Home)
}
