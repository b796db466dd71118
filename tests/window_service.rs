//! The real window against the service as it really behaves, not as our simulator used to
//! assume: states no document lists, a launch without the network, the server's own words
//! on a row, a sign-in lost under an open dialog, a create that must not be hidden.
//! Run with `bash .ci/session cargo test` (Xvfb, a private D-Bus and keyring).

mod common;

use std::time::Duration;

use common::desktop::{
    one_window_at_a_time, open_create, press_key, sign_in_with_key, sim_with, Desktop, Home,
};
use common::Sim;
use serde_json::json;

const ESCAPE: char = '\u{e00c}';

/// A simulator with `args` (and the window tests' key), the app launched and signed in
/// with that key, the machines on screen.
async fn signed_in(args: &[&str]) -> (Sim, Home, Desktop) {
    let sim = sim_with(args);
    let home = Home::new();
    let app = Desktop::launch(&home, &[], &[]).await;
    sign_in_with_key(&app, &sim).await;
    (sim, home, app)
}

/// A machine in a state nobody documented reads as the service's word with a neutral
/// icon, offers every action, and the server's refusal is shown on its row in full, at
/// the default window size. Google Compute's SUSPENDED and TERMINATED read as the app's
/// own words and can be started.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn states_nobody_documented_offer_every_action_and_the_server_judges() {
    let _one = one_window_at_a_time();
    let (sim, _home, mut app) = signed_in(&[
        "--speed",
        "4",
        "--rate-limit",
        "0",
        "--instances",
        "4",
        "--cloud-states",
    ])
    .await;
    sim.set_status("web-1", "HIBERNATING").await;
    app.click("Refresh").await;

    app.until_state("web-1", "? Hibernating").await;
    let icon = app
        .js("const tr = [...document.querySelectorAll('#rows tr.machine')].find(t => t.innerText.includes('web-1'));
             return tr.querySelector('.state').className + ' ' + tr.querySelector('.state .icon').textContent;")
        .await;
    assert_eq!(icon, "state unknown ?", "a neutral icon");
    for action in ["Start", "Shut down", "Restart", "Force reset", "Delete"] {
        assert!(
            app.is_enabled(&format!("{action} web-1")).await,
            "{action} is offered: the server judges"
        );
    }
    app.until_state("archive-1", "■ Suspended").await;
    app.until_state("batch-1", "■ Stopped").await;
    assert!(app.is_enabled("Start archive-1").await);
    assert!(app.is_enabled("Start batch-1").await);
    assert!(!app.is_enabled("Shut down batch-1").await);

    // The server refuses: its words are on the row, whole.
    app.click("Start web-1").await;
    let problem = app
        .shown_text("the row's problem", "[aria-label='Problem with web-1']")
        .await;
    assert!(problem.contains("Could not start the machine"), "{problem}");
    assert!(
        problem
            .contains("Instance is HIBERNATING; the start operation is not possible in that state"),
        "the server's own words: {problem}"
    );
    app.control("Copy support code").await;
    let cut = app
        .js("const b = document.querySelector('[aria-label=\"Problem with web-1\"]');
             const r = b.getBoundingClientRect();
             const clipped = [...b.querySelectorAll('p, span, code')].some(e => e.scrollWidth > e.clientWidth + 1);
             return clipped || r.right > window.innerWidth || r.height < 30;")
        .await;
    assert_eq!(cut, json!(false), "the row error is not cut off");
    app.screenshot("40-unknown-state-row-error").await;
    app.assert_accessible("a state nobody documented, with the server's refusal")
        .await;
    app.click("Dismiss the problem with web-1").await;
    app.until(
        "the problem dismissed",
        "return !document.querySelector('[aria-label=\"Problem with web-1\"]')",
    )
    .await;

    // Idle with a state nobody documented: read at the idle rhythm, not every 2 s.
    let before = sim.count("GET", "/api/compute/v1/instances").await;
    tokio::time::sleep(Duration::from_secs(8)).await;
    let reads = sim.count("GET", "/api/compute/v1/instances").await - before;
    assert!(reads <= 1, "{reads} reads in 8 idle seconds");
    app.quit().await;
}

/// The network is down at launch: the saved sign-in is kept, the machines screen says
/// ThreatWinds cannot be reached, and it fills in by itself when the service returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_launch_without_the_network_keeps_the_sign_in_and_fills_in_later() {
    let _one = one_window_at_a_time();
    let (sim, home, app) =
        signed_in(&["--speed", "4", "--rate-limit", "0", "--instances", "4"]).await;
    app.quit().await;

    sim.fault(json!({"kind": "drop", "times": 0})).await;
    let mut app = Desktop::launch(&home, &[], &[]).await;
    let banner = app.shown_text("the offline banner", "#list-problem").await;
    assert!(banner.contains("cannot reach ThreatWinds"), "{banner}");
    assert!(
        app.js("return document.getElementById('signin').hidden")
            .await
            .as_bool()
            .unwrap(),
        "not sent back to the sign-in screen"
    );
    app.screenshot("41-offline-at-launch").await;
    app.assert_accessible("offline at launch").await;

    sim.clear_faults().await;
    app.until_within(
        Duration::from_secs(40),
        "the list after the network returned",
        "return document.querySelector('[aria-label=\"Details of web-1\"]') && !document.getElementById('list-problem')",
    )
    .await;
    app.until_within(
        Duration::from_secs(40),
        "whose key it is",
        "return document.getElementById('account').textContent.includes('demo@computedesk.example')",
    )
    .await;
    app.screenshot("42-back-online").await;
    app.click("Sign out").await;
    app.control("Send code").await;
    app.quit().await;
}

/// A sign-in lost while a confirmation is open: the sign-in screen is not left under a
/// modal. And Esc while a machine is being created does not hide how it ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialogs_neither_hide_the_sign_in_nor_a_create_in_progress() {
    let _one = one_window_at_a_time();
    let (sim, _home, app) = signed_in(&[
        "--speed",
        "4",
        "--rate-limit",
        "0",
        "--instances",
        "4",
        "--quota",
        "10",
    ])
    .await;

    // The template list fails (a 500, not a server without one): said as such.
    sim.fault(json!({"method": "GET", "path": "/api/compute/v1/templates", "kind": "status", "status": 500}))
        .await;
    app.click("Create machine").await;
    let hint = app
        .shown_text("the template hint", "#template-free-hint")
        .await;
    assert!(hint.contains("could not be loaded"), "{hint}");
    let why = app.shown_text("why", "#create-error").await;
    assert!(
        why.contains("Could not load the machine templates"),
        "{why}"
    );
    app.click("Cancel").await;

    // Esc during "Creating…": the dialog stays and shows the failure.
    open_create(&app).await;
    sim.fault(json!({"method": "POST", "path": "/api/compute/v1/instances", "kind": "latency", "ms": 1500}))
        .await;
    sim.fault(
        json!({"method": "POST", "path": "/api/compute/v1/instances", "kind": "status",
                     "status": 500, "message": "zone europe-west1-b has no capacity"}),
    )
    .await;
    app.click("Create").await;
    app.until(
        "Creating…",
        "return document.getElementById('create-submit').textContent === 'Creating…'",
    )
    .await;
    press_key(&app, ESCAPE).await;
    let error = app
        .shown_text("the create's failure", "#create-error")
        .await;
    assert!(
        error.contains("zone europe-west1-b has no capacity"),
        "{error}"
    );
    assert_eq!(
        app.js("return document.getElementById('create').open")
            .await,
        json!(true)
    );
    app.click("Cancel").await;

    // The key is refused while a confirmation is open: the sign-in screen, no modal.
    app.click("Shut down web-1").await;
    app.until(
        "the confirmation",
        "return document.getElementById('confirm').open",
    )
    .await;
    sim.fault(json!({"kind": "status", "status": 401, "times": 0}))
        .await;
    app.js("window.__TAURI__.core.invoke('refresh'); return true;")
        .await;
    app.until(
        "the sign-in screen",
        "return !document.getElementById('signin').hidden",
    )
    .await;
    assert_eq!(
        app.js("return document.querySelectorAll('dialog[open]').length")
            .await,
        json!(0),
        "no dialog is left over the sign-in screen"
    );
    app.screenshot("43-signed-out-under-a-dialog").await;
    sim.clear_faults().await;
    app.quit().await;
}

/// On a server that speaks the SDK of May 2026 the Create dialog offers the zones the
/// chosen template can run in, and the machine is made there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_offers_where_on_a_server_that_lists_zones() {
    let _one = one_window_at_a_time();
    let (sim, _home, mut app) = signed_in(&[
        "--dialect",
        "sdk",
        "--speed",
        "4",
        "--rate-limit",
        "0",
        "--instances",
        "4",
        "--quota",
        "10",
    ])
    .await;
    app.click("Create machine").await;
    app.click("Ubuntu 24.04 Small: ubuntu-os-cloud/ubuntu-2404-lts, e2-small, 10 GB disk")
        .await;
    // The first template's zones come first; the chosen one's replace them.
    app.until(
        "the zones of the chosen template",
        "const f = document.getElementById('zone-field');
         const zones = [...document.getElementById('zone').options].map(o => o.value).join(',');
         return !f.hidden && zones === 'us-central1-a,us-east1-b'",
    )
    .await;
    app.js("const z = document.getElementById('zone'); z.value = 'us-east1-b'; z.dispatchEvent(new Event('change')); return true;")
        .await;

    // Another template whose zones are slow to come: meanwhile "Where" holds none of the
    // previous template's places and cannot be used.
    let zones = "/api/compute/v1/templates/*"; // every template's zones
    sim.fault(json!({"method": "GET", "path": zones, "kind": "latency", "ms": 2500, "times": 1}))
        .await;
    let template = app
        .js("return [...document.querySelectorAll('#template-cards .card')].find(c => c.getAttribute('aria-checked') !== 'true').getAttribute('aria-label')")
        .await;
    app.click(template.as_str().unwrap()).await;
    let waiting = app
        .js("const z = document.getElementById('zone');
             return [z.disabled, [...z.options].map(o => o.value).join(',')];")
        .await;
    assert_eq!(waiting, json!([true, ""]), "Where while the zones come");
    // A failed request says so and offers Try again; Create sends nothing meanwhile.
    sim.fault(json!({"method": "GET", "path": zones, "kind": "status", "status": 500, "times": 1}))
        .await;
    app.click("Ubuntu 24.04 Small: ubuntu-os-cloud/ubuntu-2404-lts, e2-small, 10 GB disk")
        .await;
    let problem = app.shown_text("the zones' failure", "#zone-problem").await;
    assert!(
        problem.contains("Could not load where the machine can run"),
        "{problem}"
    );
    let before = sim.count("POST", "/api/compute/v1/instances").await;
    app.click("Create").await;
    let said = app.shown_text("why Create waits", "#create-error").await;
    assert!(said.contains("Try again"), "{said}");
    assert_eq!(
        sim.count("POST", "/api/compute/v1/instances").await,
        before,
        "no create without a place"
    );
    app.click("Try again").await;
    app.until(
        "the zones after Try again, the place picked before kept",
        "const z = document.getElementById('zone');
         return !z.disabled && document.getElementById('zone-problem').hidden && z.value === 'us-east1-b'",
    )
    .await;
    app.screenshot("44-create-where").await;
    app.assert_accessible("the Create dialog with Where").await;
    app.click("Create").await;
    // Its details open beside the list (where the Zone column gives way to the name).
    app.until(
        "the new machine in us-east1-b",
        "const d = document.getElementById('detail'); return !d.hidden && d.innerText.includes('us-east1-b');",
    )
    .await;
    app.quit().await;
}

/// An asynchronous backend and a slow list: between the click and the moment the machine
/// is seen to move, the row never offers its buttons again (a second click would send a
/// second POST), and the action is not reported as failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clicked_row_offers_no_buttons_until_the_machine_is_seen_to_move() {
    let _one = one_window_at_a_time();
    let (sim, _home, app) = signed_in(&[
        "--speed",
        "2",
        "--accept-delay",
        "3",
        "--rate-limit",
        "0",
        "--instances",
        "4",
    ])
    .await;
    // Every read of the list now takes a while: one is often under way when a click comes.
    sim.fault(
        json!({"method": "GET", "path": "/api/compute/v1/instances", "kind": "latency",
                     "ms": 1200, "times": 0}),
    )
    .await;
    // A read is under way (Refresh) when Start is clicked.
    app.click("Refresh").await;
    app.click("Start db-1").await;
    // Until the row says Running, it offers nothing but Delete.
    let started = std::time::Instant::now();
    let mut offered = Vec::new();
    loop {
        let row = app
            .js("const tr = [...document.querySelectorAll('#rows tr.machine')].find(t => t.innerText.includes('db-1'));
                 return [tr.children[2].innerText.trim(),
                         [...tr.querySelectorAll('.actions button')].filter(b => !b.disabled).map(b => b.dataset.action).join(',')];")
            .await;
        let (state, enabled) = (
            row[0].as_str().unwrap_or_default(),
            row[1].as_str().unwrap_or_default(),
        );
        if state.contains("Running") {
            break;
        }
        offered.push(format!("{state}: {enabled}"));
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "db-1 never ran: {offered:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        offered.len() > 10,
        "the start was seen under way: {offered:?}"
    );
    assert!(
        offered
            .iter()
            .all(|o| o.ends_with(": ") || o.ends_with(": delete")),
        "the row offered more while its start was under way: {offered:?}"
    );
    assert_eq!(
        app.js("return document.querySelectorAll('[aria-label=\"Problem with db-1\"]').length")
            .await,
        json!(0),
        "the start was not reported as failed"
    );
    let starts = sim
        .requests()
        .await
        .iter()
        .filter(|r| {
            r["method"] == "POST" && r["path"].as_str().unwrap_or_default().ends_with("/start")
        })
        .count();
    assert_eq!(starts, 1);
    sim.clear_faults().await;
    app.quit().await;
}
