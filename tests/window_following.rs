//! The list the real window is sent after its first one: what changed, not the whole list
//! again. A seeded run of changes on the server (states set as the cloud underneath
//! might, machines deleted and created by someone else) ends with the page's rows equal
//! to the server's list, each step; the page is sent deltas, each far smaller than the
//! whole list; and a delta about a list the page no longer holds is refused and healed by
//! the whole list at once. Run with `bash .ci/session cargo test` (Xvfb, D-Bus, keyring).

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::desktop::{one_window_at_a_time, sign_in_with_key, sim_with, Desktop, Home};
use serde_json::Value;

/// The rows the page holds (its own state, not the DOM, which draws only what is in
/// view): id → the server's word.
async fn page_rows(app: &Desktop) -> BTreeMap<String, String> {
    let rows = app
        .js_async(
            "const done = arguments[arguments.length - 1];
             import('./js/screen.js').then((m) => done(m.state.snapshot.machines.map((r) => [r.id, r.status])));",
        )
        .await;
    serde_json::from_value::<Vec<(String, String)>>(rows)
        .unwrap()
        .into_iter()
        .collect()
}

/// The server's list: id → its word.
async fn server_rows(sim: &common::Sim) -> BTreeMap<String, String> {
    let list = sim.raw_json("/api/compute/v1/instances").await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_owned(),
                m["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// How the page has taken the lists of the news so far: whole, deltas, refused, first
/// screens.
async fn news_counts_all(app: &Desktop) -> [u64; 4] {
    let counts = app
        .js_async(
            "const done = arguments[arguments.length - 1];
             import('./js/ipc.js').then((m) => done(m.newsCounts));",
        )
        .await;
    ["whole", "delta", "refused", "first"].map(|k| counts[k].as_u64().unwrap())
}

/// (whole, deltas, refused).
async fn news_counts(app: &Desktop) -> (u64, u64, u64) {
    let [whole, delta, refused, _] = news_counts_all(app).await;
    (whole, delta, refused)
}

/// Waits until the page's rows are the server's (the list read at once: Refresh).
async fn until_the_page_is_the_truth(app: &Desktop, sim: &common::Sim, step: &str) {
    app.js("window.__TAURI__.core.invoke('refresh'); return true;")
        .await;
    let mut last = (BTreeMap::new(), BTreeMap::new());
    for _ in 0..100 {
        let (page, server) = (page_rows(app).await, server_rows(sim).await);
        if page == server {
            return;
        }
        last = (page, server);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "after {step}, the page is not the server's list:\n page   {:?}\n server {:?}",
        last.0, last.1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_sent_what_changed_and_its_rows_stay_the_servers() {
    let _one = one_window_at_a_time();
    // Limits off: it counts what the page is sent over many quick changes, not reads.
    let sim = sim_with(&["--rate-limit", "0", "--instances", "40", "--speed", "10"]);
    let home = Home::new();
    let app = Desktop::launch(&home, &[], &[]).await;
    sign_in_with_key(&app, &sim).await;
    app.until(
        "the list",
        "return document.querySelectorAll('#rows tr.machine').length > 0",
    )
    .await;
    until_the_page_is_the_truth(&app, &sim, "the first list").await;
    let (whole, deltas, refused_before) = news_counts(&app).await;

    // A seeded run of changes made by others, each followed to the truth.
    let mut rng = fastrand::Rng::with_seed(20261203);
    let words = [
        "RUNNING",
        "STOPPED",
        "TERMINATED",
        "SUSPENDED",
        "HIBERNATING",
    ];
    for step in 0..12 {
        let names: Vec<String> = sim
            .raw_json("/api/compute/v1/instances")
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_owned())
            .collect();
        let name = &names[rng.usize(0..names.len())];
        let what = match rng.u8(0..6) {
            0 => {
                let id = server_rows(&sim)
                    .await
                    .into_iter()
                    .nth(rng.usize(0..names.len()))
                    .unwrap()
                    .0;
                let r = sim
                    .raw(
                        reqwest::Method::DELETE,
                        &format!("/api/compute/v1/instances/{id}"),
                    )
                    .await;
                assert!(r.status().is_success(), "{}", r.status());
                format!("deleting {id}")
            }
            _ => {
                let word = words[rng.usize(0..words.len())];
                sim.set_status(name, word).await;
                format!("{name} set to {word}")
            }
        };
        until_the_page_is_the_truth(&app, &sim, &format!("step {step}: {what}")).await;
    }
    // Every step came as what changed: no whole list again, nothing refused.
    let (whole_now, deltas_now, refused) = news_counts(&app).await;
    assert_eq!(
        (whole_now, refused),
        (whole, refused_before),
        "a whole list sent again"
    );
    assert!(
        deltas_now - deltas >= 12,
        "{} deltas for 12 steps",
        deltas_now - deltas
    );

    // The page's list replaced by a call's answer: the next delta, about the list it held
    // before, is refused, and the whole list comes at once.
    app.js_async(
        "const done = arguments[arguments.length - 1];
         Promise.all([import('./js/ipc.js'), import('./js/machines.js')])
           .then(([ipc, machines]) => ipc.call('machines').then((s) => { machines.update(s); done(true); }));",
    )
    .await;
    let name = server_rows(&sim).await.into_keys().next().unwrap();
    let first = sim.raw_json("/api/compute/v1/instances").await;
    let first_name = first
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == name.as_str())
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    sim.set_status(&first_name, "STOPPED").await;
    until_the_page_is_the_truth(&app, &sim, "a list from a call").await;
    let (whole_healed, _, refused) = news_counts(&app).await;
    assert!(
        refused > refused_before,
        "no delta refused, though the list held before was replaced"
    );
    assert!(whole_healed > whole, "healed without the whole list");
    let value: Value = app
        .js("return document.querySelectorAll('#rows tr.machine').length")
        .await;
    assert!(value.as_u64().unwrap() > 0);
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_list_at_launch_comes_first_as_its_first_screen_in_the_pages_order() {
    let _one = one_window_at_a_time();
    let home = Home::new();
    let app = Desktop::launch(&home, &["--demo", "--demo-machines", "300"], &[]).await;
    app.until(
        "the whole list",
        "return performance.getEntriesByName('whole-list-painted').length > 0",
    )
    .await;
    // The launch took the first screen, then the whole list, and nothing else.
    let [whole, delta, refused, first] = news_counts_all(&app).await;
    assert_eq!((whole, delta, refused, first), (1, 0, 0, 1));
    let count: Value = app
        .js("return document.getElementById('count').textContent")
        .await;
    assert_eq!(count, "300 machines");

    // What the app picks as a first screen is the top of the page's own order, for each
    // column both ways (asked as the page's first request asks).
    for column in ["name", "state", "zone", "machineType", "createdAt"] {
        for descending in [false, true] {
            let picked = app
                .js_async(&format!(
                    "const done = arguments[arguments.length - 1];
                     Promise.all([import('./js/screen.js'), import('./js/order.js')]).then(([screen, order]) =>
                       window.__TAURI__.core.invoke('news', {{ seen: 0, first: {{ rows: 30, column: {column:?}, descending: {descending} }} }})
                         .then((news) => done([
                           news.machines.firstOf,
                           news.machines.machines.map((r) => r.id),
                           order.sortRows(screen.state.snapshot.machines, {column:?}, {descending}).rows.slice(0, 30).map((r) => r.id),
                         ])));"
                ))
                .await;
            assert_eq!(picked[0], 300, "{column}");
            assert_eq!(picked[1], picked[2], "{column}, descending {descending}");
        }
    }
    app.quit().await;
}
