//! History, in the real window: every action, create, delete, sign-in and sign-out, with
//! who, when and how it ended as the server showed it (not as it was accepted), the
//! server's words and support code, filters, copy, and what survives a restart.
//! Run with `bash .ci/session cargo test` (Xvfb, a private D-Bus and keyring).

mod common;

use std::time::Duration;

use common::desktop::{
    assert_no_secret_in_files, clipboard, files_under, one_window_at_a_time, sign_in_with_key,
    sim_with, Desktop, Home, SECRET, WAIT,
};
use serde_json::{json, Value};

/// The entries as the panel shows them, newest first: outcome class, title, message.
async fn entries(app: &Desktop) -> Vec<Value> {
    app.js(
        "return [...document.querySelectorAll('#history-list li')].map((li) => ({
           outcome: li.classList[1], what: li.querySelector('.what').innerText,
           message: li.querySelector('.message')?.innerText || null,
           support: li.querySelector('.support')?.innerText || null}));",
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

async fn open_history(app: &Desktop) {
    app.click("History").await;
    app.until(
        "the History panel",
        "return document.getElementById('history').open",
    )
    .await;
}

async fn close_history(app: &Desktop) {
    app.click("Close").await;
    app.until(
        "History closed",
        "return !document.getElementById('history').open",
    )
    .await;
}

/// Waits until the newest entry whose title is `what` has `outcome`; returns it.
async fn until_entry(app: &Desktop, what: &str, outcome: &str) -> Value {
    app.poll(
        Duration::from_secs(30),
        &format!("{what} never showed {outcome}"),
        || async {
            entries(app)
                .await
                .into_iter()
                .find(|e| e["what"].as_str().is_some_and(|w| w.ends_with(what)))
                .filter(|e| e["outcome"] == outcome)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_says_what_was_done_and_how_it_ended_and_survives_a_restart() {
    let _one = one_window_at_a_time();
    let sim = sim_with(&[
        "--speed",
        "4",
        "--rate-limit",
        "0",
        "--instances",
        "4",
        "--accept-delay",
        "2",
    ]);
    let home = Home::new();
    let mut app = Desktop::launch(&home, &[], &[]).await;
    sign_in_with_key(&app, &sim).await;
    app.until_state("web-1", "● Running").await;

    // A shutdown is waiting while the server has only accepted it, done once web-1 is
    // seen stopped.
    app.click("Shut down web-1").await;
    app.click("Shut down").await;
    open_history(&app).await;
    let signed_in = entries(&app).await;
    assert!(
        signed_in
            .iter()
            .any(|e| e["what"].as_str().unwrap().ends_with("Signed in") && e["outcome"] == "done"),
        "{signed_in:?}"
    );
    let waiting = until_entry(&app, "Shut down web-1", "waiting").await;
    assert!(
        waiting["what"].as_str().unwrap().starts_with("◔"),
        "{waiting}"
    );
    until_entry(&app, "Shut down web-1", "done").await;
    close_history(&app).await;

    // Refused by the server: failed, with its words and support code.
    sim.fault(
        json!({"method": "POST", "path": "/api/compute/v1/instances/*", "kind": "status",
                     "status": 500, "times": 1}),
    )
    .await;
    app.click("Restart build-1").await;
    app.click("Restart").await;
    app.until(
        "the row's error",
        "return document.querySelector('#rows .row-error') !== null",
    )
    .await;
    // Start on a running machine makes no sense: skipped, not sent.
    for name in ["db-1", "cache-1"] {
        app.click(&format!("Select {name}")).await;
    }
    app.until_state("cache-1", "● Running").await;
    app.click("Start selected").await;
    app.until(
        "the bulk results",
        "return document.getElementById('results').open",
    )
    .await;
    app.click("Close").await;

    open_history(&app).await;
    let failed = until_entry(&app, "Restart build-1", "failed").await;
    let support = failed["support"].as_str().unwrap_or_default().to_owned();
    assert!(support.contains("Support code:"), "{failed}");
    assert!(failed["message"].as_str().is_some(), "{failed}");
    until_entry(&app, "Start cache-1", "skipped").await;
    app.screenshot("50-history").await;
    app.assert_accessible("History").await;

    // Filters: by outcome, by machine.
    app.js("const s = document.getElementById('history-outcome'); s.value = 'failed'; s.dispatchEvent(new Event('change')); return true;")
        .await;
    let only_failed = entries(&app).await;
    assert!(!only_failed.is_empty());
    assert!(
        only_failed.iter().all(|e| e["outcome"] == "failed"),
        "{only_failed:?}"
    );
    app.js("const s = document.getElementById('history-outcome'); s.value = ''; s.dispatchEvent(new Event('change'));
            const m = document.getElementById('history-machine'); m.value = [...m.options].find((o) => o.text === 'web-1').value;
            m.dispatchEvent(new Event('change')); return true;")
        .await;
    let web = entries(&app).await;
    assert!(!web.is_empty());
    assert!(
        web.iter()
            .all(|e| e["what"].as_str().unwrap().contains("web-1")),
        "{web:?}"
    );

    // Copy gives the helpdesk the whole entry.
    app.js("const m = document.getElementById('history-machine'); m.value = ''; m.dispatchEvent(new Event('change'));
            const o = document.getElementById('history-outcome'); o.value = 'failed'; o.dispatchEvent(new Event('change')); return true;")
        .await;
    app.js("document.querySelector('#history-list .copy-entry').click(); return true;")
        .await;
    let copied = app
        .poll(WAIT, "the entry on the clipboard", || async {
            let text = clipboard();
            text.contains("Restart build-1").then_some(text)
        })
        .await;
    for line in [
        "Outcome: Failed",
        "Support code: ",
        "Signed in as: ",
        "Server: http://127.0.0.1:",
        "When: ",
    ] {
        assert!(copied.contains(line), "{line} missing from {copied}");
    }
    close_history(&app).await;

    // From a machine's details: its history alone. The screen is drawn again meanwhile
    // (here a resize): a panel that looks the same keeps its buttons, and the focus on
    // one (it was replaced on every drawing, and a click could fall between two). Should
    // a read change what the panel shows in those two frames, it is drawn anew, rightly.
    app.click("Details of web-1").await;
    let redrawn = app
        .js_async(
            "const done = arguments[arguments.length - 1];
             const panel = document.getElementById('detail');
             const button = [...panel.querySelectorAll('button')]
               .find((b) => b.textContent === 'History of this machine');
             button.focus();
             const before = panel.innerHTML;
             window.dispatchEvent(new Event('resize'));
             requestAnimationFrame(() => requestAnimationFrame(() => done({
               same: panel.innerHTML === before,
               kept: button.isConnected && document.activeElement === button,
               before, after: panel.innerHTML})));",
        )
        .await;
    assert!(
        redrawn["kept"] == true || redrawn["same"] == false,
        "the details were drawn anew under the focus though they look the same: {redrawn:#}"
    );
    app.click("History of this machine").await;
    app.until(
        "the History panel",
        "return document.getElementById('history').open",
    )
    .await;
    let chosen = app
        .js("const m = document.getElementById('history-machine'); return m.options[m.selectedIndex].text;")
        .await;
    assert_eq!(chosen, "web-1");
    close_history(&app).await;

    // A shutdown still under way when the app closes: the next launch says the app never
    // learned how it ended.
    sim.fault(json!({"method": "GET", "path": "/api/compute/v1/instances", "kind": "latency", "ms": 60_000}))
        .await;
    app.until_state("web-1", "■ Stopped").await;
    let sent = || async {
        sim.requests()
            .await
            .iter()
            .filter(|r| r["method"] == "POST" && r["path"].as_str().unwrap().ends_with("/start"))
            .count()
    };
    let before = sent().await;
    app.click("Start web-1").await;
    app.poll(WAIT, "the start sent", || async {
        (sent().await > before).then_some(())
    })
    .await;
    app.quit().await;
    sim.clear_faults().await;

    let app = Desktop::launch(&home, &[], &[]).await;
    app.until(
        "the machines again",
        "return document.querySelectorAll('#rows tr.machine').length",
    )
    .await;
    open_history(&app).await;
    let unknown = until_entry(&app, "Start web-1", "unknown").await;
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("closed before"),
        "{unknown}"
    );
    // Sign-out is recorded too, and the history stays for the next sign-in.
    close_history(&app).await;
    app.click("Sign out").await;
    app.control("Use an API key").await;
    sign_in_with_key(&app, &sim).await;
    open_history(&app).await;
    until_entry(&app, "Signed out", "done").await;
    until_entry(&app, "Shut down web-1", "done").await;
    app.quit().await;

    // The history is on disk, and holds no secret.
    let files = assert_no_secret_in_files(home.root(), SECRET);
    assert!(files >= 3, "settings, log and history scanned ({files})");

    // Damaged on disk: set aside, a new history started, and the app says so on the
    // machines screen (a banner under the list, as for damaged settings) and in History.
    let (path, bytes) = files_under(home.root())
        .into_iter()
        .find(|(p, _)| p.extension().is_some_and(|e| e == "jsonl"))
        .expect("a history file");
    let mut damaged = b"{\"id\": \"not a number\"}\n".to_vec();
    damaged.extend(bytes);
    std::fs::write(&path, damaged).unwrap();
    let app = Desktop::launch(&home, &[], &[]).await;
    let banner = app
        .until(
            "the banner about the history",
            "return [...document.querySelectorAll('#banners .banner')].map((b) => b.innerText)
               .find((t) => t.includes('history')) || ''",
        )
        .await;
    let aside = path.with_extension("jsonl.damaged");
    assert_eq!(
        banner.as_str().unwrap(),
        format!(
            "The history of what was done could not be read, so a new one was started. \
             The old file was kept as {}.",
            aside.display()
        )
    );
    assert!(aside.exists());
    app.screenshot("52-history-damaged").await;
    open_history(&app).await;
    let said = app.text_of("#history-warning").await;
    assert_eq!(said, banner.as_str().unwrap());
    assert!(
        entries(&app).await.is_empty(),
        "a new history, nothing done yet"
    );
    app.quit().await;
}
