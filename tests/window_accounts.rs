//! Several accounts in the real window: "Add account…" from the account menu keeps the
//! first account, the menu lists both (and the demo) with the one on screen marked, a
//! switch (from the menu, or Ctrl+1…9) shows the other account's machines and leaves
//! nothing of the first on the page (no selection, no row error, no confirmation opened
//! while the switch was on its way, no bulk's results), an account is named
//! and coloured (a bad name refused in the dialog, what was typed kept), its name and
//! colour then in the top bar, the window's title and every confirmation, "Sign in again"
//! names the account and offers its own server and way in, and "Remove" asks, then
//! forgets one. axe stays clean with the menu and the dialog open.
//! Run with `bash .ci/session cargo test` (Xvfb, a private D-Bus and keyring).

mod common;

use common::desktop::{
    ask_for_code, one_window_at_a_time, press_key, sign_in_with_key, sim_with, Desktop, Home,
};
use serde_json::json;

/// Whether a window of this display has exactly the title `title` (within 5 s: the window
/// manager is told after the page).
fn window_titled(title: &str) -> bool {
    let pattern = format!("^{}$", regex_escape(title));
    (0..50).any(|_| {
        let found = std::process::Command::new("xdotool")
            .args(["search", "--name", &pattern])
            .output()
            .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
        if !found {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        found
    })
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.^$|?*+()[]{}".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// The server's address as the menu shows it: its host and port.
fn host(sim: &common::Sim) -> String {
    sim.base
        .split("://")
        .nth(1)
        .unwrap()
        .trim_end_matches('/')
        .to_owned()
}

/// An unnamed account's full name in the menu: who, on which server.
fn second_name(sim: &common::Sim) -> String {
    format!("{} on {}", common::EMAIL, host(sim))
}

/// The names of the machines in the table, sorted.
async fn names(app: &Desktop) -> Vec<String> {
    let names = app
        .js("return [...document.querySelectorAll('#rows .name-button')].map((b) => b.textContent).sort()")
        .await;
    serde_json::from_value(names).unwrap()
}

/// The name of a running machine in the table.
async fn running_on(app: &Desktop) -> String {
    app.js("const tr = [...document.querySelectorAll('#rows tr.machine')].find((t) => /Running/.test(t.innerText));
            return tr.querySelector('.name-button').textContent;")
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_are_added_switched_and_removed_from_the_menu() {
    let _one = one_window_at_a_time();
    let first = sim_with(&["--rate-limit", "0", "--instances", "3"]);
    let second = sim_with(&["--rate-limit", "0", "--instances", "5"]);
    let home = Home::new();
    let mut app = Desktop::launch(&home, &[], &[]).await;
    sign_in_with_key(&app, &first).await;
    let on_first = names(&app).await;
    assert_eq!(on_first.len(), 3);

    // Add a second account: the sign-in screen, with a way back; nobody is signed out.
    app.click(&app.text_of("#account").await).await;
    app.screenshot("90-account-menu-one").await;
    app.click("Add account…").await;
    // Back without adding: the first account's machines, as they were.
    app.click("Back to your machines").await;
    app.until(
        "the first account's machines again",
        "return !document.getElementById('desk').hidden && document.querySelectorAll('#rows tr.machine').length === 3",
    )
    .await;

    // Add account… by email on the second server, a code sent, then Back: the code step
    // is left (the server told) and the server field is as it was before.
    app.click(&app.text_of("#account").await).await;
    app.click("Add account…").await;
    let before = app
        .js("return document.getElementById('server').value")
        .await;
    app.click("Sign in with email").await;
    app.js("document.querySelector('#signin details').open = true; return true;")
        .await;
    app.fill("Server address", &second.base).await;
    ask_for_code(&app).await;
    app.click("Back to your machines").await;
    app.until(
        "the first account's machines after a code was sent",
        "return !document.getElementById('desk').hidden && document.querySelectorAll('#rows tr.machine').length === 3",
    )
    .await;
    app.click(&app.text_of("#account").await).await;
    app.click("Add account…").await;
    let after = app
        .js("return [document.getElementById('code-form').hidden, document.getElementById('server').value]")
        .await;
    assert_eq!(
        after,
        json!([true, before]),
        "the email step, the server as it was"
    );
    app.click("Back to your machines").await;
    app.until(
        "the first account's machines once more",
        "return !document.getElementById('desk').hidden && document.querySelectorAll('#rows tr.machine').length === 3",
    )
    .await;
    app.click(&app.text_of("#account").await).await;
    app.click("Add account…").await;
    sign_in_with_key(&app, &second).await;
    app.until(
        "the second account's machines",
        "return document.querySelectorAll('#rows tr.machine').length === 5",
    )
    .await;
    let on_second = names(&app).await;
    assert_ne!(on_first, on_second);

    // The menu lists both, the one on screen marked.
    app.click(&app.text_of("#account").await).await;
    let listed = app
        .js("return [...document.querySelectorAll('#account-list .account-switch')].map((b) => [b.getAttribute('aria-label'), b.getAttribute('aria-current')])")
        .await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 3, "two accounts and the demo: {listed:?}");
    assert_eq!(listed[1][1], json!("true"), "{listed:?}");
    assert!(
        listed[0][0].as_str().unwrap().starts_with("Switch to"),
        "{listed:?}"
    );
    app.screenshot("91-account-menu-two").await;
    app.assert_accessible("the account menu").await;

    // Something of the second account on the page: a row's error, a selection, and a
    // confirmation still open when the switch answers (the first server is slow to open).
    press_key(&app, '\u{e00c}').await;
    second
        .fault(
            json!({"method": "POST", "path": "/api/compute/v1/instances/*", "times": 1,
                      "kind": "status", "status": 500}),
        )
        .await;
    app.click(&format!("Shut down {}", running_on(&app).await))
        .await;
    app.click("Shut down").await;
    app.until(
        "the second account's row error",
        "return document.querySelector('#rows .row-error') !== null",
    )
    .await;
    app.click(&format!("Select {}", on_second[0])).await;
    app.until(
        "the bulk bar",
        "return !document.getElementById('bulkbar').hidden",
    )
    .await;
    first
        .fault(json!({"path": "/api/auth/v2/keypair", "kind": "latency", "ms": 3000, "times": 1}))
        .await;
    // Ctrl+1: the first account, and at once (before any answer can come), a
    // confirmation on the second's list.
    let restart = format!("Restart {}", running_on(&app).await);
    let open = app
        .js(&format!(
            "document.dispatchEvent(new KeyboardEvent('keydown', {{key: '1', ctrlKey: true, bubbles: true}}));
             document.querySelector('#rows button[aria-label=\"{restart}\"]').click();
             return document.querySelectorAll('dialog[open]').length"
        ))
        .await;
    assert_eq!(
        open,
        json!(1),
        "the confirmation opened before the switch answered"
    );
    // The account is left at once, while the first one still opens (its server is
    // slow): the confirmation about the account left closes with its list.
    app.until(
        "the second account's list gone",
        "return document.querySelectorAll('#rows tr.machine').length === 0",
    )
    .await;
    let open = app
        .js("return document.querySelectorAll('dialog[open]').length")
        .await;
    assert_eq!(open, json!(0), "a confirmation of the account left");
    app.until(
        "the first account's machines",
        "return document.querySelectorAll('#rows tr.machine').length === 3",
    )
    .await;
    assert_eq!(names(&app).await, on_first);
    let left = app
        .js("return [document.getElementById('bulkbar').hidden, document.querySelectorAll('dialog[open]').length, document.querySelectorAll('#rows input:checked').length, document.querySelectorAll('#rows .row-error').length]")
        .await;
    assert_eq!(
        left,
        json!([true, 0, 0, 0]),
        "nothing of the other account stays"
    );

    // A bulk of the second account still sending when the person switches away: its
    // results belong to that account, never shown over the first one.
    app.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: '2', ctrlKey: true, bubbles: true})); return true;")
        .await;
    app.until(
        "the second account's machines again",
        "return document.querySelectorAll('#rows tr.machine').length === 5",
    )
    .await;
    second
        .fault(
            json!({"method": "POST", "path": "/api/compute/v1/instances/*", "times": 0,
                      "kind": "latency", "ms": 2500}),
        )
        .await;
    app.click("Select all shown machines").await;
    app.click("Shut down selected").await;
    app.click("Shut down").await;
    app.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: '1', ctrlKey: true, bubbles: true})); return true;")
        .await;
    app.until(
        "the first account's machines after the bulk",
        "return document.querySelectorAll('#rows tr.machine').length === 3",
    )
    .await;
    // By now the switch has ended the bulk (it waits 3 s at most for what was sent).
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let over = app
        .js("return [document.getElementById('results').open, document.querySelectorAll('dialog[open]').length]")
        .await;
    assert_eq!(
        over,
        json!([false, 0]),
        "another account's results over this one"
    );
    second.clear_faults().await;

    // The first account named and coloured by the person: a name too long is refused in
    // the dialog and stays as typed; a shorter one is kept.
    app.click(&app.text_of("#account").await).await;
    let edit = app
        .js("return document.querySelectorAll('#account-list .account-edit')[0].getAttribute('aria-label')")
        .await;
    app.click(edit.as_str().unwrap()).await;
    let too_long = "Production servers of the whole company, all of them";
    app.fill("Name", too_long).await;
    app.js("document.querySelector('#account-colours input[value=\"red\"]').click(); return true;")
        .await;
    app.click("Save").await;
    let said = app
        .shown_text("the refusal in the dialog", "#account-edit-error")
        .await;
    assert!(said.contains("at most 40 characters"), "{said}");
    let kept = app
        .js("return document.getElementById('account-name').value")
        .await;
    assert_eq!(kept, json!(too_long), "what was typed stays");
    app.screenshot("93-account-name-refused").await;
    app.assert_accessible("the account's name and colour").await;
    app.fill("Name", "Production").await;
    app.click("Save").await;
    app.until(
        "the name in the top bar, in its colour",
        "return document.getElementById('account-name-shown').textContent === 'Production'
           && document.getElementById('desk').dataset.accountColour === 'red'",
    )
    .await;
    assert!(
        window_titled("Production — Compute Desk"),
        "the window's title names the account"
    );
    // Dark, as the app marks the page when the desktop is dark: the menu and its colours
    // stay readable.
    app.js("document.documentElement.dataset.theme = 'dark'; return true;")
        .await;
    app.click("Production").await;
    app.screenshot("94-account-menu-dark").await;
    app.assert_accessible("the account menu, dark").await;
    press_key(&app, '\u{e00c}').await;
    app.js("document.documentElement.dataset.theme = 'light'; return true;")
        .await;

    // A confirmation says which account it acts in.
    app.click(&format!("Shut down {}", running_on(&app).await))
        .await;
    let said = app
        .shown_text("the account in the confirmation", "#confirm-account")
        .await;
    let port = first.base.rsplit(':').next().unwrap().to_owned();
    assert!(
        said.starts_with("In the account Production (") && said.contains(&port),
        "{said}"
    );
    app.screenshot("92-confirm-names-the-account").await;
    app.click("Cancel").await;

    // The demo is in the menu too: a switch there and back (Ctrl+1).
    app.click(&app.text_of("#account").await).await;
    app.click("Switch to Demo").await;
    app.until(
        "the demo",
        "return !document.getElementById('demo-badge').hidden",
    )
    .await;
    assert!(window_titled("Compute Desk (demo)"));
    app.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: '1', ctrlKey: true, bubbles: true})); return true;")
        .await;
    app.until(
        "the first account again",
        "return document.getElementById('demo-badge').hidden && document.getElementById('account-name-shown').textContent === 'Production'",
    )
    .await;

    // The second account's key is revoked: switching to it asks to sign in again, and the
    // sign-in screen offers the account kept beside it.
    second.revoke_key(common::desktop::KEY).await;
    // The sign-in screen as another sign-in left it: the email tab, another server typed.
    app.js(&format!(
        "document.getElementById('tab-email').click(); document.getElementById('server').value = '{}'; return true;",
        first.base
    ))
    .await;
    app.click("Production").await;
    app.click(&format!("Switch to {}", second_name(&second)))
        .await;
    let reason = app
        .shown_text("why to sign in again", "#signin-reason")
        .await;
    assert!(reason.contains("sign in again"), "{reason}");
    // It names the account asking, and offers that account's own server and way in,
    // whatever was typed on the sign-in screen before.
    let asking = app.shown_text("the account asking", "#signin-for").await;
    assert_eq!(
        asking,
        format!("Sign in again to {}.", second_name(&second))
    );
    let fields = app
        .js("return [document.getElementById('server').value, document.getElementById('tab-key').getAttribute('aria-selected')]")
        .await;
    assert_eq!(fields, json!([second.base, "true"]));
    app.screenshot("95-sign-in-again-offers-the-others").await;
    app.assert_accessible("the sign-in screen with saved accounts")
        .await;
    app.click(&format!(
        "Switch to Production ({} on {})",
        common::EMAIL,
        host(&first)
    ))
    .await;
    app.until(
        "the first account from the sign-in screen",
        "return !document.getElementById('desk').hidden && document.getElementById('account-name-shown').textContent === 'Production'",
    )
    .await;
    // The menu marks the refused one, with Sign in again.
    app.click("Production").await;
    let flag = app
        .shown_text("the refused mark", "#account-list .account-flag")
        .await;
    assert_eq!(flag, "Sign-in no longer accepted");
    assert!(
        app.is_enabled(&format!("Sign in again to {}", second_name(&second)))
            .await
    );
    app.screenshot("96-account-refused-in-the-menu").await;
    app.assert_accessible("the account menu with a refused account")
        .await;
    press_key(&app, '\u{e00c}').await;

    // Remove the second account from the menu: only the first is left.
    app.click(&app.text_of("#account").await).await;
    let remove = app
        .js("return document.querySelectorAll('#account-list .account-remove')[1].getAttribute('aria-label')")
        .await;
    app.click(remove.as_str().unwrap()).await;
    // Removing asks first, naming the account and what removing it costs.
    let asked = app
        .shown_text("the removal's question", "#confirm-title")
        .await;
    assert!(
        asked.starts_with("Remove ") && asked.ends_with(" from this computer?"),
        "{asked}"
    );
    let cost = app.shown_text("what removing costs", "#confirm-text").await;
    assert!(cost.contains("a new email code"), "{cost}");
    app.screenshot("97-removing-an-account-asks-first").await;
    app.click("Remove").await;
    app.until(
        "one account left",
        "return document.querySelectorAll('#account-list li').length === 2",
    )
    .await;
    assert_eq!(names(&app).await, on_first, "the account on screen stays");
    app.quit().await;
}
