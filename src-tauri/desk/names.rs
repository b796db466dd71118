//! What people call their machines (`settings::names`), for the account on screen: given
//! from the page, kept per account on this computer, and handed to the watcher, so that
//! rows, confirmations, notifications and the history name a machine by its given name
//! first and the service's beside it.

use std::collections::HashMap;

use super::schedules::off_thread;
use super::Desk;
use crate::failure::Failure;
use crate::text::Text;
use crate::watch::Given;

impl Desk {
    /// Gives machine `machine` of the account on screen the name `name` and the note `note`
    /// (both empty: forgets them); its row shows them at once. Nothing is kept when either
    /// cannot be, and the page keeps what was typed.
    pub async fn set_name(&self, machine: &str, name: &str, note: &str) -> Result<(), Failure> {
        let account = self
            .schedule_owner()
            .await
            .ok_or_else(super::not_signed_in)?;
        let file = self.names.clone();
        let (machine, name, note) = (machine.to_owned(), name.to_owned(), note.to_owned());
        let kept = off_thread(move || file.change(|all| all.set(&account, &machine, &name, &note)))
            .await
            .unwrap_or_else(|| Err(std::io::Error::other("stopped")))
            .map_err(|e| {
                Failure::plain(
                    "local",
                    Text::new("names.not_saved"),
                    format!("The names could not be saved: {e}"),
                )
            })?;
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

    /// Hands the names of the account on screen, the sign-in `owner`, to the watcher.
    pub(super) async fn show_names(&self, owner: u64) {
        let mut given = HashMap::new();
        if let Some(account) = self.schedule_owner().await {
            let file = self.names.clone();
            let book = off_thread(move || file.load().0.accounts.remove(&account))
                .await
                .flatten();
            for (id, label) in book.map(|b| b.machines).unwrap_or_default() {
                given.insert(
                    id,
                    Given {
                        name: label.name,
                        note: label.note,
                    },
                );
            }
        }
        self.watcher.update_for(owner, |w| w.set_given(given)).await;
    }
}
