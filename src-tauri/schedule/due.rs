//! What a schedule asks for now: the changes that came since the app last looked, each on
//! time, or missed (the computer was off or asleep, or the app closed), with the clock and
//! what people did by hand passed in.
//!
//! A missed change is done only while its part lasts: an off time while the machines
//! should still be off, an on time while they should still be on, never after the off
//! time. Only the last missed change counts (those before it are superseded). A machine a
//! person turned by hand after a change keeps what the person did until the next change.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::calendar::{Change, Schedule};

/// A change looked at later than this after its time was missed, not late.
pub const ON_TIME: SignedDuration = SignedDuration::from_secs(120);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// Its time has just come.
    OnTime,
    /// Missed, and its part still lasts: done now.
    Missed,
    /// Missed, and its part is over: nothing is done, and that is said.
    MissedAndOver,
}

/// A change to act on (or, missed and over, to say was not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub change: Change,
    pub why: Why,
    /// The machines to turn.
    pub machines: Vec<String>,
    /// The machines left as a person set them by hand after the change.
    pub by_hand: Vec<String>,
}

/// The changes of `schedule` after `last_look` up to `now`, as they are to be acted on;
/// none up to `paused_until`. `by_hand(id)` is when a person last turned machine `id` on or
/// off from this computer.
pub fn due(
    schedule: &Schedule,
    tz: &TimeZone,
    last_look: Timestamp,
    now: Timestamp,
    paused_until: Option<Timestamp>,
    by_hand: &dyn Fn(&str) -> Option<Timestamp>,
) -> Vec<Due> {
    let changes: Vec<Change> = schedule
        .changes_between(tz, last_look, now)
        .into_iter()
        .filter(|c| paused_until.is_none_or(|p| c.at > p))
        .collect();
    let on_time = |c: &Change| now.duration_since(c.at) <= ON_TIME;
    let split = |change: Change, why: Why| {
        let (by_hand, machines): (Vec<String>, Vec<String>) = schedule
            .machines
            .iter()
            .cloned()
            .partition(|id| by_hand(id).is_some_and(|t| t > change.at));
        Due {
            change,
            why,
            machines,
            by_hand,
        }
    };
    let mut out = vec![];
    let first_on_time = changes.iter().position(on_time).unwrap_or(changes.len());
    if let Some(missed) = changes[..first_on_time].last() {
        if first_on_time == changes.len() {
            if now < schedule.part_end(tz, missed) {
                out.push(split(*missed, Why::Missed));
            } else {
                out.push(Due {
                    change: *missed,
                    why: Why::MissedAndOver,
                    machines: vec![],
                    by_hand: vec![],
                });
            }
        }
        // Otherwise a change on time follows it, and supersedes it.
    }
    out.extend(
        changes[first_on_time..]
            .iter()
            .map(|c| split(*c, Why::OnTime)),
    );
    out
}
