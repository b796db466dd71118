//! Which credentials the command line uses, by its one rule (`--account`, then the
//! environment, then the account the desktop app used last), and the `accounts` listing.

use compute_desk::api::{Credentials, PRODUCTION_BASE};
use compute_desk::settings::{SavedAccount, Settings};
use compute_desk::vault::{entry_name, StoredCredentials, Vault};

use crate::print::{print_json, print_table};
use crate::Args;

/// The desktop app's settings folder (Tauri's app config dir: the desktop's config folder
/// and the app's identifier).
pub fn app_config_dir() -> std::path::PathBuf {
    dirs::config_dir()
        .unwrap_or_default()
        .join("app.computedesk.desktop")
}

/// The credentials and server to use, and why, by the one rule: `--account`, then the
/// environment, then the account the desktop app used last; with the saved account they
/// are (whose machine names the app keeps), if one is.
pub fn choose(
    args: &Args,
    settings: &Settings,
) -> Result<(Credentials, String, String, Option<String>), String> {
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
            Some(account.id.clone()),
        ));
    }
    match from_env {
        Ok(credentials) => Ok((
            credentials,
            base(),
            "the credentials in the environment".into(),
            None,
        )),
        Err(EnvProblem::Missing) => match settings.active_account() {
            Some(account) => Ok((
                account_credentials(account)?,
                account.base.clone(),
                format!("the account {} (used last in Compute Desk)", label(account)),
                Some(account.id.clone()),
            )),
            None => Err("Not signed in: set THREATWINDS_API_KEY and THREATWINDS_API_SECRET, or THREATWINDS_BEARER, or sign in with Compute Desk.".into()),
        },
        Err(EnvProblem::Wrong(sentence)) => Err(sentence),
    }
}

/// The account whose schedules the command line reads and writes, by id, and how it is
/// named: `--account` (or `demo`, the demo's), else the one the app used last.
pub fn schedule_account(args: &Args, settings: &Settings) -> Result<(String, String), String> {
    match args.account.as_deref().map(str::trim) {
        Some("demo") => Ok(("demo".into(), "the demo".into())),
        Some(wanted) => match find_account(settings, wanted)? {
            Some(a) => Ok((a.id.clone(), format!("the account {}", label(a)))),
            None => Err(format!("No account {wanted:?} is kept here; `compute-desk-cli accounts` lists them.")),
        },
        None => match settings.active_account() {
            Some(a) => Ok((a.id.clone(), format!("the account {}", label(a)))),
            None if settings.demo => Ok(("demo".into(), "the demo".into())),
            None => Err("Schedules belong to an account Compute Desk keeps: sign in with the app, or name one with --account.".into()),
        },
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
pub fn account_credentials(account: &SavedAccount) -> Result<Credentials, String> {
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

pub fn print_accounts(settings: &Settings, json: bool) {
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
