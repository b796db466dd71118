//! A chaos run: the real `Desk` and watcher against `compute-sim` with an asynchronous
//! backend (a 202 changes the record later), latency, 429s (with, without and with absurd
//! `Retry-After`), 500s, dropped connections and a revoked session, while a simulated
//! person clicks actions and creates. Time runs fast: the simulator at `--speed 10`
//! and the watcher's rhythm scaled to match, so ~40 s of test are minutes of use.
//!
//! Checked at every step: nothing panics; no click sends its POST twice (a 429 was not
//! performed and is sent again once); no pending mark outlives its limit. After the
//! faults stop: the screen's last snapshot equals the server's truth within one read,
//! and idle reads keep their budget. Prints its seed; `CHAOS_SEED=… ` replays one.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::screen::Screen;
use common::{assert_in_session, eventually, Sim, EMAIL};
use compute_desk::desk::{Desk, Options};
use compute_desk::failure::Failure;
use compute_desk::vault::Vault;
use compute_desk::watch::Policy;
use serde_json::{json, Value};

const SPEED: f64 = 10.0;

/// The default rhythm, ten times faster, like the simulator.
fn fast_policy() -> Policy {
    let d = Policy::default();
    let fast = |x: Duration| x.div_f64(SPEED);
    Policy {
        fast: fast(d.fast),
        slow: fast(d.slow),
        slow_shutdown: fast(d.slow_shutdown),
        give_up: Duration::from_secs(20),
        no_move_limit: Duration::from_secs(10),
        first_backoff: fast(d.first_backoff),
        max_wait: fast(d.max_wait),
        // Clicks here come faster than any person's; pacing has its own tests.
        actions_per_minute: 10_000,
        created_list_lag: fast(d.created_list_lag),
    }
}

fn random_fault(rng: &mut fastrand::Rng) -> Value {
    let paths = [
        ("GET", "/api/compute/v1/instances"),
        ("POST", "/api/compute/v1/instances/*"),
        ("POST", "/api/compute/v1/instances"),
        ("DELETE", "/api/compute/v1/instances/*"),
    ];
    let (method, path) = paths[rng.usize(0..paths.len())];
    let times = rng.u32(1..4);
    let absurd = [
        "99999999999999999999",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "soon",
    ][rng.usize(0..3)];
    match rng.u32(0..7) {
        0 => {
            json!({"method": method, "path": path, "times": times, "kind": "latency", "ms": rng.u64(50..800)})
        }
        1 => {
            json!({"method": method, "path": path, "times": times, "kind": "status", "status": 429})
        }
        2 => {
            json!({"method": method, "path": path, "times": times, "kind": "status", "status": 429, "retryAfter": 1})
        }
        3 => {
            json!({"method": method, "path": path, "times": times, "kind": "status", "status": 429,
                    "retryAfter": absurd})
        }
        4 => {
            json!({"method": method, "path": path, "times": times, "kind": "status", "status": 500,
                    "message": "zone europe-west1-b has no capacity"})
        }
        5 => json!({"method": method, "path": path, "times": times, "kind": "drop"}),
        _ => json!({"method": method, "path": path, "times": times, "kind": "html"}),
    }
}

/// The POSTs and DELETEs among the requests from index `from` on.
fn writes_since(requests: &[Value], from: usize) -> Vec<(String, u64)> {
    requests[from.min(requests.len())..]
        .iter()
        .filter(|r| r["method"] == "POST" || r["method"] == "DELETE")
        .map(|r| {
            (
                r["path"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

async fn sign_in(desk: &Desk, sim: &Sim) {
    desk.email_start(&sim.base, EMAIL).await.unwrap();
    desk.email_verify(&sim.latest_code().await).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_stays_right_through_a_chaotic_service() {
    assert_in_session();
    let seed = std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    println!("chaos seed: {seed} (replay with CHAOS_SEED={seed})");
    let mut rng = fastrand::Rng::with_seed(seed);

    let sim = Sim::start(&[
        "--speed",
        "10",
        "--accept-delay",
        "3",
        "--instances",
        "6",
        "--cloud-states",
        "--quota",
        "12",
        "--rate-limit",
        "0",
        "--seed",
        &seed.to_string(),
    ]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.chaos");
    let policy = fast_policy();
    let desk = Arc::new(Desk::new(config.path(), vault, policy, Options::default()));
    let screen = Screen::default();
    let watcher = tokio::spawn(desk.watcher().clone().run(screen.clone()));
    sign_in(&desk, &sim).await;

    let started = Instant::now();
    let mut clicks = 0;
    let mut creates = 0;
    let mut revoked = false;
    while started.elapsed() < Duration::from_secs(40) {
        if rng.u32(0..3) == 0 {
            sim.fault(random_fault(&mut rng)).await;
        }
        if !revoked && started.elapsed() > Duration::from_secs(20) {
            // An administrator ends every session; the person signs in again. The faults
            // stop first: three 429s in a row could otherwise hide the 401 for longer
            // than this waits (each holds reads back up to `max_wait`).
            revoked = true;
            sim.clear_faults().await;
            sim.end_sessions().await;
            let noticed = eventually(2 * policy.max_wait + Duration::from_secs(5), || async {
                screen.auth_lost() > 0
            })
            .await;
            assert!(noticed, "the revoked session was noticed");
            desk.auth_lost(
                screen.lost_owner().unwrap(),
                &Failure::plain(
                    "auth",
                    compute_desk::text::Text::new("desk.sign_in_ended"),
                    "revoked",
                ),
            )
            .await;
            sign_in(&desk, &sim).await;
        }
        let before = sim.requests().await.len();
        let snapshot = screen.last();
        let candidates: Vec<(String, &str)> = snapshot
            .iter()
            .flat_map(|s| s.machines.iter())
            .flat_map(|r| {
                let can = r.can;
                [
                    ("start", can.start),
                    ("stop", can.stop),
                    ("restart", can.restart),
                    ("reset", can.reset),
                    ("delete", can.delete && r.pending.is_none()),
                ]
                .into_iter()
                .filter(|(_, ok)| *ok)
                .map(|(a, _)| (r.id.clone(), a))
                .collect::<Vec<_>>()
            })
            .collect();
        if rng.u32(0..5) == 0 || candidates.is_empty() {
            let templates = [
                "ubuntu-22-standard",
                "ubuntu-24-small",
                "debian-12-standard",
            ];
            let _ = desk
                .create(templates[rng.usize(0..3)], "default-network", None)
                .await;
            let writes = writes_since(&sim.requests().await, before);
            let creates_sent = writes
                .iter()
                .filter(|(p, _)| p == "/api/compute/v1/instances")
                .count();
            assert_eq!(creates_sent, 1, "one create click, one POST: {writes:?}");
            creates += 1;
        } else {
            let (id, action) = candidates[rng.usize(0..candidates.len())].clone();
            let _ = desk.act_and_wait(std::slice::from_ref(&id), action).await;
            let writes = writes_since(&sim.requests().await, before);
            let mine: Vec<_> = writes.iter().filter(|(p, _)| p.contains(&id)).collect();
            let performed = mine.iter().filter(|(_, status)| *status != 429).count();
            assert!(
                mine.len() <= 2 && performed <= 1,
                "{action} {id} sent {mine:?}"
            );
            clicks += 1;
        }
        let oldest = desk
            .watcher()
            .update(|w| w.oldest_pending(Instant::now()))
            .await;
        if let Some(age) = oldest {
            assert!(
                age <= policy.give_up + Duration::from_secs(5),
                "a pending mark {age:?} old"
            );
        }
        assert!(!watcher.is_finished(), "the watcher stopped");
        tokio::time::sleep(Duration::from_millis(rng.u64(50..400))).await;
    }
    println!(
        "chaos: {clicks} action clicks, {creates} create clicks, {} snapshots",
        screen.count()
    );

    // The faults stop. Once everything has settled, the screen shows the server's truth.
    sim.clear_faults().await;
    let settled = eventually(Duration::from_secs(40), || async {
        screen.last().is_some_and(|s| {
            s.problem.is_none()
                && s.machines
                    .iter()
                    .all(|r| r.pending.is_none() && r.state != "busy")
        })
    })
    .await;
    assert!(
        settled,
        "never settled: {:?}",
        screen.last().map(|s| s.machines)
    );
    desk.watcher().update(|w| w.refresh_now()).await;
    let pushed = screen.count();
    assert!(eventually(Duration::from_secs(5), || async { screen.count() > pushed }).await);
    let truth: HashMap<String, String> = sim
        .raw_json("/api/compute/v1/instances")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_owned(),
                m["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let shown: HashMap<String, String> = screen
        .last()
        .unwrap()
        .machines
        .iter()
        .map(|r| (r.id.clone(), r.status.clone()))
        .collect();
    assert_eq!(shown, truth, "the screen is the server's truth");

    // Idle: nothing moves, nothing pending; reads keep the slow rhythm.
    let from = sim.count("GET", "/api/compute/v1/instances").await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let reads = sim.count("GET", "/api/compute/v1/instances").await - from;
    let budget = (6.0 / policy.slow.as_secs_f64()).ceil() as usize + 1;
    assert!(
        reads <= budget,
        "{reads} idle reads in 6 s (budget {budget})"
    );
    assert!(!watcher.is_finished());
    desk.sign_out().await;
}
