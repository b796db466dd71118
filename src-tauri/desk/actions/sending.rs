//! One machine's request in a run: it waits for its turn under the per-minute budget,
//! passes the sign-in's gate and is marked sent in one step, is sent once more after a
//! 429 (which was not performed), and its answer goes on its row and into its entry.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::super::runs::Stop;
use super::super::said::{no_answer, said_of, sign_in_lost_before_sent, stopped};
use super::super::Desk;
use super::{ActionResult, Item};
use crate::api::budget::Kind;
use crate::api::{ApiError, Client, ErrorKind};
use crate::failure::Failure;
use crate::history::{Outcome, Said};
use crate::watch::Action;

/// What one run shares among its machines while it sends.
pub(super) struct Sending<'a> {
    pub(super) run: u64,
    pub(super) owner: u64,
    pub(super) action: Action,
    pub(super) client: &'a Client,
    pub(super) stop: &'a Stop,
    /// A 401 ended the run: what it did not send was not sent for that reason.
    pub(super) sign_in_refused: AtomicBool,
}

impl Desk {
    pub(super) async fn send_one(&self, s: &Sending<'_>, item: Item) -> ActionResult {
        let Item {
            id,
            name,
            entry,
            mut turn,
        } = item;
        let mut result = ActionResult::new(id.clone(), name);
        let mut refused_for_rate = false;
        let answer = loop {
            if !self.wait_for_turn(s, turn).await {
                break None;
            }
            let sent = self
                .owner
                .send_as(s.owner, async {
                    if s.stop.is_stopped() {
                        return None;
                    }
                    let now = Instant::now();
                    let marked = self
                        .watcher
                        .update_for(s.owner, |w| w.mark_sent(&id, s.run, now))
                        .await;
                    // Passing the gate and "sent" in the history are one step.
                    if marked != Some(true) || !self.pass_as_sent(s.owner, entry) {
                        return None;
                    }
                    Some(match s.action.power() {
                        Some(power) => s.client.power(&id, power).await,
                        None => s.client.delete_instance(&id).await,
                    })
                })
                .await
                .flatten();
            match sent {
                // Refused for the rate, so not performed: once more after the wait.
                // Held back by the budget (never sent): as often as it takes.
                Some(Err(e))
                    if e.kind() == ErrorKind::RateLimited
                        && (!refused_for_rate || e.was_never_sent()) =>
                {
                    refused_for_rate |= !e.was_never_sent();
                    let wait = e
                        .retry_after()
                        .unwrap_or(self.policy.slow)
                        .min(self.policy.max_wait);
                    turn = s
                        .client
                        .budget()
                        .book_turn(budget_kind(s.action), Instant::now() + wait);
                    let said = !e.was_never_sent();
                    self.watcher
                        .update_for(s.owner, |w| {
                            if said {
                                w.slowed(wait);
                            }
                            w.requeue(&id, s.run, turn)
                        })
                        .await;
                    if let Some(entry) = entry {
                        self.settle_for(s.owner, entry, Outcome::Queued, Said::default());
                    }
                }
                other => break other,
            }
        };
        match answer {
            None => {
                result.not_sent = true;
                self.watcher
                    .update_for(s.owner, |w| w.not_sent(&id, s.run))
                    .await;
                if let Some(entry) = entry {
                    let why = if s.sign_in_refused.load(Ordering::SeqCst) {
                        sign_in_lost_before_sent()
                    } else {
                        stopped()
                    };
                    self.settle_for(s.owner, entry, Outcome::NotSent, why);
                }
            }
            Some(Ok(())) => result.ok = true,
            Some(Err(e)) => self.refused(s, &id, entry, &e, &mut result).await,
        }
        result
    }

    /// A request that did not get a yes: refused (its row says why at once), or not
    /// answered (the row keeps following the machine, which may show it happened).
    async fn refused(
        &self,
        s: &Sending<'_>,
        id: &str,
        entry: Option<u64>,
        e: &ApiError,
        result: &mut ActionResult,
    ) {
        let failure = Failure::from(e);
        result.error = Some(failure.clone());
        if e.outcome_unknown() {
            result.unknown = true;
            if let Some(entry) = entry {
                // Still waiting: the watcher settles it when the machine gets there (or
                // does not); the words say why nobody knows yet.
                self.settle_for(s.owner, entry, Outcome::Waiting, no_answer());
            }
            return;
        }
        if e.kind() == ErrorKind::Auth {
            // The sign-in is refused: nothing more of this run goes out.
            s.sign_in_refused.store(true, Ordering::SeqCst);
            s.stop.stop();
        }
        self.watcher
            .update_for(s.owner, |w| w.action_failed(id, s.run, failure.clone()))
            .await;
        if let Some(entry) = entry {
            self.settle_for(s.owner, entry, Outcome::Failed, said_of(&failure));
        }
    }

    /// Waits for one action's booked turn, then for room in the account's budget (a
    /// click or a 429 may have used it meanwhile); false when the run was stopped first
    /// (the turn is given back, so that it holds nothing else back).
    async fn wait_for_turn(&self, s: &Sending<'_>, turn: Instant) -> bool {
        let kind = budget_kind(s.action);
        let mut at = turn;
        loop {
            let came = !s.stop.is_stopped()
                && tokio::select! {
                    _ = tokio::time::sleep_until(at.into()) => true,
                    _ = s.stop.stopped() => false,
                };
            if !came || s.stop.is_stopped() {
                s.client.budget().unbook_turn(kind, turn);
                return false;
            }
            let now = Instant::now();
            at = s.client.budget().free_at(kind, now);
            if at <= now {
                return true;
            }
        }
    }
}

/// The operation type an action's requests count as in the account's budget.
pub(super) fn budget_kind(action: Action) -> Kind {
    match action.power() {
        Some(_) => Kind::Power,
        None => Kind::Delete,
    }
}
