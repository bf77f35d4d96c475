//! Sending a stored file: the stored type, the cleaned name, never cached; shown in the
//! browser only when asked and only for the formats checked by content at upload (PDF, JPEG,
//! PNG), everything else always as a download.

use crate::AppState;
use crate::error::{Page, WebError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use sep_http::Problem;

/// The formats a browser may show in place.
const INLINE: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// The file with content key `key`, named `name`: shown in place when `inline` and its type
/// allows, else a download.
pub(crate) async fn download(s: &AppState, name: &str, content_type: &str, key: &str, inline: bool) -> Page {
    let bytes = s
        .files
        .get(key)
        .await
        .map_err(|e| WebError::from(Problem::for_status(StatusCode::SERVICE_UNAVAILABLE).caused_by(e)))?;
    // RFC 6266/5987: the UTF-8 name percent-encoded, with an ASCII fallback.
    let encoded = super::percent_encoded(name);
    let how = if inline && INLINE.contains(&content_type) { "inline" } else { "attachment" };
    let disposition = format!("{how}; filename=\"file\"; filename*=UTF-8''{encoded}");
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(res)
}
