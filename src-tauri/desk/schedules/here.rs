//! A scheduled change on the account on screen: the same life every action has (its rows
//! say "Waiting…" then "Starting…", paced within the account's budget, followed by the
//! watcher), written in its history as done by schedule, and told when each machine got
//! there or did not.

use std::time::Duration;

use super::super::Desk;
use super::runner::{decision_entry, left_by_hand_entry, ScheduleNews};
use super::FOLLOW_AT_MOST;
use crate::api::Phase;
use crate::schedule::{Due, Turn};
use crate::text::Text;

/// How long a change waits for the account's first list after a launch.
const FIRST_LIST_WAIT: Duration = Duration::from_secs(60);

impl Desk {
    pub(super) async fn turn_here(
        &self,
        account: &str,
        due: Due,
        decision: Option<(Text, String)>,
        news: &(dyn Fn(ScheduleNews) + Sync),
    ) {
        // Decided from the list as the server last showed it: after a launch, the first,
        // under the sign-in in force once it is read (a launch's silent sign-in may be
        // confirmed meanwhile, and numbered anew).
        let deadline = tokio::time::Instant::now() + FIRST_LIST_WAIT;
        let owner = loop {
            if self.schedule_owner().await.as_deref() != Some(account) {
                // Left the screen meanwhile: done as for any account not on screen.
                return self.turn_elsewhere(account, due, decision, news).await;
            }
            let owner = self.owner.current();
            if self.watcher.look_for(owner, |w| w.is_loaded()).await == Some(true) {
                break owner;
            }
            if tokio::time::Instant::now() > deadline {
                log::warn!("schedules: no list for the account on screen; the change is left");
                return;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        let name = self.account_label(account).await;
        if let Some(decision) = decision {
            self.record_for(owner, decision_entry(decision));
        }
        for id in &due.by_hand {
            let name = self.machine_name(owner, id).await;
            self.record_for(owner, left_by_hand_entry(id, name));
        }
        if due.machines.is_empty() {
            return;
        }
        let action = match due.change.turn {
            Turn::On => "start",
            Turn::Off => "stop",
        };
        let run = match self.act_as(&due.machines, action, Some("schedule")).await {
            Ok(run) => run,
            Err(failure) => {
                log::warn!("schedules: {action} not asked for: {}", failure.message);
                return;
            }
        };
        let results = self.send(run).await;
        let target = match due.change.turn {
            Turn::On => Phase::Running,
            Turn::Off => Phase::Stopped,
        };
        for r in results.into_iter().filter(|r| !r.skipped) {
            let problem = if let Some(e) = r.error.filter(|_| !r.ok && !r.unknown) {
                Some(*e.text)
            } else if r.not_sent {
                Some(Text::new("schedule.not_sent"))
            } else {
                self.follow_here(owner, &r.id, target).await
            };
            news(ScheduleNews::Ended {
                account: name.clone(),
                machine: r.name,
                turn: due.change.turn,
                problem,
            });
        }
    }

    /// Waits until the watcher shows machine `id` at `target` with nothing awaited (`None`),
    /// or shows why it is not (`Some`).
    async fn follow_here(&self, owner: u64, id: &str, target: Phase) -> Option<Text> {
        let deadline = tokio::time::Instant::now() + FOLLOW_AT_MOST;
        loop {
            let standing = self.watcher.look_for(owner, |w| w.standing(id)).await;
            match standing {
                // The account left the screen: its history says how it ended.
                None => return Some(Text::new("schedule.not_followed")),
                Some(None) => return Some(Text::new("schedule.machine_gone")),
                Some(Some((_, _, Some(error)))) => return Some(*error.text),
                Some(Some((phase, false, None))) if phase == target => return None,
                Some(Some((_, false, None))) => {
                    return Some(Text::new("schedule.did_not_get_there"))
                }
                Some(Some((_, true, None))) => {}
            }
            if tokio::time::Instant::now() > deadline {
                return Some(Text::new("schedule.not_followed"));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Machine `id` of the account on screen as a person names it.
    async fn machine_name(&self, owner: u64, id: &str) -> String {
        self.watcher
            .look_for(owner, |w| w.shown_name(id))
            .await
            .unwrap_or_else(|| id.to_owned())
    }
}
