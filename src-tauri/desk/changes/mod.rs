//! Account changes, one at a time and in the order they were asked for: the launch's
//! silent sign-in, a sign-in made on the sign-in screen, a saved sign-in confirmed late,
//! a switch, a sign-out, a removal. Each takes [`Changes`] for its whole course, so none
//! starts while another is half done; of several switches asked for while one runs, only
//! the last asked is made (the last asked wins). Whatever answers late is judged against
//! the account it was for: a refusal marks that account, never the one on screen.

mod leave;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{Mutex, MutexGuard};

use leave::close_on_server;

use super::accounts::{self, DEMO_ACCOUNT};
use super::open::{Opened, Saved};
use super::{view_of, AppView, Desk, State};
use crate::failure::Failure;
use crate::history::New;
use crate::session::Account;
use crate::settings::SavedAccount;
use crate::text::Text;

/// The one ordering of account changes.
#[derive(Default)]
pub(super) struct Changes {
    one_at_a_time: Mutex<()>,
    /// The number of the switch asked for last.
    asked: AtomicU64,
    /// The saved account of each recent sign-in number, newest last: a refusal that comes
    /// after its sign-in ended marks the account it was for.
    owners: std::sync::Mutex<VecDeque<(u64, String)>>,
}

/// How many sign-ins back a late answer is still traced to its account.
const OWNERS_KEPT: usize = 16;

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

    /// The sign-in numbered `owner` is of the saved account `id`.
    pub(super) fn note_owner(&self, owner: u64, id: &str) {
        let mut owners = self.owners.lock().unwrap_or_else(|p| p.into_inner());
        if owners.len() == OWNERS_KEPT {
            owners.pop_front();
        }
        owners.push_back((owner, id.to_owned()));
    }

    /// The saved account the sign-in numbered `owner` was of, if it was one.
    fn account_of(&self, owner: u64) -> Option<String> {
        let owners = self.owners.lock().unwrap_or_else(|p| p.into_inner());
        owners
            .iter()
            .find(|(number, _)| *number == owner)
            .map(|(_, id)| id.clone())
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
    ///
    /// The account on screen signed in again (Add account… with its own key or email)
    /// stays as it is, its list and its history's entries going on: one account, said.
    pub(super) async fn sign_in_made(&self, account: Account, typed: &str) {
        let _change = self.changes.begin().await;
        {
            let mut s = self.state.lock().await;
            let on_screen = s.sign_in_reason.is_none()
                && s.account
                    .as_ref()
                    .is_some_and(|a| a.confirmed && a.same_account(&account));
            if on_screen {
                s.notice = Some(Text::new("accounts.already_added"));
                drop(s);
                // The sign-in just made is not needed: its session is closed at once.
                close_on_server(account);
                return;
            }
        }
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
            // Not the account on screen's: it marks the account it was for (unless that
            // one is on screen again, signed in anew since), and nothing else.
            let on_screen = accounts::on_screen(&s);
            match self.changes.account_of(owner) {
                Some(id) if on_screen.as_ref() != Some(&id) => {
                    log::info!("session: a late refusal marks the account it was for");
                    accounts::mark_refused(&mut s, &id);
                    self.save_settings(&s);
                }
                _ => log::info!("session: a late refusal of an earlier sign-in was ignored"),
            }
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
