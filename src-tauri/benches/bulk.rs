//! A bulk Shut down of 100 machines under the default budget (40 actions a minute), with
//! the desk, its watcher and the demo's simulator on loopback, as the window runs them:
//! when each row's request was answered (its row "Stopping…" or its error), when the
//! bulk ended, and when the last machine was seen stopped. First, a bulk of 1,000 asked
//! for and stopped at once: how long marking it takes, and how many syncs its 2,000
//! history lines cost (each entry queued, then not sent).
//!
//! `cargo bench --bench bulk` (about two and a half minutes). Prints figures; asserts
//! nothing but that the bulk sent what it was given.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use compute_desk::desk::{Desk, Options};
use compute_desk::failure::Failure;
use compute_desk::history::Writer;
use compute_desk::vault::Vault;
use compute_desk::watch::{CreateSeen, Finished, Policy, Sink, Snapshot};

const BULK: usize = 100;
const BIG_BULK: usize = 1_000;

/// When each machine of the bulk first showed its answer, and when it was seen stopped.
#[derive(Clone, Default)]
struct Clock {
    started: Arc<Mutex<Option<Instant>>>,
    watched: Arc<Mutex<Vec<String>>>,
    answered: Arc<Mutex<HashMap<String, Duration>>>,
    stopped: Arc<Mutex<HashMap<String, Duration>>>,
    latest: Arc<Mutex<Option<Snapshot>>>,
}

impl Sink for Clock {
    fn snapshot(&self, snapshot: Snapshot) {
        if let Some(t0) = *self.started.lock().unwrap() {
            let now = t0.elapsed();
            let watched = self.watched.lock().unwrap();
            let mut answered = self.answered.lock().unwrap();
            let mut stopped = self.stopped.lock().unwrap();
            for row in snapshot.machines.iter().filter(|r| watched.contains(&r.id)) {
                if row.error.is_some() || row.pending.as_ref().is_some_and(|p| p.sent) {
                    answered.entry(row.id.clone()).or_insert(now);
                }
                if row.state == "stopped" && row.pending.is_none() {
                    stopped.entry(row.id.clone()).or_insert(now);
                }
            }
        }
        *self.latest.lock().unwrap() = Some(snapshot);
    }
    fn finished(&self, _owner: u64, _finished: Vec<Finished>) {}
    fn auth_lost(&self, _owner: u64, _failure: Failure) {}
    fn create_seen(&self, _owner: u64, _seen: CreateSeen) {}
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

#[tokio::main]
async fn main() {
    let config = tempfile::tempdir().unwrap();
    let desk = Arc::new(Desk::new(
        config.path(),
        Vault::new("app.computedesk.bench.bulk"),
        Policy::default(),
        Options {
            demo_machines: Some(3 * BIG_BULK),
            ..Options::default()
        },
    ));
    let clock = Clock::default();
    tokio::spawn(desk.watcher().clone().run(clock.clone()));
    desk.demo().await.expect("the demo starts");
    let ids: Vec<String> = loop {
        let latest = clock.latest.lock().unwrap().clone();
        if let Some(s) = latest.filter(|s| s.loaded) {
            break s
                .machines
                .iter()
                .filter(|r| r.state == "running")
                .map(|r| r.id.clone())
                .take(BULK)
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let big: Vec<String> = {
        let latest = clock.latest.lock().unwrap().clone().expect("a list");
        let running = latest.machines.iter().filter(|r| r.state == "running");
        running
            .skip(BULK)
            .take(BIG_BULK)
            .map(|r| r.id.clone())
            .collect()
    };
    assert_eq!(
        big.len(),
        BIG_BULK,
        "not enough running machines in the demo"
    );
    let writer = Writer::shared();
    writer.flush();
    let (syncs, lines) = (writer.syncs(), writer.lines());
    let t = Instant::now();
    let run = desk
        .act(&big, "stop")
        .await
        .expect("the big bulk is marked");
    let marked_big = t.elapsed();
    desk.stop_run(run.planned().run);
    let sent = desk.send(run).await.iter().filter(|r| !r.not_sent).count();
    writer.flush();
    println!("a bulk of {BIG_BULK} machines, stopped at once:");
    println!(
        "  marked (act answered): {:.1} ms",
        marked_big.as_secs_f64() * 1000.0
    );
    println!(
        "  history: {} lines written with {} syncs; {sent} sent before the stop",
        writer.lines() - lines,
        writer.syncs() - syncs
    );

    assert_eq!(ids.len(), BULK, "not enough running machines in the demo");
    *clock.watched.lock().unwrap() = ids.clone();

    let t0 = Instant::now();
    *clock.started.lock().unwrap() = Some(t0);
    let run = desk.act(&ids, "stop").await.expect("the bulk is marked");
    let marked = t0.elapsed();
    let results = desk.send(run).await;
    let ended = t0.elapsed();
    assert_eq!(results.iter().filter(|r| r.ok).count(), BULK, "{results:?}");
    while clock.stopped.lock().unwrap().len() < BULK
        && t0.elapsed() < Duration::from_secs(120 + 180)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answered: Vec<Duration> = {
        let mut a: Vec<Duration> = clock.answered.lock().unwrap().values().copied().collect();
        a.sort();
        a
    };
    let stopped: Vec<Duration> = {
        let mut s: Vec<Duration> = clock.stopped.lock().unwrap().values().copied().collect();
        s.sort();
        s
    };
    println!(
        "bulk shut down of {BULK} machines, under the service's {} power actions a minute \
         (a bulk takes two thirds of them):",
        compute_desk::api::budget::DEFAULT_PER_MINUTE
    );
    println!("  rows marked (act answered): {}", secs(marked));
    if let (Some(first), Some(last)) = (answered.first(), answered.last()) {
        println!(
            "  first row's answer on screen: {}; last: {} ({} of {BULK} rows)",
            secs(*first),
            secs(*last),
            answered.len()
        );
    }
    println!("  the bulk ended (results ready): {}", secs(ended));
    if let (Some(first), Some(last)) = (stopped.first(), stopped.last()) {
        println!(
            "  first machine seen stopped: {}; last: {} ({} of {BULK})",
            secs(*first),
            secs(*last),
            stopped.len()
        );
    }
    desk.sign_out().await;
}
