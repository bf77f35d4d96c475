//! Security headers on every response (SECURITY.md T15).

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;

const HEADERS: [(HeaderName, &str); 6] = [
    // Pages carry personal data: no shared or browser cache keeps them unless a handler
    // says otherwise (static assets, the look's stylesheet).
    (header::CACHE_CONTROL, "no-store"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains"),
    (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
];

/// Adds each header unless the handler set its own, with the site's CSP.
pub(crate) async fn headers(csp: HeaderValue, mut res: Response) -> Response {
    let h = res.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    for (name, value) in HEADERS {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    res
}
