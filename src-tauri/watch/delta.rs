//! What the page is sent after its first list: the rows that changed, appeared or went
//! since a list it holds, with everything else about the list as it is now. A list's
//! [`RowPrints`] (each row's id and a hash of all it shows) are kept for a few lists
//! back, not the lists themselves: a 10,000-machine list is megabytes, its prints a few
//! hundred kilobytes.

use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Serialize;

use super::{BulkView, Row, Snapshot};
use crate::failure::Failure;

/// Each row of a list by id (sorted), with a hash of the row and its place in the list.
#[derive(Debug, Default)]
pub struct RowPrints(Vec<(String, u64, usize)>);

impl RowPrints {
    pub fn of(snapshot: &Snapshot) -> RowPrints {
        let mut prints: Vec<(String, u64, usize)> = snapshot
            .machines
            .iter()
            .enumerate()
            .map(|(at, row)| {
                let mut hasher = DefaultHasher::new();
                row.hash(&mut hasher);
                (row.id.clone(), hasher.finish(), at)
            })
            .collect();
        prints.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        RowPrints(prints)
    }
}

/// The list as it is now, said as what changed since the list numbered `base` (a number
/// of the news, which the page sends back): the page applies it only to that list, and
/// asks for the whole list when it holds another.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delta {
    pub base: u64,
    pub owner: u64,
    pub seq: u64,
    pub loaded: bool,
    pub unread: bool,
    pub updated_at: Option<u64>,
    pub problem: Option<Failure>,
    pub offline: bool,
    pub retry_at: Option<u64>,
    pub bulks: Vec<BulkView>,
    pub looking_for_create: bool,
    pub slowed_until: Option<u64>,
    pub reads_held_until: Option<u64>,
    /// Rows that are new or differ, as they are now.
    pub changed: Vec<Row>,
    /// The ids of rows that went.
    pub gone: Vec<String>,
}

impl Delta {
    /// What changed from the list printed `before` (numbered `base`) to `now` (printed
    /// `after`).
    pub fn between(base: u64, before: &RowPrints, now: &Snapshot, after: &RowPrints) -> Delta {
        let (mut changed, mut gone) = (Vec::new(), Vec::new());
        let (old, new) = (&before.0, &after.0);
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < new.len() {
            match (old.get(i), new.get(j)) {
                (Some(o), Some(n)) if o.0 == n.0 => {
                    if o.1 != n.1 {
                        changed.push(n.2);
                    }
                    i += 1;
                    j += 1;
                }
                (Some(o), Some(n)) if o.0 < n.0 => {
                    gone.push(o.0.clone());
                    i += 1;
                }
                (Some(o), None) => {
                    gone.push(o.0.clone());
                    i += 1;
                }
                (_, Some(n)) => {
                    changed.push(n.2);
                    j += 1;
                }
                (None, None) => break,
            }
        }
        // In the list's own order, as a whole list would have them.
        changed.sort_unstable();
        Delta {
            base,
            owner: now.owner,
            seq: now.seq,
            loaded: now.loaded,
            unread: now.unread,
            updated_at: now.updated_at,
            problem: now.problem.clone(),
            offline: now.offline,
            retry_at: now.retry_at,
            bulks: now.bulks.clone(),
            looking_for_create: now.looking_for_create,
            slowed_until: now.slowed_until,
            reads_held_until: now.reads_held_until,
            changed: changed
                .into_iter()
                .map(|at| now.machines[at].clone())
                .collect(),
            gone,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::snapshot_of as list;

    /// The page's part, in Rust: `delta` applied to `rows`.
    fn apply(rows: &[Row], delta: &Delta) -> Vec<Row> {
        let mut out: Vec<Row> = rows
            .iter()
            .filter(|r| !delta.gone.contains(&r.id))
            .cloned()
            .collect();
        for c in &delta.changed {
            match out.iter_mut().find(|r| r.id == c.id) {
                Some(r) => *r = c.clone(),
                None => out.push(c.clone()),
            }
        }
        out
    }

    /// Each row whole, as the page is sent it, in id order.
    fn pairs(rows: &[Row]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.id.clone(), serde_json::to_string(r).unwrap()))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_delta_has_the_rows_that_changed_came_or_went_and_nothing_else() {
        let before = list(&[("a", "RUNNING"), ("b", "RUNNING"), ("c", "STOPPED")]);
        let now = list(&[("a", "RUNNING"), ("b", "STOPPING"), ("d", "PROVISIONING")]);
        let delta = Delta::between(7, &RowPrints::of(&before), &now, &RowPrints::of(&now));
        let changed: Vec<&str> = delta.changed.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(changed, ["b", "d"]);
        assert_eq!(delta.gone, ["c"]);
        assert_eq!(delta.base, 7);
        assert_eq!(
            pairs(&apply(&before.machines, &delta)),
            pairs(&now.machines)
        );
        // Nothing changed: nothing to send but the list's state.
        let same = Delta::between(8, &RowPrints::of(&now), &now, &RowPrints::of(&now));
        assert!(same.changed.is_empty() && same.gone.is_empty());
    }

    #[test]
    fn a_delta_says_everything_a_whole_list_says_besides_its_rows() {
        let mut now = list(&[("a", "RUNNING")]);
        now.owner = 3;
        let delta = Delta::between(1, &RowPrints::of(&now), &now, &RowPrints::of(&now));
        let keys = |v: serde_json::Value, without: &[&str]| -> Vec<String> {
            let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            keys.retain(|k| !without.contains(&k.as_str()));
            keys.sort();
            keys
        };
        let whole = serde_json::to_value(&now).unwrap();
        let said = serde_json::to_value(&delta).unwrap();
        assert_eq!(
            keys(said.clone(), &["base", "changed", "gone"]),
            keys(whole.clone(), &["machines"])
        );
        assert_eq!(said["owner"], whole["owner"]);
    }

    #[test]
    fn a_seeded_run_of_changes_applied_as_deltas_ends_as_the_truth() {
        let mut rng = fastrand::Rng::with_seed(20261203);
        let statuses = ["RUNNING", "STOPPED", "STOPPING", "STARTING", "PROVISIONING"];
        let mut machines: Vec<(String, &str)> =
            (0..200).map(|i| (format!("m{i:03}"), "RUNNING")).collect();
        let as_list = |m: &Vec<(String, &str)>| {
            let pairs: Vec<(&str, &str)> = m.iter().map(|(i, s)| (i.as_str(), *s)).collect();
            list(&pairs)
        };
        let mut page = as_list(&machines).machines;
        let mut prints = RowPrints::of(&as_list(&machines));
        let mut next_id = 200;
        for _ in 0..300 {
            match rng.u8(0..10) {
                0 if !machines.is_empty() => {
                    machines.remove(rng.usize(0..machines.len()));
                }
                1 => {
                    machines.push((format!("m{next_id:03}"), "PROVISIONING"));
                    next_id += 1;
                }
                _ if !machines.is_empty() => {
                    let at = rng.usize(0..machines.len());
                    machines[at].1 = statuses[rng.usize(0..statuses.len())];
                }
                _ => {}
            }
            let now = as_list(&machines);
            let after = RowPrints::of(&now);
            let delta = Delta::between(1, &prints, &now, &after);
            // The page keeps what it built from the deltas, never the truth itself.
            page = apply(&page, &delta);
            assert_eq!(pairs(&page), pairs(&now.machines));
            prints = after;
        }
    }
}
