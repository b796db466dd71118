//! This computer's programs that connect: a Remote Desktop client and a terminal with
//! `ssh`, found on the `PATH` (so what the person installed is found without a restart),
//! and the command line each is started with. On Windows, its own Remote Desktop
//! Connection (`mstsc.exe`) and OpenSSH client (`ssh.exe`, in a new console window); these
//! are built and packaged here but cannot be run on this workplace's Linux machines.

use std::ffi::{OsStr, OsString};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use super::ssh_destination;

/// A program that connects: what people call it, where it is, what goes before the file
/// or the command it is given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub label: &'static str,
    pub path: PathBuf,
    before: &'static [&'static str],
}

/// A command to start: the program and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launch {
    pub label: &'static str,
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

impl Launch {
    /// The command line as a person reads it (the program by its file name).
    pub fn shown(&self) -> String {
        let program = self.program.file_name().map_or_else(
            || self.program.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        std::iter::once(program)
            .chain(self.args.iter().map(|a| a.to_string_lossy().into_owned()))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// (file name, label, arguments before the `.rdp` file), in the order they are preferred.
#[cfg(not(windows))]
const REMOTE_DESKTOP: &[(&str, &str, &[&str])] = &[
    ("remmina", "Remmina", &["-c"]),
    ("xfreerdp3", "FreeRDP", &[]),
    ("xfreerdp", "FreeRDP", &[]),
    ("sdl-freerdp3", "FreeRDP", &[]),
];
#[cfg(windows)]
const REMOTE_DESKTOP: &[(&str, &str, &[&str])] = &[("mstsc.exe", "Remote Desktop Connection", &[])];

/// (file name, label, arguments before the command it runs): the desktop's chosen
/// terminal first (Debian's `x-terminal-emulator`), then the usual ones.
#[cfg(not(windows))]
const TERMINALS: &[(&str, &str, &[&str])] = &[
    ("x-terminal-emulator", "the terminal", &["-e"]),
    ("gnome-terminal", "GNOME Terminal", &["--"]),
    ("kgx", "Console", &["--"]),
    ("konsole", "Konsole", &["-e"]),
    ("xfce4-terminal", "Xfce Terminal", &["-x"]),
    ("xterm", "XTerm", &["-e"]),
];
/// A console program started by a windowed one gets a console window of its own.
#[cfg(windows)]
const TERMINALS: &[(&str, &str, &[&str])] = &[("cmd.exe", "Command Prompt", &["/k"])];

#[cfg(not(windows))]
const SSH: &str = "ssh";
#[cfg(windows)]
const SSH: &str = "ssh.exe";

/// The first of `programs` found in the folders of `path` (a `PATH` value).
fn first_found(
    path: Option<&OsStr>,
    programs: &[(&str, &'static str, &'static [&'static str])],
) -> Option<Program> {
    let folders: Vec<PathBuf> = path
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    programs.iter().find_map(|&(file, label, before)| {
        folders
            .iter()
            .map(|folder| folder.join(file))
            .find(|candidate| runnable(candidate))
            .map(|path| Program {
                label,
                path,
                before,
            })
    })
}

#[cfg(unix)]
fn runnable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn runnable(path: &Path) -> bool {
    path.is_file()
}

/// The Remote Desktop client found on `path`.
pub fn remote_desktop_client(path: Option<&OsStr>) -> Option<Program> {
    first_found(path, REMOTE_DESKTOP)
}

/// The terminal found on `path`.
pub fn terminal(path: Option<&OsStr>) -> Option<Program> {
    first_found(path, TERMINALS)
}

/// `ssh`, found on `path` (on Windows, its OpenSSH client's folder is on the `PATH`).
pub fn ssh(path: Option<&OsStr>) -> Option<PathBuf> {
    first_found(path, &[(SSH, "ssh", &[])]).map(|p| p.path)
}

/// `client` opening the `.rdp` file `file`.
pub fn open_rdp(client: &Program, file: &Path) -> Launch {
    Launch {
        label: client.label,
        program: client.path.clone(),
        args: client
            .before
            .iter()
            .map(OsString::from)
            .chain([file.as_os_str().to_owned()])
            .collect(),
    }
}

/// `terminal` running `ssh` to `user@address` (the `ssh` found on the `PATH`, by name: the
/// terminal finds it the same way).
pub fn open_ssh(terminal: &Program, user: &str, address: IpAddr) -> Launch {
    Launch {
        label: terminal.label,
        program: terminal.path.clone(),
        args: terminal
            .before
            .iter()
            .map(OsString::from)
            .chain([
                OsString::from("ssh"),
                OsString::from(ssh_destination(user, address)),
            ])
            .collect(),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn program(dir: &Path, name: &str, executable: bool) {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(name);
        std::fs::write(&path, "#!/bin/sh\n").unwrap();
        let mode = if executable { 0o755 } else { 0o644 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn the_first_program_found_on_the_path_is_used_in_the_order_preferred() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let path = std::env::join_paths([a.path(), b.path()]).unwrap();
        assert_eq!(remote_desktop_client(Some(&path)), None);
        assert_eq!(terminal(Some(&path)), None);
        assert_eq!(ssh(None), None, "no PATH: nothing found");
        // Not executable: not a program.
        program(a.path(), "xfreerdp", false);
        assert_eq!(remote_desktop_client(Some(&path)), None);
        program(b.path(), "xfreerdp", true);
        let found = remote_desktop_client(Some(&path)).unwrap();
        assert_eq!(
            (found.label, found.path.clone()),
            ("FreeRDP", b.path().join("xfreerdp"))
        );
        // Remmina is preferred wherever it is.
        program(b.path(), "remmina", true);
        let remmina = remote_desktop_client(Some(&path)).unwrap();
        assert_eq!(remmina.label, "Remmina");
        let launch = open_rdp(&remmina, Path::new("/home/ana/web-1.rdp"));
        assert_eq!(launch.shown(), "remmina -c /home/ana/web-1.rdp");

        program(a.path(), "xterm", true);
        program(b.path(), "gnome-terminal", true);
        let term = terminal(Some(&path)).unwrap();
        assert_eq!(term.label, "GNOME Terminal");
        let ip = "34.1.2.3".parse().unwrap();
        assert_eq!(
            open_ssh(&term, "ana", ip).shown(),
            "gnome-terminal -- ssh ana@34.1.2.3"
        );
        program(b.path(), "x-terminal-emulator", true);
        let chosen = terminal(Some(&path)).unwrap();
        assert_eq!(
            open_ssh(&chosen, "", ip).shown(),
            "x-terminal-emulator -e ssh 34.1.2.3"
        );
        program(a.path(), "ssh", true);
        assert_eq!(ssh(Some(&path)), Some(a.path().join("ssh")));
    }
}
