//! `compute-desk-cli`: the same client as the desktop app, for power users, scripts and
//! support. Credentials come from the environment, or from an account saved by the desktop
//! app (its keyring entry), never from arguments (which other users of the computer can
//! read). Which one is used follows one rule: `--account`, then the environment, then the
//! account the app used last; `--verbose` says which and why, and so does every error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use compute_desk::api::{
    ApiError, Client, Credentials, Instance, InstanceStatus, Limit, PowerAction, PRODUCTION_BASE,
};
use compute_desk::settings::{SavedAccount, Settings, SettingsFile};
use compute_desk::vault::{entry_name, StoredCredentials, Vault};
use serde::Serialize;

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
    let chosen = choose(&args, &settings).and_then(|(c, base, why)| {
        let client = Client::builder(&base)
            .credentials(c)
            .build()
            .map_err(|e| e.to_string())?;
        Ok((client, why))
    });
    let (client, why) = match chosen {
        Ok(chosen) => chosen,
        Err(sentence) => {
            eprintln!("{sentence}");
            return ExitCode::from(2);
        }
    };
    log::info!("using {why}");
    match run(&client, args.command, args.json).await {
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

/// The desktop app's settings folder (Tauri's app config dir: the desktop's config folder
/// and the app's identifier).
fn app_config_dir() -> std::path::PathBuf {
    dirs::config_dir()
        .unwrap_or_default()
        .join("app.computedesk.desktop")
}

/// The credentials and server to use, and why, by the one rule: `--account`, then the
/// environment, then the account the desktop app used last.
fn choose(args: &Args, settings: &Settings) -> Result<(Credentials, String, String), String> {
    let from_env = credentials_from_env();
    let base = || {
        args.api_base
            .clone()
            .unwrap_or_else(|| PRODUCTION_BASE.to_owned())
    };
    if let Some(wanted) = &args.account {
        let account =
            find_account(settings, wanted)?.ok_or_else(|| {
                format!(
                "No account {wanted:?} is kept here. `compute-desk-cli accounts` lists them: {}.",
                settings.accounts.iter().map(label).collect::<Vec<_>>().join(", ")
            )
            })?;
        let credentials = account_credentials(account)?;
        return Ok((
            credentials,
            account.base.clone(),
            format!("the account {} (--account)", label(account)),
        ));
    }
    match from_env {
        Ok(credentials) => Ok((credentials, base(), "the credentials in the environment".into())),
        Err(EnvProblem::Missing) => match settings.active_account() {
            Some(account) => Ok((
                account_credentials(account)?,
                account.base.clone(),
                format!("the account {} (used last in Compute Desk)", label(account)),
            )),
            None => Err("Not signed in: set THREATWINDS_API_KEY and THREATWINDS_API_SECRET, or THREATWINDS_BEARER, or sign in with Compute Desk.".into()),
        },
        Err(EnvProblem::Wrong(sentence)) => Err(sentence),
    }
}

/// The saved account `wanted` names: its number in `accounts`, the name the person gave
/// it in the app, who it is, or its id (in that order: a name is the person's own word).
/// A name or a who that fits several is refused, naming them all: picking one silently
/// could act on the wrong account.
fn find_account<'a>(
    settings: &'a Settings,
    wanted: &str,
) -> Result<Option<&'a SavedAccount>, String> {
    let wanted = wanted.trim();
    if let Ok(n) = wanted.parse::<usize>() {
        return Ok(n.checked_sub(1).and_then(|i| settings.accounts.get(i)));
    }
    let is = |word: &str| !word.is_empty() && word.eq_ignore_ascii_case(wanted);
    let ways: [&dyn Fn(&SavedAccount) -> bool; 3] =
        [&|a| is(&a.name), &|a| is(&a.who), &|a| a.id == wanted];
    for fits in ways {
        let found: Vec<(usize, &SavedAccount)> = settings
            .accounts
            .iter()
            .enumerate()
            .filter(|(_, a)| fits(a))
            .collect();
        match found.as_slice() {
            [] => continue,
            [(_, one)] => return Ok(Some(one)),
            several => {
                let listed: Vec<String> = several
                    .iter()
                    .map(|(i, a)| format!("{} {}", i + 1, label(a)))
                    .collect();
                return Err(format!(
                    "{} accounts are called {wanted:?}: {}. Name one by its number.",
                    several.len(),
                    listed.join(", ")
                ));
            }
        }
    }
    Ok(None)
}

/// How an account is named in a sentence: its name, who, on which server.
fn label(a: &SavedAccount) -> String {
    let who = if a.who.is_empty() {
        "(no name)"
    } else {
        a.who.as_str()
    };
    if a.name.is_empty() {
        format!("{who} on {}", a.base)
    } else {
        format!("{} ({who} on {})", a.name, a.base)
    }
}

/// The secret the desktop app keeps for `account`, from the keyring.
fn account_credentials(account: &SavedAccount) -> Result<Credentials, String> {
    let entry = entry_name(&account.base, &account.identity);
    match Vault::default().load(&entry) {
        Ok(Some(StoredCredentials::KeyPair { key, secret })) => {
            Ok(Credentials::key_pair(key, secret.expose()))
        }
        Ok(Some(StoredCredentials::Session { bearer, .. })) => {
            Ok(Credentials::bearer(bearer.expose()))
        }
        Ok(None) => Err(format!(
            "The account {} is signed out: sign in to it again in Compute Desk.",
            label(account)
        )),
        Err(e) => Err(e.to_string()),
    }
}

fn print_accounts(settings: &Settings, json: bool) {
    if json {
        print_json(&settings.accounts);
        return;
    }
    if settings.accounts.is_empty() {
        eprintln!("Compute Desk keeps no accounts on this computer yet.");
        return;
    }
    let rows = settings
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let last = settings.active.as_deref() == Some(a.id.as_str());
            vec![
                format!("{}{}", i + 1, if last { "*" } else { "" }),
                if a.name.is_empty() {
                    "-".into()
                } else {
                    a.name.clone()
                },
                if a.who.is_empty() {
                    "(no name)".into()
                } else {
                    a.who.clone()
                },
                a.base.clone(),
                a.method.replace('_', " "),
                a.id.clone(),
            ]
        })
        .collect();
    print_table(&["#", "NAME", "WHO", "SERVER", "METHOD", "ID"], rows);
    eprintln!("* used last. Use one with --account NUMBER (or its name, who it is, or its id).");
}

/// Why the environment's credentials cannot be used.
enum EnvProblem {
    /// None are set.
    Missing,
    /// Set wrongly, in these words.
    Wrong(String),
}

fn credentials_from_env() -> Result<Credentials, EnvProblem> {
    let var = |name| {
        std::env::var(name)
            .ok()
            .filter(|v: &String| !v.trim().is_empty())
    };
    let key = var("THREATWINDS_API_KEY");
    let secret = var("THREATWINDS_API_SECRET");
    let bearer = var("THREATWINDS_BEARER");
    let wrong = |sentence: &str| Err(EnvProblem::Wrong(sentence.to_owned()));
    match (key, secret, bearer) {
        (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => wrong(
            "Set either THREATWINDS_API_KEY and THREATWINDS_API_SECRET, or THREATWINDS_BEARER, not both.",
        ),
        (Some(key), Some(secret), None) => Ok(Credentials::key_pair(key, secret)),
        (None, None, Some(token)) => Ok(Credentials::bearer(token)),
        (Some(_), None, None) => {
            wrong("THREATWINDS_API_SECRET is not set; it goes with THREATWINDS_API_KEY.")
        }
        (None, Some(_), None) => {
            wrong("THREATWINDS_API_KEY is not set; it goes with THREATWINDS_API_SECRET.")
        }
        (None, None, None) => Err(EnvProblem::Missing),
    }
}

async fn run(client: &Client, command: Command, json: bool) -> Result<(), ApiError> {
    match command {
        Command::List => {
            let machines = client.list_instances().await?;
            if json {
                print_json(&machines);
            } else if machines.is_empty() {
                println!("No machines yet. Create one with: compute-desk-cli create --template T --config C");
            } else {
                print_machines(&machines);
            }
        }
        Command::Get { id } => {
            let machine = client.get_instance(&id).await?;
            if json {
                print_json(&machine);
            } else {
                print_machine(&machine);
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
                print_machine(&machine);
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
        Command::Accounts => {}
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

fn accepted(id: &str, action: &str, json: bool, what: &str) {
    if json {
        print_json(&serde_json::json!({ "id": id, "action": action, "accepted": true }));
    } else {
        println!("{id} {what}; `compute-desk-cli get {id}` shows its state.");
    }
}

fn print_json(value: &impl Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("API objects always serialize")
    );
}

fn or_dash(v: Option<&str>) -> String {
    v.unwrap_or("-").to_owned()
}

fn created(m: &Instance) -> String {
    // "2025-06-01T12:00:00Z" reads as "2025-06-01 12:00" in a table.
    match m.created_at.as_deref() {
        Some(t) if t.len() >= 16 && t.as_bytes()[10] == b'T' => {
            format!("{} {}", &t[..10], &t[11..16])
        }
        other => or_dash(other),
    }
}

fn print_machines(machines: &[Instance]) {
    let rows = machines
        .iter()
        .map(|m| {
            vec![
                m.id.clone(),
                m.display_name().to_owned(),
                m.status.label().into_owned(),
                or_dash(m.zone.as_deref()),
                or_dash(m.machine_type_short()),
                or_dash(m.external_ip.as_deref()),
                or_dash(m.internal_ip.as_deref()),
                or_dash(m.template_id.as_deref()),
                created(m),
            ]
        })
        .collect();
    print_table(
        &[
            "ID",
            "NAME",
            "STATE",
            "ZONE",
            "TYPE",
            "EXTERNAL IP",
            "INTERNAL IP",
            "TEMPLATE",
            "CREATED",
        ],
        rows,
    );
}

fn print_machine(m: &Instance) {
    let fields = [
        ("ID", m.id.clone()),
        ("Name", m.display_name().to_owned()),
        ("State", m.status.label().into_owned()),
        ("Zone", or_dash(m.zone.as_deref())),
        ("Machine type", or_dash(m.machine_type.as_deref())),
        ("External IP", or_dash(m.external_ip.as_deref())),
        ("Internal IP", or_dash(m.internal_ip.as_deref())),
        ("Template", or_dash(m.template_id.as_deref())),
        ("Created", or_dash(m.created_at.as_deref())),
        ("Owner", or_dash(m.user_id.as_deref())),
    ];
    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in fields {
        println!("{k:<width$}  {v}");
    }
}

fn print_table(headers: &[&str], rows: Vec<Vec<String>>) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let text: Vec<String> = cells
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", text.join("  ").trim_end());
    };
    line(&mut headers.iter().copied());
    for row in &rows {
        line(&mut row.iter().map(String::as_str));
    }
}
