//! The webhook poster over HTTP (the core's [`Sender`] port): 15 s per attempt, no redirects
//! followed (a 3xx is a failure, as Standard Webhooks says), and no address in a private
//! network reached unless the configuration allows it — checked on the name's every address
//! when it is resolved for the connection itself, so a name that changes its answer after
//! the subscription (DNS rebinding) still reaches nothing inside.

use async_trait::async_trait;
use sep_core::integration::webhook::WebhookError;
use sep_core::integration::webhook::deliver::{Outcome, Sender, is_private};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long one attempt may take (Standard Webhooks: 15–30 s).
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// How long resolving a name may take when a subscription is checked.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Resolves names for the poster, dropping private addresses (and failing when none is left).
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if all.iter().any(|a| is_private(a.ip())) {
                return Err("the name resolves to a private address".into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(all.into_iter());
            Ok(addrs)
        })
    }
}

/// Posts webhook messages over HTTP.
pub struct HttpSender {
    client: reqwest::Client,
    private_allowed: bool,
}

impl HttpSender {
    /// A poster; `private_allowed` lets it reach loopback and private networks (tests, the demo).
    pub fn new(private_allowed: bool) -> Self {
        let mut b = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy();
        if !private_allowed {
            b = b.dns_resolver(Arc::new(PublicOnly));
        }
        // Building fails only when TLS cannot start; the default client then fails each post.
        Self { client: b.build().unwrap_or_default(), private_allowed }
    }

    /// The literal address of `url`'s host, when it is one.
    fn literal(url: &reqwest::Url) -> Option<IpAddr> {
        match url.host()? {
            openidconnect::url::Host::Ipv4(a) => Some(IpAddr::V4(a)),
            openidconnect::url::Host::Ipv6(a) => Some(IpAddr::V6(a)),
            openidconnect::url::Host::Domain(_) => None,
        }
    }
}

#[async_trait]
impl Sender for HttpSender {
    fn private_allowed(&self) -> bool {
        self.private_allowed
    }

    async fn check(&self, url: &str) -> Result<(), WebhookError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| WebhookError::UrlInvalid)?;
        if self.private_allowed {
            return Ok(());
        }
        if let Some(ip) = Self::literal(&parsed) {
            return if is_private(ip) { Err(WebhookError::UrlPrivate) } else { Ok(()) };
        }
        let host = parsed.host_str().ok_or(WebhookError::UrlInvalid)?.to_owned();
        // A name that does not resolve now may later: only a private answer is refused here
        // (every delivery checks again).
        match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host.as_str(), 0))).await {
            Ok(Ok(addrs)) => {
                let addrs: Vec<SocketAddr> = addrs.collect();
                if addrs.iter().any(|a| is_private(a.ip())) { Err(WebhookError::UrlPrivate) } else { Ok(()) }
            }
            _ => Ok(()),
        }
    }

    async fn post(&self, url: &str, headers: &[(&'static str, String)], body: &str) -> Outcome {
        let started = Instant::now();
        let took = || i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let failed = |error: &str| Outcome { error: Some(error.to_owned()), duration_ms: took(), ..Outcome::default() };
        let Ok(parsed) = reqwest::Url::parse(url) else { return failed("not an address") };
        if !self.private_allowed && Self::literal(&parsed).is_some_and(is_private) {
            return failed("a private address");
        }
        let mut req = self.client.post(parsed).body(body.to_owned());
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let mut res = match req.send().await {
            Ok(res) => res,
            Err(e) if e.is_timeout() => return failed("timeout"),
            Err(e) if e.is_connect() => return failed("connection failed"),
            Err(_) => return failed("request failed"),
        };
        let status = res.status().as_u16();
        let retry_after = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        // The first bytes are kept for the log; the rest is not waited for.
        let mut first = Vec::new();
        while first.len() < sep_core::integration::webhook::EXCERPT {
            match res.chunk().await {
                Ok(Some(chunk)) => first.extend_from_slice(&chunk),
                _ => break,
            }
        }
        first.truncate(sep_core::integration::webhook::EXCERPT);
        Outcome { status: Some(status), body: first, error: None, retry_after, duration_ms: took() }
    }
}
