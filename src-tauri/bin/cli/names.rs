//! `compute-desk-cli names`: what people call an account's machines, in the same file the
//! desktop app reads (`names.json`): listed, set, and shared with colleagues as the app's
//! Export and Import do (the same file format, ARCHITECTURE.md). The app shows a change
//! within ten minutes, or at once when the account is opened.

use std::path::PathBuf;

use clap::Subcommand;
use compute_desk::i18n::Lang;
use compute_desk::settings::{
    read_exchange, ImportChoice, LabelChange, NameProblem, NamesFile, Settings,
};
use compute_desk::text::Text;

use crate::accounts::{app_config_dir, schedule_account};
use crate::print::{print_json, print_table};
use crate::Args;

#[derive(Subcommand, Debug)]
pub enum NamesCommand {
    /// List the names, notes and groups given to the account's machines.
    List,
    /// Give a machine a name, a note, groups or a favourite mark (what is left out stays;
    /// an empty value forgets it).
    Set {
        /// The machine's id.
        machine: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// Comma-separated ("Accounting,Test lab"); empty for none.
        #[arg(long)]
        groups: Option<String>,
        #[arg(long)]
        favourite: Option<bool>,
    },
    /// Write the account's names, notes and groups as a file to share (to standard output
    /// without --file).
    Export {
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Import a colleague's names file: merged, this computer's names kept where the two
    /// disagree unless --theirs names the machine (or --replace takes the whole file).
    Import {
        file: PathBuf,
        /// Machines whose name and note are taken from the file (comma-separated ids).
        #[arg(long, value_delimiter = ',')]
        theirs: Vec<String>,
        /// Make every name, note and group the file's (what it lacks is removed here).
        #[arg(long)]
        replace: bool,
        /// Only say what the import would do.
        #[arg(long)]
        dry_run: bool,
    },
}

/// A refusal in the app's own English words.
fn words(problem: NameProblem) -> String {
    Lang::En.say(&Text::new(problem.0))
}

pub fn run(args: &Args, settings: &Settings, command: &NamesCommand) -> Result<(), String> {
    let (account, label) = schedule_account(args, settings)?;
    let file = NamesFile::in_dir(&app_config_dir());
    let write_failed =
        |e: std::io::Error| format!("Could not write {}: {e}", file.path().display());
    match command {
        NamesCommand::List => {
            let (names, warning) = file.load();
            if let Some(w) = warning {
                eprintln!("{} ({})", Lang::En.say(&w), file.path().display());
            }
            let book = names.of(&account).cloned().unwrap_or_default();
            if args.json {
                print_json(&book.machines);
            } else if book.machines.is_empty() {
                eprintln!("No machine of {label} has a name here. Give one with: compute-desk-cli names set ID --name \"Accounting PC\"");
            } else {
                let rows = book
                    .machines
                    .iter()
                    .map(|(id, l)| {
                        vec![
                            id.clone(),
                            l.name.clone(),
                            l.note.clone(),
                            l.groups.join(", "),
                            if l.favourite {
                                "yes".into()
                            } else {
                                String::new()
                            },
                        ]
                    })
                    .collect();
                print_table(&["ID", "NAME", "NOTE", "GROUPS", "FAVOURITE"], rows);
            }
        }
        NamesCommand::Set {
            machine,
            name,
            note,
            groups,
            favourite,
        } => {
            let change = LabelChange {
                name: name.clone(),
                note: note.clone(),
                groups: groups
                    .as_ref()
                    .map(|g| g.split(',').map(str::to_owned).collect()),
                favourite: *favourite,
                ..LabelChange::default()
            };
            file.change(|all| all.set(&account, machine, &change))
                .map_err(write_failed)?
                .map_err(words)?;
            eprintln!("Kept for {label}.");
        }
        NamesCommand::Export { file: out } => {
            let exchange = file.load().0.export(&account);
            let text = serde_json::to_string_pretty(&exchange).map_err(|e| e.to_string())? + "\n";
            match out {
                Some(out) => {
                    std::fs::write(out, text)
                        .map_err(|e| format!("Could not write {}: {e}", out.display()))?;
                    eprintln!(
                        "The names of {} machines of {label} are in {}.",
                        exchange.machines.len(),
                        out.display()
                    );
                }
                None => print!("{text}"),
            }
        }
        NamesCommand::Import {
            file: from,
            theirs,
            replace,
            dry_run,
        } => {
            let text = std::fs::read_to_string(from)
                .map_err(|e| format!("Could not read {}: {e}", from.display()))?;
            let exchange = read_exchange(&text).map_err(words)?;
            let plan = file.load().0.plan_import(&account, &exchange);
            if args.json && *dry_run {
                print_json(&plan);
                return Ok(());
            }
            eprintln!(
                "{}: names or notes for {} machines new here, new groups for {}, nothing new for {}, named otherwise here: {}.",
                from.display(),
                plan.added,
                plan.grouped,
                plan.same,
                plan.conflicts.len()
            );
            for c in &plan.conflicts {
                let take = *replace || theirs.contains(&c.machine);
                eprintln!(
                    "  {}: here {:?}, in the file {:?}: {}",
                    c.machine,
                    c.here.name,
                    c.there.name,
                    if take {
                        "the file's is taken"
                    } else {
                        "this computer's is kept (--theirs to take the file's)"
                    }
                );
            }
            if *dry_run {
                return Ok(());
            }
            let choice = ImportChoice {
                theirs: theirs.clone(),
                replace: *replace,
            };
            file.change(|all| all.import(&account, &exchange, &choice))
                .map_err(write_failed)?
                .map_err(words)?;
            eprintln!("Imported into {label}.");
        }
    }
    Ok(())
}
