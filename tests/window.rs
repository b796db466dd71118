//! End to end in the real app window: the `compute-desk` binary under Xvfb, driven through
//! WebDriver (tauri-driver + WebKitWebDriver) against a `compute-sim` process, with the
//! keyring of a private gnome-keyring. Run with `bash .ci/session cargo test`.
//!
//! Each test saves screenshots under `target/screenshots/` and runs axe-core on the
//! screens it passes through.

mod common;

use std::time::Duration;

use common::desktop::{
    ask_for_code, assert_no_secret_in_files, clipboard, hide_window, one_window_at_a_time,
    open_create, press, show_window, sign_in_with_key, sim_with, Desktop, Home, KEY, SECRET,
    SHIFT_TAB,
};
use common::notifications::Notifications;
use common::{Sim, EMAIL};
use compute_desk::vault::{StoredCredentials, Vault};
use serde_json::json;

/// A simulator with four machines (web-1, db-1, build-1, cache-1), a plan for `quota` and
/// `more` arguments, and the app started on its sign-in screen with `env` added.
async fn launched_with_four_machines(
    quota: &str,
    more: &[&str],
    env: &[(&str, &str)],
) -> (Sim, Home, Desktop) {
    let mut args = vec![
        "--speed",
        "4",
        "--rate-limit",
        "0",
        "--instances",
        "4",
        "--quota",
        quota,
    ];
    args.extend_from_slice(more);
    let sim = sim_with(&args);
    let home = Home::new();
    let app = Desktop::launch(&home, &[], env).await;
    app.record_news().await;
    app.control("Send code").await;
    (sim, home, app)
}

/// Asks for a code by email and types the one the simulator "sent".
async fn sign_in_with_email(app: &Desktop, sim: &Sim) {
    ask_for_code(app).await;
    app.fill("Sign-in code", &sim.latest_code().await).await;
    app.click("Sign in").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_machine_action_works_in_the_real_window() {
    let _one = one_window_at_a_time();
    let (sim, home, mut app) = launched_with_four_machines("10", &[], &[]).await;

    // Sign-in screen.
    app.screenshot("01-sign-in").await;
    app.assert_accessible("sign-in").await;
    sign_in_with_key(&app, &sim).await;

    // The list: the four machines, with their states as text.
    app.until_state("web-1", "● Running").await;
    app.until_state("db-1", "■ Stopped").await;
    app.screenshot("02-machines").await;
    app.assert_accessible("machines").await;

    // Whose key it is and when it stops working (the simulator's keys last 180 days).
    let account = app.shown_text("the account", "#account").await;
    assert!(account.ends_with("(key Demo key)"), "{account}");
    let expiry = app.shown_text("the key's end", "#key-expiry").await;
    assert_eq!(expiry, "key expires in 6 months");

    // Search narrows the list; the field's clear button brings every machine back.
    assert!(
        app.js("return document.getElementById('search-clear').hidden")
            .await
            .as_bool()
            .unwrap(),
        "no clear button while the search is empty"
    );
    app.fill("Search machines by name", "db").await;
    app.until(
        "only db-1 listed",
        "const n = [...document.querySelectorAll('#rows .name-button')].map(b => b.textContent);
         return n.length === 1 && n[0] === 'db-1'",
    )
    .await;
    app.screenshot("09-search").await;
    app.assert_accessible("search").await;
    app.click("Clear search").await;
    app.until(
        "the four machines back",
        "return document.querySelectorAll('#rows .name-button').length === 4
            && document.getElementById('search').value === ''
            && document.activeElement.id === 'search'
            && document.getElementById('search-clear').hidden",
    )
    .await;

    // The web view may call only what its capability grants: not reading the clipboard,
    // and not listening to events, as the app sends none (window/news.rs says why).
    let refused = app
        .js_async(
            "const done = arguments[arguments.length - 1];
             const tauri = window.__TAURI__;
             Promise.all([
               tauri.core.invoke('plugin:clipboard-manager|read_text'),
               tauri.event.listen('machines', () => {}),
             ].map(p => p.then(() => 'allowed', e => String(e)))).then(done);",
        )
        .await;
    for answer in refused.as_array().unwrap() {
        assert!(
            answer.as_str().unwrap().contains("not allowed"),
            "{refused}"
        );
    }

    // Create: PROVISIONING at once, RUNNING live.
    open_create(&app).await;
    app.until(
        "the quota line",
        "return /of 10 machines used/.test(document.getElementById('create-quota').textContent)",
    )
    .await;
    app.screenshot("03-create").await;
    app.assert_accessible("create dialog").await;
    app.click("Create").await;
    let created = app
        .until(
            "the new machine in the detail panel",
            "const t = document.getElementById('detail-title'); return t && t.textContent.startsWith('tw-') ? t.textContent : '';",
        )
        .await;
    let created = created.as_str().unwrap().to_owned();
    let detail = app.text_of("#detail dl").await;
    assert!(detail.contains("Provisioning (PROVISIONING)"), "{detail}");
    assert_eq!(app.state_of(&created).await, "Creating…");
    app.screenshot("04-provisioning").await;
    app.until_state(&created, "● Running").await;

    // Shut down: a light confirmation, "Stopping…" at once, then Stopped.
    app.click("Shut down web-1").await;
    app.control("Cancel").await;
    assert!(app
        .text_of("#confirm-title")
        .await
        .contains("Shut down web-1?"));
    app.screenshot("05-confirm-shut-down").await;
    app.assert_accessible("shut-down confirmation").await;
    app.click("Shut down").await;
    assert_eq!(app.state_of("web-1").await, "Stopping…");
    app.until_state("web-1", "■ Stopped").await;

    // Start needs no confirmation.
    app.click("Start web-1").await;
    assert_eq!(app.state_of("web-1").await, "Starting…");
    app.until_state("web-1", "● Running").await;

    // Restart.
    app.click("Restart web-1").await;
    app.click("Restart").await;
    app.until_state("web-1", "Restarting…").await;
    app.until_state("web-1", "● Running").await;

    // Force reset says that unsaved work is lost.
    app.click("Force reset web-1").await;
    let warning = app.text_of("#confirm-text").await;
    assert!(
        warning.contains("not saved on the machine is lost"),
        "{warning}"
    );
    app.click("Force reset").await;
    app.until_state("web-1", "Resetting…").await;
    app.until_state("web-1", "● Running").await;

    // Delete: the button stays disabled until the name is typed exactly.
    app.click(&format!("Delete {created}")).await;
    app.fill(&format!("Type {created} to confirm"), "tw-wrong")
        .await;
    assert!(!app.is_enabled("Delete machine").await);
    app.fill(&format!("Type {created} to confirm"), &created)
        .await;
    app.screenshot("06-confirm-delete").await;
    app.assert_accessible("delete confirmation").await;
    app.click("Delete machine").await;
    app.until(
        "the deleted machine to disappear",
        &format!(
            "return ![...document.querySelectorAll('.name-button')].some(b => b.textContent === {})",
            json!(created)
        ),
    )
    .await;

    // Bulk: shut down two at once, with a result per machine.
    app.click("Select web-1").await;
    app.click("Select build-1").await;
    app.click("Shut down selected").await;
    assert!(app
        .text_of("#confirm-title")
        .await
        .contains("Shut down 2 machines?"));
    app.click("Shut down").await;
    app.until(
        "the bulk results",
        "return document.getElementById('results').open && document.getElementById('results-title').textContent",
    )
    .await;
    let results = app.text_of("#results").await;
    assert!(results.contains("2 of 2 machines done"), "{results}");
    assert!(
        results.contains("web-1") && results.contains("build-1"),
        "{results}"
    );
    app.screenshot("07-bulk-results").await;
    app.assert_accessible("bulk results").await;
    app.click("Close").await;
    app.until_state("web-1", "■ Stopped").await;
    app.until_state("build-1", "■ Stopped").await;

    // The detail panel has every field and a support-info button.
    app.click("Details of db-1").await;
    let detail = app.text_of("#detail").await;
    for field in [
        "Machine ID",
        "Zone",
        "Machine type",
        "External IP",
        "Internal IP",
        "Template",
        "Created",
    ] {
        assert!(detail.contains(field), "{field} missing from {detail}");
    }
    app.control("Copy support info").await;
    app.screenshot("08-detail").await;
    app.assert_accessible("detail panel").await;

    // Nothing the page holds or was sent contains the secret.
    assert!(app.news_recorded().await > 0, "the scan saw the news");
    let known = app.everything_the_page_knows().await;
    assert!(known.contains("web-1"), "the scan saw the page");
    assert!(
        !known.contains(SECRET),
        "the API secret reached the web view"
    );
    app.quit().await;

    // Not in the settings or the logs either; the secret is in the keyring.
    let scanned = assert_no_secret_in_files(home.root(), SECRET);
    assert!(
        scanned >= 2,
        "settings and log were written ({scanned} files)"
    );
    let stored = Vault::default().load(&sim.keyring_for_key()).unwrap();
    assert!(
        matches!(stored, Some(StoredCredentials::KeyPair { .. })),
        "{stored:?}"
    );
    Vault::default().delete(&sim.keyring_for_key()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quota_rate_limit_and_server_errors_are_explained_with_support_codes() {
    let _one = one_window_at_a_time();
    let (sim, _home, app) = launched_with_four_machines("5", &[], &[]).await;
    sign_in_with_key(&app, &sim).await;
    app.until_state("web-1", "● Running").await;

    // A 403 on create names the plan's limit and offers the support code.
    sim.fault(
        json!({"method": "POST", "path": "/api/compute/v1/instances", "times": 1,
                     "kind": "status", "status": 403, "message": "Quota exceeded for tier"}),
    )
    .await;
    app.click("Create machine").await;
    app.until(
        "4 of 5",
        "return /4 of 5 machines used/.test(document.getElementById('create-quota').textContent)",
    )
    .await;
    app.click("Create").await;
    let error = app.shown_text("the create error", "#create-error").await;
    let error = error.as_str();
    assert!(
        error.contains("your plan's limit on machines has been reached"),
        "{error}"
    );
    assert!(error.contains("Support code:"), "{error}");
    // The support code is random hex, which may itself contain "403".
    let code = app
        .js("return document.querySelector('#create-error .copy-support').dataset.code")
        .await;
    let words = error.replace(code.as_str().unwrap(), "");
    assert!(!words.contains("403"), "no HTTP codes on screen: {error}");
    app.control("Copy support code").await;
    app.screenshot("10-create-quota-error").await;

    // The real quota: after one more machine, Create is disabled with the reason.
    app.click("Create").await;
    app.until(
        "the dialog to close",
        "return !document.getElementById('create').open",
    )
    .await;
    app.click("Create machine").await;
    let line = app.until("the plan is full", "const q = document.getElementById('create-quota'); return q.classList.contains('full') && q.textContent").await;
    assert!(
        line.as_str()
            .unwrap()
            .contains("allows 5 machines, and all are in use"),
        "{line}"
    );
    assert!(!app.is_enabled("Create").await);
    app.screenshot("11-create-at-quota").await;
    app.click("Cancel").await;

    // A 500 on one machine's action shows on that row, with its support code.
    sim.fault(
        json!({"method": "POST", "path": "/api/compute/v1/instances/*", "times": 1,
                     "kind": "status", "status": 500, "message": "Hypervisor unavailable"}),
    )
    .await;
    app.click("Shut down web-1").await;
    app.click("Shut down").await;
    let row_error = app
        .until(
            "the row's error",
            "const e = document.querySelector('#rows .row-error'); return e && e.innerText",
        )
        .await;
    let row_error = row_error.as_str().unwrap();
    assert!(
        row_error.contains("Could not shut down the machine"),
        "{row_error}"
    );
    let code = app
        .js("return document.querySelector('#rows .row-error .copy-support').dataset.code")
        .await;
    // The service's support code is a UUID: shown whole and copied whole.
    let code = code.as_str().unwrap().to_owned();
    assert_eq!(code.len(), 36, "the x-error-id: {code}");
    let shown = app
        .js("return document.querySelector('#rows .row-error code.code').textContent")
        .await;
    assert_eq!(shown, json!(code), "the code shown whole");
    app.js("document.querySelector('#rows .row-error .copy-support').click(); return true;")
        .await;
    app.poll(
        Duration::from_secs(5),
        "the support code on the clipboard",
        || async { (clipboard() == code).then_some(()) },
    )
    .await;
    let region = app
        .js("const r = document.querySelector('[aria-label=\"Problem with web-1\"]'); return r && r.getAttribute('role')")
        .await;
    assert_eq!(
        region,
        json!("alert"),
        "the problem is announced on web-1's row"
    );
    assert_eq!(
        app.state_of("web-1").await,
        "● Running",
        "nothing is pending after the failure"
    );
    let global = app
        .js("return document.getElementById('list-problem') !== null")
        .await;
    assert_eq!(
        global,
        json!(false),
        "a row's failure is not shown as a global one"
    );
    app.screenshot("12-row-error").await;

    // Offline: the connection drops. The last list stays, under a banner that clears
    // itself once the network is back, with no click.
    sim.fault(
        json!({"method": "GET", "path": "/api/compute/v1/instances", "times": 0, "kind": "drop"}),
    )
    .await;
    app.click("Refresh").await;
    let banner = app.shown_text("the offline banner", "#list-problem").await;
    let banner = banner.as_str();
    assert!(banner.contains("cannot reach ThreatWinds"), "{banner}");
    assert!(banner.contains("as they were"), "{banner}");
    assert_eq!(app.state_of("db-1").await, "■ Stopped");
    app.screenshot("15-offline").await;
    sim.clear_faults().await;
    app.until(
        "the offline banner to clear by itself",
        "return document.getElementById('list-problem') === null && /Updated/.test(document.getElementById('updated').textContent)",
    )
    .await;

    // A 429 on the list: it says it will retry, and when, with the support code.
    sim.fault(
        json!({"method": "GET", "path": "/api/compute/v1/instances", "times": 1,
                     "kind": "status", "status": 429, "retryAfter": 20}),
    )
    .await;
    app.click("Refresh").await;
    let banner = app
        .shown_text("the rate-limit banner", "#list-problem")
        .await;
    let banner = banner.as_str();
    assert!(banner.contains("slow down"), "{banner}");
    assert!(
        banner.contains("in 2") || banner.contains("in 1"),
        "says when: {banner}"
    );
    assert!(banner.contains("Support code:"), "{banner}");
    app.screenshot("13-rate-limited").await;
    // The countdown ticks in place: the banner, its words and its "Copy support code" are
    // the same nodes a few seconds later, and the button keeps the keyboard focus.
    app.js("window.__banner = document.getElementById('list-problem');
         window.__words = window.__banner.querySelector('.message').textContent;
         window.__banner.querySelector('.copy-support').focus();
         return null;")
        .await;
    app.until(
        "the countdown to tick",
        "return document.querySelector('#list-problem .message')?.textContent !== window.__words",
    )
    .await;
    let kept = app
        .js("const b = document.getElementById('list-problem');
             return [b === window.__banner, document.activeElement === b.querySelector('.copy-support'),
                     b.getAttribute('aria-relevant')];")
        .await;
    assert_eq!(
        kept,
        json!([true, true, "additions"]),
        "the banner is updated in place and its button keeps the focus"
    );
    // The last good list stays visible meanwhile.
    assert_eq!(app.state_of("db-1").await, "■ Stopped");
    app.quit().await;
    Vault::default().delete(&sim.keyring_for_key()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_sign_in_is_kept_in_the_keyring_until_sign_out() {
    let _one = one_window_at_a_time();
    let sim = Sim::start(&["--speed", "20", "--rate-limit", "0", "--instances", "3"]);
    let home = Home::new();
    let account = sim.keyring_for_session();
    Vault::default().delete(&account).unwrap();

    let app = Desktop::launch(&home, &[], &[]).await;
    app.record_news().await;
    app.click("Advanced").await;
    app.fill("Server address", &sim.base).await;
    ask_for_code(&app).await;
    let sent = app.text_of("#code-sent").await;
    assert!(sent.contains(common::EMAIL), "{sent}");
    let code = sim.latest_code().await;
    // A wrong code is refused without losing the code step.
    app.fill("Sign-in code", "000000").await;
    app.click("Sign in").await;
    let error = app
        .shown_text("the wrong-code error", "#signin-error")
        .await;
    assert!(error.contains("code is not right"), "{error}");
    app.fill("Sign-in code", &code).await;
    app.screenshot("20-email-code").await;
    app.click("Sign in").await;
    app.control("Details of web-1").await;

    // The session token is in the keyring, and nowhere the page can see.
    let Some(StoredCredentials::Session { bearer, .. }) = Vault::default().load(&account).unwrap()
    else {
        panic!("the session was not stored in the keyring");
    };
    assert!(app.news_recorded().await > 0, "the scan saw the news");
    let known = app.everything_the_page_knows().await;
    assert!(known.contains(common::EMAIL) || known.contains("web-1"));
    assert!(
        !known.contains(bearer.expose()),
        "the bearer token reached the web view"
    );
    app.quit().await;

    // A relaunch signs in silently from the keyring.
    let app = Desktop::launch(&home, &[], &[]).await;
    app.control("Details of web-1").await;
    app.screenshot("21-signed-in-again").await;

    // Sign-out closes the server session and deletes the keyring entry.
    app.click("Sign out").await;
    app.control("Send code").await;
    app.screenshot("24-signed-out").await;
    assert_eq!(Vault::default().load(&account).unwrap(), None);
    let closed = sim
        .raw_with_bearer(
            reqwest::Method::GET,
            "/api/auth/v2/session",
            bearer.expose(),
        )
        .await;
    assert_eq!(closed.status(), 401, "the server session was closed");
    app.quit().await;
    let scanned = assert_no_secret_in_files(home.root(), bearer.expose());
    assert!(scanned >= 2, "{scanned} files scanned");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_extended_in_time_and_signing_in_after_it_ends_returns_to_the_same_place() {
    let _one = one_window_at_a_time();
    // Sessions last six seconds: the app must extend them, every three seconds or so.
    let sim = Sim::start(&[
        "--speed",
        "20",
        "--rate-limit",
        "0",
        "--instances",
        "6",
        "--session-ttl",
        "6",
    ]);
    let home = Home::new();
    let account = sim.keyring_for_session();
    Vault::default().delete(&account).unwrap();
    let app = Desktop::launch(&home, &[], &[]).await;
    app.click("Advanced").await;
    app.fill("Server address", &sim.base).await;
    sign_in_with_email(&app, &sim).await;
    app.control("Details of web-1").await;
    assert!(
        app.js("return document.getElementById('key-expiry').hidden")
            .await
            .as_bool()
            .unwrap(),
        "a session's end is not shown: the app extends it"
    );
    let verified_at = sim
        .requests()
        .await
        .iter()
        .find(|r| r["path"] == "/api/auth/v2/session/verification" && r["status"] == 200)
        .map(|r| r["atMs"].as_u64().unwrap())
        .expect("the code was verified");

    // Well past the first expiry, the list is still read with the same sign-in.
    let extended_in_time = common::eventually(Duration::from_secs(30), || async {
        let requests = sim.requests().await;
        let extensions = requests
            .iter()
            .filter(|r| r["path"] == "/api/auth/v2/session/extend" && r["status"] == 200)
            .count();
        let late_read = requests.iter().any(|r| {
            r["path"] == "/api/compute/v1/instances"
                && r["status"] == 200
                && r["atMs"].as_u64().unwrap() > verified_at + 9_000
        });
        if !late_read {
            // Reads are every 30 s while all is still; ask for one now and then.
            app.click("Refresh").await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        extensions >= 2 && late_read
    })
    .await;
    assert!(extended_in_time, "the session was not kept alive");
    let refused = sim
        .requests()
        .await
        .iter()
        .filter(|r| r["status"] == 401)
        .count();
    assert_eq!(refused, 0, "no request was refused while signed in");

    // The user was somewhere: a search, and one machine's details open.
    app.fill("Search machines by name", "web").await;
    app.click("Details of web-1").await;
    app.until(
        "the details of web-1",
        "return document.getElementById('detail-title')?.textContent === 'web-1'",
    )
    .await;

    // The session ends on the server (an administrator revoked it): the next read is
    // refused, and the sign-in screen says why in plain words.
    sim.end_sessions().await;
    app.click("Refresh").await;

    let reason = app
        .shown_text("the sign-in screen with its reason", "#signin-reason")
        .await;
    let reason = reason.as_str();
    assert!(
        reason.contains("Sign in again to carry on where you were"),
        "{reason}"
    );
    assert!(!reason.contains("401"), "no HTTP codes on screen: {reason}");
    app.screenshot("22-session-ended").await;

    // Signing in again lands where the user was: same search, same machine open.
    let email = app
        .js("return document.getElementById('email').value")
        .await;
    assert_eq!(email, json!(common::EMAIL), "the email is filled in");
    sign_in_with_email(&app, &sim).await;
    app.until(
        "the machines screen again",
        "return !document.getElementById('desk').hidden",
    )
    .await;
    let search = app
        .js("return document.getElementById('search').value")
        .await;
    assert_eq!(search, json!("web"), "the search is as it was");
    let title = app.text_of("#detail-title").await;
    assert_eq!(title, "web-1", "the same machine's details are open");
    let names = app
        .js("return [...document.querySelectorAll('#rows .name-button')].map(b => b.textContent)")
        .await;
    let names: Vec<String> = serde_json::from_value(names).unwrap();
    assert!(
        !names.is_empty() && names.iter().all(|n| n.contains("web")),
        "{names:?}"
    );
    app.screenshot("23-back-where-you-were").await;
    app.quit().await;
    Vault::default().delete(&account).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_shutdown_offers_force_reset_and_work_done_in_the_background_is_notified() {
    let _one = one_window_at_a_time();
    let notifications = Notifications::serve();
    // Shutdowns never finish, and Force reset is offered after three seconds, not a minute.
    let (sim, _home, mut app) = launched_with_four_machines(
        "10",
        &["--shutdowns-hang"],
        &[("COMPUTE_DESK_SHUTDOWN_PATIENCE", "3")],
    )
    .await;
    sign_in_with_key(&app, &sim).await;
    app.until_state("web-1", "● Running").await;

    // The shutdown never finishes; before the patience runs out only Delete is offered.
    app.click("Shut down web-1").await;
    app.click("Shut down").await;
    app.until_state("web-1", "Stopping…").await;
    assert!(!app.is_enabled("Force reset web-1").await);
    let hint = app
        .until(
            "the Force reset offer",
            "const tr = [...document.querySelectorAll('#rows tr.machine')].find(t => t.querySelector('.name-button')?.textContent === 'web-1');
             const h = tr && tr.querySelector('.slow-hint'); return h && h.innerText",
        )
        .await;
    assert!(hint.as_str().unwrap().contains("Force reset"), "{hint}");
    assert!(app.is_enabled("Force reset web-1").await);
    app.screenshot("14-shutdown-hangs").await;
    app.assert_accessible("a hanging shutdown").await;
    app.click("Force reset web-1").await;
    app.click("Force reset").await;
    // Away from the window while the reset runs (a long action would be notified then,
    // as below): a reset is short, so nothing is. The page draws nothing while hidden,
    // so the server and the app's reads say when it is over.
    assert!(hide_window(), "xdotool found the window");
    app.poll(
        WAIT_FOR_NOTIFICATION,
        "web-1 running again on the server",
        || async {
            let list = sim.raw_json("/api/compute/v1/instances").await;
            list.as_array()
                .unwrap()
                .iter()
                .any(|m| m["name"] == "web-1" && m["status"] == "RUNNING")
                .then_some(())
        },
    )
    .await;
    // A hidden window reads only while an action is awaited: once its reads stop, the
    // reset has ended in the app too (and would have been notified by then).
    // Every read counts: the list's, and each moving machine's read alone.
    let all_reads = || async {
        let (lists, singles) = sim.reads_of_each_kind().await;
        lists + singles
    };
    let mut reads = all_reads().await;
    let mut quiet = false;
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let now = all_reads().await;
        if now == reads {
            quiet = true;
            break;
        }
        reads = now;
    }
    assert!(
        quiet,
        "the hidden window kept reading: the reset never ended"
    );
    assert!(
        notifications.shown().is_empty(),
        "a reset is short; nothing to notify: {:?}",
        notifications.shown()
    );
    assert!(show_window(), "xdotool found the window again");
    app.until_state("web-1", "● Running").await;

    // A machine created while the window is away: a notification says it is ready.
    open_create(&app).await;
    app.click("Create").await;
    let created = app
        .until(
            "the new machine",
            "const t = document.getElementById('detail-title'); return t && t.textContent.startsWith('tw-') ? t.textContent : '';",
        )
        .await;
    let created = created.as_str().unwrap().to_owned();
    assert!(hide_window(), "xdotool found the window");
    let shown = app
        .poll(
            WAIT_FOR_NOTIFICATION,
            "no notification that the machine is ready",
            || async {
                notifications
                    .shown()
                    .into_iter()
                    .find(|n| n.body.contains(&created))
            },
        )
        .await;
    // Whose machine it is: the account, in the notification's title as in the window's.
    assert_eq!(shown.summary, format!("{EMAIL} — Compute Desk"));
    assert_eq!(shown.body, format!("{created} is ready."));
    let page = app.js("return document.visibilityState").await;
    assert_eq!(page, json!("hidden"), "the window really was away");
    app.quit().await;
    Vault::default().delete(&sim.keyring_for_key()).unwrap();
}

/// Provisioning takes 2 s at speed 4, and reads come every 2 s while it runs.
const WAIT_FOR_NOTIFICATION: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_alone_signs_in_and_shuts_down_a_machine() {
    let _one = one_window_at_a_time();
    let sim = sim_with(&["--speed", "4", "--rate-limit", "0", "--instances", "2"]);
    let home = Home::new();
    let app = Desktop::launch(&home, &[], &[]).await;
    app.control("Send code").await;
    // Focus starts in the email field. Back to the tabs, over to "Use an API key".
    press(&app, &[SHIFT_TAB]).await;
    assert_eq!(app.focused().await, "Sign in with email");
    press(&app, &[ARROW_RIGHT]).await;
    assert_eq!(app.focused().await, "Use an API key");
    press(&app, &[TAB]).await;
    type_text(&app, KEY).await;
    press(&app, &[TAB]).await;
    type_text(&app, SECRET).await;
    press(&app, &[TAB, TAB]).await;
    assert_eq!(app.focused().await, "Advanced");
    press(&app, &[ENTER, TAB]).await;
    type_text(&app, &sim.base).await;
    press(&app, &[SHIFT_TAB, SHIFT_TAB]).await;
    assert_eq!(app.focused().await, "Check key and sign in");
    press(&app, &[ENTER]).await;
    app.control("Details of web-1").await;
    app.until_state("web-1", "● Running").await;

    // Tab through the screen to the row's Shut down button.
    let mut steps = 0;
    while app.focused().await != "Shut down web-1" {
        press(&app, &[TAB]).await;
        steps += 1;
        assert!(steps < 60, "Shut down web-1 is not reachable with Tab");
    }
    press(&app, &[ENTER]).await;
    app.control("Cancel").await;
    assert_eq!(app.focused().await, "Cancel", "the dialog takes the focus");
    press(&app, &[TAB]).await;
    assert_eq!(app.focused().await, "Shut down");
    press(&app, &[ENTER]).await;
    app.until_state("web-1", "■ Stopped").await;
    app.quit().await;
    Vault::default().delete(&sim.keyring_for_key()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_in_dark_mode_is_accessible() {
    let _one = one_window_at_a_time();
    let home = Home::new();
    let mut app = Desktop::launch(&home, &[], &[("GTK_THEME", "Adwaita:dark")]).await;
    app.control("Try the demo").await;
    // Marked before the page ran (rendering.rs), and drawn so: the page's own background.
    assert_eq!(
        theme(&app).await,
        json!(["dark", "rgb(21, 23, 27)"]),
        "the window follows the dark theme"
    );
    app.screenshot("30-dark-sign-in").await;
    app.assert_accessible("sign-in, dark").await;
    // The checker itself can fail: an unlabelled field is a serious violation.
    app.js("const i = document.createElement('input'); i.id = 'probe'; document.body.append(i); return true;").await;
    let found = app.axe().await;
    assert!(
        found.iter().any(|v| v.starts_with("label")),
        "axe missed an unlabelled input: {found:?}"
    );
    app.js("document.getElementById('probe').remove(); return true;")
        .await;
    app.click("Try the demo").await;
    app.control("Details of web-1").await;
    let badge = app.text_of("#demo-badge").await;
    assert_eq!(badge, "Demo: simulated machines");
    app.until(
        "a first list",
        "return document.querySelectorAll('#rows tr.machine').length >= 6",
    )
    .await;
    app.screenshot("31-dark-machines").await;
    app.assert_accessible("machines, dark").await;
    open_create(&app).await;
    app.screenshot("32-dark-create").await;
    app.assert_accessible("create dialog, dark").await;
    app.click("Cancel").await;
    app.click("Details of web-1").await;
    app.click("Force reset").await;
    app.control("Cancel").await;
    app.screenshot("33-dark-confirm").await;
    app.assert_accessible("confirmation and detail, dark").await;
    app.click("Cancel").await;
    app.quit().await;
}

/// The libraries of a GL stack (the EGL/GLX vendor library, a DRI driver, LLVM) that
/// `pid` has loaded.
fn gl_libraries(pid: u32) -> Vec<String> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    let mut found: Vec<String> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter_map(|path| path.rsplit('/').next())
        .filter(|lib| {
            ["libEGL_", "libGLX_", "_dri.so", "libLLVM"]
                .iter()
                .any(|gl| lib.contains(gl))
        })
        .map(str::to_owned)
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The choices of `rendering.rs` and `javascript.rs`, in the real window: the app's own
/// process never loads a GL stack (GTK's and WebKit's probes are off), while WebKit's web
/// process still does (it needs EGL), which shows the check can see one. (With WebKit's
/// probe left on, `WEBKIT_WEB_RENDER_DEVICE_FILE=""`, the app process had libEGL_mesa,
/// swrast_dri and libLLVM loaded and this test failed.) The web process runs without the
/// optimizing JavaScript compiler.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_process_loads_no_gl_and_the_web_process_still_does() {
    let _one = one_window_at_a_time();
    let home = Home::new();
    let app = Desktop::launch(&home, &["--demo"], &[]).await;
    app.control("Details of web-1").await;
    let processes = app.processes();
    let own: Vec<_> = processes
        .iter()
        .filter(|(_, n)| n == "compute-desk")
        .collect();
    let web: Vec<_> = processes
        .iter()
        .filter(|(_, n)| n.starts_with("WebKitWebProces"))
        .collect();
    assert_eq!(own.len(), 1, "one app process: {processes:?}");
    assert!(!web.is_empty(), "a web process: {processes:?}");
    assert_eq!(
        gl_libraries(own[0].0),
        Vec::<String>::new(),
        "the app process loaded GL"
    );
    let web_gl = gl_libraries(web[0].0);
    assert!(
        web_gl.iter().any(|l| l.starts_with("libEGL_")),
        "the web process draws through EGL, yet none was seen: {web_gl:?}"
    );
    // A desktop that asks for nothing in particular gets the light page.
    assert_eq!(theme(&app).await, json!(["light", "rgb(245, 246, 248)"]));
    // The page's scripts run without JavaScriptCore's optimizing compiler (javascript.rs):
    // the web process was started with the app's setting, which the shell did not give.
    assert_eq!(std::env::var_os("JSC_useDFGJIT"), None);
    assert_eq!(
        environment_variable(web[0].0, "JSC_useDFGJIT").as_deref(),
        Some("0")
    );
    app.quit().await;
}

/// A variable of `pid`'s environment as it was started.
fn environment_variable(pid: u32, name: &str) -> Option<String> {
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
    environ.split(|b| *b == 0).find_map(|entry| {
        let entry = String::from_utf8_lossy(entry);
        let (n, v) = entry.split_once('=')?;
        (n == name).then(|| v.to_owned())
    })
}

/// The page's theme mark and the background it paints.
async fn theme(app: &Desktop) -> serde_json::Value {
    app.js("return [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor]")
        .await
}

/// Waits until the page is marked `light` or `dark`.
async fn until_theme(app: &Desktop, want: &str) {
    app.until(
        &format!("the page to turn {want}"),
        &format!("return document.documentElement.dataset.theme === '{want}'"),
    )
    .await;
}

/// Tells GTK the desktop's theme the way a desktop's settings daemon does: an XSETTINGS
/// manager (xsettingsd) on the test's X display, told to reread its file with SIGHUP.
struct DesktopSettings {
    daemon: std::process::Child,
    file: tempfile::NamedTempFile,
}

impl DesktopSettings {
    fn start(theme: &str) -> DesktopSettings {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), format!("Net/ThemeName \"{theme}\"\n")).unwrap();
        let daemon = std::process::Command::new("xsettingsd")
            .arg("-c")
            .arg(file.path())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("xsettingsd runs (bash .ci/setup installs it)");
        DesktopSettings { daemon, file }
    }

    fn switch(&self, theme: &str) {
        std::fs::write(self.file.path(), format!("Net/ThemeName \"{theme}\"\n")).unwrap();
        let hup = std::process::Command::new("kill")
            .args(["-HUP", &self.daemon.id().to_string()])
            .status()
            .unwrap();
        assert!(hup.success());
    }
}

impl Drop for DesktopSettings {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// The desktop switching between light and dark while the app runs: the page follows
/// (rendering.rs: the app watches GTK's settings and sends `theme`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_follows_the_desktop_between_light_and_dark_while_it_runs() {
    let _one = one_window_at_a_time();
    let desktop = DesktopSettings::start("Adwaita");
    let home = Home::new();
    let app = Desktop::launch(&home, &["--demo"], &[]).await;
    app.control("Details of web-1").await;
    assert_eq!(theme(&app).await, json!(["light", "rgb(245, 246, 248)"]));
    desktop.switch("Adwaita-dark");
    until_theme(&app, "dark").await;
    assert_eq!(theme(&app).await, json!(["dark", "rgb(21, 23, 27)"]));
    desktop.switch("Adwaita");
    until_theme(&app, "light").await;
    app.quit().await;
}

const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";
const ARROW_RIGHT: &str = "\u{e014}";

async fn type_text(app: &Desktop, text: &str) {
    app.web
        .active_element()
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}
