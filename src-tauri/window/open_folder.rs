//! "Open log folder": the app's log folder, and only it, in the desktop's file manager.
//!
//! A command of the app's own, not the opener plugin: the page names no path at all, so
//! there is no scope to get wrong, and the opener (`xdg-open` on Linux) is started as the
//! person would start it (`super::programs`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::programs::{command, start_off_thread, StartError};

use crate::failure::Failure;
use crate::text::Text;

/// How long to wait for the opener to say whether it could open the folder. `xdg-open`
/// hands the folder to the file manager and ends at once; one still running after this is
/// taken to have started it, and is left to end in its own time.
const OPENER_PATIENCE: Duration = Duration::from_secs(5);

/// Opens the log folder (as Tauri found it) without the app's own variables, off the async
/// threads; a failure in the words About shows.
pub async fn open_log_folder(folder: tauri::Result<PathBuf>) -> Result<(), Failure> {
    let folder = folder.map_err(|e| {
        Failure::plain(
            "open_folder",
            Text::new("about.no_log"),
            format!("The log folder is not known: {e}"),
        )
    })?;
    open_in_file_manager(&folder).await.map_err(|e| {
        log::warn!("about: could not open {}: {e}", folder.display());
        Failure::plain(
            "open_folder",
            Text::new("about.open_log_failed").with("path", folder.display().to_string()),
            format!("The log folder could not be opened: {e}"),
        )
    })
}

/// Opens `folder` in the desktop's file manager, as the person would.
pub async fn open_in_file_manager(folder: &Path) -> Result<(), StartError> {
    start_off_thread(opener(folder, super::set_by_app()), OPENER_PATIENCE).await
}

/// The desktop's opener for `folder`, without the variables the app set (`set_by_app`).
pub fn opener(folder: &Path, set_by_app: &[&str]) -> Command {
    #[cfg(target_os = "macos")]
    let program = "open";
    #[cfg(windows)]
    let program = "explorer";
    #[cfg(not(any(target_os = "macos", windows)))]
    let program = "xdg-open";
    command(program, [folder], set_by_app)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_app_s_variables_are_left_out_and_the_person_s_kept() {
        let command = opener(Path::new("/var/log/app"), &["GDK_GL", "JSC_useDFGJIT"]);
        assert_eq!(command.get_args().collect::<Vec<_>>(), ["/var/log/app"]);
        let removed: Vec<_> = command
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| name.to_owned())
            .collect();
        assert_eq!(removed, ["GDK_GL", "JSC_useDFGJIT"]);
        assert_eq!(command.get_envs().count(), 2, "nothing else is changed");
    }
}
