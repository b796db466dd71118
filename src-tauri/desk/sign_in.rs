//! Signing in (silently from the keyring at launch, with an API key, with an emailed
//! code, or into the demo) and out.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use super::{accounts, blocking, non_empty, view_of, AppView, Desk};
use crate::api::{ApiError, ErrorKind, Operation};
use crate::failure::{keyring_text, Failure};
use crate::history::New;
use crate::session::{self, Account, EmailSignIn, Method, SavedCheck};
use crate::sim::{SimConfig, SimServer, DEMO_API_KEY, DEMO_API_SECRET};
use crate::text::Text;
use crate::vault::{StoredCredentials, VaultError};

/// How long the demo's service keeps a record unchanged after a 202, with
/// `--demo-as-service`.
const DEMO_ACCEPT_DELAY: Duration = Duration::from_secs(3);

/// How long the server may take to close a session at sign-out, in the background.
const SIGN_OUT_PATIENCE: Duration = Duration::from_secs(30);

/// How long a launch waits for the server to confirm a saved sign-in before it opens the
/// machines screen anyway (saying ThreatWinds cannot be reached) and goes on asking in the
/// background: an unreachable server, or one answering 503 with a long `Retry-After`,
/// must not hold the person on the boot screen for the client's retries (40–90 s).
const LAUNCH_CHECK_PATIENCE: Duration = Duration::from_secs(4);

/// Where a saved sign-in's secret is.
pub(super) enum Saved {
    /// In the keyring entry of that name; `None`: the entry an earlier version named by
    /// the server.
    Entry(Option<String>),
    /// In memory, for this run only: the keyring could not keep it.
    Held(StoredCredentials),
}

impl Desk {
    /// Signs in silently at launch: the demo if that was the last choice (or `--demo`),
    /// else whatever the keyring holds for the saved server.
    pub async fn restore(&self) -> AppView {
        let (demo, server, active) = {
            let s = self.state.lock().await;
            let active = s.settings.active_account().cloned();
            (
                self.options.demo || s.settings.demo,
                active.as_ref().map_or_else(
                    || s.settings.server.clone().unwrap_or_default(),
                    |a| a.server.clone(),
                ),
                active,
            )
        };
        if demo {
            if let Err(f) = self.demo().await {
                log::warn!("startup: the demo could not start: {}", f.message);
            }
            return self.view().await;
        }
        // The account used last has an entry of its own; before accounts were kept, the
        // one entry was named by the server.
        self.open_saved(
            &server,
            Saved::Entry(active.as_ref().map(accounts::entry_of)),
        )
        .await;
        self.view().await
    }

    /// Signs in silently with the saved sign-in `secret` on `server` (as typed): at
    /// launch, and when the person switches to a saved account. A server out of reach
    /// keeps the sign-in (checked again in the background); one that refuses it asks to
    /// sign in again, and the menu marks the account.
    pub(super) async fn open_saved(&self, server: &str, secret: Saved) {
        let base = {
            let mut s = self.state.lock().await;
            match Desk::base_client(&mut s, server) {
                Ok(base) => base,
                Err(_) => return,
            }
        };
        let stored = match secret {
            Saved::Held(stored) => stored,
            Saved::Entry(entry) => {
                let entry = entry.unwrap_or_else(|| base.base_url().to_string());
                let vault = self.vault.clone();
                match blocking(move || vault.load(&entry)).await {
                    Ok(Some(stored)) => stored,
                    Ok(None) => return,
                    Err(problem) => {
                        let mut s = self.state.lock().await;
                        s.keyring_problem = Some(keyring_text(&problem));
                        return;
                    }
                }
            }
        };
        let checked = tokio::time::timeout(
            LAUNCH_CHECK_PATIENCE,
            Account::restore(&base, &stored, session::now()),
        )
        .await
        .unwrap_or_else(|_| {
            let operation = match stored {
                StoredCredentials::KeyPair { .. } => Operation::CheckKeyPair,
                StoredCredentials::Session { .. } => Operation::GetSession,
            };
            Err(ApiError::new(ErrorKind::Timeout, operation))
        });
        match checked {
            // Silently: no "signed in" entry, the server as saved.
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
                self.state.lock().await.confirm = Some(SavedCheck::first(Instant::now()));
                self.account_changed.notify_one();
            }
            Err(e) => {
                log::info!("startup: the saved sign-in was not accepted: {e}");
                let mut s = self.state.lock().await;
                s.sign_in_reason = Some(Text::new("desk.saved_sign_in_expired"));
                accounts::mark_refused(&mut s);
                self.save_settings(&s);
            }
        }
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
                Text::new("desk.key_and_secret"),
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
                Text::new("desk.code_expired"),
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

    /// "Try the demo": signs in to the built-in simulator, and says so in its history.
    pub async fn start_demo(&self) -> Result<AppView, Failure> {
        let view = self.demo().await?;
        self.record(New {
            what: "sign_in".into(),
            ..New::default()
        });
        Ok(view)
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
                        Failure::plain(
                            "unexpected",
                            Text::new("desk.demo_failed").with("detail", e.to_string()),
                            format!("The demo could not start: {e}."),
                        )
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
        let history = self.open_history(&account).await;
        let typed = match server {
            Some(server) => server.to_owned(),
            None => {
                let s = self.state.lock().await;
                let active = s.settings.active_account().map(|a| a.server.clone());
                active.or(s.settings.server.clone()).unwrap_or_default()
            }
        };
        let saved = accounts::saved(&account, &typed);
        // An unconfirmed account is what the keyring already holds.
        let keyring_problem = match (account.to_store().filter(|_| account.confirmed), &saved) {
            (Some(stored), Some((_, entry))) => self.keep_secret(&account, entry, stored).await,
            _ => None,
        };
        let id = saved.as_ref().map(|(a, _)| a.id.clone());
        let mut s = self.state.lock().await;
        // The saved account on screen until now (an account was added over it): its list
        // is kept to show when the person comes back to it.
        let previous = accounts::on_screen(&s).filter(|previous| Some(previous) != id.as_ref());
        s.notice = None;
        if let Some((saved, _)) = saved.filter(|_| account.confirmed) {
            match (&keyring_problem, account.to_store()) {
                // The keyring could not keep it: for this run only, and the menu says so.
                (Some(_), Some(stored)) => accounts::hold(&mut s, saved, stored),
                _ => {
                    s.signed_out.remove(&saved.id);
                    let known = !accounts::remember(&mut s.settings, saved);
                    // Signed in on the sign-in screen to an account kept already: one
                    // account, said.
                    if known && server.is_some() {
                        s.notice = Some(Text::new("accounts.already_added"));
                    }
                }
            }
        }
        // Signing in again as the same person on the same server returns to where they
        // were; anyone else starts from an empty list, never seeing the previous one's,
        // or from the list this account had when the person last left it (not read yet).
        let resuming = s.sign_in_reason.is_some()
            && s.account.as_ref().is_some_and(|a| a.same_account(&account));
        let remembered = id.filter(|_| !resuming).and_then(|id| self.take_list(&id));
        s.confirm = None;
        s.keyring_problem = keyring_problem.map(|p| keyring_text(&p));
        s.settings.demo = account.method == Method::Demo;
        if let Some(server) = server {
            s.settings.server = non_empty(server);
        }
        s.sign_in_reason = None;
        s.email = None;
        let client = account.client().clone();
        // A new sign-in number, with the account: nothing the previous sign-in asked for
        // is sent from now on, nor written to this account's history.
        let (owner, history_warning) = self.begin_sign_in(history);
        s.history_warning = history_warning;
        if server.is_some() {
            // Signed in on the sign-in screen, not silently at launch.
            self.record(New {
                what: "sign_in".into(),
                ..New::default()
            });
        }
        s.account = Some(account);
        if !s.settings.demo {
            // Leaving the demo stops its simulator.
            s.demo = None;
        }
        self.save_settings(&s);
        drop(s);
        self.runs.stop_all();
        self.owner.drain().await;
        self.account_changed.notify_one();
        if resuming {
            self.watcher.reconnect(client, owner).await;
        } else {
            let left = self.watcher.follow(client, owner, remembered).await;
            if let (Some(previous), Some(left)) = (previous, left) {
                self.remember_list(previous, left);
            }
        }
    }

    /// Keeps `account`'s secret in its keyring entry `entry`, and drops the entry an earlier
    /// version kept under the server's address alone; why the keyring could not, if so.
    pub(super) async fn keep_secret(
        &self,
        account: &Account,
        entry: &str,
        stored: StoredCredentials,
    ) -> Option<VaultError> {
        let vault = self.vault.clone();
        let entry = entry.to_owned();
        let legacy = account.client().base_url().to_string();
        blocking(move || {
            vault.save(&entry, &stored)?;
            if legacy != entry {
                vault.delete(&legacy)?;
            }
            Ok(())
        })
        .await
        .err()
    }

    /// The session of the sign-in `owner` was refused mid-use: back to the sign-in
    /// screen, keeping the list and what the user was doing so that signing in again
    /// returns there. A refusal that arrives after that sign-in ended changes nothing.
    pub async fn auth_lost(&self, owner: u64, failure: &Failure) -> AppView {
        let mut s = self.state.lock().await;
        if owner != self.owner.current() {
            log::info!("session: a late refusal of an earlier sign-in was ignored");
            return view_of(&s);
        }
        self.history_sign_in_lost(owner);
        if s.account.is_some() {
            s.sign_in_reason = Some(Text::new("desk.sign_in_ended"));
            accounts::mark_refused(&mut s);
            self.save_settings(&s);
            log::info!(
                "session: the server no longer accepts the sign-in ({})",
                failure.kind
            );
        }
        view_of(&s)
    }

    /// Leaves the account in use (signing out, or switching to another): nothing it asked
    /// for is sent from now on, its history is closed, its list forgotten, and what is on
    /// its way is given a moment to be answered. Returns the account left.
    pub(super) async fn leave_account(&self, switching: bool) -> Option<Account> {
        let (account, left) = {
            let mut s = self.state.lock().await;
            // A saved account's list is kept to show when the person comes back to it.
            let left = accounts::on_screen(&s).filter(|_| switching);
            self.end_sign_in(switching);
            s.settings.demo = false;
            s.sign_in_reason = None;
            s.email = None;
            s.demo = None;
            s.confirm = None;
            s.history_warning = None;
            self.save_settings(&s);
            (s.account.take(), left)
        };
        self.runs.stop_all();
        let list = self.watcher.forget().await;
        if let (Some(id), Some(list)) = (left, list) {
            self.remember_list(id, list);
        }
        self.owner.drain().await;
        self.account_changed.notify_one();
        account
    }

    /// Deletes the keyring entry and forgets everything at once; the server is asked to
    /// close the session afterwards, in the background: a slow or unreachable server
    /// must neither keep the person waiting nor leave the credentials behind. Then the
    /// next saved account opens, if there is one.
    pub async fn sign_out(&self) -> AppView {
        self.record(New {
            what: "sign_out".into(),
            ..New::default()
        });
        let account = self.leave_account(false).await;
        if let Some(account) = account {
            if account.method != Method::Demo {
                let vault = self.vault.clone();
                let entries = accounts::entries_of(&account);
                let deleted =
                    blocking(move || entries.iter().try_for_each(|entry| vault.delete(entry)))
                        .await;
                let mut s = self.state.lock().await;
                if let Some((saved, _)) = accounts::saved(&account, "") {
                    s.settings.remove_account(&saved.id);
                    s.held.retain(|h| h.saved.id != saved.id);
                    self.forget_list(&saved.id);
                    self.save_settings(&s);
                }
                if let Err(e) = deleted {
                    s.keyring_problem = Some(keyring_text(&e));
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
        // On to the next saved account, if there is one.
        let next = self.state.lock().await.settings.accounts.first().cloned();
        if let Some(next) = next {
            if let Ok(view) = self.switch_account(&next.id).await {
                return view;
            }
        }
        self.view().await
    }
}
