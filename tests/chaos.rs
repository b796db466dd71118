//! A chaos run: the real `Desk` and watcher against `compute-sim` with an asynchronous
//! backend (a 202 changes the record later), latency, 429s (with, without and with absurd
//! `Retry-After`), 500s, dropped connections and a revoked session, while a simulated
//! person clicks actions and creates. Time runs fast: the simulator at `--speed 10`
//! and the watcher's rhythm scaled to match, so ~40 s of test are minutes of use.
//!
//! Checked at every step: nothing panics; no click sends its POST twice (a 429 was not
//! performed and is sent again once); no pending mark outlives its limit. After the
//! faults stop: the screen's last snapshot equals the server's truth within one read,
//! and idle reads keep their budget. A second run pours bulks over a small budget,
//! signs out in the middle of them and loses creates' answers over a list that lags: no
//! request after a sign-out, no history entry left open when its sign-in ends, every
//! entry ended within its bound. Each prints its seed; `CHAOS_SEED=… ` replays one.

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
        per_minute: 10_000,
        created_list_lag: fast(d.created_list_lag),
        alone_limit: d.alone_limit,
    }
}

fn random_fault(rng: &mut fastrand::Rng) -> Value {
    let paths = [
        ("GET", "/api/compute/v1/instances"),
        // A moving machine is read alone: its reads fail too.
        ("GET", "/api/compute/v1/instances/*"),
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

/// The run's seed (`CHAOS_SEED`, or a new one, printed) and its random numbers.
fn seeded() -> (u64, fastrand::Rng) {
    let seed = std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    println!("chaos seed: {seed} (replay with CHAOS_SEED={seed})");
    (seed, fastrand::Rng::with_seed(seed))
}

async fn sign_in(desk: &Desk, sim: &Sim) {
    desk.email_start(&sim.base, EMAIL).await.unwrap();
    desk.email_verify(&sim.latest_code().await).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_stays_right_through_a_chaotic_service() {
    assert_in_session();
    let (seed, mut rng) = seeded();

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
            let created = desk
                .create(templates[rng.usize(0..3)], "default-network", None)
                .await;
            // While the machine of a create without an answer is looked for, Create
            // waits and sends nothing.
            let waits = created
                .as_ref()
                .is_err_and(|f| f.text.key == "desk.create_wait");
            let writes = writes_since(&sim.requests().await, before);
            let creates_sent = writes
                .iter()
                .filter(|(p, _)| p == "/api/compute/v1/instances")
                .count();
            // A create the account's limits hold back (the server asked to wait) is
            // refused before it leaves: none, or the one the server refused.
            let held = created.as_ref().is_err_and(|f| f.kind == "rate_limited");
            if held {
                assert!(creates_sent <= 1, "held back, yet sent: {writes:?}");
            } else {
                assert_eq!(
                    creates_sent,
                    usize::from(!waits),
                    "one create click, one POST (none while Create waits): {writes:?}"
                );
            }
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
        // Settled: no problem, nothing moving or pending, and no unanswered create still
        // looked for (its search reads the whole list quickly until it ends).
        screen.last().is_some_and(|s| {
            s.problem.is_none()
                && !s.looking_for_create
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
    let truth: HashMap<String, String> = sim.listed("status").await.into_iter().collect();
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
    let why = desk
        .watcher()
        .update(|w| {
            (
                w.alone_ids(),
                w.looking_for_create(),
                w.next_read(Instant::now()),
            )
        })
        .await;
    assert!(
        reads <= budget,
        "{reads} idle reads in 6 s (budget {budget}); {why:?}; {:?}",
        screen.last().map(|s| (
            s.problem,
            s.machines
                .iter()
                .map(|r| (r.id.clone(), r.status.clone(), r.pending.is_some()))
                .collect::<Vec<_>>()
        ))
    );
    assert!(!watcher.is_finished());
    desk.sign_out().await;
}

/// Every history entry on disk as its last line says it, read without opening (opening
/// a history would end what was left open).
fn entries_on_disk(dir: &std::path::Path) -> Vec<Value> {
    compute_desk::history::Writer::shared().flush();
    history_files(dir)
        .iter()
        .flat_map(|path| entries_of_file(path))
        .collect()
}

/// The history files in `dir`, one per account.
fn history_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|file| file.path())
        .filter(|path| path.extension().is_some_and(|e| e == "jsonl"))
        .collect()
}

fn is_open(entry: &Value) -> bool {
    entry["outcome"] == "queued" || entry["outcome"] == "waiting"
}

/// The compute POSTs and DELETEs the simulator received, all told.
async fn compute_writes(sim: &Sim) -> usize {
    sim.requests()
        .await
        .iter()
        .filter(|r| {
            (r["method"] == "POST" || r["method"] == "DELETE")
                && r["path"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("/api/compute/")
        })
        .count()
}

/// Bulks paced under a small budget, sign-outs in the middle of them, and creates whose
/// answer is lost or never sent, over a service whose list lags behind its creates: no
/// request of an account goes out after its sign-out, no history entry is left open when
/// its sign-in ends, and every entry reaches an end within its bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulks_sign_outs_and_unanswered_creates_keep_every_action_to_its_account() {
    assert_in_session();
    let (seed, mut rng) = seeded();
    let sim = Sim::start(&[
        "--speed",
        "10",
        "--instances",
        "40",
        "--quota",
        "-1",
        // Reads off the limits: the rhythm here is ten times the real one.
        "--rate-limit",
        "0",
        "--limit",
        "instances.power=18",
        "--list-lag",
        "2",
        "--seed",
        &seed.to_string(),
    ]);
    let config = tempfile::tempdir().unwrap();
    // Bulks of more than 12 (two thirds of the 18 power actions a minute the simulator
    // states) wait for their turns.
    let policy = fast_policy();
    let desk = Arc::new(Desk::new(
        config.path(),
        Vault::new("app.computedesk.test.chaos-bulks"),
        policy,
        Options::default(),
    ));
    let screen = Screen::default();
    tokio::spawn(desk.watcher().clone().run(desk.recording(screen.clone())));
    sign_in(&desk, &sim).await;
    let history = config.path().join("history");
    // The longest an entry may stay open: sent at the end of a minute's budget, then the
    // action's give-up limit, or a create's search.
    let bound =
        Duration::from_secs(60) + policy.give_up + policy.created_list_lag + Duration::from_secs(5);

    let started = Instant::now();
    let (mut bulks, mut sign_outs, mut unanswered) = (0, 0, 0);
    let mut sends = Vec::new();
    while started.elapsed() < Duration::from_secs(40) {
        let loaded = eventually(Duration::from_secs(10), || async {
            screen.last().is_some_and(|s| s.loaded)
        })
        .await;
        assert!(loaded, "the list after sign-in");
        match rng.u32(0..6) {
            0..=2 => {
                let action = ["stop", "start", "restart"][rng.usize(0..3)];
                let ids: Vec<String> = screen
                    .last()
                    .unwrap()
                    .machines
                    .iter()
                    .filter(|r| r.pending.is_none())
                    .map(|r| r.id.clone())
                    .take(rng.usize(3..20))
                    .collect();
                if let Ok(run) = desk.act(&ids, action).await {
                    let desk = desk.clone();
                    sends.push(tokio::spawn(async move { desk.send(run).await }));
                    bulks += 1;
                }
            }
            3 => {
                let kind = ["answer_lost", "drop"][rng.usize(0..2)];
                sim.fault(
                    json!({"method": "POST", "path": "/api/compute/v1/instances", "kind": kind}),
                )
                .await;
                if let Err(f) = desk
                    .create("ubuntu-22-standard", "default-network", None)
                    .await
                {
                    if f.text.key == "desk.create_unanswered" {
                        unanswered += 1;
                    }
                }
                sim.clear_faults().await;
            }
            _ => {
                // Sign out in the middle of whatever is under way.
                desk.sign_out().await;
                sign_outs += 1;
                let at = compute_writes(&sim).await;
                let open: Vec<Value> = entries_on_disk(&history)
                    .into_iter()
                    .filter(is_open)
                    .collect();
                assert!(open.is_empty(), "entries left open at sign-out: {open:#?}");
                tokio::time::sleep(Duration::from_millis(rng.u64(500..2000))).await;
                assert_eq!(compute_writes(&sim).await, at, "a request after sign-out");
                sign_in(&desk, &sim).await;
            }
        }
        // No entry is open past its bound.
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        if let Some(view) = desk.history(None) {
            for e in view.entries.iter().filter(|e| e.outcome.is_open()) {
                let age = Duration::from_millis(now_ms.saturating_sub(e.at));
                assert!(age <= bound, "an entry open for {age:?}: {e:?}");
            }
        }
        tokio::time::sleep(Duration::from_millis(rng.u64(200..1500))).await;
    }
    println!("chaos: {bulks} bulks, {sign_outs} sign-outs mid-work, {unanswered} creates without an answer");
    // The end: signed out, every entry of every sign-in has reached its end.
    desk.sign_out().await;
    let at = compute_writes(&sim).await;
    for send in sends {
        send.await.unwrap();
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        compute_writes(&sim).await,
        at,
        "a request after the last sign-out"
    );
    let entries = entries_on_disk(&history);
    assert!(!entries.is_empty());
    let open: Vec<&Value> = entries.iter().filter(|e| is_open(e)).collect();
    assert!(open.is_empty(), "entries never ended: {open:#?}");
}

const KEY_2: &str = "tw-key-second-0002";
const SECRET_2: &str = "second-secret-value-0002";

/// Two accounts on two simulators, each with its own key, and a person who switches
/// between them in the middle of bulks, replaces actions still pending, and meets slow
/// answers. Checked over every request either server received and every history entry:
/// no request carries an account's credential to the other's server; no request of an
/// account arrives at its server while another account is on screen (what passed the
/// gate before a switch may still be answered); every entry is in the history of the
/// account whose machine it names; every entry ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_accounts_mid_work_keeps_every_request_and_entry_to_its_own() {
    assert_in_session();
    let (seed, mut rng) = seeded();
    let keys = [(common::KEY, common::SECRET), (KEY_2, SECRET_2)];
    let sims: Vec<Sim> = keys
        .iter()
        .enumerate()
        .map(|(i, (key, secret))| {
            Sim::start(&[
                "--speed",
                "10",
                "--instances",
                "12",
                // Reads off the limits: the rhythm here is ten times the real one.
                "--rate-limit",
                "0",
                "--limit",
                "instances.power=45",
                "--seed",
                &seed.wrapping_add(i as u64).to_string(),
                "--api-key",
                key,
                "--api-secret",
                secret,
            ])
        })
        .collect();
    let config = tempfile::tempdir().unwrap();
    // Bulks here wait for their turns (30 a minute, two thirds of the 45 power actions
    // the simulators state): a switch finds some not sent yet.
    let policy = fast_policy();
    let desk = Arc::new(Desk::new(
        config.path(),
        Vault::new("app.computedesk.test.chaos-accounts"),
        policy,
        Options::default(),
    ));
    let screen = Screen::default();
    tokio::spawn(desk.watcher().clone().run(desk.recording(screen.clone())));
    for (sim, (key, secret)) in sims.iter().zip(keys) {
        desk.sign_in_with_key(&sim.base, key, secret).await.unwrap();
    }
    let accounts = common::account_ids(&desk).await;
    assert_eq!(accounts.len(), 2);
    // The account on screen, and when (on each server's clock) the other left it.
    let mut on = 1;
    let mut left_at = [Some(sims[0].clock().await), None];
    let mut away: [Vec<(u64, u64)>; 2] = [Vec::new(), Vec::new()];

    let started = Instant::now();
    let (mut switches, mut bulks, mut replacing) = (0, 0, 0);
    let mut sends = Vec::new();
    while started.elapsed() < Duration::from_secs(30) {
        let loaded = eventually(Duration::from_secs(10), || async {
            screen.last().is_some_and(|s| s.loaded)
        })
        .await;
        assert!(loaded, "the list of the account on screen");
        let rows = screen.last().unwrap().machines;
        match rng.u32(0..8) {
            0..=2 => {
                let action = ["stop", "start", "restart"][rng.usize(0..3)];
                let ids: Vec<String> = rows
                    .iter()
                    .filter(|r| r.pending.is_none())
                    .map(|r| r.id.clone())
                    .take(rng.usize(2..8))
                    .collect();
                if let Ok(run) = desk.act(&ids, action).await {
                    let sender = desk.clone();
                    sends.push(tokio::spawn(async move { sender.send(run).await }));
                    bulks += 1;
                    // Now and then a restart over the bulk's last machine, most likely
                    // still waiting for its turn.
                    if let Some(last) = ids.last().filter(|_| rng.bool()) {
                        tokio::time::sleep(Duration::from_millis(rng.u64(20..200))).await;
                        if let Ok(run) = desk.act(std::slice::from_ref(last), "restart").await {
                            let sender = desk.clone();
                            sends.push(tokio::spawn(async move { sender.send(run).await }));
                            replacing += 1;
                        }
                    }
                }
            }
            3 => {
                // Another action over one still pending: Force reset over a shutdown
                // under way, a restart over one waiting for its turn.
                let pending: Vec<_> = rows.iter().filter(|r| r.pending.is_some()).collect();
                if let Some(row) = pending.get(rng.usize(0..pending.len().max(1))) {
                    let action = if row.status == "STOPPING" {
                        "reset"
                    } else {
                        "restart"
                    };
                    if let Ok(run) = desk.act(std::slice::from_ref(&row.id), action).await {
                        let desk = desk.clone();
                        sends.push(tokio::spawn(async move { desk.send(run).await }));
                        replacing += 1;
                    }
                }
            }
            4 | 5 => {
                let other = 1 - on;
                let back = sims[other].clock().await;
                away[other].push((left_at[other].take().unwrap(), back));
                desk.switch_account(&accounts[other]).await.unwrap();
                left_at[on] = Some(sims[on].clock().await);
                on = other;
                switches += 1;
            }
            _ => {
                // Slow answers, so that a switch finds requests on their way.
                sims[on]
                    .fault(json!({"times": rng.u32(1..4), "kind": "latency",
                                  "ms": rng.u64(100..1500)}))
                    .await;
            }
        }
        tokio::time::sleep(Duration::from_millis(rng.u64(200..1200))).await;
    }
    // The end: both signed out (the second sign-out is of the account opened after the
    // first), every run over.
    // The account off screen is opened by the first sign-out: its time away ends there.
    let other = 1 - on;
    away[other].push((left_at[other].take().unwrap(), sims[other].clock().await));
    desk.sign_out().await;
    left_at[on] = Some(sims[on].clock().await);
    desk.sign_out().await;
    left_at[other] = Some(sims[other].clock().await);
    for send in sends {
        send.await.unwrap();
    }
    for (i, sim) in sims.iter().enumerate() {
        if let Some(left) = left_at[i] {
            away[i].push((left, sim.clock().await));
        }
    }

    // Every request each server received.
    let mut violations = Vec::new();
    let mut checked = 0;
    for (i, sim) in sims.iter().enumerate() {
        let own = format!("key:{}", keys[i].0);
        for r in sim.requests().await {
            let credential = r["credential"].as_str().unwrap_or_default();
            if credential.is_empty() {
                continue;
            }
            checked += 1;
            if credential != own {
                violations.push(format!("server {i} received {credential}: {r}"));
            }
            let arrived = r["arrivedMs"].as_u64().unwrap();
            if away[i]
                .iter()
                .any(|&(left, back)| left < arrived && arrived < back)
            {
                violations.push(format!("server {i} got a request while away: {r}"));
            }
        }
    }
    // Every entry: in its own account's history, and ended.
    let machines: Vec<Vec<String>> = {
        let mut all = Vec::new();
        for sim in &sims {
            let list = sim.raw_json("/api/compute/v1/instances").await;
            all.push(
                list.as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["id"].as_str().unwrap().to_owned())
                    .collect(),
            );
        }
        all
    };
    compute_desk::history::Writer::shared().flush();
    let mut entries = 0;
    for path in history_files(&config.path().join("history")) {
        let named: Vec<Value> = entries_of_file(&path);
        entries += named.len();
        let ids: Vec<&str> = named
            .iter()
            .filter_map(|e| e["machineId"].as_str())
            .collect();
        let owners: Vec<usize> = (0..2)
            .filter(|&i| ids.iter().any(|id| machines[i].iter().any(|m| m == id)))
            .collect();
        if owners.len() > 1 {
            violations.push(format!("{} names both accounts' machines", path.display()));
        }
        for e in named.iter().filter(|e| is_open(e)) {
            violations.push(format!("an entry never ended: {e}"));
        }
    }
    println!(
        "chaos accounts: {switches} switches, {bulks} bulks, {replacing} replacements, \
         {checked} requests and {entries} entries checked, {} violations",
        violations.len()
    );
    assert!(switches > 0 && bulks > 0, "the run did too little");
    assert!(violations.is_empty(), "{violations:#?}");
}

/// The entries of one history file, each as its last line says.
fn entries_of_file(path: &std::path::Path) -> Vec<Value> {
    let mut last: HashMap<u64, Value> = HashMap::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let entry: Value = serde_json::from_str(line).unwrap();
        last.insert(entry["id"].as_u64().unwrap(), entry);
    }
    last.into_values().collect()
}
