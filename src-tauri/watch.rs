//! Live machine state without hammering the API.
//!
//! [`Watch`] is the policy and the memory: when to read the list next, which actions are
//! pending and when they are done, what the last good list was, and what to tell the user
//! when reading fails. It is plain data with time passed in, so every rule is tested
//! without sleeping. [`run`] is the loop that follows it: it reads the list when the policy
//! says so, and hands a [`Snapshot`] to whoever shows it (the UI, through an event).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tokio::sync::{Mutex, Notify};

use crate::api::{ApiError, Client, ErrorKind, Instance, InstanceStatus, PowerAction, RetryPolicy};
use crate::failure::Failure;

/// The polling rhythm.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// While anything moves or an action is pending.
    pub fast: Duration,
    /// When everything is still.
    pub slow: Duration,
    /// A shutdown still running after this long is offered a Force reset.
    pub slow_shutdown: Duration,
    /// A pending action given up on after this long (the row then says so).
    pub give_up: Duration,
    /// First wait after a failed read; doubles up to `slow`.
    pub first_backoff: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            fast: Duration::from_secs(2),
            slow: Duration::from_secs(30),
            slow_shutdown: Duration::from_secs(60),
            give_up: Duration::from_secs(15 * 60),
            first_backoff: Duration::from_secs(2),
        }
    }
}

/// A restart or reset that the server never showed moving counts as done after this long
/// in the target state (a fast server may finish between two reads).
const SETTLE_GRACE: Duration = Duration::from_secs(10);

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

    /// What the row says while the action runs.
    pub fn progress(self) -> &'static str {
        match self {
            Action::Start => "Starting…",
            Action::Stop => "Stopping…",
            Action::Restart => "Restarting…",
            Action::Reset => "Resetting…",
            Action::Delete => "Deleting…",
            Action::Create => "Creating…",
        }
    }

    /// What a notification says when it is done.
    pub fn done(self) -> &'static str {
        match self {
            Action::Start => "has started",
            Action::Stop => "has shut down",
            Action::Restart => "has restarted",
            Action::Reset => "has been reset",
            Action::Delete => "has been deleted",
            Action::Create => "is ready",
        }
    }

    /// Long enough that a person may switch to another window meanwhile.
    pub fn is_long(self) -> bool {
        matches!(self, Action::Create | Action::Stop)
    }

    /// Whether the action makes sense for a machine in `status`, as the contract and the
    /// service's state rules allow.
    pub fn allowed(self, status: &InstanceStatus) -> bool {
        use InstanceStatus as S;
        match self {
            Action::Start => matches!(status, S::Stopped | S::Error),
            Action::Stop | Action::Restart => matches!(status, S::Running),
            Action::Reset => matches!(status, S::Running | S::Error),
            Action::Delete => !matches!(status, S::Deleting),
            Action::Create => false,
        }
    }
}

#[derive(Clone, Debug)]
struct Pending {
    action: Action,
    since: Instant,
    /// The state at the click; a restart is done only once the machine has left it.
    from: InstanceStatus,
    moved: bool,
}

impl Pending {
    fn target(&self) -> Option<InstanceStatus> {
        match self.action {
            Action::Stop => Some(InstanceStatus::Stopped),
            Action::Delete => None,
            _ => Some(InstanceStatus::Running),
        }
    }
}

/// A pending action that ended, for notifications.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    pub name: String,
    pub action: Action,
    pub ok: bool,
}

/// One row of the machines table, ready to show.
#[derive(Clone, Debug, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub id: String,
    pub name: String,
    /// The server's word, verbatim.
    pub status: String,
    /// running, stopped, busy, error or unknown: picks the icon and colour.
    pub state: &'static str,
    pub state_label: String,
    pub zone: Option<String>,
    pub machine_type: Option<String>,
    pub machine_type_full: Option<String>,
    pub external_ip: Option<String>,
    pub internal_ip: Option<String>,
    pub template_id: Option<String>,
    pub created_at: Option<String>,
    pub pending: Option<PendingView>,
    pub error: Option<Failure>,
    pub can: Can,
}

#[derive(Clone, Debug, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingView {
    pub action: Action,
    pub label: &'static str,
    /// A shutdown that is taking too long: the row offers Force reset.
    pub slow: bool,
}

/// Which actions the row's buttons offer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Can {
    pub start: bool,
    pub stop: bool,
    pub restart: bool,
    pub reset: bool,
    pub delete: bool,
}

/// Everything the machines screen shows, pushed to it whole.
#[derive(Clone, Debug, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// False until the first list arrives.
    pub loaded: bool,
    pub machines: Vec<Row>,
    /// Unix milliseconds of the last good read.
    pub updated_at: Option<u64>,
    /// Why the list could not be read (the last good list is still shown).
    pub problem: Option<Failure>,
    /// True when the problem is the connection, not a refusal.
    pub offline: bool,
    /// Unix milliseconds of the next attempt after a problem.
    pub retry_at: Option<u64>,
}

/// What a read of the list changed, for the loop to act on.
#[derive(Debug, Default)]
pub struct Outcome {
    pub finished: Vec<Finished>,
    /// The sign-in is no longer accepted.
    pub auth_lost: Option<Failure>,
}

/// The watcher's memory and policy.
#[derive(Debug)]
pub struct Watch {
    policy: Policy,
    instances: Vec<Instance>,
    loaded: bool,
    updated_at: Option<SystemTime>,
    last_read: Option<Instant>,
    pending: HashMap<String, Pending>,
    row_errors: HashMap<String, Failure>,
    visible: bool,
    problem: Option<(Failure, bool)>,
    failures: u32,
    not_before: Option<Instant>,
    refresh: bool,
    paused: bool,
}

impl Watch {
    pub fn new(policy: Policy) -> Self {
        Watch {
            policy,
            instances: Vec::new(),
            loaded: false,
            updated_at: None,
            last_read: None,
            pending: HashMap::new(),
            row_errors: HashMap::new(),
            visible: true,
            problem: None,
            failures: 0,
            not_before: None,
            refresh: true,
            paused: true,
        }
    }

    /// Forgets everything (sign-out) and stops reading until [`Watch::resume`].
    pub fn reset(&mut self) {
        *self = Watch::new(self.policy);
    }

    /// Starts reading, at once (after sign-in).
    pub fn resume(&mut self) {
        self.paused = false;
        self.refresh = true;
    }

    /// Stops reading without forgetting (the sign-in was lost; it may come back).
    pub fn pause(&mut self) {
        self.paused = true;
    }

    /// The window was shown or hidden (minimised counts as hidden).
    pub fn set_visible(&mut self, visible: bool) {
        if visible && !self.visible {
            self.refresh = true;
        }
        self.visible = visible;
    }

    /// Read as soon as allowed: on focus, after an action, on the Refresh button.
    pub fn refresh_now(&mut self) {
        self.refresh = true;
    }

    fn moving(&self) -> bool {
        !self.pending.is_empty() || self.instances.iter().any(|i| i.status.is_transitional())
    }

    /// When to read the list next; `None` while paused or hidden with nothing to wait for.
    pub fn next_read(&self, now: Instant) -> Option<Instant> {
        if self.paused {
            return None;
        }
        // Hidden: nothing is read, unless the user is waiting for an action to finish
        // (so that its notification can come).
        if !self.visible && self.pending.is_empty() {
            return None;
        }
        let due = match self.last_read {
            None => now,
            Some(_) if self.refresh && self.visible => now,
            Some(last) if self.problem.is_some() => last + self.backoff(),
            Some(last) if self.moving() => last + self.policy.fast,
            Some(last) => last + self.policy.slow,
        };
        Some(match self.not_before {
            Some(nb) if nb > due => nb,
            _ => due,
        })
    }

    fn backoff(&self) -> Duration {
        let doublings = self.failures.saturating_sub(1).min(8);
        (self.policy.first_backoff * 2u32.pow(doublings)).min(self.policy.slow)
    }

    /// Records the machine an action was started on, so its row says so at once.
    pub fn mark_pending(&mut self, id: &str, action: Action, now: Instant) {
        let from = self
            .instances
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.status.clone())
            .unwrap_or_default();
        self.row_errors.remove(id);
        self.pending.insert(
            id.to_owned(),
            Pending {
                action,
                since: now,
                from,
                moved: false,
            },
        );
        self.refresh = true;
    }

    /// A machine the server has just created: shown at once, watched until it runs.
    pub fn add_created(&mut self, instance: Instance, now: Instant) {
        let id = instance.id.clone();
        match self.instances.iter_mut().find(|i| i.id == id) {
            Some(existing) => *existing = instance,
            None => self.instances.insert(0, instance),
        }
        self.mark_pending(&id, Action::Create, now);
    }

    /// An action on one machine failed: the row says why, and nothing is pending.
    pub fn action_failed(&mut self, id: &str, failure: Failure) {
        self.pending.remove(id);
        self.row_errors.insert(id.to_owned(), failure);
    }

    /// Forgets a row's error (the user closed it).
    pub fn dismiss(&mut self, id: &str) {
        self.row_errors.remove(id);
    }

    /// The result of reading the list.
    pub fn on_read(
        &mut self,
        now: Instant,
        wall: SystemTime,
        result: Result<Vec<Instance>, ApiError>,
    ) -> Outcome {
        self.last_read = Some(now);
        self.refresh = false;
        let mut outcome = Outcome::default();
        match result {
            Ok(list) => {
                self.failures = 0;
                self.problem = None;
                self.not_before = None;
                self.loaded = true;
                self.updated_at = Some(wall);
                self.instances = list;
                outcome.finished = self.settle_pending(now);
                let present: std::collections::HashSet<&str> =
                    self.instances.iter().map(|i| i.id.as_str()).collect();
                self.row_errors
                    .retain(|id, _| present.contains(id.as_str()));
            }
            Err(e) => {
                self.failures += 1;
                let failure = Failure::from(&e);
                if e.kind() == ErrorKind::Auth {
                    self.paused = true;
                    outcome.auth_lost = Some(failure.clone());
                }
                if e.kind() == ErrorKind::RateLimited {
                    // The server's word when it gives one; otherwise a whole slow period,
                    // which is always enough for a per-minute limit to refill a little.
                    let wait = e.retry_after().unwrap_or(self.policy.slow);
                    self.not_before = Some(now + wait);
                }
                let offline = matches!(e.kind(), ErrorKind::Network | ErrorKind::Timeout);
                self.problem = Some((failure, offline));
            }
        }
        outcome
    }

    fn settle_pending(&mut self, now: Instant) -> Vec<Finished> {
        let mut finished = Vec::new();
        let by_id: HashMap<&str, &Instance> =
            self.instances.iter().map(|i| (i.id.as_str(), i)).collect();
        let mut failed = Vec::new();
        self.pending.retain(|id, p| {
            let current = by_id.get(id.as_str());
            let name = current
                .map(|i| i.display_name().to_owned())
                .unwrap_or_else(|| id.clone());
            let done = match (current, p.target()) {
                (None, None) => Some(true),
                // Gone while we waited for something else: nothing left to wait for.
                (None, Some(_)) => Some(false),
                (Some(_), None) => None,
                (Some(i), Some(target)) => {
                    if i.status != p.from {
                        p.moved = true;
                    }
                    if i.status == InstanceStatus::Error {
                        Some(false)
                    } else if i.status == target
                        && (p.moved
                            || p.from != target
                            || now.saturating_duration_since(p.since) > SETTLE_GRACE)
                    {
                        Some(true)
                    } else {
                        None
                    }
                }
            };
            let done = done.or_else(|| {
                (now.saturating_duration_since(p.since) > self.policy.give_up).then_some(false)
            });
            match done {
                Some(ok) => {
                    if !ok && current.is_some() {
                        failed.push((id.clone(), p.action));
                    }
                    finished.push(Finished {
                        name,
                        action: p.action,
                        ok,
                    });
                    false
                }
                None => true,
            }
        });
        for (id, action) in failed {
            self.row_errors.insert(
                id,
                Failure::plain(
                    "unexpected",
                    format!(
                        "The machine did not finish {}. Look at its state, and try again or contact support.",
                        match action {
                            Action::Start => "starting",
                            Action::Stop => "shutting down",
                            Action::Restart => "restarting",
                            Action::Reset => "the reset",
                            Action::Delete => "deleting",
                            Action::Create => "setting up",
                        }
                    ),
                ),
            );
        }
        finished
    }

    /// Machines that count against the plan's limit.
    pub fn machines_in_use(&self) -> usize {
        self.instances
            .iter()
            .filter(|i| i.status != InstanceStatus::Deleting)
            .count()
    }

    pub fn instance(&self, id: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.id == id)
    }

    pub fn snapshot(&self, now: Instant, wall: SystemTime) -> Snapshot {
        let machines = self.instances.iter().map(|i| self.row(i, now)).collect();
        let retry_at = match (&self.problem, self.next_read(now)) {
            (Some(_), Some(at)) => Some(unix_ms(wall + at.saturating_duration_since(now))),
            _ => None,
        };
        Snapshot {
            loaded: self.loaded,
            machines,
            updated_at: self.updated_at.map(unix_ms),
            problem: self.problem.as_ref().map(|(f, _)| f.clone()),
            offline: self.problem.as_ref().is_some_and(|(_, offline)| *offline),
            retry_at,
        }
    }

    fn row(&self, i: &Instance, now: Instant) -> Row {
        let pending = self.pending.get(&i.id).map(|p| PendingView {
            action: p.action,
            label: p.action.progress(),
            slow: p.action == Action::Stop
                && now.saturating_duration_since(p.since) >= self.policy.slow_shutdown,
        });
        let can = match &pending {
            Some(p) => Can {
                reset: p.slow,
                delete: p.action != Action::Delete,
                ..Can::default()
            },
            None => Can {
                start: Action::Start.allowed(&i.status),
                stop: Action::Stop.allowed(&i.status),
                restart: Action::Restart.allowed(&i.status),
                reset: Action::Reset.allowed(&i.status),
                delete: Action::Delete.allowed(&i.status),
            },
        };
        use InstanceStatus as S;
        let state = match &i.status {
            S::Running => "running",
            S::Stopped => "stopped",
            S::Error => "error",
            S::Other(_) | S::Missing => "unknown",
            _ => "busy",
        };
        Row {
            id: i.id.clone(),
            name: i.display_name().to_owned(),
            status: i.status.as_wire().to_owned(),
            state,
            state_label: i.status.label().to_owned(),
            zone: i.zone.clone(),
            machine_type: i.machine_type_short().map(str::to_owned),
            machine_type_full: i.machine_type.clone(),
            external_ip: i.external_ip.clone(),
            internal_ip: i.internal_ip.clone(),
            template_id: i.template_id.clone(),
            created_at: i.created_at.clone(),
            pending,
            error: self.row_errors.get(&i.id).cloned(),
            can,
        }
    }
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}

/// What the loop reports to whoever shows the machines.
pub trait Sink: Send + Sync + 'static {
    fn snapshot(&self, snapshot: Snapshot);
    fn finished(&self, finished: Vec<Finished>);
    fn auth_lost(&self, failure: Failure);
}

/// The shared watcher: the policy state, the client it reads with, and a bell that wakes
/// the loop when something changes.
#[derive(Clone)]
pub struct Watcher {
    state: Arc<Mutex<WatchState>>,
    bell: Arc<Notify>,
}

struct WatchState {
    watch: Watch,
    client: Option<Client>,
    /// Bumped on every sign-in and sign-out so a read that started before is dropped.
    epoch: u64,
}

impl Watcher {
    pub fn new(policy: Policy) -> Self {
        Watcher {
            state: Arc::new(Mutex::new(WatchState {
                watch: Watch::new(policy),
                client: None,
                epoch: 0,
            })),
            bell: Arc::new(Notify::new()),
        }
    }

    /// Starts watching for a newly signed-in account.
    pub async fn follow(&self, client: Client) {
        let mut s = self.state.lock().await;
        s.epoch += 1;
        s.watch.reset();
        s.watch.resume();
        s.client = Some(client.with_retry(RetryPolicy::never()));
        drop(s);
        self.bell.notify_one();
    }

    /// Continues with new credentials for the same account (after signing in again),
    /// keeping the list and the pending actions.
    pub async fn reconnect(&self, client: Client) {
        let mut s = self.state.lock().await;
        s.epoch += 1;
        s.watch.resume();
        s.client = Some(client.with_retry(RetryPolicy::never()));
        drop(s);
        self.bell.notify_one();
    }

    /// Stops watching and forgets the list (sign-out).
    pub async fn forget(&self) {
        let mut s = self.state.lock().await;
        s.epoch += 1;
        s.watch.reset();
        s.client = None;
        drop(s);
        self.bell.notify_one();
    }

    /// Runs `f` on the policy state, then wakes the loop so it can act on the change.
    pub async fn update<T>(&self, f: impl FnOnce(&mut Watch) -> T) -> T {
        let out = f(&mut self.state.lock().await.watch);
        self.bell.notify_one();
        out
    }

    pub async fn snapshot(&self) -> Snapshot {
        self.state
            .lock()
            .await
            .watch
            .snapshot(Instant::now(), SystemTime::now())
    }

    /// The loop: sleeps until the policy says to read, reads, reports. Runs until the
    /// app exits.
    pub async fn run(self, sink: impl Sink) {
        let mut sent = Sent::default();
        loop {
            let plan = {
                let s = self.state.lock().await;
                match &s.client {
                    Some(client) => s
                        .watch
                        .next_read(Instant::now())
                        .map(|at| (client.clone(), at, s.epoch)),
                    None => None,
                }
            };
            let Some((client, at, epoch)) = plan else {
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
                        let snapshot = self.snapshot().await;
                        if sent.is_new(&snapshot) {
                            sink.snapshot(snapshot);
                        }
                        continue;
                    }
                }
            }
            let result = client.list_instances().await;
            let mut s = self.state.lock().await;
            if s.epoch != epoch {
                continue;
            }
            let outcome = s.watch.on_read(Instant::now(), SystemTime::now(), result);
            let snapshot = s.watch.snapshot(Instant::now(), SystemTime::now());
            drop(s);
            // A good read always differs: its time is in the snapshot ("Updated 5 s ago").
            if sent.is_new(&snapshot) {
                sink.snapshot(snapshot);
            }
            if !outcome.finished.is_empty() {
                sink.finished(outcome.finished);
            }
            if let Some(failure) = outcome.auth_lost {
                sink.auth_lost(failure);
            }
        }
    }
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
    use crate::api::Operation;

    fn machine(id: &str, status: &str) -> Instance {
        serde_json::from_value(serde_json::json!({"id": id, "name": id, "status": status})).unwrap()
    }

    struct Clock {
        t0: Instant,
    }
    impl Clock {
        fn at(&self, secs: f64) -> Instant {
            self.t0 + Duration::from_secs_f64(secs)
        }
    }

    fn signed_in(list: Vec<Instance>) -> (Watch, Clock) {
        let clock = Clock { t0: Instant::now() };
        let mut w = Watch::new(Policy::default());
        w.resume();
        assert_eq!(w.next_read(clock.at(0.0)), Some(clock.at(0.0)));
        w.on_read(clock.at(0.0), SystemTime::now(), Ok(list));
        (w, clock)
    }

    fn failed(status: u16) -> ApiError {
        ApiError::new(ApiError::kind_for_status(status), Operation::ListInstances)
            .with_status(status)
    }

    fn rate_limited(retry_after: Option<u64>) -> ApiError {
        failed(429).with_retry_after(retry_after.map(Duration::from_secs))
    }

    /// Simulates the loop for `seconds` of fake time and counts the reads it makes.
    fn reads_in(w: &mut Watch, clock: &Clock, from: f64, seconds: f64, list: &[Instance]) -> u32 {
        let mut reads = 0;
        let mut now = clock.at(from);
        let end = clock.at(from + seconds);
        while let Some(at) = w.next_read(now) {
            if at >= end {
                break;
            }
            now = at.max(now);
            reads += 1;
            w.on_read(now, SystemTime::now(), Ok(list.to_vec()));
        }
        reads
    }

    #[test]
    fn nothing_is_read_before_sign_in() {
        let w = Watch::new(Policy::default());
        assert_eq!(w.next_read(Instant::now()), None);
    }

    #[test]
    fn idle_and_visible_reads_twice_a_minute_and_hidden_never() {
        let list = vec![machine("a", "RUNNING"), machine("b", "STOPPED")];
        let (mut w, clock) = signed_in(list.clone());
        assert_eq!(reads_in(&mut w, &clock, 0.0, 60.0, &list), 1); // the one at 30 s
        assert_eq!(w.next_read(clock.at(1.0)), Some(clock.at(60.0)));
        w.set_visible(false);
        assert_eq!(w.next_read(clock.at(61.0)), None);
        assert_eq!(reads_in(&mut w, &clock, 61.0, 600.0, &list), 0);
    }

    #[test]
    fn a_machine_in_transition_is_read_every_two_seconds_within_the_rate_limit() {
        let list = vec![machine("a", "PROVISIONING")];
        let (mut w, clock) = signed_in(list.clone());
        assert_eq!(w.next_read(clock.at(0.5)), Some(clock.at(2.0)));
        let reads = reads_in(&mut w, &clock, 0.0, 60.0, &list);
        assert!((29..=30).contains(&reads), "{reads} reads in a minute");
        assert!(
            reads < 60,
            "the documented limit is 60 per minute per operation"
        );
    }

    #[test]
    fn a_snapshot_goes_to_the_window_again_only_when_it_changed() {
        let list = vec![machine("a", "RUNNING"), machine("b", "STOPPED")];
        let (mut w, clock) = signed_in(list);
        let wall = SystemTime::now();
        let mut sent = Sent::default();
        assert!(sent.is_new(&w.snapshot(clock.at(1.0), wall)));
        // Focus or visibility changed nothing the screen shows.
        w.set_visible(false);
        w.set_visible(true);
        assert!(!sent.is_new(&w.snapshot(clock.at(2.0), wall)));
        // A click marks a row pending: that must reach the screen at once.
        w.mark_pending("a", Action::Stop, clock.at(3.0));
        assert!(sent.is_new(&w.snapshot(clock.at(3.0), wall)));
        assert!(!sent.is_new(&w.snapshot(clock.at(3.5), wall)));
    }

    #[test]
    fn showing_the_window_reads_at_once_and_hiding_pauses() {
        let list = vec![machine("a", "RUNNING")];
        let (mut w, clock) = signed_in(list);
        w.set_visible(false);
        assert_eq!(w.next_read(clock.at(5.0)), None);
        w.set_visible(true);
        assert_eq!(w.next_read(clock.at(6.0)), Some(clock.at(6.0)));
    }

    #[test]
    fn an_action_makes_the_row_pending_at_once_and_reads_right_away() {
        let (mut w, clock) = signed_in(vec![machine("web-1", "RUNNING")]);
        w.mark_pending("web-1", Action::Stop, clock.at(3.0));
        let row = &w.snapshot(clock.at(3.0), SystemTime::now()).machines[0];
        let pending = row.pending.as_ref().unwrap();
        assert_eq!(pending.label, "Stopping…");
        assert!(!pending.slow);
        assert_eq!(
            row.can,
            Can {
                delete: true,
                ..Can::default()
            }
        );
        assert_eq!(w.next_read(clock.at(3.0)), Some(clock.at(3.0)));
    }

    #[test]
    fn a_stop_stays_pending_until_the_server_says_stopped_then_reports_it() {
        let (mut w, clock) = signed_in(vec![machine("web-1", "RUNNING")]);
        w.mark_pending("web-1", Action::Stop, clock.at(1.0));
        // The server has not caught up yet: still pending.
        let o = w.on_read(
            clock.at(1.1),
            SystemTime::now(),
            Ok(vec![machine("web-1", "RUNNING")]),
        );
        assert!(o.finished.is_empty());
        let o = w.on_read(
            clock.at(3.0),
            SystemTime::now(),
            Ok(vec![machine("web-1", "STOPPING")]),
        );
        assert!(o.finished.is_empty());
        assert_eq!(w.next_read(clock.at(3.0)), Some(clock.at(5.0)));
        let o = w.on_read(
            clock.at(5.0),
            SystemTime::now(),
            Ok(vec![machine("web-1", "STOPPED")]),
        );
        assert_eq!(
            o.finished,
            [Finished {
                name: "web-1".into(),
                action: Action::Stop,
                ok: true
            }]
        );
        let row = &w.snapshot(clock.at(5.0), SystemTime::now()).machines[0];
        assert!(row.pending.is_none());
        assert!(row.can.start && !row.can.stop);
        // Everything still again: back to the slow rhythm.
        assert_eq!(w.next_read(clock.at(5.0)), Some(clock.at(35.0)));
    }

    #[test]
    fn a_restart_is_done_only_after_the_machine_left_running() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        w.mark_pending("a", Action::Restart, clock.at(1.0));
        let o = w.on_read(
            clock.at(1.5),
            SystemTime::now(),
            Ok(vec![machine("a", "RUNNING")]),
        );
        assert!(o.finished.is_empty());
        w.on_read(
            clock.at(3.0),
            SystemTime::now(),
            Ok(vec![machine("a", "RESTARTING")]),
        );
        let o = w.on_read(
            clock.at(5.0),
            SystemTime::now(),
            Ok(vec![machine("a", "running")]),
        );
        assert_eq!(o.finished.len(), 1);
        assert!(o.finished[0].ok);
    }

    #[test]
    fn a_hanging_shutdown_offers_force_reset() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        w.mark_pending("a", Action::Stop, clock.at(0.0));
        w.on_read(
            clock.at(2.0),
            SystemTime::now(),
            Ok(vec![machine("a", "STOPPING")]),
        );
        let early = &w.snapshot(clock.at(30.0), SystemTime::now()).machines[0];
        assert!(!early.pending.as_ref().unwrap().slow && !early.can.reset);
        let late = &w.snapshot(clock.at(61.0), SystemTime::now()).machines[0];
        assert!(late.pending.as_ref().unwrap().slow);
        assert!(late.can.reset);
    }

    #[test]
    fn a_delete_is_done_when_the_machine_is_gone() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING"), machine("b", "RUNNING")]);
        w.mark_pending("a", Action::Delete, clock.at(0.0));
        let o = w.on_read(
            clock.at(2.0),
            SystemTime::now(),
            Ok(vec![machine("a", "DELETING"), machine("b", "RUNNING")]),
        );
        assert!(o.finished.is_empty());
        let o = w.on_read(
            clock.at(4.0),
            SystemTime::now(),
            Ok(vec![machine("b", "RUNNING")]),
        );
        assert_eq!(o.finished[0].action, Action::Delete);
        assert!(o.finished[0].ok);
    }

    #[test]
    fn a_created_machine_shows_at_once_and_notifies_when_running() {
        let (mut w, clock) = signed_in(vec![]);
        w.add_created(machine("new", "PROVISIONING"), clock.at(1.0));
        let snap = w.snapshot(clock.at(1.0), SystemTime::now());
        assert_eq!(snap.machines[0].status, "PROVISIONING");
        assert_eq!(
            snap.machines[0].pending.as_ref().unwrap().label,
            "Creating…"
        );
        let o = w.on_read(
            clock.at(3.0),
            SystemTime::now(),
            Ok(vec![machine("new", "RUNNING")]),
        );
        assert_eq!(
            o.finished,
            [Finished {
                name: "new".into(),
                action: Action::Create,
                ok: true
            }]
        );
    }

    #[test]
    fn a_machine_that_fails_ends_the_wait_with_an_error_on_its_row() {
        let (mut w, clock) = signed_in(vec![machine("a", "STOPPED")]);
        w.mark_pending("a", Action::Start, clock.at(0.0));
        let o = w.on_read(
            clock.at(2.0),
            SystemTime::now(),
            Ok(vec![machine("a", "ERROR")]),
        );
        assert!(!o.finished[0].ok);
        let row = &w.snapshot(clock.at(2.0), SystemTime::now()).machines[0];
        assert!(row
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("did not finish starting"));
    }

    #[test]
    fn a_failed_action_shows_on_its_row_not_globally() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING"), machine("b", "RUNNING")]);
        w.mark_pending("a", Action::Stop, clock.at(0.0));
        w.action_failed(
            "a",
            Failure::plain("server", "Could not shut down the machine."),
        );
        let snap = w.snapshot(clock.at(0.0), SystemTime::now());
        assert!(snap.problem.is_none());
        assert!(snap.machines[0].pending.is_none());
        assert!(snap.machines[0].error.is_some());
        assert!(snap.machines[1].error.is_none());
    }

    #[test]
    fn a_429_waits_as_long_as_the_server_asks_and_says_when() {
        let (mut w, clock) = signed_in(vec![machine("a", "PROVISIONING")]);
        w.on_read(
            clock.at(2.0),
            SystemTime::now(),
            Err(rate_limited(Some(17))),
        );
        assert_eq!(w.next_read(clock.at(2.0)), Some(clock.at(19.0)));
        // Not even a focus or an action jumps the queue.
        w.refresh_now();
        assert_eq!(w.next_read(clock.at(3.0)), Some(clock.at(19.0)));
        let wall = SystemTime::now();
        let snap = w.snapshot(clock.at(3.0), wall);
        assert_eq!(snap.problem.as_ref().unwrap().kind, "rate_limited");
        assert_eq!(snap.problem.as_ref().unwrap().retry_after_secs, Some(17));
        assert_eq!(snap.retry_at, Some(unix_ms(wall + Duration::from_secs(16))));
        assert!(!snap.offline);
    }

    #[test]
    fn a_429_without_retry_after_waits_a_slow_period() {
        let (mut w, clock) = signed_in(vec![machine("a", "PROVISIONING")]);
        w.on_read(clock.at(2.0), SystemTime::now(), Err(rate_limited(None)));
        assert_eq!(w.next_read(clock.at(2.0)), Some(clock.at(32.0)));
    }

    #[test]
    fn offline_keeps_the_last_list_backs_off_and_clears_itself() {
        let list = vec![machine("a", "RUNNING")];
        let (mut w, clock) = signed_in(list.clone());
        let down = || ApiError::new(ErrorKind::Network, Operation::ListInstances);
        w.on_read(clock.at(30.0), SystemTime::now(), Err(down()));
        let snap = w.snapshot(clock.at(30.0), SystemTime::now());
        assert!(snap.offline);
        assert_eq!(snap.machines.len(), 1, "the last good list stays");
        assert_eq!(w.next_read(clock.at(30.0)), Some(clock.at(32.0)));
        w.on_read(clock.at(32.0), SystemTime::now(), Err(down()));
        assert_eq!(w.next_read(clock.at(32.0)), Some(clock.at(36.0)));
        for _ in 0..10 {
            w.on_read(clock.at(36.0), SystemTime::now(), Err(down()));
        }
        assert_eq!(
            w.next_read(clock.at(36.0)),
            Some(clock.at(66.0)),
            "at most the slow period"
        );
        w.on_read(clock.at(66.0), SystemTime::now(), Ok(list));
        let snap = w.snapshot(clock.at(66.0), SystemTime::now());
        assert!(!snap.offline && snap.problem.is_none());
    }

    #[test]
    fn a_401_pauses_reading_and_reports_the_lost_sign_in() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        let o = w.on_read(clock.at(30.0), SystemTime::now(), Err(failed(401)));
        assert_eq!(o.auth_lost.unwrap().kind, "auth");
        assert_eq!(w.next_read(clock.at(31.0)), None);
        // Signing in again picks up where it was.
        w.resume();
        assert_eq!(w.next_read(clock.at(40.0)), Some(clock.at(40.0)));
        assert_eq!(
            w.snapshot(clock.at(40.0), SystemTime::now()).machines.len(),
            1
        );
    }

    #[test]
    fn buttons_follow_the_state() {
        let can = |s: &str| {
            let (w, clock) = signed_in(vec![machine("a", s)]);
            w.snapshot(clock.at(0.0), SystemTime::now()).machines[0].can
        };
        let all = Can {
            start: true,
            stop: true,
            restart: true,
            reset: true,
            delete: true,
        };
        assert_eq!(
            can("RUNNING"),
            Can {
                start: false,
                ..all
            }
        );
        assert_eq!(
            can("STOPPED"),
            Can {
                start: true,
                delete: true,
                ..Can::default()
            }
        );
        assert_eq!(
            can("ERROR"),
            Can {
                start: true,
                reset: true,
                delete: true,
                ..Can::default()
            }
        );
        assert_eq!(
            can("PROVISIONING"),
            Can {
                delete: true,
                ..Can::default()
            }
        );
        assert_eq!(can("DELETING"), Can::default());
        assert_eq!(
            can("HIBERNATING"),
            Can {
                delete: true,
                ..Can::default()
            }
        );
    }
}
