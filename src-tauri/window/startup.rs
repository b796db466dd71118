//! The first second of the app: when it was launched (for the startup lines in the log)
//! and showing the window once its page has loaded.

use std::time::Instant;

use tauri::{AppHandle, Manager};

/// When [`crate::run`] began, for the startup lines in the log.
pub static LAUNCHED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Milliseconds since the app was launched (since the first call, outside the app).
pub fn since_launch() -> u128 {
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
pub fn show_main_window(app: &AppHandle, why: &str) {
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
pub const SHOW_ANYWAY: std::time::Duration = std::time::Duration::from_secs(3);
