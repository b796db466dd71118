//! The accounts saved on this computer: each signed-in account (an email session or an
//! API key; the demo is one entry of the menu, kept nowhere) is kept in the settings by
//! server and identity, with the name and colour the person gave it, never its secret,
//! which has a keyring entry of its own named by its server and identity. So two keys on
//! one server and one key on two servers are different accounts, and the same sign-in
//! added twice is one. The app reopens on the account used last. When the keyring cannot
//! be used, an account is held for this run only (its secret in memory, as the signed-in
//! account's is) and the menu says so.

use serde::Serialize;

use super::{blocking, view_of, AppView, Desk, State};
use crate::api::PRODUCTION_BASE;
use crate::failure::Failure;
use crate::fingerprint;
use crate::session::{Account, Method};
use crate::settings::{free_colour, SavedAccount, Settings, ACCOUNT_COLOURS, ACCOUNT_NAME_MAX};
use crate::text::Text;
use crate::vault::{entry_name, StoredCredentials};

/// The demo's id in the account menu: it is no saved account.
pub const DEMO_ACCOUNT: &str = "demo";

/// An account held for this run only: the keyring could not keep its secret.
pub(super) struct Held {
    pub saved: SavedAccount,
    pub stored: StoredCredentials,
}

/// `account` as the settings keep it, and the name of its keyring entry; `None` for the
/// demo (nothing of it is kept) and for a sign-in whose identity is not known yet (a
/// saved session from an earlier version, not checked yet: it keeps its old entry).
/// Its server is the one that accepted its credentials, and no other: the address is
/// read from its own client, never from what was typed or used for another account.
pub(super) fn saved(account: &Account) -> Option<(SavedAccount, String)> {
    if account.method == Method::Demo {
        return None;
    }
    let identity = account.identity()?;
    let base = account.client().base_url().to_string();
    let entry = entry_name(&base, &identity);
    let saved = SavedAccount {
        id: fingerprint::hex(format!("{base}\n{identity}").as_bytes()),
        server: server_as_shown(&base),
        base,
        identity,
        who: account.user.clone(),
        method: match account.method {
            Method::Email => "email",
            Method::ApiKey => "api_key",
            Method::Demo => "demo",
        }
        .to_owned(),
        email: account.email.clone().unwrap_or_default(),
        name: String::new(),
        colour: String::new(),
        refused: false,
    };
    Some((saved, entry))
}

/// The address a saved account shows for its server: empty for ThreatWinds production,
/// else its base address (without the final `/`).
fn server_as_shown(base: &str) -> String {
    let production = url::Url::parse(PRODUCTION_BASE).map(|u| u.to_string());
    if production.as_deref() == Ok(base) {
        String::new()
    } else {
        base.trim_end_matches('/').to_owned()
    }
}

/// The keyring entry of the saved account `a`.
pub(super) fn entry_of(a: &SavedAccount) -> String {
    entry_name(&a.base, &a.identity)
}

/// The keyring entries that may hold `account`'s secret: its own, and the one earlier
/// versions named by the server alone.
pub(super) fn entries_of(account: &Account) -> Vec<String> {
    let legacy = account.client().base_url().to_string();
    let own = saved(account).map(|(_, entry)| entry);
    own.into_iter().chain([legacy]).collect()
}

/// Keeps `saved` as the account the app reopens on; false when it was kept already (the
/// same sign-in again).
pub(super) fn remember(settings: &mut Settings, saved: SavedAccount) -> bool {
    settings.active = Some(saved.id.clone());
    settings.save_account(saved)
}

/// Holds `saved` and its secret for this run only (the keyring could not keep them), as
/// the account in use; one held already keeps its place, name and colour.
pub(super) fn hold(s: &mut State, mut saved: SavedAccount, stored: StoredCredentials) {
    s.settings.active = Some(saved.id.clone());
    if let Some(known) = s.held.iter_mut().find(|h| h.saved.id == saved.id) {
        saved.name = std::mem::take(&mut known.saved.name);
        saved.colour = std::mem::take(&mut known.saved.colour);
        *known = Held { saved, stored };
        return;
    }
    if let Some(known) = s.settings.account(&saved.id) {
        saved.name = known.name.clone();
        saved.colour = known.colour.clone();
    } else {
        // A colour no account has, saved or held, as a saved one is given.
        let saved_colours = s.settings.accounts.iter().map(|a| a.colour.as_str());
        let held_colours = s.held.iter().map(|h| h.saved.colour.as_str());
        saved.colour = free_colour(saved_colours.chain(held_colours)).to_owned();
    }
    s.held.push(Held { saved, stored });
}

/// The server refused the saved sign-in of the account `id`: the menu marks it, with
/// "Sign in again", until it is signed in again.
pub(super) fn mark_refused(s: &mut State, id: &str) {
    if let Some(a) = s.settings.account_mut(id) {
        a.refused = true;
    }
    if let Some(h) = s.held.iter_mut().find(|h| h.saved.id == id) {
        h.saved.refused = true;
    }
}

/// An account as the account menu shows it; no secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountItem {
    pub id: String,
    /// The name the person gave it; empty for its own (whom the server names, and the
    /// server).
    pub name: String,
    /// One of [`ACCOUNT_COLOURS`].
    pub colour: String,
    /// The server's address as typed; empty for ThreatWinds production.
    pub server: String,
    /// Whom the server said was signed in; empty when it gave no name.
    pub who: String,
    /// `email` or `api_key`.
    pub method: String,
    /// The email it signs in with; empty for a key pair.
    pub email: String,
    /// The account on screen.
    pub active: bool,
    /// The server refused its saved sign-in: "Sign in again".
    pub refused: bool,
    /// Its keyring entry is gone (the settings still name it): "Sign in again".
    pub signed_out: bool,
    /// Kept for this run only: the keyring could not keep it.
    pub this_run_only: bool,
}

fn item(a: &SavedAccount, active: bool, this_run_only: bool, signed_out: bool) -> AccountItem {
    AccountItem {
        id: a.id.clone(),
        name: a.name.clone(),
        colour: a.colour.clone(),
        server: a.server.clone(),
        who: a.who.clone(),
        method: a.method.clone(),
        email: a.email.clone(),
        active,
        refused: a.refused,
        signed_out,
        this_run_only,
    }
}

/// The saved accounts, in the order they were added (those held for this run after the
/// others); the page adds the demo's line ([`DEMO_ACCOUNT`]) to the menu.
pub(super) fn items(s: &State) -> Vec<AccountItem> {
    let demo = s.settings.demo && s.account.is_some();
    let active = |a: &SavedAccount| !demo && s.settings.active.as_deref() == Some(a.id.as_str());
    let saved = s
        .settings
        .accounts
        .iter()
        .map(|a| item(a, active(a), false, s.signed_out.contains(&a.id)));
    let held = s
        .held
        .iter()
        .filter(|h| s.settings.account(&h.saved.id).is_none())
        .map(|h| item(&h.saved, active(&h.saved), true, false));
    saved.chain(held).collect()
}

/// The name the person gave an account: trimmed, at most [`ACCOUNT_NAME_MAX`] characters,
/// on one line; empty gives it back its own.
fn checked_name(name: &str) -> Result<String, Failure> {
    let name = name.trim();
    if name.chars().count() > ACCOUNT_NAME_MAX {
        return Err(Failure::plain(
            "invalid",
            Text::new("desk.account_name_long").with("max", ACCOUNT_NAME_MAX.to_string()),
            format!("An account's name can have at most {ACCOUNT_NAME_MAX} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Failure::plain(
            "invalid",
            Text::new("desk.account_name_line"),
            "An account's name is one line of text.",
        ));
    }
    Ok(name.to_owned())
}

/// Said when the account asked for is not among the saved ones.
pub(super) fn unknown_account() -> Failure {
    Failure::plain(
        "invalid",
        Text::new("desk.unknown_account"),
        "That account is no longer saved on this computer.",
    )
}

/// The id of the saved account signed in on screen, if one is (not the demo).
pub(super) fn on_screen(s: &State) -> Option<String> {
    (s.account.is_some() && !s.settings.demo)
        .then(|| s.settings.active.clone())
        .flatten()
}

impl Desk {
    /// Looks in the keyring, once after launch, for the entry of each saved account not on
    /// screen: one whose entry is gone (deleted by hand, or by another program) is shown
    /// signed out in the menu rather than found so when the person switches to it. True
    /// when one was.
    pub async fn check_saved_entries(&self) -> bool {
        let entries: Vec<(String, String)> = {
            let s = self.state.lock().await;
            let active = s.settings.active.clone();
            s.settings
                .accounts
                .iter()
                .filter(|a| Some(&a.id) != active.as_ref())
                .map(|a| (a.id.clone(), entry_of(a)))
                .collect()
        };
        if entries.is_empty() {
            return false;
        }
        let vault = self.vault.clone();
        let gone = blocking(move || {
            let mut gone = Vec::new();
            for (id, entry) in entries {
                if vault.load(&entry)?.is_none() {
                    gone.push(id);
                }
            }
            Ok(gone)
        })
        .await;
        match gone {
            Ok(gone) if !gone.is_empty() => {
                self.state.lock().await.signed_out.extend(gone);
                true
            }
            Ok(_) => false,
            Err(e) => {
                log::info!("accounts: the keyring could not be asked about the saved ones: {e}");
                false
            }
        }
    }

    /// Gives the account `id` the name `name` (empty: its own again) and the colour
    /// `colour`. A name too long or on more than one line is refused, and nothing changes.
    pub async fn edit_account(
        &self,
        id: &str,
        name: &str,
        colour: &str,
    ) -> Result<AppView, Failure> {
        let name = checked_name(name)?;
        if !ACCOUNT_COLOURS.contains(&colour) {
            return Err(Failure::plain(
                "invalid",
                Text::new("desk.account_colour_unknown"),
                format!("There is no account colour named “{colour}”."),
            ));
        }
        let mut s = self.state.lock().await;
        let mut found = false;
        if let Some(a) = s.settings.account_mut(id) {
            (a.name, a.colour) = (name.clone(), colour.to_owned());
            found = true;
        }
        if let Some(h) = s.held.iter_mut().find(|h| h.saved.id == id) {
            (h.saved.name, h.saved.colour) = (name, colour.to_owned());
            found = true;
        }
        if !found {
            return Err(unknown_account());
        }
        self.save_settings(&s);
        Ok(view_of(&s))
    }
}
