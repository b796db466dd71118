//! The web view's commands: each a line or two over [`Desk`], returning the UI shapes
//! (`AppView`, `Snapshot`, `Failure`), none of which can hold a secret. `build.rs` lists
//! them so that the capability file must grant each one by name.

use tauri::{AppHandle, Manager, Runtime, State};

use crate::desk::{ActionResult, AppView, CreateOptions, Desk};
use crate::failure::Failure;
use crate::settings::SortPreference;
use crate::watch::{Row, Snapshot};

/// The window title says when the machines are the demo's.
fn titled<R: Runtime>(app: &AppHandle<R>, view: AppView) -> AppView {
    if let Some(window) = app.get_webview_window("main") {
        let title = if view.demo {
            "Compute Desk (demo)"
        } else {
            "Compute Desk"
        };
        let _ = window.set_title(title);
    }
    view
}

/// The first call of the page: waits for the silent sign-in started at launch.
#[tauri::command]
pub async fn start<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
) -> Result<AppView, Failure> {
    log::info!(
        "startup: page asked to start {} ms after launch",
        crate::since_launch()
    );
    Ok(titled(&app, desk.started().await))
}

#[tauri::command]
pub async fn app_state(desk: State<'_, Desk>) -> Result<AppView, Failure> {
    Ok(desk.view().await)
}

#[tauri::command]
pub async fn sign_in_with_key<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
    server: String,
    key: String,
    secret: String,
) -> Result<AppView, Failure> {
    Ok(titled(
        &app,
        desk.sign_in_with_key(&server, &key, &secret).await?,
    ))
}

#[tauri::command]
pub async fn email_start(
    desk: State<'_, Desk>,
    server: String,
    email: String,
) -> Result<AppView, Failure> {
    desk.email_start(&server, &email).await
}

#[tauri::command]
pub async fn email_verify<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
    code: String,
) -> Result<AppView, Failure> {
    Ok(titled(&app, desk.email_verify(&code).await?))
}

#[tauri::command]
pub async fn email_cancel(desk: State<'_, Desk>) -> Result<AppView, Failure> {
    Ok(desk.email_cancel().await)
}

#[tauri::command]
pub async fn start_demo<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
) -> Result<AppView, Failure> {
    Ok(titled(&app, desk.demo().await?))
}

#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
) -> Result<AppView, Failure> {
    Ok(titled(&app, desk.sign_out().await))
}

#[tauri::command]
pub async fn machines(desk: State<'_, Desk>) -> Result<Snapshot, Failure> {
    Ok(desk.watcher().snapshot().await)
}

#[tauri::command]
pub async fn act(
    desk: State<'_, Desk>,
    ids: Vec<String>,
    action: String,
) -> Result<Vec<ActionResult>, Failure> {
    desk.act(&ids, &action).await
}

#[tauri::command]
pub async fn create_options(desk: State<'_, Desk>) -> Result<CreateOptions, Failure> {
    desk.create_options().await
}

#[tauri::command]
pub async fn create(
    desk: State<'_, Desk>,
    template_id: String,
    config_id: String,
    zone: Option<String>,
) -> Result<Row, Failure> {
    desk.create(&template_id, &config_id, zone.as_deref()).await
}

#[tauri::command]
pub async fn zones(
    desk: State<'_, Desk>,
    template_id: String,
) -> Result<Option<Vec<String>>, Failure> {
    desk.zones(&template_id).await
}

#[tauri::command]
pub async fn refresh(desk: State<'_, Desk>) -> Result<(), Failure> {
    desk.watcher().update(|w| w.refresh_now()).await;
    Ok(())
}

/// The page became visible or hidden (minimised, another workspace).
#[tauri::command]
pub async fn set_visible(desk: State<'_, Desk>, visible: bool) -> Result<(), Failure> {
    desk.watcher().update(|w| w.set_visible(visible)).await;
    Ok(())
}

#[tauri::command]
pub async fn dismiss_error(desk: State<'_, Desk>, id: String) -> Result<(), Failure> {
    desk.watcher().update(|w| w.dismiss(&id)).await;
    Ok(())
}

#[tauri::command]
pub async fn save_sort(desk: State<'_, Desk>, sort: Option<SortPreference>) -> Result<(), Failure> {
    desk.save_sort(sort).await;
    Ok(())
}
