//! Leaving an account: the part of a switch, sign-out and removal that lets the account
//! on screen go (nothing it asked for is sent from now on, its history closed, its list
//! kept or forgotten), and what only a sign-out or a removal does: the keyring entry
//! deleted, the email session closed on its own server, the next saved account opened.

use std::time::Duration;

use super::super::accounts;
use super::super::open::Saved;
use super::super::{blocking, view_of, AppView, Desk};
use super::saved_account;
use crate::failure::{keyring_text_at, Failure, KeyringStep};
use crate::history::New;
use crate::session::{Account, Method};
use crate::vault::StoredCredentials;

/// How long the server may take to close a session at sign-out, in the background.
const SIGN_OUT_PATIENCE: Duration = Duration::from_secs(30);

impl Desk {
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
        let _change = self.changes.begin().await;
        self.sign_out_now().await
    }

    async fn sign_out_now(&self) -> AppView {
        self.record(New {
            what: "sign_out".into(),
            ..New::default()
        });
        let account = self.leave_account(false).await;
        if let Some(account) = account {
            if account.method != Method::Demo {
                // One held for this run has no keyring entry to delete.
                let held = {
                    let s = self.state.lock().await;
                    accounts::saved(&account).is_some_and(|(saved, _)| {
                        s.settings.account(&saved.id).is_none()
                            && s.held.iter().any(|h| h.saved.id == saved.id)
                    })
                };
                let deleted = if held {
                    Ok(())
                } else {
                    let vault = self.vault.clone();
                    let entries = accounts::entries_of(&account);
                    blocking(move || entries.iter().try_for_each(|entry| vault.delete(entry))).await
                };
                let mut s = self.state.lock().await;
                let removed = accounts::saved(&account).map(|(saved, _)| saved.id);
                if let Some(id) = &removed {
                    s.settings.remove_account(id);
                    s.held.retain(|h| &h.saved.id != id);
                    self.forget_list(id);
                    self.save_settings(&s);
                }
                if let Err(e) = deleted {
                    s.keyring_problem = Some(keyring_text_at(&e, KeyringStep::Remove));
                }
                drop(s);
                if let Some(id) = removed {
                    // Nothing runs for an account this computer no longer keeps.
                    self.forget_schedules(&id).await;
                }
            }
            close_on_server(account);
        }
        // On to the next saved account, if there is one.
        let next = self.state.lock().await.settings.accounts.first().cloned();
        if let Some(next) = next {
            if let Ok(view) = self.switch_to(&next.id).await {
                return view;
            }
        }
        self.view().await
    }

    /// Forgets the saved account `id` as Sign out does: its keyring entry is deleted, its
    /// email session closed on its own server (in the background), and it leaves the
    /// menu. The account on screen is signed out (and the next one opens).
    pub async fn remove_account(&self, id: &str) -> Result<AppView, Failure> {
        let _change = self.changes.begin().await;
        let (saved, secret) = {
            let s = self.state.lock().await;
            let (saved, secret) = saved_account(&s, id)?;
            if accounts::on_screen(&s).as_deref() == Some(id) {
                drop(s);
                return Ok(self.sign_out_now().await);
            }
            (saved, secret)
        };
        let (stored, deleted) = match secret {
            // Held for this run: its secret is in memory, and no entry is in the keyring.
            Saved::Held(stored, _) => (Some(stored), Ok(())),
            Saved::Entry(_) => {
                let vault = self.vault.clone();
                let entry = accounts::entry_of(&saved);
                blocking(move || {
                    // What it held, to close its session; read before the entry goes.
                    let stored = vault.load(&entry).ok().flatten();
                    Ok((stored, vault.delete(&entry)))
                })
                .await
                .unwrap_or_else(|e| (None, Err(e)))
            }
        };
        if let Some(stored @ StoredCredentials::Session { .. }) = stored {
            if let Some(base) = self.base_for(&saved.base).await {
                close_on_server(Account::unconfirmed(&base, &stored, &saved.base));
            }
        }
        self.forget_list(id);
        self.forget_schedules(id).await;
        let mut s = self.state.lock().await;
        s.settings.remove_account(id);
        s.held.retain(|h| h.saved.id != id);
        self.save_settings(&s);
        if let Err(e) = deleted {
            s.keyring_problem = Some(keyring_text_at(&e, KeyringStep::Remove));
        }
        Ok(view_of(&s))
    }
}

/// Asks `account`'s own server to close its session, in the background (a key pair has
/// none to close).
pub(super) fn close_on_server(account: Account) {
    if account.method != Method::Email {
        return;
    }
    tokio::spawn(async move {
        match tokio::time::timeout(SIGN_OUT_PATIENCE, account.sign_out()).await {
            Ok(Ok(())) => log::info!("sign-out: the server session was closed"),
            Ok(Err(e)) => {
                log::warn!("sign-out: the server session could not be closed: {e}")
            }
            Err(_) => {
                log::warn!("sign-out: the server did not answer; the session will expire by itself")
            }
        }
    });
}
