//! Compute Desk: a desktop app for running ThreatWinds Compute machines.
//!
//! This file only wires the pieces together; each module says why it exists, and
//! ARCHITECTURE.md says what may depend on what.

pub mod api;
pub mod sim;
pub mod stderr_log;

/// Starts the desktop app and blocks until its last window closes.
pub fn run(demo: bool) {
    tauri::Builder::default()
        .setup(move |app| {
            if demo {
                use tauri::Manager;
                if let Some(window) = app.get_webview_window("main") {
                    window.set_title("Compute Desk (demo)")?;
                }
            }
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the Compute Desk window could not be started");
}
