//! One account's request budget: the service limits requests per minute per operation
//! type (list, read one, power action, create, delete), reads included. Every request of
//! the account passes its budget before it leaves ([`crate::api::Client`]): none is sent
//! knowingly over a limit. A limit is known before the first request of its kind: the
//! contract's 60 a minute, or what the Billing API's `/limits` says ([`Budget::set_limit`]);
//! a 429 with `Retry-After` holds its kind back until the window resets, as the server
//! says. Pure, with time passed in.

mod limits;
mod pace;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub use limits::{compute_features, left_by_kind, limits_by_kind};
pub use pace::Pace;

use crate::api::Operation;

/// The window the service's limits count in.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Each operation type's limit where nothing else is known (the contract's figure).
pub const DEFAULT_PER_MINUTE: u32 = 60;

/// The longest a 429 holds a kind back, whatever its `Retry-After` says; a 429 without
/// one holds it back for this long too (a per-minute limit has refilled by then).
pub const MAX_HOLD: Duration = WINDOW;

/// The operation types the service counts apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    List,
    ReadOne,
    Power,
    Create,
    Delete,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::List,
        Kind::ReadOne,
        Kind::Power,
        Kind::Create,
        Kind::Delete,
    ];

    /// The kind an operation counts as; `None` for the calls no compute limit covers
    /// (sign-in, templates, the plan).
    pub fn of(operation: Operation) -> Option<Kind> {
        Some(match operation {
            Operation::ListInstances => Kind::List,
            Operation::GetInstance => Kind::ReadOne,
            Operation::Power(_) => Kind::Power,
            Operation::CreateInstance => Kind::Create,
            Operation::DeleteInstance => Kind::Delete,
            _ => return None,
        })
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One kind's limit and what was sent of it in the last minute.
#[derive(Debug)]
struct Lane {
    /// Requests a minute, as known (the default, or the Billing API's word).
    limit: u32,
    /// Nothing of the kind before then (a 429's wait).
    held_until: Option<Instant>,
    /// When each request of the last minute left, oldest first.
    sent: VecDeque<Instant>,
    /// The turns bulk actions booked ahead, within their share of the limit.
    turns: Pace,
    /// What the service last said is left of this minute (`/limits/usage`): it counts
    /// every client of the account, not only this one.
    told: Option<Told>,
}

/// The service's word on a kind: `left` requests from `since` until `until`.
#[derive(Clone, Copy, Debug)]
struct Told {
    left: u32,
    since: Instant,
    until: Instant,
}

impl Lane {
    fn new(limit: u32) -> Lane {
        Lane {
            limit,
            held_until: None,
            sent: VecDeque::new(),
            turns: Pace::new(bulk_share(limit)),
            told: None,
        }
    }

    /// Sent since the service last said what is left, and what it said.
    fn told_now(&self) -> Option<(usize, Told)> {
        let told = self.told?;
        let since = self.sent.iter().filter(|t| **t >= told.since).count();
        Some((since, told))
    }

    fn forget_before(&mut self, now: Instant) {
        while self
            .sent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
        {
            self.sent.pop_front();
        }
        if self.held_until.is_some_and(|until| now >= until) {
            self.held_until = None;
        }
        if self.told.is_some_and(|told| now >= told.until) {
            self.told = None;
        }
    }

    /// How many may leave now: within the limit, and within what the service said is left.
    fn left(&self) -> u32 {
        if self.held_until.is_some() {
            return 0;
        }
        let used = u32::try_from(self.sent.len()).unwrap_or(u32::MAX);
        let own = self.limit.saturating_sub(used);
        match self.told_now() {
            Some((since, told)) => own.min(
                told.left
                    .saturating_sub(u32::try_from(since).unwrap_or(u32::MAX)),
            ),
            None => own,
        }
    }

    fn free_at(&self, now: Instant) -> Instant {
        let limit = self.limit as usize;
        let mut at = now;
        if self.sent.len() >= limit {
            // The request that must leave the window before one more fits.
            let leaving = self.sent[self.sent.len() - limit.max(1)];
            at = at.max(leaving + WINDOW);
        }
        if let Some((since, told)) = self.told_now() {
            if since >= told.left as usize {
                at = at.max(told.until);
            }
        }
        match self.held_until {
            Some(until) if until > at => until,
            _ => at,
        }
    }
}

/// A bulk action's turns use at most this much of a limit: the rest stays for the
/// person's own clicks while it runs (40 of 60).
fn bulk_share(limit: u32) -> usize {
    ((limit as usize * 2) / 3).max(1)
}

/// What a bulk would meet under the account's limits ([`Budget::pacing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pacing {
    /// Sent at once.
    pub now: usize,
    /// Then this many a minute.
    pub per_minute: usize,
    /// About how long the rest waits in all (0: nothing waits).
    pub seconds: u64,
}

/// An account's budget: one [`Lane`] per [`Kind`].
#[derive(Debug)]
pub struct Budget {
    lanes: [Lane; 5],
    /// Compute's feature keys as `/limits` named them, and the kind each counts.
    features: Vec<(String, Kind)>,
    /// The limit every kind started from.
    default: u32,
    /// The longest a 429 holds a kind back ([`MAX_HOLD`] unless the app's rhythm says).
    max_hold: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(DEFAULT_PER_MINUTE)
    }
}

impl Budget {
    /// Every kind at `per_minute` (at least 1).
    pub fn new(per_minute: u32) -> Budget {
        let per_minute = per_minute.max(1);
        Budget {
            lanes: Kind::ALL.map(|_| Lane::new(per_minute)),
            features: Vec::new(),
            default: per_minute,
            max_hold: MAX_HOLD,
        }
    }

    /// The same, a 429 holding a kind back `max_hold` at the most (the app's longest wait).
    pub fn with_max_hold(mut self, max_hold: Duration) -> Budget {
        self.max_hold = max_hold.min(MAX_HOLD);
        self
    }

    /// The longest a 429 holds a kind back.
    pub fn max_hold(&self) -> Duration {
        self.max_hold
    }

    /// The limit every kind started from.
    pub fn default_limit(&self) -> u32 {
        self.default
    }

    fn lane(&mut self, kind: Kind, now: Instant) -> &mut Lane {
        let lane = &mut self.lanes[kind.index()];
        lane.forget_before(now);
        lane
    }

    /// The limits the service states (`/limits`): each kind it names takes its own.
    pub fn set_limits(&mut self, limits: &crate::api::RateLimits) {
        for (kind, per_minute) in limits_by_kind(limits) {
            self.set_limit(kind, per_minute);
        }
        self.features = compute_features(limits)
            .into_iter()
            .map(|(key, kind, _)| (key, kind))
            .collect();
    }

    /// What the service says is left of this minute (`/limits/usage`, read at the wall
    /// clock's `wall`): each kind it names sends no more than that until its window starts
    /// again, whatever this budget counted itself (other clients of the account count too).
    pub fn heed_usage(
        &mut self,
        usage: &crate::api::LimitUsage,
        wall: crate::api::Timestamp,
        now: Instant,
    ) {
        for (kind, left, resets_in) in left_by_kind(usage, &self.features, wall) {
            self.told(kind, left, resets_in, now);
        }
    }

    /// The service says `left` requests of `kind` may go until `resets_in` from `now`.
    pub fn told(&mut self, kind: Kind, left: u32, resets_in: Duration, now: Instant) {
        let lane = self.lane(kind, now);
        lane.told = (!resets_in.is_zero()).then(|| Told {
            left,
            since: now,
            until: now.checked_add(resets_in.min(WINDOW)).unwrap_or(now),
        });
    }

    /// The kind's limit as the service states it (`/limits`); at least 1.
    pub fn set_limit(&mut self, kind: Kind, per_minute: u32) {
        let per_minute = per_minute.max(1);
        let lane = &mut self.lanes[kind.index()];
        if lane.limit != per_minute {
            lane.limit = per_minute;
            lane.turns = Pace::new(bulk_share(per_minute));
        }
    }

    /// The kind's limit.
    pub fn limit(&mut self, kind: Kind, now: Instant) -> u32 {
        self.lane(kind, now).limit
    }

    /// When one more request of `kind` may leave: `now` when it may at once.
    pub fn free_at(&mut self, kind: Kind, now: Instant) -> Instant {
        self.lane(kind, now).free_at(now)
    }

    /// How many requests of `kind` may leave now, in this minute.
    pub fn left(&mut self, kind: Kind, now: Instant) -> u32 {
        self.lane(kind, now).left()
    }

    /// Counts one request of `kind` leaving now, if the budget has room; otherwise says
    /// when it will, and counts nothing.
    pub fn take(&mut self, kind: Kind, now: Instant) -> Result<(), Instant> {
        let lane = self.lane(kind, now);
        let at = lane.free_at(now);
        if at > now {
            return Err(at);
        }
        lane.sent.push_back(now);
        Ok(())
    }

    /// The server answered a request of `kind` 429 with a `Retry-After`: nothing more of
    /// the kind until its window resets, as the server says (bounded by its `max_hold`).
    /// A 429 without one changes nothing here: the caller backs off as it does for any
    /// failure. The refused request is not counted. Returns when the kind may go again.
    pub fn refused(&mut self, kind: Kind, now: Instant, retry_after: Option<Duration>) -> Instant {
        let max_hold = self.max_hold;
        let lane = self.lane(kind, now);
        // Counted when it left; the server did not count it.
        lane.sent.pop_back();
        if let Some(wait) = retry_after {
            let until = now.checked_add(wait.min(max_hold)).unwrap_or(now);
            lane.held_until = Some(lane.held_until.map_or(until, |held| held.max(until)));
        }
        lane.free_at(now)
    }

    /// Books a bulk action's turn for one request of `kind`: the earliest moment from
    /// `from` on within the bulk's share of the limit ([`Pace::book`]).
    pub fn book_turn(&mut self, kind: Kind, from: Instant) -> Instant {
        let lane = &mut self.lanes[kind.index()];
        let at = lane.turns.book(from);
        match lane.held_until {
            Some(until) if until > at => until,
            _ => at,
        }
    }

    /// What a bulk of `count` requests of `kind` would meet now: how many go at once, how
    /// many a minute after that, and about how long the whole takes.
    pub fn pacing(&mut self, kind: Kind, count: usize, now: Instant) -> Pacing {
        let left_in_lane = self.left(kind, now) as usize;
        let lane = &self.lanes[kind.index()];
        let per_minute = lane.turns.per_minute();
        let now_count = lane.turns.left(now).min(left_in_lane).min(count);
        let rest = count - now_count;
        let minutes = rest.div_ceil(per_minute.max(1));
        Pacing {
            now: now_count,
            per_minute,
            seconds: (minutes as u64).saturating_mul(WINDOW.as_secs()),
        }
    }

    /// Gives back a turn booked at `at` and not used.
    pub fn unbook_turn(&mut self, kind: Kind, at: Instant) {
        self.lanes[kind.index()].turns.unbook(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::PowerAction;

    fn secs(t0: Instant, s: f64) -> Instant {
        t0 + Duration::from_secs_f64(s)
    }

    #[test]
    fn what_the_service_says_is_left_holds_until_its_window_starts_again() {
        let t0 = Instant::now();
        let mut b = Budget::new(60);
        // Others used 55 of the minute: 5 left for 20 s, though this budget sent none.
        b.told(Kind::Power, 5, Duration::from_secs(20), t0);
        assert_eq!(b.left(Kind::Power, t0), 5);
        assert_eq!(b.pacing(Kind::Power, 30, t0).now, 5);
        for _ in 0..5 {
            assert_eq!(b.take(Kind::Power, t0), Ok(()));
        }
        assert_eq!(b.left(Kind::Power, secs(t0, 1.0)), 0);
        assert_eq!(b.take(Kind::Power, secs(t0, 1.0)), Err(secs(t0, 20.0)));
        // Other kinds are not told anything.
        assert_eq!(b.left(Kind::List, t0), 60);
        // Its window starts again: the budget's own count rules.
        assert_eq!(b.take(Kind::Power, secs(t0, 20.0)), Ok(()));
        assert_eq!(b.left(Kind::Power, secs(t0, 20.0)), 54);
        // Told more than the budget's own count allows: its own count still rules.
        b.told(Kind::List, 60, Duration::from_secs(30), secs(t0, 21.0));
        for _ in 0..60 {
            b.take(Kind::List, secs(t0, 21.0)).unwrap();
        }
        assert_eq!(b.left(Kind::List, secs(t0, 22.0)), 0);
    }

    #[test]
    fn usage_is_heeded_for_the_features_limits_named() {
        let t0 = Instant::now();
        let wall = crate::api::Timestamp::parse("2026-12-07T10:00:00Z").unwrap();
        let mut b = Budget::new(60);
        b.set_limits(
            &serde_json::from_str(
                r#"{"limits": {"compute-api": {"instances.power": {"value": 60, "window": "minute"}}}}"#,
            )
            .unwrap(),
        );
        b.heed_usage(
            &serde_json::from_str(
                r#"[{"featureKey": "instances.power", "window": "minute", "remaining": 7,
                     "resetAt": "2026-12-07T10:00:30Z"}]"#,
            )
            .unwrap(),
            wall,
            t0,
        );
        assert_eq!(b.left(Kind::Power, t0), 7);
        assert_eq!(b.left(Kind::Power, secs(t0, 30.0)), 60);
    }

    #[test]
    fn each_kind_counts_apart_and_none_goes_over_its_limit() {
        let t0 = Instant::now();
        let mut b = Budget::new(3);
        for _ in 0..3 {
            assert_eq!(b.take(Kind::ReadOne, t0), Ok(()));
        }
        // The fourth read waits for the first to leave the minute; a list read does not.
        assert_eq!(b.take(Kind::ReadOne, secs(t0, 1.0)), Err(t0 + WINDOW));
        assert_eq!(b.left(Kind::ReadOne, secs(t0, 1.0)), 0);
        assert_eq!(b.take(Kind::List, secs(t0, 1.0)), Ok(()));
        assert_eq!(b.left(Kind::List, secs(t0, 1.0)), 2);
        assert_eq!(b.take(Kind::ReadOne, t0 + WINDOW), Ok(()));
    }

    #[test]
    fn a_refusal_holds_the_kind_back_for_the_wait_asked_and_no_other_kind() {
        let t0 = Instant::now();
        let mut b = Budget::new(60);
        for i in 0..10 {
            b.take(Kind::Power, secs(t0, i as f64)).unwrap();
        }
        let until = b.refused(Kind::Power, secs(t0, 9.0), Some(Duration::from_secs(20)));
        assert_eq!(until, secs(t0, 29.0));
        assert_eq!(b.take(Kind::Power, secs(t0, 28.0)), Err(until));
        assert_eq!(b.left(Kind::Power, secs(t0, 28.0)), 0);
        assert_eq!(
            b.take(Kind::List, secs(t0, 10.0)),
            Ok(()),
            "other kinds go on"
        );
        // After the wait, the limit as known: nine were counted, the refused one not.
        assert_eq!(b.left(Kind::Power, secs(t0, 29.0)), 51);
        assert_eq!(b.take(Kind::Power, secs(t0, 29.0)), Ok(()));
    }

    #[test]
    fn a_wait_asked_for_is_bounded_and_a_refusal_without_one_holds_nothing_back() {
        let t0 = Instant::now();
        let mut b = Budget::new(60);
        b.take(Kind::List, t0).unwrap();
        let years = Duration::from_secs(400 * 24 * 3600 * 365);
        assert_eq!(b.refused(Kind::List, t0, Some(years)), t0 + MAX_HOLD);
        let mut b = Budget::new(60);
        b.take(Kind::List, t0).unwrap();
        assert_eq!(b.refused(Kind::List, t0, None), t0);
        assert_eq!(
            b.left(Kind::List, t0),
            60,
            "the refused one was not counted"
        );
    }

    #[test]
    fn bulk_turns_leave_a_third_of_the_limit_for_clicks() {
        let t0 = Instant::now();
        let mut b = Budget::new(60);
        let turns: Vec<Instant> = (0..41).map(|_| b.book_turn(Kind::Power, t0)).collect();
        assert!(turns[..40].iter().all(|t| *t == t0));
        assert_eq!(turns[40], t0 + WINDOW);
    }

    #[test]
    fn a_bulk_is_told_what_goes_at_once_and_how_long_the_rest_takes() {
        let t0 = Instant::now();
        let mut b = Budget::new(60);
        assert_eq!(
            b.pacing(Kind::Power, 12, t0),
            Pacing {
                now: 12,
                per_minute: 40,
                seconds: 0
            }
        );
        // 100 machines: 40 at once, then 40 a minute: two minutes more.
        assert_eq!(
            b.pacing(Kind::Power, 100, t0),
            Pacing {
                now: 40,
                per_minute: 40,
                seconds: 120
            }
        );
        // Turns booked and requests sent meanwhile leave fewer for now.
        for _ in 0..30 {
            b.book_turn(Kind::Power, t0);
        }
        assert_eq!(b.pacing(Kind::Power, 20, t0).now, 10);
        for _ in 0..55 {
            b.take(Kind::Power, t0).unwrap();
        }
        assert_eq!(b.pacing(Kind::Power, 20, t0).now, 5);
    }

    #[test]
    fn operations_are_counted_as_the_service_counts_them() {
        assert_eq!(
            Kind::of(Operation::Power(PowerAction::Reset)),
            Some(Kind::Power)
        );
        assert_eq!(Kind::of(Operation::GetInstance), Some(Kind::ReadOne));
        assert_eq!(Kind::of(Operation::ListTemplates), None);
    }
}
