//! An action the server accepted, resolved by what the machine is seen to do.

use std::time::{Duration, Instant};

use super::{Action, Policy};
use crate::api::{Instance, InstanceStatus, Phase};

/// A restart or reset that the server never showed moving counts as done after this long
/// in the target state: a fast server may finish between two reads, and a reset keeps a
/// machine RUNNING on Google Compute.
const SETTLE_GRACE: Duration = Duration::from_secs(10);

/// An action the server accepted and the user waits to see finish.
///
/// A 202 (or 204) means the operation started, not that the record changed: the list
/// read right after may still show the old state for a while. So a mark is resolved by
/// movement, not by the first read: it ends well once the machine has left the state it
/// was in at the click and reached where the action leads; it ends badly when it moves
/// into ERROR, disappears while something else was awaited, or nothing at all happens
/// within [`Policy::no_move_limit`].
#[derive(Clone, Debug)]
pub(super) struct Pending {
    pub(super) action: Action,
    /// False while it waits for its turn under the rate budget: nothing has reached the
    /// server, so no read can say anything of it and no clock runs for it yet.
    pub(super) sent: bool,
    /// The run (one click) it belongs to: only that run may send it or say how its
    /// request was answered; a bulk's run also counts "n left to send" by it.
    pub(super) run: u64,
    /// When it was sent (or queued, while it is not sent yet): its clocks start here.
    pub(super) since: Instant,
    /// While not sent: when its turn under the rate budget comes.
    pub(super) turn: Instant,
    /// Reads begun before it was sent; only later ones can show its effect.
    pub(super) after_read: u64,
    /// The state at the click.
    pub(super) from: InstanceStatus,
    /// Whether any read since showed another state.
    pub(super) moved: bool,
    /// A create the list did not show yet, found by reading the machine alone.
    pub(super) alone: bool,
}

impl Pending {
    /// Where the action leads; `None` for a deletion, which ends when the machine is gone.
    fn target(&self) -> Option<Phase> {
        match self.action {
            Action::Stop => Some(Phase::Stopped),
            Action::Delete => None,
            _ => Some(Phase::Running),
        }
    }

    /// Done (`Some(true)`), failed (`Some(false)`) or still waiting, given the machine as
    /// a read showed it (`None`: not in the list).
    pub(super) fn verdict(
        &mut self,
        current: Option<&Instance>,
        now: Instant,
        policy: &Policy,
    ) -> Option<bool> {
        let waited = now.saturating_duration_since(self.since);
        let verdict = match current {
            None => Some(self.action == Action::Delete),
            Some(i) => {
                if i.status != self.from {
                    self.moved = true;
                }
                let arrived = self.target().is_some_and(|t| i.status.phase() == t);
                if self.moved && arrived {
                    Some(true)
                } else if self.moved && i.status == InstanceStatus::Error {
                    Some(false)
                } else if !self.moved && arrived && waited > SETTLE_GRACE {
                    Some(true)
                } else if !self.moved && waited > policy.no_move_limit {
                    Some(false)
                } else {
                    None
                }
            }
        };
        verdict.or_else(|| (waited > policy.give_up).then_some(false))
    }
}
