//! `compute-desk-cli`: the same client as the desktop app, for power users, scripts and
//! support. Credentials come from the environment, or from an account saved by the desktop
//! app (its keyring entry), never from arguments (which other users of the computer can
//! read). Which one is used follows one rule: `--account`, then the environment, then the
//! account the app used last; `--verbose` says which and why, and so does every error.

mod accounts;
mod names;
mod print;
mod schedules;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use compute_desk::api::{ApiError, Client, Credentials, InstanceStatus, Limit, PowerAction};
use compute_desk::settings::{NameBook, NamesFile, SettingsFile};

use accounts::{app_config_dir, choose, print_accounts};
use print::{accepted, print_json, print_machine, print_machines, print_table};

#[derive(Parser, Debug)]
#[command(
    name = "compute-desk-cli",
    version,
    about = "Run your ThreatWinds Compute machines from a terminal",
    after_help = "Credentials, first found: --account (an account the desktop app keeps; see \
                  `accounts`), the environment (THREATWINDS_API_KEY and THREATWINDS_API_SECRET, \
                  or THREATWINDS_BEARER, a verified session token), then the account the \
                  desktop app used last."
)]
struct Args {
    /// The ThreatWinds server; https:// unless it is this computer. An account brings its
    /// own.
    #[arg(long, env = "THREATWINDS_API_BASE")]
    api_base: Option<String>,
    /// An account the desktop app keeps: its number in `accounts`, its name, who it is, or
    /// its id.
    #[arg(long, global = true)]
    account: Option<String>,
    /// Print the API's objects as JSON instead of a table.
    #[arg(long, global = true)]
    json: bool,
    /// Log each request on stderr.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List every machine.
    List,
    /// Show one machine.
    Get { id: String },
    /// Create a machine from a template and a network configuration.
    Create {
        #[arg(long)]
        template: String,
        #[arg(long)]
        config: String,
        /// Where it runs, on servers that list zones per template (`zones TEMPLATE`).
        #[arg(long)]
        zone: Option<String>,
    },
    /// Delete a machine (it cannot be undone).
    Delete { id: String },
    /// Start a stopped machine.
    Start { id: String },
    /// Shut a machine down gracefully.
    Stop { id: String },
    /// Restart a machine.
    Restart { id: String },
    /// Hard-reset a machine, like pressing its reset button; unsaved work is lost.
    Reset { id: String },
    /// List the templates machines can be created from.
    Templates,
    /// List the zones a template's machines can run in (servers that list them).
    Zones { template: String },
    /// Show the plan's machine limit and how much of it is used.
    Quota,
    /// Show whose credentials these are.
    Whoami,
    /// List the accounts the desktop app keeps on this computer (never a secret).
    Accounts,
    /// The office hours the desktop app runs for an account: list, set, remove.
    Schedule {
        #[command(subcommand)]
        what: schedules::ScheduleCommand,
    },
    /// What the desktop app calls an account's machines: list, set, export, import.
    Names {
        #[command(subcommand)]
        what: names::NamesCommand,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    compute_desk::stderr_log::init(if args.verbose {
        log::LevelFilter::Debug
    } else {
        log::LevelFilter::Warn
    });
    let settings = SettingsFile::in_dir(&app_config_dir()).load().settings;
    if let Command::Accounts = args.command {
        print_accounts(&settings, args.json);
        return ExitCode::SUCCESS;
    }
    if let Command::Schedule { what } = &args.command {
        return match schedules::run(&args, &settings, what).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(sentence) => {
                eprintln!("{sentence}");
                ExitCode::from(2)
            }
        };
    }
    if let Command::Names { what } = &args.command {
        return match names::run(&args, &settings, what) {
            Ok(()) => ExitCode::SUCCESS,
            Err(sentence) => {
                eprintln!("{sentence}");
                ExitCode::from(2)
            }
        };
    }
    let chosen = choose(&args, &settings).and_then(|(c, base, why, account)| {
        // The command line waits for room in the account's limits (logged) rather than
        // running into them.
        let client = Client::builder(&base)
            .credentials(c)
            .build()
            .map_err(|e| e.to_string())?
            .waiting_for_budget();
        Ok((client, why, account))
    });
    let (client, why, account) = match chosen {
        Ok(chosen) => chosen,
        Err(sentence) => {
            eprintln!("{sentence}");
            return ExitCode::from(2);
        }
    };
    log::info!("using {why}");
    // What people call the machines, where the credentials are a saved account's.
    let given = account
        .and_then(|a| {
            NamesFile::in_dir(&app_config_dir())
                .load()
                .0
                .accounts
                .remove(&a)
        })
        .unwrap_or_default();
    match run(&client, args.command, args.json, &given).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{} (Using {why}.)", e.support_line());
            if let Some(detail) = e.detail().filter(|_| args.verbose) {
                eprintln!("detail: {detail}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(
    client: &Client,
    command: Command,
    json: bool,
    given: &NameBook,
) -> Result<(), ApiError> {
    match command {
        Command::List => {
            let machines = client.list_instances().await?;
            if json {
                print_json(&machines);
            } else if machines.is_empty() {
                println!("No machines yet. Create one with: compute-desk-cli create --template T --config C");
            } else {
                print_machines(&machines, given);
            }
        }
        Command::Get { id } => {
            let machine = client.get_instance(&id).await?;
            if json {
                print_json(&machine);
            } else {
                print_machine(&machine, given);
            }
        }
        Command::Create {
            template,
            config,
            zone,
        } => {
            let machine = client
                .create_instance(&template, &config, zone.as_deref())
                .await?;
            if json {
                print_json(&machine);
            } else {
                print_machine(&machine, given);
                eprintln!(
                    "The machine is being prepared; `compute-desk-cli get {}` shows when it is running.",
                    machine.id
                );
            }
        }
        Command::Delete { id } => {
            client.delete_instance(&id).await?;
            accepted(&id, "delete", json, "is being deleted");
        }
        Command::Start { id } => power(client, &id, PowerAction::Start, json).await?,
        Command::Stop { id } => power(client, &id, PowerAction::Stop, json).await?,
        Command::Restart { id } => power(client, &id, PowerAction::Restart, json).await?,
        Command::Reset { id } => power(client, &id, PowerAction::Reset, json).await?,
        Command::Templates => match client.templates().await? {
            Some(templates) if json => print_json(&templates),
            Some(templates) => {
                let rows = templates
                    .iter()
                    .map(|t| {
                        vec![
                            t.id.clone(),
                            t.name.clone().unwrap_or_default(),
                            t.machine_type.clone().unwrap_or_default(),
                            t.disk_size_gb
                                .map(|g| format!("{g} GB"))
                                .unwrap_or_default(),
                            t.image.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                print_table(&["ID", "NAME", "MACHINE TYPE", "DISK", "IMAGE"], rows);
            }
            None if json => println!("null"),
            None => eprintln!(
                "This server does not list templates; ask your administrator for a template id."
            ),
        },
        Command::Zones { template } => match client.template_zones(&template).await? {
            Some(zones) if json => print_json(&zones),
            Some(zones) => zones.iter().for_each(|z| println!("{z}")),
            None if json => println!("null"),
            None => eprintln!(
                "This server does not list zones; the network configuration (--config) decides where a machine runs."
            ),
        },
        Command::Quota => {
            let (quotas, machines) = tokio::join!(client.quotas(), client.list_instances());
            let quotas = quotas?;
            if json {
                print_json(&quotas);
                return Ok(());
            }
            let used = machines?
                .iter()
                .filter(|m| m.status != InstanceStatus::Deleting)
                .count();
            let plan = quotas.tier_name.as_deref().unwrap_or("Your plan");
            match quotas.max_instances() {
                Some(Limit::AtMost(max)) => println!("{plan}: {used} of {max} machines used."),
                Some(Limit::Unlimited) => println!("{plan}: {used} machines, no limit."),
                Some(Limit::Disabled) => println!("{plan}: machines are not part of this plan."),
                None => println!("{plan}: {used} machines; the plan reports no machine limit."),
            }
        }
        // Answered in `main`, before any client is made.
        Command::Accounts | Command::Schedule { .. } | Command::Names { .. } => {}
        Command::Whoami => match client.credentials() {
            Credentials::Bearer(_) => {
                let s = client.session().await?;
                if json {
                    print_json(&s);
                } else {
                    let who = s
                        .full_name
                        .or(s.alias)
                        .unwrap_or_else(|| "an unnamed user".into());
                    let until = s.expire_at.map(|t| format!(", until {}", t.to_rfc3339()));
                    println!("Signed in by email as {who}{}.", until.unwrap_or_default());
                }
            }
            _ => {
                let k = client.check_key_pair().await?;
                if json {
                    print_json(&k);
                } else {
                    let key = k.key_name.unwrap_or_else(|| "unnamed".into());
                    let who = match (k.user_alias, k.user_name) {
                        (Some(alias), Some(name)) => format!("{alias} ({name})"),
                        (a, n) => a.or(n).unwrap_or_else(|| "an unnamed user".into()),
                    };
                    let until = k
                        .expire_at
                        .map(|t| format!(", valid until {}", t.to_rfc3339()));
                    println!(
                        "API key \u{201c}{key}\u{201d} of {who}{}.",
                        until.unwrap_or_default()
                    );
                }
            }
        },
    }
    Ok(())
}

async fn power(client: &Client, id: &str, action: PowerAction, json: bool) -> Result<(), ApiError> {
    client.power(id, action).await?;
    let what = match action {
        PowerAction::Start => "is starting",
        PowerAction::Stop => "is shutting down",
        PowerAction::Restart => "is restarting",
        PowerAction::Reset => "is being reset",
    };
    accepted(id, action.path_segment(), json, what);
    Ok(())
}
