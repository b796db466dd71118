//! The first second of the app: the desk and the window made (the setup of the app's
//! builder), the silent sign-in, the watcher and the session keeper started, when it was
//! launched (for the startup lines in the log), and the window shown once its page has
//! loaded.

use std::time::Instant;

use tauri::Manager;

use super::sink::WindowSink;
use crate::desk::{AccountNews, Desk, Options};
use crate::watch::Policy;

/// Which build this is, said in the log's first line: Tauri's production build (its page
/// served by the app's own protocol, as `tauri build` makes the Linux packages and as the
/// Windows app is built), or the development build the tests run. The Windows check
/// (`.ci/packaging/windows_installer.py`) holds the shipped app to the first.
#[cfg(not(dev))]
pub const BUILD: &str = "Compute Desk production build";
#[cfg(dev)]
pub const BUILD: &str = "Compute Desk development build";

/// The app's setup: the desk (its settings where the system keeps an app's), the window of
/// `tauri.conf.json` marked light or dark and in its language before any of its scripts
/// run, then, in the background, the silent sign-in, the watcher and the session keeper.
pub fn setup(app: &mut tauri::App, options: Options) -> Result<(), Box<dyn std::error::Error>> {
    log::info!("startup: {BUILD} {}", env!("CARGO_PKG_VERSION"));
    let config_dir = app.path().app_config_dir()?;
    let history_dir = app.path().app_data_dir()?.join("history");
    let desk = Desk::on_this_computer(
        &config_dir,
        Policy {
            slow_shutdown: options
                .shutdown_patience
                .unwrap_or(Policy::default().slow_shutdown),
            ..Policy::default()
        },
        options,
    )
    .with_history_dir(history_dir);
    app.manage(desk);
    app.manage(super::news::Newsroom::default());
    app.manage(FirstPaint::default());
    // The desktop's light or dark, read here on the main thread and followed.
    #[cfg(target_os = "linux")]
    super::theme::follow(app.handle().clone());
    // The tray first: a launch at login (`--in-tray`) opens no window when there is one.
    let in_tray = app.state::<Desk>().starts_in_tray();
    let tray = super::tray::show(app.handle());
    app.manage(super::tray::Tray { shown: tray });
    if in_tray && tray {
        log::info!("startup: in the tray, no window (--in-tray: started at login)");
    } else {
        // Created here so that its page is marked light or dark before any of its
        // scripts run (rendering.rs says why the app decides).
        super::main_window::create(app.handle())?;
    }
    let handle = app.handle().clone();
    tauri::async_runtime::spawn(async move {
        let desk = handle.state::<Desk>();
        // Sign in silently while the page loads.
        desk.started().await;
        log::info!("startup: signed in {} ms after launch", since_launch());
        let watcher = desk.watcher().clone();
        let sink = desk.recording(WindowSink {
            app: handle.clone(),
        });
        tauri::async_runtime::spawn(watcher.run(sink));
        // Office hours, for every account, from now until the app ends.
        super::office_hours::run(handle.clone());
        // The watchful eye, for every watched account, likewise.
        super::watching::run(handle.clone());
        let names = handle.clone();
        tauri::async_runtime::spawn(async move {
            names.state::<Desk>().run_names_upkeep().await;
        });
        let news = WindowSink {
            app: handle.clone(),
        };
        // The keeper's first job looks in the keyring for every saved account (a D-Bus
        // round and a key exchange each): not while the first screen is being drawn.
        handle
            .state::<FirstPaint>()
            .wait(KEEPER_WAITS_AT_MOST)
            .await;
        desk.keep_sessions_alive(|news_of| match news_of {
            // The keeper has marked the sign-in lost already; the page is told.
            AccountNews::Lost(_) | AccountNews::Confirmed | AccountNews::Accounts => {
                news.account_changed()
            }
        })
        .await;
    });
    Ok(())
}

/// When [`crate::run`] began, for the startup lines in the log.
pub static LAUNCHED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Milliseconds since the app was launched (since the first call, outside the app).
pub fn since_launch() -> u128 {
    LAUNCHED.get_or_init(Instant::now).elapsed().as_millis()
}

/// The page has painted its first list: work that can wait for the first screen waits
/// for this (at most [`KEEPER_WAITS_AT_MOST`] for the session keeper: a sign-in screen
/// paints no list).
#[derive(Default)]
pub struct FirstPaint {
    painted: tokio::sync::Notify,
    done: std::sync::atomic::AtomicBool,
}

impl FirstPaint {
    /// The first screen is on show.
    pub fn painted(&self) {
        self.done.store(true, std::sync::atomic::Ordering::SeqCst);
        self.painted.notify_waiters();
    }

    /// Waits until the first screen is on show, `at_most` that long.
    pub async fn wait(&self, at_most: std::time::Duration) {
        let notified = self.painted.notified();
        if self.done.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let _ = tokio::time::timeout(at_most, notified).await;
    }
}

/// How long the session keeper waits for the first screen before it starts anyway. Its
/// keyring lookups (one per saved account) otherwise run while the page loads, on the
/// same two cores; the desktop benchmark's launch figures moved by less than their
/// spread when it began to wait, so this is kept for the work it defers, not a gain shown.
const KEEPER_WAITS_AT_MOST: std::time::Duration = std::time::Duration::from_secs(5);
