//! Static assets compiled into the binary: no CDNs, no external fonts.

use crate::Problem;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

const SITE_CSS: &str = include_str!("../assets/site.css");
const LIVE_JS: &str = include_str!("../assets/live.js");

/// `GET /assets/{file}`.
pub(crate) async fn serve(Path(file): Path<String>) -> Response {
    match file.as_str() {
        "site.css" => (
            [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
            SITE_CSS,
        )
            .into_response(),
        "live.js" => (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
            LIVE_JS,
        )
            .into_response(),
        _ => Problem::not_found().into_response(),
    }
}
