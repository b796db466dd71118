//! Office hours in the real window: a schedule set by keyboard alone from a machine's
//! details, shown on its row in plain words, run at its time (the simulator's wall clock
//! moved forward, which the app under test follows with `--clock-from`) and written in
//! the History as done by schedule. Limits on, as the service has them.
//! Run with `bash .ci/session cargo test` (Xvfb, a private D-Bus and keyring).

mod common;

use std::time::Duration;

use common::desktop::{
    from_details_by_keyboard, one_window_at_a_time, press, sign_in_with_key, sim_with, tab_to,
    Desktop, Home,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

/// An off time (UTC, "HH:MM") on a whole minute at least two minutes from now, and when.
fn off_time_ahead() -> (Timestamp, String) {
    off_time_ahead_in("UTC")
}

/// An off time in the time zone `zone` ("HH:MM") on a whole minute at least two minutes
/// from now, and when.
fn off_time_ahead_in(zone: &str) -> (Timestamp, String) {
    let secs = Timestamp::now().as_second() + 120;
    let at = Timestamp::from_second(secs - secs % 60 + 60).unwrap();
    let off = at
        .to_zoned_datetime(jiff::tz::TimeZone::get(zone).unwrap())
        .strftime("%H:%M")
        .to_string();
    (at, off)
}

/// When the stop requests for machine `id` reached the simulator (its request log's ms).
async fn stops_of(sim: &common::Sim, id: &str) -> Vec<u64> {
    sim.requests()
        .await
        .into_iter()
        .filter(|r| {
            r["method"] == "POST" && r["path"].as_str().unwrap().ends_with(&format!("{id}/stop"))
        })
        .map(|r| r["arrivedMs"].as_u64().unwrap())
        .collect()
}

/// Sets, with the command line, in the file the app reads, an off time every day at `off`
/// (UTC) for machine `id` of the account `account` (as `--account` takes it).
fn off_by_command_line(home: &Home, account: &str, id: &str, off: &str) {
    off_by_command_line_in(home, account, id, off, "UTC");
}

/// As [`off_by_command_line`], in the time zone `zone`.
fn off_by_command_line_in(home: &Home, account: &str, id: &str, off: &str, zone: &str) {
    let mut cli = std::process::Command::new(env!("CARGO_BIN_EXE_compute-desk-cli"));
    cli.args(["--account", account, "schedule", "set", "--machines", id])
        .args(["--days", "every-day", "--off", off, "--zone", zone])
        .env_clear()
        .env("XDG_CONFIG_HOME", home.root().join("config"))
        .env("HOME", home.root());
    if let Ok(bus) = std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        cli.env("DBUS_SESSION_BUS_ADDRESS", bus);
    }
    let out = cli.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Waits (at most 30 s) for the first stop of machine `id` to reach `sim`, and says how
/// long after the simulator's clock read `moved` it came.
async fn first_stop_after(sim: &common::Sim, id: &str, moved: u64) -> Option<u64> {
    for _ in 0..150 {
        if let Some(first) = stops_of(sim, id).await.first() {
            return Some(first - moved);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_set_by_keyboard_is_shown_on_its_row_and_run_at_its_time() {
    let _one = one_window_at_a_time();
    let sim = sim_with(&["--instances", "3", "--speed", "10"]);
    let home = Home::new();
    // Its own home: "Start at login" writes under ~/.config/autostart.
    let home_dir = home.root().to_str().unwrap().to_owned();
    let app = Desktop::launch(&home, &["--clock-from", &sim.base], &[("HOME", &home_dir)]).await;
    sign_in_with_key(&app, &sim).await;
    let (id, name) = sim.listed("name").await.into_iter().next().unwrap();
    assert_eq!(
        sim.listed("status")
            .await
            .into_iter()
            .find(|(m, _)| *m == id)
            .unwrap()
            .1,
        "RUNNING"
    );
    // An off time on a whole minute at least two minutes from now, in UTC.
    let (at, off) = off_time_ahead();

    // The machine's details, from its name, by keyboard.
    from_details_by_keyboard(&app, &name, "Add a schedule…", 40, "schedule").await;
    assert_eq!(
        app.focused().await,
        "Monday",
        "the dialog opens on its first day"
    );
    // Every day; no on time; the off time typed; the zone typed over the computer's.
    tab_to(&app, "Every day", 12).await;
    press(&app, &["\u{e007}"]).await;
    tab_to(&app, "Turn on at", 4).await;
    press(&app, &[" "]).await;
    tab_to(&app, "Shut down at", 3).await;
    press(&app, &["\u{e004}"]).await;
    assert_eq!(app.focused().await, "Time to shut down");
    press(&app, &["\u{e009}a", "\u{e003}", &off]).await;
    press(&app, &["\u{e004}"]).await;
    assert_eq!(app.focused().await, "Time zone");
    press(&app, &["\u{e009}a", "\u{e003}", "UTC"]).await;
    let preview = app.text_of("#schedule-preview").await;
    assert_eq!(preview, format!("Every day: off at {off} (UTC time)"));
    app.screenshot("33-the-schedule-dialog").await;
    tab_to(&app, "Save schedule", 12).await;
    press(&app, &["\u{e007}"]).await;
    app.until(
        "the dialog closed",
        "return !document.getElementById('schedule').open",
    )
    .await;

    // With the first schedule, "Start at login" is offered once, off unless said; taken.
    app.until(
        "the offer to start at login",
        "const d = document.getElementById('confirm');
         return d.open && document.getElementById('confirm-title').innerText;",
    )
    .await;
    assert_eq!(
        app.text_of("#confirm-title").await,
        "Start Compute Desk when you log in?"
    );
    let autostart = home.root().join(".config/autostart/compute-desk.desktop");
    assert!(!autostart.exists(), "off until the person says so");
    tab_to(&app, "Start at login", 3).await;
    press(&app, &["\u{e007}"]).await;
    let written = async {
        for _ in 0..50 {
            if let Ok(text) = std::fs::read_to_string(&autostart) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no autostart entry at {}", autostart.display());
    };
    let written = written.await;
    let exec = written
        .lines()
        .find(|l| l.starts_with("Exec="))
        .unwrap_or_default()
        .to_owned();
    assert!(
        exec.ends_with(" --in-tray") && exec.contains("compute-desk"),
        "{written}"
    );

    // On its row, in plain words, and in the details with Edit and Remove.
    let mark = app
        .until(
            "the row's next change",
            &format!(
                "const tr = document.querySelector('#rows tr[data-id=\"{id}\"]');
                 const m = tr && tr.querySelector('.next-change'); return m ? m.innerText : '';"
            ),
        )
        .await;
    assert_eq!(mark, json!(format!("◷ off at {off}")));
    let tip = app
        .js(&format!(
            "return document.querySelector('#rows tr[data-id=\"{id}\"] .next-change').dataset.tip"
        ))
        .await;
    let section = app.text_of(".office-hours").await;
    assert!(
        section.contains(&format!("Every day: off at {off} (UTC time)")),
        "{section}"
    );
    assert!(
        section.contains("Edit") && section.contains("Remove"),
        "{section}"
    );
    assert!(section.contains("while this computer is on"), "{section}");
    app.screenshot("33-a-schedule-on-its-row").await;

    // Four seconds before the off time: sent at its time, and the row follows it.
    let before = at.duration_since(Timestamp::now()) - SignedDuration::from_secs(4);
    sim.move_clock(Duration::try_from(before).unwrap()).await;
    let moved = sim.clock().await;
    let stops = app
        .poll(Duration::from_secs(30), "no stop was sent", || async {
            let stops = stops_of(&sim, &id).await;
            (!stops.is_empty()).then_some(stops)
        })
        .await;
    assert_eq!(stops.len(), 1, "{stops:?}");
    let after = stops[0] - moved;
    assert!(
        (3_000..=9_000).contains(&after),
        "sent {after} ms after the move"
    );
    app.until_state(&name, "■ Stopped").await;
    // The row moves on to tomorrow's.
    app.until(
        "the row's mark moved on",
        &format!(
            "const m = document.querySelector('#rows tr[data-id=\"{id}\"] .next-change');
             return m && m.dataset.tip !== {tip} ? m.dataset.tip : '';"
        ),
    )
    .await;

    // The History says it, as done by schedule.
    app.click("History").await;
    app.until(
        "the History panel",
        "return document.getElementById('history').open",
    )
    .await;
    let entry = app
        .until(
            "the scheduled shutdown in the History",
            &format!(
                "const li = [...document.querySelectorAll('#history-list li')].find((li) =>
                   li.querySelector('.what').innerText.endsWith({n}) && li.classList.contains('done'));
                 return li ? li.innerText : '';",
                n = json!(format!("Shut down {name}"))
            ),
        )
        .await;
    assert!(entry.as_str().unwrap().contains("by schedule"), "{entry}");
    app.screenshot("33-history-by-schedule").await;

    // Help's "Start at login", pressed again: off, the entry gone.
    app.click("Close").await;
    app.click("Help").await;
    app.until(
        "Start at login shown on",
        "return document.getElementById('login-toggle').getAttribute('aria-pressed') === 'true'",
    )
    .await;
    app.click("Start at login").await;
    app.until(
        "Start at login off",
        "return document.getElementById('login-toggle').getAttribute('aria-pressed') === 'false'",
    )
    .await;
    assert!(!autostart.exists(), "the autostart entry removed");
    app.quit().await;
}

/// The person closes the window for the first time: asked, they keep Compute Desk in the
/// tray; the window and its web view go, the app stays, and a schedule set meanwhile from
/// the command line still runs at its time. A second launch opens the window again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_to_the_tray_the_web_view_goes_and_a_schedule_still_runs() {
    let _one = one_window_at_a_time();
    let sim = sim_with(&["--instances", "3", "--speed", "10"]);
    let home = Home::new();
    let app = Desktop::launch(&home, &["--clock-from", &sim.base], &[]).await;
    sign_in_with_key(&app, &sim).await;
    let (id, _) = sim.listed("name").await.into_iter().next().unwrap();
    let (at, off) = off_time_ahead();
    // Set from the command line, in the file the app reads.
    off_by_command_line(&home, "1", &id, &off);

    // Closed as the desktop closes it: the first time, the page asks; kept in the tray.
    common::desktop::close_to_tray(&app, "33-close-to-the-tray").await;
    let web_processes = common::desktop::web_processes;
    let settings = std::fs::read_to_string(home.config_dir().join("settings.json")).unwrap();
    assert!(settings.contains("\"closeToTray\": true"), "{settings}");

    // With no window, the off time still comes, and is done.
    let before = at.duration_since(Timestamp::now()) - SignedDuration::from_secs(4);
    sim.move_clock(Duration::try_from(before).unwrap()).await;
    let moved = sim.clock().await;
    let after = first_stop_after(&sim, &id, moved)
        .await
        .expect("the scheduled stop was sent with the window closed");
    assert!(
        (3_000..=9_000).contains(&after),
        "sent {after} ms after the move"
    );

    // Launched again (as from the menu), the one running opens its window anew.
    let mut again = std::process::Command::new(env!("CARGO_BIN_EXE_compute-desk"));
    again
        .env("XDG_CONFIG_HOME", home.root().join("config"))
        .env("XDG_DATA_HOME", home.root().join("data"))
        .env("XDG_CACHE_HOME", home.root().join("cache"));
    let mut second = again.spawn().unwrap();
    let mut ended = None;
    for _ in 0..150 {
        ended = second.try_wait().unwrap();
        if ended.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if ended.is_none() {
        let _ = second.kill();
    }
    assert!(
        ended.is_some_and(|s| s.success()),
        "the second launch hands over and ends: {ended:?}"
    );
    let reopened = async {
        for _ in 0..100 {
            if web_processes(&app) > 0 {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    };
    let reopened = reopened.await;
    if !reopened {
        for (path, bytes) in common::desktop::files_under(home.root()) {
            if path.extension().is_some_and(|e| e == "log") {
                eprintln!(
                    "LOG {}:\n{}",
                    path.display(),
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
    }
    assert!(reopened, "the window was made again: {:?}", app.processes());
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_accounts_schedule_runs_while_the_first_is_on_screen_and_touches_nothing_of_it() {
    let _one = one_window_at_a_time();
    let notifications = common::notifications::Notifications::serve();
    // The account whose schedule runs, and the one on screen meanwhile.
    let scheduled = sim_with(&["--instances", "3", "--speed", "10"]);
    let shown = sim_with(&["--instances", "4", "--speed", "10"]);
    let home = Home::new();
    let app = Desktop::launch(&home, &["--clock-from", &scheduled.base], &[]).await;
    sign_in_with_key(&app, &scheduled).await;
    let (id, name) = scheduled.listed("name").await.into_iter().next().unwrap();
    let (at, off) = off_time_ahead();
    off_by_command_line(&home, "1", &id, &off);
    // The second account, added from the menu, on screen from now on.
    app.click(&app.text_of("#account").await).await;
    app.click("Add account…").await;
    sign_in_with_key(&app, &shown).await;
    app.until(
        "the second account's machines",
        "return document.querySelectorAll('#rows tr.machine').length === 4",
    )
    .await;
    let rows = "return [...document.querySelectorAll('#rows tr.machine')].map((t) => t.innerText).join('\\n')";
    let screen_before = app.js(rows).await;
    shown.clear_requests().await;

    let before = at.duration_since(Timestamp::now()) - SignedDuration::from_secs(4);
    scheduled
        .move_clock(Duration::try_from(before).unwrap())
        .await;
    let moved = scheduled.clock().await;
    let after = first_stop_after(&scheduled, &id, moved)
        .await
        .expect("the other account's scheduled stop was sent");
    assert!(
        (3_000..=9_000).contains(&after),
        "sent {after} ms after the move"
    );
    // Told, naming the machine, once it stopped.
    let told = app
        .poll(Duration::from_secs(30), "no notification", || async {
            notifications
                .shown()
                .into_iter()
                .find(|n| n.body.contains(&name))
        })
        .await;
    assert_eq!(
        told.body,
        format!("Shut down by schedule: {name}"),
        "{told:?}"
    );
    // Nothing of it reached the account on screen: no action, and its screen as it was.
    let to_shown: Vec<_> = shown
        .requests()
        .await
        .into_iter()
        .filter(|r| r["method"] != "GET")
        .collect();
    assert!(to_shown.is_empty(), "{to_shown:?}");
    assert_eq!(app.js(rows).await, screen_before);
    assert_eq!(
        app.js("return document.querySelectorAll('#rows tr.machine').length")
            .await,
        4
    );
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_off_time_missed_while_the_app_was_closed_is_done_at_the_next_launch() {
    let _one = one_window_at_a_time();
    let sim = sim_with(&["--instances", "3", "--speed", "10"]);
    let home = Home::new();
    let app = Desktop::launch(&home, &["--clock-from", &sim.base], &[]).await;
    sign_in_with_key(&app, &sim).await;
    let (id, name) = sim.listed("name").await.into_iter().next().unwrap();
    // In a zone where the off time and three minutes after it fall on the same day.
    let zone = if Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .hour()
        == 23
    {
        "Etc/GMT-2"
    } else {
        "UTC"
    };
    let (at, off) = off_time_ahead_in(zone);
    off_by_command_line_in(&home, "1", &id, &off, zone);
    let first: Vec<u32> = app
        .processes()
        .into_iter()
        .filter(|(_, name)| name.starts_with("compute-desk"))
        .map(|(pid, _)| pid)
        .collect();
    assert!(!first.is_empty());
    app.quit().await;
    let gone = |pid: &u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |stat| {
            stat.rsplit(')').next().unwrap_or("").starts_with(" Z")
        })
    };
    assert!(first.iter().all(gone), "Compute Desk is closed: {first:?}");

    // The off time passes while Compute Desk is closed: three minutes after it, so that
    // it is missed (two minutes late is still on time), inside its day's off part.
    let past = at.duration_since(Timestamp::now()) + SignedDuration::from_secs(180);
    sim.move_clock(Duration::try_from(past).unwrap()).await;
    let moved = sim.clock().await;
    assert!(stops_of(&sim, &id).await.is_empty());

    // Launched again: signed in silently, the missed off time done at once.
    let app = Desktop::launch(&home, &["--clock-from", &sim.base], &[]).await;
    let after = first_stop_after(&sim, &id, moved).await;
    if after.is_none() {
        for (path, bytes) in common::desktop::files_under(home.root()) {
            eprintln!(
                "FILE {}:\n{}",
                path.display(),
                String::from_utf8_lossy(&bytes)
            );
        }
    }
    let after = after.expect("the missed stop was sent at launch");
    eprintln!(
        "missed off time: sent {after} ms after the clock moved past it (the launch included)"
    );
    app.until_state(&name, "■ Stopped").await;
    app.click("History").await;
    let said = app
        .until(
            "the decision in the History",
            "const e = [...document.querySelectorAll('#history-list .entry')].find((e) => /Missed at/.test(e.innerText));
             return e ? e.innerText : '';",
        )
        .await;
    let said = said.as_str().unwrap();
    assert!(
        said.contains(&format!(
            "Missed at {off} while this computer was off or Compute Desk was closed; shut down at "
        )),
        "{said}"
    );
    app.screenshot("33-missed-off-in-the-history").await;
    app.quit().await;
}
