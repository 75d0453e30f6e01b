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

/// The client IP of a request: the first `X-Forwarded-For` entry when the proxy is trusted,
/// else the socket peer, else (in-process tests, no socket) the unspecified address.
pub fn client_ip(
    headers: &axum::http::HeaderMap,
    peer: Option<std::net::SocketAddr>,
    trust_proxy: bool,
) -> IpAddr {
    if trust_proxy {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
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
        assert_eq!(client_ip(&h, Some(peer), true).to_string(), "203.0.113.7");
        assert_eq!(client_ip(&h, Some(peer), false).to_string(), "127.0.0.1");
    }
}
