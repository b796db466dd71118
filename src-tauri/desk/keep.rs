//! Keeping the account good while the app runs: a saved sign-in the server could not be
//! asked about at launch is asked about again until it answers, and an email session is
//! extended before it expires (when: `session::renewal`).

use std::time::{Duration, Instant};

use super::Desk;
use crate::api::ErrorKind;
use crate::failure::Failure;
use crate::session::{self, Account, RENEW_LOOK_AGAIN, RENEW_RETRY};

/// News about the signed-in account, from [`Desk::keep_sessions_alive`].
#[derive(Debug)]
pub enum AccountNews {
    /// The server no longer accepts the sign-in.
    Lost(Failure),
    /// A saved sign-in kept while the server was out of reach has been accepted; the
    /// view now shows whose it is.
    Confirmed,
    /// What the account menu shows changed (a saved account found signed out).
    Accounts,
}

impl Desk {
    /// Keeps the account good for as long as the app runs: asks the server about a
    /// saved sign-in it could not be asked about at launch (with back-off) and extends an
    /// email session before it expires, planning again on every sign-in and sign-out.
    /// Reports through `news` when the server no longer accepts the sign-in, or has
    /// accepted a saved one.
    pub async fn keep_sessions_alive(&self, news: impl Fn(AccountNews)) {
        if self.check_saved_entries().await {
            news(AccountNews::Accounts);
        }
        loop {
            let wait = self
                .renewal_due_in()
                .await
                .map_or(RENEW_LOOK_AGAIN, |d| d.min(RENEW_LOOK_AGAIN));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.account_changed.notified() => continue,
            }
            let owner = self.owner.current();
            let result = match self.confirm_saved().await {
                Some(result) => result,
                None => self.keep_alive().await.map(AccountNews::Lost),
            };
            match result {
                Some(AccountNews::Lost(failure)) => {
                    // Marked here, before planning again: the refused session is not retried.
                    self.auth_lost(owner, &failure).await;
                    news(AccountNews::Lost(failure));
                }
                Some(other) => news(other),
                None => {}
            }
        }
    }

    /// Asks the server about a saved sign-in that could not be checked at launch, when
    /// that is due. `None` when nothing was due; `Some(None)` when it is still out of reach.
    /// The answer is applied as an account change, in its turn: a sign-out or a switch
    /// cannot come in between (nor wait for a keyring prompt behind the state's lock). A
    /// refusal that comes after the account left the screen still marks that account.
    async fn confirm_saved(&self) -> Option<Option<AccountNews>> {
        let (account, owner) = {
            let s = self.state.lock().await;
            if !s.confirm?.is_due(Instant::now()) {
                return Some(None);
            }
            (s.account.clone()?, self.owner.current())
        };
        let stored = account.to_store()?;
        let home = account.client().base_url().to_string();
        let result = Account::restore(account.client(), &stored, &home, session::now()).await;
        let _change = self.changes.begin().await;
        let on_screen = {
            let s = self.state.lock().await;
            s.confirm.is_some() && s.account.as_ref().is_some_and(|a| a.same_sign_in(&account))
        };
        if !on_screen {
            // Signed out, or another account opened meanwhile: a refusal is still this
            // account's, and marks it.
            if let (Err(e), Some((saved, _))) = (&result, super::accounts::saved(&account)) {
                if e.kind() == ErrorKind::Auth {
                    let mut s = self.state.lock().await;
                    super::accounts::mark_refused(&mut s, &saved.id);
                    self.save_settings(&s);
                }
            }
            return Some(None);
        }
        let confirmed = match result {
            Ok(confirmed) => confirmed,
            Err(e) if e.kind() == ErrorKind::Auth => {
                self.state.lock().await.confirm = None;
                return Some(Some(AccountNews::Lost(Failure::from(&e))));
            }
            Err(e) => {
                log::info!("session: the saved sign-in still cannot be checked: {e}");
                let mut s = self.state.lock().await;
                s.confirm = s.confirm.map(|check| check.failed_again(Instant::now()));
                return Some(None);
            }
        };
        log::info!("session: the saved sign-in was accepted");
        // The account's own history, read before the state is locked, when the one in use
        // is kept in memory or under another identity.
        let own = if self.history_identity(owner) != confirmed.identity() {
            Some(self.open_history(&confirmed).await)
        } else {
            None
        };
        // The secret goes to the account's own entry (an earlier version's moves there and
        // learns whose session it is, for the next launch without the network).
        let saved = super::accounts::saved(&confirmed);
        if let (Some((_, entry)), Some(secret)) = (&saved, confirmed.to_store()) {
            if let Some((e, _)) = self.keep_secret(&confirmed, entry, secret).await {
                log::warn!("session: the saved sign-in could not be kept: {e}");
            }
        }
        let mut s = self.state.lock().await;
        if let Some(warning) = self.history_confirmed(owner, &confirmed, own) {
            s.history_warning = Some(warning);
        }
        if let Some((saved, _)) = saved {
            super::accounts::remember(&mut s.settings, saved);
            self.save_settings(&s);
        }
        s.account = Some(confirmed);
        s.confirm = None;
        Some(Some(AccountNews::Confirmed))
    }

    /// How long until the account needs looking after: a saved sign-in to confirm, or a
    /// session to extend; `None` when nothing does (signed out, a key pair, or waiting
    /// for the user to sign in again).
    async fn renewal_due_in(&self) -> Option<Duration> {
        let s = self.state.lock().await;
        if s.sign_in_reason.is_some() {
            return None;
        }
        if let Some(check) = s.confirm {
            return Some(check.due_in(Instant::now()));
        }
        let at = s.account.as_ref()?.renew_at()?;
        Some(session::due_in(at, session::now()))
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
        let current = s.account.as_mut().filter(|a| a.same_sign_in(&account))?;
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
}
