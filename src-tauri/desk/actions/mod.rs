//! Acting on machines: one or many at once, each only when it makes sense for its state.
//!
//! An action's life, kept here and in the watcher's list (`watch/live`): asked for (its
//! row says "Waiting…" at once, its history entry is *queued*), sent when its turn
//! comes under the per-minute budget (only then do its clocks start, and the entry is
//! *waiting*), then refused (*failed*, on its row at once), unanswered (*not known*: the
//! watcher follows the machine, which may show it happened), or accepted and followed by
//! the watcher to its end (*done*, or *failed* when the machine never gets there). What
//! is never sent (the person stopped the rest, the sign-in ended) is *not sent*.
//!
//! Every action belongs to the sign-in that asked for it (`owner`): its requests pass
//! [`super::owner::OwnerGate`], and whatever it learns is written only while that
//! sign-in is in force. A 401 ends its run: what was accepted stays accepted, the rest
//! is not sent.

mod sending;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;
use serde::Serialize;

use sending::Sending;

use super::runs::Stop;
use super::said::replaced;
use super::{not_signed_in, Desk};
use crate::api::budget::Pacing;
use crate::api::{Client, InstanceStatus};
use crate::failure::Failure;
use crate::history::{New, Outcome, Said};
use crate::text::Text;
use crate::watch::Action;

/// How many actions of one bulk request are on their way at once.
const BULK_PARALLEL: usize = 4;

/// The outcome of an action on one machine of a (possibly bulk) request.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionResult {
    pub id: String,
    pub name: String,
    /// Accepted by the server (the row follows the machine from there).
    pub ok: bool,
    /// Not attempted because the action makes no sense in the machine's state.
    pub skipped: bool,
    /// Never sent: stopped by the person, or the sign-in ended first.
    pub not_sent: bool,
    /// Sent, but no answer came: it may have happened (the row follows the machine).
    pub unknown: bool,
    pub error: Option<Failure>,
}

impl ActionResult {
    fn new(id: String, name: String) -> Self {
        ActionResult {
            id,
            name,
            ok: false,
            skipped: false,
            not_sent: false,
            unknown: false,
            error: None,
        }
    }
}

/// What the page is told at once: the rows are marked; the requests go out in turn.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Planned {
    /// The run, for [`Desk::stop_run`] and [`Desk::run_results`].
    pub run: u64,
    /// The snapshot that shows every row marked: the page keeps its own marks until it
    /// has one at least this new.
    pub seq: u64,
    /// Machines that will be sent the action, in turn.
    pub sending: usize,
    /// Machines that could not do it in their state.
    pub skipped: Vec<ActionResult>,
}

/// An action asked for and marked, to be sent in turn by [`Desk::send`].
pub struct Run {
    planned: Planned,
    owner: u64,
    action: Action,
    client: Client,
    stop: Arc<Stop>,
    items: Vec<Item>,
}

impl Run {
    pub fn planned(&self) -> &Planned {
        &self.planned
    }
}

struct Item {
    id: String,
    name: String,
    /// Its history entry, when a history is open.
    entry: Option<u64>,
    /// When it may be sent under the per-minute budget (booked when it was asked for).
    turn: Instant,
}

impl Desk {
    /// Marks the given machines for `action` (each only when it makes sense for its
    /// state) and records them; nothing is sent yet: [`Desk::send`] does that, in turn.
    pub async fn act(&self, ids: &[String], action: &str) -> Result<Run, Failure> {
        self.act_as(ids, action, None).await
    }

    /// [`Desk::act`], for what did it when a person did not (`by`: `schedule`), as its
    /// history entries say.
    pub(super) async fn act_as(
        &self,
        ids: &[String],
        action: &str,
        by: Option<&str>,
    ) -> Result<Run, Failure> {
        let action = parse_action(action)?;
        let (client, owner) = self.acting().await?;
        // The turns are booked under the account's own limits, once known.
        client.learn_limits().await;
        let (run, stop) = self.runs.begin();
        let now = Instant::now();
        // Decide from the list the person is looking at; mark the rows at once.
        let marked = self
            .watcher
            .update_for(owner, |w| {
                let mut plan = Vec::new();
                let mut skipped = Vec::new();
                let mut replacing = Vec::new();
                for id in ids {
                    let row = w.instance(id).cloned();
                    // As a person names it: the given name first, the service's beside it.
                    let name = w.shown_name(id);
                    let allowed = row.as_ref().is_some_and(|i| {
                        action.allowed(&i.status)
                            // A shutdown that hangs may be cut short.
                            || (action == Action::Reset && i.status == InstanceStatus::Stopping)
                    });
                    if allowed {
                        // Its turn under the per-minute budget, booked now: the row says
                        // "Waiting…" when that is not at once.
                        let turn = client.budget().book_turn(sending::budget_kind(action), now);
                        if let Some(before) = w.mark_queued(id, action, run, turn, now) {
                            replacing.push((id.clone(), before));
                        }
                        plan.push((id.clone(), name, turn));
                    } else {
                        skipped.push(ActionResult {
                            skipped: true,
                            ..ActionResult::new(id.clone(), name)
                        });
                    }
                }
                if ids.len() > 1 && !plan.is_empty() {
                    w.bulk_started(run, action, plan.len());
                }
                (plan, skipped, replacing, w.seq())
            })
            .await;
        let Some((plan, skipped, replacing, seq)) = marked else {
            self.runs.finish(run, Vec::new());
            return Err(not_signed_in());
        };
        // Into the history: what this replaces ends; each one skipped; each one queued.
        for (id, (before, sent)) in replacing {
            let outcome = if sent {
                Outcome::Unknown
            } else {
                Outcome::NotSent
            };
            self.settle_machine_for(owner, &id, before.key(), outcome, replaced());
        }
        for skipped in &skipped {
            self.record_for(
                owner,
                New {
                    what: action.key().into(),
                    machine_id: Some(skipped.id.clone()),
                    machine: Some(skipped.name.clone()),
                    outcome: Some(Outcome::Skipped),
                    said: Said::text(
                        Text::new("history.skipped"),
                        "Not sent: the machine could not do this in its state.",
                    ),
                    by: by.map(str::to_owned),
                    ..New::default()
                },
            );
        }
        let items: Vec<Item> = plan
            .into_iter()
            .map(|(id, name, turn)| Item {
                entry: self.record_open(owner, action.key(), &id, &name, Outcome::Queued, by),
                id,
                name,
                turn,
            })
            .collect();
        Ok(Run {
            planned: Planned {
                run,
                seq,
                sending: items.len(),
                skipped,
            },
            owner,
            action,
            client,
            stop,
            items,
        })
    }

    /// What a bulk of `count` machines for `action` would meet under the account's limits
    /// now: how many go at once, then how many a minute, and about how long the rest
    /// waits (the bulk confirmation says so).
    pub async fn pacing(&self, action: &str, count: usize) -> Result<Pacing, Failure> {
        let action = parse_action(action)?;
        let (client, _) = self.acting().await?;
        client.learn_limits().await;
        client.learn_usage().await;
        let kind = sending::budget_kind(action);
        let pacing = client.budget().pacing(kind, count, Instant::now());
        Ok(pacing)
    }

    /// Sends a run's requests, each when its turn comes under the per-minute limit and
    /// only while its sign-in is in force and nobody stopped the rest; reports each
    /// machine's outcome on its row as it comes, and all of them at the end.
    pub async fn send(&self, run: Run) -> Vec<ActionResult> {
        let Run {
            planned,
            owner,
            action,
            client,
            stop,
            items,
        } = run;
        let sending = Sending {
            run: planned.run,
            owner,
            action,
            client: &client,
            stop: &stop,
            sign_in_refused: AtomicBool::new(false),
        };
        let sent: Vec<ActionResult> =
            futures_util::stream::iter(items.into_iter().map(|item| self.send_one(&sending, item)))
                .buffered(BULK_PARALLEL)
                .collect()
                .await;
        self.watcher
            .update_for(owner, |w| {
                w.run_ended(planned.run);
                w.refresh_now();
            })
            .await;
        let refused = sent.iter().find_map(|r| {
            r.error
                .as_ref()
                .filter(|f| f.kind == "auth" && !r.unknown)
                .cloned()
        });
        if let Some(failure) = refused {
            self.auth_lost(owner, &failure).await;
        }
        let mut results = planned.skipped;
        results.extend(sent);
        self.runs.finish(planned.run, results.clone());
        results
    }

    /// Marks and sends at once, waiting for every request's answer: for the command
    /// line of tests and for anyone who needs the outcomes rather than the marks.
    pub async fn act_and_wait(
        &self,
        ids: &[String],
        action: &str,
    ) -> Result<Vec<ActionResult>, Failure> {
        let run = self.act(ids, action).await?;
        Ok(self.send(run).await)
    }

    /// Stops what the run `run` has not sent yet ("Stop the rest"); false when it is not
    /// under way.
    pub fn stop_run(&self, run: u64) -> bool {
        self.runs.stop(run)
    }

    /// The run's results once it has ended; `None` for a run not known.
    pub async fn run_results(&self, run: u64) -> Option<Vec<ActionResult>> {
        self.runs.results(run).await
    }
}

/// The action named `action`, or why not.
fn parse_action(action: &str) -> Result<Action, Failure> {
    Action::parse(action).ok_or_else(|| {
        Failure::plain(
            "invalid",
            Text::new("desk.unknown_action").with("action", action),
            format!("Unknown action “{action}”."),
        )
    })
}
