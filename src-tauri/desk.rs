//! The desktop app's state and the things a person can do, without any window: sign in
//! (email code, API key, demo), stay signed in, act on machines, create them, sign out.
//!
//! The Tauri commands are one-line adapters over this; tests drive it directly against
//! the simulator and a real keyring.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{Mutex, Notify};

use futures_util::StreamExt;

use crate::api::{Client, ErrorKind, InstanceStatus, Limit, Template, PRODUCTION_BASE};
use crate::failure::Failure;
use crate::pace::Pace;
use crate::session::{self, Account, AccountView, EmailSignIn, Method};
use crate::settings::{Settings, SettingsFile, SortPreference};
use crate::sim::{SimConfig, SimServer, DEMO_API_KEY, DEMO_API_SECRET, NETWORK_CONFIGS};
use crate::vault::{Vault, VaultError};
use crate::watch::{Action, Policy, Row, Watcher};

/// The network configuration the contract documents; offered on every server.
const DOCUMENTED_CONFIG: &str = "default-network";

/// How long the demo's service keeps a record unchanged after a 202, with
/// `--demo-as-service`.
const DEMO_ACCEPT_DELAY: Duration = Duration::from_secs(3);

/// How many actions of one bulk request run at once.
const BULK_PARALLEL: usize = 4;

/// How long the server may take to close a session at sign-out, in the background.
const SIGN_OUT_PATIENCE: Duration = Duration::from_secs(30);

/// How soon a session extension that failed for a passing reason is tried again.
const RENEW_RETRY: Duration = Duration::from_secs(15);

/// The longest the renewal plan sleeps without looking again (clock changes, suspend).
const RENEW_LOOK_AGAIN: Duration = Duration::from_secs(60);

/// The first wait before asking the server again about a saved sign-in it could not be
/// asked about at launch; doubles up to [`CONFIRM_LONGEST_WAIT`].
const CONFIRM_FIRST_WAIT: Duration = Duration::from_secs(2);

/// The longest wait between two such questions: the watcher's slowest retry, so that the
/// account is known about as soon as the list is back.
const CONFIRM_LONGEST_WAIT: Duration = Duration::from_secs(30);

/// News about the signed-in account, from [`Desk::keep_sessions_alive`].
#[derive(Debug)]
pub enum AccountNews {
    /// The server no longer accepts the sign-in.
    Lost(Failure),
    /// A saved sign-in kept while the server was out of reach has been accepted; the
    /// view now shows whose it is.
    Confirmed,
}

/// What the web view knows about the app: the account, where it points, and any banner.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppView {
    pub account: AccountView,
    /// The server address as the user typed it; empty for ThreatWinds production.
    pub server: String,
    pub production_server: &'static str,
    pub demo: bool,
    pub last_email: Option<String>,
    /// The email a code was sent to, while the code screen is open.
    pub code_sent_to: Option<String>,
    /// Why the keyring cannot keep the sign-in, for a banner.
    pub keyring_problem: Option<String>,
    pub settings_warning: Option<String>,
    /// Why the sign-in screen is showing again (the session ended while in use).
    pub sign_in_reason: Option<String>,
    pub sort: Option<SortPreference>,
}

/// The outcome of an action on one machine of a (possibly bulk) request.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionResult {
    pub id: String,
    pub name: String,
    pub ok: bool,
    /// Not attempted because the action makes no sense in the machine's state.
    pub skipped: bool,
    pub error: Option<Failure>,
    /// The first snapshot that shows this outcome (the row pending, or its error): the
    /// page keeps its own "in progress" mark until it has one at least this new.
    pub seq: u64,
}

/// What the Create dialog offers.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOptions {
    /// `None` when the server has no template list (older revisions): a free-text field.
    pub templates: Option<Vec<Template>>,
    pub templates_problem: Option<Failure>,
    pub configs: Vec<String>,
    pub quota: QuotaView,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaView {
    pub used: usize,
    /// `None`: unlimited, or the plan's limits could not be read.
    pub limit: Option<u64>,
    pub tier: Option<String>,
    /// Why Create is not possible, in words; `None` when it is.
    pub blocked: Option<String>,
    pub problem: Option<Failure>,
}

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
    /// Spaces out actions under the per-minute rate limit.
    pace: std::sync::Mutex<Pace>,
    policy: Policy,
}

#[derive(Default)]
struct State {
    settings: Settings,
    settings_warning: Option<String>,
    account: Option<Account>,
    email: Option<EmailSignIn>,
    demo: Option<SimServer>,
    keyring_problem: Option<String>,
    sign_in_reason: Option<String>,
    /// One pooled client per server address, reused across sign-ins.
    base: Option<(String, Client)>,
    /// For an unconfirmed saved sign-in: when to ask the server again, and how many
    /// times it could not be reached.
    confirm: Option<(Instant, u32)>,
}

impl Desk {
    /// Reads the settings from `config_dir`; signs nobody in yet (see [`Desk::restore`]).
    pub fn new(config_dir: &Path, vault: Vault, policy: Policy, options: Options) -> Self {
        let settings_file = SettingsFile::in_dir(config_dir);
        let loaded = settings_file.load();
        Desk {
            vault,
            settings_file,
            watcher: Watcher::new(policy),
            options,
            state: Mutex::new(State {
                settings: loaded.settings,
                settings_warning: loaded.warning,
                ..State::default()
            }),
            started: tokio::sync::OnceCell::new(),
            account_changed: Notify::new(),
            pace: std::sync::Mutex::new(Pace::new(policy.actions_per_minute)),
            policy,
        }
    }

    /// Runs [`Desk::restore`] once, however often it is asked for (a page reload asks
    /// again), and returns the state after it.
    pub async fn started(&self) -> AppView {
        self.started
            .get_or_init(|| async {
                self.restore().await;
            })
            .await;
        self.view().await
    }

    pub fn watcher(&self) -> &Watcher {
        &self.watcher
    }

    pub async fn view(&self) -> AppView {
        let s = self.state.lock().await;
        view_of(&s)
    }

    /// The server address to use: what the user typed, or production.
    fn base_client(s: &mut State, server: &str) -> Result<Client, Failure> {
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
        let client = Client::builder(address).build().map_err(|e| {
            Failure::plain(
                "invalid",
                match e.kind() {
                    ErrorKind::Invalid => e.to_string(),
                    _ => format!("The server address cannot be used: {e}"),
                },
            )
        })?;
        s.base = Some((address.to_owned(), client.clone()));
        Ok(client)
    }

    /// Signs in silently at launch: the demo if that was the last choice (or `--demo`),
    /// else whatever the keyring holds for the saved server.
    pub async fn restore(&self) -> AppView {
        let (demo, server) = {
            let s = self.state.lock().await;
            (
                self.options.demo || s.settings.demo,
                s.settings.server.clone().unwrap_or_default(),
            )
        };
        if demo {
            if let Err(f) = self.demo().await {
                log::warn!("startup: the demo could not start: {}", f.message);
            }
            return self.view().await;
        }
        let base = {
            let mut s = self.state.lock().await;
            match Desk::base_client(&mut s, &server) {
                Ok(base) => base,
                Err(_) => return view_of(&s),
            }
        };
        let key = base.base_url().to_string();
        let vault = self.vault.clone();
        let stored = match blocking(move || vault.load(&key)).await {
            Ok(Some(stored)) => stored,
            Ok(None) => return self.view().await,
            Err(problem) => {
                let mut s = self.state.lock().await;
                s.keyring_problem = Some(problem.to_string());
                return view_of(&s);
            }
        };
        match Account::restore(&base, &stored, session::now()).await {
            Ok(account) => {
                self.signed_in(account, None).await;
            }
            // Only the server may say the credentials are bad. Down, unreachable or
            // overloaded, it said nothing of the kind: keep them, open the machines
            // screen (it says ThreatWinds cannot be reached and retries by itself), and
            // ask again about the account until it answers.
            Err(e) if e.kind() != ErrorKind::Auth => {
                log::info!("startup: the saved sign-in could not be checked, kept: {e}");
                self.signed_in(Account::unconfirmed(&base, &stored), None)
                    .await;
                self.state.lock().await.confirm = Some((Instant::now() + CONFIRM_FIRST_WAIT, 1));
                self.account_changed.notify_one();
            }
            Err(e) => {
                log::info!("startup: the saved sign-in was not accepted: {e}");
                let mut s = self.state.lock().await;
                s.sign_in_reason = Some(match e.kind() {
                    ErrorKind::Auth => {
                        "Your saved sign-in has expired. Please sign in again.".to_owned()
                    }
                    _ => e.to_string(),
                });
            }
        }
        self.view().await
    }

    /// Checks an API key and secret, then keeps them in the keyring.
    pub async fn sign_in_with_key(
        &self,
        server: &str,
        key: &str,
        secret: &str,
    ) -> Result<AppView, Failure> {
        if key.trim().is_empty() || secret.trim().is_empty() {
            return Err(Failure::plain(
                "invalid",
                "Type both the API key and the API secret.",
            ));
        }
        let base = {
            let mut s = self.state.lock().await;
            Desk::base_client(&mut s, server)?
        };
        let account = Account::with_key_pair(&base, key, secret).await?;
        self.signed_in(account, Some(server.trim())).await;
        Ok(self.view().await)
    }

    /// Asks ThreatWinds to email a sign-in code.
    pub async fn email_start(&self, server: &str, email: &str) -> Result<AppView, Failure> {
        let base = {
            let mut s = self.state.lock().await;
            Desk::base_client(&mut s, server)?
        };
        let pending = EmailSignIn::start(&base, email).await?;
        let mut s = self.state.lock().await;
        s.settings.last_email = Some(pending.email.clone());
        s.settings.server = non_empty(server);
        s.email = Some(pending);
        self.save_settings(&s);
        Ok(view_of(&s))
    }

    /// Goes back from the code screen to the email field.
    pub async fn email_cancel(&self) -> AppView {
        let mut s = self.state.lock().await;
        s.email = None;
        view_of(&s)
    }

    /// Checks the emailed code and signs in.
    pub async fn email_verify(&self, code: &str) -> Result<AppView, Failure> {
        let pending = self.state.lock().await.email.take();
        let Some(pending) = pending else {
            return Err(Failure::plain(
                "invalid",
                "The sign-in code has expired. Ask for a new one.",
            ));
        };
        match pending.verify(code, session::now()).await {
            Ok(account) => {
                let server = self.state.lock().await.settings.server.clone();
                self.signed_in(account, Some(server.as_deref().unwrap_or("")))
                    .await;
                Ok(self.view().await)
            }
            Err(e) => {
                // Keep waiting for the right code: a typo must not cost a new email.
                self.state.lock().await.email = Some(pending);
                Err(e.into())
            }
        }
    }

    /// Starts the built-in simulator on a loopback port and signs in to it.
    pub async fn demo(&self) -> Result<AppView, Failure> {
        let existing = self
            .state
            .lock()
            .await
            .demo
            .as_ref()
            .map(SimServer::base_url);
        let address = match existing {
            Some(address) => address,
            None => {
                let config = SimConfig {
                    instances: self.options.demo_machines.unwrap_or(6),
                    accept_delay: if self.options.demo_as_service {
                        DEMO_ACCEPT_DELAY
                    } else {
                        Duration::ZERO
                    },
                    cloud_states: self.options.demo_as_service,
                    ..SimConfig::default()
                };
                let sim = SimServer::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
                    .await
                    .map_err(|e| {
                        Failure::plain("unexpected", format!("The demo could not start: {e}."))
                    })?;
                let address = sim.base_url();
                self.state.lock().await.demo = Some(sim);
                address
            }
        };
        let base = {
            let mut s = self.state.lock().await;
            Desk::base_client(&mut s, &address)?
        };
        let account = Account::demo(&base, DEMO_API_KEY, DEMO_API_SECRET).await?;
        self.signed_in(account, None).await;
        Ok(self.view().await)
    }

    /// Makes `account` the signed-in one: keyring (not for the demo), settings, watcher.
    /// `server` is the address as typed, saved for next time (`None` keeps the saved one).
    async fn signed_in(&self, account: Account, server: Option<&str>) {
        // An unconfirmed account is what the keyring already holds.
        let stored = account.to_store().filter(|_| account.confirmed);
        let key = account.client().base_url().to_string();
        let keyring_problem = match stored {
            Some(stored) => {
                let vault = self.vault.clone();
                blocking(move || vault.save(&key, &stored)).await.err()
            }
            None => None,
        };
        let mut s = self.state.lock().await;
        // Signing in again as the same person on the same server returns to where they
        // were; anyone else starts from an empty list, never seeing the previous one's.
        let resuming = s.sign_in_reason.is_some()
            && s.account.as_ref().is_some_and(|a| {
                a.client().base_url() == account.client().base_url() && a.user == account.user
            });
        s.confirm = None;
        s.keyring_problem = keyring_problem.map(|p| p.to_string());
        s.settings.demo = account.method == Method::Demo;
        if let Some(server) = server {
            s.settings.server = non_empty(server);
        }
        s.sign_in_reason = None;
        s.email = None;
        let client = account.client().clone();
        s.account = Some(account);
        if !s.settings.demo {
            // Leaving the demo stops its simulator.
            s.demo = None;
        }
        self.save_settings(&s);
        drop(s);
        self.account_changed.notify_one();
        if resuming {
            self.watcher.reconnect(client).await;
        } else {
            self.watcher.follow(client).await;
        }
    }

    /// The session was refused mid-use: back to the sign-in screen, keeping the list and
    /// what the user was doing so that signing in again returns there.
    pub async fn auth_lost(&self, failure: &Failure) -> AppView {
        let mut s = self.state.lock().await;
        if s.account.is_some() {
            s.sign_in_reason = Some(
                "Your sign-in has expired or was ended elsewhere. Sign in again to carry on where you were."
                    .into(),
            );
            log::info!(
                "session: the server no longer accepts the sign-in ({})",
                failure.kind
            );
        }
        view_of(&s)
    }

    /// Deletes the keyring entry and forgets everything at once; the server is asked to
    /// close the session afterwards, in the background: a slow or unreachable server
    /// must neither keep the person waiting nor leave the credentials behind.
    pub async fn sign_out(&self) -> AppView {
        let account = {
            let mut s = self.state.lock().await;
            s.settings.demo = false;
            s.sign_in_reason = None;
            s.email = None;
            s.demo = None;
            s.confirm = None;
            self.save_settings(&s);
            s.account.take()
        };
        self.watcher.forget().await;
        self.account_changed.notify_one();
        if let Some(account) = account {
            if account.method != Method::Demo {
                let vault = self.vault.clone();
                let key = account.client().base_url().to_string();
                if let Err(e) = blocking(move || vault.delete(&key)).await {
                    let mut s = self.state.lock().await;
                    s.keyring_problem = Some(e.to_string());
                }
            }
            tokio::spawn(async move {
                match tokio::time::timeout(SIGN_OUT_PATIENCE, account.sign_out()).await {
                    Ok(Ok(())) => log::info!("sign-out: the server session was closed"),
                    Ok(Err(e)) => {
                        log::warn!("sign-out: the server session could not be closed: {e}")
                    }
                    Err(_) => log::warn!(
                        "sign-out: the server did not answer; the session will expire by itself"
                    ),
                }
            });
        }
        self.view().await
    }

    /// Keeps the account good for as long as the app runs: asks the server about a
    /// saved sign-in it could not be asked about at launch (with back-off) and extends an
    /// email session before it expires, planning again on every sign-in and sign-out.
    /// Reports through `news` when the server no longer accepts the sign-in, or has
    /// accepted a saved one.
    pub async fn keep_sessions_alive(&self, news: impl Fn(AccountNews)) {
        loop {
            let wait = self
                .renewal_due_in()
                .await
                .map_or(RENEW_LOOK_AGAIN, |d| d.min(RENEW_LOOK_AGAIN));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.account_changed.notified() => continue,
            }
            let result = match self.confirm_saved().await {
                Some(result) => result,
                None => self.keep_alive().await.map(AccountNews::Lost),
            };
            match result {
                Some(AccountNews::Lost(failure)) => {
                    // Marked here, before planning again: the refused session is not retried.
                    self.auth_lost(&failure).await;
                    news(AccountNews::Lost(failure));
                }
                Some(AccountNews::Confirmed) => news(AccountNews::Confirmed),
                None => {}
            }
        }
    }

    /// Asks the server about a saved sign-in that could not be checked at launch, when
    /// that is due. `None` when nothing was due; `Some(None)` when it is still out of reach.
    async fn confirm_saved(&self) -> Option<Option<AccountNews>> {
        let account = {
            let s = self.state.lock().await;
            let (at, _) = s.confirm?;
            if at > Instant::now() {
                return Some(None);
            }
            s.account.clone()?
        };
        let stored = account.to_store()?;
        let result = Account::restore(account.client(), &stored, session::now()).await;
        let mut s = self.state.lock().await;
        // Signed out or in as someone else meanwhile: nothing to confirm.
        if s.confirm.is_none()
            || s.account.as_ref().map(|a| a.client().credentials())
                != Some(account.client().credentials())
        {
            return Some(None);
        }
        Some(match result {
            Ok(confirmed) => {
                log::info!("session: the saved sign-in was accepted");
                s.account = Some(confirmed);
                s.confirm = None;
                Some(AccountNews::Confirmed)
            }
            Err(e) if e.kind() == ErrorKind::Auth => {
                s.confirm = None;
                Some(AccountNews::Lost(Failure::from(&e)))
            }
            Err(e) => {
                let tries = s.confirm.map_or(1, |(_, n)| n.saturating_add(1));
                let wait = (CONFIRM_FIRST_WAIT * 2u32.saturating_pow(tries.min(6) - 1))
                    .min(CONFIRM_LONGEST_WAIT);
                log::info!("session: the saved sign-in still cannot be checked: {e}");
                s.confirm = Some((Instant::now() + wait, tries));
                None
            }
        })
    }

    /// How long until the account needs looking after: a saved sign-in to confirm, or a
    /// session to extend; `None` when nothing does (signed out, a key pair, or waiting
    /// for the user to sign in again).
    async fn renewal_due_in(&self) -> Option<Duration> {
        let s = self.state.lock().await;
        if s.sign_in_reason.is_some() {
            return None;
        }
        if let Some((at, _)) = s.confirm {
            return Some(at.saturating_duration_since(Instant::now()));
        }
        let at = s.account.as_ref()?.renew_at()?;
        let left = at
            .unix_seconds()
            .saturating_sub(session::now().unix_seconds());
        Some(Duration::from_secs(left.max(0).unsigned_abs()))
    }

    /// Extends an email session that is due; returns why it was refused, if it was.
    pub async fn keep_alive(&self) -> Option<Failure> {
        let now = session::now();
        let due = {
            let s = self.state.lock().await;
            let account = s.account.as_ref()?;
            if s.sign_in_reason.is_some() {
                return None;
            }
            account.renew_at().is_some_and(|at| at <= now)
        };
        if !due {
            return None;
        }
        let mut account = self.state.lock().await.account.clone()?;
        let result = account.extend(now).await;
        let mut s = self.state.lock().await;
        // Signed out or in elsewhere meanwhile: this account is no longer the one shown.
        let current = s.account.as_mut().filter(|a| {
            a.client().base_url() == account.client().base_url()
                && a.client().credentials() == account.client().credentials()
        })?;
        match result {
            Ok(()) => {
                log::info!("session: extended");
                *current = account;
                None
            }
            Err(e) if e.kind() == ErrorKind::Auth => Some(Failure::from(&e)),
            Err(e) => {
                log::warn!("session: could not extend, will try again: {e}");
                current.renew_again_after(RENEW_RETRY, now);
                None
            }
        }
    }

    fn client(s: &State) -> Result<Client, Failure> {
        match (&s.account, &s.sign_in_reason) {
            (Some(account), None) => Ok(account.client().clone()),
            _ => Err(Failure::plain(
                "auth",
                "You are not signed in. Sign in first.",
            )),
        }
    }

    /// Starts, shuts down, restarts, resets or deletes the given machines, each only when
    /// it makes sense for its state; reports each machine's outcome.
    pub async fn act(&self, ids: &[String], action: &str) -> Result<Vec<ActionResult>, Failure> {
        let action = Action::parse(action)
            .ok_or_else(|| Failure::plain("invalid", format!("Unknown action “{action}”.")))?;
        let client = Desk::client(&*self.state.lock().await)?;
        let now = Instant::now();
        // Decide from the list the user is looking at; mark the rows pending at once.
        let (plan, mut results) = self
            .watcher
            .update(|w| {
                let mut plan = Vec::new();
                let mut results = Vec::new();
                for id in ids {
                    let snapshot_row = w.instance(id).cloned();
                    let name = snapshot_row
                        .as_ref()
                        .map(|i| i.display_name().to_owned())
                        .unwrap_or_else(|| id.clone());
                    let allowed = snapshot_row.as_ref().is_some_and(|i| {
                        action.allowed(&i.status)
                            // A shutdown that hangs may be cut short.
                            || (action == Action::Reset && i.status == InstanceStatus::Stopping)
                    });
                    if allowed {
                        w.mark_pending(id, action, now);
                        plan.push((id.clone(), name));
                    } else {
                        results.push(ActionResult {
                            id: id.clone(),
                            name,
                            ok: false,
                            skipped: true,
                            error: None,
                            seq: 0,
                        });
                    }
                }
                (plan, results)
            })
            .await;
        let calls = plan.into_iter().map(|(id, name)| {
            let client = client.clone();
            async move {
                let send = || async {
                    self.paced().await;
                    match action.power() {
                        Some(power) => client.power(&id, power).await,
                        None => client.delete_instance(&id).await,
                    }
                };
                let mut result = send().await;
                // Refused for the rate, so not performed: once more after the wait.
                if let Err(e) = &result {
                    if e.kind() == ErrorKind::RateLimited {
                        let wait = e.retry_after().unwrap_or(self.policy.slow);
                        tokio::time::sleep(wait.min(self.policy.max_wait)).await;
                        result = send().await;
                    }
                }
                (id, name, result)
            }
        });
        let done: Vec<_> = futures_util::stream::iter(calls)
            .buffered(BULK_PARALLEL)
            .collect()
            .await;
        let mut auth_lost = None;
        let seq = self
            .watcher
            .update(|w| {
                for (id, _, result) in &done {
                    if let Err(e) = result {
                        if e.kind() == ErrorKind::Auth {
                            auth_lost = Some(Failure::from(e));
                        }
                        w.action_failed(id, Failure::from(e));
                    }
                }
                w.refresh_now();
                w.seq()
            })
            .await;
        if let Some(failure) = auth_lost {
            self.auth_lost(&failure).await;
            return Err(failure);
        }
        results.extend(done.into_iter().map(|(id, name, result)| ActionResult {
            id,
            name,
            ok: result.is_ok(),
            skipped: false,
            error: result.err().map(Failure::from),
            seq,
        }));
        Ok(results)
    }

    /// Waits for this action's turn under the per-minute limit.
    async fn paced(&self) {
        let at = self
            .pace
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .book(Instant::now());
        tokio::time::sleep_until(at.into()).await;
    }

    /// Templates, network configurations and the plan's limit, for the Create dialog.
    pub async fn create_options(&self) -> Result<CreateOptions, Failure> {
        let (client, mut configs, demo) = {
            let s = self.state.lock().await;
            (
                Desk::client(&s)?,
                s.settings.recent_configs.clone(),
                s.settings.demo,
            )
        };
        let (templates, quotas) = tokio::join!(client.templates(), client.quotas());
        let mut known = vec![DOCUMENTED_CONFIG.to_owned()];
        if demo {
            known.extend(NETWORK_CONFIGS.iter().map(|(id, _)| (*id).to_owned()));
        }
        for k in known {
            if !configs.contains(&k) {
                configs.push(k);
            }
        }
        let used = self.watcher.update(|w| w.machines_in_use()).await;
        let (templates, templates_problem) = match templates {
            Ok(t) => (t, None),
            Err(e) => (None, Some(Failure::from(e))),
        };
        let quota = match quotas {
            Ok(q) => {
                let limit = q.max_instances();
                let blocked = match limit {
                    Some(Limit::Disabled) => Some(
                        "Your plan does not include machines. Ask your administrator to change the plan."
                            .to_owned(),
                    ),
                    Some(Limit::AtMost(max)) if used as u64 >= max => Some(format!(
                        "Your plan allows {max} machine{}, and all are in use. Delete a machine you no longer need, or ask your administrator to raise the limit.",
                        if max == 1 { "" } else { "s" }
                    )),
                    _ => None,
                };
                QuotaView {
                    used,
                    limit: match limit {
                        Some(Limit::AtMost(max)) => Some(max),
                        Some(Limit::Disabled) => Some(0),
                        _ => None,
                    },
                    tier: q.tier_name.clone(),
                    blocked,
                    problem: None,
                }
            }
            Err(e) => QuotaView {
                used,
                limit: None,
                tier: None,
                blocked: None,
                problem: Some(Failure::from(e)),
            },
        };
        Ok(CreateOptions {
            templates,
            templates_problem,
            configs,
            quota,
        })
    }

    /// Where the chosen template's machines can run, for the Create dialog's "Where";
    /// `None` when the server does not list zones (the network configuration decides).
    pub async fn zones(&self, template_id: &str) -> Result<Option<Vec<String>>, Failure> {
        let client = Desk::client(&*self.state.lock().await)?;
        Ok(client.template_zones(template_id).await?)
    }

    /// Creates a machine. Never retried: after an unknown outcome the list is re-read.
    pub async fn create(
        &self,
        template_id: &str,
        config_id: &str,
        zone: Option<&str>,
    ) -> Result<Row, Failure> {
        if template_id.trim().is_empty() {
            return Err(Failure::plain("invalid", "Choose a template first."));
        }
        if config_id.trim().is_empty() {
            return Err(Failure::plain(
                "invalid",
                "Choose or type a network configuration.",
            ));
        }
        let client = Desk::client(&*self.state.lock().await)?;
        match client
            .create_instance(template_id.trim(), config_id.trim(), zone)
            .await
        {
            Ok(instance) => {
                {
                    let mut s = self.state.lock().await;
                    s.settings.remember_config(config_id);
                    self.save_settings(&s);
                }
                let id = instance.id.clone();
                let now = Instant::now();
                self.watcher
                    .update(|w| {
                        w.add_created(instance, now);
                        w.snapshot(now, std::time::SystemTime::now())
                            .machines
                            .into_iter()
                            .find(|r| r.id == id)
                    })
                    .await
                    .ok_or_else(|| Failure::plain("unexpected", "The new machine went missing."))
            }
            Err(e) => {
                if e.outcome_unknown() {
                    self.watcher.update(|w| w.refresh_now()).await;
                }
                Err(e.into())
            }
        }
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

fn view_of(s: &State) -> AppView {
    let signed_in = s.sign_in_reason.is_none();
    AppView {
        account: match (&s.account, signed_in) {
            (Some(account), true) => account.view(),
            _ => AccountView::signed_out(),
        },
        server: s.settings.server.clone().unwrap_or_default(),
        production_server: PRODUCTION_BASE,
        demo: s.settings.demo && s.account.is_some(),
        last_email: s.settings.last_email.clone(),
        code_sent_to: s.email.as_ref().map(|e| e.email.clone()),
        keyring_problem: s.keyring_problem.clone(),
        settings_warning: s.settings_warning.clone(),
        sign_in_reason: s.sign_in_reason.clone(),
        sort: s.settings.sort.clone(),
    }
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
