//! Names shared with colleagues: one account's names, notes and groups as a small JSON file
//! (no secret, nothing personal: not the favourites, user names or ways of connecting, not
//! the machines no longer listed), exported from one computer and imported on another.
//! An import is planned first (what it adds, what is the same, where the two disagree),
//! then applied: merged without losing a local name unless the person takes the file's for
//! that machine, or asks to replace them all. The format is in ARCHITECTURE.md.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::names::{same_group, LabelChange, NameProblem, Names};

/// Says what the file is, whatever it is called.
pub const EXCHANGE_FORMAT: &str = "compute-desk-names";
/// The file's shape: a later version reads it and knows what it holds.
pub const EXCHANGE_VERSION: u32 = 1;
/// The largest file read (20,000 named machines fit well within it).
pub const EXCHANGE_MAX_BYTES: usize = 8 * 1024 * 1024;

/// The file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    pub format: String,
    pub version: u32,
    /// By machine id.
    pub machines: BTreeMap<String, Shared>,
}

/// What colleagues share about one machine.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Shared {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// Where this computer and the file disagree about a machine's name or note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    pub machine: String,
    pub here: Shared,
    pub there: Shared,
}

/// What an import would do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPlan {
    /// Machines the file names that have no name or note here.
    pub added: usize,
    /// Machines that gain groups.
    pub grouped: usize,
    /// Machines the file says nothing new about.
    pub same: usize,
    pub conflicts: Vec<Conflict>,
}

/// How an import is applied: the machines whose name and note are taken from the file
/// where the two disagree (the others keep this computer's), or everything replaced.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ImportChoice {
    pub theirs: Vec<String>,
    pub replace: bool,
}

/// Reads a file made by [`Names::export`], refusing one that is not such a file, too large,
/// from a later version, or with a name, note or group that could not be kept.
pub fn read_exchange(text: &str) -> Result<Exchange, NameProblem> {
    if text.len() > EXCHANGE_MAX_BYTES {
        return Err(NameProblem("names.import.too_large"));
    }
    #[derive(Deserialize)]
    struct Head {
        format: Option<String>,
        version: Option<u32>,
    }
    let head: Head =
        serde_json::from_str(text).map_err(|_| NameProblem("names.import.not_names"))?;
    if head.format.as_deref() != Some(EXCHANGE_FORMAT) {
        return Err(NameProblem("names.import.not_names"));
    }
    match head.version {
        Some(v) if v > EXCHANGE_VERSION => return Err(NameProblem("names.import.newer")),
        Some(_) => {}
        None => return Err(NameProblem("names.import.not_names")),
    }
    let exchange: Exchange =
        serde_json::from_str(text).map_err(|_| NameProblem("names.import.not_names"))?;
    // Every entry as it would be kept, or the whole file refused.
    let mut check = Names::default();
    for (machine, shared) in &exchange.machines {
        check.set("check", machine, &change_to(shared))?;
    }
    Ok(exchange)
}

fn change_to(shared: &Shared) -> LabelChange {
    LabelChange {
        name: Some(shared.name.clone()),
        note: Some(shared.note.clone()),
        groups: Some(shared.groups.clone()),
        ..LabelChange::default()
    }
}

/// Groups `a` has and `b` lacks, whatever their case.
fn missing_groups<'a>(a: &'a [String], b: &[String]) -> Vec<&'a String> {
    a.iter()
        .filter(|g| !b.iter().any(|h| same_group(h, g)))
        .collect()
}

impl Names {
    /// `account`'s names, notes and groups, as the file to share.
    pub fn export(&self, account: &str) -> Exchange {
        let machines = self
            .of(account)
            .map(|book| {
                book.machines
                    .iter()
                    .filter(|(_, l)| l.gone_since.is_none())
                    .map(|(id, l)| {
                        let shared = Shared {
                            name: l.name.clone(),
                            note: l.note.clone(),
                            groups: l.groups.clone(),
                        };
                        (id.clone(), shared)
                    })
                    .filter(|(_, s)| *s != Shared::default())
                    .collect()
            })
            .unwrap_or_default();
        Exchange {
            format: EXCHANGE_FORMAT.to_owned(),
            version: EXCHANGE_VERSION,
            machines,
        }
    }

    /// What importing `file` into `account` would do.
    pub fn plan_import(&self, account: &str, file: &Exchange) -> ImportPlan {
        let mut plan = ImportPlan::default();
        for (machine, there) in &file.machines {
            let label = self.of(account).and_then(|b| b.machines.get(machine));
            let here = label
                .map(|l| Shared {
                    name: l.name.clone(),
                    note: l.note.clone(),
                    groups: l.groups.clone(),
                })
                .unwrap_or_default();
            let differs = |a: &str, b: &str| !a.is_empty() && !b.is_empty() && a != b;
            let new_groups = !missing_groups(&there.groups, &here.groups).is_empty();
            if differs(&here.name, &there.name) || differs(&here.note, &there.note) {
                plan.conflicts.push(Conflict {
                    machine: machine.clone(),
                    here,
                    there: there.clone(),
                });
            } else if (here.name.is_empty() && !there.name.is_empty())
                || (here.note.is_empty() && !there.note.is_empty())
            {
                plan.added += 1;
            } else if !new_groups {
                plan.same += 1;
            }
            if new_groups {
                plan.grouped += 1;
            }
        }
        plan
    }

    /// Imports `file` into `account` as `choice` says: each machine's name and note kept
    /// where this computer has them (unless taken from the file), filled in where it has
    /// none, its groups joined; or, with `replace`, every name, note and group of the
    /// account made the file's (favourites, user names and ways of connecting stay).
    pub fn import(
        &mut self,
        account: &str,
        file: &Exchange,
        choice: &ImportChoice,
    ) -> Result<(), NameProblem> {
        let mut next = self.clone();
        if choice.replace {
            let here: Vec<String> = next
                .of(account)
                .map(|b| b.machines.keys().cloned().collect())
                .unwrap_or_default();
            for machine in here.iter().filter(|m| !file.machines.contains_key(*m)) {
                next.set(account, machine, &change_to(&Shared::default()))?;
            }
            for (machine, there) in &file.machines {
                next.set(account, machine, &change_to(there))?;
            }
        } else {
            for (machine, there) in &file.machines {
                let here = next
                    .of(account)
                    .and_then(|b| b.machines.get(machine))
                    .cloned()
                    .unwrap_or_default();
                let theirs = choice.theirs.iter().any(|m| m == machine);
                let pick = |mine: &str, file: &str| {
                    if mine.is_empty() || theirs {
                        if file.is_empty() {
                            mine.to_owned()
                        } else {
                            file.to_owned()
                        }
                    } else {
                        mine.to_owned()
                    }
                };
                let mut groups = here.groups.clone();
                groups.extend(
                    missing_groups(&there.groups, &here.groups)
                        .into_iter()
                        .cloned(),
                );
                let change = LabelChange {
                    name: Some(pick(&here.name, &there.name)),
                    note: Some(pick(&here.note, &there.note)),
                    groups: Some(groups),
                    ..LabelChange::default()
                };
                next.set(account, machine, &change)?;
            }
        }
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(name: &str, note: &str, groups: &[&str]) -> Shared {
        Shared {
            name: name.into(),
            note: note.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    fn names_with(account: &str, entries: &[(&str, Shared)]) -> Names {
        let mut names = Names::default();
        for (machine, s) in entries {
            names.set(account, machine, &change_to(s)).unwrap();
        }
        names
    }

    #[test]
    fn an_export_read_back_is_the_same_and_holds_nothing_personal() {
        let mut names = names_with(
            "acc",
            &[("m1", shared("Accounting PC", "Ana's", &["Accounting"]))],
        );
        names
            .set(
                "acc",
                "m1",
                &LabelChange {
                    favourite: Some(true),
                    user: Some("ana".into()),
                    ..LabelChange::default()
                },
            )
            .unwrap();
        names
            .set(
                "acc",
                "m2",
                &LabelChange {
                    favourite: Some(true),
                    ..LabelChange::default()
                },
            )
            .unwrap();
        let file = names.export("acc");
        let text = serde_json::to_string_pretty(&file).unwrap();
        assert!(
            !text.contains("ana\"") && !text.contains("favourite") && !text.contains("m2"),
            "{text}"
        );
        assert_eq!(read_exchange(&text).unwrap(), file);
        assert_eq!(names.export("nobody").machines.len(), 0);
    }

    #[test]
    fn a_file_that_is_not_ours_or_from_a_later_version_or_too_long_is_refused() {
        let refused = |text: &str| read_exchange(text).unwrap_err().0;
        assert_eq!(refused("not json"), "names.import.not_names");
        assert_eq!(
            refused(r#"{"version": 1, "machines": {}}"#),
            "names.import.not_names"
        );
        assert_eq!(
            refused(r#"{"format": "compute-desk-names", "version": 2, "machines": {}}"#),
            "names.import.newer"
        );
        let long = format!(
            r#"{{"format": "compute-desk-names", "version": 1, "machines": {{"m1": {{"name": "{}"}}}}}}"#,
            "x".repeat(81)
        );
        assert_eq!(refused(&long), "names.problem.name_too_long");
        assert_eq!(
            refused(&" ".repeat(EXCHANGE_MAX_BYTES + 1)),
            "names.import.too_large"
        );
    }

    #[test]
    fn an_import_merges_keeps_local_names_unless_the_file_s_are_taken_and_can_replace_all() {
        let here = names_with(
            "acc",
            &[
                ("m1", shared("Accounting PC", "", &["Accounting"])),
                ("m2", shared("Reception", "", &[])),
                ("m4", shared("Old one", "", &[])),
            ],
        );
        let file = names_with(
            "x",
            &[
                (
                    "m1",
                    shared("Contabilidad", "", &["accounting", "Test lab"]),
                ),
                ("m2", shared("Reception", "", &[])),
                ("m3", shared("Build server", "Ana's", &[])),
            ],
        )
        .export("x");
        let plan = here.plan_import("acc", &file);
        assert_eq!((plan.added, plan.grouped, plan.same), (1, 1, 1));
        assert_eq!(plan.conflicts.len(), 1);
        assert_eq!(plan.conflicts[0].machine, "m1");
        assert_eq!(plan.conflicts[0].here.name, "Accounting PC");
        assert_eq!(plan.conflicts[0].there.name, "Contabilidad");

        // Merged, the local name kept; groups joined whatever their case.
        let mut mine = here.clone();
        mine.import("acc", &file, &ImportChoice::default()).unwrap();
        let book = &mine.of("acc").unwrap().machines;
        assert_eq!(book["m1"].name, "Accounting PC");
        assert_eq!(book["m1"].groups, ["Accounting", "Test lab"]);
        assert_eq!(book["m3"].name, "Build server");
        assert_eq!(book["m4"].name, "Old one", "a name the file lacks stays");

        // The file's taken for the machine in conflict.
        let mut theirs = here.clone();
        let choice = ImportChoice {
            theirs: vec!["m1".into()],
            replace: false,
        };
        theirs.import("acc", &file, &choice).unwrap();
        assert_eq!(
            theirs.of("acc").unwrap().machines["m1"].name,
            "Contabilidad"
        );

        // Everything replaced: what the file lacks goes.
        let mut replaced = here.clone();
        replaced
            .import(
                "acc",
                &file,
                &ImportChoice {
                    theirs: vec![],
                    replace: true,
                },
            )
            .unwrap();
        let book = &replaced.of("acc").unwrap().machines;
        assert_eq!(book["m1"].name, "Contabilidad");
        assert!(!book.contains_key("m4"));
        // Imported again: nothing new.
        let again = replaced.plan_import("acc", &file);
        assert_eq!(
            (
                again.added,
                again.grouped,
                again.same,
                again.conflicts.len()
            ),
            (0, 0, 3, 0)
        );
    }

    /// ARCHITECTURE.md's example of the file, read as the code reads it and written back
    /// as the code writes it.
    #[test]
    fn the_architecture_example_is_what_the_code_reads() {
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"),
        )
        .unwrap();
        let section = &doc[doc
            .find("### Names shared with colleagues")
            .expect("the section")..];
        let start = section.find("```json\n").expect("its example") + 8;
        let example = &section[start..start + section[start..].find("```").unwrap()];
        let file = read_exchange(example).unwrap();
        assert_eq!(file.format, EXCHANGE_FORMAT);
        assert_eq!(file.version, EXCHANGE_VERSION);
        assert_eq!(
            file.machines["tw-550e84-a1b2c3d4"],
            shared(
                "Accounting PC",
                "Ana's test machine: do not delete",
                &["Accounting", "Test lab"]
            )
        );
        let written: serde_json::Value = serde_json::to_value(&file).unwrap();
        let read: serde_json::Value = serde_json::from_str(example).unwrap();
        assert_eq!(written, read, "written back as the example shows it");
    }
}
