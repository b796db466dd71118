//! The machines screen read at a glance, in the real window with names as an office
//! writes them: the name gets the room first, a banner that comes and goes moves nothing,
//! the row actions say their word (beside the symbol where there is room, as a tooltip on
//! hover and keyboard focus where not), and the keyboard reaches everything.
//! Run with `bash .ci/session cargo test` (Xvfb, a private D-Bus and keyring).

mod common;

use std::time::Duration;

use common::desktop::{one_window_at_a_time, press_key, sign_in_with_key, sim_with, Desktop, Home};
use common::Sim;
use serde_json::{json, Value};

const DOWN: char = '\u{e015}';
const UP: char = '\u{e013}';
const END: char = '\u{e010}';
const HOME: char = '\u{e011}';
const ENTER: char = '\u{e007}';
const ESCAPE: char = '\u{e00c}';
const TAB: char = '\u{e004}';
const DELETE: char = '\u{e017}';
const F5: char = '\u{e035}';
const CONTROL: char = '\u{e009}';

async fn signed_in() -> (Sim, Home, Desktop) {
    let sim = sim_with(&["--office-names", "--instances", "8"]);
    let home = Home::new();
    let app = Desktop::launch(&home, &[], &[]).await;
    sign_in_with_key(&app, &sim).await;
    (sim, home, app)
}

/// Ctrl held over `key`, as a keyboard shortcut is typed.
async fn ctrl(app: &Desktop, key: char) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: CONTROL })
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key })
        .then(KeyAction::Up { value: CONTROL });
    app.web.perform_actions(actions).await.unwrap();
}

/// Every name cell as shown: the name, whether it is cut, and its width.
async fn names(app: &Desktop) -> Vec<Value> {
    app.js(
        "return [...document.querySelectorAll('#rows tr.machine .name-button')].map((b) =>
           ({name: b.textContent, cut: b.scrollWidth > b.clientWidth, width: b.parentElement.offsetWidth}));",
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

/// Where the things a person clicks are: the first rows, Create, the search field.
async fn positions(app: &Desktop) -> Value {
    app.js(
        "const top = (e) => Math.round(e.getBoundingClientRect().top);
         return {rows: [...document.querySelectorAll('#rows tr.machine')].slice(0, 4).map(top),
                 create: top(document.getElementById('create-open')),
                 search: top(document.getElementById('search'))};",
    )
    .await
}

/// The tooltip as shown: its text, or null when hidden.
async fn tip(app: &Desktop) -> Value {
    app.js("const t = document.getElementById('tip'); return t.hidden ? null : t.textContent;")
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_get_the_room_banners_move_nothing_and_actions_say_their_word() {
    let _one = one_window_at_a_time();
    let (sim, _home, mut app) = signed_in().await;
    app.web.set_window_size(1180, 760).await.unwrap();
    app.until(
        "the table laid out at 1180 wide",
        "return document.getElementById('scroller').clientWidth < 1180",
    )
    .await;

    // Names as an office writes them are whole at the default size, with Zone and both
    // IP columns still shown; only one of 38 characters is cut.
    let shown = names(&app).await;
    assert_eq!(shown.len(), 8, "{shown:?}");
    for n in &shown {
        let whole = n["name"].as_str().unwrap().len() <= 30;
        assert_eq!(n["cut"], !whole, "at 1180×760: {shown:?}");
    }
    let headers = app
        .js("return [...document.querySelectorAll('#table thead th')].filter((th) => th.offsetWidth > 0).map((th) => th.textContent.trim());")
        .await;
    for column in [
        "Name",
        "State",
        "Zone",
        "External IP",
        "Internal IP",
        "Actions",
    ] {
        assert!(
            headers.as_array().unwrap().contains(&json!(column)),
            "{headers}"
        );
    }
    app.screenshot("30-glance-1180x760").await;
    app.assert_accessible("machines, office names").await;

    // A rate limit's banner comes and goes under the list: nothing above it moves.
    let before = positions(&app).await;
    sim.fault(json!({"method": "GET", "path": "/api/compute/v1/instances",
                     "kind": "status", "status": 429, "retryAfter": 3, "times": 1}))
        .await;
    app.click("Refresh").await;
    app.shown_text("the rate-limit banner", "#list-problem")
        .await;
    assert_eq!(positions(&app).await, before, "the banner moved the screen");
    let below = app
        .js("return document.getElementById('banners').getBoundingClientRect().top >= document.getElementById('scroller').getBoundingClientRect().bottom;")
        .await;
    assert_eq!(below, true, "the banner sits under the list");
    app.screenshot("31-glance-banner").await;
    app.until_within(
        Duration::from_secs(15),
        "the banner gone",
        "return !document.getElementById('list-problem')",
    )
    .await;
    assert_eq!(
        positions(&app).await,
        before,
        "the banner's leaving moved the screen"
    );

    // At this size the actions are symbols: their word shows on keyboard focus. (/ goes
    // to the search field, ↓ from there into the list.)
    press_key(&app, '/').await;
    press_key(&app, DOWN).await;
    let first = app.focused().await;
    assert!(first.starts_with("Details of "), "{first}");
    let first_name = first.trim_start_matches("Details of ").to_owned();
    assert_eq!(
        tip(&app).await,
        Value::Null,
        "a name shown whole needs no tooltip"
    );
    press_key(&app, TAB).await;
    let action = app.focused().await;
    let word = action
        .trim_end_matches(&format!(" {first_name}"))
        .to_owned();
    assert!(
        ["Start", "Shut down", "Restart", "Force reset", "Delete"].contains(&word.as_str()),
        "{action}"
    );
    assert_eq!(tip(&app).await, json!(word), "the focused symbol's word");
    app.screenshot("32-glance-focus-tooltip").await;

    // The long name, cut, is read in full on keyboard focus.
    let long = "backup-vault-nightly-offsite-eu-west-2";
    for _ in 0..8 {
        if app.focused().await == format!("Details of {long}") {
            break;
        }
        press_key(&app, DOWN).await;
    }
    assert_eq!(app.focused().await, format!("Details of {long}"));
    assert_eq!(tip(&app).await, json!(long), "the whole name on focus");
    app.screenshot("32-glance-long-name").await;

    // Wide, each action says its word beside its symbol and needs no tooltip.
    app.web.set_window_rect(0, 0, 1820, 900).await.unwrap();
    app.until(
        "the words beside the symbols",
        "const w = document.querySelector('#rows .actions .word'); return w && w.offsetWidth > 0;",
    )
    .await;
    for n in names(&app).await {
        assert_eq!(n["cut"], false, "{n}");
    }
    // Past the address's Copy (a symbol, which keeps its tooltip) to the actions.
    for _ in 0..6 {
        press_key(&app, TAB).await;
        if app
            .js("return document.activeElement.hasAttribute('data-action')")
            .await
            == true
        {
            break;
        }
    }
    let action = app.focused().await;
    assert!(action.ends_with(long), "{action}");
    assert_eq!(
        tip(&app).await,
        Value::Null,
        "a word on screen needs no tooltip"
    );
    app.screenshot("33-glance-wide").await;

    // The smallest window still shows every name whole, and the actions.
    app.web.set_window_size(760, 480).await.unwrap();
    app.until(
        "the table at its narrowest",
        "return document.getElementById('scroller').clientWidth < 760",
    )
    .await;
    let narrow = names(&app).await;
    assert!(!narrow.is_empty());
    for n in &narrow {
        let name = n["name"].as_str().unwrap();
        if name.len() <= 24 {
            assert_eq!(n["cut"], false, "{name} cut at 760×480: {narrow:?}");
        }
    }
    app.screenshot("34-glance-760x480").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keyboard_moves_opens_deletes_creates_and_refreshes() {
    let _one = one_window_at_a_time();
    let (sim, _home, mut app) = signed_in().await;
    app.web.set_window_size(1180, 760).await.unwrap();
    let order: Vec<String> = app
        .js("return [...document.querySelectorAll('#rows tr.machine .name-button')].map((b) => b.textContent);")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();

    // ↓ from nowhere lands on the first machine; ↓ ↑ End Home move through the list.
    press_key(&app, DOWN).await;
    assert_eq!(app.focused().await, format!("Details of {}", order[0]));
    press_key(&app, DOWN).await;
    press_key(&app, DOWN).await;
    assert_eq!(app.focused().await, format!("Details of {}", order[2]));
    press_key(&app, UP).await;
    assert_eq!(app.focused().await, format!("Details of {}", order[1]));
    press_key(&app, END).await;
    assert_eq!(app.focused().await, format!("Details of {}", order[7]));
    press_key(&app, HOME).await;
    assert_eq!(app.focused().await, format!("Details of {}", order[0]));

    // Enter opens the details; Esc closes them and returns to the row.
    press_key(&app, DOWN).await;
    press_key(&app, ENTER).await;
    let title = app.shown_text("the details", "#detail-title").await;
    assert_eq!(title, order[1]);
    press_key(&app, ESCAPE).await;
    app.until(
        "the details closed",
        "return document.getElementById('detail').hidden",
    )
    .await;
    app.until(
        "focus back on the row",
        &format!(
            "return document.activeElement.getAttribute('aria-label') === {}",
            json!(format!("Details of {}", order[1]))
        ),
    )
    .await;

    // Delete asks to delete the machine in focus, with its name to type; Esc keeps it.
    press_key(&app, DELETE).await;
    let asked = app
        .shown_text("the delete confirmation", "#confirm-title")
        .await;
    assert_eq!(asked, format!("Delete {}?", order[1]));
    app.screenshot("35-glance-delete-by-key").await;
    press_key(&app, ESCAPE).await;
    app.until(
        "the confirmation closed",
        "return !document.getElementById('confirm').open",
    )
    .await;
    assert_eq!(sim.count("DELETE", "/api/compute/v1/instances").await, 0);

    // From a row's checkbox as from its row: Space selects the machine, and Delete asks
    // to delete the selected one (a checkbox is not a text field).
    app.js(&format!(
        "document.querySelector(`input[aria-label=\"${{{}}}\"]`).focus(); return true;",
        json!(format!("Select {}", order[2]))
    ))
    .await;
    press_key(&app, ' ').await;
    app.until(
        "the machine selected",
        "return document.getElementById('bulk-count').textContent.startsWith('1 ')",
    )
    .await;
    press_key(&app, DELETE).await;
    let asked = app
        .shown_text("the delete confirmation from a checkbox", "#confirm-title")
        .await;
    assert_eq!(asked, format!("Delete {}?", order[2]));
    press_key(&app, ESCAPE).await;
    app.until(
        "the confirmation closed",
        "return !document.getElementById('confirm').open",
    )
    .await;
    app.click("Clear selection").await;
    assert_eq!(sim.count("DELETE", "/api/compute/v1/instances").await, 0);

    // Ctrl+N opens Create.
    ctrl(&app, 'n').await;
    app.until("Create", "return document.getElementById('create').open")
        .await;
    press_key(&app, ESCAPE).await;
    app.until(
        "Create closed",
        "return !document.getElementById('create').open",
    )
    .await;

    // F5 reads the list again, and does not reload the page. The rows, unchanged, keep
    // their nodes: a button is not swapped between a press and its release.
    app.js("window.stillTheSamePage = true; window.firstName = document.querySelector('#rows .name-button'); return true;").await;
    let lists = sim.count("GET", "/api/compute/v1/instances").await;
    press_key(&app, F5).await;
    common::eventually(Duration::from_secs(10), || async {
        sim.count("GET", "/api/compute/v1/instances").await > lists
    })
    .await;
    assert!(sim.count("GET", "/api/compute/v1/instances").await > lists);
    assert_eq!(
        app.js("return window.stillTheSamePage === true").await,
        true
    );
    // The read's snapshot (a new time in it) reaches the page and is drawn.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        app.js("return window.firstName.isConnected && document.querySelector('#rows .name-button') === window.firstName").await,
        true,
        "the rows were drawn anew for a list that did not change"
    );

    // ? lists the shortcuts; so does Help → Keyboard shortcuts.
    press_key(&app, '?').await;
    let list = app.shown_text("the shortcuts", "#shortcuts").await;
    for said in ["Ctrl + N", "F5", "Delete", "Enter", "Esc"] {
        assert!(list.contains(said), "{said} missing from {list}");
    }
    app.screenshot("36-shortcuts").await;
    app.assert_accessible("keyboard shortcuts").await;
    press_key(&app, ESCAPE).await;
    app.until(
        "shortcuts closed",
        "return !document.getElementById('shortcuts').open",
    )
    .await;
    app.click("Help").await;
    app.click("Keyboard shortcuts").await;
    app.until(
        "shortcuts from Help",
        "return document.getElementById('shortcuts').open",
    )
    .await;
    app.quit().await;
}
