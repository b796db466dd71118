//! The desktop app without any window: its state, and the things a person can do, one
//! room each: signing in and out (`sign_in`), keeping the account good while the app runs
//! (`keep`), acting on machines (`actions`), creating them (`create`). `Desk` itself holds
//! the state and the pieces the rooms share.
//!
//! The Tauri commands are one-line adapters over this; tests drive it directly against
//! the simulator and a real keyring.

mod accounts;
mod actions;
mod changes;
mod connect;
mod create;
mod keep;
mod names;
mod open;
mod owner;
mod record;
mod recording;
mod runs;
mod said;
mod schedules;
mod sharing;
mod sign_in;
mod staying;
mod view;
mod watching;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::{Mutex, Notify};

pub use accounts::{AccountItem, DEMO_ACCOUNT};
pub use actions::{ActionResult, Planned, Run};
pub use connect::{ConnectView, WayView};
pub use create::{CreateOptions, QuotaView};
pub use keep::AccountNews;
pub use record::HistoryView;
pub use recording::Recording;
pub use schedules::{ScheduleInput, ScheduleNews, ScheduleView, SchedulesView, WallClock};
pub use sharing::{ConflictView, ImportView};
use view::view_of;
pub use view::AppView;
pub use watching::WatchNews;

use crate::api::{Client, ErrorKind, PRODUCTION_BASE};
use crate::failure::Failure;
use crate::i18n::Lang;
use crate::session::{Account, EmailSignIn, SavedCheck};
use crate::settings::{Settings, SettingsFile, SortPreference};
use crate::sim::SimServer;
use crate::text::Text;
use crate::vault::{Vault, VaultError};
use crate::watch::{Policy, Remembered, Watcher};
use crate::whats_new::{self, WhatsNew};

/// Startup options for the desktop app.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Start in the demo at once (`--demo`).
    pub demo: bool,
    /// Machines the demo starts with; `None` for the usual handful.
    pub demo_machines: Option<usize>,
    /// The demo's simulator behaves as the real service does where our simulator used to
    /// be kinder: a 202 changes the record only after a delay, and Google Compute's
    /// states appear (`--demo-as-service`).
    pub demo_as_service: bool,
    /// How long a shutdown may run before Force reset is offered; `None` for the
    /// policy's default.
    pub shutdown_patience: Option<Duration>,
    /// A simulator whose wall clock office hours follow (`--clock-from`, test builds
    /// only): a test moves it forward to run a day in seconds.
    pub clock_from: Option<String>,
    /// Started at login (`--in-tray`): in the tray, with no window, where there is one.
    pub in_tray: bool,
}

pub struct Desk {
    vault: Vault,
    settings_file: SettingsFile,
    watcher: Watcher,
    options: Options,
    state: Mutex<State>,
    /// The silent sign-in at launch, run once whoever asks first (the app or the page).
    started: tokio::sync::OnceCell<()>,
    /// Rung on every sign-in and sign-out, so session renewal plans again.
    account_changed: Notify,
    /// The sign-in in force, numbered, and the gate its actions' requests pass.
    owner: owner::OwnerGate,
    /// Account changes, one at a time (`changes.rs`).
    changes: changes::Changes,
    /// The actions under way, one run per click.
    runs: runs::Runs,
    policy: Policy,
    /// The signed-in account's history of what was done (`record.rs`).
    history: record::Shared,
    history_dir: PathBuf,
    /// The language chosen, or the desktop's (read by notifications without waiting).
    language: std::sync::Mutex<Lang>,
    /// Each account's list as last read, by account id, kept in memory while another is
    /// on screen: shown at once (marked as not read) when the person switches back.
    recent: std::sync::Mutex<HashMap<String, Remembered>>,
    /// Each saved account's request budget, by account id, for as long as the app runs:
    /// the service counts an account's requests whichever account is on screen, so a
    /// switch away and back finds what was sent in the last minute still counted.
    budgets: std::sync::Mutex<HashMap<String, crate::api::SharedBudget>>,
    /// Office hours: each account's schedules, and the clock they follow.
    schedules: schedules::Keeper,
    /// The watchful eye: machines that stop with nobody here asking.
    watching: watching::Keeper,
    /// What people call the machines, per account (`names.json`).
    names: std::sync::Arc<crate::settings::NamesFile>,
    /// Where Connect writes a machine's `.rdp` file.
    connect_dir: PathBuf,
}

/// How many accounts' last lists are kept in memory at most.
const REMEMBERED_LISTS: usize = 9;

#[derive(Default)]
struct State {
    settings: Settings,
    settings_warning: Option<Text>,
    /// The open history's, while its account is signed in.
    history_warning: Option<Text>,
    account: Option<Account>,
    /// An email sign-in waiting for its code, with the server address typed for it.
    email: Option<(EmailSignIn, String)>,
    demo: Option<SimServer>,
    keyring_problem: Option<Text>,
    sign_in_reason: Option<Text>,
    /// One pooled client per server address, reused across sign-ins.
    base: Option<(String, Client)>,
    /// For an unconfirmed saved sign-in: when to ask the server again, and how many
    /// times it could not be reached.
    confirm: Option<SavedCheck>,
    /// Said once with the next view ([`AppView::notice`]).
    notice: Option<Text>,
    /// Accounts held for this run only: the keyring could not keep them.
    held: Vec<accounts::Held>,
    /// Saved accounts whose keyring entry is gone (found at launch, or when opened): the
    /// menu shows them signed out.
    signed_out: std::collections::HashSet<String>,
    /// What is new in this version (found at launch: a first start, with no settings,
    /// has none), until the first view takes it.
    whats_new: Option<WhatsNew>,
}

impl Desk {
    /// The app's desk: secrets in this computer's keyring, settings from `config_dir`.
    pub fn on_this_computer(config_dir: &Path, policy: Policy, options: Options) -> Self {
        Desk::new(config_dir, Vault::default(), policy, options)
    }

    /// Reads the settings from `config_dir`; signs nobody in yet (see [`Desk::restore`]).
    pub fn new(config_dir: &Path, vault: Vault, policy: Policy, options: Options) -> Self {
        let settings_file = SettingsFile::in_dir(config_dir);
        let had_settings = settings_file.exists();
        let loaded = settings_file.load();
        let language = loaded
            .settings
            .language
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_else(Lang::system);
        let whats_new = whats_new::after_update(
            loaded.settings.seen_version.as_deref(),
            had_settings,
            whats_new::VERSION,
            language,
        );
        Desk {
            vault,
            settings_file,
            watcher: Watcher::new(policy),
            options,
            state: Mutex::new(State {
                settings: loaded.settings,
                settings_warning: loaded.warning,
                whats_new,
                ..State::default()
            }),
            started: tokio::sync::OnceCell::new(),
            account_changed: Notify::new(),
            owner: owner::OwnerGate::default(),
            changes: changes::Changes::default(),
            runs: runs::Runs::default(),
            policy,
            history: record::Shared::default(),
            history_dir: config_dir.join("history"),
            language: std::sync::Mutex::new(language),
            recent: std::sync::Mutex::new(HashMap::new()),
            budgets: std::sync::Mutex::new(HashMap::new()),
            schedules: schedules::Keeper::new(config_dir),
            watching: watching::Keeper::default(),
            names: std::sync::Arc::new(crate::settings::NamesFile::in_dir(config_dir)),
            connect_dir: config_dir.join("connect"),
        }
    }

    /// Runs [`Desk::restore`] once, however often it is asked for (a page reload asks
    /// again), and returns the state after it.
    pub async fn started(&self) -> AppView {
        self.started
            .get_or_init(|| async {
                self.note_version().await;
                self.restore().await;
            })
            .await;
        self.view().await
    }

    /// What is new in this version after an update, for the page's first view: said once,
    /// a page reloaded does not show it again.
    pub async fn take_whats_new(&self) -> Option<WhatsNew> {
        self.state.lock().await.whats_new.take()
    }

    /// The first start of a version remembers it in the settings (what is new in it was
    /// found at launch, [`Desk::new`]).
    async fn note_version(&self) {
        let mut s = self.state.lock().await;
        if s.settings.seen_version.as_deref() != Some(whats_new::VERSION) {
            s.settings.seen_version = Some(whats_new::VERSION.to_owned());
            self.save_settings(&s);
        }
    }

    pub fn watcher(&self) -> &Watcher {
        &self.watcher
    }

    /// The number of the sign-in in force: it moves on at every sign-in and sign-out, and
    /// news of an earlier one ([`Desk::auth_lost`]) changes nothing.
    pub fn sign_in_number(&self) -> u64 {
        self.owner.current()
    }

    /// The language the app speaks.
    pub fn language(&self) -> Lang {
        *self
            .language
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Speaks `code` from now on, and remembers it; an unknown code changes nothing.
    pub async fn set_language(&self, code: &str) -> AppView {
        if let Some(lang) = Lang::parse(code) {
            *self
                .language
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = lang;
            let mut s = self.state.lock().await;
            s.settings.language = Some(lang.code().to_owned());
            self.save_settings(&s);
        }
        self.view().await
    }

    /// The server address to use: what the user typed, or production.
    fn base_client(&self, s: &mut State, server: &str) -> Result<Client, Failure> {
        let server = server.trim();
        let address = if server.is_empty() {
            PRODUCTION_BASE
        } else {
            server
        };
        if let Some((known, client)) = &s.base {
            if known == address {
                return Ok(client.clone());
            }
        }
        let client = Client::builder(address)
            .per_minute(self.policy.per_minute)
            .max_hold(self.policy.max_wait)
            .build()
            .map_err(|e| match e.kind() {
                ErrorKind::Invalid => Failure::from(&e),
                _ => Failure::plain(
                    "invalid",
                    Text::new("desk.server_unusable").with("detail", e.to_string()),
                    format!("The server address cannot be used: {e}"),
                ),
            })?;
        s.base = Some((address.to_owned(), client.clone()));
        Ok(client)
    }

    fn client(s: &State) -> Result<Client, Failure> {
        match (&s.account, &s.sign_in_reason) {
            (Some(account), None) => Ok(account.client().clone()),
            _ => Err(not_signed_in()),
        }
    }

    /// The signed-in account's client and the number of its sign-in, read together under
    /// the state lock (where both change): the pair an action or a create is made with.
    async fn acting(&self) -> Result<(Client, u64), Failure> {
        let s = self.state.lock().await;
        Ok((Desk::client(&s)?, self.owner.current()))
    }

    /// Keeps `list` as the account `id`'s last list, while another is on screen.
    fn remember_list(&self, id: String, list: Remembered) {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() >= REMEMBERED_LISTS && !recent.contains_key(&id) {
            // Bounded: the one to drop is any other (each is one account's, kept in memory).
            let other = recent.keys().next().cloned();
            other.map(|k| recent.remove(&k));
        }
        recent.insert(id, list);
    }

    /// The saved account `id`'s request budget: the one kept from its earlier sign-ins, or
    /// `client`'s, kept from now on.
    fn budget_of(&self, id: &str, client: &Client) -> crate::api::SharedBudget {
        let mut budgets = self.budgets.lock().unwrap_or_else(|p| p.into_inner());
        budgets
            .entry(id.to_owned())
            .or_insert_with(|| client.shared_budget())
            .clone()
    }

    /// The account `id`'s last list, taken to be shown.
    fn take_list(&self, id: &str) -> Option<Remembered> {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.remove(id)
    }

    /// Forgets the account `id`'s last list (signed out, removed).
    fn forget_list(&self, id: &str) {
        self.take_list(id);
    }

    pub async fn save_sort(&self, sort: Option<SortPreference>) {
        let mut s = self.state.lock().await;
        s.settings.sort = sort;
        self.save_settings(&s);
    }

    fn save_settings(&self, s: &State) {
        if let Err(e) = self.settings_file.save(&s.settings) {
            log::warn!(
                "settings: could not save {}: {e}",
                self.settings_file.path().display()
            );
        }
    }
}

fn not_signed_in() -> Failure {
    Failure::plain(
        "auth",
        Text::new("desk.not_signed_in"),
        "You are not signed in. Sign in first.",
    )
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// Runs a keyring call off the async threads (it blocks on D-Bus).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, VaultError> + Send + 'static,
) -> Result<T, VaultError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(VaultError::Failed(format!("the keyring call stopped: {e}"))))
}
