//! When to try a request again, and how long to wait first.
//!
//! Only reads are retried: a POST or DELETE that failed may still have happened, so
//! repeating it blindly could create a second machine. Pure functions, tested without
//! sleeping.

use std::time::{Duration, SystemTime};

/// Bounds on automatic retries of reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 turns retries off.
    pub max_attempts: u32,
    /// The first back-off; each later one doubles, before jitter.
    pub base_delay: Duration,
    /// No back-off is longer than this.
    pub max_delay: Duration,
    /// A `Retry-After` up to this long is waited out; a longer one is handed to the
    /// caller as a rate-limit error carrying the wait, so a person is not left staring.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// How long to wait after attempt `attempt` (1-based) failed in a retryable way, or
    /// `None` to stop. `jitter` is a number in `[0, 1)`; it spreads clients apart.
    pub fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        if let Some(after) = retry_after {
            return (after <= self.max_retry_after).then_some(after);
        }
        let exponent = attempt.saturating_sub(1).min(16);
        let full = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        // "Equal jitter": at least half the back-off, so retries never bunch up at zero.
        Some(full / 2 + full.mul_f64(jitter.clamp(0.0, 1.0) / 2.0))
    }
}

/// Statuses after which a read is worth repeating.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The longest wait a server may ask for. Past a minute a person is better told and a
/// per-minute limit has refilled anyway; a value of years would stop the app.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Reads a `Retry-After` that was sent, as seconds or as an HTTP date, bounded by
/// [`MAX_RETRY_AFTER`]. A value that cannot be read counts as the bound: the server did
/// ask to wait, just not legibly.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Duration {
    let value = value.trim();
    let asked = if let Ok(seconds) = value.parse::<u64>() {
        Duration::from_secs(seconds)
    } else if let Ok(when) = httpdate::parse_http_date(value) {
        when.duration_since(now).unwrap_or(Duration::ZERO)
    } else {
        MAX_RETRY_AFTER
    };
    asked.min(MAX_RETRY_AFTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_bounds_and_stops() {
        let p = RetryPolicy::default();
        let lows: Vec<_> = (1..4).map(|a| p.delay(a, None, 0.0).unwrap()).collect();
        let highs: Vec<_> = (1..4).map(|a| p.delay(a, None, 0.999).unwrap()).collect();
        assert_eq!(lows, [125, 250, 500].map(Duration::from_millis));
        for (low, high) in lows.iter().zip(&highs) {
            assert!(high >= low && *high < *low * 2, "{low:?} {high:?}");
        }
        assert_eq!(p.delay(4, None, 0.5), None, "four attempts in all");
    }

    #[test]
    fn backoff_never_exceeds_the_cap() {
        let p = RetryPolicy {
            max_attempts: 100,
            ..RetryPolicy::default()
        };
        for attempt in 1..99 {
            assert!(p.delay(attempt, None, 0.999).unwrap() <= p.max_delay);
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let p = RetryPolicy::default();
        let two = Duration::from_secs(2);
        assert_eq!(p.delay(1, Some(two), 0.7), Some(two));
        assert_eq!(p.delay(1, Some(Duration::from_secs(31)), 0.0), None);
        assert_eq!(RetryPolicy::never().delay(1, Some(two), 0.0), None);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Duration::from_secs(7));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(45));
        assert_eq!(parse_retry_after(&later, now), Duration::from_secs(45));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&past, now), Duration::ZERO);
    }

    #[test]
    fn an_absurd_or_unreadable_retry_after_counts_as_a_minute() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let years = httpdate::fmt_http_date(now + Duration::from_secs(40 * 365 * 24 * 3600));
        for raw in [
            "3600",
            "18446744073709551615",
            "99999999999999999999999999",
            "-5",
            "1.5",
            "soon",
            "",
            years.as_str(),
        ] {
            assert_eq!(parse_retry_after(raw, now), MAX_RETRY_AFTER, "{raw:?}");
        }
    }

    #[test]
    fn only_overload_statuses_are_retried() {
        let retried: Vec<u16> = (400..600).filter(|s| is_retryable_status(*s)).collect();
        assert_eq!(retried, [429, 502, 503, 504]);
    }
}
