//! The tray: Compute Desk's icon while it runs, with its window open or closed. Its menu:
//! Open, the next scheduled change (of the account on screen), Pause schedules for today,
//! Quit; a left click opens the window. In the person's language, and kept current every
//! few seconds. On Linux it needs the desktop's AppIndicator library (the package depends
//! on it); where it cannot be shown, closing the window quits, as before.

use std::time::Duration;

use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

use crate::desk::Desk;
use crate::text::Text;

/// How often the menu's next change and pause are brought up to date.
const REFRESH_EVERY: Duration = Duration::from_secs(20);

/// Whether the tray is there (then closing the window can keep the app running).
pub struct Tray {
    pub shown: bool,
}

/// Puts the icon in the tray; false when the desktop cannot show one. (On Linux the tray
/// library panics when the AppIndicator library is missing: caught, so a system without
/// it runs the app as before.)
pub fn show<R: Runtime>(app: &AppHandle<R>) -> bool {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(app))) {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            log::warn!("tray: not shown ({e}); closing the window quits");
            false
        }
        Err(_) => {
            log::warn!("tray: the desktop's tray library is missing; closing the window quits");
            false
        }
    }
}

fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let lang = app.state::<Desk>().language();
    let say = |key: &str| lang.say(&Text::new(key));
    let open = MenuItem::with_id(app, "open", say("tray.open"), true, None::<&str>)?;
    let next = MenuItem::with_id(app, "next", say("tray.no_next"), false, None::<&str>)?;
    let pause = CheckMenuItem::with_id(app, "pause", say("tray.pause"), true, false, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", say("tray.quit"), true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &open,
            &next,
            &pause,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let mut tray = TrayIconBuilder::with_id("main")
        .tooltip("Compute Desk")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => super::main_window::open(app),
            "pause" => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let desk = app.state::<Desk>();
                    let paused = desk.schedules_view().await.paused_until.is_some();
                    if let Err(e) = desk.pause_schedules_today(!paused).await {
                        log::warn!("tray: pause not kept: {}", e.message);
                    }
                });
            }
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                super::main_window::open(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    // The next change and the pause, kept current.
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let desk = app.state::<Desk>();
            let view = desk.schedules_view().await;
            let lang = desk.language();
            let words = next_words(&view, lang);
            let _ = next.set_text(words);
            let _ = pause.set_checked(view.paused_until.is_some());
            tokio::time::sleep(REFRESH_EVERY).await;
        }
    });
    Ok(())
}

/// "Next: off at 19:00 (web-1)", or that none comes.
fn next_words(view: &crate::desk::SchedulesView, lang: crate::i18n::Lang) -> String {
    if view.paused_until.is_some() {
        return lang.say(&Text::new("tray.paused"));
    }
    let next = view
        .schedules
        .iter()
        .filter_map(|s| s.next.as_ref().map(|n| (n, s.schedule.machines.len())))
        .min_by_key(|(n, _)| n.at);
    match next {
        None => lang.say(&Text::new("tray.no_next")),
        Some((n, machines)) => lang.say(
            &Text::new(format!("tray.next_{}", n.turn.name()))
                .with("time", n.time.clone())
                .with("n", machines.to_string()),
        ),
    }
}
