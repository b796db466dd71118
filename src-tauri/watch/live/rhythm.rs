//! When to read: the whole list at its rhythm (30 s idle and visible, never hidden, 2 s
//! while many machines move or a create is looked for), the few moving machines each alone
//! every 2 s, at once on focus, on Refresh and after an action; a 429 waits as asked, and
//! failures back off.

use super::*;

/// The longest list read at the quick rhythm while many machines move.
pub(super) const ROWS_PER_QUICK_LIST: usize = 2_500;

/// How much a long list's rhythm while machines move may be stretched: 6 s at the app's
/// 2 s, within the 10 s in which a row must show its machine's end.
pub(super) const MAX_STRETCH: f64 = 3.0;

impl LiveList {
    /// The window came to the front: read at once, unless a read began less than `fast`
    /// ago (the list is then as fresh as the quickest rhythm keeps it). The window shown
    /// at launch is focused while the first read is on its way; reading again then only
    /// sent the same list twice (with 10,000 machines, the second one often delayed the
    /// first paint).
    pub fn focused(&mut self, now: Instant) {
        self.set_visible(true);
        let fresh = self
            .last_begun
            .is_some_and(|at| now.saturating_duration_since(at) < self.policy.fast);
        if !fresh {
            self.ask_to_read();
        }
    }

    pub(super) fn ask_to_read(&mut self) {
        // The first request stands: a later one is answered by the same read.
        if self.refresh.is_none() {
            self.refresh = Some(self.reads_begun);
        }
    }

    /// Whether an action has reached the server and its effect is awaited.
    pub(super) fn awaiting(&self) -> bool {
        self.pending.values().any(|p| p.sent)
    }

    pub(super) fn moving(&self) -> bool {
        self.awaiting()
            || self.unanswered.is_some()
            || self.instances.iter().any(|i| i.status.is_transitional())
    }

    /// The machines to read alone (`GET /instances/{id}`) at the quick rhythm: those that
    /// move (a state in transition, an action awaited) while they are few. `None` when
    /// nothing moves, when more than [`Policy::alone_limit`] do, or while the machine of a
    /// create nobody answered is looked for (only the whole list can show it): the whole
    /// list is then read at the quick rhythm, as before.
    pub fn alone_ids(&self) -> Option<Vec<String>> {
        if self.unanswered.is_some() {
            return None;
        }
        // All of them in one round, within its share of the single reads; else the list.
        let limit = self.policy.alone_limit.min(self.room.alone_per_round);
        let mut ids: Vec<&str> = Vec::new();
        let moving = self.instances.iter().filter(|i| i.status.is_transitional());
        for id in moving.map(|i| i.id.as_str()).chain(
            self.pending
                .iter()
                .filter(|(_, p)| p.sent)
                .map(|(id, _)| id.as_str()),
        ) {
            if !ids.contains(&id) {
                ids.push(id);
                if ids.len() > limit {
                    return None;
                }
            }
        }
        (!ids.is_empty()).then(|| ids.into_iter().map(str::to_owned).collect())
    }

    /// When to read the moving machines alone next ([`LiveList::alone_ids`]): the quick
    /// rhythm after the last read of either kind. `None` while the list is failing (its
    /// back-off leads), paused, hidden with nothing awaited, or when nothing is to be read
    /// alone.
    pub fn next_alone(&self, now: Instant) -> Option<Instant> {
        if self.paused || self.problem.is_some() || (!self.visible && !self.awaiting()) {
            return None;
        }
        self.alone_ids()?;
        let last = self.last_read.into_iter().chain(self.last_alone).max()?;
        let due = last.checked_add(self.policy.fast).unwrap_or(now);
        Some(self.held_back(due, self.room.alone_at))
    }

    /// A round of reading the moving machines alone begins; hand the ticket back with
    /// each machine's answer ([`LiveList::on_read_alone`]).
    pub fn begin_alone(&mut self, now: Instant) -> ReadTicket {
        self.last_alone = Some(now);
        self.reads_begun += 1;
        ReadTicket(self.reads_begun)
    }

    /// When to read the list next; `None` while paused or hidden with nothing to wait for.
    /// While a few machines move and are read alone, the whole list keeps the idle rhythm.
    pub fn next_read(&self, now: Instant) -> Option<Instant> {
        if self.paused {
            return None;
        }
        // Hidden: nothing is read, unless the user is waiting for an action to finish
        // (so that its notification can come).
        if !self.visible && !self.awaiting() {
            return None;
        }
        let after = |last: Instant, wait: Duration| last.checked_add(wait).unwrap_or(now);
        let due = match self.last_read {
            None => now,
            Some(_) if self.refresh.is_some() && self.visible => now,
            Some(last) if self.problem.is_some() => after(last, self.backoff()),
            Some(last) if self.moving() && self.alone_ids().is_none() => {
                after(last, self.list_rhythm_while_moving())
            }
            Some(last) => after(last, self.policy.slow),
        };
        Some(self.held_back(due, self.room.list_at))
    }

    /// How often the whole list is read while more machines move than can be read alone:
    /// the quick rhythm for a list of up to [`ROWS_PER_QUICK_LIST`] machines, stretched
    /// in proportion beyond (at most [`MAX_STRETCH`] times): a read costs the app and the
    /// page in proportion to the list's length (10,000 machines are 3 MiB of JSON, about
    /// 43 ms to fetch and read through the client: `cargo bench --bench list_instances`).
    /// Never quicker than the list's own limit spreads its reads.
    pub(super) fn list_rhythm_while_moving(&self) -> Duration {
        let stretch =
            (self.instances.len() as f64 / ROWS_PER_QUICK_LIST as f64).clamp(1.0, MAX_STRETCH);
        self.policy
            .fast
            .mul_f64(stretch)
            .max(self.room.list_spacing)
    }

    /// `due`, or later when the account's limits (`room`) or a 429 hold reads back.
    fn held_back(&self, due: Instant, room: Option<Instant>) -> Instant {
        [room, self.not_before]
            .into_iter()
            .flatten()
            .fold(due, Instant::max)
    }

    /// When the loop must look again even without a read: the next read, or the moment
    /// a pending action expires or a shutdown starts to count as slow, whichever is first.
    pub fn next_wake(&self, now: Instant) -> Option<Instant> {
        if self.paused {
            return None;
        }
        let deadlines = self.pending.values().filter(|p| p.sent).flat_map(|p| {
            let slow = (p.action == Action::Stop)
                .then(|| p.since.checked_add(self.policy.slow_shutdown))
                .flatten()
                .filter(|at| *at > now);
            [p.since.checked_add(self.policy.give_up), slow]
        });
        let search = self
            .unanswered
            .as_ref()
            .and_then(|u| u.deadline(self.policy.created_list_lag));
        deadlines
            .flatten()
            .chain(search)
            .chain(self.next_read(now))
            .chain(self.next_alone(now))
            .min()
    }

    pub(super) fn backoff(&self) -> Duration {
        let doublings = self.failures.saturating_sub(1).min(8);
        (self.policy.first_backoff * 2u32.pow(doublings)).min(self.policy.slow)
    }
}
