//! What people call their machines (`settings::names`), for the account on screen: given
//! from the page, kept per account on this computer, and handed to the watcher, so that
//! rows, confirmations, notifications and the history name a machine by its given name
//! first and the service's beside it; and, every ten minutes, the names of machines its
//! list no longer shows marked gone, and dropped after 30 days (on the office-hours clock).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use super::schedules::{off_thread, off_thread_io};
use super::Desk;
use crate::failure::Failure;
use crate::settings::{LabelChange, NameBook};
use crate::text::Text;
use crate::watch::Given;

/// `names.json` could not be written: said, and nothing the page sent is lost.
pub(super) fn not_saved(e: std::io::Error) -> Failure {
    Failure::plain(
        "local",
        Text::new("names.not_saved"),
        format!("The names could not be saved: {e}"),
    )
}

/// How often the names of machines no longer listed are looked at.
const NAMES_LOOKED_AT_EVERY: Duration = Duration::from_secs(10 * 60);

impl Desk {
    /// Changes what machine `machine` of the account on screen is called (its name, note,
    /// groups, favourite: each part given is set, the others stay); its row shows it at
    /// once. Nothing is kept when any part cannot be, and the page keeps what was typed.
    pub async fn set_name(&self, machine: &str, change: LabelChange) -> Result<(), Failure> {
        let account = self.account_on_screen().await?;
        let file = self.names.clone();
        let machine = machine.to_owned();
        let kept = off_thread_io(move || file.change(|all| all.set(&account, &machine, &change)))
            .await
            .map_err(not_saved)?;
        kept.map_err(|problem| {
            Failure::plain(
                "invalid",
                Text::new(problem.0),
                format!("The name cannot be kept: {}", problem.0),
            )
        })?;
        self.show_names(self.owner.current()).await;
        Ok(())
    }

    /// Marks the names of the account on screen's machines that its last list no longer
    /// shows as gone, and drops those gone for 30 days; true when any changed.
    pub async fn keep_names_current(&self) -> bool {
        let Some(account) = self.schedule_owner().await else {
            return false;
        };
        let owner = self.owner.current();
        let listed = self
            .watcher
            .look_for(owner, |w| {
                w.as_read()
                    .map(|(_, list)| list.iter().map(|i| i.id.clone()).collect::<HashSet<_>>())
            })
            .await
            .flatten();
        let Some(listed) = listed else {
            return false;
        };
        let now = self.schedules.clock.now();
        let file = self.names.clone();
        let changed = off_thread(move || {
            let listed: HashSet<&str> = listed.iter().map(String::as_str).collect();
            // Written only when something changes (most looks change nothing).
            let (mut names, _) = file.load();
            names.listed(&account, &listed, now)
                && file
                    .change(|all| all.listed(&account, &listed, now))
                    .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        if changed {
            self.show_names(owner).await;
        }
        changed
    }

    /// Keeps the names current ([`Desk::keep_names_current`]) every ten minutes until the
    /// app ends.
    pub async fn run_names_upkeep(&self) {
        loop {
            tokio::time::sleep(NAMES_LOOKED_AT_EVERY).await;
            self.keep_names_current().await;
        }
    }

    /// What `account`'s machines are called, as `names.json` says now (nothing when it
    /// cannot be read).
    pub(super) async fn name_book(&self, account: &str) -> NameBook {
        let (file, account) = (self.names.clone(), account.to_owned());
        off_thread(move || file.load().0.accounts.remove(&account))
            .await
            .flatten()
            .unwrap_or_default()
    }

    /// Hands the names of the account on screen, the sign-in `owner`, to the watcher.
    pub(super) async fn show_names(&self, owner: u64) {
        let mut given = HashMap::new();
        if let Some(account) = self.schedule_owner().await {
            for (id, label) in self.name_book(&account).await.machines {
                given.insert(
                    id,
                    Given {
                        name: label.name,
                        note: label.note,
                        groups: label.groups,
                        favourite: label.favourite,
                    },
                );
            }
        }
        self.watcher.update_for(owner, |w| w.set_given(given)).await;
    }
}
