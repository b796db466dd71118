//! What people call their machines, per account, kept on this computer in `names.json`
//! beside the settings (no secret in it): a given name and a one-line note for any machine
//! (ThreatWinds names each after its id). A machine no longer listed keeps its name for
//! [`KEEP_GONE_DAYS`] days, so that the history still names it, then it is dropped; names
//! are kept by the machine's id, so a new machine never inherits a dead one's name. Like
//! `schedules.json`, read afresh before every change, so the app and the command line never
//! undo each other.

use std::collections::{BTreeMap, HashSet};
use std::io;
use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::file::JsonFile;
use crate::text::Text;

/// The file's shape, written in it: a later version reads it and knows what it holds.
pub const NAMES_VERSION: u32 = 1;
/// The longest given name, in characters.
pub const NAME_MAX: usize = 80;
/// The longest note, in characters.
pub const NOTE_MAX: usize = 200;
/// The most machines one account keeps names for.
pub const MACHINES_MAX: usize = 20_000;
/// How long the name of a machine no longer listed is kept.
pub const KEEP_GONE_DAYS: i64 = 30;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Names {
    pub version: u32,
    /// By account id ([`super::SavedAccount::id`], or `demo`).
    pub accounts: BTreeMap<String, NameBook>,
}

/// One account's names, by machine id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NameBook {
    pub machines: BTreeMap<String, Label>,
}

/// What a person calls one machine.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Label {
    /// The given name ("Accounting PC"); shown first, the service's name beside it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// One line ("Ana's test machine: do not delete").
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// When a list first no longer showed the machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gone_since: Option<Timestamp>,
}

impl Label {
    fn is_empty(&self) -> bool {
        self.name.is_empty() && self.note.is_empty()
    }
}

/// Why a name or a note cannot be kept: a catalog key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameProblem(pub &'static str);

/// A name or note as kept: one line, trimmed, its spaces single.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Names {
    /// The names of `account`'s machines.
    pub fn of(&self, account: &str) -> Option<&NameBook> {
        self.accounts.get(account)
    }

    /// Gives machine `machine` of `account` the name `name` and the note `note` (both
    /// empty: forgets it).
    pub fn set(
        &mut self,
        account: &str,
        machine: &str,
        name: &str,
        note: &str,
    ) -> Result<(), NameProblem> {
        let (name, note) = (one_line(name), one_line(note));
        if name.chars().count() > NAME_MAX {
            return Err(NameProblem("names.problem.name_too_long"));
        }
        if note.chars().count() > NOTE_MAX {
            return Err(NameProblem("names.problem.note_too_long"));
        }
        if machine.trim().is_empty() {
            return Err(NameProblem("names.problem.no_machine"));
        }
        let book = self.accounts.entry(account.to_owned()).or_default();
        let label = Label {
            name,
            note,
            gone_since: None,
        };
        if label.is_empty() {
            book.machines.remove(machine);
        } else if book.machines.len() >= MACHINES_MAX && !book.machines.contains_key(machine) {
            return Err(NameProblem("names.problem.too_many"));
        } else {
            book.machines.insert(machine.to_owned(), label);
        }
        if book.machines.is_empty() {
            self.accounts.remove(account);
        }
        Ok(())
    }

    /// `account`'s whole list was read at `now` and showed the machines `listed`: a named
    /// machine it no longer shows is marked gone from now, one it shows again is not, and
    /// one gone for longer than [`KEEP_GONE_DAYS`] is dropped. True when anything changed.
    pub fn listed(&mut self, account: &str, listed: &HashSet<&str>, now: Timestamp) -> bool {
        let Some(book) = self.accounts.get_mut(account) else {
            return false;
        };
        let keep = SignedDuration::from_hours(24 * KEEP_GONE_DAYS);
        let mut changed = false;
        book.machines.retain(|id, label| {
            let there = listed.contains(id.as_str());
            match (there, label.gone_since) {
                (true, Some(_)) => {
                    label.gone_since = None;
                    changed = true;
                }
                (false, None) => {
                    label.gone_since = Some(now);
                    changed = true;
                }
                (false, Some(since)) if now.duration_since(since) > keep => {
                    changed = true;
                    return false;
                }
                _ => {}
            }
            true
        });
        if book.machines.is_empty() {
            self.accounts.remove(account);
        }
        changed
    }
}

#[derive(Debug)]
pub struct NamesFile {
    file: JsonFile,
}

impl NamesFile {
    pub fn in_dir(dir: &Path) -> Self {
        NamesFile {
            file: JsonFile::new(dir.join("names.json"), "names"),
        }
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// What the file holds (nothing when there is none; a damaged one is set aside and
    /// said, `names.damaged`).
    pub fn load(&self) -> (Names, Option<Text>) {
        self.file.load()
    }

    /// Reads the file afresh, changes it with `change`, and writes it back.
    pub fn change<R>(&self, change: impl FnOnce(&mut Names) -> R) -> io::Result<R> {
        let (mut names, _) = self.load();
        let out = change(&mut names);
        names.version = NAMES_VERSION;
        self.file.save(&names)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + day * 86_400).unwrap()
    }

    #[test]
    fn a_name_is_one_trimmed_line_within_its_length_and_empty_forgets_it() {
        let mut names = Names::default();
        names
            .set(
                "acc",
                "m1",
                "  Accounting\n PC ",
                "Ana's test machine:\tdo not delete",
            )
            .unwrap();
        let label = &names.of("acc").unwrap().machines["m1"];
        assert_eq!(label.name, "Accounting PC");
        assert_eq!(label.note, "Ana's test machine: do not delete");
        let long = "x".repeat(NAME_MAX + 1);
        assert_eq!(
            names.set("acc", "m1", &long, ""),
            Err(NameProblem("names.problem.name_too_long"))
        );
        assert_eq!(
            names.of("acc").unwrap().machines["m1"].name,
            "Accounting PC",
            "kept as it was"
        );
        // A name of the longest length in characters, not bytes.
        names.set("acc", "m2", &"ñ".repeat(NAME_MAX), "").unwrap();
        names.set("acc", "m1", " ", "").unwrap();
        names.set("acc", "m2", "", "").unwrap();
        assert!(
            names.of("acc").is_none(),
            "nothing named: the account's book goes"
        );
    }

    #[test]
    fn a_machine_no_longer_listed_keeps_its_name_thirty_days_then_it_is_dropped() {
        let mut names = Names::default();
        names.set("acc", "m1", "Accounting PC", "").unwrap();
        names.set("acc", "m2", "Test lab", "").unwrap();
        assert!(!names.listed("acc", &HashSet::from(["m1", "m2"]), at(0)));
        // m2 is gone from day 1; back on day 2; gone again from day 3.
        assert!(names.listed("acc", &HashSet::from(["m1"]), at(1)));
        assert_eq!(
            names.of("acc").unwrap().machines["m2"].gone_since,
            Some(at(1))
        );
        assert!(names.listed("acc", &HashSet::from(["m1", "m2"]), at(2)));
        assert_eq!(names.of("acc").unwrap().machines["m2"].gone_since, None);
        names.listed("acc", &HashSet::from(["m1"]), at(3));
        // Still named 30 days on (the history names it), dropped after.
        names.listed("acc", &HashSet::from(["m1"]), at(33));
        assert!(names.of("acc").unwrap().machines.contains_key("m2"));
        assert!(names.listed("acc", &HashSet::from(["m1"]), at(34)));
        assert!(!names.of("acc").unwrap().machines.contains_key("m2"));
        // Another account's list changes nothing here.
        assert!(!names.listed("other", &HashSet::new(), at(40)));
        assert!(names.of("acc").unwrap().machines.contains_key("m1"));
    }

    /// ARCHITECTURE.md's example of the file, read as the code reads it and written back
    /// as the code writes it.
    #[test]
    fn the_architecture_example_is_what_the_code_reads_and_writes() {
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"),
        )
        .unwrap();
        let section = &doc[doc.find("`names.json`").expect("the section")..];
        let start = section.find("```json\n").expect("its example") + 8;
        let example = &section[start..start + section[start..].find("```").unwrap()];
        let names: Names = serde_json::from_str(example).unwrap();
        assert_eq!(names.version, NAMES_VERSION);
        let book = names.of("3f6c1a2b9d8e7f40").unwrap();
        assert_eq!(book.machines["tw-550e84-a1b2c3d4"].name, "Accounting PC");
        assert_eq!(
            book.machines["tw-550e84-e5f6a7b8"].gone_since,
            Some("2026-12-01T09:30:00Z".parse().unwrap())
        );
        let written: serde_json::Value = serde_json::to_value(&names).unwrap();
        let read: serde_json::Value = serde_json::from_str(example).unwrap();
        assert_eq!(written, read, "written back as the example shows it");
    }

    #[test]
    fn the_file_is_read_afresh_before_each_change() {
        let dir = tempfile::tempdir().unwrap();
        let app = NamesFile::in_dir(dir.path());
        let cli = NamesFile::in_dir(dir.path());
        app.change(|n| n.set("acc", "m1", "Accounting PC", ""))
            .unwrap()
            .unwrap();
        cli.change(|n| n.set("acc", "m2", "Test lab", ""))
            .unwrap()
            .unwrap();
        let (names, warning) = app.load();
        assert!(warning.is_none());
        assert_eq!(names.version, NAMES_VERSION);
        assert_eq!(names.of("acc").unwrap().machines.len(), 2);
    }
}
