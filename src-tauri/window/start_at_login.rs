//! "Start at login" (off until the person turns it on): offered once, when the first
//! schedule is saved, and changed from Help. The official autostart plugin writes the
//! entry: on Linux an XDG autostart file (`~/.config/autostart/compute-desk.desktop`), on
//! Windows the user's Run key; either starts the app with `--in-tray`.

use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_autostart::ManagerExt;

use crate::desk::Desk;
use crate::failure::Failure;
use crate::text::Text;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartAtLogin {
    pub on: bool,
    /// Offered once already (with the first schedule).
    pub offered: bool,
}

#[tauri::command]
pub async fn start_at_login<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
) -> Result<StartAtLogin, Failure> {
    Ok(StartAtLogin {
        on: app.autolaunch().is_enabled().unwrap_or(false),
        offered: desk.start_at_login_offered().await,
    })
}

#[tauri::command]
pub async fn set_start_at_login<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
    on: bool,
) -> Result<StartAtLogin, Failure> {
    desk.mark_start_at_login_offered().await;
    let manager = app.autolaunch();
    let changed = if on {
        manager.enable()
    } else {
        manager.disable()
    };
    if let Err(e) = changed {
        return Err(Failure::plain(
            "local",
            Text::new("login.not_changed"),
            format!("Start at login could not be changed: {e}"),
        ));
    }
    log::info!("start at login {}", if on { "on" } else { "off" });
    Ok(StartAtLogin {
        on: manager.is_enabled().unwrap_or(on),
        offered: true,
    })
}
