//! The actions awaited on the rows: queued for their turn, sent, waiting for the machine
//! to get there, replaced, failed or given up; a bulk's progress; what ends when a read
//! shows it.

use super::*;

impl LiveList {
    pub(super) fn status_of(&self, id: &str) -> InstanceStatus {
        self.instance(id)
            .map(|i| i.status.clone())
            .unwrap_or_default()
    }

    /// An action asked for on a machine and waiting for its turn under the rate budget:
    /// its row says "Waiting…" at once, buttons off, and no clock runs for it.
    /// Returns the action it replaces on that machine, if one was pending, and whether
    /// that one had been sent (a Force reset on a hanging shutdown). `run` is the click it
    /// belongs to (0 for none); `turn` when it may be sent.
    pub fn mark_queued(
        &mut self,
        id: &str,
        action: Action,
        run: u64,
        turn: Instant,
        now: Instant,
    ) -> Option<(Action, bool)> {
        self.row_errors.remove(id);
        let replaced = self.pending.insert(
            id.to_owned(),
            Pending {
                action,
                sent: false,
                run,
                since: now,
                turn,
                after_read: self.reads_begun,
                from: self.status_of(id),
                moved: false,
                alone: false,
            },
        );
        self.changed();
        replaced.map(|p| (p.action, p.sent))
    }

    /// The request for `id`'s queued action goes out now: its clocks (the grace for a
    /// machine that never moves, the limits) start here, and only reads begun from now on
    /// can show its effect. False when nothing of `run` is queued for it (stopped, or
    /// replaced by another action meanwhile).
    pub fn mark_sent(&mut self, id: &str, run: u64, now: Instant) -> bool {
        let from = self.status_of(id);
        let reads = self.reads_begun;
        let Some(p) = self.pending.get_mut(id).filter(|p| !p.sent && p.run == run) else {
            return false;
        };
        p.sent = true;
        p.since = now;
        p.after_read = reads;
        p.from = from;
        self.changed();
        self.ask_to_read();
        true
    }

    /// A queued action of `run` that will not be sent after all (stopped, signed out,
    /// the rest of a bulk given up): the row is as it was.
    pub fn not_sent(&mut self, id: &str, run: u64) {
        if self
            .pending
            .get(id)
            .is_some_and(|p| !p.sent && p.run == run)
        {
            self.pending.remove(id);
            self.changed();
        }
    }

    /// A request of `run` refused for the rate, not performed: the row waits for its
    /// next turn, and its clocks start again when it is sent again.
    pub fn requeue(&mut self, id: &str, run: u64, turn: Instant) {
        if let Some(p) = self.pending.get_mut(id).filter(|p| p.sent && p.run == run) {
            p.sent = false;
            p.turn = turn;
            self.changed();
        }
    }

    /// Records the machine an action was sent for, so its row says so at once.
    pub fn mark_pending(
        &mut self,
        id: &str,
        action: Action,
        now: Instant,
    ) -> Option<(Action, bool)> {
        let replaced = self.mark_queued(id, action, 0, now, now);
        self.mark_sent(id, 0, now);
        replaced
    }

    /// A bulk action of `total` machines begins sending: the screen counts what is left.
    pub fn bulk_started(&mut self, bulk: u64, action: Action, total: usize) {
        self.bulks.insert(bulk, (action, total));
        self.changed();
    }

    /// The run has sent all it will: whatever of it is still queued is not sent, and a
    /// bulk's count leaves the screen.
    pub fn run_ended(&mut self, run: u64) {
        let before = self.pending.len();
        self.pending.retain(|_, p| p.sent || p.run != run);
        if self.bulks.remove(&run).is_some() || self.pending.len() != before {
            self.changed();
        }
    }

    /// The request of `run` for a machine was refused: the row says why, and nothing is
    /// pending. A machine another action has been asked for since keeps that one.
    pub fn action_failed(&mut self, id: &str, run: u64, failure: Failure) {
        if self.pending.get(id).is_some_and(|p| p.run != run) {
            return;
        }
        self.pending.remove(id);
        self.row_errors.insert(id.to_owned(), failure);
        self.changed();
    }

    /// Whether a list has been read (or shown as last seen).
    pub fn is_loaded(&self) -> bool {
        self.loaded
    }

    /// Where the machine `id` stands for someone waiting on an action: its phase, whether
    /// an action on it is still awaited, and the error its row shows; `None` when it is
    /// not in the list.
    pub fn standing(&self, id: &str) -> Option<(Phase, bool, Option<Failure>)> {
        let i = self.instance(id)?;
        Some((
            i.status.phase(),
            self.pending.contains_key(id),
            self.row_errors.get(id).cloned(),
        ))
    }

    /// Forgets a row's error (the user closed it).
    pub fn dismiss(&mut self, id: &str) {
        if self.row_errors.remove(id).is_some() {
            self.changed();
        }
    }

    /// How long the oldest pending action has been waiting.
    pub fn oldest_pending(&self, now: Instant) -> Option<Duration> {
        self.pending
            .values()
            .filter(|p| p.sent)
            .map(|p| now.saturating_duration_since(p.since))
            .max()
    }

    /// Decides each pending action against the list just read ([`Pending::verdict`]). A
    /// mark newer than the read is left alone: the read cannot have seen its effect.
    pub(super) fn settle_pending(&mut self, now: Instant, read: u64) -> Vec<Finished> {
        let by_id: HashMap<&str, &Instance> =
            self.instances.iter().map(|i| (i.id.as_str(), i)).collect();
        let mut ended = Vec::new();
        for (id, p) in self.pending.iter_mut() {
            if !p.sent || p.after_read >= read {
                continue;
            }
            if let Some(ok) = p.verdict(by_id.get(id.as_str()).copied(), now, &self.policy) {
                ended.push((id.clone(), ok));
            }
        }
        ended
            .into_iter()
            .map(|(id, ok)| self.finish(&id, ok))
            .collect()
    }

    /// Ends pending actions whose time is up without waiting for a read: a long wait
    /// imposed by the server, or a failing connection, must not leave a spinner forever.
    pub fn expire(&mut self, now: Instant) -> Vec<Finished> {
        let late: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| {
                p.sent && now.saturating_duration_since(p.since) >= self.policy.give_up
            })
            .map(|(id, _)| id.clone())
            .collect();
        late.iter().map(|id| self.finish(id, false)).collect()
    }

    pub(super) fn finish(&mut self, id: &str, ok: bool) -> Finished {
        let ended = self.pending.remove(id);
        let action = ended.as_ref().map_or(Action::Create, |p| p.action);
        // A machine created here, done before a list shows it: it stays meanwhile.
        if let Some(p) = ended.filter(|p| ok && p.action == Action::Create) {
            self.created_unlisted.insert(id.to_owned(), p.since);
        }
        let current = self.instance(id).is_some().then(|| self.shown_name(id));
        if !ok && current.is_some() {
            self.row_errors.insert(
                id.to_owned(),
                Failure::plain(
                    "unexpected",
                    action.did_not_finish_text(),
                    action.did_not_finish(),
                ),
            );
        }
        self.changed();
        Finished {
            id: id.to_owned(),
            name: current.unwrap_or_else(|| id.to_owned()),
            action,
            ok,
        }
    }

    /// Machines that count against the plan's limit.
    pub fn machines_in_use(&self) -> usize {
        self.instances
            .iter()
            .filter(|i| i.status != InstanceStatus::Deleting)
            .count()
    }
}
