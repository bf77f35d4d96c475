//! What the СЭП portal and the Госуслуги emulator share over HTTP: the [`Problem`] type and
//! its presenter (HTML page or RFC 9457 JSON), the middleware stack, client facts, request
//! ids, the brand and CSP of a site, the listener with graceful shutdown, metrics, the
//! translation engine, safe return addresses and Moscow time. Neither site's pages live here.

pub mod client;
pub mod i18n;
pub mod metrics;
pub mod middleware;
mod problem;
pub mod server;
pub mod throttle;

use std::sync::LazyLock;
use std::time::Duration;

/// Every program that serves СЭП's HTTP (the `sep` binary, the tests, the benchmarks) allocates
/// with mimalloc: signed-in pages allocate many small strings, and glibc's malloc and free were
/// a fifth of a list page's time; with mimalloc the list pages served 20–60 % more
/// (docs/PERFORMANCE.md, issue 20). Declared here, the one library both servers link.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub use client::Client;
pub use middleware::request_id_of;
pub use problem::{FieldError, Problem};

/// The status a failed read of a request body deserves: 408 when the body stopped arriving
/// (the body timeout), 413 when it was over the limit, else `otherwise`. Both wrap their cause
/// in the extractor's error, so the whole chain is searched.
pub fn body_error_status(e: &(dyn std::error::Error + 'static), otherwise: http::StatusCode) -> http::StatusCode {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if c.is::<tower_http::timeout::TimeoutError>() {
            return http::StatusCode::REQUEST_TIMEOUT;
        }
        if c.is::<http_body_util::LengthLimitError>() {
            return http::StatusCode::PAYLOAD_TOO_LARGE;
        }
        cause = c.source();
    }
    otherwise
}

/// Limits of the middleware stack, and the network in front of it.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A request running longer than this is cut off with 503.
    pub request_timeout: Duration,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// A request body that stops arriving for this long is refused with 408.
    pub body_idle_timeout: Duration,
    /// Reverse proxies whose `X-Forwarded-For` names the client (empty: none).
    pub trusted_proxies: std::sync::Arc<[client::Net]>,
}

impl Default for Limits {
    fn default() -> Self {
        // The largest document type allows 10 MB; multipart adds a little.
        Self {
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 11 * 1024 * 1024,
            body_idle_timeout: Duration::from_secs(10),
            trusted_proxies: std::sync::Arc::from([]),
        }
    }
}

/// Whose site an error page belongs to (the portal or the Госуслуги emulator).
#[derive(Debug)]
pub struct Brand {
    /// Site name in the header and the title.
    pub name: &'static str,
    /// Short mark in the logo box.
    pub mark: &'static str,
    /// Stylesheet path.
    pub stylesheet: &'static str,
    /// The Content-Security-Policy of every response.
    pub csp: &'static str,
    /// The site's translations (its error pages speak the visitor's language).
    pub texts: &'static LazyLock<i18n::Catalog>,
}

/// The strict policy: everything from this origin only, forms post only here, no framing.
pub const CSP_STRICT: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Only paths of this site: never an open redirect. No control characters either: browsers
/// drop a tab or a newline, and `/\t/host` becomes `//host`.
pub fn safe_return_to(path: Option<&str>, fallback: &str) -> String {
    match path {
        Some(p)
            if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && !p.chars().any(char::is_control) =>
        {
            p.to_owned()
        }
        _ => fallback.to_owned(),
    }
}

/// Moscow time, as people in Russia read it.
pub mod moscow {
    use time::OffsetDateTime;
    use time::macros::{format_description, offset};

    /// `t` in Moscow; at the ends of the calendar (a certificate "valid until 9999"), `t` as
    /// it is rather than a panic.
    fn msk(t: OffsetDateTime) -> OffsetDateTime {
        t.checked_to_offset(offset!(+3)).unwrap_or(t)
    }

    /// `ДД.ММ.ГГГГ ЧЧ:ММ`.
    pub fn minutes(t: OffsetDateTime) -> String {
        let f = format_description!("[day].[month].[year] [hour]:[minute]");
        msk(t).format(f).unwrap_or_default()
    }

    /// `ДД.ММ.ГГГГ ЧЧ:ММ:СС`.
    pub fn seconds(t: OffsetDateTime) -> String {
        let f = format_description!("[day].[month].[year] [hour]:[minute]:[second]");
        msk(t).format(f).unwrap_or_default()
    }

    /// The calendar date in Moscow.
    pub fn date(t: OffsetDateTime) -> time::Date {
        msk(t).date()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn three_hours_ahead_of_utc() {
            let t = time::macros::datetime!(2026-12-31 22:30:05 UTC);
            assert_eq!(super::minutes(t), "01.01.2027 01:30");
            assert_eq!(super::seconds(t), "01.01.2027 01:30:05");
            assert_eq!(super::date(t), time::macros::date!(2027 - 01 - 01));
            let end = time::macros::datetime!(9999-12-31 23:59:59 UTC);
            assert_eq!(super::minutes(end), "31.12.9999 23:59", "no panic at the end of the calendar");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_return_to;

    #[test]
    fn return_addresses_stay_on_the_site() {
        for bad in ["https://evil.example", "//evil.example", "/\t/evil", "/\\evil", "/a\nb", "", "cabinet"] {
            assert_eq!(safe_return_to(Some(bad), "/cabinet"), "/cabinet", "{bad:?}");
        }
        assert_eq!(safe_return_to(None, "/"), "/");
        assert_eq!(safe_return_to(Some("/applications?x=1"), "/"), "/applications?x=1");
    }
}
