//! The middleware stack, outermost first: request id (an incoming one kept only when it is a
//! plain id) → trace → metrics → security headers →
//! problem presenter → panic catcher → timeout → body limit → CSRF check → handlers. Shared by the portal
//! and the Госуслуги emulator.

mod metrics;
mod present;
mod security;

use crate::{Brand, Limits, Problem};
use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use std::any::Any;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// Header carrying the request id in both directions.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request id of a request (set by the outermost layer, so always present inside).
pub fn request_id<B>(req: &Request<B>) -> String {
    request_id_of(req.headers())
}

/// The request id from the headers a handler was given.
pub fn request_id_of(h: &axum::http::HeaderMap) -> String {
    h.get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned()
}

tokio::task_local! {
    static CURRENT_ID: String;
}

/// The id of the request being handled, for pages rendered without its headers at hand (the
/// emulator's message pages); `None` outside a request.
pub fn current_request_id() -> Option<String> {
    CURRENT_ID.try_with(Clone::clone).ok()
}

/// Runs the rest of the stack with the request's id in [`current_request_id`].
async fn with_request_id(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let id = request_id_of(req.headers());
    CURRENT_ID.scope(id, next.run(req)).await
}

fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    // The panic message may hold data; the log gets it from the panic hook, the user does not.
    tracing::error!("handler panicked");
    Problem::internal().into_response()
}

/// Whether an incoming request id may be kept: what a proxy or a client's own tracing would
/// send (a UUID, a hex or dotted id), never text that would land in the journal and the log as
/// something else.
fn acceptable_id(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=64).contains(&bytes.len()) && bytes.iter().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
}

/// Drops an incoming request id that is not [`acceptable_id`], so a fresh one is made.
fn sane_request_id<B>(mut req: Request<B>) -> Request<B> {
    if req.headers().get(&REQUEST_ID).is_some_and(|v| !acceptable_id(v)) {
        req.headers_mut().remove(&REQUEST_ID);
    }
    req
}

fn span_for<B>(req: &Request<B>) -> tracing::Span {
    // Path only: query strings can carry codes and tokens.
    tracing::info_span!("request", request_id = %request_id(req), method = %req.method(), path = %req.uri().path())
}

/// Wraps `routes` in the whole stack; error pages carry `brand`, responses its CSP.
pub fn apply(routes: Router, limits: Limits, brand: &'static Brand) -> Router {
    apply_with_csp(routes, limits, brand, HeaderValue::from_static(brand.csp))
}

/// As [`apply`] with a CSP computed at start-up (the portal adds its identity provider to
/// `form-action`, because logout is a form whose redirects end there).
pub fn apply_with_csp(routes: Router, limits: Limits, brand: &'static Brand, csp: HeaderValue) -> Router {
    let proxies = limits.trusted_proxies.clone();
    routes.layer(
        ServiceBuilder::new()
            .map_request(move |req| with_client_ip(req, &proxies))
            .map_request(sane_request_id)
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(axum::middleware::from_fn(with_request_id))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(span_for)
                    .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
            )
            .layer(axum::middleware::from_fn(metrics::record))
            .layer(axum::middleware::map_response(move |res| security::headers(csp.clone(), res)))
            .layer(axum::middleware::from_fn(move |req, next| present::problems(brand, req, next)))
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, limits.request_timeout))
            .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
            // A body that stops arriving fails its read (408 in the extractors) long before the
            // request timeout's 503.
            .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(limits.body_idle_timeout))
            // Cross-site state changes are refused by Sec-Fetch-Site / Origin (Go 1.25's scheme).
            .layer(CsrfLayer::new()),
    )
}

/// Marks the request with the client's address when it came through a trusted proxy.
fn with_client_ip(mut req: axum::extract::Request, proxies: &[crate::client::Net]) -> axum::extract::Request {
    if proxies.is_empty() {
        return req;
    }
    let Some(peer) = req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())
    else {
        return req;
    };
    // Read lossily: a client's non-ASCII bytes must not hide the address the proxy appended.
    let forwarded: Vec<String> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    let forwarded: Vec<&str> = forwarded.iter().map(String::as_str).collect();
    let ip = crate::client::client_ip(peer, &forwarded, proxies);
    req.extensions_mut().insert(crate::client::ClientIp(ip));
    req
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, LazyLock, Mutex};

    static TEXTS: LazyLock<crate::i18n::Catalog> = LazyLock::new(|| crate::i18n::Catalog::from_files(&[]));
    static SITE: Brand =
        Brand { name: "Тест", mark: "Т", stylesheet: "/s.css", csp: crate::CSP_STRICT, texts: &TEXTS };

    #[derive(Clone, Default)]
    struct Log(Arc<Mutex<Vec<u8>>>);

    impl Write for Log {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A handler's internal failure is logged once, by the presenter, with its cause; the
    /// page shows the request id and never the cause.
    #[tokio::test(flavor = "current_thread")]
    async fn a_failure_is_logged_once_and_its_cause_stays_off_the_page() {
        let log = Log::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let routes = Router::new()
            .route("/", axum::routing::get(|| async { Problem::internal().caused_by("disk full at /secret/path") }));
        let app = apply(routes, Limits::default(), &SITE);
        let req = axum::http::Request::get("/").body(axum::body::Body::empty()).unwrap();
        let res = tower::ServiceExt::oneshot(app, req).await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        let page = String::from_utf8_lossy(&body);
        assert!(page.contains("internal_error") && !page.contains("/secret/path"), "{page}");
        let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.matches("disk full at /secret/path").count(), 1, "{text}");
        assert_eq!(text.matches("request failed").count(), 1, "{text}");
    }
}
