//! A stand-in for the window, for tests that drive `Desk` and its watcher without one:
//! it records what the watcher would have shown, and checks that no older snapshot is
//! ever pushed after a newer one. The check cannot fail inside the watcher's task (a
//! panic there ends a task whose handle the tests drop, silently): an older snapshot is
//! noted, and every question a test asks of the screen fails on it.

use std::sync::{Arc, Mutex};

use compute_desk::failure::Failure;
use compute_desk::watch::{CreateSeen, Finished, Sink, Snapshot};

#[derive(Clone, Default)]
pub struct Screen {
    snapshots: Arc<Mutex<Vec<Snapshot>>>,
    finished: Arc<Mutex<Vec<Finished>>>,
    auth_lost: Arc<Mutex<u32>>,
    /// The sign-in the last loss was reported for.
    lost_owner: Arc<Mutex<Option<u64>>>,
    /// What became of creates that were never answered.
    pub creates_seen: Arc<Mutex<Vec<CreateSeen>>>,
    /// `(newer, older)` seqs of a snapshot pushed after a newer one.
    out_of_order: Arc<Mutex<Vec<(u64, u64)>>>,
}

impl Sink for Screen {
    fn snapshot(&self, snapshot: Snapshot) {
        let mut all = self.snapshots.lock().unwrap();
        if let Some(last) = all.last() {
            if snapshot.seq < last.seq {
                self.out_of_order
                    .lock()
                    .unwrap()
                    .push((last.seq, snapshot.seq));
            }
        }
        all.push(snapshot);
    }
    fn finished(&self, _owner: u64, finished: Vec<Finished>) {
        self.finished.lock().unwrap().extend(finished);
    }
    fn auth_lost(&self, owner: u64, _: Failure) {
        *self.auth_lost.lock().unwrap() += 1;
        *self.lost_owner.lock().unwrap() = Some(owner);
    }
    fn create_seen(&self, _owner: u64, seen: CreateSeen) {
        self.creates_seen.lock().unwrap().push(seen);
    }
}

impl Screen {
    /// Fails the test if an older snapshot was ever pushed after a newer one.
    pub fn assert_in_order(&self) {
        let wrong = self.out_of_order.lock().unwrap();
        assert!(
            wrong.is_empty(),
            "older snapshots were pushed after newer ones (newer, older): {wrong:?}"
        );
    }

    /// The last snapshot pushed.
    pub fn last(&self) -> Option<Snapshot> {
        self.assert_in_order();
        self.snapshots.lock().unwrap().last().cloned()
    }

    /// The ids of the machines the last snapshot shows running.
    pub fn running_ids(&self) -> Vec<String> {
        self.last()
            .map(|s| {
                s.machines
                    .into_iter()
                    .filter(|r| r.state == "running")
                    .map(|r| r.id)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many snapshots were pushed.
    pub fn count(&self) -> usize {
        self.assert_in_order();
        self.snapshots.lock().unwrap().len()
    }

    /// How many times the sign-in was reported lost.
    pub fn auth_lost(&self) -> u32 {
        self.assert_in_order();
        *self.auth_lost.lock().unwrap()
    }

    /// Every action reported finished so far.
    pub fn finished(&self) -> Vec<Finished> {
        self.finished.lock().unwrap().clone()
    }

    /// The sign-in the last loss was reported for, as the window hands it to the desk.
    pub fn lost_owner(&self) -> Option<u64> {
        *self.lost_owner.lock().unwrap()
    }
}
