//! Facts about the client that handlers need: its address and browser.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::SocketAddr;

/// The peer address and user agent. The address is the socket's peer: behind a reverse
/// proxy it is the proxy's (trusting `X-Forwarded-For` needs a configured proxy list).
#[derive(Debug, Clone)]
pub struct Client {
    /// Peer IP, or `unknown` when served without connection info (in-process tests).
    pub ip: String,
    /// `User-Agent`, cut to 300 characters.
    pub user_agent: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(300)
            .collect();
        Ok(Self { ip, user_agent })
    }
}
