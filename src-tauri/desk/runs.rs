//! The actions under way, one run per click (one machine, or a bulk of many): the way to
//! stop what a run has not sent yet, and its results once it has ended, for the page that
//! waits for them.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{watch, Notify};

use super::ActionResult;

/// Ended runs whose results are kept for a page that has not asked yet.
const KEEP_ENDED: usize = 32;

/// Whether a run was told to send no more ("Stop the rest", sign-out).
#[derive(Default)]
pub(super) struct Stop {
    flag: AtomicBool,
    bell: Notify,
}

impl Stop {
    pub(super) fn stop(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.bell.notify_waiters();
    }

    pub(super) fn is_stopped(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Returns once the run is told to stop.
    pub(super) async fn stopped(&self) {
        loop {
            let rung = self.bell.notified();
            if self.is_stopped() {
                return;
            }
            rung.await;
        }
    }
}

struct Run {
    stop: Arc<Stop>,
    results: watch::Sender<Option<Arc<Vec<ActionResult>>>>,
}

#[derive(Default)]
pub(super) struct Runs {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    next: u64,
    runs: HashMap<u64, Run>,
    ended: VecDeque<u64>,
}

impl Runs {
    fn locked(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A new run: its number and its stop.
    pub(super) fn begin(&self) -> (u64, Arc<Stop>) {
        let mut inner = self.locked();
        inner.next += 1;
        let id = inner.next;
        let stop = Arc::new(Stop::default());
        inner.runs.insert(
            id,
            Run {
                stop: stop.clone(),
                results: watch::channel(None).0,
            },
        );
        (id, stop)
    }

    /// Tells the run `id` to send no more; false when it is not under way.
    pub(super) fn stop(&self, id: u64) -> bool {
        match self.locked().runs.get(&id) {
            Some(run) if run.results.borrow().is_none() => {
                run.stop.stop();
                true
            }
            _ => false,
        }
    }

    /// Tells every run to send no more (sign-out).
    pub(super) fn stop_all(&self) {
        for run in self.locked().runs.values() {
            run.stop.stop();
        }
    }

    /// The run `id` has ended with `results`.
    pub(super) fn finish(&self, id: u64, results: Vec<ActionResult>) {
        let mut inner = self.locked();
        if let Some(run) = inner.runs.get(&id) {
            run.results.send_replace(Some(Arc::new(results)));
        }
        inner.ended.push_back(id);
        while inner.ended.len() > KEEP_ENDED {
            if let Some(old) = inner.ended.pop_front() {
                inner.runs.remove(&old);
            }
        }
    }

    /// The results of the run `id`, once it has ended; `None` for a run not known (or
    /// ended long ago).
    pub(super) async fn results(&self, id: u64) -> Option<Vec<ActionResult>> {
        let mut receiver = self.locked().runs.get(&id)?.results.subscribe();
        let results = receiver.wait_for(Option::is_some).await.ok()?;
        results.as_deref().cloned()
    }
}
