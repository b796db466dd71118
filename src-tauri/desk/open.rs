//! Opening an account: silently from what the keyring holds (at launch, and when the person
//! switches to a saved account), and making a signed-in account the one on screen (the
//! keyring, the settings, the history and the watcher). Called only from the account
//! changes' one ordering (`changes.rs`), never on its own.
//!
//! Where an account's server is decided: a saved account's address is written once, when
//! it is first signed in, from the address of the server that accepted *its* credentials
//! (`accounts::saved`), never from what is typed or current for another; a saved sign-in is
//! opened on the server its keyring entry is named after (`vault::entry_server`), and the
//! client sends it nowhere else (`api::Client::with_saved_credentials`).

use std::time::{Duration, Instant};

use super::{accounts, blocking, Desk};
use crate::api::{ApiError, ErrorKind, Operation};
use crate::failure::{keyring_text_at, KeyringStep};
use crate::history::New;
use crate::session::{self, Account, Method, SavedCheck};
use crate::text::Text;
use crate::vault::{entry_server, StoredCredentials, VaultError};

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
    /// In memory, for this run only (the keyring could not keep it), with the server it
    /// belongs to.
    Held(StoredCredentials, String),
}

/// How a silent open ended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Opened {
    /// Signed in (checked, or kept unchecked while the server is out of reach).
    Open,
    /// The server refused the saved sign-in.
    Refused,
    /// Nothing was there to open (no entry, an unusable address, the keyring failed).
    Nothing,
}

impl Desk {
    /// Signs in silently with the saved sign-in `secret` for the server `server` (as
    /// typed): at launch, and when the person switches to a saved account. The credentials
    /// are sent only to the server their entry is named after. A server out of reach keeps
    /// the sign-in (checked again in the background); one that refuses it asks to sign in
    /// again, and the caller marks the account.
    pub(super) async fn open_saved(&self, server: &str, secret: Saved) -> Opened {
        let (address, stored) = match secret {
            Saved::Held(stored, home) => (home, stored),
            Saved::Entry(entry) => {
                // An earlier version's entry is named by the address the server gives.
                let entry = match entry {
                    Some(entry) => entry,
                    None => match self.base_for(server).await {
                        Some(base) => base.base_url().to_string(),
                        None => return Opened::Nothing,
                    },
                };
                let vault = self.vault.clone();
                let name = entry.clone();
                match blocking(move || vault.load(&name)).await {
                    Ok(Some(stored)) => (entry_server(&entry).to_owned(), stored),
                    Ok(None) => return Opened::Nothing,
                    Err(problem) => {
                        self.state.lock().await.keyring_problem =
                            Some(keyring_text_at(&problem, KeyringStep::Read));
                        return Opened::Nothing;
                    }
                }
            }
        };
        // The client of the server the sign-in belongs to.
        let Some(base) = self.base_for(&address).await else {
            return Opened::Nothing;
        };
        let checked = tokio::time::timeout(
            LAUNCH_CHECK_PATIENCE,
            Account::restore(&base, &stored, &address, session::now()),
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
            // Silently: no "signed in" entry.
            Ok(account) => {
                self.signed_in(account, None).await;
                Opened::Open
            }
            // Only the server may say the credentials are bad. Down, unreachable or
            // overloaded, it said nothing of the kind: keep them, open the machines
            // screen (it says ThreatWinds cannot be reached and retries by itself), and
            // ask again about the account until it answers.
            Err(e) if e.kind() != ErrorKind::Auth => {
                log::info!("startup: the saved sign-in could not be checked, kept: {e}");
                self.signed_in(Account::unconfirmed(&base, &stored, &address), None)
                    .await;
                self.state.lock().await.confirm = Some(SavedCheck::first(Instant::now()));
                self.account_changed.notify_one();
                Opened::Open
            }
            Err(e) => {
                log::info!("startup: the saved sign-in was not accepted: {e}");
                Opened::Refused
            }
        }
    }

    /// The pooled client of the server at `address` (as typed, or a base address);
    /// `None` when it cannot be used.
    pub(super) async fn base_for(&self, address: &str) -> Option<crate::api::Client> {
        let mut s = self.state.lock().await;
        self.base_client(&mut s, address).ok()
    }

    /// Makes `account` the signed-in one: keyring (not for the demo), settings, watcher.
    /// `typed` is the address the person typed to sign it in on the sign-in screen (saved
    /// as the address the sign-in screen offers next time); `None` for a silent open.
    pub(super) async fn signed_in(&self, mut account: Account, typed: Option<&str>) {
        let history = self.open_history(&account).await;
        // An account's own server, from the server that accepted its credentials: never
        // from what another account typed or used.
        let saved = accounts::saved(&account);
        // An unconfirmed account is what the keyring already holds.
        let keyring_problem = match (account.to_store().filter(|_| account.confirmed), &saved) {
            (Some(stored), Some((_, entry))) => self.keep_secret(&account, entry, stored).await,
            _ => None,
        };
        let id = saved.as_ref().map(|(a, _)| a.id.clone());
        let saved_id = id.clone();
        if let Some(id) = &saved_id {
            account.use_budget(&self.budget_of(id, account.client()));
        }
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
                    if known && typed.is_some() {
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
        s.keyring_problem = keyring_problem.map(|(p, step)| keyring_text_at(&p, step));
        s.settings.demo = account.method == Method::Demo;
        if let Some(typed) = typed {
            s.settings.server = super::non_empty(typed);
        }
        s.sign_in_reason = None;
        s.email = None;
        let client = account.client().clone();
        // The account's request limits, learned in the background (a bulk waits for
        // them a moment; a single request fits any limit).
        let learning = client.clone();
        tokio::spawn(async move { learning.learn_limits().await });
        // A new sign-in number, with the account: nothing the previous sign-in asked for
        // is sent from now on, nor written to this account's history.
        let (owner, history_warning) = self.begin_sign_in(history);
        if let Some(id) = &saved_id {
            self.changes.note_owner(owner, id);
        }
        s.history_warning = history_warning;
        if typed.is_some() {
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
        self.show_names(owner).await;
    }

    /// Keeps `account`'s secret in its keyring entry `entry`, and drops the entry an earlier
    /// version kept under the server's address alone; why the keyring could not keep it,
    /// if so. (An old entry that could not be dropped is logged: the secret is kept.)
    pub(super) async fn keep_secret(
        &self,
        account: &Account,
        entry: &str,
        stored: StoredCredentials,
    ) -> Option<(VaultError, KeyringStep)> {
        let vault = self.vault.clone();
        let entry = entry.to_owned();
        let legacy = account.client().base_url().to_string();
        blocking(move || {
            if let Err(e) = vault.save(&entry, &stored) {
                // A save that failed part-way may have written the entry all the same: it
                // goes, so that "nothing secret was saved" is true; when it cannot, the
                // person is told it may be there.
                let step = match (&e, vault.delete(&entry)) {
                    (VaultError::TooLong, _) | (_, Ok(())) => KeyringStep::Save,
                    (_, Err(_)) => KeyringStep::SaveLeftBehind,
                };
                return Ok(Some((e, step)));
            }
            if legacy != entry {
                if let Err(e) = vault.delete(&legacy) {
                    log::warn!("keyring: an earlier version's entry could not be removed: {e}");
                }
            }
            Ok(None)
        })
        .await
        .unwrap_or_else(|e| Some((e, KeyringStep::Save)))
    }
}
