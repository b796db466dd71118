//! Everything that knows Tauri or GTK: the commands the page calls, the news it asks for
//! and the notifications the desktop is sent, the desktop's light or dark, how WebKitGTK draws, and the
//! window's first appearance. The rest of the app knows none of them.

pub mod about;
pub mod command_names;
pub mod commands;
pub mod javascript;
pub mod language;
pub mod news;
pub mod rendering;
pub mod sink;
pub mod startup;
#[cfg(target_os = "linux")]
pub mod theme;

/// Every variable `main()` sets for WebKitGTK on Linux before anything starts, given how the
/// environment reads now (`get`): how it draws (`rendering.rs`) and how it runs the page's
/// scripts (`javascript.rs`). Each is left alone where the environment sets it already.
pub fn linux_defaults(
    get: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Vec<(&'static str, &'static str)> {
    let mut set = rendering::linux_defaults(&get);
    set.extend(javascript::linux_defaults(&get));
    set
}
