//! Connect: what a machine of the account on screen offers (its address, the ways in the
//! order the person will want them, each with the program of this computer that does it
//! or, where there is none, what to install), and a connection made: the user name and
//! the way chosen remembered for the machine (`names.json`), the `.rdp` file written
//! beside the settings (no password in it), and the command for the window to start.

use std::net::IpAddr;
use std::path::PathBuf;

use serde::Serialize;

use super::schedules::off_thread_io;
use super::Desk;
use crate::api::Phase;
use crate::connect::programs::{self, Launch};
use crate::connect::{self, rdp, Way};
use crate::failure::Failure;
use crate::settings::LabelChange;
use crate::text::Text;

/// What the Connect dialog shows for one machine.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectView {
    pub machine: String,
    /// As people know it: "Accounting PC (tw-550e84-a1b2c3d4)".
    pub name: String,
    pub address: String,
    /// The user name last used for it ("" for none).
    pub user: String,
    /// The ways, the one to offer first first.
    pub ways: Vec<WayView>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WayView {
    pub way: Way,
    /// The program that does it ("Remmina", "GNOME Terminal"), when this computer has one.
    pub program: Option<String>,
    /// What to install, when it has none.
    pub missing: Option<Text>,
}

/// A machine that can be connected to: its address, template and name as shown.
struct Reachable {
    address: IpAddr,
    template: Option<String>,
    name: String,
}

/// What this computer has for `way`: the program, or what to install (a catalog key).
fn program_for(
    way: Way,
    path: Option<&std::ffi::OsStr>,
) -> Result<programs::Program, &'static str> {
    match way {
        Way::RemoteDesktop => {
            programs::remote_desktop_client(path).ok_or("connect.missing.remote_desktop")
        }
        Way::Ssh => {
            programs::ssh(path).ok_or("connect.missing.ssh")?;
            programs::terminal(path).ok_or("connect.missing.terminal")
        }
    }
}

fn refused(key: &'static str, message: &str) -> Failure {
    Failure::plain("invalid", Text::new(key), message.to_owned())
}

impl Desk {
    /// Machine `machine` of the account on screen, if it runs and has an address.
    async fn reachable(&self, machine: &str) -> Result<Reachable, Failure> {
        let owner = self.owner.current();
        let found = self
            .watcher
            .look_for(owner, |w| {
                w.instance(machine).map(|i| {
                    let running = i.status.phase() == Phase::Running;
                    let address =
                        connect::address(i.external_ip.as_deref(), i.internal_ip.as_deref());
                    (
                        running,
                        address,
                        i.template_id.clone(),
                        w.shown_name(machine),
                    )
                })
            })
            .await
            .flatten();
        match found {
            None => Err(refused(
                "connect.problem.gone",
                "The machine is not in the list on screen",
            )),
            Some((false, _, _, _)) => Err(refused(
                "connect.problem.not_running",
                "The machine is not running",
            )),
            Some((true, None, _, _)) => Err(refused(
                "connect.problem.no_address",
                "The machine has no address",
            )),
            Some((true, Some(address), template, name)) => Ok(Reachable {
                address,
                template,
                name,
            }),
        }
    }

    /// What Connect offers for machine `machine` of the account on screen.
    pub async fn connect_options(&self, machine: &str) -> Result<ConnectView, Failure> {
        let account = self.account_on_screen().await?;
        let target = self.reachable(machine).await?;
        let label = self
            .name_book(&account)
            .await
            .machines
            .remove(machine)
            .unwrap_or_default();
        let path = std::env::var_os("PATH");
        let ways = connect::order(target.template.as_deref(), label.connect_with)
            .into_iter()
            .map(|way| match program_for(way, path.as_deref()) {
                Ok(program) => WayView {
                    way,
                    program: Some(program.label.to_owned()),
                    missing: None,
                },
                Err(key) => WayView {
                    way,
                    program: None,
                    missing: Some(Text::new(key)),
                },
            })
            .collect();
        Ok(ConnectView {
            machine: machine.to_owned(),
            name: target.name,
            address: target.address.to_string(),
            user: label.user,
            ways,
        })
    }

    /// Connects to machine `machine` of the account on screen `way`, as `user`: the user
    /// name and the way are remembered for it, an `.rdp` file is written for Remote
    /// Desktop, and the command to start is given back (the window starts it).
    pub async fn connect(&self, machine: &str, way: Way, user: &str) -> Result<Launch, Failure> {
        let account = self.account_on_screen().await?;
        let user =
            connect::user_name(user).map_err(|key| refused(key, "The user name cannot be used"))?;
        let target = self.reachable(machine).await?;
        let path = std::env::var_os("PATH");
        let program = program_for(way, path.as_deref())
            .map_err(|key| refused(key, "No program on this computer does it"))?;
        let launch = match way {
            Way::Ssh => programs::open_ssh(&program, &user, target.address),
            Way::RemoteDesktop => {
                let file = self.rdp_file_for(machine, target.address, &user).await?;
                programs::open_rdp(&program, &file)
            }
        };
        let names = self.names.clone();
        let (id, kept_user) = (machine.to_owned(), user.clone());
        let change = LabelChange {
            user: Some(kept_user),
            connect_with: Some(way),
            ..LabelChange::default()
        };
        // Remembered for next time; a file that cannot be written costs only that.
        if let Err(e) =
            off_thread_io(move || names.change(|all| all.set(&account, &id, &change))).await
        {
            log::warn!("connect: the user name and the way could not be kept: {e}");
        }
        log::info!(
            "connect: {} to {} with {}",
            way_word(way),
            target.name,
            launch.label
        );
        Ok(launch)
    }

    /// Writes the `.rdp` file for `machine` in the app's `connect` folder (one per machine,
    /// written again each time).
    async fn rdp_file_for(
        &self,
        machine: &str,
        address: IpAddr,
        user: &str,
    ) -> Result<PathBuf, Failure> {
        let folder = self.connect_dir.clone();
        // The id names the file: only its letters, digits and dashes.
        let stem: String = machine
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let file = folder.join(format!("{stem}.rdp"));
        let (written, body) = (file.clone(), rdp::rdp_file(address, user));
        off_thread_io(move || {
            std::fs::create_dir_all(&folder)?;
            std::fs::write(&written, body)
        })
        .await
        .map_err(|e| {
            Failure::plain(
                "local",
                Text::new("connect.not_written"),
                format!("The Remote Desktop file could not be written: {e}"),
            )
        })?;
        Ok(file)
    }
}

fn way_word(way: Way) -> &'static str {
    match way {
        Way::RemoteDesktop => "Remote Desktop",
        Way::Ssh => "SSH",
    }
}
