//! When to look after the signed-in account: extend an email session before it expires,
//! and ask the server again about a saved sign-in it could not be asked about at launch.
//! Pure, with time passed in; `Desk` follows it.

use std::time::{Duration, Instant};

use crate::api::Timestamp;

/// How soon a session extension that failed for a passing reason is tried again.
pub const RENEW_RETRY: Duration = Duration::from_secs(15);

/// The longest the renewal plan sleeps without looking again (clock changes, suspend).
pub const RENEW_LOOK_AGAIN: Duration = Duration::from_secs(60);

/// The first wait before asking the server again about a saved sign-in; doubles up to
/// [`CHECK_LONGEST_WAIT`].
const CHECK_FIRST_WAIT: Duration = Duration::from_secs(2);

/// The longest wait between two such questions: the watcher's slowest retry, so that the
/// account is known about as soon as the list is back.
const CHECK_LONGEST_WAIT: Duration = Duration::from_secs(30);

/// How long before expiry a session is extended, at most.
const RENEW_AHEAD: i64 = 10 * 60;

/// How soon a session is extended again when its expiry already looks past: this
/// computer's clock runs ahead of the server's, and extending at once would loop.
const RENEW_WHEN_CLOCK_AHEAD: i64 = 60;

/// When to extend a session that expires at `expires`, seen at `now`: ten minutes before
/// expiry, or half-way there for sessions shorter than twenty minutes. A session the
/// server still accepts but whose expiry is already past by this computer's clock is
/// extended a minute from now, not at once.
pub fn renew_at(expires: Timestamp, now: Timestamp) -> Timestamp {
    let left = expires.unix_seconds().saturating_sub(now.unix_seconds());
    if left <= 0 {
        return Timestamp::from_unix(now.unix_seconds().saturating_add(RENEW_WHEN_CLOCK_AHEAD));
    }
    let ahead = RENEW_AHEAD.min(left / 2);
    Timestamp::from_unix(expires.unix_seconds() - ahead)
}

/// How long from `now` until `at` (nothing when it has passed).
pub fn due_in(at: Timestamp, now: Timestamp) -> Duration {
    let left = at.unix_seconds().saturating_sub(now.unix_seconds());
    Duration::from_secs(left.max(0).unsigned_abs())
}

/// A saved sign-in the server could not be asked about yet (it was out of reach): when
/// to ask next, backing off while it stays out of reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SavedCheck {
    next: Instant,
    tries: u32,
}

impl SavedCheck {
    /// The first question after the one at launch failed at `now`.
    pub fn first(now: Instant) -> Self {
        SavedCheck {
            next: now + CHECK_FIRST_WAIT,
            tries: 1,
        }
    }

    /// Asked at `now` and still out of reach: the next wait is twice as long, at most
    /// [`CHECK_LONGEST_WAIT`].
    pub fn failed_again(self, now: Instant) -> Self {
        let tries = self.tries.saturating_add(1);
        let wait =
            (CHECK_FIRST_WAIT * 2u32.saturating_pow(tries.min(6) - 1)).min(CHECK_LONGEST_WAIT);
        SavedCheck {
            next: now + wait,
            tries,
        }
    }

    pub fn due_in(&self, now: Instant) -> Duration {
        self.next.saturating_duration_since(now)
    }

    pub fn is_due(&self, now: Instant) -> bool {
        self.next <= now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_sign_in_is_asked_about_again_backing_off_to_half_a_minute() {
        let t0 = Instant::now();
        let mut check = SavedCheck::first(t0);
        assert_eq!(check.due_in(t0), Duration::from_secs(2));
        assert!(!check.is_due(t0) && check.is_due(t0 + Duration::from_secs(2)));
        let mut waits = Vec::new();
        for _ in 0..8 {
            check = check.failed_again(t0);
            waits.push(check.due_in(t0).as_secs());
        }
        assert_eq!(waits, [4, 8, 16, 30, 30, 30, 30, 30]);
    }

    #[test]
    fn sessions_are_renewed_ten_minutes_early_or_half_way_when_short() {
        let now = Timestamp::from_unix(1_000_000);
        let hour = Timestamp::from_unix(1_000_000 + 3600);
        assert_eq!(renew_at(hour, now).unix_seconds(), 1_000_000 + 3000);
        let minute = Timestamp::from_unix(1_000_000 + 60);
        assert_eq!(renew_at(minute, now).unix_seconds(), 1_000_000 + 30);
    }

    #[test]
    fn a_clock_running_ahead_of_the_server_does_not_make_renewal_loop() {
        // The server extended the session to an hour from its own clock; this computer's
        // clock is two hours ahead, so the new expiry already looks past.
        let now = Timestamp::from_unix(1_000_000 + 7200);
        let expires = Timestamp::from_unix(1_000_000 + 3600);
        let next = renew_at(expires, now);
        assert_eq!(next.unix_seconds(), now.unix_seconds() + 60);
        assert!(
            renew_at(
                Timestamp::from_unix(i64::MIN),
                Timestamp::from_unix(i64::MAX)
            ) > Timestamp::from_unix(0)
        );
    }
}
