//! Static assets compiled into the binary: no CDNs, no external fonts.

use crate::Problem;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

const SITE_CSS: &str = include_str!("../assets/site.css");
const LIVE_JS: &str = include_str!("../assets/live.js");
const DRAFT_JS: &str = include_str!("../assets/draft.js");
const INPLACE_JS: &str = include_str!("../assets/inplace.js");
const SPRAVKA_JS: &str = include_str!("../assets/spravka.js");
const APIDOCS_JS: &str = include_str!("../assets/apidocs.js");
const IMPORT_JS: &str = include_str!("../assets/import.js");
const PASSPORT_VERIFY_JS: &str = include_str!("../assets/passport-verify.js");
const PASSPORT_SW_JS: &str = include_str!("../assets/passport-sw.js");
const GOST_JS: &str = include_str!("../assets/gost.js");

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// `GET /assets/{file}`.
pub(crate) async fn serve(Path(file): Path<String>) -> Response {
    match file.as_str() {
        "site.css" => asset("text/css; charset=utf-8", SITE_CSS),
        "live.js" => asset("text/javascript; charset=utf-8", LIVE_JS),
        "draft.js" => asset("text/javascript; charset=utf-8", DRAFT_JS),
        "inplace.js" => asset("text/javascript; charset=utf-8", INPLACE_JS),
        "spravka.js" => asset("text/javascript; charset=utf-8", SPRAVKA_JS),
        "apidocs.js" => asset("text/javascript; charset=utf-8", APIDOCS_JS),
        "import.js" => asset("text/javascript; charset=utf-8", IMPORT_JS),
        "passport-verify.js" => asset("text/javascript; charset=utf-8", PASSPORT_VERIFY_JS),
        "gost.js" => asset("text/javascript; charset=utf-8", GOST_JS),
        _ => Problem::not_found().into_response(),
    }
}

/// `GET /passport/sw.js`: the service worker of `/passport/verify`, served under `/passport/`
/// so that it may control that page; browsers ask for a new one at every visit.
pub(crate) async fn passport_worker() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], PASSPORT_SW_JS)
        .into_response()
}
