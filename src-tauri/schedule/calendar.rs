//! A schedule as plain data: the days of the week, an on time and/or an off time in a named
//! time zone, and dates to skip; and when its changes fall, as instants, with the clock
//! always passed in.
//!
//! Time zones are `jiff`'s (the system's time-zone database, or the one bundled where the
//! system has none). A time the clocks skip (02:30 on the spring Sunday) falls at the first
//! minute after the gap; one they go through twice (01:30 on the autumn Sunday) falls once,
//! the first time.

use std::fmt;

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What a change does to the schedule's machines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Turn {
    On,
    Off,
}

impl Turn {
    pub fn other(self) -> Turn {
        match self {
            Turn::On => Turn::Off,
            Turn::Off => Turn::On,
        }
    }

    /// Its name in catalog keys and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Turn::On => "on",
            Turn::Off => "off",
        }
    }
}

/// The days of the week a schedule runs on.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Days(u8);

/// Day names as written in the settings and on the command line, Monday first.
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Days {
    pub const NONE: Days = Days(0);
    pub const WEEKDAYS: Days = Days(0b001_1111);
    pub const WEEKEND: Days = Days(0b110_0000);
    pub const EVERY_DAY: Days = Days(0b111_1111);

    pub fn has(self, day: Weekday) -> bool {
        self.0 & (1 << day.to_monday_zero_offset()) != 0
    }

    pub fn with(self, day: Weekday) -> Days {
        Days(self.0 | (1 << day.to_monday_zero_offset()))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The days, Monday first.
    pub fn iter(self) -> impl Iterator<Item = Weekday> {
        (0..7)
            .map(|i| Weekday::from_monday_zero_offset(i).expect("0..7 is a weekday"))
            .filter(move |d| self.has(*d))
    }

    /// From names ("mon", …) or one of `weekdays`, `weekend`, `every-day`, comma-separated.
    pub fn parse(text: &str) -> Result<Days, String> {
        let mut days = Days::NONE;
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let part = part.to_ascii_lowercase();
            days = Days(
                days.0
                    | match part.as_str() {
                        "weekdays" => Days::WEEKDAYS.0,
                        "weekend" | "weekends" => Days::WEEKEND.0,
                        "every-day" | "daily" | "all" => Days::EVERY_DAY.0,
                        name => match DAY_NAMES.iter().position(|d| name.starts_with(d)) {
                            Some(i) => 1 << i,
                            None => return Err(format!("not a day of the week: {part}")),
                        },
                    },
            );
        }
        Ok(days)
    }
}

impl fmt::Debug for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.iter()
                    .map(|d| DAY_NAMES[d.to_monday_zero_offset() as usize]),
            )
            .finish()
    }
}

impl Serialize for Days {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.iter()
                .map(|d| DAY_NAMES[d.to_monday_zero_offset() as usize]),
        )
    }
}

impl<'de> Deserialize<'de> for Days {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Days, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        Days::parse(&names.join(",")).map_err(serde::de::Error::custom)
    }
}

/// A time of day to the minute, as people set it ("08:00").
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClockTime {
    hour: u8,
    minute: u8,
}

impl ClockTime {
    pub fn new(hour: u8, minute: u8) -> Option<ClockTime> {
        (hour < 24 && minute < 60).then_some(ClockTime { hour, minute })
    }

    /// "8:00", "08:00" or "0800"; nothing else.
    pub fn parse(text: &str) -> Result<ClockTime, String> {
        let t = text.trim();
        let (h, m) = match t.split_once(':') {
            Some(parts) => parts,
            None if t.len() == 4 => t.split_at(2),
            None => return Err(format!("not a time of day (HH:MM): {text}")),
        };
        let bad = || format!("not a time of day (HH:MM): {text}");
        if m.len() != 2 || h.is_empty() || h.len() > 2 {
            return Err(bad());
        }
        let (h, m) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        ClockTime::new(h, m).ok_or_else(bad)
    }

    fn on(self, day: Date) -> DateTime {
        day.at(self.hour as i8, self.minute as i8, 0, 0)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl fmt::Debug for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ClockTime, D::Error> {
        ClockTime::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// The most dates a schedule skips.
pub const SKIP_DATES_MAX: usize = 100;
/// The most machines one schedule turns on and off.
pub const MACHINES_MAX: usize = 500;

/// A schedule: on these days, turn these machines on at one time and/or off at another, in
/// a named time zone, except on the dates to skip.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// Stays the same while it is edited.
    pub id: String,
    /// The machines' ids, on the account the schedule was set in.
    #[serde(default)]
    pub machines: Vec<String>,
    /// A group's name ("Accounting"): the schedule turns the machines in that group when
    /// each change comes (the names kept on this computer say which), instead of
    /// `machines`, which is then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub days: Days,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<ClockTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub off: Option<ClockTime>,
    /// A time zone's name from the time-zone database ("Europe/Madrid").
    pub zone: String,
    /// Dates on which nothing is done (a holiday), in the schedule's zone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<Date>,
}

/// Why a schedule cannot be kept: the catalog key of its reason (`schedule.problem.*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem(pub &'static str);

/// One change a schedule makes: at `at`, turn its machines `turn`; set for `time` on `day`
/// (a time the clocks skip falls later than it says).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    pub at: Timestamp,
    pub turn: Turn,
    pub day: Date,
    pub time: ClockTime,
}

/// The longest group name a schedule names (as `settings::names` keeps them).
const GROUP_MAX: usize = 40;

/// How far the calendar looks for a schedule's next change (dates skipped can push it out).
const LOOK_AHEAD_DAYS: i32 = 400;

impl Schedule {
    /// Its time zone, when the schedule can be kept: at least one day, one time and one
    /// machine, on and off apart, a zone the database knows, bounded lists.
    pub fn check(&self) -> Result<TimeZone, Problem> {
        let group = self.group.as_deref().map(str::trim);
        if group.is_some_and(|g| g.is_empty() || g.chars().count() > GROUP_MAX) {
            return Err(Problem("schedule.problem.bad_group"));
        }
        if self.machines.is_empty() && group.is_none() {
            return Err(Problem("schedule.problem.no_machines"));
        }
        if self.machines.len() > MACHINES_MAX {
            return Err(Problem("schedule.problem.too_many_machines"));
        }
        if self.days.is_empty() {
            return Err(Problem("schedule.problem.no_days"));
        }
        if self.on.is_none() && self.off.is_none() {
            return Err(Problem("schedule.problem.no_time"));
        }
        if self.on.is_some() && self.on == self.off {
            return Err(Problem("schedule.problem.same_time"));
        }
        if self.skip.len() > SKIP_DATES_MAX {
            return Err(Problem("schedule.problem.too_many_skipped"));
        }
        TimeZone::get(&self.zone).map_err(|_| Problem("schedule.problem.unknown_zone"))
    }

    /// The changes set for the local date `day`, in order (none on a day it does not run
    /// or skips).
    pub fn changes_on(&self, tz: &TimeZone, day: Date) -> Vec<Change> {
        if !self.days.has(day.weekday()) || self.skip.contains(&day) {
            return vec![];
        }
        let mut changes: Vec<Change> = [(Turn::On, self.on), (Turn::Off, self.off)]
            .into_iter()
            .filter_map(|(turn, time)| {
                let time = time?;
                Some(Change {
                    at: instant(tz, time.on(day))?,
                    turn,
                    day,
                    time,
                })
            })
            .collect();
        changes.sort_by_key(|c| c.at);
        changes
    }

    /// Every change after `from` up to and including `to`, in order.
    pub fn changes_between(&self, tz: &TimeZone, from: Timestamp, to: Timestamp) -> Vec<Change> {
        if to <= from {
            return vec![];
        }
        // A computer off for longer than the look-ahead: what came before it is long past.
        let span = jiff::SignedDuration::from_hours(24 * LOOK_AHEAD_DAYS as i64);
        let from = from.max(to.checked_sub(span).unwrap_or(from));
        let first = local_date(tz, from);
        let last = local_date(tz, to);
        days_from(first.yesterday().unwrap_or(first))
            .take_while(|d| *d <= last.tomorrow().unwrap_or(last))
            .flat_map(|d| self.changes_on(tz, d))
            .filter(|c| c.at > from && c.at <= to)
            .collect()
    }

    /// The first change after `now`, if any comes within the look-ahead.
    pub fn next_change(&self, tz: &TimeZone, now: Timestamp) -> Option<Change> {
        let today = local_date(tz, now);
        days_from(today.yesterday().unwrap_or(today))
            .take(LOOK_AHEAD_DAYS as usize)
            .flat_map(|d| self.changes_on(tz, d))
            .find(|c| c.at > now)
    }

    /// The last change at or before `now`, if any came within the look-ahead.
    pub fn last_change(&self, tz: &TimeZone, now: Timestamp) -> Option<Change> {
        let today = local_date(tz, now);
        days_back_from(today.tomorrow().unwrap_or(today))
            .take(LOOK_AHEAD_DAYS as usize)
            .flat_map(|d| self.changes_on(tz, d).into_iter().rev())
            .find(|c| c.at <= now)
    }

    /// When the part `change` begins ends: at the schedule's next change the other way, or,
    /// when it makes none within the day's reach (an off time alone), at the end of that
    /// local day. A missed change is done only inside its part.
    pub fn part_end(&self, tz: &TimeZone, change: &Change) -> Timestamp {
        let end_of_day = change
            .day
            .tomorrow()
            .ok()
            .and_then(|d| instant(tz, d.at(0, 0, 0, 0)))
            .unwrap_or(change.at);
        let has_other = match change.turn {
            Turn::On => self.off.is_some(),
            Turn::Off => self.on.is_some(),
        };
        if !has_other {
            return end_of_day;
        }
        days_from(change.day)
            .take(LOOK_AHEAD_DAYS as usize)
            .flat_map(|d| self.changes_on(tz, d))
            .find(|c| c.at > change.at && c.turn == change.turn.other())
            .map_or(end_of_day, |c| c.at)
    }
}

/// The local date of `at` in `tz`.
pub fn local_date(tz: &TimeZone, at: Timestamp) -> Date {
    at.to_zoned_datetime(tz.clone()).date()
}

fn days_from(first: Date) -> impl Iterator<Item = Date> {
    std::iter::successors(Some(first), |d| d.tomorrow().ok())
}

fn days_back_from(last: Date) -> impl Iterator<Item = Date> {
    std::iter::successors(Some(last), |d| d.yesterday().ok())
}

/// The instant a local time names in `tz`: in a gap (the clocks skip it), the first instant
/// after the gap; in a fold (the clocks go through it twice), the first time.
fn instant(tz: &TimeZone, dt: DateTime) -> Option<Timestamp> {
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok(),
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok(),
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the later offset, a time in the gap is an instant before the
            // change; the change itself is the first instant the clocks show after it.
            let inside = after.to_timestamp(dt).ok()?;
            tz.following(inside).next().map(|t| t.timestamp())
        }
    }
}
