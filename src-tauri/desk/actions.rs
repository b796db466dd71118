//! Acting on machines: one or many at once, each only when it makes sense for its state,
//! paced under the service's per-minute limit, each outcome reported.

use std::time::Instant;

use futures_util::StreamExt;
use serde::Serialize;

use super::Desk;
use crate::api::{ErrorKind, InstanceStatus};
use crate::failure::Failure;
use crate::history::{New, Outcome, Said};
use crate::text::Text;
use crate::watch::Action;

/// How many actions of one bulk request run at once.
const BULK_PARALLEL: usize = 4;

/// The outcome of an action on one machine of a (possibly bulk) request.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionResult {
    pub id: String,
    pub name: String,
    pub ok: bool,
    /// Not attempted because the action makes no sense in the machine's state.
    pub skipped: bool,
    pub error: Option<Failure>,
    /// The first snapshot that shows this outcome (the row pending, or its error): the
    /// page keeps its own "in progress" mark until it has one at least this new.
    pub seq: u64,
}

impl Desk {
    /// Starts, shuts down, restarts, resets or deletes the given machines, each only when
    /// it makes sense for its state; reports each machine's outcome.
    pub async fn act(&self, ids: &[String], action: &str) -> Result<Vec<ActionResult>, Failure> {
        let action = Action::parse(action).ok_or_else(|| {
            Failure::plain(
                "invalid",
                Text::new("desk.unknown_action").with("action", action),
                format!("Unknown action “{action}”."),
            )
        })?;
        let client = Desk::client(&*self.state.lock().await)?;
        let now = Instant::now();
        // Decide from the list the user is looking at; mark the rows pending at once.
        let (plan, mut results) = self
            .watcher
            .update(|w| {
                let mut plan = Vec::new();
                let mut results = Vec::new();
                for id in ids {
                    let snapshot_row = w.instance(id).cloned();
                    let name = snapshot_row
                        .as_ref()
                        .map(|i| i.display_name().to_owned())
                        .unwrap_or_else(|| id.clone());
                    let allowed = snapshot_row.as_ref().is_some_and(|i| {
                        action.allowed(&i.status)
                            // A shutdown that hangs may be cut short.
                            || (action == Action::Reset && i.status == InstanceStatus::Stopping)
                    });
                    if allowed {
                        w.mark_pending(id, action, now);
                        plan.push((id.clone(), name));
                    } else {
                        results.push(ActionResult {
                            id: id.clone(),
                            name,
                            ok: false,
                            skipped: true,
                            error: None,
                            seq: 0,
                        });
                    }
                }
                (plan, results)
            })
            .await;
        // Into the history: each one sent, waiting to be seen done; each one skipped.
        for skipped in &results {
            self.record(New {
                what: action.key().into(),
                machine_id: Some(skipped.id.clone()),
                machine: Some(skipped.name.clone()),
                outcome: Some(Outcome::Skipped),
                said: Said::text(
                    Text::new("history.skipped"),
                    "Not sent: the machine could not do this in its state.",
                ),
            });
        }
        let plan: Vec<_> = plan
            .into_iter()
            .map(|(id, name)| {
                let entry = self.record_waiting(action.key(), &id, &name);
                (id, name, entry)
            })
            .collect();
        let calls = plan.into_iter().map(|(id, name, entry)| {
            let client = client.clone();
            async move {
                let send = || async {
                    self.paced().await;
                    match action.power() {
                        Some(power) => client.power(&id, power).await,
                        None => client.delete_instance(&id).await,
                    }
                };
                let mut result = send().await;
                // Refused for the rate, so not performed: once more after the wait.
                if let Err(e) = &result {
                    if e.kind() == ErrorKind::RateLimited {
                        let wait = e.retry_after().unwrap_or(self.policy.slow);
                        tokio::time::sleep(wait.min(self.policy.max_wait)).await;
                        result = send().await;
                    }
                }
                if let (Err(e), Some(entry)) = (&result, entry) {
                    self.settle_failed(entry, &Failure::from(e));
                }
                (id, name, result)
            }
        });
        let done: Vec<_> = futures_util::stream::iter(calls)
            .buffered(BULK_PARALLEL)
            .collect()
            .await;
        let mut auth_lost = None;
        let seq = self
            .watcher
            .update(|w| {
                for (id, _, result) in &done {
                    if let Err(e) = result {
                        if e.kind() == ErrorKind::Auth {
                            auth_lost = Some(Failure::from(e));
                        }
                        w.action_failed(id, Failure::from(e));
                    }
                }
                w.refresh_now();
                w.seq()
            })
            .await;
        if let Some(failure) = auth_lost {
            self.auth_lost(&failure).await;
            return Err(failure);
        }
        results.extend(done.into_iter().map(|(id, name, result)| ActionResult {
            id,
            name,
            ok: result.is_ok(),
            skipped: false,
            error: result.err().map(Failure::from),
            seq,
        }));
        Ok(results)
    }

    /// Waits for this action's turn under the per-minute limit.
    async fn paced(&self) {
        let at = self
            .pace
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .book(Instant::now());
        tokio::time::sleep_until(at.into()).await;
    }
}
