//! When and how long to wait before trying a request again.
//!
//! Graph asks throttled clients to wait for its `Retry-After` (429, and often 503/504); seatwise
//! waits exactly that long, capped. Without the header, and after dropped connections and
//! timeouts, it waits exponentially longer with jitter, so parallel requests do not retry in
//! lockstep. Attempts are bounded: a service that stays down ends the pull (exit 3), and
//! `--resume` continues it later.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// HTTP statuses worth retrying: throttling and transient unavailability.
pub const RETRYABLE_STATUSES: [u16; 4] = [429, 502, 503, 504];

/// Retry bounds for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (at least 1).
    pub max_attempts: u32,
    /// The backoff before the second attempt; it doubles for each further attempt.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; longer requests are capped to this.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The wait after the `failures`-th failed attempt (1-based) when the server named no
    /// wait: `base × 2^(failures−1)`, capped, then scaled by a random factor in [0.5, 1].
    pub fn backoff(&self, failures: u32) -> Duration {
        let exponent = failures.saturating_sub(1).min(20);
        let full = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        full.mul_f64(0.5 + 0.5 * random_unit())
    }

    /// The wait a `Retry-After` header asks for (delta-seconds or an HTTP date), capped.
    pub fn retry_after(&self, header: &str) -> Option<Duration> {
        let header = header.trim();
        let wait = if let Ok(seconds) = header.parse::<u64>() {
            Duration::from_secs(seconds)
        } else if let Ok(seconds) = header.parse::<f64>() {
            Duration::try_from_secs_f64(seconds).ok()?
        } else {
            let moment = chrono::DateTime::parse_from_rfc2822(header).ok()?;
            let remaining = moment.signed_duration_since(chrono::Utc::now());
            remaining.to_std().unwrap_or(Duration::ZERO)
        };
        Some(wait.min(self.max_retry_after))
    }
}

/// A number in [0, 1) from the standard library's randomly keyed hasher: jitter needs no
/// better randomness and no extra crate.
fn random_unit() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos() as u64)
            .unwrap_or(0),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_cap() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            max_retry_after: Duration::from_secs(5),
        };
        for (failures, full) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (30, 1000),
        ] {
            let wait = policy.backoff(failures);
            assert!(
                wait >= Duration::from_millis(full / 2),
                "{failures}: {wait:?}"
            );
            assert!(wait <= Duration::from_millis(full), "{failures}: {wait:?}");
        }
    }

    #[test]
    fn retry_after_seconds_dates_and_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(policy.retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(policy.retry_after("100000"), Some(Duration::from_secs(300)));
        assert_eq!(
            policy.retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(policy.retry_after("soon"), None);
    }
}
