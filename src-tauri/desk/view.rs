//! What the web view is told of the app (`AppView`): the account on screen and where it
//! points, the saved accounts, the one asking to sign in again, and any banner; and the
//! window's title that goes with it.

use serde::Serialize;

use super::accounts::{self, AccountItem};
use super::{Desk, State};
use crate::api::PRODUCTION_BASE;
use crate::session::AccountView;
use crate::settings::SortPreference;
use crate::text::Text;
use crate::whats_new::WhatsNew;

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
    pub keyring_problem: Option<Text>,
    pub settings_warning: Option<Text>,
    /// Why the signed-in account's history was started anew, for a banner.
    pub history_warning: Option<Text>,
    /// Why the sign-in screen is showing again (the session ended while in use).
    pub sign_in_reason: Option<Text>,
    pub sort: Option<SortPreference>,
    /// The accounts saved on this computer, the one on screen marked.
    pub accounts: Vec<AccountItem>,
    /// The saved account the sign-in screen asks to sign in again (its sign-in was
    /// refused or its keyring entry is gone): the screen names it and offers its own
    /// server and email, never another account's.
    pub asking: Option<AccountItem>,
    /// Something to tell the person after the sign-in that answered with this view (an
    /// account added again is the one kept already); the page says it once.
    pub notice: Option<Text>,
    /// What is new in this version, with the first view after an update only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub whats_new: Option<WhatsNew>,
}

impl Desk {
    pub async fn view(&self) -> AppView {
        let s = self.state.lock().await;
        view_of(&s)
    }

    /// The window's title for news of the sign-in `owner` (a desktop notification's):
    /// `None` once that sign-in ended. Judged under the state's lock, which every account
    /// change holds while the number moves on, so it never names the next account.
    pub async fn title_of(&self, owner: u64) -> Option<Text> {
        let s = self.state.lock().await;
        (owner == self.owner.current()).then(|| view_of(&s).title())
    }
}

impl AppView {
    /// The name of the account on screen as the person reads it: the one they gave it,
    /// else whom its server names; `None` when signed out or nameless.
    pub fn account_name(&self) -> Option<&str> {
        if !self.account.signed_in {
            return None;
        }
        let a = self.accounts.iter().find(|a| a.active)?;
        [&a.name, &a.who]
            .into_iter()
            .map(|n| n.as_str())
            .find(|n| !n.is_empty())
    }

    /// The window's title: the app, with the account on screen or the demo.
    pub fn title(&self) -> Text {
        match self.account_name() {
            _ if self.demo => Text::new("window.title_demo"),
            Some(name) => Text::new("window.title_account").with("account", name),
            None => Text::new("app.name"),
        }
    }
}

pub(super) fn view_of(s: &State) -> AppView {
    let signed_in = s.sign_in_reason.is_none();
    let accounts = accounts::items(s);
    let asking = (!signed_in || s.account.is_none())
        .then(|| accounts.iter().find(|a| a.active).cloned())
        .flatten();
    AppView {
        account: match (&s.account, signed_in) {
            (Some(account), true) => account.view(),
            _ => AccountView::signed_out(),
        },
        server: s.settings.server.clone().unwrap_or_default(),
        production_server: PRODUCTION_BASE,
        demo: s.settings.demo && s.account.is_some(),
        last_email: s.settings.last_email.clone(),
        code_sent_to: s.email.as_ref().map(|(e, _)| e.email.clone()),
        keyring_problem: s.keyring_problem.clone(),
        settings_warning: s.settings_warning.clone(),
        history_warning: s.history_warning.clone(),
        sign_in_reason: s.sign_in_reason.clone(),
        sort: s.settings.sort.clone(),
        accounts,
        asking,
        notice: s.notice.clone(),
        whats_new: None,
    }
}
