//! The watchful eye: for each account whose machines are watched (one switch per
//! account, or groups watched as one, kept in `schedules.json`), a look at its machines every 37.5 s, whether
//! or not the window is open, to notice one that leaves running without an action from
//! this computer (stopped, suspended, in error, gone) and say so: in the account's
//! history ("Stopped at 03:12: not by anyone on this computer") and as news the window
//! turns into a desktop notification.
//!
//! Within the account's read budget: the account on screen is seen through the list the
//! watcher already reads while the window shows it, and read here only when no list was
//! read since the last look (the window closed or hidden); another account is read
//! with its own credentials, server and budget, a read refused for want of room waiting
//! for the next look. What it remembers (`seen`) is plain data with the time passed in.

mod look;
mod seen;

use std::collections::{HashMap, HashSet};

use tokio::sync::Notify;

pub use seen::Became;
use seen::Seen;

use super::schedules::{off_thread, SchedulesView};
use super::Desk;
use crate::api::Client;
use crate::failure::Failure;
use crate::text::Text;

/// What the person is told of the watched machines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WatchNews {
    /// A watched machine of the account `account` (as the person names it) left running
    /// without an action from this computer: `text` says how and when.
    Left {
        account: String,
        machine: String,
        text: Text,
    },
    /// The account's machines cannot be watched now, and why (said once, until a look
    /// succeeds again).
    CannotWatch { account: String, reason: Text },
}

/// What the desk keeps for the watchful eye.
#[derive(Default)]
pub(super) struct Keeper {
    /// Each watched account's machines as last seen, by account id.
    seen: std::sync::Mutex<HashMap<String, Seen>>,
    /// The clients of watched accounts not on screen, made once from their keyring
    /// entries and dropped when a sign-in is refused.
    clients: std::sync::Mutex<HashMap<String, Client>>,
    /// The accounts told they cannot be watched, until a look succeeds.
    said_cannot: std::sync::Mutex<HashSet<String>>,
    /// Rung when watching is switched: the eye looks at once.
    changed: Notify,
}

/// Between two looks: a quarter longer than the idle period at which the screen reads
/// the list of the account on screen, so that while the window shows it each look finds a
/// list read since the last (37.5 s for the app's 30 s).
fn look_every(idle: std::time::Duration) -> std::time::Duration {
    idle + idle / 4
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Keeper {
    /// Forgets what it knows of the accounts no longer watched.
    fn keep_only(&self, watched: &[String]) {
        lock(&self.seen).retain(|a, _| watched.contains(a));
        lock(&self.clients).retain(|a, _| watched.contains(a));
        lock(&self.said_cannot).retain(|a| watched.contains(a));
    }

    fn take_seen(&self, account: &str) -> Seen {
        lock(&self.seen).remove(account).unwrap_or_default()
    }

    fn put_seen(&self, account: &str, seen: Seen) {
        lock(&self.seen).insert(account.to_owned(), seen);
    }
}

impl Desk {
    /// Watches the machines of the account on screen, or stops (`on` false).
    pub async fn set_watching(&self, on: bool) -> Result<SchedulesView, Failure> {
        let account = self.account_on_screen().await?;
        self.schedules
            .change_file(move |all| all.set_watch(&account, on))
            .await?;
        self.watching.changed.notify_one();
        Ok(self.schedules_view().await)
    }

    /// Watches the machines in group `group` of the account on screen as one, or stops.
    pub async fn set_group_watching(
        &self,
        group: &str,
        on: bool,
    ) -> Result<SchedulesView, Failure> {
        let account = self.account_on_screen().await?;
        let group = group.to_owned();
        self.schedules
            .change_file(move |all| all.set_watch_group(&account, &group, on))
            .await?;
        self.watching.changed.notify_one();
        Ok(self.schedules_view().await)
    }

    /// Watches every watched account's machines until the app ends, telling `news` what
    /// it notices.
    pub async fn run_watching(&self, news: &(dyn Fn(WatchNews) + Sync)) {
        loop {
            let file = self.schedules.file();
            let watched: Vec<String> = off_thread(move || {
                file.load()
                    .0
                    .watched()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            self.watching.keep_only(&watched);
            let looks = watched.iter().map(|account| self.look_over(account, news));
            futures_util::future::join_all(looks).await;
            tokio::select! {
                _ = tokio::time::sleep(look_every(self.policy.slow)) => {}
                _ = self.watching.changed.notified() => {}
            }
        }
    }
}
