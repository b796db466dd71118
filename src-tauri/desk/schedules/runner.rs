//! The loop that runs office hours, whether or not the window is open: each turn it reads
//! `schedules.json` (the command line may have changed it), asks each account's schedules
//! what is due since it last looked (`schedule::due`), and carries each change out for
//! the account it belongs to while it goes on looking. A change missed while the computer
//! was off or asleep is found the same way: its time is long past when it is looked at.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};
use jiff::Timestamp;

use super::super::{Desk, DEMO_ACCOUNT};
use crate::history::{Entry, New, Outcome, Said};
use crate::schedule::{due, Due, Turn, Why};
use crate::text::Text;

/// The longest the loop sleeps between looks: a change is sent within this of its time
/// even when the wall clock jumped (the computer woke).
const LOOK_EVERY: Duration = Duration::from_secs(15);
/// While following a simulator's clock, which a test moves forward at any moment.
const LOOK_EVERY_FOLLOWING: Duration = Duration::from_secs(1);

/// What the person is told of a scheduled change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScheduleNews {
    /// A machine got where its schedule sent it, or did not (`problem`), on the account
    /// `account` (as the person names it).
    Ended {
        account: String,
        machine: String,
        turn: Turn,
        problem: Option<Text>,
    },
}

impl Desk {
    /// Runs every account's office hours until the app ends, telling `news` how each
    /// change ended.
    pub async fn run_schedules(&self, news: &(dyn Fn(ScheduleNews) + Sync)) {
        let mut doing = FuturesUnordered::new();
        loop {
            self.follow_clock().await;
            let now = self.schedules.clock.now();
            let (found, next) = self.look(now).await;
            for (account, due) in found {
                doing.push(self.carry_out(account, due, now, news));
            }
            *self
                .schedules
                .last_look
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some(now);
            let wait = self.until_next_look(now, next);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.schedules.changed.notified() => {}
                Some(()) = doing.next(), if !doing.is_empty() => {}
            }
        }
    }

    /// What is due for every account since it was last looked at, and the look written
    /// down (so a change is never done twice, not even after a restart); and when the next
    /// change of any schedule comes, from the same reading of the file.
    async fn look(&self, now: Timestamp) -> (Vec<(String, Due)>, Option<Timestamp>) {
        let file = self.schedules.file.clone();
        let Some((all, _)) = off_thread(move || file.load()).await else {
            return (vec![], None);
        };
        let next = all
            .accounts
            .values()
            .flat_map(|b| &b.schedules)
            .filter_map(|s| s.next_change(&s.check().ok()?, now))
            .map(|c| c.at)
            .min();
        let on_screen = self.schedule_owner().await;
        let mut found = vec![];
        let mut looked = vec![];
        for (account, book) in &all.accounts {
            // The demo's machines are there only while it is open.
            if account == DEMO_ACCOUNT && on_screen.as_deref() != Some(DEMO_ACCOUNT) {
                continue;
            }
            let Some(last) = book.looked_at else {
                looked.push(account.clone());
                continue;
            };
            if last >= now {
                continue;
            }
            let hand = if on_screen.as_deref() == Some(account) {
                self.by_hand_here().await
            } else {
                HashMap::new()
            };
            let by_hand = |id: &str| hand.get(id).copied();
            let before = found.len();
            let schedules = self
                .with_groups_resolved(account, book.schedules.clone())
                .await;
            for schedule in &schedules {
                let Ok(tz) = schedule.check() else { continue };
                for d in due(schedule, &tz, last, now, book.paused_until, &by_hand) {
                    found.push((account.clone(), d));
                }
            }
            if found.len() > before {
                looked.push(account.clone());
            }
        }
        if !looked.is_empty() {
            let file = self.schedules.file.clone();
            let written = off_thread(move || {
                file.change(|all| {
                    for account in &looked {
                        if let Some(book) = all.accounts.get_mut(account) {
                            book.looked_at = Some(now.max(book.looked_at.unwrap_or(now)));
                        }
                    }
                })
            })
            .await;
            if !matches!(written, Some(Ok(()))) {
                // Not written: done now, and done again after a restart would be worse
                // than not at all; nothing is carried out this turn.
                log::warn!("schedules: the look could not be written down; nothing done");
                return (vec![], next);
            }
        }
        (found, next)
    }

    /// When to look again: at `next`, the next change of any schedule, at most
    /// [`LOOK_EVERY`].
    fn until_next_look(&self, now: Timestamp, next: Option<Timestamp>) -> Duration {
        if self.follows_a_simulator_clock() {
            return LOOK_EVERY_FOLLOWING;
        }
        next.and_then(|at| Duration::try_from(at.duration_since(now)).ok())
            .map_or(LOOK_EVERY, |d| {
                d.clamp(Duration::from_millis(200), LOOK_EVERY)
            })
    }

    /// One change for one account: on the account on screen, or on another.
    async fn carry_out(
        &self,
        account: String,
        due: Due,
        now: Timestamp,
        news: &(dyn Fn(ScheduleNews) + Sync),
    ) {
        let decision = decision_words(&due, now);
        if self.schedule_owner().await.as_deref() == Some(account.as_str()) {
            self.turn_here(&account, due, decision, news).await;
        } else {
            self.turn_elsewhere(&account, due, decision, news).await;
        }
    }

    /// When a person last turned each machine of the account on screen on or off from
    /// this computer, on the office-hours clock.
    async fn by_hand_here(&self) -> HashMap<String, Timestamp> {
        let ahead = self.schedules.clock.ahead_ms();
        let entries: Vec<Entry> = self.history(None).map(|h| h.entries).unwrap_or_default();
        by_hand(&entries, ahead)
    }
}

/// The last time each machine was turned on or off by a person, from a history (written in
/// this computer's time; `ahead`: how far the office-hours clock is ahead of it, in ms).
pub(super) fn by_hand(entries: &[Entry], ahead: i64) -> HashMap<String, Timestamp> {
    let mut last = HashMap::new();
    for e in entries {
        let turned = matches!(e.what.as_str(), "start" | "stop" | "restart" | "reset");
        let sent = !matches!(
            e.outcome,
            crate::history::Outcome::Skipped | crate::history::Outcome::NotSent
        );
        if let (true, true, None, Some(id)) = (turned, sent, &e.by, &e.machine_id) {
            let at = i64::try_from(e.at)
                .unwrap_or(i64::MAX)
                .saturating_add(ahead);
            if let Ok(at) = Timestamp::from_millisecond(at) {
                last.insert(id.clone(), at);
            }
        }
    }
    last
}

/// What a decision says in the history: why a change is done now, or was not.
fn decision_words(due: &Due, now: Timestamp) -> Option<(Text, String)> {
    let time = due.change.time.to_string();
    let done_at = super::clock::hour_minute(now);
    let turn = due.change.turn.name();
    match due.why {
        Why::OnTime => None,
        Why::Missed => Some((
            Text::new(format!("history.schedule.missed_{turn}"))
                .with("time", time.clone())
                .with("now", done_at.clone()),
            format!("Missed at {time} while this computer was off or Compute Desk was closed; done at {done_at}."),
        )),
        Why::MissedAndOver => Some((
            Text::new(format!("history.schedule.missed_over_{turn}")).with("time", time.clone()),
            format!("Missed at {time} while this computer was off or Compute Desk was closed; not done: that part of the day is over."),
        )),
    }
}

/// The History's line for a decision about a missed change (`decision_words`).
pub(super) fn decision_entry((text, english): (Text, String)) -> New {
    New {
        what: "schedule".into(),
        outcome: Some(Outcome::Done),
        said: Said::text(text, &english),
        by: Some("schedule".into()),
        ..New::default()
    }
}

/// The History's line for machine `id` (named `name`) left as a person set it by hand.
pub(super) fn left_by_hand_entry(id: &str, name: String) -> New {
    New {
        what: "schedule".into(),
        machine_id: Some(id.to_owned()),
        machine: Some(name),
        outcome: Some(Outcome::Skipped),
        said: Said::text(
            Text::new("history.schedule.left_by_hand"),
            "Left as a person set it by hand after the scheduled time.",
        ),
        by: Some("schedule".into()),
        ..New::default()
    }
}

/// Runs the file work `f` where blocking is allowed; an error if it could not run.
pub(in crate::desk) async fn off_thread_io<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    off_thread(f)
        .await
        .unwrap_or_else(|| Err(std::io::Error::other("stopped")))
}

/// Runs `f` where blocking is allowed; `None` if it could not run.
pub(in crate::desk) async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}
