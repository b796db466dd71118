//! The main window: made from `tauri.conf.json` (hidden until its page has loaded, marked
//! light or dark and in its language before any of its scripts run), shown once its page
//! is there, and made again when it is opened from the tray after it was closed there.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::{AppHandle, Manager, Runtime};

use super::startup::since_launch;
use crate::desk::Desk;

/// How long the page may take to load before the window is shown without it.
pub const SHOW_ANYWAY: std::time::Duration = std::time::Duration::from_secs(3);

/// Whether the window made last has been shown.
static SHOWN: AtomicBool = AtomicBool::new(false);

/// Makes the window of `tauri.conf.json`, hidden until its page has loaded.
pub fn create<R: Runtime>(app: &AppHandle<R>) -> Result<(), Box<dyn std::error::Error>> {
    let config = app
        .config()
        .app
        .windows
        .first()
        .cloned()
        .ok_or("tauri.conf.json describes no window")?;
    let language = app.state::<Desk>().language();
    let window = tauri::WebviewWindowBuilder::from_config(app, &config)?
        .initialization_script(super::language::script(language));
    // As last seen on the main thread: GTK may not be asked from a task.
    #[cfg(target_os = "linux")]
    let window =
        window.initialization_script(super::rendering::theme_script(super::theme::last_known()));
    SHOWN.store(false, Ordering::SeqCst);
    window.build()?;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SHOW_ANYWAY).await;
        show(&app, "page still loading");
    });
    Ok(())
}

/// Brings the window to the front, making it again if it was closed to the tray.
pub fn open<R: Runtime>(app: &AppHandle<R>) {
    let window = app.get_webview_window("main");
    log::info!(
        "window: opened ({})",
        if window.is_some() {
            "in front"
        } else {
            "made again"
        }
    );
    match window {
        Some(window) => {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
        // Called on the main thread (the tray's menu, a second launch handing over), where
        // making a window waits for that thread itself: made from a task.
        None => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(e) = create(&app) {
                    log::warn!("the window could not be opened again: {e}");
                }
            });
        }
    }
}

/// Shows the main window, once for each time it is made: when its page has loaded, or
/// after [`SHOW_ANYWAY`] if the page never finishes loading (a blank window still beats
/// no window).
///
/// The window is made hidden (`tauri.conf.json`): with WebKitGTK's DMA-BUF renderer
/// off, a window drawn while its web process is still starting leaves the app's main
/// thread in a timed wait inside WebKit for that process, about half a second (measured:
/// 1 launch in 4, the page starting to load ~750 ms after launch instead of ~250; never
/// with the window hidden). Hidden until the page is there, the first thing a person sees
/// is the page, never a blank window.
pub fn show<R: Runtime>(app: &AppHandle<R>, why: &str) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    if SHOWN.swap(true, Ordering::SeqCst) {
        return;
    }
    if let Err(e) = window.show() {
        log::warn!("the window could not be shown: {e}");
    }
    log::info!(
        "startup: window shown ({why}) {} ms after launch",
        since_launch()
    );
}
