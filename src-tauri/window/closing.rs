//! Closing the window while office hours may need the app: with a tray, the window goes
//! and Compute Desk stays in the tray (its web view released, so the app costs little
//! while it waits), as the person chose the first time they closed it (the page asks,
//! with Quit as the other choice, and the choice is kept in the settings). Without a
//! tray, closing quits, as it always did.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::{AppHandle, Manager, Runtime, State, Window};

use super::news::Newsroom;
use super::tray::Tray;
use crate::desk::Desk;
use crate::failure::Failure;

/// Set once the window has gone to the tray: the app does not end with its last window.
static IN_TRAY: AtomicBool = AtomicBool::new(false);

/// The window's close button (or the desktop closing it).
pub fn requested<R: Runtime>(window: &Window<R>, api: &tauri::CloseRequestApi) {
    let app = window.app_handle().clone();
    if window.label() != "main" || !app.state::<Tray>().shown {
        return;
    }
    api.prevent_close();
    tauri::async_runtime::spawn(async move {
        match app.state::<Desk>().close_to_tray().await {
            Some(true) => to_tray(&app),
            Some(false) => app.exit(0),
            // The first time: the page asks.
            None => app.state::<Newsroom>().ask_close(),
        }
    });
}

/// The person's answer to the page's question, kept for every later close.
#[tauri::command]
pub async fn close_choice<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
    tray: bool,
) -> Result<(), Failure> {
    desk.set_close_to_tray(tray).await;
    if tray {
        to_tray(&app);
    } else {
        app.exit(0);
    }
    Ok(())
}

/// Whether the app goes on with no window (it is in the tray).
pub fn in_tray() -> bool {
    IN_TRAY.load(Ordering::SeqCst)
}

fn to_tray<R: Runtime>(app: &AppHandle<R>) {
    IN_TRAY.store(true, Ordering::SeqCst);
    if let Some(window) = app.get_webview_window("main") {
        // Destroyed, not hidden: the web view and its processes go, and come back with
        // Open.
        if let Err(e) = window.destroy() {
            log::warn!("the window could not be closed to the tray: {e}");
        }
    }
    log::info!("window closed to the tray; office hours go on");
}
