//! The visitor's address, for rate limits and the security log. Behind a reverse proxy every
//! connection comes from the proxy; `TRUSTED_PROXIES` names the proxies whose forwarding headers
//! are believed. Anyone else can write those headers, so from any other peer they are ignored.

use ipnet::IpNet;
use std::net::IpAddr;

/// The peer, unless it is a trusted proxy: then the nearest address the proxies forwarded that is
/// not itself a trusted proxy (`Forwarded` first, else `X-Forwarded-For`, read right to left).
pub fn client_ip(peer: IpAddr, forwarded: Option<&str>, x_forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let chain: Vec<IpAddr> = match (forwarded, x_forwarded_for) {
        (Some(f), _) => f.split(',').filter_map(forwarded_for).collect(),
        (None, Some(x)) => x.split(',').filter_map(|a| a.trim().parse().ok()).collect(),
        (None, None) => vec![],
    };
    chain.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer)
}

/// The `for=` of one `Forwarded` element: `for=192.0.2.60`, `for="[2001:db8::1]:4711"`.
fn forwarded_for(element: &str) -> Option<IpAddr> {
    let value = element.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        key.trim().eq_ignore_ascii_case("for").then(|| value.trim().trim_matches('"'))
    })?;
    let host = match value.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => value.rsplit_once(':').filter(|(h, _)| !h.contains(':')).map_or(value, |(h, _)| h),
    };
    host.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_trusted;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarding_headers_count_only_from_a_trusted_proxy() {
        let trusted = parse_trusted("127.0.0.1, 10.0.0.0/8").unwrap();
        // From a stranger, a forged header changes nothing.
        assert_eq!(client_ip(ip("198.51.100.9"), None, Some("203.0.113.7"), &trusted), ip("198.51.100.9"));
        // From the proxy: the last address it added that is not another proxy of ours.
        assert_eq!(client_ip(ip("127.0.0.1"), None, Some("1.2.3.4, 203.0.113.7"), &trusted), ip("203.0.113.7"));
        assert_eq!(client_ip(ip("127.0.0.1"), None, Some("203.0.113.7, 10.1.2.3"), &trusted), ip("203.0.113.7"));
        assert_eq!(
            client_ip(ip("10.0.0.2"), Some("for=192.0.2.60;proto=http, for=\"[2001:db8::1]:4711\""), None, &trusted),
            ip("2001:db8::1")
        );
        assert_eq!(client_ip(ip("127.0.0.1"), Some("for=192.0.2.60:8080"), None, &trusted), ip("192.0.2.60"));
        // A proxy that forwarded nothing usable: the proxy itself.
        assert_eq!(client_ip(ip("127.0.0.1"), None, Some("garbage"), &trusted), ip("127.0.0.1"));
        assert!(parse_trusted("10.0.0.0/33").is_err() && parse_trusted("proxy.example").is_err());
        assert_eq!(parse_trusted("").unwrap(), vec![]);
    }
}
