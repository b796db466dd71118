//! The wall clock office hours follow: this computer's, set ahead by as much as the
//! simulator the app follows says its own is (the demo's, or, in a test build, the one
//! `--clock-from` names), so that a test runs a day of office hours in seconds. The app
//! as shipped has no way to set it ahead.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

/// `at` in this computer's time zone, written as `format` says (`strftime`).
pub(in crate::desk) fn on_this_computer(at: Timestamp, format: &str) -> String {
    at.to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime(format)
        .to_string()
}

/// `at` as this computer's clock face shows it ("19:00"): what the History says a
/// scheduled change or a watched machine's stop happened at.
pub(in crate::desk) fn hour_minute(at: Timestamp) -> String {
    on_this_computer(at, "%H:%M")
}

#[derive(Debug, Default)]
pub struct WallClock {
    ahead_ms: AtomicU64,
}

impl WallClock {
    pub fn now(&self) -> Timestamp {
        let ahead = SignedDuration::from_millis(self.ahead_ms());
        Timestamp::now()
            .checked_add(ahead)
            .unwrap_or_else(|_| Timestamp::now())
    }

    /// How far ahead of this computer's clock it is, in milliseconds.
    pub fn ahead_ms(&self) -> i64 {
        i64::try_from(self.ahead_ms.load(Ordering::Relaxed)).unwrap_or(i64::MAX)
    }

    /// Sets it `ahead` of this computer's clock (never behind).
    pub fn set_ahead(&self, ahead: Duration) {
        let ms = u64::try_from(ahead.as_millis()).unwrap_or(u64::MAX);
        self.ahead_ms.store(ms, Ordering::Relaxed);
    }
}

/// How far ahead of this computer's clock the simulator at `base` says its wall clock is
/// (`GET /_sim/clock`); `None` when it does not answer within a second.
pub(super) async fn ahead_of(base: &str) -> Option<Duration> {
    let url = format!("{}/_sim/clock", base.trim_end_matches('/'));
    let answer = reqwest::Client::new()
        .get(url)
        .timeout(Duration::from_secs(1))
        .send()
        .await
        .ok()?;
    let clock: serde_json::Value = answer.json().await.ok()?;
    clock["aheadMs"].as_u64().map(Duration::from_millis)
}
