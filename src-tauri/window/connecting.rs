//! Connect's commands: what a machine offers, and the connection started: the Remote
//! Desktop client or the terminal the desk chose, started as the person would start it
//! (`super::programs`), its failure in the Connect dialog's words.

use std::time::Duration;

use tauri::State;

use crate::connect::Way;
use crate::desk::{ConnectView, Desk};
use crate::failure::Failure;
use crate::text::Text;

use super::programs::{command, start_off_thread};

/// How long a client or terminal has to fail at once; one still running after this is
/// taken to have opened (they stay open for as long as the connection does).
const CLIENT_PATIENCE: Duration = Duration::from_millis(1500);

/// What Connect offers for a machine of the account on screen.
#[tauri::command]
pub async fn connect_options(
    desk: State<'_, Desk>,
    machine: String,
) -> Result<ConnectView, Failure> {
    desk.connect_options(&machine).await
}

/// Connects to a machine of the account on screen; answers the program that opened it.
#[tauri::command]
pub async fn connect(
    desk: State<'_, Desk>,
    machine: String,
    way: Way,
    user: String,
) -> Result<String, Failure> {
    let launch = desk.connect(&machine, way, &user).await?;
    let started = command(&launch.program, &launch.args, super::set_by_app());
    let shown = launch.shown();
    match start_off_thread(started, CLIENT_PATIENCE).await {
        Ok(()) => Ok(launch.label.to_owned()),
        Err(e) => {
            log::warn!("connect: {shown} did not open: {e}");
            Err(Failure::plain(
                "local",
                Text::new("connect.failed").with("program", launch.label),
                format!("{} did not open: {e}", launch.label),
            ))
        }
    }
}
