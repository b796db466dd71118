//! Each account's office hours and whether its machines are watched, kept in
//! `schedules.json` beside the settings (no secret in it): the app and the command line
//! both change it, each reading the file afresh just before a change, so neither undoes
//! what the other wrote.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::time::SystemTime;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::file::JsonFile;
use super::names::same_group;
use crate::schedule::Schedule;
use crate::text::Text;

/// The file's shape, written in it: a later version reads it and knows what it holds.
pub const SCHEDULES_VERSION: u32 = 1;

/// The most schedules one account keeps.
pub const SCHEDULES_MAX: usize = 200;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Schedules {
    pub version: u32,
    /// By account id ([`super::SavedAccount::id`], or `demo`).
    pub accounts: BTreeMap<String, Book>,
}

/// One account's schedules, how far they were followed, and whether its machines are
/// watched.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Book {
    pub schedules: Vec<Schedule>,
    /// Every change up to here was done, or said to be missed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub looked_at: Option<Timestamp>,
    /// Nothing is done up to here ("Pause schedules for today"), and not later either.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<Timestamp>,
    /// "Tell me when a machine stops that nobody here stopped".
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub watch: bool,
    /// The groups watched as one (the names kept on this computer say which machines are
    /// in each), when the whole account is not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub watch_groups: Vec<String>,
}

impl Book {
    /// Nothing left to keep: no schedule, nothing watched.
    fn is_empty(&self) -> bool {
        self.schedules.is_empty() && !self.watch && self.watch_groups.is_empty()
    }

    /// The groups watched, when only some machines are: `None` when the whole account is.
    pub fn watched_groups(&self) -> Option<&[String]> {
        (!self.watch).then_some(&self.watch_groups[..])
    }
}

impl Schedules {
    /// The schedules of `account`.
    pub fn of(&self, account: &str) -> &[Schedule] {
        self.accounts
            .get(account)
            .map_or(&[][..], |b| &b.schedules[..])
    }

    /// Keeps `schedule` for `account` at `now`: replaces the one with its id, or adds it.
    /// False when the account keeps as many as it may. An account's first schedule is
    /// followed from `now`: changes before it are not due for a schedule that did not
    /// exist then, whether or not the app is running to look.
    pub fn set(&mut self, account: &str, schedule: Schedule, now: Timestamp) -> bool {
        let book = self.accounts.entry(account.to_owned()).or_default();
        book.looked_at.get_or_insert(now);
        let full = book.schedules.len() >= SCHEDULES_MAX;
        match book.schedules.iter_mut().find(|s| s.id == schedule.id) {
            Some(known) => *known = schedule,
            None if full => return false,
            None => book.schedules.push(schedule),
        }
        true
    }

    /// Removes the schedule `id` of `account`; false when there was none.
    pub fn remove(&mut self, account: &str, id: &str) -> bool {
        let Some(book) = self.accounts.get_mut(account) else {
            return false;
        };
        let before = book.schedules.len();
        book.schedules.retain(|s| s.id != id);
        let removed = book.schedules.len() < before;
        if book.is_empty() {
            self.accounts.remove(account);
        }
        removed
    }

    /// Watches the machines of `account`, or stops (`on` false).
    pub fn set_watch(&mut self, account: &str, on: bool) {
        if on {
            self.accounts.entry(account.to_owned()).or_default().watch = true;
        } else if let Some(book) = self.accounts.get_mut(account) {
            book.watch = false;
            if book.is_empty() {
                self.accounts.remove(account);
            }
        }
    }

    /// Watches the machines in group `group` of `account` as one, or stops (`on` false).
    pub fn set_watch_group(&mut self, account: &str, group: &str, on: bool) {
        let book = self.accounts.entry(account.to_owned()).or_default();
        book.watch_groups.retain(|g| !same_group(g, group));
        if on && !group.trim().is_empty() {
            book.watch_groups.push(group.trim().to_owned());
            book.watch_groups.sort_by_key(|g| g.to_lowercase());
        }
        if book.is_empty() {
            self.accounts.remove(account);
        }
    }

    /// The accounts whose machines are watched, all of them or some groups'.
    pub fn watched(&self) -> impl Iterator<Item = &str> {
        self.accounts
            .iter()
            .filter(|(_, b)| b.watch || !b.watch_groups.is_empty())
            .map(|(a, _)| a.as_str())
    }
}

#[derive(Debug)]
pub struct SchedulesFile {
    file: JsonFile,
}

impl SchedulesFile {
    pub fn in_dir(dir: &Path) -> Self {
        SchedulesFile {
            file: JsonFile::new(dir.join("schedules.json"), "schedules"),
        }
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// What the file holds (nothing when there is none; a damaged one is set aside and
    /// said, `schedules.damaged`).
    pub fn load(&self) -> (Schedules, Option<Text>) {
        self.file.load()
    }

    /// When the file was last written, to notice another program's change.
    pub fn modified(&self) -> Option<SystemTime> {
        std::fs::metadata(self.path())
            .and_then(|m| m.modified())
            .ok()
    }

    /// Reads the file afresh, changes it with `change`, and writes it back.
    pub fn change<R>(&self, change: impl FnOnce(&mut Schedules) -> R) -> io::Result<R> {
        let (mut schedules, _) = self.load();
        let out = change(&mut schedules);
        schedules.version = SCHEDULES_VERSION;
        self.file.save(&schedules)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{ClockTime, Days};

    fn one(id: &str) -> Schedule {
        Schedule {
            id: id.into(),
            machines: vec!["m1".into()],
            group: None,
            days: Days::WEEKDAYS,
            on: ClockTime::new(8, 0),
            off: ClockTime::new(19, 0),
            zone: "Europe/Madrid".into(),
            skip: vec![],
        }
    }

    #[test]
    fn each_change_reads_the_file_afresh_so_another_programs_change_stays() {
        let dir = tempfile::tempdir().unwrap();
        let app = SchedulesFile::in_dir(dir.path());
        let cli = SchedulesFile::in_dir(dir.path());
        app.change(|s| s.set("acc-1", one("a"), Timestamp::UNIX_EPOCH))
            .unwrap();
        cli.change(|s| s.set("acc-1", one("b"), Timestamp::UNIX_EPOCH))
            .unwrap();
        app.change(|s| s.set("acc-2", one("c"), Timestamp::UNIX_EPOCH))
            .unwrap();
        let (all, warning) = app.load();
        assert!(warning.is_none());
        assert_eq!(all.version, SCHEDULES_VERSION);
        let ids = |acc| all.of(acc).iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids("acc-1"), ["a", "b"]);
        assert_eq!(ids("acc-2"), ["c"]);
        // Followed from the first schedule's setting, by the app or the command line.
        assert_eq!(all.accounts["acc-1"].looked_at, Some(Timestamp::UNIX_EPOCH));
        // Edited in place; removed; the account's book goes with its last schedule.
        let mut edited = one("a");
        edited.off = ClockTime::new(18, 30);
        cli.change(|s| s.set("acc-1", edited.clone(), Timestamp::UNIX_EPOCH))
            .unwrap();
        assert_eq!(app.load().0.of("acc-1")[0], edited);
        assert!(app.change(|s| s.remove("acc-2", "c")).unwrap());
        assert!(!app.change(|s| s.remove("acc-2", "c")).unwrap());
        assert!(!app.load().0.accounts.contains_key("acc-2"));
    }

    #[test]
    fn watching_is_kept_per_account_and_outlives_its_schedules() {
        let mut all = Schedules::default();
        all.set("acc-1", one("a"), Timestamp::UNIX_EPOCH);
        all.set_watch("acc-1", true);
        all.set_watch("acc-2", true);
        assert_eq!(all.watched().collect::<Vec<_>>(), ["acc-1", "acc-2"]);
        // The last schedule removed, the switch stays; the switch off, the book goes.
        assert!(all.remove("acc-1", "a"));
        assert!(all.accounts["acc-1"].watch);
        all.set_watch("acc-1", false);
        assert!(!all.accounts.contains_key("acc-1"));
        // Off on an account with schedules keeps them.
        all.set("acc-2", one("b"), Timestamp::UNIX_EPOCH);
        all.set_watch("acc-2", false);
        assert_eq!(all.of("acc-2").len(), 1);
        assert_eq!(all.watched().count(), 0);
        // Written only when on.
        assert!(!serde_json::to_string(&all).unwrap().contains("watch"));
        // A group watched as one: the account is watched for that group's machines only.
        all.set_watch_group("acc-3", "Accounting", true);
        all.set_watch_group("acc-3", "accounting", true);
        assert_eq!(all.watched().collect::<Vec<_>>(), ["acc-3"]);
        assert_eq!(
            all.accounts["acc-3"].watched_groups(),
            Some(&["accounting".to_string()][..])
        );
        all.set_watch("acc-3", true);
        assert_eq!(
            all.accounts["acc-3"].watched_groups(),
            None,
            "the whole account"
        );
        all.set_watch("acc-3", false);
        all.set_watch_group("acc-3", "ACCOUNTING", false);
        assert_eq!(all.watched().count(), 0);
        assert!(
            !all.accounts.contains_key("acc-3"),
            "nothing left to keep for it"
        );
    }

    #[test]
    fn a_damaged_file_is_set_aside_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let file = SchedulesFile::in_dir(dir.path());
        std::fs::write(file.path(), b"{\"accounts\": oops").unwrap();
        let (all, warning) = file.load();
        assert!(
            !all.accounts.contains_key("acc-3"),
            "nothing left to keep for it"
        );
        assert_eq!(warning.unwrap().key, "schedules.damaged");
        assert!(dir.path().join("schedules.json.damaged").exists());
    }
}
