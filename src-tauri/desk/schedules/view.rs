//! What the page is told of the account's office hours: each schedule with its next
//! change, the computer's time zone (the one a new schedule is set in), a pause, when
//! the app last looked, and whether the account's machines are watched.

use jiff::Timestamp;
use serde::Serialize;

use super::super::Desk;
use super::runner::off_thread;
use crate::schedule::{Schedule, Turn};
use crate::text::Text;

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchedulesView {
    pub schedules: Vec<ScheduleView>,
    /// This computer's time zone, by name, when it has one.
    pub zone: Option<String>,
    /// Nothing runs until then (Unix milliseconds): "Paused for today".
    pub paused_until: Option<i64>,
    /// When the app last looked at the schedules (Unix milliseconds): "Last checked".
    pub looked_at: Option<i64>,
    /// The office-hours clock now (Unix milliseconds): ahead of the page's in a test.
    pub now: i64,
    /// The schedules file could not be read.
    pub warning: Option<Text>,
    /// The account's machines are watched ("Tell me when a machine stops that nobody
    /// here stopped").
    pub watching: bool,
    /// The groups watched as one.
    pub watch_groups: Vec<String>,
    /// The account on screen can keep schedules and watching (not when signed out, or
    /// held for this run only).
    pub keeps: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleView {
    #[serde(flatten)]
    pub schedule: Schedule,
    /// Its next change, if one comes.
    pub next: Option<NextChange>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NextChange {
    /// Unix milliseconds.
    pub at: i64,
    pub turn: Turn,
    /// As set ("19:00"), in the schedule's zone.
    pub time: String,
    /// The date it falls on in the schedule's zone ("2026-12-14").
    pub day: String,
}

impl Desk {
    /// The office hours of the account on screen (none when it cannot keep any).
    pub async fn schedules_view(&self) -> SchedulesView {
        let zone = jiff::tz::TimeZone::system().iana_name().map(str::to_owned);
        let Some(account) = self.schedule_owner().await else {
            return SchedulesView {
                zone,
                now: self.schedules.clock.now().as_millisecond(),
                ..SchedulesView::default()
            };
        };
        let file = self.schedules.file.clone();
        let (all, warning) = off_thread(move || file.load()).await.unwrap_or_default();
        let now = self.schedules.clock.now();
        let book = all.accounts.get(&account).cloned().unwrap_or_default();
        // A group's schedule shows the machines in its group now.
        let schedules = self
            .with_groups_resolved(&account, book.schedules.clone())
            .await;
        SchedulesView {
            schedules: schedules
                .into_iter()
                .map(|schedule| ScheduleView {
                    next: next_change(&schedule, now),
                    schedule,
                })
                .collect(),
            zone,
            paused_until: book
                .paused_until
                .filter(|p| *p > now)
                .map(|p| p.as_millisecond()),
            looked_at: self
                .schedules
                .last_look
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .or(book.looked_at)
                .map(|t| t.as_millisecond()),
            now: now.as_millisecond(),
            warning,
            watching: book.watch,
            watch_groups: book.watch_groups.clone(),
            keeps: true,
        }
    }
}

fn next_change(schedule: &Schedule, now: Timestamp) -> Option<NextChange> {
    let tz = schedule.check().ok()?;
    let c = schedule.next_change(&tz, now)?;
    Some(NextChange {
        at: c.at.as_millisecond(),
        turn: c.turn,
        time: c.time.to_string(),
        day: c.day.to_string(),
    })
}
