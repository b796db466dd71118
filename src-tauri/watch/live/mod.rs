//! [`LiveList`]: the machines as last read, the actions awaited, and the policy that
//! decides when to read again. Plain data with time passed in.

mod marks;
mod reads;
mod rhythm;
mod round;

pub use round::Room;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant, SystemTime};

use super::pending::Pending;
use super::unanswered::UnansweredCreate;
use super::{Action, CreateSeen, Finished};
use crate::api::{ApiError, ErrorKind, Instance, InstanceStatus, Phase, MAX_RETRY_AFTER};
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
    /// A pending action given up on after this long (the row then says so), read or not.
    pub give_up: Duration,
    /// A pending action whose machine has not changed at all after this long is given
    /// up on: the server accepted it, but nothing is happening.
    pub no_move_limit: Duration,
    /// The longest wait a 429 can impose, whatever its `Retry-After` says; a 429
    /// without one waits `slow`.
    pub max_wait: Duration,
    /// Each operation type's limit a minute until the service says otherwise (its
    /// `/limits`): the account's budget ([`crate::api::budget::Budget`]) starts from it.
    pub per_minute: u32,
    /// First wait after a failed read; doubles up to `slow`.
    pub first_backoff: Duration,
    /// A machine just created that the list does not show yet is waited for this long
    /// (a real service lists a new machine only once its record is written), read alone
    /// meanwhile, before it is said to have gone missing.
    pub created_list_lag: Duration,
    /// While this many machines or fewer move, each is read alone at the quick rhythm and
    /// the whole list only at the idle one; past it, the whole list at the quick rhythm.
    pub alone_limit: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            fast: Duration::from_secs(2),
            slow: Duration::from_secs(30),
            slow_shutdown: Duration::from_secs(60),
            give_up: Duration::from_secs(15 * 60),
            no_move_limit: Duration::from_secs(5 * 60),
            max_wait: MAX_RETRY_AFTER,
            per_minute: crate::api::budget::DEFAULT_PER_MINUTE,
            first_backoff: Duration::from_secs(2),
            created_list_lag: Duration::from_secs(2 * 60),
            alone_limit: 20,
        }
    }
}

/// The machines read alone after one read of the list, at most.
const MAX_READ_ALONE: usize = 5;

/// Proof that a read began, numbered; see [`LiveList::begin_read`].
#[derive(Debug)]
#[must_use]
pub struct ReadTicket(u64);

/// What a read of the list changed, for the loop to act on.
#[derive(Debug, Default)]
pub struct Outcome {
    pub finished: Vec<Finished>,
    /// What became of a create that was never answered, once known.
    pub create_seen: Option<CreateSeen>,
    /// The sign-in is no longer accepted.
    pub auth_lost: Option<Failure>,
}

impl Outcome {
    /// Adds what a later read of the same round changed.
    pub fn absorb(&mut self, other: Outcome) {
        self.finished.extend(other.finished);
        self.create_seen = self.create_seen.take().or(other.create_seen);
        self.auth_lost = self.auth_lost.take().or(other.auth_lost);
    }
}

/// An account's machines as last read, kept while another account is on screen.
#[derive(Clone, Debug)]
pub struct Remembered {
    instances: Vec<Instance>,
    updated_at: Option<SystemTime>,
}

/// The watcher's memory and policy.
#[derive(Debug)]
pub struct LiveList {
    pub(super) policy: Policy,
    /// The sign-in whose list this is (the desk's number for it); 0 for none.
    pub(super) owner: u64,
    pub(super) instances: Vec<Instance>,
    pub(super) loaded: bool,
    /// The machines shown are the account's list as last seen on an earlier visit, not
    /// read since it was opened again: their buttons wait for the read.
    pub(super) unread: bool,
    pub(super) updated_at: Option<SystemTime>,
    last_read: Option<Instant>,
    pub(super) pending: HashMap<String, Pending>,
    /// The bulk actions still sending: what they do and how many machines they hold.
    pub(super) bulks: BTreeMap<u64, (Action, usize)>,
    pub(super) row_errors: HashMap<String, Failure>,
    /// Machines just created that the last read did not list: read alone until it does.
    not_listed: Vec<String>,
    /// Machines created here and judged done (seen running, read alone) that a list has
    /// not shown yet, with when their create was asked: kept on screen while the list
    /// may lag behind ([`Policy::created_list_lag`]).
    pub(super) created_unlisted: HashMap<String, Instant>,
    /// A create that was never answered, looked for in the reads.
    unanswered: Option<UnansweredCreate>,
    visible: bool,
    pub(super) problem: Option<(Failure, bool)>,
    failures: u32,
    not_before: Option<Instant>,
    /// What the account's budget allows the next rounds ([`Room`]).
    room: Room,
    /// A 429 was answered (to a read or an action): the screen says so until then.
    pub(super) slowed_until: Option<SystemTime>,
    /// Reads begun so far; a read numbered n has seen every change made before it began.
    reads_begun: u64,
    /// When the newest read began.
    last_begun: Option<Instant>,
    /// When the newest round of machines read alone began.
    last_alone: Option<Instant>,
    /// A read was asked for (focus, an action, Refresh) when this many reads had begun;
    /// only a read begun after that answers it.
    refresh: Option<u64>,
    paused: bool,
    /// Counts every change to what the screen shows, so that the page can tell a newer
    /// snapshot from an older one. Never goes back, not even on sign-out.
    pub(super) generation: u64,
    /// What people call the machines ([`Given`]), by id: shown first on every row.
    pub(super) given: HashMap<String, Given>,
}

/// What a person calls a machine: its name, note, groups and whether it is a favourite
/// (kept by the desk, `settings::names`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Given {
    pub name: String,
    pub note: String,
    pub groups: Vec<String>,
    pub favourite: bool,
}

impl LiveList {
    pub fn new(policy: Policy) -> Self {
        LiveList {
            owner: 0,
            policy,
            instances: Vec::new(),
            loaded: false,
            unread: false,
            updated_at: None,
            last_read: None,
            pending: HashMap::new(),
            bulks: BTreeMap::new(),
            row_errors: HashMap::new(),
            not_listed: Vec::new(),
            created_unlisted: HashMap::new(),
            unanswered: None,
            visible: true,
            problem: None,
            failures: 0,
            not_before: None,
            room: Room::unlimited(),
            slowed_until: None,
            reads_begun: 0,
            last_begun: None,
            last_alone: None,
            refresh: None,
            paused: true,
            generation: 0,
            given: HashMap::new(),
        }
    }

    /// Forgets everything (sign-out) and stops reading until [`LiveList::resume`].
    pub fn reset(&mut self) {
        let generation = self.generation + 1;
        *self = LiveList::new(self.policy);
        self.generation = generation;
    }

    /// The machines as last read and when (taken: the list is being left), to show at
    /// once when the account is opened again ([`LiveList::show_remembered`]); `None`
    /// before a first good read.
    pub fn take_remembered(&mut self) -> Option<Remembered> {
        self.loaded.then(|| Remembered {
            instances: std::mem::take(&mut self.instances),
            updated_at: self.updated_at,
        })
    }

    /// Shows `list`, an earlier visit's, until the first read answers: marked as not read.
    pub fn show_remembered(&mut self, list: Remembered) {
        self.instances = list.instances;
        self.updated_at = list.updated_at;
        self.loaded = true;
        self.unread = true;
        self.changed();
    }

    /// Starts reading, at once (after sign-in).
    pub fn resume(&mut self) {
        self.paused = false;
        self.ask_to_read();
    }

    /// Stops reading without forgetting (the sign-in was lost; it may come back).
    pub fn pause(&mut self) {
        self.paused = true;
    }

    /// The window was shown or hidden (minimised counts as hidden).
    pub fn set_visible(&mut self, visible: bool) {
        if visible && !self.visible {
            self.ask_to_read();
        }
        self.visible = visible;
    }

    /// Read as soon as allowed: after an action, on the Refresh button.
    pub fn refresh_now(&mut self) {
        self.ask_to_read();
    }

    pub(super) fn changed(&mut self) {
        self.generation += 1;
    }

    /// The sequence number of the snapshot that shows everything done so far.
    pub fn seq(&self) -> u64 {
        self.generation
    }

    pub fn instance(&self, id: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.id == id)
    }

    /// What people call the machines, by id; the rows show it from now.
    pub fn set_given(&mut self, given: HashMap<String, Given>) {
        if given != self.given {
            self.given = given;
            self.changed();
        }
    }

    /// Machine `id` as a person names it: "Accounting PC (tw-550e84-a1b2c3d4)" when it
    /// was given a name, else the service's name (its id when it has none).
    pub fn shown_name(&self, id: &str) -> String {
        let service = self
            .instance(id)
            .map_or_else(|| id.to_owned(), |i| i.display_name().to_owned());
        match self.given.get(id).filter(|g| !g.name.is_empty()) {
            Some(g) => format!("{} ({service})", g.name),
            None => service,
        }
    }

    /// The machines as the whole list was last read, and when (this computer's clock);
    /// `None` before a first good read, or while the list shown is an earlier visit's.
    pub fn as_read(&self) -> Option<(SystemTime, &[Instance])> {
        if !self.loaded || self.unread {
            return None;
        }
        Some((self.updated_at?, &self.instances))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Operation;
    use crate::text::Text;
    use crate::watch::snapshot::unix_ms;
    use crate::watch::Can;

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

    fn signed_in(list: Vec<Instance>) -> (LiveList, Clock) {
        let clock = Clock { t0: Instant::now() };
        let mut w = LiveList::new(Policy::default());
        w.resume();
        assert_eq!(w.next_read(clock.at(0.0)), Some(clock.at(0.0)));
        read(&mut w, clock.at(0.0), Ok(list));
        (w, clock)
    }

    /// One whole read: begun and answered at `at`.
    fn read(w: &mut LiveList, at: Instant, result: Result<Vec<Instance>, ApiError>) -> Outcome {
        let ticket = w.begin_read(at);
        w.on_read(ticket, at, SystemTime::now(), result)
    }

    /// One machine read alone, in a round of its own begun and answered at `at`; what
    /// ended.
    fn alone(
        w: &mut LiveList,
        id: &str,
        at: Instant,
        result: Result<Instance, ApiError>,
    ) -> Option<Finished> {
        let ticket = w.begin_alone(at);
        w.on_read_alone(&ticket, id, at, result).finished.pop()
    }

    fn failed(status: u16) -> ApiError {
        ApiError::new(ApiError::kind_for_status(status), Operation::ListInstances)
            .with_status(status)
    }

    fn rate_limited(retry_after: Option<u64>) -> ApiError {
        failed(429).with_retry_after(retry_after.map(Duration::from_secs))
    }

    /// Simulates the loop for `seconds` of fake time and counts the reads it makes.
    fn reads_in(
        w: &mut LiveList,
        clock: &Clock,
        from: f64,
        seconds: f64,
        list: &[Instance],
    ) -> u32 {
        let mut reads = 0;
        let mut now = clock.at(from);
        let end = clock.at(from + seconds);
        while let Some(at) = w.next_read(now) {
            if at >= end {
                break;
            }
            now = at.max(now);
            reads += 1;
            read(w, now, Ok(list.to_vec()));
        }
        reads
    }

    #[test]
    fn nothing_is_read_before_sign_in() {
        let w = LiveList::new(Policy::default());
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
        assert_eq!(w.next_alone(clock.at(0.5)), Some(clock.at(2.0)));
        let (lists, alone) = reads_of_each_kind(&mut w, &clock, 0.0, 60.0, |_| list.clone());
        assert!(
            (28..=30).contains(&alone),
            "{alone} reads alone in a minute"
        );
        assert_eq!(lists, 1, "the list at the idle rhythm, at 30 s");
        assert!(
            alone < 60,
            "the documented limit is 60 per minute per operation"
        );
    }

    /// Simulates the loop for `seconds` of fake time as the watcher runs it (the list when
    /// due, else the machines alone when due), with the server's machines given by
    /// `server(t)`; counts (list reads, single reads).
    fn reads_of_each_kind(
        w: &mut LiveList,
        clock: &Clock,
        from: f64,
        seconds: f64,
        server: impl Fn(f64) -> Vec<Instance>,
    ) -> (u32, u32) {
        let (mut lists, mut singles) = (0, 0);
        let end = clock.at(from + seconds);
        let mut now = clock.at(from);
        loop {
            let next = [w.next_read(now), w.next_alone(now)]
                .into_iter()
                .flatten()
                .min();
            let Some(at) = next.filter(|at| *at < end) else {
                break;
            };
            now = at.max(now);
            let t = now.duration_since(clock.t0).as_secs_f64();
            if w.next_read(now).is_some_and(|at| at <= now) {
                lists += 1;
                read(w, now, Ok(server(t)));
            } else {
                let ids = w.alone_ids().expect("a round alone has machines");
                let ticket = w.begin_alone(now);
                for id in ids {
                    singles += 1;
                    let found = server(t).into_iter().find(|i| i.id == id);
                    let answer = found.ok_or_else(|| {
                        ApiError::new(ErrorKind::NotFound, Operation::GetInstance).with_status(404)
                    });
                    let _ = w.on_read_alone(&ticket, &id, now, answer);
                }
            }
        }
        (lists, singles)
    }

    #[test]
    fn a_moving_machine_is_read_alone_and_the_list_keeps_the_idle_rhythm() {
        // One machine of a hundred shuts down for 21 s; the others stand still.
        let mut list: Vec<Instance> = (0..100)
            .map(|i| machine(&format!("m{i}"), "RUNNING"))
            .collect();
        list[7] = machine("m7", "STOPPING");
        let (mut w, clock) = signed_in(list.clone());
        assert_eq!(w.alone_ids(), Some(vec!["m7".to_owned()]));
        assert_eq!(w.next_alone(clock.at(0.5)), Some(clock.at(2.0)));
        assert_eq!(w.next_read(clock.at(0.5)), Some(clock.at(30.0)));
        let server = |t: f64| {
            let mut l = list.clone();
            l[7] = machine("m7", if t < 21.0 { "STOPPING" } else { "STOPPED" });
            l
        };
        let (lists, singles) = reads_of_each_kind(&mut w, &clock, 0.0, 60.0, server);
        // m7 alone at 2, 4, …, 22 s (stopped then: nothing moves), the list at 30 and 60.
        assert_eq!((lists, singles), (1, 11));
        let row = w.snapshot(clock.at(60.0), SystemTime::now()).machines;
        assert_eq!(
            row[7].status, "STOPPED",
            "the single read's news is on screen"
        );
        assert_eq!(w.alone_ids(), None);
    }

    #[test]
    fn past_the_limit_of_machines_alone_the_whole_list_is_read_quickly() {
        let list: Vec<Instance> = (0..21)
            .map(|i| machine(&format!("m{i}"), "PROVISIONING"))
            .collect();
        let (mut w, clock) = signed_in(list[..20].to_vec());
        assert_eq!(
            w.alone_ids().map(|ids| ids.len()),
            Some(20),
            "twenty are few"
        );
        read(&mut w, clock.at(1.0), Ok(list.clone()));
        assert_eq!(w.alone_ids(), None, "twenty-one are many");
        assert_eq!(w.next_alone(clock.at(1.5)), None);
        assert_eq!(w.next_read(clock.at(1.5)), Some(clock.at(3.0)));
        let (lists, singles) = reads_of_each_kind(&mut w, &clock, 1.0, 20.0, |_| list.clone());
        assert_eq!((lists, singles), (9, 0), "at 3, 5, …, 19 s");
    }

    #[test]
    fn a_machine_read_alone_and_not_found_is_gone_and_its_deletion_done() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING"), machine("b", "RUNNING")]);
        w.mark_pending("a", Action::Delete, clock.at(1.0));
        assert_eq!(w.alone_ids(), Some(vec!["a".to_owned()]));
        // A round begun before the mark does not judge it.
        let early = w.begin_alone(clock.at(0.9));
        w.mark_pending("b", Action::Stop, clock.at(1.0));
        let gone = || ApiError::new(ErrorKind::NotFound, Operation::GetInstance).with_status(404);
        let o = w.on_read_alone(&early, "b", clock.at(1.1), Ok(machine("b", "RUNNING")));
        assert!(o.finished.is_empty());
        let ticket = w.begin_alone(clock.at(3.0));
        let o = w.on_read_alone(&ticket, "a", clock.at(3.1), Err(gone()));
        assert_eq!(o.finished.len(), 1);
        assert!(o.finished[0].ok && o.finished[0].action == Action::Delete);
        assert_eq!(o.finished[0].name, "a");
        let rows = w.snapshot(clock.at(3.2), SystemTime::now()).machines;
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["b"]
        );
        // Someone else deleted b meanwhile: it goes too, and its awaited shutdown with it.
        let o = w.on_read_alone(&ticket, "b", clock.at(3.1), Err(gone()));
        assert_eq!(o.finished.len(), 1, "{:?}", o.finished);
        assert!(!o.finished[0].ok && o.finished[0].name == "b");
        assert!(w
            .snapshot(clock.at(3.2), SystemTime::now())
            .machines
            .is_empty());
    }

    #[test]
    fn a_429_on_a_machine_read_alone_waits_as_asked_and_a_refusal_ends_the_sign_in() {
        let (mut w, clock) = signed_in(vec![machine("a", "STARTING")]);
        let ticket = w.begin_alone(clock.at(2.0));
        let o = w.on_read_alone(&ticket, "a", clock.at(2.0), Err(rate_limited(Some(9))));
        assert!(o.auth_lost.is_none());
        assert_eq!(w.next_alone(clock.at(2.1)), Some(clock.at(11.0)));
        let ticket = w.begin_alone(clock.at(11.0));
        let o = w.on_read_alone(&ticket, "a", clock.at(11.0), Err(failed(401)));
        assert!(o.auth_lost.is_some());
        assert_eq!(w.next_alone(clock.at(12.0)), None);
        assert_eq!(w.next_read(clock.at(12.0)), None);
    }

    #[test]
    fn focus_reads_at_once_unless_a_read_began_within_the_fast_rhythm() {
        let list = vec![machine("a", "RUNNING")];
        let (mut w, clock) = signed_in(list.clone());
        // Focused while the first read is hardly done (the window shown at launch).
        w.focused(clock.at(0.3));
        assert_eq!(w.next_read(clock.at(0.3)), Some(clock.at(30.0)));
        // Focused again later: read at once.
        w.focused(clock.at(2.5));
        assert_eq!(w.next_read(clock.at(2.5)), Some(clock.at(2.5)));
        read(&mut w, clock.at(2.5), Ok(list));
        // A read still under way counts as fresh too: no second one is asked for.
        let under_way = w.begin_read(clock.at(40.0));
        w.focused(clock.at(40.5));
        assert_eq!(w.refresh, None);
        // Refresh and actions are not held back by a fresh read.
        w.refresh_now();
        assert!(w.refresh.is_some());
        w.on_read(under_way, clock.at(40.6), SystemTime::now(), Ok(vec![]));
        assert_eq!(w.next_read(clock.at(40.6)), Some(clock.at(40.6)));
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
        assert_eq!(pending.label.key, "progress.stop");
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
        let o = read(&mut w, clock.at(1.1), Ok(vec![machine("web-1", "RUNNING")]));
        assert!(o.finished.is_empty());
        let o = read(
            &mut w,
            clock.at(3.0),
            Ok(vec![machine("web-1", "STOPPING")]),
        );
        assert!(o.finished.is_empty());
        // Followed alone at the quick rhythm, the list at the idle one.
        assert_eq!(w.next_alone(clock.at(3.0)), Some(clock.at(5.0)));
        assert_eq!(w.next_read(clock.at(3.0)), Some(clock.at(33.0)));
        let ticket = w.begin_alone(clock.at(5.0));
        let o = w.on_read_alone(
            &ticket,
            "web-1",
            clock.at(5.0),
            Ok(machine("web-1", "STOPPED")),
        );
        assert_eq!(
            o.finished,
            [Finished {
                id: "web-1".into(),
                name: "web-1".into(),
                action: Action::Stop,
                ok: true
            }]
        );
        let row = &w.snapshot(clock.at(5.0), SystemTime::now()).machines[0];
        assert!(row.pending.is_none());
        assert!(row.can.start && !row.can.stop);
        // Everything still again: nothing read alone, the list at the slow rhythm.
        assert_eq!(w.next_alone(clock.at(5.0)), None);
        assert_eq!(w.next_read(clock.at(5.0)), Some(clock.at(33.0)));
    }

    #[test]
    fn a_restart_is_done_only_after_the_machine_left_running() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        w.mark_pending("a", Action::Restart, clock.at(1.0));
        let o = read(&mut w, clock.at(1.5), Ok(vec![machine("a", "RUNNING")]));
        assert!(o.finished.is_empty());
        read(&mut w, clock.at(3.0), Ok(vec![machine("a", "RESTARTING")]));
        let o = read(&mut w, clock.at(5.0), Ok(vec![machine("a", "running")]));
        assert_eq!(o.finished.len(), 1);
        assert!(o.finished[0].ok);
    }

    #[test]
    fn a_hanging_shutdown_offers_force_reset() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        w.mark_pending("a", Action::Stop, clock.at(0.0));
        read(&mut w, clock.at(2.0), Ok(vec![machine("a", "STOPPING")]));
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
        let o = read(
            &mut w,
            clock.at(2.0),
            Ok(vec![machine("a", "DELETING"), machine("b", "RUNNING")]),
        );
        assert!(o.finished.is_empty());
        let o = read(&mut w, clock.at(4.0), Ok(vec![machine("b", "RUNNING")]));
        assert_eq!(o.finished[0].action, Action::Delete);
        assert!(o.finished[0].ok);
    }

    #[test]
    fn a_new_machine_the_list_lags_behind_is_waited_for_and_read_alone() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        w.add_created(machine("new", "PROVISIONING"), clock.at(1.0));
        // The next read does not list it yet: nothing ends, the row stays "Creating…".
        let o = read(&mut w, clock.at(3.0), Ok(vec![machine("a", "RUNNING")]));
        assert!(o.finished.is_empty(), "{:?}", o.finished);
        let rows = w.snapshot(clock.at(3.0), SystemTime::now()).machines;
        assert!(rows.iter().any(|r| r.id == "new" && r.pending.is_some()));
        assert_eq!(w.created_not_listed(), ["new"]);
        // Read alone, it is there and running: done.
        let done = alone(&mut w, "new", clock.at(3.1), Ok(machine("new", "RUNNING")));
        assert!(done.is_some_and(|f| f.ok && f.action == Action::Create));
        // Still read alone until a read of the list shows it: nothing else is.
        assert_eq!(w.created_not_listed(), ["new"]);
        let o = read(&mut w, clock.at(5.0), Ok(vec![machine("a", "RUNNING")]));
        assert!(o.finished.is_empty());
    }

    #[test]
    fn a_created_machine_judged_done_stays_until_a_list_shows_it() {
        let lag = Policy::default().created_list_lag.as_secs_f64();
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        w.add_created(machine("new", "PROVISIONING"), clock.at(1.0));
        read(&mut w, clock.at(3.0), Ok(vec![machine("a", "RUNNING")]));
        let done = alone(&mut w, "new", clock.at(3.1), Ok(machine("new", "RUNNING")));
        assert!(done.is_some_and(|f| f.ok));
        // The list lags behind: the row stays, done, as read alone.
        read(&mut w, clock.at(5.0), Ok(vec![machine("a", "RUNNING")]));
        let rows = w.snapshot(clock.at(5.0), SystemTime::now()).machines;
        let new = rows.iter().find(|r| r.id == "new");
        assert!(new.is_some_and(|r| r.pending.is_none()), "{rows:?}");
        // Listed: the list's own row, and nothing kept any more.
        read(
            &mut w,
            clock.at(7.0),
            Ok(vec![machine("a", "RUNNING"), machine("new", "RUNNING")]),
        );
        assert!(w.created_unlisted.is_empty());
        // Never listed within the lag: gone with it.
        let (mut w, clock) = signed_in(vec![]);
        w.add_created(machine("new", "PROVISIONING"), clock.at(1.0));
        let done = alone(&mut w, "new", clock.at(2.0), Ok(machine("new", "RUNNING")));
        assert!(done.is_some_and(|f| f.ok));
        read(&mut w, clock.at(lag / 2.0), Ok(vec![]));
        assert!(w.instance("new").is_some(), "within the lag");
        read(&mut w, clock.at(lag + 2.0), Ok(vec![]));
        assert!(w.instance("new").is_none(), "past the lag");
    }

    #[test]
    fn a_new_machine_neither_listed_nor_found_alone_within_the_lag_did_not_get_made() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        w.add_created(machine("new", "PROVISIONING"), clock.at(1.0));
        let gone = || ApiError::new(ErrorKind::NotFound, Operation::GetInstance).with_status(404);
        read(&mut w, clock.at(3.0), Ok(vec![machine("a", "RUNNING")]));
        assert!(
            alone(&mut w, "new", clock.at(3.1), Err(gone())).is_none(),
            "within the lag"
        );
        let lag = Policy::default().created_list_lag.as_secs_f64();
        read(&mut w, clock.at(lag), Ok(vec![machine("a", "RUNNING")]));
        let ended = alone(&mut w, "new", clock.at(lag + 1.5), Err(gone()));
        assert!(ended.is_some_and(|f| !f.ok));
        let rows = w.snapshot(clock.at(lag + 2.0), SystemTime::now()).machines;
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["a"]
        );
        // Past the lag, a list without it ends it even with no read alone.
        let (mut w, clock) = signed_in(vec![]);
        w.add_created(machine("new", "PROVISIONING"), clock.at(0.5));
        let o = read(&mut w, clock.at(lag + 1.0), Ok(vec![]));
        assert!(o.finished.iter().any(|f| f.id == "new" && !f.ok));
    }

    #[test]
    fn a_created_machine_shows_at_once_and_notifies_when_running() {
        let (mut w, clock) = signed_in(vec![]);
        w.add_created(machine("new", "PROVISIONING"), clock.at(1.0));
        let snap = w.snapshot(clock.at(1.0), SystemTime::now());
        assert_eq!(snap.machines[0].status, "PROVISIONING");
        assert_eq!(
            snap.machines[0].pending.as_ref().unwrap().label.key,
            "progress.create"
        );
        let o = read(&mut w, clock.at(3.0), Ok(vec![machine("new", "RUNNING")]));
        assert_eq!(
            o.finished,
            [Finished {
                id: "new".into(),
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
        let o = read(&mut w, clock.at(2.0), Ok(vec![machine("a", "ERROR")]));
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
            0,
            Failure::plain(
                "server",
                Text::new("op.stop"),
                "Could not shut down the machine.",
            ),
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
        read(&mut w, clock.at(2.0), Err(rate_limited(Some(17))));
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
        read(&mut w, clock.at(2.0), Err(rate_limited(None)));
        assert_eq!(w.next_read(clock.at(2.0)), Some(clock.at(32.0)));
    }

    #[test]
    fn offline_keeps_the_last_list_backs_off_and_clears_itself() {
        let list = vec![machine("a", "RUNNING")];
        let (mut w, clock) = signed_in(list.clone());
        let down = || ApiError::new(ErrorKind::Network, Operation::ListInstances);
        read(&mut w, clock.at(30.0), Err(down()));
        let snap = w.snapshot(clock.at(30.0), SystemTime::now());
        assert!(snap.offline);
        assert_eq!(snap.machines.len(), 1, "the last good list stays");
        assert_eq!(w.next_read(clock.at(30.0)), Some(clock.at(32.0)));
        read(&mut w, clock.at(32.0), Err(down()));
        assert_eq!(w.next_read(clock.at(32.0)), Some(clock.at(36.0)));
        for _ in 0..10 {
            read(&mut w, clock.at(36.0), Err(down()));
        }
        assert_eq!(
            w.next_read(clock.at(36.0)),
            Some(clock.at(66.0)),
            "at most the slow period"
        );
        read(&mut w, clock.at(66.0), Ok(list));
        let snap = w.snapshot(clock.at(66.0), SystemTime::now());
        assert!(!snap.offline && snap.problem.is_none());
    }

    #[test]
    fn a_401_pauses_reading_and_reports_the_lost_sign_in() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        let o = read(&mut w, clock.at(30.0), Err(failed(401)));
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
        // A state nobody documented: every action, and the server judges.
        assert_eq!(can("HIBERNATING"), all);
        assert_eq!(
            can("TERMINATED"),
            Can {
                start: true,
                delete: true,
                ..Can::default()
            }
        );
        assert_eq!(can("SUSPENDED"), can("TERMINATED"));
        assert_eq!(can("STAGING"), can("PROVISIONING"));
    }

    #[test]
    fn a_state_nobody_knows_is_read_at_the_idle_rhythm() {
        let list = vec![
            machine("a", "suspended-by-admin"),
            machine("b", "SUSPENDED"),
        ];
        let (mut w, clock) = signed_in(list.clone());
        let reads = reads_in(&mut w, &clock, 0.0, 600.0, &list);
        assert!(reads <= 20, "{reads} reads in ten idle minutes");
        let row = &w.snapshot(clock.at(1.0), SystemTime::now()).machines[0];
        assert_eq!(row.state, "unknown");
        assert_eq!(row.state_label.key, "status.other");
        assert_eq!(row.state_label.params["word"], "Suspended-by-admin");
        assert_eq!(row.status, "suspended-by-admin");
        // ...unless an action on it is pending.
        w.mark_pending("a", Action::Start, clock.at(601.0));
        assert_eq!(w.next_read(clock.at(601.0)), Some(clock.at(601.0)));
    }

    #[test]
    fn a_start_accepted_on_a_failed_machine_waits_for_it_to_move() {
        // An asynchronous backend: the record still says ERROR for a while after the 202.
        let (mut w, clock) = signed_in(vec![machine("a", "ERROR")]);
        w.mark_pending("a", Action::Start, clock.at(1.0));
        for t in [1.5, 3.0, 5.0, 7.0] {
            let o = read(&mut w, clock.at(t), Ok(vec![machine("a", "ERROR")]));
            assert!(o.finished.is_empty(), "given up at {t} s");
        }
        let row = &w.snapshot(clock.at(7.0), SystemTime::now()).machines[0];
        assert!(row.pending.is_some() && row.error.is_none());
        read(&mut w, clock.at(9.0), Ok(vec![machine("a", "STAGING")]));
        let o = read(&mut w, clock.at(11.0), Ok(vec![machine("a", "RUNNING")]));
        assert_eq!(o.finished.len(), 1);
        assert!(o.finished[0].ok);
    }

    #[test]
    fn an_action_that_never_moves_the_machine_is_given_up_after_the_limit() {
        let (mut w, clock) = signed_in(vec![machine("a", "ERROR")]);
        w.mark_pending("a", Action::Reset, clock.at(0.0));
        let o = read(&mut w, clock.at(299.0), Ok(vec![machine("a", "ERROR")]));
        assert!(o.finished.is_empty());
        let o = read(&mut w, clock.at(301.0), Ok(vec![machine("a", "ERROR")]));
        assert!(!o.finished[0].ok);
        let row = &w.snapshot(clock.at(301.0), SystemTime::now()).machines[0];
        assert!(row
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("did not finish"));
    }

    #[test]
    fn a_reset_that_keeps_the_machine_running_is_done_after_a_grace() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        w.mark_pending("a", Action::Reset, clock.at(0.0));
        let o = read(&mut w, clock.at(2.0), Ok(vec![machine("a", "RUNNING")]));
        assert!(o.finished.is_empty(), "too early to tell");
        let o = read(&mut w, clock.at(11.0), Ok(vec![machine("a", "RUNNING")]));
        assert!(o.finished[0].ok);
    }

    #[test]
    fn a_terminated_machine_counts_as_shut_down() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        w.mark_pending("a", Action::Stop, clock.at(0.0));
        let o = read(&mut w, clock.at(2.0), Ok(vec![machine("a", "TERMINATED")]));
        assert!(o.finished[0].ok);
    }

    #[test]
    fn a_read_begun_before_a_click_cannot_settle_or_hide_what_the_click_did() {
        let (mut w, clock) = signed_in(vec![machine("a", "STOPPED")]);
        // A read is under way when the user starts "a" and creates "new".
        let stale = w.begin_read(clock.at(0.5));
        w.mark_pending("a", Action::Start, clock.at(1.0));
        w.add_created(machine("new", "PROVISIONING"), clock.at(1.0));
        let o = w.on_read(
            stale,
            clock.at(1.2),
            SystemTime::now(),
            Ok(vec![machine("a", "ERROR")]),
        );
        assert!(o.finished.is_empty(), "the old read decided nothing");
        let snap = w.snapshot(clock.at(1.2), SystemTime::now());
        let ids: Vec<&str> = snap.machines.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["new", "a"], "the new machine did not vanish");
        assert!(snap.machines.iter().all(|r| r.pending.is_some()));
        // The click also asked for a read that the old one does not answer.
        assert_eq!(w.next_read(clock.at(1.2)), Some(clock.at(1.2)));
        // A read begun after the click does decide.
        let o = read(
            &mut w,
            clock.at(3.0),
            Ok(vec![machine("new", "RUNNING"), machine("a", "RUNNING")]),
        );
        assert_eq!(o.finished.len(), 2);
        assert!(o.finished.iter().all(|f| f.ok));
    }

    #[test]
    fn every_change_makes_a_newer_snapshot() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        let wall = SystemTime::now();
        let mut last = w.snapshot(clock.at(0.0), wall).seq;
        let mut newer = |w: &LiveList| {
            let seq = w.snapshot(clock.at(0.0), wall).seq;
            let grew = seq > last;
            last = seq;
            grew
        };
        w.mark_pending("a", Action::Stop, clock.at(1.0));
        assert!(newer(&w));
        w.action_failed(
            "a",
            0,
            Failure::plain("server", Text::new("op.stop"), "No."),
        );
        assert!(newer(&w));
        w.dismiss("a");
        assert!(newer(&w));
        read(&mut w, clock.at(2.0), Ok(vec![machine("a", "RUNNING")]));
        assert!(newer(&w));
        w.set_visible(false);
        w.set_visible(true);
        assert!(!newer(&w), "focus changes nothing shown");
        w.reset();
        assert!(newer(&w), "not even sign-out goes back");
    }

    #[test]
    fn an_absurd_retry_after_waits_a_minute_at_most_and_never_overflows() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        let forever = failed(429).with_retry_after(Some(Duration::MAX));
        read(&mut w, clock.at(2.0), Err(forever));
        assert_eq!(w.next_read(clock.at(2.0)), Some(clock.at(62.0)));
        let snap = w.snapshot(clock.at(3.0), SystemTime::now());
        assert_eq!(snap.problem.unwrap().kind, "rate_limited");
        let hour = failed(429).with_retry_after(Some(Duration::from_secs(3600)));
        read(&mut w, clock.at(62.0), Err(hour));
        assert_eq!(w.next_read(clock.at(62.0)), Some(clock.at(122.0)));
    }

    #[test]
    fn an_action_waiting_for_its_turn_starts_its_clocks_when_it_is_sent() {
        // A bulk's 45th restart waits a minute for its turn under the rate budget.
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        assert_eq!(
            w.mark_queued("a", Action::Restart, 7, clock.at(60.0), clock.at(0.0)),
            None
        );
        for t in [2.0, 11.0, 30.0, 59.0] {
            let o = read(&mut w, clock.at(t), Ok(vec![machine("a", "RUNNING")]));
            assert!(o.finished.is_empty(), "settled at {t} s before it was sent");
        }
        assert!(w.expire(clock.at(59.5)).is_empty());
        assert!(
            w.oldest_pending(clock.at(59.5)).is_none(),
            "no clock runs yet"
        );
        assert!(w.mark_sent("a", 7, clock.at(60.0)));
        // The 10 s grace for a machine that never moves counts from the send.
        let o = read(&mut w, clock.at(62.0), Ok(vec![machine("a", "RUNNING")]));
        assert!(o.finished.is_empty(), "too early to tell");
        let o = read(&mut w, clock.at(71.0), Ok(vec![machine("a", "RUNNING")]));
        assert_eq!(o.finished.len(), 1);
        assert!(o.finished[0].ok);
    }

    #[test]
    fn an_action_waiting_for_its_turn_is_never_given_up_on_the_clock() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        w.mark_queued("a", Action::Stop, 1, clock.at(9.0), clock.at(0.0));
        assert!(w.expire(clock.at(3600.0)).is_empty());
        let o = read(&mut w, clock.at(3600.0), Ok(vec![machine("a", "RUNNING")]));
        assert!(o.finished.is_empty());
        // Not sent after all: the row is as it was.
        w.not_sent("a", 1);
        let row = &w.snapshot(clock.at(3600.0), SystemTime::now()).machines[0];
        assert!(row.pending.is_none() && row.error.is_none());
        assert!(row.can.stop);
    }

    #[test]
    fn a_bulk_says_how_many_are_left_to_send_and_its_queued_rows_offer_nothing() {
        let list = vec![
            machine("a", "RUNNING"),
            machine("b", "RUNNING"),
            machine("c", "RUNNING"),
        ];
        let (mut w, clock) = signed_in(list);
        for id in ["a", "b", "c"] {
            let turn = if id == "a" { 0.0 } else { 60.0 };
            w.mark_queued(id, Action::Stop, 9, clock.at(turn), clock.at(0.0));
        }
        w.bulk_started(9, Action::Stop, 3);
        let a = &w.snapshot(clock.at(0.2), SystemTime::now()).machines[0];
        assert_eq!(
            a.pending.as_ref().unwrap().label.key,
            "progress.stop",
            "its turn is now: it is on its way"
        );
        w.mark_sent("a", 9, clock.at(0.5));
        let snap = w.snapshot(clock.at(1.0), SystemTime::now());
        assert_eq!(snap.bulks.len(), 1);
        assert_eq!((snap.bulks[0].total, snap.bulks[0].left), (3, 2));
        let b = &snap.machines[1];
        assert_eq!(b.pending.as_ref().unwrap().label.key, "progress.queued");
        assert_eq!(b.can, Can::default(), "nothing to click twice");
        let a = &snap.machines[0];
        assert_eq!(a.pending.as_ref().unwrap().label.key, "progress.stop");
        // The bulk ends (stopped): what it had not sent goes back to how it was.
        w.run_ended(9);
        let snap = w.snapshot(clock.at(2.0), SystemTime::now());
        assert!(snap.bulks.is_empty());
        assert!(
            snap.machines[0].pending.is_some(),
            "the one sent is followed"
        );
        assert!(snap.machines[1].pending.is_none() && snap.machines[2].pending.is_none());
    }

    #[test]
    fn a_late_answer_for_a_replaced_action_leaves_the_new_one_alone() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        w.mark_queued("a", Action::Stop, 1, clock.at(0.0), clock.at(0.0));
        w.mark_sent("a", 1, clock.at(0.0));
        read(&mut w, clock.at(2.0), Ok(vec![machine("a", "STOPPING")]));
        // Force reset on the hanging shutdown replaces it, and says what it replaced.
        assert_eq!(
            w.mark_queued("a", Action::Reset, 2, clock.at(70.0), clock.at(70.0)),
            Some((Action::Stop, true))
        );
        w.action_failed("a", 1, failed(500).into());
        assert!(
            !w.mark_sent("a", 1, clock.at(70.5)),
            "not the first run's to send"
        );
        let row = &w.snapshot(clock.at(71.0), SystemTime::now()).machines[0];
        assert!(row.error.is_none());
        assert_eq!(row.pending.as_ref().unwrap().action, Action::Reset);
        assert!(w.mark_sent("a", 2, clock.at(71.0)));
    }

    #[test]
    fn a_pending_mark_expires_on_the_clock_without_a_read() {
        let (mut w, clock) = signed_in(vec![machine("a", "RUNNING")]);
        w.mark_pending("a", Action::Stop, clock.at(0.0));
        w.set_visible(false);
        read(&mut w, clock.at(1.0), Err(failed(503)));
        // The loop wakes when the shutdown turns slow and when the mark runs out.
        assert!(w.next_wake(clock.at(1.0)).unwrap() <= clock.at(60.0));
        assert!(w.next_wake(clock.at(61.0)).unwrap() <= clock.at(900.0));
        assert!(w.expire(clock.at(899.0)).is_empty());
        let gone = w.expire(clock.at(901.0));
        assert_eq!(gone.len(), 1);
        assert!(!gone[0].ok);
        let row = &w.snapshot(clock.at(901.0), SystemTime::now()).machines[0];
        assert!(row.pending.is_none() && row.error.is_some());
    }

    /// Follows the server for `seconds` as the watcher does within `budget`: the room
    /// measured before each round, every request counted. Counts (list reads, single
    /// reads, requests the budget had no room for), and when each machine was first seen
    /// as the server had it at the end.
    fn follow_within(
        w: &mut LiveList,
        clock: &Clock,
        budget: &mut crate::api::budget::Budget,
        seconds: f64,
        server: impl Fn(f64) -> Vec<Instance>,
    ) -> (u32, u32, u32, HashMap<String, f64>) {
        use crate::api::budget::Kind;
        let (mut lists, mut singles, mut over) = (0, 0, 0);
        let mut seen_at = HashMap::new();
        let end = clock.at(seconds);
        let mut now = clock.at(0.0);
        let last = server(seconds);
        loop {
            w.set_room(Room::of(budget, now, w.policy.fast));
            let next = [w.next_read(now), w.next_alone(now)]
                .into_iter()
                .flatten()
                .min();
            let Some(at) = next.filter(|at| *at < end) else {
                break;
            };
            now = at.max(now);
            w.set_room(Room::of(budget, now, w.policy.fast));
            let t = now.duration_since(clock.t0).as_secs_f64();
            if w.next_read(now).is_some_and(|at| at <= now) {
                lists += 1;
                over += u32::from(budget.take(Kind::List, now).is_err());
                read(w, now, Ok(server(t)));
            } else if let Some(ids) = w.alone_ids() {
                let ticket = w.begin_alone(now);
                for id in ids {
                    singles += 1;
                    over += u32::from(budget.take(Kind::ReadOne, now).is_err());
                    let found = server(t).into_iter().find(|i| i.id == id).unwrap();
                    let _ = w.on_read_alone(&ticket, &id, now, Ok(found));
                }
            } else {
                now += Duration::from_millis(100);
            }
            for truth in &last {
                if w.instance(&truth.id)
                    .is_some_and(|i| i.status == truth.status)
                {
                    seen_at.entry(truth.id.clone()).or_insert(t);
                }
            }
        }
        (lists, singles, over, seen_at)
    }

    /// The server's list at `t` s: `count` machines named `m00000`…, the first `moving`
    /// shutting down until `ends` s, then stopped; the rest running.
    fn stopping(count: usize, moving: usize, ends: f64, t: f64) -> Vec<Instance> {
        (0..count)
            .map(|i| {
                let status = match (i < moving, t < ends) {
                    (true, true) => "STOPPING",
                    (true, false) => "STOPPED",
                    _ => "RUNNING",
                };
                machine(&format!("m{i:05}"), status)
            })
            .collect()
    }

    #[test]
    fn nine_moving_machines_are_followed_by_list_reads_within_the_budget() {
        // Nine of thirty machines shut down for 20 s; the service allows 60 reads of each
        // kind a minute. Read alone each 2 s, they would take 270.
        let server = |t: f64| stopping(30, 9, 20.0, t);
        let (mut w, clock) = signed_in(server(0.0));
        let mut budget = crate::api::budget::Budget::new(60);
        let (lists, singles, over, seen_at) =
            follow_within(&mut w, &clock, &mut budget, 60.0, server);
        assert_eq!(over, 0, "no request over the budget");
        assert!(
            lists <= 60 && singles <= 60,
            "{lists} lists, {singles} singles"
        );
        assert_eq!(
            singles, 0,
            "nine do not fit a round's share of single reads"
        );
        for i in 0..9 {
            let at = seen_at[&format!("m{i:05}")];
            assert!(
                at <= 22.5,
                "m{i:05} seen stopped at {at} s, the server at 20 s"
            );
        }
    }

    #[test]
    fn a_long_list_is_read_less_often_while_many_move_and_each_end_is_still_seen_in_time() {
        // Twenty of 10,000 machines shut down for 30 s. A read of the whole list costs in
        // proportion to its length: it is read every 6 s, not every 2 s.
        let server = |t: f64| stopping(10_000, 20, 30.0, t);
        let (mut w, clock) = signed_in(server(0.0));
        let mut budget = crate::api::budget::Budget::new(60);
        let (lists, singles, over, seen_at) =
            follow_within(&mut w, &clock, &mut budget, 60.0, server);
        assert_eq!(over, 0, "no request over the budget");
        // Every 6 s while they move (15 at the quick rhythm), then the idle rhythm.
        assert!((4..=7).contains(&lists), "{lists} list reads in a minute");
        assert_eq!(singles, 0);
        for i in 0..20 {
            let at = seen_at[&format!("m{i:05}")];
            assert!(
                at <= 30.0 + 6.5,
                "m{i:05} seen stopped at {at} s, the server at 30 s"
            );
        }
    }

    #[test]
    fn one_moving_machine_is_read_alone_within_the_budget() {
        let server = |t: f64| -> Vec<Instance> {
            (0..30)
                .map(|i| {
                    let status = if i == 4 && t < 20.0 {
                        "STOPPING"
                    } else if i == 4 {
                        "STOPPED"
                    } else {
                        "RUNNING"
                    };
                    machine(&format!("m{i:02}"), status)
                })
                .collect()
        };
        let (mut w, clock) = signed_in(server(0.0));
        let mut budget = crate::api::budget::Budget::new(60);
        let (lists, singles, over, seen_at) =
            follow_within(&mut w, &clock, &mut budget, 60.0, server);
        assert_eq!(over, 0);
        assert!(singles >= 9, "read alone: {singles} singles, {lists} lists");
        assert!(
            seen_at["m04"] <= 22.5,
            "seen stopped at {} s",
            seen_at["m04"]
        );
    }

    #[test]
    fn reads_the_limits_hold_back_are_said_with_their_time() {
        use crate::api::budget::{Budget, Kind};
        let list: Vec<Instance> = (0..5)
            .map(|i| machine(&format!("m{i}"), "STOPPING"))
            .collect();
        let (mut w, clock) = signed_in(list);
        let now = clock.at(1.0);
        // The list's limit is used up for 40 s more (a command line, another window).
        let mut budget = Budget::new(3);
        for _ in 0..3 {
            budget.take(Kind::List, clock.at(0.0)).unwrap();
        }
        budget.take(Kind::ReadOne, clock.at(0.0)).unwrap();
        w.set_room(Room::of(&mut budget, now, w.policy.fast));
        assert_eq!(w.next_read(now), Some(clock.at(60.0)));
        assert_eq!(w.held_back_until(now), Some(clock.at(60.0)));
        let snap = w.snapshot(now, SystemTime::now());
        assert!(snap.reads_held_until.is_some());
        // With room, nothing is said.
        w.set_room(Room::unlimited());
        assert_eq!(w.held_back_until(now), None);
    }

    #[test]
    fn a_429_to_a_single_read_is_said_on_screen_until_its_wait_is_over() {
        let (mut w, clock) = signed_in(vec![machine("a", "STOPPING")]);
        let ticket = w.begin_alone(clock.at(2.0));
        let refused = rate_limited(Some(20)).with_status(429);
        let _ = w.on_read_alone(&ticket, "a", clock.at(2.0), Err(refused));
        let snap = w.snapshot(clock.at(2.0), SystemTime::now());
        let until = snap.slowed_until.expect("the wait is said");
        let now = unix_ms(SystemTime::now());
        assert!(
            (now + 18_000..=now + 21_000).contains(&until),
            "{until} vs {now}"
        );
        assert_eq!(w.next_alone(clock.at(3.0)), Some(clock.at(22.0)));
    }
}
