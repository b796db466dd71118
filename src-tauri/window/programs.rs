//! Starting another program of this computer (the file manager, a Remote Desktop client,
//! a terminal) the way the person would: without the variables `main()` set for WebKit and
//! GTK (`super::linux_defaults`), which a program it starts would otherwise inherit (no GL
//! in GTK, WebKit's renderer and JavaScriptCore's compiler settings), with nothing of the
//! app's own input or output, and reaped when it ends.

use std::ffi::OsStr;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// `program` with `args`, without the variables the app set (`set_by_app`); variables the
/// person set themselves are passed on as they are.
pub fn command<I, S>(program: impl AsRef<OsStr>, args: I, set_by_app: &[&str]) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for name in set_by_app {
        command.env_remove(name);
    }
    command
}

/// Why a program could not do its job, in English for the log.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("it could not be started: {0}")]
    Start(#[from] std::io::Error),
    #[error("it ended at once ({0})")]
    Refused(ExitStatus),
}

/// Starts `command` and waits for its answer, up to `patience`: one that ends at once
/// without success failed; one still running then is taken to have started what it was
/// asked to, and is reaped when it ends. Blocking: call it off the async threads.
pub fn start(mut command: Command, patience: Duration) -> Result<(), StartError> {
    let mut child = command.spawn()?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            // Explorer answers 1 even when it opened the folder.
            return if status.success() || cfg!(windows) {
                Ok(())
            } else {
                Err(StartError::Refused(status))
            };
        }
        if started.elapsed() >= patience {
            // Still running: it started something. Reap it when it ends.
            std::thread::spawn(move || child.wait());
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// [`start`], run where blocking is allowed.
pub async fn start_off_thread(command: Command, patience: Duration) -> Result<(), StartError> {
    tauri::async_runtime::spawn_blocking(move || start(command, patience))
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string()).into()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    const PATIENCE: Duration = Duration::from_secs(5);

    fn script(body: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(body);
        c
    }

    #[test]
    fn a_program_that_fails_is_an_error_and_one_that_stays_is_taken_as_started() {
        assert!(start(script("exit 0"), PATIENCE).is_ok());
        assert!(matches!(
            start(script("exit 3"), PATIENCE),
            Err(StartError::Refused(status)) if status.code() == Some(3)
        ));
        assert!(matches!(
            start(Command::new("/nonexistent/opener"), PATIENCE),
            Err(StartError::Start(_))
        ));
        let asked = Instant::now();
        assert!(start(script("sleep 30"), PATIENCE).is_ok());
        assert!(asked.elapsed() < PATIENCE + Duration::from_secs(2));
    }
}
