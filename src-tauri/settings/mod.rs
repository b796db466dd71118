//! Non-secret preferences (server address, the saved accounts, recent network
//! configurations, table sorting), kept as JSON in the app's config directory.
//!
//! Saving writes a temporary file next to the real one, flushes it to disk and renames it
//! over the old file, so a crash or a full disk never leaves a half-written file. A file that
//! cannot be read is moved aside, never overwritten, so nothing the user set is lost.

mod file;
mod names;
mod names_exchange;
mod schedules;

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::text::Text;
use file::JsonFile;
pub use names::{same_group, Label, LabelChange, NameBook, NameProblem, Names, NamesFile};
pub use names_exchange::{
    read_exchange, Conflict, Exchange, ImportChoice, ImportPlan, Shared, EXCHANGE_FORMAT,
    EXCHANGE_VERSION,
};
pub use schedules::{Book, Schedules, SchedulesFile};

/// How many network configurations the Create dialog remembers.
const RECENT_CONFIGS: usize = 5;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// The API base address; `None` means ThreatWinds production.
    pub server: Option<String>,
    /// The email last used to sign in, offered again on the sign-in screen.
    pub last_email: Option<String>,
    /// Whether the last sign-in was the demo, so the next launch reopens it.
    pub demo: bool,
    /// Network configurations used for Create, most recent first.
    pub recent_configs: Vec<String>,
    pub sort: Option<SortPreference>,
    /// The language chosen in the app ("en", "es"); `None` follows the desktop's.
    pub language: Option<String>,
    /// The accounts signed in on this computer (their secrets are in the keyring).
    pub accounts: Vec<SavedAccount>,
    /// The account used last ([`SavedAccount::id`]), which the app reopens on.
    pub active: Option<String>,
    /// The version of the app that last started with these settings: a newer one shows
    /// what is new in it, once (`whats_new.rs`).
    pub seen_version: Option<String>,
    /// What closing the window does: stay in the tray (true) or quit; `None` until the
    /// person chose, the first time they closed it.
    pub close_to_tray: Option<bool>,
    /// "Start at login" was offered (with the first schedule): not asked again.
    pub start_at_login_offered: bool,
}

/// A saved account: a sign-in (an email session or an API key) on a server, as the person
/// knows it. No secret: that is in the keyring, in the entry its server and identity name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedAccount {
    /// Stays the same for the same account: a fingerprint of its server and identity.
    pub id: String,
    /// The server's address as typed; empty for ThreatWinds production.
    #[serde(default)]
    pub server: String,
    /// The address the client uses, which names the keyring entry with the identity.
    pub base: String,
    /// Who it is on that server (`user:<id>`, `key:<fingerprint>`); never a secret.
    pub identity: String,
    /// Whom the server said was signed in, as last seen; empty when it gave no name.
    #[serde(default)]
    pub who: String,
    /// How it signs in: `email` or `api_key`.
    #[serde(default)]
    pub method: String,
    /// The email its code was sent to (signed in by email); empty for a key pair. Not a
    /// secret: the sign-in screen offers it again when this account asks.
    #[serde(default)]
    pub email: String,
    /// The name the person gave it ("Production"); empty: whom the server names, and the
    /// server.
    #[serde(default)]
    pub name: String,
    /// Its colour, one of [`ACCOUNT_COLOURS`]: the first one no other account had when it
    /// was added, until the person picks another.
    #[serde(default)]
    pub colour: String,
    /// The server refused its saved sign-in (a key revoked, a session ended) when it was
    /// last opened: the menu says so, with "Sign in again".
    #[serde(default)]
    pub refused: bool,
}

/// The colours an account may have: the page draws each (`ui/style.css`, `--account-*`)
/// and names it (`accounts.colour.*`).
pub const ACCOUNT_COLOURS: [&str; 6] = ["blue", "green", "orange", "purple", "red", "teal"];

/// The first colour not among the colours `taken` (one per account); when all are
/// taken, they go round again.
pub fn free_colour<'a>(taken: impl Iterator<Item = &'a str> + Clone) -> &'static str {
    ACCOUNT_COLOURS
        .iter()
        .find(|c| !taken.clone().any(|t| t == **c))
        .copied()
        .unwrap_or(ACCOUNT_COLOURS[taken.count() % ACCOUNT_COLOURS.len()])
}

/// The longest name an account may be given, in characters.
pub const ACCOUNT_NAME_MAX: usize = 40;

impl Settings {
    /// Adds `account`, or updates the saved one with its id (the same sign-in again: the
    /// name and colour the person gave it, and its server, stay); true when it was new. A
    /// new one is given the first colour no other account has.
    pub fn save_account(&mut self, mut account: SavedAccount) -> bool {
        match self.accounts.iter_mut().find(|a| a.id == account.id) {
            Some(known) => {
                account.name = std::mem::take(&mut known.name);
                account.colour = std::mem::take(&mut known.colour);
                // Its server was written when it was first signed in, and stays: it is
                // where its keyring entry's credentials go.
                account.server = std::mem::take(&mut known.server);
                // A saved sign-in confirmed again does not know the email it began with.
                if account.email.is_empty() {
                    account.email = std::mem::take(&mut known.email);
                }
                *known = account;
                false
            }
            None => {
                if !ACCOUNT_COLOURS.contains(&account.colour.as_str()) {
                    let taken = self.accounts.iter().map(|a| a.colour.as_str());
                    account.colour = free_colour(taken).to_owned();
                }
                self.accounts.push(account);
                true
            }
        }
    }

    /// The saved account `id`, to change.
    pub fn account_mut(&mut self, id: &str) -> Option<&mut SavedAccount> {
        self.accounts.iter_mut().find(|a| a.id == id)
    }

    /// The saved account `id`.
    pub fn account(&self, id: &str) -> Option<&SavedAccount> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// The account the app reopens on.
    pub fn active_account(&self) -> Option<&SavedAccount> {
        self.account(self.active.as_deref()?)
    }

    /// Forgets the account `id` (and that it was the last used).
    pub fn remove_account(&mut self, id: &str) {
        self.accounts.retain(|a| a.id != id);
        if self.active.as_deref() == Some(id) {
            self.active = None;
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SortPreference {
    pub column: String,
    pub descending: bool,
}

impl Settings {
    /// Puts `config` first in the recent list, once.
    pub fn remember_config(&mut self, config: &str) {
        let config = config.trim();
        if config.is_empty() {
            return;
        }
        self.recent_configs.retain(|c| c != config);
        self.recent_configs.insert(0, config.to_owned());
        self.recent_configs.truncate(RECENT_CONFIGS);
    }
}

/// Where the settings live, and what happened when they were read.
#[derive(Debug)]
pub struct SettingsFile {
    file: JsonFile,
}

/// The result of reading the file: the settings, and a sentence for the user when the
/// file was damaged and had to be set aside.
#[derive(Debug)]
pub struct Loaded {
    pub settings: Settings,
    /// In the catalogs' words (`settings.<key>`).
    pub warning: Option<Text>,
}

impl SettingsFile {
    pub fn in_dir(dir: &Path) -> Self {
        SettingsFile {
            file: JsonFile::new(dir.join("settings.json"), "settings"),
        }
    }

    /// Whether the file is there: a first start has none.
    pub fn exists(&self) -> bool {
        self.file.path().exists()
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Reads the settings. A missing file gives the defaults; a damaged one is renamed to
    /// `settings.json.damaged` (kept for support) and the defaults are used.
    pub fn load(&self) -> Loaded {
        let (settings, warning) = self.file.load();
        Loaded { settings, warning }
    }

    /// Writes the settings atomically: temporary file, flush to disk, rename.
    pub fn save(&self, settings: &Settings) -> io::Result<()> {
        self.file.save(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn missing_file_gives_defaults_without_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = SettingsFile::in_dir(dir.path()).load();
        assert_eq!(loaded.settings, Settings::default());
        assert!(loaded.warning.is_none());
    }

    #[test]
    fn saved_settings_are_read_back_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(&dir.path().join("nested"));
        let mut s = Settings {
            server: Some("http://127.0.0.1:9".into()),
            last_email: Some("ana@example.com".into()),
            ..Settings::default()
        };
        s.remember_config("default-network");
        file.save(&s).unwrap();
        assert_eq!(file.load().settings, s);
        let names: Vec<_> = fs::read_dir(dir.path().join("nested"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["settings.json"]);
    }

    #[test]
    fn a_damaged_file_is_kept_aside_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        fs::write(file.path(), b"{\"server\": \"https://x.example\", oops").unwrap();
        let loaded = file.load();
        assert_eq!(loaded.settings, Settings::default());
        assert_eq!(loaded.warning.unwrap().key, "settings.damaged");
        let kept = fs::read(dir.path().join("settings.json.damaged")).unwrap();
        assert!(kept.ends_with(b"oops"));
    }

    #[test]
    fn unknown_fields_and_missing_fields_are_tolerated() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        fs::write(file.path(), br#"{"demo": true, "fromTheFuture": 1}"#).unwrap();
        let loaded = file.load();
        assert!(loaded.settings.demo);
        assert!(loaded.warning.is_none());
    }

    #[test]
    fn an_account_saved_twice_is_one_and_removing_it_forgets_it_was_active() {
        let account = |id: &str, who: &str| SavedAccount {
            id: id.into(),
            server: String::new(),
            base: "https://apis.example/".into(),
            identity: format!("user:{id}"),
            who: who.into(),
            method: "email".into(),
            email: String::new(),
            name: String::new(),
            colour: String::new(),
            refused: false,
        };
        let mut s = Settings::default();
        assert!(s.save_account(account("a", "Ana")));
        assert!(s.save_account(account("b", "Bo")));
        assert_eq!(
            (s.accounts[0].colour.as_str(), s.accounts[1].colour.as_str()),
            (ACCOUNT_COLOURS[0], ACCOUNT_COLOURS[1]),
            "each new account a colour no other has"
        );
        let a = s.account_mut("a").unwrap();
        a.name = "Production".into();
        a.colour = "red".into();
        a.refused = true;
        assert!(
            !s.save_account(account("a", "Ana López")),
            "the same sign-in again"
        );
        assert_eq!(s.accounts.len(), 2);
        let a = s.account("a").unwrap();
        assert_eq!(
            (
                a.who.as_str(),
                a.name.as_str(),
                a.colour.as_str(),
                a.refused
            ),
            ("Ana López", "Production", "red", false),
            "signed in again: the person's name and colour stay, the refusal goes"
        );
        // A colour freed is given again; once all are taken, they go round.
        s.save_account(account("c", "C"));
        assert_eq!(s.account("c").unwrap().colour, "blue", "a's blue is free");
        s.remove_account("b");
        s.save_account(account("d", "D"));
        assert_eq!(
            s.account("d").unwrap().colour,
            "green",
            "b's green is free again"
        );
        for i in 0..ACCOUNT_COLOURS.len() {
            s.save_account(account(&format!("n{i}"), "N"));
        }
        assert!(s
            .accounts
            .iter()
            .all(|a| ACCOUNT_COLOURS.contains(&a.colour.as_str())));
        for id in ["c", "d", "n0", "n1", "n2", "n3", "n4", "n5"] {
            s.remove_account(id);
        }
        s.save_account(account("b", "Bo"));
        s.active = Some("a".into());
        assert_eq!(s.active_account().unwrap().id, "a");
        s.remove_account("a");
        assert_eq!((s.accounts.len(), s.active.as_deref()), (1, None));
        // Written and read back, with older files that have no accounts at all.
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        file.save(&s).unwrap();
        assert_eq!(file.load().settings, s);
        fs::write(file.path(), br#"{"server": "https://x.example"}"#).unwrap();
        assert!(file.load().settings.accounts.is_empty());
    }

    #[test]
    fn recent_configs_are_most_recent_first_without_repeats() {
        let mut s = Settings::default();
        for c in ["a", "b", "a", " ", "c", "d", "e", "f"] {
            s.remember_config(c);
        }
        assert_eq!(s.recent_configs, ["f", "e", "d", "c", "a"]);
    }
}
