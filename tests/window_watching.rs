//! The watchful eye in the real window: turned on by keyboard from the account menu, the
//! window closed to the tray, and a machine then shut down by someone else (another
//! program with the account's key, as a colleague would): a desktop notification names
//! the account and the machine within two minutes. Limits on, as the service has them.
//! Run with `bash .ci/session cargo test` (Xvfb, a private D-Bus and keyring).

mod common;

use std::time::{Duration, Instant};

use common::desktop::{
    close_to_tray, one_window_at_a_time, press, sign_in_with_key, sim_with, tab_to, Desktop, Home,
    KEY, SECRET,
};
use common::notifications::Notifications;
use compute_desk::api::{Credentials, PowerAction};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_machine_stopped_by_someone_else_is_notified_with_the_window_in_the_tray() {
    let _one = one_window_at_a_time();
    let notifications = Notifications::serve();
    let sim = sim_with(&["--instances", "3", "--speed", "10"]);
    let home = Home::new();
    let app = Desktop::launch(&home, &[], &[]).await;
    sign_in_with_key(&app, &sim).await;
    let (id, name) = sim.running().await.remove(0);

    // The account menu, by keyboard: its switch for the account on screen.
    app.js("document.getElementById('account').focus()").await;
    press(&app, &["\u{e007}"]).await;
    app.until(
        "the account menu",
        "return !document.getElementById('account-menu').hidden",
    )
    .await;
    let switch = "Tell me when a machine stops that nobody here stopped";
    tab_to(&app, switch, 12).await;
    let pressed = "return document.getElementById('watch-toggle').getAttribute('aria-pressed')";
    assert_eq!(
        app.js(pressed).await,
        "false",
        "off until the person says so"
    );
    assert_eq!(
        app.text_of("#watch-hint").await,
        "Watched while this computer is on and Compute Desk is running, even with its window closed."
    );
    press(&app, &["\u{e007}"]).await;
    app.until(
        "the switch on",
        "return document.getElementById('watch-toggle').getAttribute('aria-pressed') === 'true'",
    )
    .await;
    app.screenshot("33-watching-on").await;
    let kept = std::fs::read_to_string(home.config_dir().join("schedules.json")).unwrap();
    assert!(kept.contains("\"watch\": true"), "{kept}");
    press(&app, &["\u{e00c}"]).await;

    // What runs was known when the switch went on (the list on screen); closed now, the
    // eye reads for itself.
    close_to_tray(&app, "33-watching-close-to-the-tray").await;

    // Shut down by someone else.
    let stopped_at = Instant::now();
    let colleague = sim.client_with(Credentials::key_pair(KEY, SECRET));
    colleague.power(&id, PowerAction::Stop).await.unwrap();
    let mut told = None;
    while stopped_at.elapsed() < Duration::from_secs(120) {
        told = notifications
            .shown()
            .into_iter()
            .find(|n| n.body.contains(&name));
        if told.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let told = told.unwrap_or_else(|| {
        panic!(
            "no notification within 2 minutes: {:?}",
            notifications.shown()
        )
    });
    eprintln!(
        "watching: notified {} ms after the stop was asked",
        stopped_at.elapsed().as_millis()
    );
    assert_eq!(
        told.summary, "demo@computedesk.example",
        "names the account"
    );
    assert!(
        told.body.starts_with(&format!("{name} stopped at "))
            && told
                .body
                .ends_with("and nobody on this computer stopped it."),
        "{told:?}"
    );
    assert_eq!(
        notifications
            .shown()
            .iter()
            .filter(|n| n.body.contains("nobody"))
            .count(),
        1,
        "told once"
    );
    app.quit().await;
}
