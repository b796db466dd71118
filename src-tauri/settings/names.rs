//! What people call their machines, per account, kept on this computer in `names.json`
//! beside the settings (no secret in it): a given name, a one-line note, the groups it is
//! in and whether it is a favourite, for any machine (ThreatWinds names each after its id). A machine no longer listed keeps its name for
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
use crate::connect::Way;
use crate::text::Text;

/// The file's shape, written in it: a later version reads it and knows what it holds.
pub const NAMES_VERSION: u32 = 1;
/// The longest given name, in characters.
pub const NAME_MAX: usize = 80;
/// The longest note, in characters.
pub const NOTE_MAX: usize = 200;
/// The longest group name, in characters.
pub const GROUP_MAX: usize = 40;
/// The most groups one machine is in.
pub const GROUPS_PER_MACHINE: usize = 20;
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
    /// The groups it is in ("Accounting", "Test lab"), each once, in the order people
    /// read them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Kept at the top of the list.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub favourite: bool,
    /// The user name to connect as ([`crate::connect::user_name`]).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user: String,
    /// How the person last connected to it: offered first next time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_with: Option<Way>,
    /// When a list first no longer showed the machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gone_since: Option<Timestamp>,
}

impl Label {
    /// Whether the machine is in group `group` ([`same_group`]).
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| same_group(g, group))
    }

    fn is_empty(&self) -> bool {
        self.name.is_empty()
            && self.note.is_empty()
            && self.groups.is_empty()
            && !self.favourite
            && self.user.is_empty()
            && self.connect_with.is_none()
    }
}

/// A change to what a machine is called: each part given is set (an empty one forgets it),
/// each left out stays as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LabelChange {
    pub name: Option<String>,
    pub note: Option<String>,
    pub groups: Option<Vec<String>>,
    pub favourite: Option<bool>,
    pub user: Option<String>,
    pub connect_with: Option<Way>,
}

/// Whether `a` and `b` name the same group: a group is one whatever its letters' case
/// ("Accounting", "accounting").
pub fn same_group(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// Group names as kept: each one line, none empty, each once whatever its case (the first
/// spelling kept), in the order people read them.
fn group_names(groups: &[String]) -> Result<Vec<String>, NameProblem> {
    let mut kept: Vec<String> = Vec::new();
    for group in groups.iter().map(|g| one_line(g)) {
        if group.is_empty() {
            continue;
        }
        if group.chars().count() > GROUP_MAX {
            return Err(NameProblem("names.problem.group_too_long"));
        }
        if !kept.iter().any(|k| same_group(k, &group)) {
            kept.push(group);
        }
    }
    if kept.len() > GROUPS_PER_MACHINE {
        return Err(NameProblem("names.problem.too_many_groups"));
    }
    kept.sort_by_key(|g| g.to_lowercase());
    Ok(kept)
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

    /// Changes what machine `machine` of `account` is called (everything empty: forgets
    /// it). Nothing changes when any part cannot be kept.
    pub fn set(
        &mut self,
        account: &str,
        machine: &str,
        change: &LabelChange,
    ) -> Result<(), NameProblem> {
        if machine.trim().is_empty() {
            return Err(NameProblem("names.problem.no_machine"));
        }
        let was = self
            .of(account)
            .and_then(|b| b.machines.get(machine))
            .cloned()
            .unwrap_or_default();
        let name = change.name.as_deref().map_or(was.name, one_line);
        if name.chars().count() > NAME_MAX {
            return Err(NameProblem("names.problem.name_too_long"));
        }
        let note = change.note.as_deref().map_or(was.note, one_line);
        if note.chars().count() > NOTE_MAX {
            return Err(NameProblem("names.problem.note_too_long"));
        }
        let groups = match &change.groups {
            Some(groups) => group_names(groups)?,
            None => was.groups,
        };
        let user = match &change.user {
            Some(user) => crate::connect::user_name(user).map_err(NameProblem)?,
            None => was.user,
        };
        let label = Label {
            name,
            note,
            groups,
            favourite: change.favourite.unwrap_or(was.favourite),
            user,
            connect_with: change.connect_with.or(was.connect_with),
            gone_since: None,
        };
        let book = self.accounts.entry(account.to_owned()).or_default();
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

    /// The groups `account`'s machines are in, each with how many machines it holds, in
    /// the order people read them.
    pub fn groups(&self, account: &str) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<String, (String, usize)> = BTreeMap::new();
        for label in self
            .of(account)
            .map(|b| b.machines.values())
            .into_iter()
            .flatten()
        {
            for group in &label.groups {
                counts
                    .entry(group.to_lowercase())
                    .or_insert_with(|| (group.clone(), 0))
                    .1 += 1;
            }
        }
        counts.into_values().collect()
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

    fn named(name: &str, note: &str) -> LabelChange {
        LabelChange {
            name: Some(name.into()),
            note: Some(note.into()),
            ..LabelChange::default()
        }
    }

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
                &named("  Accounting\n PC ", "Ana's test machine:\tdo not delete"),
            )
            .unwrap();
        let label = &names.of("acc").unwrap().machines["m1"];
        assert_eq!(label.name, "Accounting PC");
        assert_eq!(label.note, "Ana's test machine: do not delete");
        let long = "x".repeat(NAME_MAX + 1);
        assert_eq!(
            names.set("acc", "m1", &named(&long, "")),
            Err(NameProblem("names.problem.name_too_long"))
        );
        assert_eq!(
            names.of("acc").unwrap().machines["m1"].name,
            "Accounting PC",
            "kept as it was"
        );
        // A name of the longest length in characters, not bytes.
        names
            .set("acc", "m2", &named(&"ñ".repeat(NAME_MAX), ""))
            .unwrap();
        names.set("acc", "m1", &named(" ", "")).unwrap();
        names.set("acc", "m2", &named("", "")).unwrap();
        assert!(
            names.of("acc").is_none(),
            "nothing named: the account's book goes"
        );
    }

    #[test]
    fn groups_are_kept_once_each_in_reading_order_and_parts_left_out_stay() {
        let mut names = Names::default();
        names.set("acc", "m1", &named("Accounting PC", "")).unwrap();
        let groups = |g: &[&str]| LabelChange {
            groups: Some(g.iter().map(|s| s.to_string()).collect()),
            ..LabelChange::default()
        };
        names
            .set(
                "acc",
                "m1",
                &groups(&["Test lab", " accounting ", "", "TEST  LAB"]),
            )
            .unwrap();
        let label = &names.of("acc").unwrap().machines["m1"];
        assert_eq!(label.groups, ["accounting", "Test lab"]);
        assert_eq!(label.name, "Accounting PC", "a name left out stays");
        names
            .set(
                "acc",
                "m2",
                &LabelChange {
                    favourite: Some(true),
                    ..groups(&["Accounting"])
                },
            )
            .unwrap();
        assert!(names.of("acc").unwrap().machines["m2"].favourite);
        assert_eq!(
            names.groups("acc"),
            [("accounting".to_string(), 2), ("Test lab".to_string(), 1)]
        );
        let long = "g".repeat(GROUP_MAX + 1);
        assert_eq!(
            names.set("acc", "m1", &groups(&[&long])),
            Err(NameProblem("names.problem.group_too_long"))
        );
        let many: Vec<String> = (0..=GROUPS_PER_MACHINE).map(|i| format!("g{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            names.set("acc", "m1", &groups(&many)),
            Err(NameProblem("names.problem.too_many_groups"))
        );
        assert_eq!(
            names.of("acc").unwrap().machines["m1"].groups.len(),
            2,
            "kept as it was"
        );
        // A favourite in no group and with no name is still kept; unmarked, it goes.
        names
            .set(
                "acc",
                "m2",
                &LabelChange {
                    favourite: Some(false),
                    ..groups(&[])
                },
            )
            .unwrap();
        assert!(!names.of("acc").unwrap().machines.contains_key("m2"));
    }

    #[test]
    fn a_machine_no_longer_listed_keeps_its_name_thirty_days_then_it_is_dropped() {
        let mut names = Names::default();
        names.set("acc", "m1", &named("Accounting PC", "")).unwrap();
        names.set("acc", "m2", &named("Test lab", "")).unwrap();
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
        let accounting = &book.machines["tw-550e84-a1b2c3d4"];
        assert_eq!(accounting.name, "Accounting PC");
        assert_eq!(accounting.groups, ["Accounting", "Test lab"]);
        assert!(accounting.favourite);
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
        app.change(|n| n.set("acc", "m1", &named("Accounting PC", "")))
            .unwrap()
            .unwrap();
        cli.change(|n| n.set("acc", "m2", &named("Test lab", "")))
            .unwrap()
            .unwrap();
        let (names, warning) = app.load();
        assert!(warning.is_none());
        assert_eq!(names.version, NAMES_VERSION);
        assert_eq!(names.of("acc").unwrap().machines.len(), 2);
    }
}
