//! The desktop's light or dark, from GTK's settings (main thread only, like all of GTK),
//! followed while the app runs (`rendering.rs` says why the app decides it, not WebKit).

use gtk::prelude::*;
use tauri::{AppHandle, Manager};

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

/// The desktop's light or dark as last seen on the main thread, for a window made
/// elsewhere (opened again from the tray).
static DARK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn last_known() -> bool {
    DARK.load(std::sync::atomic::Ordering::Relaxed)
}

/// Reads the desktop's light or dark now, and tells the page (its news) whenever it
/// switches. Main thread only.
pub fn follow(app: AppHandle) {
    let dark = prefers_dark();
    DARK.store(dark, std::sync::atomic::Ordering::Relaxed);
    let Some(settings) = gtk::Settings::default() else {
        return;
    };
    let last = std::rc::Rc::new(std::cell::Cell::new(dark));
    let changed = move || {
        let dark = prefers_dark();
        DARK.store(dark, std::sync::atomic::Ordering::Relaxed);
        if last.replace(dark) != dark {
            log::info!(
                "the desktop switched to {}",
                if dark { "dark" } else { "light" }
            );
            app.state::<super::news::Newsroom>().theme(dark);
        }
    };
    let also = changed.clone();
    settings.connect_gtk_theme_name_notify(move |_| changed());
    settings.connect_gtk_application_prefer_dark_theme_notify(move |_| also());
}
