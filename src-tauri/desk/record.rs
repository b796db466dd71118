//! The history of what this desk did for the signed-in account (`history`): opened at
//! every sign-in, written as things happen, and settled when the watcher sees a machine
//! get where an action leads (or not): an action counts as done when the server shows it
//! done, not when the request was accepted.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;

use super::Desk;
use crate::failure::Failure;
use crate::history::{Entry, History, New, Outcome, Said};
use crate::session::Account;
use crate::text::Text;
use crate::watch::{Finished, Sink, Snapshot};

/// The open history, shared with the watcher's sink.
pub(super) type Shared = Arc<Mutex<Option<History>>>;

/// Said of entries still waiting when the sign-in was lost.
fn sign_in_lost() -> Said {
    Said::text(
        Text::new("history.sign_in_lost"),
        "The sign-in ended before ThreatWinds showed how this ended.",
    )
}

/// Said of entries still waiting at sign-out.
fn signed_out() -> Said {
    Said::text(
        Text::new("history.signed_out"),
        "You signed out before ThreatWinds showed how this ended.",
    )
}

/// What a failure says, kept with its entry.
fn said_of(failure: &Failure) -> Said {
    Said {
        message: Some(failure.message.to_string()),
        op: failure.op.map(str::to_owned),
        text: Some((*failure.text).clone()),
        server_message: failure.server_message.clone(),
        error_id: failure.error_id.clone(),
    }
}

/// What the History panel shows.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryView {
    /// Changes with every entry and outcome; the page asks again with it.
    pub version: u64,
    /// Newest first.
    pub entries: Vec<Entry>,
    /// The server these entries were done on, for a support message.
    pub server: String,
    /// Why an older history could not be read, when that happened.
    pub warning: Option<Text>,
}

fn locked(shared: &Shared) -> MutexGuard<'_, Option<History>> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Who is signed in, as the history says it: the account, and the key's name (no words,
/// so that it reads the same in every language).
fn who(account: &Account) -> String {
    match &account.key_name {
        Some(key) => format!("{} ({key})", account.user),
        None => account.user.clone(),
    }
}

impl Desk {
    /// Keeps the history in `dir` (the app's data folder) instead of beside the settings.
    pub fn with_history_dir(mut self, dir: PathBuf) -> Self {
        self.history_dir = dir;
        self
    }

    /// Opens the history of `account` on its server (another account's is closed first),
    /// and says why the one on disk was set aside, if it was.
    pub(super) fn open_history(&self, account: &Account) -> Option<Text> {
        let server = account.client().base_url().to_string();
        let history = History::open(&self.history_dir, &server, &who(account));
        let warning = history.warning.clone();
        *locked(&self.history) = Some(history);
        warning
    }

    /// Adds an entry to the open history; `None` when nobody is signed in.
    pub(super) fn record(&self, new: New) -> Option<u64> {
        locked(&self.history).as_mut().map(|h| h.record(new))
    }

    /// Records one thing done to a machine, waiting for the server to show it done.
    pub(super) fn record_waiting(&self, what: &str, id: &str, name: &str) -> Option<u64> {
        self.record(New {
            what: what.into(),
            machine_id: Some(id.into()),
            machine: Some(name.into()),
            outcome: Some(Outcome::Waiting),
            ..New::default()
        })
    }

    /// Records something that failed at once, with the failure's words.
    pub(super) fn record_failed(&self, mut new: New, failure: &Failure) {
        new.outcome = Some(Outcome::Failed);
        new.said = said_of(failure);
        self.record(new);
    }

    /// An entry recorded as waiting failed after all (the request was refused).
    pub(super) fn settle_failed(&self, id: u64, failure: &Failure) {
        if let Some(h) = locked(&self.history).as_mut() {
            h.settle(id, Outcome::Failed, said_of(failure));
        }
    }

    /// The sign-in was lost: what was still waiting will not be seen to end.
    pub(super) fn history_sign_in_lost(&self) {
        if let Some(h) = locked(&self.history).as_mut() {
            h.settle_all_waiting(sign_in_lost());
        }
    }

    /// Closes the history at sign-out: what was still waiting is unknown for good.
    pub(super) fn close_history(&self) {
        if let Some(mut h) = locked(&self.history).take() {
            h.settle_all_waiting(signed_out());
        }
    }

    /// The open history for the page, or `None` when nothing changed since `known`.
    pub fn history(&self, known: Option<u64>) -> Option<HistoryView> {
        let guard = locked(&self.history);
        let h = guard.as_ref()?;
        if known == Some(h.version()) {
            return None;
        }
        Some(HistoryView {
            version: h.version(),
            entries: h.entries().iter().rev().cloned().collect(),
            server: h.server().to_owned(),
            warning: h.warning.clone(),
        })
    }

    /// `sink`, with every pending action's end written to the history first.
    pub fn recording<S: Sink>(&self, sink: S) -> Recording<S> {
        Recording {
            history: self.history.clone(),
            sink,
        }
    }
}

/// A [`Sink`] that settles history entries as the watcher sees actions end.
pub struct Recording<S> {
    history: Shared,
    sink: S,
}

impl<S: Sink> Sink for Recording<S> {
    fn snapshot(&self, snapshot: Snapshot) {
        self.sink.snapshot(snapshot);
    }

    fn finished(&self, finished: Vec<Finished>) {
        if let Some(h) = locked(&self.history).as_mut() {
            for f in &finished {
                let (outcome, said) = if f.ok {
                    (Outcome::Done, Said::default())
                } else {
                    (
                        Outcome::Failed,
                        Said::text(f.action.did_not_finish_text(), &f.action.did_not_finish()),
                    )
                };
                h.settle_machine(&f.id, f.action.key(), outcome, said);
            }
        }
        self.sink.finished(finished);
    }

    fn auth_lost(&self, failure: Failure) {
        if let Some(h) = locked(&self.history).as_mut() {
            h.settle_all_waiting(sign_in_lost());
        }
        self.sink.auth_lost(failure);
    }
}
