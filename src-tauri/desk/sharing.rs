//! Names shared with colleagues (`settings::names_exchange`), for the account on screen:
//! exported as a new file in a folder the window chooses (the person's Downloads), and a
//! file's import planned (what it adds, where the two disagree, which of its machines this
//! account does not have) and then applied as the person chose.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::names::not_saved;
use super::schedules::{off_thread, off_thread_io, on_this_computer};
use super::Desk;
use crate::failure::Failure;
use crate::settings::{read_exchange, Exchange, ImportChoice, NameProblem, Shared};
use crate::text::Text;

/// The most files of one day's export kept side by side ("… (2).json", …).
const SAME_DAY_FILES: u32 = 99;

/// What importing a file would do, for the page.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportView {
    pub added: usize,
    pub grouped: usize,
    pub same: usize,
    /// Machines of the file this account's list does not show.
    pub unknown: usize,
    pub conflicts: Vec<ConflictView>,
}

/// A machine named otherwise here and in the file.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictView {
    pub machine: String,
    /// The service's name for it (its id when the list does not show it).
    pub service: String,
    pub here: Shared,
    pub there: Shared,
}

fn refused(problem: NameProblem) -> Failure {
    Failure::plain(
        "invalid",
        Text::new(problem.0),
        format!("The names file cannot be imported: {}", problem.0),
    )
}

/// A file in `folder` named for `day` that is not there yet.
fn new_file_in(folder: &Path, day: &str) -> std::io::Result<PathBuf> {
    (1..=SAME_DAY_FILES)
        .map(|n| match n {
            1 => folder.join(format!("compute-desk-names-{day}.json")),
            n => folder.join(format!("compute-desk-names-{day} ({n}).json")),
        })
        .find(|p| !p.exists())
        .ok_or_else(|| std::io::Error::other("too many exports that day"))
}

impl Desk {
    /// Writes the account on screen's names, notes and groups to a new file in `folder`;
    /// gives its path.
    pub async fn export_names(&self, folder: &Path) -> Result<PathBuf, Failure> {
        let account = self.account_on_screen().await?;
        let day = on_this_computer(self.schedules.clock.now(), "%Y-%m-%d");
        let (file, folder) = (self.names.clone(), folder.to_owned());
        off_thread_io(move || {
            let exchange = file.load().0.export(&account);
            std::fs::create_dir_all(&folder)?;
            let path = new_file_in(&folder, &day)?;
            let text = serde_json::to_string_pretty(&exchange).map_err(std::io::Error::other)?;
            std::fs::write(&path, text + "\n")?;
            Ok(path)
        })
        .await
        .map_err(|e| {
            Failure::plain(
                "local",
                Text::new("names.export.failed"),
                format!("The names could not be exported: {e}"),
            )
        })
    }

    /// What importing `text` (a names file) into the account on screen would do.
    pub async fn plan_names_import(&self, text: String) -> Result<ImportView, Failure> {
        let account = self.account_on_screen().await?;
        let exchange = read_exchange(&text).map_err(refused)?;
        let file = self.names.clone();
        let theirs = exchange.clone();
        let plan = off_thread(move || file.load().0.plan_import(&account, &theirs))
            .await
            .unwrap_or_default();
        let listed = self.listed_names(&exchange).await;
        let unknown = exchange
            .machines
            .keys()
            .filter(|m| !listed.contains_key(*m))
            .count();
        let conflicts = plan
            .conflicts
            .into_iter()
            .map(|c| ConflictView {
                service: listed
                    .get(&c.machine)
                    .cloned()
                    .unwrap_or_else(|| c.machine.clone()),
                machine: c.machine,
                here: c.here,
                there: c.there,
            })
            .collect();
        Ok(ImportView {
            added: plan.added,
            grouped: plan.grouped,
            same: plan.same,
            unknown,
            conflicts,
        })
    }

    /// Imports `text` (a names file) into the account on screen as `choice` says; the rows
    /// show the names at once.
    pub async fn import_names(&self, text: String, choice: ImportChoice) -> Result<(), Failure> {
        let account = self.account_on_screen().await?;
        let exchange = read_exchange(&text).map_err(refused)?;
        let file = self.names.clone();
        let imported =
            off_thread_io(move || file.change(|all| all.import(&account, &exchange, &choice)))
                .await
                .map_err(not_saved)?;
        imported.map_err(refused)?;
        self.show_names(self.owner.current()).await;
        Ok(())
    }

    /// The service names of the file's machines the account on screen's list shows, by id
    /// (looked up for each of up to 20,000 machines).
    async fn listed_names(&self, exchange: &Exchange) -> HashMap<String, String> {
        let owner = self.owner.current();
        self.watcher
            .look_for(owner, |w| {
                exchange
                    .machines
                    .keys()
                    .filter_map(|id| {
                        w.instance(id)
                            .map(|i| (id.clone(), i.display_name().to_owned()))
                    })
                    .collect()
            })
            .await
            .unwrap_or_default()
    }
}
