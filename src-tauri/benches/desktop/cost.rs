//! What the app costs while it sits there: the reads it makes of the service when idle
//! (against the bare window's none), and what a minute costs with 10,000 machines, all
//! still and then 1, 20 and 100 of them moving, under the service's read limits.

use std::time::{Duration, Instant};

use crate::common::desktop::{Desktop, Home};
use crate::common::{self, Sim};
use crate::measure::{clock_ticks_per_second, tree_cpu_by_process, tree_cpu_ticks, tree_pss_mib};

/// Idle reads with the usual machines, then with one `SUSPENDED` and one in a state no
/// document lists (which once counted as "changing" and was read every 2 s).
pub async fn idle_reads_both() {
    idle_reads("usual machines", &[], None).await;
    idle_reads(
        "+ SUSPENDED, TERMINATED and one in an undocumented state",
        &["--cloud-states"],
        Some("web-1"),
    )
    .await;
}

/// API reads per minute while idle, visible and then hidden, against a real simulator;
/// `unknown` names a machine put in a state nobody documented.
pub async fn idle_reads(label: &str, more: &[&str], unknown: Option<&str>) {
    let mut args = vec!["--instances", "6", "--rate-limit", "0", "--speed", "50"];
    args.extend_from_slice(more);
    let sim = Sim::start(&args);
    if let Some(name) = unknown {
        sim.set_status(name, "suspended-by-admin").await;
    }
    let home = Home::new();
    let app = Desktop::launch(&home, &[], &[]).await;
    sign_in_on_screen(&app, &sim).await;
    app.control("Details of web-1").await;
    tokio::time::sleep(Duration::from_secs(5)).await; // let the provisioning machine settle
    let minute = Duration::from_secs(60);
    let reads = |_: ()| async { sim.count("GET", "/api/compute/v1/instances").await };
    let before = reads(()).await;
    let t = Instant::now();
    tokio::time::sleep(minute).await;
    let visible = (reads(()).await - before) as f64 * 60.0 / t.elapsed().as_secs_f64();
    let hidden_ok = common::desktop::hide_window();
    let state = app.js("return document.visibilityState").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = reads(()).await;
    let t = Instant::now();
    tokio::time::sleep(minute).await;
    let hidden = (reads(()).await - before) as f64 * 60.0 / t.elapsed().as_secs_f64();
    println!("idle list reads per minute, {label}: visible {visible:.1} (target ≤ 2), hidden {hidden:.1} (target 0; window unmapped: {hidden_ok}, page {state})");
    app.quit().await;
}

/// Signs in on the sign-in screen with the simulator's key pair.
pub async fn sign_in_on_screen(app: &Desktop, sim: &Sim) {
    app.click("Use an API key").await;
    app.click("Advanced").await;
    app.fill("Server address", &sim.base).await;
    app.fill("API key", common::KEY).await;
    app.fill("API secret", common::SECRET).await;
    app.click("Check key and sign in").await;
}

/// How long a shutdown takes on the simulator in [`cost_of_following`]: most of the
/// minute each case is measured over, so that the machines move through it.
const STOP_SECONDS: u64 = 45;

/// Issues 21 and 32: what following costs with 10,000 machines, under the service's own
/// read limits (60 a minute of each kind, the simulator's default): a minute all still,
/// then one, 20 and 100 machines shutting down (each shutdown takes [`STOP_SECONDS`]; the
/// power limit is raised so that the 100 of a bulk all go at once, as the reads are what
/// is measured). For each: the CPU of the app's tree, the reads of each kind a minute and
/// the requests answered 429, the bytes the page is sent, and the worst lag from a
/// machine's end on the server to its row on the page (recorded by the page itself,
/// every 250 ms). Then the idle memory with 10,000 loaded.
pub async fn cost_of_following() {
    let stop = STOP_SECONDS.to_string();
    let sim = Sim::start(&[
        "--instances",
        "10000",
        "--speed",
        "50",
        "--stop-seconds",
        &stop,
        "--limit",
        "instances.power=1000",
    ]);
    let home = Home::new();
    let app = Desktop::launch(&home, &[], &[]).await;
    sign_in_on_screen(&app, &sim).await;
    app.until_within(
        Duration::from_secs(60),
        "10,000 machines on screen",
        "return /10000/.test(document.getElementById('count').textContent)",
    )
    .await;
    tokio::time::sleep(Duration::from_secs(5)).await; // the provisioning ones settle
                                                      // A second follower of the news in the page, asking exactly as the page does, counts
                                                      // the bytes sent; a recorder notes when each machine watched first reads Stopped.
    app.js_async(
        "const done = arguments[arguments.length - 1];
         const inv = window.__TAURI__.core.invoke;
         window.__bytes = 0;
         window.__watched = new Map();
         import('./js/screen.js').then((screen) => setInterval(() => {
           for (const [id, at] of window.__watched) {
             if (at === 0 && screen.byId(id)?.status === 'STOPPED') window.__watched.set(id, Date.now());
           }
         }, 250));
         inv('news', {seen: null}).then(async (mark) => {
           let first = await inv('news', {seen: mark.version, list: true, have: null});
           let seen = first.version, have = first.version;
           done(true);
           for (;;) {
             const n = await inv('news', {seen, list: false, have});
             seen = n.version;
             if (n.machines) { window.__bytes += JSON.stringify(n.machines).length; have = n.version; }
           }
         });",
    )
    .await;
    // The simulator's clock (its request log's) against the wall clock the page keeps.
    let offset = crate::measure::now_ms() - sim.clock().await as f64;
    let (pss, _) = tree_pss_mib("compute-desk");
    let mut table = vec![measure_minute(&sim, &app, &[], offset).await];
    let mut running: Vec<String> = sim
        .raw_json("/api/compute/v1/instances")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "RUNNING")
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    for n in [1, 20, 100] {
        let ids: Vec<String> = running.drain(..n).collect();
        table.push(measure_minute(&sim, &app, &ids, offset).await);
    }
    println!("cost of following, 10,000 machines on the simulator, its read limits on (60 a minute of each kind), shutdowns of {STOP_SECONDS} s, a minute each (targets: still ≤ 2 % of a core; one moving ≤ 3 %, 100 moving ≤ 5 %; never over the budget; worst lag ≤ 10 s up to 9 moving, ≤ 30 s for 100):");
    println!(
        "   {:<12} {:>9} {:>11} {:>13} {:>9} {:>14} {:>10}",
        "moving", "CPU %", "list reads", "single reads", "429s", "to page KiB", "worst lag"
    );
    for m in &table {
        let lag = m
            .worst_lag_ms
            .map_or("-".to_owned(), |ms| format!("{:.1} s", ms / 1000.0));
        println!(
            "   {:<12} {:>9.1} {:>11} {:>13} {:>9} {:>14.1} {:>10}",
            if m.moving == 0 {
                "all still".to_owned()
            } else {
                m.moving.to_string()
            },
            m.cpu,
            m.lists,
            m.singles,
            m.refused,
            m.bytes / 1024.0,
            lag
        );
    }
    for m in &table {
        println!(
            "   {} moving, CPU by process (% of a core): {}",
            m.moving, m.split
        );
    }
    println!("   idle memory with 10,000 machines loaded: app tree PSS {pss:.1} MiB");
    app.quit().await;
}

/// One minute of [`cost_of_following`].
struct Minute {
    /// The CPU of each process of the tree, % of a core.
    split: String,
    moving: usize,
    cpu: f64,
    lists: usize,
    singles: usize,
    refused: usize,
    bytes: f64,
    worst_lag_ms: Option<f64>,
}

/// Shuts `ids` down as the page's bulk does (none: all still) and measures the minute
/// after; then waits for each to read Stopped on the page (a minute more at most) and
/// answers the worst lag behind the server's record.
async fn measure_minute(sim: &Sim, app: &Desktop, ids: &[String], offset: f64) -> Minute {
    let tick = clock_ticks_per_second();
    sim.clear_requests().await;
    let bytes = app.js("return window.__bytes").await.as_f64().unwrap();
    let (cpu, t) = (tree_cpu_ticks("compute-desk"), Instant::now());
    let by_process = tree_cpu_by_process("compute-desk");
    if !ids.is_empty() {
        app.js_async(&format!(
            "const done = arguments[arguments.length - 1];
             const ids = {};
             for (const id of ids) window.__watched.set(id, 0);
             window.__TAURI__.core.invoke('act', {{ ids, action: 'stop' }}).then(() => done(true));",
            serde_json::json!(ids)
        ))
        .await;
    }
    tokio::time::sleep(Duration::from_secs(60).saturating_sub(t.elapsed())).await;
    let secs = t.elapsed().as_secs_f64();
    let used = (tree_cpu_ticks("compute-desk") - cpu) as f64 / tick;
    let split: Vec<String> = tree_cpu_by_process("compute-desk")
        .into_iter()
        .map(|(who, ticks)| {
            let before = by_process
                .iter()
                .find(|(w, _)| *w == who)
                .map_or(0, |(_, t)| *t);
            format!(
                "{who} {:.1}",
                ticks.saturating_sub(before) as f64 / tick / secs * 100.0
            )
        })
        .collect();
    let requests = sim.requests().await;
    let (lists, singles) = sim.reads_of_each_kind().await;
    let refused = requests.iter().filter(|r| r["status"] == 429).count();
    let sent = app.js("return window.__bytes").await.as_f64().unwrap() - bytes;
    let mut worst_lag_ms = None;
    if !ids.is_empty() {
        let seen: serde_json::Value = app
            .poll(Duration::from_secs(60), "every machine read Stopped", || async {
                let seen = app
                    .js("return Object.fromEntries([...window.__watched].filter(([, at]) => at > 0))")
                    .await;
                (seen.as_object().map_or(0, |o| o.len()) >= ids.len()).then_some(seen)
            })
            .await;
        let mut worst: f64 = 0.0;
        for id in ids {
            let path = format!("/api/compute/v1/instances/{id}/stop");
            let sent = requests
                .iter()
                .find(|r| r["method"] == "POST" && r["path"] == path.as_str() && r["status"] == 202)
                .unwrap_or_else(|| panic!("no shutdown of {id} accepted"));
            let ended = sent["arrivedMs"].as_f64().unwrap() + (STOP_SECONDS * 1000) as f64 + offset;
            worst = worst.max(seen[id].as_f64().unwrap() - ended);
        }
        worst_lag_ms = Some(worst.max(0.0));
    }
    Minute {
        split: split.join(", "),
        moving: ids.len(),
        cpu: used / secs * 100.0,
        lists: (lists as f64 * 60.0 / secs).round() as usize,
        singles: (singles as f64 * 60.0 / secs).round() as usize,
        refused,
        bytes: sent * 60.0 / secs,
        worst_lag_ms,
    }
}
