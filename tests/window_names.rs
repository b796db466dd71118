//! Names in the real window: a machine named by keyboard alone from its details, then
//! seen by that name (the service's beside it) on its row, found by either name, in the
//! shutdown's confirmation, in the desktop notification when it has shut down with the
//! window away, and in the History. Run with `bash .ci/session cargo test`.

mod common;

use std::time::Duration;

use common::desktop::{
    from_details_by_keyboard, hide_window, one_window_at_a_time, press, show_window,
    sign_in_with_key, sim_with, Desktop, Home,
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

    // Its details, from its name, by keyboard; then "Name and note…".
    from_details_by_keyboard(&app, "web-1", "Name and note of web-1…", 20, "name-dialog").await;
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
