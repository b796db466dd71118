//! What the watchful eye remembers of one account's machines, as plain data with the time
//! passed in: which were running when last seen, and which of those have left running
//! since (stopped, suspended, in error, or gone); and whether a history shows that this
//! computer asked for it.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use crate::api::{InstanceStatus, Phase};
use crate::history::{Entry, Outcome};

/// How a watched machine left running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Became {
    Stopped,
    Suspended,
    Error,
    /// No longer listed, and read alone: not found.
    Gone,
}

impl Became {
    pub fn name(self) -> &'static str {
        match self {
            Became::Stopped => "stopped",
            Became::Suspended => "suspended",
            Became::Error => "error",
            Became::Gone => "gone",
        }
    }

    /// How a machine in `status` left running; `None` while it is running or on its way
    /// (a restart passes through here), or in a state nobody documented.
    fn from_status(status: &InstanceStatus) -> Option<Became> {
        match (status, status.phase()) {
            (InstanceStatus::Suspended, _) => Some(Became::Suspended),
            (_, Phase::Stopped) => Some(Became::Stopped),
            (_, Phase::Error) => Some(Became::Error),
            _ => None,
        }
    }
}

/// A machine that was running and is not any more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Left {
    pub id: String,
    pub name: String,
    pub became: Became,
    /// When it was last seen running.
    pub running_at: SystemTime,
}

#[derive(Clone, Debug)]
struct Machine {
    name: String,
    /// When it was last seen running; `None` when it was not running then.
    running_at: Option<SystemTime>,
}

/// One account's machines as the eye last saw them.
#[derive(Debug, Default)]
pub struct Seen {
    machines: HashMap<String, Machine>,
    /// When the last list looked at was read; `None` before a first one (before it,
    /// nothing can have left running).
    read_at: Option<SystemTime>,
}

impl Seen {
    /// A good read of the whole list at `now`: the machines that left running since the
    /// last one, and those that were running and are no longer listed (to be read alone,
    /// [`Seen::read_alone`]: a list may lag behind). A first list only sets what is known.
    pub fn list<'a>(
        &mut self,
        list: impl IntoIterator<Item = (&'a str, &'a str, &'a InstanceStatus)>,
        now: SystemTime,
    ) -> (Vec<Left>, Vec<String>) {
        let first = self.read_at.is_none();
        self.read_at = Some(now);
        let mut before = std::mem::take(&mut self.machines);
        let mut left = vec![];
        for (id, name, status) in list {
            let earlier = before.remove(id).and_then(|m| m.running_at);
            if let Some(l) = self.saw(id, name, status, earlier, now) {
                left.push(l);
            }
        }
        // Not listed: those that were running are read alone; the others are forgotten.
        let mut missing = vec![];
        for (id, m) in before {
            if m.running_at.is_some() && !first {
                missing.push(id.clone());
                self.machines.insert(id, m);
            }
        }
        missing.sort();
        (left, missing)
    }

    /// When the last list looked at was read.
    pub fn read_at(&self) -> Option<SystemTime> {
        self.read_at
    }

    /// Machine `id`, missing from the list, read alone at `now`: found in `status`, or not
    /// found (`None`: gone).
    pub fn read_alone(
        &mut self,
        id: &str,
        found: Option<(&str, &InstanceStatus)>,
        now: SystemTime,
    ) -> Option<Left> {
        let earlier = self.machines.remove(id)?;
        match found {
            Some((name, status)) => self.saw(id, name, status, earlier.running_at, now),
            None => Some(Left {
                id: id.to_owned(),
                name: earlier.name,
                became: Became::Gone,
                running_at: earlier.running_at?,
            }),
        }
    }

    /// Machine `id` seen in `status` at `now`, last seen running at `earlier`.
    fn saw(
        &mut self,
        id: &str,
        name: &str,
        status: &InstanceStatus,
        earlier: Option<SystemTime>,
        now: SystemTime,
    ) -> Option<Left> {
        let (running_at, left) = if status.phase() == Phase::Running {
            (Some(now), None)
        } else if let Some(became) = Became::from_status(status) {
            let left = earlier.map(|running_at| Left {
                id: id.to_owned(),
                name: name.to_owned(),
                became,
                running_at,
            });
            (None, left)
        } else {
            // On its way (or unknown): still the machine last seen running, until it
            // gets somewhere.
            (earlier, None)
        };
        self.machines.insert(
            id.to_owned(),
            Machine {
                name: name.to_owned(),
                running_at,
            },
        );
        left
    }
}

/// How close to the moment a machine was last seen running an action from this computer
/// that ended may have ended and still be what the eye now sees.
const ENDED_NEAR: Duration = Duration::from_secs(5);

/// Whether `history` shows that this computer (a person or a schedule) stopped, restarted,
/// reset or deleted machine `id` since it was last seen running (`running_at`): its last
/// action on the machine is one of those, and it is still awaited, or it ended after.
pub fn asked_here(history: &[Entry], id: &str, running_at: SystemTime) -> bool {
    let last = history.iter().rev().find(|e| {
        e.machine_id.as_deref() == Some(id)
            && matches!(
                e.what.as_str(),
                "start" | "stop" | "restart" | "reset" | "delete"
            )
            && !matches!(e.outcome, Outcome::Skipped | Outcome::NotSent)
    });
    let Some(last) = last else { return false };
    if last.what == "start" {
        return false;
    }
    if last.outcome.is_open() {
        return true;
    }
    let ended = SystemTime::UNIX_EPOCH + Duration::from_millis(last.settled_at.unwrap_or(last.at));
    ended + ENDED_NEAR >= running_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Said;

    fn at(s: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + s)
    }

    fn status(s: &str) -> InstanceStatus {
        InstanceStatus::from_wire(s)
    }

    fn look(seen: &mut Seen, list: &[(&str, &str)], now: u64) -> (Vec<Left>, Vec<String>) {
        let statuses: Vec<(String, InstanceStatus)> = list
            .iter()
            .map(|(id, s)| (id.to_string(), status(s)))
            .collect();
        seen.list(
            statuses.iter().map(|(id, s)| (id.as_str(), id.as_str(), s)),
            at(now),
        )
    }

    fn became(left: &[Left]) -> Vec<(&str, Became)> {
        left.iter().map(|l| (l.id.as_str(), l.became)).collect()
    }

    #[test]
    fn a_first_list_tells_nothing_and_a_later_one_tells_what_left_running() {
        let mut seen = Seen::default();
        let (left, missing) = look(
            &mut seen,
            &[
                ("a", "RUNNING"),
                ("b", "STOPPED"),
                ("c", "RUNNING"),
                ("d", "RUNNING"),
            ],
            0,
        );
        assert!(
            left.is_empty() && missing.is_empty(),
            "nothing known before"
        );
        // a stops, b (never running) stays stopped, c goes into error, d is suspended.
        let (left, _) = look(
            &mut seen,
            &[
                ("a", "STOPPED"),
                ("b", "STOPPED"),
                ("c", "ERROR"),
                ("d", "SUSPENDED"),
            ],
            30,
        );
        assert_eq!(
            became(&left),
            [
                ("a", Became::Stopped),
                ("c", Became::Error),
                ("d", Became::Suspended)
            ]
        );
        assert!(left.iter().all(|l| l.running_at == at(0)));
        // Said once: still stopped is nothing new.
        assert!(look(&mut seen, &[("a", "TERMINATED"), ("c", "ERROR")], 60)
            .0
            .is_empty());
    }

    #[test]
    fn a_machine_on_its_way_is_judged_where_it_gets_to() {
        let mut seen = Seen::default();
        look(&mut seen, &[("a", "RUNNING"), ("b", "RUNNING")], 0);
        // A restart passes through "restarting" and comes back: nothing to tell.
        assert!(
            look(&mut seen, &[("a", "RESTARTING"), ("b", "STOPPING")], 30)
                .0
                .is_empty()
        );
        let (left, _) = look(&mut seen, &[("a", "RUNNING"), ("b", "STOPPED")], 60);
        assert_eq!(became(&left), [("b", Became::Stopped)]);
        assert_eq!(
            left[0].running_at,
            at(0),
            "last seen running before it moved"
        );
        // A state nobody documented is not called a stop.
        look(&mut seen, &[("a", "RUNNING")], 90);
        assert!(look(&mut seen, &[("a", "HIBERNATING")], 120).0.is_empty());
    }

    #[test]
    fn a_running_machine_no_longer_listed_is_read_alone_before_it_is_called_gone() {
        let mut seen = Seen::default();
        look(
            &mut seen,
            &[("a", "RUNNING"), ("b", "RUNNING"), ("c", "STOPPED")],
            0,
        );
        let (left, missing) = look(&mut seen, &[], 30);
        assert!(left.is_empty());
        assert_eq!(missing, ["a", "b"], "c was not running: forgotten");
        // a is still there (the list lagged), b is not found.
        assert_eq!(
            seen.read_alone("a", Some(("a", &status("RUNNING"))), at(31)),
            None
        );
        let gone = seen.read_alone("b", None, at(31)).unwrap();
        assert_eq!((gone.id.as_str(), gone.became), ("b", Became::Gone));
        assert_eq!(gone.running_at, at(0));
        // Told once: b is forgotten, a is known again.
        assert_eq!(seen.read_alone("b", None, at(32)), None);
        assert_eq!(look(&mut seen, &[("a", "RUNNING")], 60), (vec![], vec![]));
        // A missing machine found stopped when read alone is a stop.
        let (_, missing) = look(&mut seen, &[], 90);
        assert_eq!(missing, ["a"]);
        let left = seen.read_alone("a", Some(("a", &status("STOPPED"))), at(91));
        assert_eq!(left.map(|l| l.became), Some(Became::Stopped));
    }

    fn entry(what: &str, outcome: Outcome, at_s: u64, settled_s: Option<u64>) -> Entry {
        let ms = |s: u64| (1_800_000_000 + s) * 1000;
        Entry {
            id: 1,
            at: ms(at_s),
            what: what.into(),
            machine_id: Some("a".into()),
            machine: Some("a".into()),
            template: None,
            who: "ana".into(),
            by: None,
            outcome,
            settled_at: settled_s.map(ms),
            said: Said::default(),
        }
    }

    #[test]
    fn an_action_from_this_computer_is_known_by_its_history() {
        // Nothing done here.
        assert!(!asked_here(&[], "a", at(100)));
        // Shut down here: clicked before the last read still saw it running, ended after.
        let stop = entry("stop", Outcome::Done, 95, Some(110));
        assert!(asked_here(std::slice::from_ref(&stop), "a", at(100)));
        // Still awaited, whenever it was asked.
        assert!(asked_here(
            &[entry("delete", Outcome::Waiting, 10, None)],
            "a",
            at(100)
        ));
        assert!(asked_here(
            &[entry("reset", Outcome::Queued, 10, None)],
            "a",
            at(100)
        ));
        // Ended long before the machine was seen running again: someone else's stop.
        let old = entry("stop", Outcome::Done, 10, Some(20));
        assert!(!asked_here(&[old], "a", at(100)));
        // The last thing done here was a start: a stop since is not ours.
        assert!(!asked_here(
            &[stop.clone(), entry("start", Outcome::Done, 120, Some(125))],
            "a",
            at(130)
        ));
        // A stop that was not sent, or another machine's, does not count.
        assert!(!asked_here(
            &[entry("stop", Outcome::NotSent, 95, Some(96))],
            "a",
            at(100)
        ));
        assert!(!asked_here(&[stop], "b", at(100)));
    }
}
