//! Everything that knows Tauri or GTK: the commands the page calls, the events and
//! notifications it is sent, the desktop's light or dark, how WebKitGTK draws, and the
//! window's first appearance. The rest of the app knows none of them.

pub mod about;
pub mod command_names;
pub mod commands;
pub mod language;
pub mod rendering;
pub mod sink;
pub mod startup;
#[cfg(target_os = "linux")]
pub mod theme;
