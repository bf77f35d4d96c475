//! Security headers on every response (SECURITY.md T15).

use axum::http::{HeaderName, HeaderValue, header};
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower_http::set_header::SetResponseHeaderLayer;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

type L = SetResponseHeaderLayer<HeaderValue>;

fn set(name: HeaderName, value: &'static str) -> L {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// The header layers.
pub(crate) fn headers() -> ServiceBuilder<Stack<L, Stack<L, Stack<L, Stack<L, Stack<L, Stack<L, Identity>>>>>>> {
    ServiceBuilder::new()
        .layer(set(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::REFERRER_POLICY, "same-origin"))
        .layer(set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains"))
        .layer(set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin"))
}
