//! The accounts saved on this computer: each signed-in account (an email session or an
//! API key; not the demo) is kept in the settings by name, server and identity, never its
//! secret, which has a keyring entry of its own named by its server and identity. So two
//! keys on one server and one key on two servers are different accounts, and the same
//! sign-in added twice is one. The app reopens on the account used last.

use crate::fingerprint;
use crate::session::{Account, Method};
use crate::settings::{SavedAccount, Settings};
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

/// Keeps `saved` as the account the app reopens on.
pub(super) fn remember(settings: &mut Settings, saved: SavedAccount) {
    settings.active = Some(saved.id.clone());
    settings.save_account(saved);
}
