//! Office hours, run by the desk: each account's schedules (kept in `schedules.json`),
//! the clock they follow, what the page is told of them, and the loop that does each
//! change for the account it belongs to (`runner`): on the account on screen through the
//! same life every action has (`here`), on another saved account with that account's own
//! credentials, server and budget (`elsewhere`).
//!
//! Nothing a person clicks reaches an account other than the one on screen; a schedule
//! reaches only the account it belongs to.

mod clock;
mod elsewhere;
mod here;
mod runner;
mod view;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use tokio::sync::Notify;

pub use clock::WallClock;
pub(super) use clock::{hour_minute, on_this_computer};
pub use runner::ScheduleNews;
pub use view::{ScheduleView, SchedulesView};

use super::Desk;
use crate::failure::Failure;
use crate::schedule::{ClockTime, Days, Schedule};
use crate::settings::SchedulesFile;
use crate::text::Text;
pub(super) use runner::{off_thread, off_thread_io};

/// How long a scheduled machine is followed to its end before the app stops waiting (its
/// history then says it is not known; a row on screen goes on following it).
const FOLLOW_AT_MOST: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// What the desk keeps for office hours.
pub(super) struct Keeper {
    file: Arc<SchedulesFile>,
    pub(super) clock: WallClock,
    /// Rung when a schedule is set, removed or paused: the runner looks again at once.
    changed: Notify,
    /// When the runner last looked, for "Last checked" (in memory: it looks every few
    /// seconds, and the file is written only when something was due).
    last_look: std::sync::Mutex<Option<Timestamp>>,
    /// One change at a time per account not on screen (`elsewhere`).
    elsewhere: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Keeper {
    pub(super) fn new(config_dir: &Path) -> Self {
        Keeper {
            file: Arc::new(SchedulesFile::in_dir(config_dir)),
            clock: WallClock::default(),
            changed: Notify::new(),
            last_look: std::sync::Mutex::new(None),
            elsewhere: std::sync::Mutex::new(HashMap::new()),
        }
    }

    pub(super) fn file(&self) -> Arc<SchedulesFile> {
        self.file.clone()
    }

    /// Changes `schedules.json` where blocking is allowed; a failure said in the person's
    /// words.
    pub(super) async fn change_file<R: Send + 'static>(
        &self,
        change: impl FnOnce(&mut crate::settings::Schedules) -> R + Send + 'static,
    ) -> Result<R, Failure> {
        let file = self.file.clone();
        off_thread_io(move || file.change(change))
            .await
            .map_err(|e| file_failure(&e))
    }

    pub(super) fn lock_for(&self, account: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.elsewhere
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(account.to_owned())
            .or_default()
            .clone()
    }
}

impl Desk {
    /// The wall clock office hours follow.
    pub fn wall_clock(&self) -> &WallClock {
        &self.schedules.clock
    }

    /// Follows the simulator's wall clock, where the app follows one: the demo's, or the
    /// one a test build was told of (`--clock-from`).
    async fn follow_clock(&self) {
        let demo = self
            .state
            .lock()
            .await
            .demo
            .as_ref()
            .map(|d| d.wall_ahead());
        if let Some(ahead) = demo {
            self.schedules.clock.set_ahead(ahead);
        } else if let Some(base) = &self.options.clock_from {
            if let Some(ahead) = clock::ahead_of(base).await {
                self.schedules.clock.set_ahead(ahead);
            }
        }
    }

    fn follows_a_simulator_clock(&self) -> bool {
        self.options.demo || self.options.clock_from.is_some()
    }

    /// How the person names the account `account` (the demo, by its words).
    pub(super) async fn account_label(&self, account: &str) -> String {
        if account == super::DEMO_ACCOUNT {
            return self.language().say(&Text::new("top.demo_account"));
        }
        let s = self.state.lock().await;
        s.settings
            .account(account)
            .map(|a| {
                [&a.name, &a.who, &a.base]
                    .into_iter()
                    .find(|w| !w.is_empty())
                    .cloned()
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    }

    /// The account on screen's id ([`Desk::schedule_owner`]), or "not signed in".
    pub(super) async fn account_on_screen(&self) -> Result<String, Failure> {
        self.schedule_owner().await.ok_or_else(super::not_signed_in)
    }

    /// `schedules` of `account` with each group schedule's machines filled in: the
    /// machines in its group, as the names kept on this computer say now.
    pub(super) async fn with_groups_resolved(
        &self,
        account: &str,
        mut schedules: Vec<Schedule>,
    ) -> Vec<Schedule> {
        if schedules.iter().all(|s| s.group.is_none()) {
            return schedules;
        }
        let book = self.name_book(account).await;
        for schedule in &mut schedules {
            if let Some(group) = &schedule.group {
                schedule.machines = book
                    .machines
                    .iter()
                    .filter(|(_, l)| l.gone_since.is_none() && l.in_group(group))
                    .map(|(id, _)| id.clone())
                    .collect();
            }
        }
        schedules
    }

    /// The id schedules are kept under for the account on screen (a saved account's id,
    /// or `demo`); `None` when none can keep them (signed out, or held for this run only).
    pub(super) async fn schedule_owner(&self) -> Option<String> {
        let s = self.state.lock().await;
        let account = s.account.as_ref()?;
        if account.method == crate::session::Method::Demo {
            return Some(super::DEMO_ACCOUNT.to_owned());
        }
        super::accounts::on_screen(&s)
    }

    /// Keeps the schedule the page set (new, or changed by its id), read from what the
    /// person typed: a time, a date or a day that cannot be read is said, and nothing kept.
    pub async fn set_schedule_typed(&self, typed: ScheduleInput) -> Result<SchedulesView, Failure> {
        self.set_schedule(typed.read()?).await
    }

    /// Keeps `schedule` (new, or changed by its id) for the account on screen.
    pub async fn set_schedule(&self, mut schedule: Schedule) -> Result<SchedulesView, Failure> {
        let account = self
            .schedule_owner()
            .await
            .ok_or_else(super::not_signed_in)?;
        schedule.machines.retain(|m| !m.trim().is_empty());
        schedule.machines.dedup();
        if schedule.group.is_some() {
            // A group's machines are the group's when each change comes.
            schedule.machines.clear();
        }
        schedule.skip.sort();
        schedule.skip.dedup();
        if let Err(problem) = schedule.check() {
            return Err(Failure::plain(
                "invalid",
                Text::new(problem.0),
                format!("The schedule cannot be kept: {}", problem.0),
            ));
        }
        if schedule.id.is_empty() {
            schedule.id = format!("s{:012x}", fastrand::u64(..) >> 16);
        }
        let now = self.schedules.clock.now();
        let kept = self
            .schedules
            .change_file(move |all| all.set(&account, schedule, now))
            .await?;
        if !kept {
            return Err(Failure::plain(
                "invalid",
                Text::new("schedule.problem.too_many"),
                "The account keeps as many schedules as it may.",
            ));
        }
        self.schedules.changed.notify_one();
        Ok(self.schedules_view().await)
    }

    /// Removes the schedule `id` of the account on screen.
    pub async fn remove_schedule(&self, id: &str) -> Result<SchedulesView, Failure> {
        let account = self
            .schedule_owner()
            .await
            .ok_or_else(super::not_signed_in)?;
        let id = id.to_owned();
        self.schedules
            .change_file(move |all| all.remove(&account, &id))
            .await?;
        self.schedules.changed.notify_one();
        Ok(self.schedules_view().await)
    }

    /// Forgets the schedules of the account `id` (removed from this computer).
    pub(super) async fn forget_schedules(&self, id: &str) {
        let file = self.schedules.file.clone();
        let id = id.to_owned();
        let forgotten = off_thread(move || {
            if file.load().0.accounts.contains_key(&id) {
                file.change(|all| all.accounts.remove(&id)).map(|_| ())
            } else {
                Ok(())
            }
        })
        .await;
        if !matches!(forgotten, Some(Ok(()))) {
            log::warn!("schedules: those of a removed account could not be forgotten");
        }
        self.schedules.changed.notify_one();
    }

    /// Pauses every schedule of every account until the end of today (this computer's
    /// day), or ends the pause (`pause` false).
    pub async fn pause_schedules_today(&self, pause: bool) -> Result<SchedulesView, Failure> {
        let now = self.schedules.clock.now();
        let until = pause.then(|| end_of_today(now));
        self.schedules
            .change_file(move |all| {
                for book in all.accounts.values_mut() {
                    book.paused_until = until;
                }
            })
            .await?;
        self.schedules.changed.notify_one();
        Ok(self.schedules_view().await)
    }
}

/// A schedule as the page sends it: the words typed, not read yet.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleInput {
    #[serde(default)]
    pub id: String,
    pub machines: Vec<String>,
    pub days: Vec<String>,
    #[serde(default)]
    pub on: Option<String>,
    #[serde(default)]
    pub off: Option<String>,
    pub zone: String,
    #[serde(default)]
    pub skip: Vec<String>,
    /// A group's name: the schedule turns that group's machines (`machines` is then empty).
    #[serde(default)]
    pub group: Option<String>,
}

impl ScheduleInput {
    fn read(self) -> Result<Schedule, Failure> {
        let refuse = |key: &'static str, what: &str| {
            Failure::plain("invalid", Text::new(key), format!("Cannot read {what:?}."))
        };
        let time = |t: Option<String>| match t.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => ClockTime::parse(t)
                .map(Some)
                .map_err(|_| refuse("schedule.problem.bad_time", t)),
        };
        Ok(Schedule {
            id: self.id,
            machines: self.machines,
            group: self
                .group
                .map(|g| g.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|g| !g.is_empty()),
            days: Days::parse(&self.days.join(","))
                .map_err(|_| refuse("schedule.problem.bad_day", &self.days.join(",")))?,
            on: time(self.on)?,
            off: time(self.off)?,
            zone: self.zone.trim().to_owned(),
            skip: self
                .skip
                .iter()
                .map(|d| {
                    d.trim()
                        .parse::<jiff::civil::Date>()
                        .map_err(|_| refuse("schedule.problem.bad_date", d))
                })
                .collect::<Result<_, _>>()?,
        })
    }
}

/// The first instant of tomorrow on this computer's clock.
fn end_of_today(now: Timestamp) -> Timestamp {
    let tz = jiff::tz::TimeZone::system();
    let today = crate::schedule::calendar::local_date(&tz, now);
    today
        .tomorrow()
        .ok()
        .and_then(|d| d.at(0, 0, 0, 0).to_zoned_datetime(tz).ok())
        .map_or(now, |z| z.timestamp())
}

fn file_failure(e: &std::io::Error) -> Failure {
    Failure::plain(
        "local",
        Text::new("schedules.not_saved"),
        format!("The schedules could not be saved: {e}"),
    )
}
