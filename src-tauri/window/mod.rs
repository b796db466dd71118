//! Everything that knows Tauri or GTK: the commands the page calls, the news it asks for,
//! the desktop's notifications, light or dark, how WebKitGTK draws and runs the page's
//! scripts, and the window's first appearance. The rest of the app knows none of them.
//!
//! The code for Linux alone (WebKitGTK's drawing and scripts, GTK's light or dark) is
//! compiled only there, and says so with `cfg(target_os = "linux")`. Elsewhere the web view
//! follows the system's light or dark itself (`ui/js/main.js`), and the app sets no
//! variables for it; everything else here is the same on every system.

pub mod about;
pub mod closing;
pub mod command_names;
pub mod commands;
pub mod connecting;
pub mod first_screen;
#[cfg(target_os = "linux")]
pub mod javascript;
pub mod language;
pub mod main_window;
pub mod news;
pub mod office_hours;
pub mod open_folder;
pub mod programs;
#[cfg(target_os = "linux")]
pub mod rendering;
pub mod sharing;
pub mod sink;
pub mod start_at_login;
pub mod startup;
#[cfg(target_os = "linux")]
pub mod theme;
pub mod tray;
pub mod watching;

/// Every variable `main()` sets for WebKitGTK on Linux before anything starts, given how the
/// environment reads now (`get`): how it draws (`rendering.rs`) and how it runs the page's
/// scripts (`javascript.rs`). Each is left alone where the environment sets it already.
#[cfg(target_os = "linux")]
pub fn linux_defaults(
    get: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Vec<(&'static str, &'static str)> {
    let mut set = rendering::linux_defaults(&get);
    set.extend(javascript::linux_defaults(&get));
    set
}

/// The names of the variables [`set_linux_defaults`] set, for the programs the app starts
/// (`open_folder.rs`) to be started without them.
static SET_BY_APP: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();

/// Sets [`linux_defaults`] in this process, for `main()` before anything starts (and before
/// any other thread exists), and remembers which it set.
#[cfg(target_os = "linux")]
pub fn set_linux_defaults() {
    let set = linux_defaults(|name| std::env::var_os(name));
    for (name, value) in &set {
        std::env::set_var(name, value);
    }
    let _ = SET_BY_APP.set(set.into_iter().map(|(name, _)| name).collect());
}

/// The variables the app set for itself (none until [`set_linux_defaults`] ran).
pub fn set_by_app() -> &'static [&'static str] {
    SET_BY_APP.get().map(Vec::as_slice).unwrap_or_default()
}
