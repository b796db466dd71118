//! The one shape in which a failure reaches the web view: a kind the UI branches on, the
//! sentence as catalog keys (what failed and why) so the page says it in the user's
//! language, the English sentence (logs, and a fallback), and the support code.

use serde::Serialize;

use crate::api::{ApiError, ErrorKind};
use crate::text::Text;
use crate::vault::VaultError;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// auth, quota, rate_limited, not_found, invalid, server, network, timeout, keyring,
    /// unexpected.
    pub kind: &'static str,
    /// The sentence in English.
    pub message: Box<str>,
    /// What failed (`op.<key>`), when the sentence is "<what failed>: <why>."; `None`
    /// when `text` is the whole sentence.
    pub op: Option<&'static str>,
    /// Why (`reason.<key>`, with `{wait}` in seconds as `waitSecs`), or the whole sentence.
    /// Boxed: failures travel in `Result`s, which stay small.
    pub text: Box<Text>,
    /// The server's `x-error-id`, offered as "Copy support code".
    pub error_id: Option<String>,
    /// The server's own words (`x-error`), shown under "Details".
    pub server_message: Option<String>,
    /// For a 429: how long until the app tries again.
    pub retry_after_secs: Option<u64>,
}

impl Failure {
    /// A failure that is one sentence of the catalogs, for checks made before any request.
    pub fn plain(kind: &'static str, text: Text, english: impl Into<String>) -> Self {
        Failure {
            kind,
            message: english.into().into_boxed_str(),
            op: None,
            text: Box::new(text),
            error_id: None,
            server_message: None,
            retry_after_secs: None,
        }
    }
}

impl From<&ApiError> for Failure {
    fn from(e: &ApiError) -> Self {
        let kind = match e.kind() {
            ErrorKind::Auth => "auth",
            ErrorKind::Quota => "quota",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Server => "server",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            _ => "unexpected",
        };
        let retry_after_secs = e.retry_after().map(|d| d.as_secs_f64().ceil() as u64);
        let (op, text) = match e.refusal() {
            Some(key) => (None, Text::new(format!("refused.{key}"))),
            None => {
                let mut text = Text::new(format!("reason.{}", e.reason_key()));
                if let Some(secs) = retry_after_secs {
                    text = text.with("waitSecs", secs.to_string());
                }
                (e.operation().key(), text)
            }
        };
        Failure {
            kind,
            message: e.to_string().into_boxed_str(),
            op,
            text: Box::new(text),
            error_id: e.error_id().map(str::to_owned),
            server_message: e.server_message().map(str::to_owned),
            retry_after_secs,
        }
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::from(&e)
    }
}

/// What the keyring was asked to do when it failed: each says something else about what
/// it still holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyringStep {
    /// Keeping a sign-in, and nothing of it is there (the entry was never written, or a
    /// part written was removed again).
    Save,
    /// Keeping a sign-in failed part-way, and what was written could not be removed.
    SaveLeftBehind,
    /// Reading a saved sign-in: it is still there.
    Read,
    /// Removing a saved sign-in (signing out, removing an account): it may still be there.
    Remove,
}

/// What a keyring problem is called in the catalogs (`keyring.<key>`), when keeping a
/// sign-in failed and nothing of it is kept.
pub fn keyring_text(e: &VaultError) -> Text {
    keyring_text_at(e, KeyringStep::Save)
}

/// What a keyring problem at `step` is called in the catalogs: only a save that left
/// nothing says nothing secret was kept.
pub fn keyring_text_at(e: &VaultError, step: KeyringStep) -> Text {
    let detail = match e {
        VaultError::Failed(detail) => detail.clone(),
        other => other.to_string(),
    };
    match (step, e) {
        (KeyringStep::Save, VaultError::Unavailable) => Text::new("keyring.unavailable"),
        (KeyringStep::Save, VaultError::Locked) => Text::new("keyring.locked"),
        (KeyringStep::Save, VaultError::Failed(_)) => {
            Text::new("keyring.failed").with("detail", detail)
        }
        (KeyringStep::Save, VaultError::TooLong) => Text::new("keyring.too_long"),
        (KeyringStep::SaveLeftBehind, _) => {
            Text::new("keyring.save_left_behind").with("detail", detail)
        }
        (KeyringStep::Read, VaultError::Locked) => Text::new("keyring.read_locked"),
        (KeyringStep::Read, _) => Text::new("keyring.read_failed").with("detail", detail),
        (KeyringStep::Remove, _) => Text::new("keyring.not_removed").with("detail", detail),
    }
}

impl From<VaultError> for Failure {
    fn from(e: VaultError) -> Self {
        Failure::plain("keyring", keyring_text(&e), e.to_string())
    }
}
