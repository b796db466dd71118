//! Sharing names with colleagues: the commands of the "Share names" dialog. An export is
//! saved as a new file in the person's Downloads folder (their home where the desktop
//! names none), as a browser saves a download, and that folder opened on request; an
//! import is the text of the file the person picked in the page.

use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime, State};

use crate::desk::{Desk, ImportView};
use crate::failure::Failure;
use crate::settings::ImportChoice;
use crate::text::Text;

use super::open_folder::open_in_file_manager;

/// Where exports are saved.
fn exports_folder<R: Runtime>(app: &AppHandle<R>) -> Result<PathBuf, Failure> {
    let path = app.path();
    path.download_dir()
        .or_else(|_| path.home_dir())
        .map_err(|e| {
            Failure::plain(
                "local",
                Text::new("names.export.no_folder"),
                format!("No folder to save the names in: {e}"),
            )
        })
}

/// Saves the account on screen's names, notes and groups; answers the file's path.
#[tauri::command]
pub async fn export_names<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
) -> Result<String, Failure> {
    let folder = exports_folder(&app)?;
    let file = desk.export_names(&folder).await?;
    Ok(file.display().to_string())
}

/// Opens the folder exports are saved in, in the desktop's file manager.
#[tauri::command]
pub async fn open_exports_folder<R: Runtime>(app: AppHandle<R>) -> Result<(), Failure> {
    let folder = exports_folder(&app)?;
    open_in_file_manager(&folder).await.map_err(|e| {
        Failure::plain(
            "open_folder",
            Text::new("names.export.open_failed").with("path", folder.display().to_string()),
            format!("The folder could not be opened: {e}"),
        )
    })
}

/// What importing a names file (its text) would do.
#[tauri::command]
pub async fn plan_names_import(desk: State<'_, Desk>, text: String) -> Result<ImportView, Failure> {
    desk.plan_names_import(text).await
}

/// Imports a names file (its text) as the person chose.
#[tauri::command]
pub async fn import_names(
    desk: State<'_, Desk>,
    text: String,
    choice: ImportChoice,
) -> Result<(), Failure> {
    desk.import_names(text, choice).await
}
