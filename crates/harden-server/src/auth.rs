//! Tokens, sessions and the limit on guessing them.
//!
//! A token is `hst_` and 40 characters of base64url over 30 random bytes (240 bits). The
//! database keeps its SHA-256 digest only: a token that random needs no slow hash, and a
//! leaked table yields nothing to present.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// What every token starts with, so secret scanners (harden's own among them) can find one
/// committed by mistake.
pub const TOKEN_PREFIX: &str = "hst_";

/// A new random token.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; 30];
    getrandom::fill(&mut bytes)?;
    Ok(format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// A new random session id (the cookie's value).
pub fn new_session() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The digest stored for a token or session id.
pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// How a token is named in listings: its prefix and first four characters.
pub fn hint(token: &str) -> String {
    format!(
        "{}…",
        token
            .chars()
            .take(TOKEN_PREFIX.len() + 4)
            .collect::<String>()
    )
}

/// Whether `text` has the shape of a token (checked before any database lookup).
pub fn well_formed(text: &str) -> bool {
    text.strip_prefix(TOKEN_PREFIX).is_some_and(|rest| {
        rest.len() == 40
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// A fixed-window count of attempts per client address: at most `max` in each `window`.
/// Kept per instance: behind a load balancer of N instances a client gets at most N times the
/// limit, which still turns guessing a 240-bit token from hopeless into more hopeless.
pub struct Limiter {
    max: u32,
    window: Duration,
    counts: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// Addresses remembered at most; past that, windows that ended are forgotten first.
const REMEMBERED: usize = 100_000;

impl Limiter {
    /// At most `max` attempts per `window` per address.
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt from `ip`; `false` when it is over the limit.
    pub fn allow(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if counts.len() >= REMEMBERED {
            let window = self.window;
            counts.retain(|_, (start, _)| now.duration_since(*start) < window);
            if counts.len() >= REMEMBERED {
                // Still full of live windows: a flood from many addresses. Refuse newcomers
                // rather than grow without bound.
                return counts.contains_key(&ip) && self.bump(&mut counts, ip, now);
            }
        }
        self.bump(&mut counts, ip, now)
    }

    fn bump(&self, counts: &mut HashMap<IpAddr, (Instant, u32)>, ip: IpAddr, now: Instant) -> bool {
        let slot = counts.entry(ip).or_insert((now, 0));
        if now.duration_since(slot.0) >= self.window {
            *slot = (now, 0);
        }
        slot.1 = slot.1.saturating_add(1);
        slot.1 <= self.max
    }

    /// Whether `ip` is over the limit now, without counting an attempt.
    pub fn blocked(&self, ip: IpAddr) -> bool {
        let counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        counts
            .get(&ip)
            .is_some_and(|(start, n)| start.elapsed() < self.window && *n > self.max)
    }
}

/// Token buckets per client: `capacity` requests at once, refilled at `per_second`. A
/// client is the credential it presents (hashed), else its address.
pub struct Buckets {
    capacity: f64,
    per_second: f64,
    levels: Mutex<HashMap<[u8; 32], (f64, Instant)>>,
}

impl Buckets {
    /// Buckets of `capacity`, refilled at `per_second`.
    pub fn new(capacity: u32, per_second: u32) -> Self {
        Self {
            capacity: f64::from(capacity.max(1)),
            per_second: f64::from(per_second.max(1)),
            levels: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `client`'s bucket: `Err(seconds)` until one is back when empty.
    pub fn take(&self, client: [u8; 32]) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self
            .levels
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= REMEMBERED {
            // Full buckets carry nothing worth remembering.
            let (capacity, per_second) = (self.capacity, self.per_second);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_second < capacity
            });
            if buckets.len() >= REMEMBERED && !buckets.contains_key(&client) {
                return Err(1);
            }
        }
        let (tokens, at) = buckets.entry(client).or_insert((self.capacity, now));
        *tokens =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.per_second).ceil().max(1.0) as u64)
        }
    }
}

/// The bucket key of a credential or an address.
pub fn client_key(credential: Option<&str>, ip: IpAddr) -> [u8; 32] {
    let mut hasher = Sha256::new();
    if let Some(credential) = credential {
        hasher.update(b"credential\n");
        hasher.update(credential.as_bytes());
    } else {
        hasher.update(b"address\n");
        hasher.update(ip.to_string().as_bytes());
    }
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_well_formed_and_hinted_without_their_secret_part() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert!(well_formed(&a), "{a}");
        assert!(!well_formed("hst_short"));
        assert!(!well_formed(&a.replace("hst_", "hsx_")));
        assert_eq!(hint(&a).chars().count(), 9);
        assert_eq!(digest(&a).len(), 32);
    }

    #[test]
    fn buckets_allow_a_burst_then_the_refill_rate_per_client() {
        let buckets = Buckets::new(3, 1);
        let one = client_key(None, "10.0.0.1".parse().unwrap());
        let two = client_key(Some("hst_x"), "10.0.0.1".parse().unwrap());
        assert_ne!(one, two);
        for _ in 0..3 {
            assert!(buckets.take(one).is_ok());
        }
        assert_eq!(buckets.take(one), Err(1));
        assert!(buckets.take(two).is_ok());
    }

    #[test]
    fn the_limiter_counts_per_address_and_window() {
        let limiter = Limiter::new(2, Duration::from_mins(1));
        let one: IpAddr = "10.0.0.1".parse().unwrap();
        let two: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(limiter.allow(one));
        assert!(limiter.allow(one));
        assert!(!limiter.blocked(one));
        assert!(!limiter.allow(one));
        assert!(limiter.blocked(one));
        assert!(limiter.allow(two));
        let expired = Limiter::new(1, Duration::ZERO);
        assert!(expired.allow(one));
        assert!(expired.allow(one));
    }
}
