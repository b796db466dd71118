//! A stand-in for the window, for tests that drive `Desk` and its watcher without one:
//! it records what the watcher would have shown, and checks that no older snapshot is
//! ever pushed after a newer one.

use std::sync::{Arc, Mutex};

use compute_desk::failure::Failure;
use compute_desk::watch::{Finished, Sink, Snapshot};

#[derive(Clone, Default)]
pub struct Screen {
    snapshots: Arc<Mutex<Vec<Snapshot>>>,
    finished: Arc<Mutex<Vec<Finished>>>,
    auth_lost: Arc<Mutex<u32>>,
}

impl Sink for Screen {
    fn snapshot(&self, snapshot: Snapshot) {
        let mut all = self.snapshots.lock().unwrap();
        if let Some(last) = all.last() {
            assert!(
                snapshot.seq >= last.seq,
                "an older snapshot was pushed after a newer one"
            );
        }
        all.push(snapshot);
    }
    fn finished(&self, finished: Vec<Finished>) {
        self.finished.lock().unwrap().extend(finished);
    }
    fn auth_lost(&self, _: Failure) {
        *self.auth_lost.lock().unwrap() += 1;
    }
}

impl Screen {
    /// The last snapshot pushed.
    pub fn last(&self) -> Option<Snapshot> {
        self.snapshots.lock().unwrap().last().cloned()
    }

    /// How many snapshots were pushed.
    pub fn count(&self) -> usize {
        self.snapshots.lock().unwrap().len()
    }

    /// How many times the sign-in was reported lost.
    pub fn auth_lost(&self) -> u32 {
        *self.auth_lost.lock().unwrap()
    }
}
