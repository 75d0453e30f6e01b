//! Per-client token buckets for the search routes.
//!
//! Each client IP owns a bucket of `burst` tokens refilled at `per_minute / 60` tokens a second;
//! a request takes one token or is answered `429 rate_limited` with `Retry-After` set to the
//! seconds until the next token. Buckets live in one mutex-guarded map, pruned when it grows: the
//! critical section is a few arithmetic operations, far below a search's cost.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Mutex;
use std::time::Instant;

use crate::config::RateLimit;

/// Largest number of tracked clients before full buckets are dropped.
const PRUNE_AT: usize = 10_000;

/// Shared rate limiter.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// A limiter with the given rate.
    pub fn new(limit: RateLimit) -> RateLimiter {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `client` at `now`: `Ok(())`, or `Err(seconds)` to wait.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        let rate = f64::from(self.limit.per_minute) / 60.0;
        let burst = f64::from(self.limit.burst);
        // A poisoned lock only means another request panicked mid-update; the map is still
        // usable, so take it rather than failing every later request.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= PRUNE_AT && !buckets.contains_key(&client) {
            buckets.retain(|_, b| {
                let refilled =
                    b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * rate;
                refilled < burst
            });
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / rate;
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

/// An IP address or CIDR block (`10.0.0.0/8`, `2001:db8::/32`, `127.0.0.1`): a trusted proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpBlock {
    addr: IpAddr,
    prefix: u8,
}

impl IpBlock {
    /// Parses `IP` or `IP/PREFIX`; `None` when malformed or the prefix is too long.
    pub fn parse(text: &str) -> Option<IpBlock> {
        let (ip, prefix) = match text.split_once('/') {
            Some((ip, p)) => (
                ip.trim().parse::<IpAddr>().ok()?,
                Some(p.trim().parse::<u8>().ok()?),
            ),
            None => (text.trim().parse::<IpAddr>().ok()?, None),
        };
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpBlock { addr: ip, prefix })
    }

    /// Whether `ip` is in the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| -> (u128, u8) {
            match ip {
                IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
                IpAddr::V6(v) => (u128::from(v), 128),
            }
        };
        let (a, width_a) = bits(self.addr);
        let (b, width_b) = bits(ip.to_canonical());
        if width_a != width_b {
            return false;
        }
        let shift = u32::from(width_a - self.prefix);
        shift >= 128 || (a >> shift) == (b >> shift)
    }
}

/// The client IP of a request. Behind a trusted proxy (`trust_proxy`), the right-most
/// `X-Forwarded-For` address that is not one of `trusted` proxies: entries to its left were
/// written by the client and can be forged, the ones to its right by our own proxies. Else (or
/// when that entry is malformed) the socket peer; in-process tests without a socket get the
/// unspecified address.
pub fn client_ip(
    headers: &axum::http::HeaderMap,
    peer: Option<std::net::SocketAddr>,
    trust_proxy: bool,
    trusted: &[IpBlock],
) -> IpAddr {
    if trust_proxy {
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        let mut client = None;
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) if trusted.iter().any(|b| b.contains(ip)) => client = Some(ip),
                Ok(ip) => {
                    client = Some(ip);
                    break;
                }
                Err(_) => {
                    client = None;
                    break;
                }
            }
        }
        if let Some(ip) = client {
            return ip;
        }
    }
    peer.map(|p| p.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_empties_and_refills() {
        let rl = RateLimiter::new(RateLimit {
            per_minute: 60,
            burst: 2,
        });
        let ip: IpAddr = "10.0.0.1".parse().expect("ip");
        let other: IpAddr = "10.0.0.2".parse().expect("ip");
        let t0 = Instant::now();
        assert_eq!(rl.check(ip, t0), Ok(()));
        assert_eq!(rl.check(ip, t0), Ok(()));
        assert_eq!(rl.check(ip, t0), Err(1));
        assert_eq!(rl.check(other, t0), Ok(()));
        assert_eq!(rl.check(ip, t0 + Duration::from_millis(1100)), Ok(()));
    }

    #[test]
    fn forwarded_for_only_when_trusted() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "203.0.113.7, 10.0.0.1".parse().expect("hv"),
        );
        let peer: std::net::SocketAddr = "127.0.0.1:5000".parse().expect("addr");
        // The right-most hop is what our proxy saw; the left ones the client may have forged.
        assert_eq!(client_ip(&h, Some(peer), true, &[]).to_string(), "10.0.0.1");
        assert_eq!(
            client_ip(&h, Some(peer), false, &[]).to_string(),
            "127.0.0.1"
        );
    }

    #[test]
    fn right_most_untrusted_hop() {
        let check = |xff: &str, trusted: &[&str], want: &str| {
            let mut h = axum::http::HeaderMap::new();
            h.insert("x-forwarded-for", xff.parse().expect("hv"));
            let trusted: Vec<IpBlock> = trusted
                .iter()
                .map(|t| IpBlock::parse(t).expect("block"))
                .collect();
            let peer: std::net::SocketAddr = "127.0.0.1:5000".parse().expect("addr");
            assert_eq!(
                client_ip(&h, Some(peer), true, &trusted).to_string(),
                want,
                "{xff} {trusted:?}"
            );
        };
        check("203.0.113.7", &[], "203.0.113.7");
        check("1.2.3.4, 203.0.113.7", &[], "203.0.113.7");
        check(
            "1.2.3.4, 203.0.113.7, 10.0.0.5",
            &["10.0.0.0/8"],
            "203.0.113.7",
        );
        check(
            "1.2.3.4, 203.0.113.7, 10.0.0.5",
            &["10.0.0.5"],
            "203.0.113.7",
        );
        check("10.1.1.1, 10.0.0.5", &["10.0.0.0/8"], "10.1.1.1");
        check("garbage, 203.0.113.7", &[], "203.0.113.7");
        check("203.0.113.7, garbage", &[], "127.0.0.1");
        check("2001:db8::1, fd00::1", &["fd00::/8"], "2001:db8::1");
        assert!(IpBlock::parse("10.0.0.0/33").is_none());
        assert!(IpBlock::parse("nonsense").is_none());
        assert!(IpBlock::parse("0.0.0.0/0")
            .expect("any")
            .contains("8.8.8.8".parse().expect("ip")));
    }
}
