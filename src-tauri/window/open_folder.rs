//! "Open log folder": the app's log folder, and only it, in the desktop's file manager.
//!
//! A command of the app's own, not the opener plugin: the page names no path at all, so
//! there is no scope to get wrong, and the opener (`xdg-open` on Linux) is started without
//! the variables `main()` set for WebKit and GTK (`super::linux_defaults`). A file manager
//! it starts would otherwise inherit them (no GL in GTK, WebKit's renderer and
//! JavaScriptCore's compiler settings): choices made for this window, not for the
//! person's other programs. Variables the person set themselves are passed on as they are.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

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
    let command = opener(&folder, super::set_by_app());
    let opened = tauri::async_runtime::spawn_blocking(move || open(command))
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string()).into()));
    opened.map_err(|e| {
        log::warn!("about: could not open {}: {e}", folder.display());
        Failure::plain(
            "open_folder",
            Text::new("about.open_log_failed").with("path", folder.display().to_string()),
            format!("The log folder could not be opened: {e}"),
        )
    })
}

/// The desktop's opener for `folder`, without the variables the app set (`set_by_app`).
pub fn opener(folder: &Path, set_by_app: &[&str]) -> Command {
    #[cfg(target_os = "macos")]
    let mut command = Command::new("open");
    #[cfg(windows)]
    let mut command = Command::new("explorer");
    #[cfg(not(any(target_os = "macos", windows)))]
    let mut command = Command::new("xdg-open");
    command
        .arg(folder)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for name in set_by_app {
        command.env_remove(name);
    }
    command
}

/// Why the folder could not be opened, in English for the log.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the opener could not be started: {0}")]
    Start(#[from] std::io::Error),
    #[error("the opener could not open it ({0})")]
    Refused(ExitStatus),
}

/// Starts the opener and waits for its answer, up to [`OPENER_PATIENCE`]. Blocking: call
/// it off the async threads.
pub fn open(mut opener: Command) -> Result<(), OpenError> {
    let mut child = opener.spawn()?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            // Explorer answers 1 even when it opened the folder.
            return if status.success() || cfg!(windows) {
                Ok(())
            } else {
                Err(OpenError::Refused(status))
            };
        }
        if started.elapsed() >= OPENER_PATIENCE {
            // Still running: it started something. Reap it when it ends.
            std::thread::spawn(move || child.wait());
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn script(body: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(body);
        c
    }

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

    #[test]
    fn an_opener_that_fails_is_an_error_and_one_that_stays_is_taken_as_done() {
        assert!(open(script("exit 0")).is_ok());
        assert!(matches!(
            open(script("exit 3")),
            Err(OpenError::Refused(status)) if status.code() == Some(3)
        ));
        assert!(matches!(
            open(Command::new("/nonexistent/opener")),
            Err(OpenError::Start(_))
        ));
        let asked = Instant::now();
        assert!(open(script("sleep 30")).is_ok());
        assert!(asked.elapsed() < OPENER_PATIENCE + Duration::from_secs(2));
    }
}
