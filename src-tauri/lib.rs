//! Compute Desk: a desktop app for running ThreatWinds Compute machines.
//!
//! This file only wires the pieces together; each module says why it exists, and
//! ARCHITECTURE.md says what may depend on what.

pub mod api;
mod commands;
pub mod desk;
pub mod failure;
pub mod pace;
pub mod rendering;
pub mod session;
pub mod settings;
pub mod sim;
pub mod stderr_log;
pub mod vault;
pub mod watch;

use std::time::Instant;

use tauri::{AppHandle, Emitter, Manager, WindowEvent};

use desk::{AccountNews, Desk, Options};
use failure::Failure;
use watch::{Finished, Policy, Sink, Snapshot};

/// Pushes the watcher's news to the window.
struct WindowSink {
    app: AppHandle,
}

impl Sink for WindowSink {
    fn snapshot(&self, snapshot: Snapshot) {
        static FIRST: std::sync::Once = std::sync::Once::new();
        FIRST.call_once(|| {
            log::info!(
                "startup: first list ({} machines) sent {} ms after launch",
                snapshot.machines.len(),
                since_launch()
            )
        });
        if let Err(e) = self.app.emit("machines", snapshot) {
            log::warn!("watch: could not reach the window: {e}");
        }
    }

    fn finished(&self, finished: Vec<Finished>) {
        let focused = self
            .app
            .get_webview_window("main")
            .and_then(|w| w.is_focused().ok())
            .unwrap_or(false);
        if focused {
            return;
        }
        for f in finished.into_iter().filter(|f| f.action.is_long()) {
            let body = if f.ok {
                format!("{} {}.", f.name, f.action.done())
            } else {
                format!("{} did not finish. Open Compute Desk to see why.", f.name)
            };
            let app = self.app.clone();
            // Desktop notifications go over D-Bus and may block; never on the watcher.
            tauri::async_runtime::spawn_blocking(move || {
                use tauri_plugin_notification::NotificationExt;
                if let Err(e) = app
                    .notification()
                    .builder()
                    .title("Compute Desk")
                    .body(body)
                    .show()
                {
                    log::info!("notification not shown: {e}");
                }
            });
        }
    }

    fn auth_lost(&self, failure: Failure) {
        let app = self.app.clone();
        tauri::async_runtime::spawn(async move {
            let view = app.state::<Desk>().auth_lost(&failure).await;
            let _ = app.emit("account", view);
        });
    }
}

impl WindowSink {
    /// The account's details changed (a saved sign-in was confirmed): the top bar says
    /// whose it is now.
    fn account_changed(&self) {
        let app = self.app.clone();
        tauri::async_runtime::spawn(async move {
            let view = app.state::<Desk>().view().await;
            let _ = app.emit("account", view);
        });
    }
}

/// The desktop's light or dark, from GTK's settings (main thread only, like all of GTK).
#[cfg(target_os = "linux")]
mod desktop_theme {
    use gtk::prelude::*;
    use tauri::{AppHandle, Emitter};

    pub fn prefers_dark() -> bool {
        let Some(settings) = gtk::Settings::default() else {
            return false;
        };
        super::rendering::gtk_prefers_dark(
            settings.is_gtk_application_prefer_dark_theme(),
            std::env::var("GTK_THEME").ok().as_deref(),
            settings.gtk_theme_name().as_deref(),
        )
    }

    /// Sends the page `theme` (true for dark) whenever the desktop switches from `dark`.
    pub fn follow(app: AppHandle, dark: bool) {
        let Some(settings) = gtk::Settings::default() else {
            return;
        };
        let last = std::rc::Rc::new(std::cell::Cell::new(dark));
        let changed = move || {
            let dark = prefers_dark();
            if last.replace(dark) != dark {
                log::info!(
                    "the desktop switched to {}",
                    if dark { "dark" } else { "light" }
                );
                let _ = app.emit("theme", dark);
            }
        };
        let also = changed.clone();
        settings.connect_gtk_theme_name_notify(move |_| changed());
        settings.connect_gtk_application_prefer_dark_theme_notify(move |_| also());
    }
}

/// When [`run`] began, for the startup lines in the log.
static LAUNCHED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Milliseconds since the app was launched (since the first call, outside the app).
fn since_launch() -> u128 {
    LAUNCHED.get_or_init(Instant::now).elapsed().as_millis()
}

/// Shows the main window, once: when its page has loaded, or after [`SHOW_ANYWAY`] if the
/// page never finishes loading (a blank window still beats no window).
///
/// The window is created hidden (`tauri.conf.json`): with WebKitGTK's DMA-BUF renderer
/// off, a window drawn while its web process is still starting leaves the app's main
/// thread in a timed wait inside WebKit for that process, about half a second (measured:
/// 1 launch in 4, the page starting to load ~750 ms after launch instead of ~250; never
/// with the window hidden). Hidden until the page is there, the first thing a person sees
/// is the page, never a blank window.
fn show_main_window(app: &AppHandle, why: &str) {
    static SHOWN: std::sync::Once = std::sync::Once::new();
    SHOWN.call_once(|| {
        if let Some(window) = app.get_webview_window("main") {
            if let Err(e) = window.show() {
                log::warn!("the window could not be shown: {e}");
            }
            log::info!(
                "startup: window shown ({why}) {} ms after launch",
                since_launch()
            );
        }
    });
}

/// How long the page may take to load before the window is shown without it.
const SHOW_ANYWAY: std::time::Duration = std::time::Duration::from_secs(3);

/// Starts the desktop app and blocks until its last window closes.
pub fn run(options: Options) {
    LAUNCHED.get_or_init(Instant::now);
    tauri::Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(
            tauri_plugin_log::Builder::new()
                .level(log::LevelFilter::Info)
                .targets([
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::Stdout),
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::LogDir {
                        file_name: None,
                    }),
                ])
                .build(),
        )
        // Not VISIBLE: the window stays hidden until its page has loaded (show_main_window).
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .setup(move |app| {
            let config_dir = app.path().app_config_dir()?;
            let desk = Desk::new(
                &config_dir,
                vault::Vault::default(),
                Policy {
                    slow_shutdown: options
                        .shutdown_patience
                        .unwrap_or(Policy::default().slow_shutdown),
                    ..Policy::default()
                },
                options,
            );
            app.manage(desk);
            // The window of tauri.conf.json, created here so that its page is marked light
            // or dark before any of its scripts run (rendering.rs says why the app decides).
            let config = app
                .config()
                .app
                .windows
                .first()
                .cloned()
                .ok_or("tauri.conf.json describes no window")?;
            let window = tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?;
            #[cfg(target_os = "linux")]
            let dark = desktop_theme::prefers_dark();
            #[cfg(target_os = "linux")]
            let window = window.initialization_script(rendering::theme_script(dark));
            window.build()?;
            #[cfg(target_os = "linux")]
            desktop_theme::follow(app.handle().clone(), dark);
            let app_for_show = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(SHOW_ANYWAY).await;
                show_main_window(&app_for_show, "page still loading");
            });
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let desk = handle.state::<Desk>();
                // Sign in silently while the page loads.
                desk.started().await;
                log::info!("startup: signed in {} ms after launch", since_launch());
                let watcher = desk.watcher().clone();
                let sink = WindowSink {
                    app: handle.clone(),
                };
                tauri::async_runtime::spawn(watcher.run(sink));
                let news = WindowSink {
                    app: handle.clone(),
                };
                desk.keep_sessions_alive(|news_of| match news_of {
                    AccountNews::Lost(failure) => news.auth_lost(failure),
                    AccountNews::Confirmed => news.account_changed(),
                })
                .await;
            });
            Ok(())
        })
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                show_main_window(webview.app_handle(), "page loaded");
            }
        })
        .on_window_event(|window, event| {
            if let WindowEvent::Focused(true) = event {
                let app = window.app_handle().clone();
                tauri::async_runtime::spawn(async move {
                    app.state::<Desk>()
                        .watcher()
                        .update(|w| {
                            w.set_visible(true);
                            w.refresh_now();
                        })
                        .await;
                });
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::start,
            commands::app_state,
            commands::sign_in_with_key,
            commands::email_start,
            commands::email_verify,
            commands::email_cancel,
            commands::start_demo,
            commands::sign_out,
            commands::machines,
            commands::act,
            commands::create_options,
            commands::create,
            commands::zones,
            commands::refresh,
            commands::set_visible,
            commands::dismiss_error,
            commands::save_sort,
        ])
        .run(tauri::generate_context!())
        .expect("the Compute Desk window could not be started");
}
