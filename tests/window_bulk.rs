//! A bulk action in the real window, under the app's budget of 40 actions a minute: the
//! rows of a bulk end one by one while the rest wait their turn, "Stop the rest" sends no
//! more, and a sign-out in the middle of a bulk sends nothing after it (the history says
//! what was not sent, and why).
//! Run with `bash .ci/session cargo test` (Xvfb, a private D-Bus and keyring).

mod common;

use std::time::Duration;

use common::desktop::{one_window_at_a_time, sign_in_with_key, sim_with, Desktop, Home};
use common::Sim;
use serde_json::json;

/// The budget the app keeps to (`Policy::default`).
const PER_MINUTE: u64 = 40;

/// How the rows of the machines selected now stand, from the list the page is sent:
/// `[done, sent, queued]`, where done means no longer pending and in `state`.
async fn bulk_rows(app: &Desktop, state: &str) -> [u64; 3] {
    let counts = app
        .js_async(&format!(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke('machines').then((s) => {{
               const rows = s.machines.filter((r) => window.__bulk.includes(r.id));
               done([
                 rows.filter((r) => !r.pending && r.state === {state}).length,
                 rows.filter((r) => r.pending && r.pending.sent).length,
                 rows.filter((r) => r.pending && !r.pending.sent).length,
               ]);
             }});",
            state = json!(state)
        ))
        .await;
    let n = |i: usize| counts[i].as_u64().unwrap();
    [n(0), n(1), n(2)]
}

/// Shows only the machines in `state` ("" for all).
async fn filter(app: &Desktop, state: &str) {
    app.js(&format!(
        "const s = document.getElementById('state-filter'); s.value = {};
         s.dispatchEvent(new Event('change')); return true;",
        json!(state)
    ))
    .await;
}

/// Selects every machine shown in `state`, remembers their ids as `window.__bulk`, and
/// shows every machine again; returns how many the bulk bar says are selected.
async fn select_all_in(app: &Desktop, state: &str) -> u64 {
    filter(app, state).await;
    app.click("Select all shown machines").await;
    app.js_async(&format!(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('machines').then((s) => {{
           window.__bulk = s.machines.filter((r) => r.state === {}).map((r) => r.id);
           done(true);
         }});",
        json!(state)
    ))
    .await;
    let n = app
        .until(
            "the bulk bar",
            "const c = document.getElementById('bulk-count').textContent.match(/\\d+/); return c ? Number(c[0]) : 0;",
        )
        .await
        .as_u64()
        .unwrap();
    let ids = app
        .js("return window.__bulk.length")
        .await
        .as_u64()
        .unwrap();
    assert_eq!(ids, n, "the bulk bar counts the machines shown");
    filter(app, "").await;
    n
}

async fn posts(sim: &Sim) -> usize {
    sim.requests()
        .await
        .iter()
        .filter(|r| {
            r["method"] == "POST" && r["path"].as_str().unwrap().starts_with("/api/compute/")
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_ends_row_by_row_stops_on_request_and_at_sign_out() {
    let _one = one_window_at_a_time();
    // The service's own limits (60 power actions a minute: a bulk's turns, 40).
    let sim = sim_with(&["--speed", "10", "--instances", "75"]);
    let home = Home::new();
    let mut app = Desktop::launch(&home, &[], &[]).await;
    sign_in_with_key(&app, &sim).await;

    // More running machines than the budget allows in a minute, shut down at once.
    let selected = select_all_in(&app, "running").await;
    assert!(selected > PER_MINUTE + 5, "only {selected} running");
    app.click("Shut down selected").await;
    // The confirmation says what goes now and how long the rest takes.
    let asked = app
        .shown_text("the bulk's confirmation", "#confirm-text")
        .await;
    assert!(
        asked.contains(&format!("{PER_MINUTE} left this minute"))
            && asked.contains(&format!("go out {PER_MINUTE} a minute")),
        "{asked}"
    );
    app.screenshot("24-a-paced-bulk-says-how-long").await;
    app.click("Shut down").await;

    // Rows end one by one: some are stopped while others still wait for their turn, and
    // the line above the list counts what is left to send.
    let mut both = None;
    for _ in 0..100 {
        let [done, _, queued] = bulk_rows(&app, "stopped").await;
        if done > 0 && queued > 0 {
            both = Some((done, queued));
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (done, queued) = both.expect("rows ended while others waited their turn");
    assert!(queued >= selected - PER_MINUTE - 1, "{queued} waiting");
    let line = app.shown_text("the bulk's line", "#sending").await;
    assert!(line.contains("still to send"), "{line}");
    assert!(line.contains("Stop the rest"), "{line}");
    // A waiting row says so, and offers no buttons (a second click would send twice).
    app.js("document.getElementById('scroller').scrollTop = 1e9; return true;")
        .await;
    let waiting = app
        .until(
            "a waiting row in view",
            "const tr = [...document.querySelectorAll('#rows tr.machine')].find((t) => /Waiting…/.test(t.innerText));
             return tr && [[...tr.querySelectorAll('.actions button')].filter((b) => !b.disabled).length,
                           tr.querySelector('.state').dataset.tip];",
        )
        .await;
    assert_eq!(waiting[0], json!(0), "a waiting row offers no buttons");
    assert!(
        waiting[1].as_str().unwrap().starts_with("Waiting to send"),
        "{waiting}"
    );
    let results_open = app
        .js("return document.getElementById('results').open")
        .await;
    assert_eq!(results_open, json!(false), "rows end before the bulk does");
    app.screenshot("80-bulk-ending-row-by-row").await;
    app.assert_accessible("a bulk under way").await;
    eprintln!("{done} stopped while {queued} waited their turn");

    // "Stop the rest": nothing more is sent; the results say what was not sent.
    app.click("Stop the rest").await;
    let results = app
        .until(
            "the bulk's results",
            "return document.getElementById('results').open && document.getElementById('results').innerText",
        )
        .await;
    let results = results.as_str().unwrap();
    assert!(results.contains("not sent"), "{results}");
    let [_, _, queued] = bulk_rows(&app, "stopped").await;
    assert_eq!(queued, 0, "nothing waits to be sent after Stop the rest");
    let sent = posts(&sim).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(posts(&sim).await, sent, "a POST after Stop the rest");
    assert!(
        app.js("return document.getElementById('sending').hidden")
            .await
            == json!(true)
    );
    app.click("Close").await;

    // A second bulk while the budget is spent: it all waits its turn; signing out then
    // sends none of it.
    let stopped = select_all_in(&app, "stopped").await;
    assert!(stopped > 0);
    app.click("Start selected").await;
    // Paced, a start asks first too, saying how long it takes.
    let asked = app
        .shown_text("the paced start's confirmation", "#confirm-text")
        .await;
    assert!(asked.contains("left this minute"), "{asked}");
    app.click("Start").await;
    for _ in 0..50 {
        if bulk_rows(&app, "running").await[2] > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        bulk_rows(&app, "running").await[2] > 0,
        "the second bulk waits its turn"
    );
    app.click("Sign out").await;
    let at_sign_out = posts(&sim).await;
    app.control("Use an API key").await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(posts(&sim).await, at_sign_out, "POSTs after sign-out");

    // Signed in again: the history says what was never sent, and why.
    sign_in_with_key(&app, &sim).await;
    app.click("History").await;
    let history = app
        .until(
            "the history's not sent entries",
            "const l = document.getElementById('history-list'); return l && /you signed out first/.test(l.innerText) ? l.innerText : '';",
        )
        .await;
    assert!(history.as_str().unwrap().contains("Not sent"), "{history}");
    app.screenshot("81-bulk-not-sent-at-sign-out").await;
    app.quit().await;
}
