//! The accounts saved on this computer: each signed-in account (an email session or an
//! API key; not the demo) is kept in the settings by name, server and identity, never its
//! secret, which has a keyring entry of its own named by its server and identity. So two
//! keys on one server and one key on two servers are different accounts, and the same
//! sign-in added twice is one. The app reopens on the account used last.

use serde::Serialize;

use super::{blocking, non_empty, view_of, AppView, Desk, State};
use crate::failure::{keyring_text, Failure};
use crate::fingerprint;
use crate::session::{Account, Method};
use crate::settings::{SavedAccount, Settings};
use crate::text::Text;
use crate::vault::entry_name;

/// `account` as the settings keep it, and the name of its keyring entry; `None` for the
/// demo (nothing of it is kept) and for a sign-in whose identity is not known yet (a
/// saved session from an earlier version, not checked yet: it keeps its old entry).
pub(super) fn saved(account: &Account, server: &str) -> Option<(SavedAccount, String)> {
    if account.method == Method::Demo {
        return None;
    }
    let identity = account.identity()?;
    let base = account.client().base_url().to_string();
    let entry = entry_name(&base, &identity);
    let saved = SavedAccount {
        id: fingerprint::hex(format!("{base}\n{identity}").as_bytes()),
        server: server.trim().to_owned(),
        base,
        identity,
        who: account.user.clone(),
        method: match account.method {
            Method::Email => "email",
            Method::ApiKey => "api_key",
            Method::Demo => "demo",
        }
        .to_owned(),
    };
    Some((saved, entry))
}

/// The keyring entry of the saved account `a`.
pub(super) fn entry_of(a: &SavedAccount) -> String {
    entry_name(&a.base, &a.identity)
}

/// The keyring entries that may hold `account`'s secret: its own, and the one earlier
/// versions named by the server alone.
pub(super) fn entries_of(account: &Account) -> Vec<String> {
    let legacy = account.client().base_url().to_string();
    let own = saved(account, "").map(|(_, entry)| entry);
    own.into_iter().chain([legacy]).collect()
}

/// Keeps `saved` as the account the app reopens on; false when it was kept already (the
/// same sign-in again).
pub(super) fn remember(settings: &mut Settings, saved: SavedAccount) -> bool {
    settings.active = Some(saved.id.clone());
    settings.save_account(saved)
}

/// A saved account as the account menu shows it; no secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountItem {
    pub id: String,
    /// The server's address as typed; empty for ThreatWinds production.
    pub server: String,
    /// Whom the server said was signed in; empty when it gave no name.
    pub who: String,
    /// `email` or `api_key`.
    pub method: String,
    /// The account on screen.
    pub active: bool,
}

/// The saved accounts, in the order they were added.
pub(super) fn items(settings: &Settings) -> Vec<AccountItem> {
    settings
        .accounts
        .iter()
        .map(|a| AccountItem {
            id: a.id.clone(),
            server: a.server.clone(),
            who: a.who.clone(),
            method: a.method.clone(),
            active: settings.active.as_deref() == Some(a.id.as_str()),
        })
        .collect()
}

/// Said when the account asked for is not among the saved ones.
fn unknown_account() -> Failure {
    Failure::plain(
        "invalid",
        Text::new("desk.unknown_account"),
        "That account is no longer saved on this computer.",
    )
}

/// The saved account `id`.
fn saved_account(s: &State, id: &str) -> Result<SavedAccount, Failure> {
    s.settings.account(id).cloned().ok_or_else(unknown_account)
}

/// Whether the account `id` is the one signed in on screen.
fn on_screen(s: &State, id: &str) -> bool {
    s.settings.active.as_deref() == Some(id) && s.account.is_some()
}

impl Desk {
    /// Switches to the saved account `id`: what the account on screen had not sent yet is
    /// not sent (as at sign-out, without signing it out), nothing of it stays, and the
    /// other account is signed in silently from its own keyring entry, as at launch. One
    /// whose sign-in has ended asks for it again; the others stay saved.
    pub async fn switch_account(&self, id: &str) -> Result<AppView, Failure> {
        let saved = {
            let s = self.state.lock().await;
            let saved = saved_account(&s, id)?;
            if on_screen(&s, id) && s.sign_in_reason.is_none() {
                return Ok(view_of(&s));
            }
            saved
        };
        self.leave_account(true).await;
        {
            let mut s = self.state.lock().await;
            s.settings.active = Some(saved.id.clone());
            s.settings.server = non_empty(&saved.server);
            self.save_settings(&s);
        }
        self.open_saved(&saved.server, Some(entry_of(&saved))).await;
        let mut s = self.state.lock().await;
        if s.account.is_none() && s.sign_in_reason.is_none() {
            // Its keyring entry is gone (or the keyring cannot be used): sign in again.
            s.sign_in_reason = Some(Text::new("desk.saved_sign_in_expired"));
        }
        Ok(view_of(&s))
    }

    /// Forgets the saved account `id`: its keyring entry is deleted and it leaves the
    /// menu. The account on screen is signed out (and the next one opens).
    pub async fn remove_account(&self, id: &str) -> Result<AppView, Failure> {
        let saved = {
            let s = self.state.lock().await;
            let saved = saved_account(&s, id)?;
            if on_screen(&s, id) {
                drop(s);
                return Ok(self.sign_out().await);
            }
            saved
        };
        let vault = self.vault.clone();
        let entry = entry_of(&saved);
        let deleted = blocking(move || vault.delete(&entry)).await;
        let mut s = self.state.lock().await;
        s.settings.remove_account(id);
        self.save_settings(&s);
        if let Err(e) = deleted {
            s.keyring_problem = Some(keyring_text(&e));
        }
        Ok(view_of(&s))
    }
}
