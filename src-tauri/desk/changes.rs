//! Account changes, one at a time and in the order they were asked for: the launch's
//! silent sign-in, a sign-in made on the sign-in screen, a saved sign-in confirmed late,
//! a switch, a sign-out, a removal. Each takes [`Changes`] for its whole course, so none
//! starts while another is half done; of several switches asked for while one runs, only
//! the last asked is made (the last asked wins). Whatever answers late is judged against
//! the account it was for: a refusal marks that account, never the one on screen.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{Mutex, MutexGuard};

use super::accounts::{self, DEMO_ACCOUNT};
use super::open::{Opened, Saved};
use super::{blocking, view_of, AppView, Desk, State};
use crate::failure::{keyring_text, Failure};
use crate::history::New;
use crate::session::{Account, Method};
use crate::settings::SavedAccount;
use crate::text::Text;
use crate::vault::StoredCredentials;

/// How long the server may take to close a session at sign-out, in the background.
const SIGN_OUT_PATIENCE: Duration = Duration::from_secs(30);

/// The one ordering of account changes.
#[derive(Default)]
pub(super) struct Changes {
    one_at_a_time: Mutex<()>,
    /// The number of the switch asked for last.
    asked: AtomicU64,
}

impl Changes {
    /// Waits until no other change is under way; the change holds the guard to its end.
    pub(super) async fn begin(&self) -> MutexGuard<'_, ()> {
        self.one_at_a_time.lock().await
    }

    /// A switch is asked for: its number.
    fn ask(&self) -> u64 {
        self.asked.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Whether the switch `asked` is still the last asked for.
    fn is_last(&self, asked: u64) -> bool {
        self.asked.load(Ordering::SeqCst) == asked
    }
}

impl Desk {
    /// Signs in silently at launch: the demo if that was the last choice (or `--demo`),
    /// else the account used last (or, when that is not a saved one, the first saved),
    /// from its own keyring entry.
    pub async fn restore(&self) -> AppView {
        let _change = self.changes.begin().await;
        let (demo, server, active) = {
            let s = self.state.lock().await;
            let active = s
                .settings
                .active_account()
                .or(s.settings.accounts.first())
                .cloned();
            (
                self.options.demo || s.settings.demo,
                s.settings.server.clone().unwrap_or_default(),
                active,
            )
        };
        if demo {
            if let Err(f) = self.open_demo().await {
                log::warn!("startup: the demo could not start: {}", f.message);
            }
            return self.view().await;
        }
        match active {
            Some(saved) => {
                self.state.lock().await.settings.active = Some(saved.id.clone());
                let entry = accounts::entry_of(&saved);
                let opened = self
                    .open_saved(&saved.server, Saved::Entry(Some(entry)))
                    .await;
                if opened == Opened::Refused {
                    self.refused_at_open(Some(&saved.id)).await;
                }
            }
            // Before accounts were kept, the one entry was named by the server.
            None => {
                if self.open_saved(&server, Saved::Entry(None)).await == Opened::Refused {
                    self.refused_at_open(None).await;
                }
            }
        }
        self.view().await
    }

    /// A sign-in made on the sign-in screen (a key checked, a code verified) becomes the
    /// account on screen, in its turn among the account changes.
    pub(super) async fn sign_in_made(&self, account: Account, typed: &str) {
        let _change = self.changes.begin().await;
        self.signed_in(account, Some(typed)).await;
    }

    /// Switches to the saved account `id`: what the account on screen had not sent yet is
    /// not sent (as at sign-out, without signing it out), nothing of it stays, and the
    /// other account is signed in silently from its own keyring entry, as at launch. One
    /// whose sign-in has ended asks for it again; the others stay saved. A switch asked
    /// for while another runs waits for it; one overtaken by a newer switch meanwhile is
    /// not made.
    pub async fn switch_account(&self, id: &str) -> Result<AppView, Failure> {
        let asked = self.changes.ask();
        let _change = self.changes.begin().await;
        if !self.changes.is_last(asked) {
            log::info!("accounts: a switch was overtaken by a newer one, not made");
            return Ok(self.view().await);
        }
        self.switch_to(id).await
    }

    async fn switch_to(&self, id: &str) -> Result<AppView, Failure> {
        if id == DEMO_ACCOUNT {
            let view = self.view().await;
            if view.demo {
                return Ok(view);
            }
            self.leave_account(true).await;
            let view = self.open_demo().await?;
            self.record(New {
                what: "sign_in".into(),
                ..New::default()
            });
            return Ok(view);
        }
        let (saved, secret) = {
            let s = self.state.lock().await;
            let (saved, secret) = saved_account(&s, id)?;
            if accounts::on_screen(&s).as_deref() == Some(id) && s.sign_in_reason.is_none() {
                return Ok(view_of(&s));
            }
            (saved, secret)
        };
        self.leave_account(true).await;
        {
            let mut s = self.state.lock().await;
            s.settings.active = Some(saved.id.clone());
            // The address the sign-in screen offers, should this account ask again. (It
            // decides nothing of where a credential goes: see `open.rs`.)
            s.settings.server = super::non_empty(&saved.server);
            self.save_settings(&s);
        }
        let opened = self.open_saved(&saved.server, secret).await;
        self.after_open(&saved.id, opened).await;
        Ok(self.view().await)
    }

    /// After a saved account `id` was opened silently: one the server refused is marked
    /// (its own mark, whatever is on screen) and the sign-in screen asks again; one with
    /// nothing to open (its keyring entry gone) is shown signed out.
    async fn after_open(&self, id: &str, opened: Opened) {
        match opened {
            Opened::Open => {}
            Opened::Refused => self.refused_at_open(Some(id)).await,
            Opened::Nothing => {
                let mut s = self.state.lock().await;
                if s.account.is_none() && s.sign_in_reason.is_none() {
                    s.sign_in_reason = Some(Text::new("desk.saved_sign_in_expired"));
                    s.signed_out.insert(id.to_owned());
                }
            }
        }
    }

    /// The server refused the saved sign-in being opened (of the saved account `id`).
    async fn refused_at_open(&self, id: Option<&str>) {
        let mut s = self.state.lock().await;
        s.sign_in_reason = Some(Text::new("desk.saved_sign_in_expired"));
        if let Some(id) = id {
            accounts::mark_refused(&mut s, id);
        }
        self.save_settings(&s);
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
            if let Some(id) = s.settings.active.clone() {
                accounts::mark_refused(&mut s, &id);
            }
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
                let vault = self.vault.clone();
                let entries = accounts::entries_of(&account);
                let deleted =
                    blocking(move || entries.iter().try_for_each(|entry| vault.delete(entry)))
                        .await;
                let mut s = self.state.lock().await;
                if let Some((saved, _)) = accounts::saved(&account) {
                    s.settings.remove_account(&saved.id);
                    s.held.retain(|h| h.saved.id != saved.id);
                    self.forget_list(&saved.id);
                    self.save_settings(&s);
                }
                if let Err(e) = deleted {
                    s.keyring_problem = Some(keyring_text(&e));
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
        let vault = self.vault.clone();
        let entry = accounts::entry_of(&saved);
        let (stored, deleted) = blocking(move || {
            // What it held, to close its session; read before the entry goes.
            let stored = vault.load(&entry).ok().flatten();
            Ok((stored, vault.delete(&entry)))
        })
        .await
        .unwrap_or_else(|e| (None, Err(e)));
        let stored = match secret {
            Saved::Held(stored, _) => Some(stored),
            Saved::Entry(_) => stored,
        };
        if let Some(stored @ StoredCredentials::Session { .. }) = stored {
            if let Some(base) = self.base_for(&saved.base).await {
                close_on_server(Account::unconfirmed(&base, &stored, &saved.base));
            }
        }
        self.forget_list(id);
        let mut s = self.state.lock().await;
        s.settings.remove_account(id);
        s.held.retain(|h| h.saved.id != id);
        self.save_settings(&s);
        if let Err(e) = deleted {
            s.keyring_problem = Some(keyring_text(&e));
        }
        Ok(view_of(&s))
    }
}

/// Asks `account`'s own server to close its session, in the background (a key pair has
/// none to close).
fn close_on_server(account: Account) {
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

/// The account `id` and where its secret is: held for this run (with the server it
/// belongs to), or its keyring entry.
fn saved_account(s: &State, id: &str) -> Result<(SavedAccount, Saved), Failure> {
    if let Some(h) = s.held.iter().find(|h| h.saved.id == id) {
        return Ok((
            h.saved.clone(),
            Saved::Held(h.stored.clone(), h.saved.base.clone()),
        ));
    }
    let saved = s
        .settings
        .account(id)
        .cloned()
        .ok_or_else(accounts::unknown_account)?;
    let entry = accounts::entry_of(&saved);
    Ok((saved, Saved::Entry(Some(entry))))
}
