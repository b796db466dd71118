//! Connecting to a machine from the list: Remote Desktop (an `.rdp` file, `rdp`, opened
//! with the system's client) or SSH (the system's terminal running `ssh` to its address).
//! Which of this computer's programs does each is looked up when asked (`programs`);
//! nothing here starts one (the window does, without the variables it set for itself).
//! Plain data: no Tauri, no network.

pub mod programs;
pub mod rdp;

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// How to connect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Way {
    RemoteDesktop,
    Ssh,
}

/// The longest user name kept for a machine.
pub const USER_MAX: usize = 64;

/// The order the ways are offered in: the person's last choice for the machine first;
/// without one, Remote Desktop first for a machine made from a Windows template and SSH
/// first for any other.
pub fn order(template: Option<&str>, last: Option<Way>) -> [Way; 2] {
    let first = last.unwrap_or_else(|| {
        if template.is_some_and(|t| t.to_ascii_lowercase().contains("windows")) {
            Way::RemoteDesktop
        } else {
            Way::Ssh
        }
    });
    match first {
        Way::RemoteDesktop => [Way::RemoteDesktop, Way::Ssh],
        Way::Ssh => [Way::Ssh, Way::RemoteDesktop],
    }
}

/// The address to connect to: the machine's external one, else its internal one (reached
/// over the office's own network). Only an IP address is taken: it goes on a command line.
pub fn address(external: Option<&str>, internal: Option<&str>) -> Option<IpAddr> {
    [external, internal]
        .into_iter()
        .flatten()
        .find_map(|ip| ip.trim().parse().ok())
}

/// A user name as kept and passed on (to `ssh`, into an `.rdp` file): trimmed; letters,
/// digits, `.`, `_` and `-`, not starting with `-`, at most [`USER_MAX`]; empty for none.
/// Anything else is refused with a catalog key: it goes on a command line, which some
/// terminals hand to a shell.
pub fn user_name(raw: &str) -> Result<String, &'static str> {
    let user = raw.trim();
    if user.chars().count() > USER_MAX {
        return Err("connect.problem.user_too_long");
    }
    let fits = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if user.starts_with('-') || !user.chars().all(fits) {
        return Err("connect.problem.user_characters");
    }
    Ok(user.to_owned())
}

/// `user@address` as `ssh` takes it (the address alone without a user).
pub fn ssh_destination(user: &str, address: IpAddr) -> String {
    if user.is_empty() {
        address.to_string()
    } else {
        format!("{user}@{address}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_windows_template_offers_remote_desktop_first_unless_the_person_chose_otherwise() {
        let windows = Some("windows-2022-standard");
        assert_eq!(order(windows, None), [Way::RemoteDesktop, Way::Ssh]);
        assert_eq!(
            order(Some("debian-12-standard"), None),
            [Way::Ssh, Way::RemoteDesktop]
        );
        assert_eq!(order(None, None)[0], Way::Ssh);
        assert_eq!(order(windows, Some(Way::Ssh))[0], Way::Ssh);
        assert_eq!(order(None, Some(Way::RemoteDesktop))[0], Way::RemoteDesktop);
    }

    #[test]
    fn only_an_ip_address_and_a_plain_user_name_reach_a_command_line() {
        assert_eq!(
            address(Some("34.1.2.3"), Some("10.0.0.2")),
            Some("34.1.2.3".parse().unwrap())
        );
        assert_eq!(
            address(None, Some("10.0.0.2")),
            Some("10.0.0.2".parse().unwrap())
        );
        assert_eq!(address(Some("-oProxyCommand=x"), None), None);
        assert_eq!(address(Some(""), Some("not an ip")), None);
        assert_eq!(user_name("  ana.perez "), Ok("ana.perez".into()));
        assert_eq!(user_name(""), Ok(String::new()));
        for bad in ["-oProxyCommand=x", "ana perez", "ana;rm", "ana$(x)", "año"] {
            assert_eq!(
                user_name(bad),
                Err("connect.problem.user_characters"),
                "{bad}"
            );
        }
        assert_eq!(
            user_name(&"a".repeat(USER_MAX + 1)),
            Err("connect.problem.user_too_long")
        );
        let ip = "34.1.2.3".parse().unwrap();
        assert_eq!(ssh_destination("ana", ip), "ana@34.1.2.3");
        assert_eq!(ssh_destination("", ip), "34.1.2.3");
    }
}
