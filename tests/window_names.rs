//! Names in the real window: a machine named by keyboard alone from its details, then
//! seen by that name (the service's beside it) on its row, found by either name, in the
//! shutdown's confirmation, in the desktop notification when it has shut down with the
//! window away, and in the History; and a group made by keyboard, a favourite on top, the
//! group shown alone and shut down as one bulk (its confirmation naming group, count and
//! account), then the list grouped by group. Run with `bash .ci/session cargo test`.

mod common;

use std::time::Duration;

use common::desktop::{
    from_details_by_keyboard, hide_window, one_window_at_a_time, press, press_key, show_window,
    sign_in_with_key, sim_with, tab_to, Desktop, Home,
};
use common::notifications::Notifications;

/// The names on the rows, as (given or service name, the service's beside it).
async fn rows(app: &Desktop) -> Vec<(String, String)> {
    let rows = app
        .js("return [...document.querySelectorAll('#rows tr.machine')].map((t) => [t.querySelector('.name-button').textContent, t.querySelector('.service-name')?.textContent || '']);")
        .await;
    serde_json::from_value(rows).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_machine_named_by_keyboard_is_called_so_on_its_row_confirmation_notification_and_history()
{
    let _one = one_window_at_a_time();
    let notifications = Notifications::serve();
    let sim = sim_with(&["--speed", "2", "--instances", "3"]);
    let home = Home::new();
    let app = Desktop::launch(&home, &[], &[]).await;
    sign_in_with_key(&app, &sim).await;
    app.until_state("web-1", "● Running").await;

    // Its details, from its name, by keyboard; then "Name, note and groups…".
    from_details_by_keyboard(
        &app,
        "web-1",
        "Name, note and groups of web-1…",
        20,
        "name-dialog",
    )
    .await;
    assert_eq!(app.focused().await, "Name", "the dialog opens on the name");
    press(
        &app,
        &[
            "Accounting PC",
            "\u{e004}",
            "Ana's test machine: do not delete",
        ],
    )
    .await;
    app.screenshot("34-name-and-note").await;
    press(&app, &["\u{e007}"]).await;
    app.until(
        "the dialog closed",
        "return !document.getElementById('name-dialog').open",
    )
    .await;

    // On its row, the service's name beside; its details say both and the note.
    app.until(
        "the name on the row",
        "return [...document.querySelectorAll('#rows .name-button')].some((b) => b.textContent === 'Accounting PC')",
    )
    .await;
    assert!(
        rows(&app)
            .await
            .contains(&("Accounting PC".into(), "web-1".into())),
        "{:?}",
        rows(&app).await
    );
    assert_eq!(app.text_of("#detail-title").await, "Accounting PC");
    let details = app.text_of("#detail").await;
    assert!(
        details.contains("On ThreatWinds: web-1")
            && details.contains("Ana's test machine: do not delete"),
        "{details}"
    );
    app.screenshot("34-named-on-its-row").await;

    // Found by either name.
    for (typed, found) in [("accounting", 1), ("web-1", 1)] {
        app.fill("Search machines by name", typed).await;
        app.until(
            "the search",
            &format!("return document.querySelectorAll('#rows tr.machine').length === {found}"),
        )
        .await;
        assert_eq!(rows(&app).await[0].0, "Accounting PC", "{typed}");
    }
    app.js("const i = document.getElementById('search'); i.value = ''; i.dispatchEvent(new Event('input'));")
        .await;
    app.until(
        "every machine again",
        "return document.querySelectorAll('#rows tr.machine').length === 3",
    )
    .await;

    // The shutdown's confirmation names it both ways.
    app.click("Shut down Accounting PC (web-1)").await;
    let title = app
        .until(
            "the confirmation",
            "const d = document.getElementById('confirm'); return d.open ? document.getElementById('confirm-title').innerText : '';",
        )
        .await;
    assert_eq!(title, "Shut down Accounting PC (web-1)?");
    app.click("Shut down").await;
    // Away from the window while it shuts down: the notification names it.
    assert!(hide_window(), "xdotool found the window");
    let shown = app
        .poll(Duration::from_secs(30), "no notification", || async {
            notifications
                .shown()
                .into_iter()
                .find(|n| n.body.contains("Accounting PC"))
        })
        .await;
    assert_eq!(shown.body, "Accounting PC (web-1) has shut down.");
    assert!(show_window(), "xdotool found the window again");

    // The History names it the same way.
    app.click("History").await;
    let entry = app
        .until(
            "the shutdown in the History",
            "const e = [...document.querySelectorAll('#history-list .entry')].find((e) => /Shut down/.test(e.innerText));
             return e ? e.innerText : '';",
        )
        .await;
    assert!(
        entry
            .as_str()
            .unwrap()
            .contains("Shut down Accounting PC (web-1)"),
        "{entry}"
    );
    app.quit().await;
}

/// The one account's part of the settings file `file` (`names.json`, `schedules.json`)
/// in `home`.
fn the_accounts_book(home: &Home, file: &str) -> serde_json::Value {
    let kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.config_dir().join(file)).unwrap())
            .unwrap();
    let accounts = kept["accounts"].as_object().unwrap();
    assert_eq!(accounts.len(), 1, "{file}: {kept}");
    accounts.values().next().unwrap().clone()
}

/// The table's lines as shown: a heading's words, or a machine's name.
async fn lines(app: &Desktop) -> Vec<String> {
    let lines = app
        .js("return [...document.querySelectorAll('#rows tr.machine, #rows tr.group-heading')].map((t) => t.classList.contains('group-heading') ? '# ' + t.innerText.trim() : t.querySelector('.name-button').textContent);")
        .await;
    serde_json::from_value(lines).unwrap()
}

/// Chooses in the toolbar's "Show" by keyboard: focus on it from the search box, then the
/// arrow key `arrow` pressed `times`.
async fn show_by_keyboard(app: &Desktop, arrow: char, times: usize) {
    app.js("document.getElementById('search').focus(); return true;")
        .await;
    tab_to(app, "Show", 3).await;
    for _ in 0..times {
        press_key(app, arrow).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_made_by_keyboard_is_shown_alone_shut_down_as_one_bulk_and_grouped() {
    let _one = one_window_at_a_time();
    let sim = sim_with(&["--speed", "2", "--instances", "6"]);
    let home = Home::new();
    let mut app = Desktop::launch(&home, &[], &[]).await;
    sign_in_with_key(&app, &sim).await;
    let running: Vec<String> = sim.running().await.into_iter().map(|(_, n)| n).collect();
    assert!(
        running.len() >= 3,
        "the simulator's running machines: {running:?}"
    );
    let (first, second) = (running[0].clone(), running[1].clone());
    for name in &running {
        app.until_state(name, "● Running").await;
    }

    // Both put in "Accounting" by keyboard; the second made a favourite too.
    for (name, favourite) in [(&first, false), (&second, true)] {
        from_details_by_keyboard(
            &app,
            name,
            &format!("Name, note and groups of {name}…"),
            60,
            "name-dialog",
        )
        .await;
        tab_to(&app, "Groups (separated by commas)", 4).await;
        press(&app, &["Accounting"]).await;
        if favourite {
            press(&app, &["\u{e004}"]).await;
            assert_eq!(
                app.focused().await,
                "Favourite: always at the top of the list"
            );
            press(&app, &["\u{e00d}"]).await;
            app.screenshot("34-groups-and-favourite").await;
            app.assert_accessible("name, note and groups dialog").await;
            tab_to(&app, "Save", 4).await;
        }
        press(&app, &["\u{e007}"]).await;
        app.until(
            "the dialog closed",
            "return !document.getElementById('name-dialog').open",
        )
        .await;
    }
    // The favourite on top, with its star; both show their group.
    app.until(
        "the favourite on top",
        &format!(
            "const t = document.querySelector('#rows tr.machine'); \
             return !!t && t.querySelector('.name-button').textContent === {} && !!t.querySelector('.favourite');",
            serde_json::json!(second)
        ),
    )
    .await;
    let tags = app
        .js("return [...document.querySelectorAll('#rows tr.machine')].filter((t) => t.querySelector('.group-tag')?.textContent === 'Accounting').length;")
        .await;
    assert_eq!(tags, 2, "both rows show their group");

    // The group alone, chosen by keyboard: All machines → Favourites → Grouped → Accounting.
    show_by_keyboard(&app, '\u{e015}', 3).await;
    let bar = app.shown_text("the group's bar", "#group-bar-text").await;
    assert_eq!(bar, "Group “Accounting”: 2 machines");
    assert_eq!(lines(&app).await, [second.clone(), first.clone()]);
    app.screenshot("34-one-group-shown").await;
    app.assert_accessible("one group shown, with its bar").await;

    // Shut down as one bulk: the confirmation names the group, its count and the account.
    app.click("Shut down the group").await;
    let title = app
        .until(
            "the confirmation",
            "const d = document.getElementById('confirm'); return d.open ? document.getElementById('confirm-title').innerText : '';",
        )
        .await;
    assert_eq!(title, "Shut down the group “Accounting” (2 machines)?");
    let account = app.text_of("#confirm-account").await;
    assert!(account.starts_with("In "), "the account said: {account:?}");
    app.click("Shut down").await;
    for name in [&first, &second] {
        app.until_state(name, "■ Stopped").await;
    }
    // (A machine still provisioning may have come to run meanwhile.)
    let still: Vec<String> = sim.running().await.into_iter().map(|(_, n)| n).collect();
    assert!(
        running[2..].iter().all(|n| still.contains(n))
            && !still.contains(&first)
            && !still.contains(&second),
        "only the group's machines were shut down: running before {running:?}, now {still:?}"
    );
    app.until(
        "the bulk's results",
        "return document.getElementById('results').open",
    )
    .await;
    // (Whatever has the focus as it opens: a row drawn again may not be there.)
    press_key(&app, '\u{e00c}').await;

    // Watched as one, and given a schedule of its own, from the same bar.
    app.click("Tell me when one stops that nobody here stopped")
        .await;
    app.until(
        "the group's watch switch on",
        "return document.getElementById('group-watch').getAttribute('aria-pressed') === 'true'",
    )
    .await;
    let book = the_accounts_book(&home, "schedules.json");
    assert_eq!(book["watchGroups"], serde_json::json!(["Accounting"]));
    app.click("Schedule the group…").await;
    let said = app.shown_text("the schedule dialog", "#schedule-for").await;
    assert!(
        said.starts_with("For the group “Accounting” (now 2 machines)"),
        "{said}"
    );
    press_key(&app, '\u{e00c}').await;
    app.until(
        "the schedule dialog closed",
        "return !document.getElementById('schedule').open",
    )
    .await;

    // Grouped by group: a heading over each group, a machine under each of its groups,
    // those in none last.
    show_by_keyboard(&app, '\u{e013}', 1).await;
    app.until(
        "the grouped list",
        "return document.querySelectorAll('#rows tr.group-heading').length === 2",
    )
    .await;
    let mut expected = vec![
        "# Accounting · 2 machines".to_string(),
        second.clone(),
        first.clone(),
    ];
    let mut rest: Vec<String> = sim
        .listed("name")
        .await
        .into_iter()
        .map(|(_, n)| n)
        .filter(|n| *n != first && *n != second)
        .collect();
    rest.sort();
    expected.push(format!("# In no group · {} machines", rest.len()));
    expected.extend(rest);
    assert_eq!(lines(&app).await, expected);
    app.screenshot("34-grouped-by-group").await;
    app.assert_accessible("grouped by group").await;
    app.quit().await;
}

/// A Downloads folder of `home`'s own, as the desktop names it (`user-dirs.dirs`).
fn downloads(home: &Home) -> std::path::PathBuf {
    let folder = home.root().join("Downloads");
    std::fs::create_dir_all(home.root().join("config")).unwrap();
    std::fs::write(
        home.root().join("config/user-dirs.dirs"),
        format!("XDG_DOWNLOAD_DIR=\"{}\"\n", folder.display()),
    )
    .unwrap();
    folder
}

/// Gives machine `id` a name (and groups) as the dialog does, through the page's command.
async fn name_it(app: &Desktop, id: &str, name: &str, groups: &[&str]) {
    app.js_async(&format!(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('set_name', {{machine: {}, change: {{name: {}, groups: {}}}}}).then(() => done(true), (e) => done(e));",
        serde_json::json!(id),
        serde_json::json!(name),
        serde_json::json!(groups)
    ))
    .await;
    app.until(
        "the name on its row",
        &format!(
            "return [...document.querySelectorAll('#rows .name-button')].some((b) => b.textContent === {});",
            serde_json::json!(name)
        ),
    )
    .await;
}

/// Opens "Share names with colleagues…" from the account menu.
async fn open_sharing(app: &Desktop) {
    app.js("document.getElementById('account').click(); return true;")
        .await;
    app.click("Share names with colleagues…").await;
    app.until(
        "the Share names dialog",
        "return document.getElementById('share').open",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_exported_on_one_computer_are_imported_on_another_with_a_conflict_resolved() {
    let _one = one_window_at_a_time();
    let sim = sim_with(&["--speed", "2", "--instances", "3"]);
    let machines = sim.listed("name").await;
    let (first, second) = (machines[0].clone(), machines[1].clone());

    // One computer names two machines and exports their names.
    let here = Home::new();
    let saved_in = downloads(&here);
    let app = Desktop::launch(&here, &[], &[]).await;
    sign_in_with_key(&app, &sim).await;
    name_it(&app, &first.0, "Accounting PC", &["Accounting"]).await;
    name_it(&app, &second.0, "Reception", &[]).await;
    open_sharing(&app).await;
    app.click("Export names").await;
    let said = app
        .shown_text("where it was saved", "#share-exported")
        .await;
    let files: Vec<_> = std::fs::read_dir(&saved_in)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(said, format!("Saved as {}", files[0].display()));
    let exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_eq!(exported["format"], "compute-desk-names");
    assert_eq!(exported["version"], 1);
    assert_eq!(exported["machines"][&first.0]["name"], "Accounting PC");
    assert_eq!(exported["machines"][&first.0]["groups"][0], "Accounting");
    app.screenshot("34-names-exported").await;
    app.quit().await;

    // Another computer, the same account, the first machine named otherwise.
    let there = Home::new();
    let mut app = Desktop::launch(&there, &[], &[]).await;
    sign_in_with_key(&app, &sim).await;
    name_it(&app, &first.0, "Contabilidad", &[]).await;
    open_sharing(&app).await;
    let input = app
        .web
        .find(fantoccini::Locator::Css("#share-file"))
        .await
        .unwrap();
    input
        .send_keys(&files[0].display().to_string())
        .await
        .unwrap();
    let plan = app
        .until(
            "the import's plan",
            "const p = document.getElementById('share-plan'); return p.children.length ? p.innerText : null;",
        )
        .await;
    let plan = plan.as_str().unwrap();
    assert!(
        plan.contains("Names or notes for 1 machine that have none here.")
            && plan.contains("New groups for 1 machine.")
            && plan.contains("Named otherwise here: 1 machine."),
        "{plan}"
    );
    let choices = app
        .js("return [...document.querySelectorAll('#share-conflicts fieldset')].map((f) => f.innerText.trim().split('\\n').map((l) => l.trim()).filter(Boolean));")
        .await;
    assert_eq!(
        choices,
        serde_json::json!([[
            first.1,
            "Keep this computer's: Contabilidad",
            "Take the file's: Accounting PC"
        ]])
    );
    app.screenshot("34-names-import-conflict").await;
    app.assert_accessible("share names, an import with a conflict")
        .await;
    // The conflict resolved: the file's name taken.
    app.click("Take the file's: Accounting PC").await;
    app.click("Import names").await;
    app.until(
        "the dialog closed",
        "return !document.getElementById('share').open",
    )
    .await;
    app.until(
        "both names on their rows",
        "const names = [...document.querySelectorAll('#rows .name-button')].map((b) => b.textContent);
         return names.includes('Accounting PC') && names.includes('Reception');",
    )
    .await;
    let book = the_accounts_book(&there, "names.json");
    assert_eq!(book["machines"][&first.0]["name"], "Accounting PC");
    assert_eq!(book["machines"][&first.0]["groups"][0], "Accounting");
    assert_eq!(book["machines"][&second.0]["name"], "Reception");
    app.quit().await;
}
