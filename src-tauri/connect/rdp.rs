//! The `.rdp` file Remote Desktop clients open (Windows's own, Remmina, FreeRDP): the
//! machine's address, the user name where one is known, the password asked by the client
//! (never written here), full screen, the clipboard shared. ASCII lines `name:type:value`
//! ending in CR LF, as Windows writes them.

use std::net::IpAddr;

/// The file for `address`, signing in as `user` (empty: the client asks).
pub fn rdp_file(address: IpAddr, user: &str) -> String {
    let full_address = match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    let mut fields = vec![
        ("full address", 's', full_address),
        ("prompt for credentials", 'i', "1".into()),
        ("authentication level", 'i', "2".into()),
        ("screen mode id", 'i', "2".into()),
        ("redirectclipboard", 'i', "1".into()),
    ];
    if !user.is_empty() {
        fields.push(("username", 's', user.to_owned()));
    }
    fields
        .into_iter()
        .map(|(name, kind, value)| format!("{name}:{kind}:{value}\r\n"))
        .collect()
}

/// The fields of an `.rdp` file by name, as (type, value): how a client reads it.
pub fn fields(file: &str) -> std::collections::BTreeMap<String, (String, String)> {
    file.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ':');
            let (name, kind, value) = (parts.next()?, parts.next()?, parts.next()?);
            Some((name.to_owned(), (kind.to_owned(), value.to_owned())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_names_the_address_and_user_and_asks_for_the_password() {
        let file = rdp_file("34.1.2.3".parse().unwrap(), "ana");
        assert!(file.ends_with("\r\n") && file.is_ascii());
        let f = fields(&file);
        let field = |n: &str| f.get(n).map(|(k, v)| (k.as_str(), v.as_str()));
        assert_eq!(field("full address"), Some(("s", "34.1.2.3")));
        assert_eq!(field("username"), Some(("s", "ana")));
        assert_eq!(field("prompt for credentials"), Some(("i", "1")));
        assert!(!file.contains("password"), "no password is ever written");
        let v6 = fields(&rdp_file("2001:db8::7".parse().unwrap(), ""));
        assert_eq!(v6["full address"].1, "[2001:db8::7]");
        assert!(!v6.contains_key("username"), "no user: the client asks");
    }
}
