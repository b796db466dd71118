//! What a person can do to a machine, when it makes sense, and the words for it.

use serde::Serialize;

use crate::api::{InstanceStatus, Phase, PowerAction};

/// Anything the user started and is waiting to see finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Start,
    Stop,
    Restart,
    Reset,
    Delete,
    Create,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "start" => Action::Start,
            "stop" => Action::Stop,
            "restart" => Action::Restart,
            "reset" => Action::Reset,
            "delete" => Action::Delete,
            _ => return None,
        })
    }

    pub fn power(self) -> Option<PowerAction> {
        Some(match self {
            Action::Start => PowerAction::Start,
            Action::Stop => PowerAction::Stop,
            Action::Restart => PowerAction::Restart,
            Action::Reset => PowerAction::Reset,
            Action::Delete | Action::Create => return None,
        })
    }

    /// Long enough that a person may switch to another window meanwhile.
    pub fn is_long(self) -> bool {
        matches!(self, Action::Create | Action::Stop)
    }

    /// Whether the action makes sense for a machine in `status`, as the contract and the
    /// service's state rules allow. In a state nobody documented every action is
    /// offered and the server judges: its refusal is shown on the row.
    pub fn allowed(self, status: &InstanceStatus) -> bool {
        use Phase as P;
        let phase = status.phase();
        match self {
            Action::Start => matches!(phase, P::Stopped | P::Error | P::Unknown),
            Action::Stop | Action::Restart => matches!(phase, P::Running | P::Unknown),
            Action::Reset => matches!(phase, P::Running | P::Error | P::Unknown),
            Action::Delete => *status != InstanceStatus::Deleting,
            Action::Create => false,
        }
    }

    /// What a row says when the machine did not get there.
    /// Its name in the history and on the command line: `start`, `stop` … `create`.
    pub fn key(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Restart => "restart",
            Action::Reset => "reset",
            Action::Delete => "delete",
            Action::Create => "create",
        }
    }

    /// Why a pending action ended badly, in the catalogs' words
    /// (`watch.did_not_finish.<action>`).
    pub fn did_not_finish_text(self) -> crate::text::Text {
        crate::text::Text::new(format!("watch.did_not_finish.{}", self.key()))
    }

    /// Why a pending action ended badly, in English (the log, and the page's fallback).
    pub fn did_not_finish(self) -> String {
        format!(
            "The machine did not finish {}. Look at its state, and try again or contact support.",
            match self {
                Action::Start => "starting",
                Action::Stop => "shutting down",
                Action::Restart => "restarting",
                Action::Reset => "the reset",
                Action::Delete => "deleting",
                Action::Create => "setting up",
            }
        )
    }
}

/// A pending action that ended, for notifications.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    pub id: String,
    pub name: String,
    pub action: Action,
    pub ok: bool,
}
