//! Compute Desk: a desktop app for running ThreatWinds Compute machines.
//!
//! This file only assembles the pieces; each module says why it exists, and
//! ARCHITECTURE.md says what may depend on what.

pub mod api;
pub mod connect;
pub mod desk;
pub mod failure;
pub mod fingerprint;
pub mod history;
pub mod i18n;
pub mod schedule;
pub mod session;
pub mod settings;
pub mod sim;
pub mod stderr_log;
pub mod text;
pub mod vault;
pub mod watch;
pub mod whats_new;
pub mod window;

use std::time::Instant;

use tauri::{Manager, WindowEvent};

use desk::{Desk, Options};
use window::startup::LAUNCHED;
use window::{
    closing, commands, connecting, main_window, office_hours, sharing, start_at_login, watching,
};

/// Starts the desktop app and blocks until its last window closes.
pub fn run(options: Options) {
    LAUNCHED.get_or_init(Instant::now);
    tauri::Builder::default()
        // First, so a second launch hands over before anything else starts.
        // It opens the window, made again if it was closed to the tray.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            main_window::open(app)
        }))
        .plugin(
            tauri_plugin_log::Builder::new()
                .level(log::LevelFilter::Info)
                .targets([
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::Stdout),
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::LogDir {
                        file_name: Some(window::about::LOG_FILE_STEM.into()),
                    }),
                ])
                .build(),
        )
        // Not VISIBLE: the window stays hidden until its page has loaded (main_window::show).
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
        // Started at login to sit in the tray; named as the package names the app.
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .app_name("compute-desk")
                .arg("--in-tray")
                .build(),
        )
        .setup(move |app| window::startup::setup(app, options))
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                main_window::show(webview.app_handle(), "page loaded");
            }
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                closing::requested(window, api);
            }
            if let WindowEvent::Focused(true) = event {
                let app = window.app_handle().clone();
                tauri::async_runtime::spawn(async move {
                    app.state::<Desk>()
                        .watcher()
                        .update(|w| w.focused(Instant::now()))
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
            commands::switch_account,
            commands::remove_account,
            commands::edit_account,
            commands::machines,
            commands::act,
            commands::pacing,
            commands::stop_run,
            commands::run_results,
            commands::create_options,
            commands::create,
            commands::zones,
            commands::refresh,
            commands::set_visible,
            commands::dismiss_error,
            commands::save_sort,
            commands::history,
            commands::set_language,
            commands::about,
            commands::list_painted,
            commands::news,
            commands::open_log_folder,
            office_hours::schedules,
            office_hours::set_schedule,
            office_hours::remove_schedule,
            office_hours::pause_schedules,
            watching::set_watching,
            watching::set_group_watching,
            commands::set_name,
            connecting::connect_options,
            connecting::connect,
            sharing::export_names,
            sharing::open_exports_folder,
            sharing::plan_names_import,
            sharing::import_names,
            closing::close_choice,
            start_at_login::start_at_login,
            start_at_login::set_start_at_login,
        ])
        .build(tauri::generate_context!())
        .expect("the Compute Desk window could not be started")
        .run(|_app, event| {
            // The window closed to the tray: the app goes on without one.
            if let tauri::RunEvent::ExitRequested {
                code: None, api, ..
            } = &event
            {
                if closing::in_tray() {
                    api.prevent_exit();
                }
            }
            if let tauri::RunEvent::Exit = event {
                // What the history queued reaches the disk before the process ends.
                history::Writer::shared().flush();
            }
        });
}
