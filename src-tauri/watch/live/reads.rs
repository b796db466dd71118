//! What a read's answer changes: the whole list's, or one machine's read alone (404:
//! gone), a create's machine the list lags behind, and a failed read's wait and words.

use super::*;

impl LiveList {
    /// A machine the server has just created: shown at once, watched until it runs.
    pub fn add_created(&mut self, instance: Instance, now: Instant) {
        let id = instance.id.clone();
        match self.instances.iter_mut().find(|i| i.id == id) {
            Some(existing) => *existing = instance,
            None => self.instances.insert(0, instance),
        }
        self.mark_pending(&id, Action::Create, now);
    }

    /// The machines as last read for this sign-in, by id; `None` while nothing was read
    /// for it yet (no list, or an earlier visit's list shown until the first read).
    pub fn listed_ids(&self) -> Option<HashSet<String>> {
        (self.loaded && !self.unread).then(|| self.instances.iter().map(|i| i.id.clone()).collect())
    }

    /// A create of `template` (in `zone`) was sent when the list held `listed`, and never
    /// answered: the next reads look for its machine ([`CreateSeen`]).
    pub fn look_for_create(
        &mut self,
        template: &str,
        zone: Option<&str>,
        listed: HashSet<String>,
        now: Instant,
    ) {
        self.unanswered = Some(UnansweredCreate::new(template, zone, listed, now));
        self.ask_to_read();
        self.changed();
    }

    /// Whether a create that was never answered is still looked for: another create now
    /// could make a second machine.
    pub fn looking_for_create(&self) -> bool {
        self.unanswered.is_some()
    }

    /// The machine of an unanswered create, if the list just read has it; the search
    /// ends, and the machine is followed until it runs.
    pub(super) fn find_unanswered(&mut self, now: Instant) -> Option<CreateSeen> {
        let found = self.unanswered.as_ref()?.find(&self.instances)?;
        let seen = CreateSeen::Found {
            id: found.id.clone(),
            name: found.display_name().to_owned(),
        };
        self.unanswered = None;
        if let CreateSeen::Found { id, .. } = &seen {
            if !self.pending.contains_key(id) {
                self.mark_pending(id, Action::Create, now);
            }
        }
        Some(seen)
    }

    /// The search for an unanswered create's machine ends when its time is up.
    pub fn expire_search(&mut self, now: Instant) -> Option<CreateSeen> {
        let deadline = self
            .unanswered
            .as_ref()?
            .deadline(self.policy.created_list_lag)?;
        (now >= deadline).then(|| {
            self.unanswered = None;
            self.changed();
            CreateSeen::NotSeen
        })
    }

    /// Machines just created that the last read of the list did not show, to be read
    /// alone (`GET /instances/{id}`): a few at most, the oldest first.
    pub fn created_not_listed(&self) -> Vec<String> {
        self.not_listed
            .iter()
            .take(MAX_READ_ALONE)
            .cloned()
            .collect()
    }

    /// A machine read alone (moving: [`LiveList::alone_ids`]; just created and not listed
    /// yet: [`LiveList::created_not_listed`]) under `ticket`. Found, its row takes what was
    /// read and an action awaited on it is judged as after a read of the list. Not found
    /// (404), it is gone: a deletion awaited is done; a machine just created is waited for
    /// while the list may lag behind, then its create did not go through. A refusal of
    /// the sign-in ends it as a list read would; a 429 waits as the server asks; any other
    /// failure asks for the whole list, which says what is wrong.
    pub fn on_read_alone(
        &mut self,
        ticket: &ReadTicket,
        id: &str,
        now: Instant,
        result: Result<Instance, ApiError>,
    ) -> Outcome {
        let read = ticket.0;
        let mut outcome = Outcome::default();
        let creating = self
            .pending
            .get(id)
            .is_some_and(|p| p.action == Action::Create);
        match result {
            Ok(instance) => {
                match self.instances.iter_mut().find(|i| i.id == id) {
                    Some(known) if *known == instance => {}
                    Some(known) => {
                        *known = instance;
                        self.changed();
                    }
                    None if creating => {
                        self.instances.insert(0, instance);
                        self.changed();
                    }
                    // Gone from the list since the round began: the list has the last word.
                    None => return outcome,
                }
                outcome
                    .finished
                    .extend(self.judge_alone(id, read, now, true));
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {
                let lagging = self.pending.get(id).is_some_and(|p| {
                    p.action == Action::Create
                        && now.saturating_duration_since(p.since) < self.policy.created_list_lag
                });
                if lagging {
                    return outcome;
                }
                outcome
                    .finished
                    .extend(self.judge_alone(id, read, now, false));
                if self.pending.get(id).is_none_or(|p| p.after_read < read) {
                    self.instances.retain(|i| i.id != id);
                    self.row_errors.remove(id);
                    self.changed();
                }
            }
            Err(e) => match e.kind() {
                ErrorKind::Auth => outcome.auth_lost = self.read_failed(e, now),
                ErrorKind::RateLimited => self.wait_as_asked(&e, now),
                _ => self.ask_to_read(),
            },
        }
        outcome
    }

    /// Judges the action awaited on `id`, if the read alone numbered `read` can have seen
    /// its effect, against the machine as read (`found`) or gone (404).
    pub(super) fn judge_alone(
        &mut self,
        id: &str,
        read: u64,
        now: Instant,
        found: bool,
    ) -> Option<Finished> {
        let current = found
            .then(|| self.instances.iter().find(|i| i.id == id))
            .flatten();
        let p = self
            .pending
            .get_mut(id)
            .filter(|p| p.sent && p.after_read < read)?;
        // A machine just created, found alone: the list may lag behind it for a while.
        p.alone |= found && p.action == Action::Create;
        let ok = p.verdict(current, now, &self.policy)?;
        Some(self.finish(id, ok))
    }

    /// A read of the list begins; hand the ticket back with its result.
    pub fn begin_read(&mut self, now: Instant) -> ReadTicket {
        self.last_begun = Some(now);
        self.reads_begun += 1;
        ReadTicket(self.reads_begun)
    }

    /// The result of the read `ticket` began. What was marked or created after it began
    /// is kept as it is: the read cannot have seen it.
    pub fn on_read(
        &mut self,
        ticket: ReadTicket,
        now: Instant,
        wall: SystemTime,
        result: Result<Vec<Instance>, ApiError>,
    ) -> Outcome {
        let ReadTicket(read) = ticket;
        self.last_read = Some(now);
        if self.refresh.is_some_and(|asked| asked < read) {
            self.refresh = None;
        }
        self.changed();
        let mut outcome = Outcome::default();
        match result {
            Ok(mut list) => {
                self.failures = 0;
                self.problem = None;
                self.not_before = None;
                self.loaded = true;
                self.unread = false;
                self.updated_at = Some(wall);
                // A machine created after the read started is not in it yet; one the
                // list lags behind is waited for (and read alone), within the lag.
                self.not_listed.clear();
                for (id, p) in &self.pending {
                    if p.action != Action::Create || list.iter().any(|i| &i.id == id) {
                        continue;
                    }
                    let begun_before = p.after_read >= read;
                    let lagging = p.alone
                        || now.saturating_duration_since(p.since) < self.policy.created_list_lag;
                    if !(begun_before || lagging) {
                        continue;
                    }
                    if let Some(known) = self.instances.iter().find(|i| &i.id == id) {
                        list.insert(0, known.clone());
                    }
                    if !begun_before {
                        self.not_listed.push(id.clone());
                    }
                }
                // Created here and done, not listed yet: kept while the list may lag.
                let lag = self.policy.created_list_lag;
                self.created_unlisted.retain(|id, since| {
                    !list.iter().any(|i| &i.id == id) && now.saturating_duration_since(*since) < lag
                });
                for id in self.created_unlisted.keys() {
                    if let Some(known) = self.instances.iter().find(|i| &i.id == id) {
                        list.insert(0, known.clone());
                    }
                }
                self.instances = list;
                outcome.finished = self.settle_pending(now, read);
                outcome.create_seen = self.find_unanswered(now);
                let present: std::collections::HashSet<&str> =
                    self.instances.iter().map(|i| i.id.as_str()).collect();
                self.row_errors
                    .retain(|id, _| present.contains(id.as_str()));
            }
            Err(e) => outcome.auth_lost = self.read_failed(e, now),
        }
        outcome
    }

    /// A 429: no read before the server's word when it gives one, within reason;
    /// otherwise a whole slow period, which is always enough for a per-minute limit to
    /// refill a little.
    pub(super) fn wait_as_asked(&mut self, e: &ApiError, now: Instant) {
        let wait = e
            .retry_after()
            .unwrap_or(self.policy.slow)
            .min(self.policy.max_wait);
        self.not_before = now.checked_add(wait);
        // Held back by the app's own count, the service said nothing.
        if !e.was_never_sent() {
            self.slowed(wait);
        }
    }

    /// A 429 was answered: the screen says so, with the wait, until it is over.
    pub fn slowed(&mut self, wait: Duration) {
        let until = SystemTime::now().checked_add(wait);
        if until > self.slowed_until {
            self.slowed_until = until;
            self.changed();
        }
    }

    /// A read failed: the banner says why, the next read backs off (a 429 waits as the
    /// server asks, within reason), and a refused sign-in stops reading. Returns that
    /// refusal.
    pub(super) fn read_failed(&mut self, e: ApiError, now: Instant) -> Option<Failure> {
        self.failures = self.failures.saturating_add(1);
        let failure = Failure::from(&e);
        let mut auth_lost = None;
        if e.kind() == ErrorKind::Auth {
            self.paused = true;
            auth_lost = Some(failure.clone());
        }
        if e.kind() == ErrorKind::RateLimited {
            self.wait_as_asked(&e, now);
        }
        let offline = matches!(e.kind(), ErrorKind::Network | ErrorKind::Timeout);
        self.problem = Some((failure, offline));
        auth_lost
    }
}
