//! What the machines screen is sent: the rows, their buttons, the banner. Built from the
//! [`LiveList`] at a moment; the page is given it whole.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::{Action, LiveList};

/// A row waiting for its turn says "Waiting…" only when the turn is this far off:
/// one whose turn is now is on its way, and says what it does ("Stopping…").
const QUEUE_SHOWN_AFTER: Duration = Duration::from_secs(1);
use crate::api::{Instance, Phase};
use crate::failure::Failure;
use crate::text::Text;

/// One row of the machines table, ready to show.
#[derive(Clone, Debug, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub id: String,
    /// The service's name (its id when it has none).
    pub name: String,
    /// The name a person gave it on this computer, shown first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    /// The one-line note a person gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The groups a person put it in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Kept at the top of the list.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub favourite: bool,
    /// The server's word, verbatim.
    pub status: String,
    /// running, stopped, busy, error or unknown: picks the icon and colour.
    pub state: &'static str,
    /// The state in words (`status.<key>`; for a state nobody documented, `status.other`
    /// with the service's word).
    pub state_label: Text,
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
    /// False while it waits for its turn under the rate budget.
    pub sent: bool,
    /// "Waiting…" (`progress.queued`), then "Stopping…" (`progress.<action>`).
    pub label: Text,
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
    /// The sign-in whose list this is (0 for none): when it changes, nothing the page held
    /// for the list before (a confirmation, a selection, a row's error) stays over it, even
    /// before the switch's own answer reaches the page.
    pub owner: u64,
    /// Grows with every change; the page keeps the newest snapshot it has seen, whichever
    /// way it came (the news, or the answer to a call that was overtaken).
    pub seq: u64,
    /// False until the first list arrives.
    pub loaded: bool,
    /// The rows are the account's list as last seen before, not read yet since it was
    /// opened again: shown as such, their buttons off until the read answers.
    pub unread: bool,
    pub machines: Vec<Row>,
    /// Unix milliseconds of the last good read.
    pub updated_at: Option<u64>,
    /// Why the list could not be read (the last good list is still shown).
    pub problem: Option<Failure>,
    /// True when the problem is the connection, not a refusal.
    pub offline: bool,
    /// Unix milliseconds of the next attempt after a problem.
    pub retry_at: Option<u64>,
    /// The bulk actions still sending, oldest first.
    pub bulks: Vec<BulkView>,
    /// A create was never answered and its machine is looked for: Create waits.
    pub looking_for_create: bool,
    /// Unix milliseconds until which the service asked for fewer requests (a 429 to a
    /// read or an action): the screen says so until then.
    pub slowed_until: Option<u64>,
    /// Unix milliseconds of the next read the moving rows wait for, when the account's
    /// limits hold it back beyond the quick rhythm: those rows say so.
    pub reads_held_until: Option<u64>,
}

/// A bulk action still sending: what it does, how many machines it holds, and how many
/// of them still wait for their turn ("Stop the rest" stops those).
#[derive(Clone, Debug, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkView {
    pub id: u64,
    pub action: Action,
    pub total: usize,
    pub left: usize,
}

impl LiveList {
    pub fn snapshot(&self, now: Instant, wall: SystemTime) -> Snapshot {
        let machines = self.instances.iter().map(|i| self.row(i, now)).collect();
        let retry_at = match (&self.problem, self.next_read(now)) {
            (Some(_), Some(at)) => Some(unix_ms(wall + at.saturating_duration_since(now))),
            _ => None,
        };
        let bulks = self
            .bulks
            .iter()
            .map(|(&id, &(action, total))| BulkView {
                id,
                action,
                total,
                left: self
                    .pending
                    .values()
                    .filter(|p| !p.sent && p.run == id)
                    .count(),
            })
            .collect();
        Snapshot {
            owner: self.owner,
            seq: self.generation,
            loaded: self.loaded,
            unread: self.unread,
            machines,
            updated_at: self.updated_at.map(unix_ms),
            problem: self.problem.as_ref().map(|(f, _)| f.clone()),
            offline: self.problem.as_ref().is_some_and(|(_, offline)| *offline),
            retry_at,
            bulks,
            looking_for_create: self.looking_for_create(),
            slowed_until: self.slowed_until.filter(|t| *t > wall).map(unix_ms),
            reads_held_until: self
                .held_back_until(now)
                .map(|at| unix_ms(wall + at.saturating_duration_since(now))),
        }
    }

    fn row(&self, i: &Instance, now: Instant) -> Row {
        let pending = self.pending.get(&i.id).map(|p| PendingView {
            action: p.action,
            sent: p.sent,
            label: Text::new(
                if p.sent || p.turn.saturating_duration_since(now) < QUEUE_SHOWN_AFTER {
                    format!("progress.{}", p.action.key())
                } else {
                    "progress.queued".to_owned()
                },
            ),
            slow: p.sent
                && p.action == Action::Stop
                && now.saturating_duration_since(p.since) >= self.policy.slow_shutdown,
        });
        let can = match &pending {
            // Last seen on an earlier visit: what it can do now is not known yet.
            _ if self.unread => Can::default(),
            // Waiting for its turn: "Stop the rest" is the way out, not another action.
            Some(p) if !p.sent => Can::default(),
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
        let state = match i.status.phase() {
            Phase::Running => "running",
            Phase::Stopped => "stopped",
            Phase::Error => "error",
            Phase::Moving => "busy",
            Phase::Unknown => "unknown",
        };
        let given = self.given.get(&i.id);
        let said = |s: &String| (!s.is_empty()).then(|| s.clone());
        Row {
            id: i.id.clone(),
            name: i.display_name().to_owned(),
            given: given.and_then(|g| said(&g.name)),
            note: given.and_then(|g| said(&g.note)),
            groups: given.map(|g| g.groups.clone()).unwrap_or_default(),
            favourite: given.is_some_and(|g| g.favourite),
            status: i.status.as_wire().to_owned(),
            state,
            state_label: match i.status.label_key() {
                Some(key) => Text::new(format!("status.{key}")),
                None => Text::new("status.other").with("word", i.status.label()),
            },
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

pub(super) fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}

/// A snapshot of a list just read with these machines (id, the server's word), for tests.
#[cfg(test)]
pub(crate) fn snapshot_of(machines: &[(&str, &str)]) -> Snapshot {
    let instances: Vec<Instance> = machines
        .iter()
        .map(|(id, status)| {
            serde_json::from_value(serde_json::json!({"id": id, "name": id, "status": status}))
                .unwrap()
        })
        .collect();
    let mut w = LiveList::new(super::Policy::default());
    w.resume();
    let now = Instant::now();
    let ticket = w.begin_read(now);
    w.on_read(ticket, now, SystemTime::now(), Ok(instances));
    w.snapshot(now, SystemTime::now())
}
