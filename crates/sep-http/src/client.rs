//! Facts about the client that handlers need: its address and browser.
//!
//! Behind a reverse proxy or load balancer every connection comes from the proxy, so the
//! per-address limits and the journal would see one client. `X-Forwarded-For` is believed only
//! from configured proxies (`trusted_proxies`), and read from the right: the first address not
//! a trusted proxy is the client, so a client cannot put a made-up address in front.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// An address or a network (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    /// `addr` or `addr/prefix`.
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (text.trim().parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { addr, prefix })
    }

    /// Whether `ip` is in this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(a) & mask == u32::from(b) & mask
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(a) & mask == u128::from(b) & mask
            }
            _ => false,
        }
    }
}

/// The configured proxies: `10.0.0.1, 10.1.0.0/16`; an entry that is not an address is named.
pub fn parse_proxies(text: &str) -> Result<Vec<Net>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Net::parse(s).ok_or_else(|| s.to_owned()))
        .collect()
}

/// The client's address: the peer, or — when the peer is a trusted proxy — the right-most
/// address of `X-Forwarded-For` that is not a trusted proxy (an unreadable entry stops the walk
/// at the last proxy that handed it over).
pub fn client_ip(peer: IpAddr, forwarded: &[&str], trusted: &[Net]) -> IpAddr {
    let trusted_ip = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = peer.to_canonical();
    if !trusted_ip(client) {
        return client;
    }
    for hop in forwarded.iter().flat_map(|h| h.split(',')).rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else { return client };
        client = ip.to_canonical();
        if !trusted_ip(client) {
            break;
        }
    }
    client
}

/// The client's address as the middleware worked it out from the peer and the proxies.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

/// The peer address and user agent. The address is the socket's peer, or the client behind a
/// trusted proxy ([`ClientIp`], set by the middleware).
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
        let ip = match (parts.extensions.get::<ClientIp>(), parts.extensions.get::<ConnectInfo<SocketAddr>>()) {
            (Some(c), _) => c.0.to_string(),
            (None, Some(c)) => c.0.ip().to_string(),
            (None, None) => "unknown".to_owned(),
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_contain_their_addresses() {
        let n = Net::parse("10.1.0.0/16").unwrap();
        assert!(n.contains(ip("10.1.200.3")) && !n.contains(ip("10.2.0.1")));
        assert!(Net::parse("192.0.2.7").unwrap().contains(ip("192.0.2.7")));
        assert!(!Net::parse("192.0.2.7").unwrap().contains(ip("192.0.2.8")));
        assert!(Net::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(!Net::parse("0.0.0.0/0").unwrap().contains(ip("::1")), "families apart");
        assert!(Net::parse("fd00::/8").unwrap().contains(ip("fd12::1")));
        assert_eq!(Net::parse("10.0.0.0/33"), None);
        assert_eq!(parse_proxies("10.0.0.1, nonsense"), Err("nonsense".into()));
        assert_eq!(parse_proxies(" ").unwrap(), vec![]);
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxies = parse_proxies("10.0.0.1, 10.0.1.0/24").unwrap();
        // Not a proxy: its header is ignored.
        assert_eq!(client_ip(ip("198.51.100.9"), &["203.0.113.5"], &proxies), ip("198.51.100.9"));
        // Through the proxy: the right-most address that is not a proxy.
        assert_eq!(client_ip(ip("10.0.0.1"), &["203.0.113.5"], &proxies), ip("203.0.113.5"));
        assert_eq!(
            client_ip(ip("10.0.0.1"), &["6.6.6.6, 203.0.113.5, 10.0.1.4"], &proxies),
            ip("203.0.113.5"),
            "a forged left part is not believed"
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), &["6.6.6.6", "203.0.113.5"], &proxies),
            ip("203.0.113.5"),
            "repeated headers read as one list"
        );
        assert_eq!(client_ip(ip("10.0.0.1"), &[], &proxies), ip("10.0.0.1"));
        assert_eq!(client_ip(ip("10.0.0.1"), &["garbage"], &proxies), ip("10.0.0.1"));
        assert_eq!(
            client_ip(ip("10.0.0.1"), &["\u{fffd}, 203.0.113.5"], &proxies),
            ip("203.0.113.5"),
            "junk on the left"
        );
        assert_eq!(client_ip(ip("10.0.0.1"), &["10.0.1.9"], &proxies), ip("10.0.1.9"), "only proxies: the farthest");
    }
}
