//! `compute-desk-cli schedule`: the office hours the desktop app keeps for an account,
//! listed, set and removed in the same file the app reads (`schedules.json`). The app runs
//! them; this only writes them.

use clap::Subcommand;
use compute_desk::api::{Client, PRODUCTION_BASE};
use compute_desk::schedule::{ClockTime, Days, Schedule};
use compute_desk::settings::{SchedulesFile, Settings};
use jiff::civil::Date;
use jiff::Timestamp;

use crate::accounts::{account_credentials, app_config_dir, schedule_account};
use crate::print::{print_json, print_table};
use crate::Args;

#[derive(Subcommand, Debug)]
pub enum ScheduleCommand {
    /// List the account's schedules and when each next changes its machines.
    List,
    /// Add a schedule, or change one (--id).
    Set {
        /// The schedule to change (from `schedule list`); without it, a new one.
        #[arg(long)]
        id: Option<String>,
        /// The machines' ids, comma-separated.
        #[arg(long, value_delimiter = ',', required_unless_present = "group")]
        machines: Vec<String>,
        /// Instead of machines, a group given in Compute Desk ("Accounting"): the schedule
        /// turns whatever machines the group holds when each change comes.
        #[arg(long, conflicts_with = "machines")]
        group: Option<String>,
        /// weekdays, weekend, every-day, or days such as mon,wed,fri.
        #[arg(long, default_value = "weekdays")]
        days: String,
        /// Turn them on at this time (HH:MM).
        #[arg(long)]
        on: Option<String>,
        /// Shut them down at this time (HH:MM).
        #[arg(long)]
        off: Option<String>,
        /// The time zone the times are in (Europe/Madrid); this computer's when not given.
        #[arg(long)]
        zone: Option<String>,
        /// Dates on which nothing is done (YYYY-MM-DD), comma-separated.
        #[arg(long, value_delimiter = ',')]
        skip: Vec<String>,
    },
    /// Remove a schedule.
    Remove { id: String },
}

pub async fn run(
    args: &Args,
    settings: &Settings,
    command: &ScheduleCommand,
) -> Result<(), String> {
    let (account, label) = schedule_account(args, settings)?;
    let file = SchedulesFile::in_dir(&app_config_dir());
    let write_failed =
        |e: std::io::Error| format!("Could not write {}: {e}", file.path().display());
    match command {
        ScheduleCommand::List => {
            let (all, warning) = file.load();
            if let Some(w) = warning {
                eprintln!("{} ({})", w.key, file.path().display());
            }
            let schedules = all.of(&account);
            if args.json {
                print_json(&schedules);
            } else if schedules.is_empty() {
                eprintln!("No schedules for {label}. Add one with: compute-desk-cli schedule set --machines ID --on 08:00 --off 19:00");
            } else {
                print_schedules(schedules);
            }
        }
        ScheduleCommand::Set {
            id,
            machines,
            group,
            days,
            on,
            off,
            zone,
            skip,
        } => {
            let schedule = Schedule {
                id: id
                    .clone()
                    .unwrap_or_else(|| format!("s{:012x}", fastrand::u64(..) >> 16)),
                machines: machines
                    .iter()
                    .map(|m| m.trim().to_owned())
                    .filter(|m| !m.is_empty())
                    .collect(),
                days: Days::parse(days)?,
                group: group.as_ref().map(|g| g.trim().to_owned()),
                on: on.as_deref().map(ClockTime::parse).transpose()?,
                off: off.as_deref().map(ClockTime::parse).transpose()?,
                zone: match zone {
                    Some(zone) => zone.trim().to_owned(),
                    None => this_computers_zone()?,
                },
                skip: skip
                    .iter()
                    .map(|d| {
                        d.trim()
                            .parse::<Date>()
                            .map_err(|_| format!("not a date (YYYY-MM-DD): {d}"))
                    })
                    .collect::<Result<_, _>>()?,
            };
            if let Err(problem) = schedule.check() {
                return Err(problem_words(problem.0, &schedule.zone));
            }
            if let Some(id) = id {
                if !file.load().0.of(&account).iter().any(|s| &s.id == id) {
                    return Err(format!("{label} has no schedule {id:?}; `compute-desk-cli schedule list` lists them."));
                }
            }
            if schedule.group.is_none() {
                check_machines(settings, &account, &schedule.machines).await?;
            }
            let kept = file
                .change(|all| all.set(&account, schedule.clone(), jiff::Timestamp::now()))
                .map_err(write_failed)?;
            if !kept {
                return Err(format!(
                    "{label} keeps as many schedules as it may; remove one first."
                ));
            }
            if args.json {
                print_json(&schedule);
            } else {
                print_schedules(std::slice::from_ref(&schedule));
                eprintln!("Kept for {label}. Compute Desk runs it while this computer is on and the app is running (in the tray too).");
            }
        }
        ScheduleCommand::Remove { id } => {
            if !file
                .change(|all| all.remove(&account, id))
                .map_err(write_failed)?
            {
                return Err(format!(
                    "{label} has no schedule {id:?}; `compute-desk-cli schedule list` lists them."
                ));
            }
            eprintln!("Removed.");
        }
    }
    Ok(())
}

fn this_computers_zone() -> Result<String, String> {
    jiff::tz::TimeZone::try_system()
        .ok()
        .and_then(|tz| tz.iana_name().map(str::to_owned))
        .ok_or_else(|| {
            "This computer's time zone has no name; say one with --zone (such as Europe/Madrid)."
                .to_owned()
        })
}

fn problem_words(key: &str, zone: &str) -> String {
    match key {
        "schedule.problem.no_machines" => "Say which machines: --machines ID,ID.".into(),
        "schedule.problem.too_many_machines" => {
            "That is more machines than one schedule may turn.".into()
        }
        "schedule.problem.no_days" => "Say on which days: --days weekdays (or mon,tue,…).".into(),
        "schedule.problem.no_time" => "Say when: --on HH:MM, --off HH:MM, or both.".into(),
        "schedule.problem.same_time" => "The on and off times are the same.".into(),
        "schedule.problem.too_many_skipped" => {
            "That is more dates to skip than a schedule keeps.".into()
        }
        "schedule.problem.unknown_zone" => format!(
            "{zone:?} is not a time zone this computer knows (try one such as Europe/Madrid)."
        ),
        other => other.to_owned(),
    }
}

/// Refuses ids the account's server does not list; a server out of reach only warns.
async fn check_machines(settings: &Settings, account: &str, ids: &[String]) -> Result<(), String> {
    let Some(saved) = settings.account(account) else {
        // The demo's machines live in the app alone.
        return Ok(());
    };
    let client = Client::builder(if saved.base.is_empty() {
        PRODUCTION_BASE
    } else {
        &saved.base
    })
    .credentials(account_credentials(saved)?)
    .build()
    .map_err(|e| e.to_string())?
    .waiting_for_budget();
    match client.list_instances().await {
        Ok(machines) => {
            let unknown: Vec<&str> = ids
                .iter()
                .filter(|id| !machines.iter().any(|m| &m.id == *id))
                .map(String::as_str)
                .collect();
            if unknown.is_empty() {
                Ok(())
            } else {
                Err(format!("The account has no machine {}; `compute-desk-cli --account {account} list` lists them.", unknown.join(", ")))
            }
        }
        Err(e) => {
            eprintln!(
                "Could not check the machines ({}); kept as given.",
                e.support_line()
            );
            Ok(())
        }
    }
}

fn print_schedules(schedules: &[Schedule]) {
    let now = Timestamp::now();
    let rows = schedules
        .iter()
        .map(|s| {
            let next = s.check().ok().and_then(|tz| {
                let c = s.next_change(&tz, now)?;
                Some(format!("{} {} {}", c.turn.name(), c.day, c.time))
            });
            vec![
                s.id.clone(),
                format!("{:?}", s.days).replace(['[', ']', '"', ' '], ""),
                s.on.map_or("-".into(), |t| t.to_string()),
                s.off.map_or("-".into(), |t| t.to_string()),
                s.zone.clone(),
                s.machines.join(","),
                if s.skip.is_empty() {
                    "-".into()
                } else {
                    s.skip
                        .iter()
                        .map(Date::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                },
                next.unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    print_table(
        &[
            "ID", "DAYS", "ON", "OFF", "ZONE", "MACHINES", "SKIP", "NEXT",
        ],
        rows,
    );
}
