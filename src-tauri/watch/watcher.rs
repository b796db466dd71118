//! The loop that follows the [`LiveList`]'s policy: reads the list when told to, and
//! pushes every new [`Snapshot`] to a [`Sink`].

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use tokio::sync::{Mutex, Notify};

use super::{
    CreateSeen, Finished, LiveList, Outcome, Policy, ReadTicket, Remembered, Room, Snapshot,
};
use crate::api::{Client, RetryPolicy};
use crate::failure::Failure;

/// What the loop reports to whoever shows the machines. `owner` is the sign-in the
/// watcher was following when it learned it ([`Watcher::follow`]): a report that arrives
/// after that sign-in ended must change nothing of the next one.
pub trait Sink: Send + Sync + 'static {
    fn snapshot(&self, snapshot: Snapshot);
    fn finished(&self, owner: u64, finished: Vec<Finished>);
    fn auth_lost(&self, owner: u64, failure: Failure);
    /// What became of a create that was never answered ([`LiveList::look_for_create`]).
    fn create_seen(&self, owner: u64, seen: CreateSeen);
}

/// The shared watcher: the policy state, the client it reads with, and a bell that wakes
/// the loop when something changes.
#[derive(Clone)]
pub struct Watcher {
    state: Arc<Mutex<Shared>>,
    bell: Arc<Notify>,
}

struct Shared {
    list: LiveList,
    client: Option<Client>,
    /// Bumped on every sign-in and sign-out so a read that started before is dropped.
    epoch: u64,
}

impl Shared {
    /// Tells the list what the account's budget allows its reads now ([`Room`]).
    fn measure_room(&mut self, now: Instant) {
        let room = match &self.client {
            Some(client) => Room::of(&mut client.budget(), now, self.list.policy.fast),
            None => Room::unlimited(),
        };
        self.list.set_room(room);
    }
}

impl Watcher {
    pub fn new(policy: Policy) -> Self {
        Watcher {
            state: Arc::new(Mutex::new(Shared {
                list: LiveList::new(policy),
                client: None,
                epoch: 0,
            })),
            bell: Arc::new(Notify::new()),
        }
    }

    /// Starts watching for a newly signed-in account, the sign-in numbered `owner`,
    /// showing `remembered` (its list as last seen, if it was open before) until the first
    /// read answers. Returns the list of the account followed until now, as last read.
    pub async fn follow(
        &self,
        client: Client,
        owner: u64,
        remembered: Option<Remembered>,
    ) -> Option<Remembered> {
        let mut s = self.state.lock().await;
        s.epoch += 1;
        let left = s.list.take_remembered();
        s.list.reset();
        s.list.owner = owner;
        if let Some(list) = remembered {
            s.list.show_remembered(list);
        }
        s.list.resume();
        s.client = Some(client.with_retry(RetryPolicy::never()));
        drop(s);
        self.bell.notify_one();
        left
    }

    /// Continues with new credentials for the same account (after signing in again),
    /// keeping the list and the pending actions.
    pub async fn reconnect(&self, client: Client, owner: u64) {
        let mut s = self.state.lock().await;
        s.epoch += 1;
        s.list.owner = owner;
        s.list.resume();
        s.client = Some(client.with_retry(RetryPolicy::never()));
        drop(s);
        self.bell.notify_one();
    }

    /// Stops watching and forgets the list (sign-out, switching); returns it as last read.
    pub async fn forget(&self) -> Option<Remembered> {
        let mut s = self.state.lock().await;
        s.epoch += 1;
        let remembered = s.list.take_remembered();
        s.list.reset();
        s.client = None;
        drop(s);
        self.bell.notify_one();
        remembered
    }

    /// Runs `f` on the policy state, then wakes the loop so it can act on the change.
    pub async fn update<T>(&self, f: impl FnOnce(&mut LiveList) -> T) -> T {
        let out = f(&mut self.state.lock().await.list);
        self.bell.notify_one();
        out
    }

    /// Runs `f` as [`Watcher::update`] does, only while the sign-in `owner` is the one
    /// followed: what an action learns after its sign-in ended touches no other list.
    pub async fn update_for<T>(&self, owner: u64, f: impl FnOnce(&mut LiveList) -> T) -> Option<T> {
        let mut s = self.state.lock().await;
        if s.list.owner != owner {
            return None;
        }
        let out = f(&mut s.list);
        drop(s);
        self.bell.notify_one();
        Some(out)
    }

    /// Looks at the list of the sign-in `owner` without changing it (the loop is not
    /// woken); `None` when the list is another sign-in's.
    pub async fn look_for<T>(&self, owner: u64, f: impl FnOnce(&LiveList) -> T) -> Option<T> {
        let s = self.state.lock().await;
        (s.list.owner == owner).then(|| f(&s.list))
    }

    pub async fn snapshot(&self) -> Snapshot {
        self.state
            .lock()
            .await
            .list
            .snapshot(Instant::now(), SystemTime::now())
    }

    /// The loop: sleeps until the policy says to read or a pending action's time is up,
    /// reads, reports. Whatever changes meanwhile (a click, a create) is pushed at once,
    /// also while a read is under way. Runs until the app exits.
    pub async fn run(self, sink: impl Sink) {
        let mut sent = Sent::default();
        loop {
            let plan = {
                let mut s = self.state.lock().await;
                let now = Instant::now();
                s.measure_room(now);
                match &s.client {
                    Some(client) => s
                        .list
                        .next_wake(now)
                        .map(|at| (client.clone(), at, s.epoch, s.list.owner)),
                    None => None,
                }
            };
            let Some((client, at, epoch, owner)) = plan else {
                self.bell.notified().await;
                continue;
            };
            if at > Instant::now() {
                tokio::select! {
                    _ = tokio::time::sleep_until(at.into()) => {}
                    _ = self.bell.notified() => {
                        // Something changed (focus, an action): plan again. The snapshot
                        // goes out at once so a pending row shows within a frame.
                        // Focus and visibility ring too: a whole list sent again for
                        // nothing costs the page its parse.
                        self.push_if_new(&sink, &mut sent).await;
                        continue;
                    }
                }
            }
            let (expired, search, read) = {
                let mut s = self.state.lock().await;
                if s.epoch != epoch {
                    // Signed in or out while asleep: plan again for whoever is followed.
                    continue;
                }
                let now = Instant::now();
                s.measure_room(now);
                let expired = s.list.expire(now);
                let search = s.list.expire_search(now);
                let due = |at: Option<Instant>| at.is_some_and(|at| at <= now);
                let read = if due(s.list.next_read(now)) {
                    Some(Read::List(s.list.begin_read(now)))
                } else if due(s.list.next_alone(now)) {
                    s.list
                        .alone_ids()
                        .map(|ids| Read::Alone(s.list.begin_alone(now), ids))
                } else {
                    None
                };
                (expired, search, read)
            };
            if !expired.is_empty() || search.is_some() {
                self.push_if_new(&sink, &mut sent).await;
            }
            if !expired.is_empty() {
                sink.finished(owner, expired);
            }
            if let Some(seen) = search {
                sink.create_seen(owner, seen);
            }
            let outcome = match read {
                // Woken for a deadline, not a read: a shutdown may have turned slow.
                None => {
                    self.push_if_new(&sink, &mut sent).await;
                    continue;
                }
                Some(Read::List(ticket)) => {
                    match self
                        .read_list(&client, ticket, epoch, &sink, &mut sent)
                        .await
                    {
                        Some(outcome) => outcome,
                        None => continue,
                    }
                }
                Some(Read::Alone(ticket, ids)) => {
                    match self.read_alone(&client, ticket, &ids, epoch).await {
                        Some(outcome) => outcome,
                        None => continue,
                    }
                }
            };
            let snapshot = self
                .state
                .lock()
                .await
                .list
                .snapshot(Instant::now(), SystemTime::now());
            // A good read always differs: its time is in the snapshot ("Updated 5 s ago").
            if sent.is_new(&snapshot) {
                sink.snapshot(snapshot);
            }
            if !outcome.finished.is_empty() {
                sink.finished(owner, outcome.finished);
            }
            if let Some(seen) = outcome.create_seen {
                sink.create_seen(owner, seen);
            }
            if let Some(failure) = outcome.auth_lost {
                sink.auth_lost(owner, failure);
            }
        }
    }

    /// Reads the whole list under `ticket`, then the machines just created that it does
    /// not show yet, each alone. `None` when the sign-in changed meanwhile.
    async fn read_list(
        &self,
        client: &Client,
        ticket: ReadTicket,
        epoch: u64,
        sink: &impl Sink,
        sent: &mut Sent,
    ) -> Option<Outcome> {
        let read = client.list_instances();
        tokio::pin!(read);
        let result = loop {
            tokio::select! {
                result = &mut read => break result,
                _ = self.bell.notified() => {
                    // Signed out or switched meanwhile: the read is abandoned at once, so
                    // the next account's first read never waits for it.
                    if self.state.lock().await.epoch != epoch {
                        return None;
                    }
                    self.push_if_new(sink, sent).await;
                }
            }
        };
        let mut s = self.state.lock().await;
        if s.epoch != epoch {
            return None;
        }
        let mut outcome = s
            .list
            .on_read(ticket, Instant::now(), SystemTime::now(), result);
        let not_listed = s.list.created_not_listed();
        if not_listed.is_empty() {
            return Some(outcome);
        }
        // New machines the list does not show yet are read alone: a service lists a
        // machine only once its record is written.
        let ticket = s.list.begin_alone(Instant::now());
        drop(s);
        outcome.absorb(self.read_alone(client, ticket, &not_listed, epoch).await?);
        Some(outcome)
    }

    /// Reads each of `ids` alone (`GET /instances/{id}`), all at once, under `ticket`.
    /// `None` when the sign-in changed meanwhile.
    async fn read_alone(
        &self,
        client: &Client,
        ticket: ReadTicket,
        ids: &[String],
        epoch: u64,
    ) -> Option<Outcome> {
        let reads = futures_util::future::join_all(ids.iter().map(|id| client.get_instance(id)));
        tokio::pin!(reads);
        let answers = loop {
            tokio::select! {
                answers = &mut reads => break answers,
                // As a list read: abandoned at once when its sign-in ends.
                _ = self.bell.notified() => {
                    if self.state.lock().await.epoch != epoch {
                        return None;
                    }
                }
            }
        };
        let mut s = self.state.lock().await;
        if s.epoch != epoch {
            return None;
        }
        let mut outcome = Outcome::default();
        let now = Instant::now();
        for (id, result) in ids.iter().zip(answers) {
            outcome.absorb(s.list.on_read_alone(&ticket, id, now, result));
        }
        Some(outcome)
    }

    async fn push_if_new(&self, sink: &impl Sink, sent: &mut Sent) {
        let snapshot = self.snapshot().await;
        if sent.is_new(&snapshot) {
            sink.snapshot(snapshot);
        }
    }
}

/// The read the loop makes next: the whole list, or the moving machines each alone.
enum Read {
    List(ReadTicket),
    Alone(ReadTicket, Vec<String>),
}

/// What the loop last pushed, as a hash of the snapshot (no copy of a long list is kept).
#[derive(Default)]
struct Sent(Option<u64>);

impl Sent {
    /// True when `snapshot` differs from the last one seen, which it then remembers.
    fn is_new(&mut self, snapshot: &Snapshot) -> bool {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut hasher = DefaultHasher::new();
        snapshot.hash(&mut hasher);
        let hash = hasher.finish();
        self.0.replace(hash) != Some(hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Instance;
    use crate::watch::Action;

    fn machine(id: &str, status: &str) -> Instance {
        serde_json::from_value(serde_json::json!({"id": id, "name": id, "status": status})).unwrap()
    }

    #[test]
    fn a_snapshot_goes_to_the_window_again_only_when_it_changed() {
        let list = vec![machine("a", "RUNNING"), machine("b", "STOPPED")];
        let mut w = LiveList::new(Policy::default());
        w.resume();
        let t0 = Instant::now();
        let ticket = w.begin_read(t0);
        w.on_read(ticket, t0, SystemTime::now(), Ok(list));
        let at = |secs: f64| t0 + std::time::Duration::from_secs_f64(secs);
        let wall = SystemTime::now();
        let mut sent = Sent::default();
        assert!(sent.is_new(&w.snapshot(at(1.0), wall)));
        // Focus or visibility changed nothing the screen shows.
        w.set_visible(false);
        w.set_visible(true);
        assert!(!sent.is_new(&w.snapshot(at(2.0), wall)));
        // A click marks a row pending: that must reach the screen at once.
        w.mark_pending("a", Action::Stop, at(3.0));
        assert!(sent.is_new(&w.snapshot(at(3.0), wall)));
        assert!(!sent.is_new(&w.snapshot(at(3.5), wall)));
    }
}
