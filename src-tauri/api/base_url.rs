//! Which server addresses the client accepts: `https://` anywhere, plain `http://` only on
//! this computer, and nothing that would carry secrets in the address itself.

use std::net::IpAddr;

use url::{Host, Url};

use super::error::{ApiError, Operation};

/// Accepts `https://…`, or `http://…` for this computer only; refuses anything else
/// before a single request is made.
pub(super) fn parse_base_url(raw: &str) -> Result<Url, ApiError> {
    let refuse = |key, sentence: &str| Err(ApiError::refused(Operation::Configure, key, sentence));
    let Ok(url) = Url::parse(raw.trim()) else {
        return refuse(
            "server_not_web_address",
            "The server address is not a web address; it should look like https://apis.threatwinds.com.",
        );
    };
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return refuse(
                "server_plain_http",
                "The server address must start with https://; plain http:// is only allowed for this computer (localhost).",
            )
        }
        _ => return refuse("server_https", "The server address must start with https://."),
    }
    if url.host().is_none() {
        return refuse("server_no_host", "The server address has no host name.");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse(
            "server_user",
            "The server address must not contain a user name or password.",
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        return refuse(
            "server_query",
            "The server address must not contain \"?\" or \"#\".",
        );
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ErrorKind;

    #[test]
    fn https_anywhere_and_http_only_on_loopback() {
        for ok in [
            "https://apis.threatwinds.com",
            "https://proxy.example.com/tw/",
            "http://127.0.0.1:8080",
            "http://127.5.6.7",
            "http://localhost:3000",
            "http://[::1]:9000",
        ] {
            assert!(parse_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://apis.threatwinds.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "ftp://apis.threatwinds.com",
            "apis.threatwinds.com",
            "https://user:hunter2@apis.threatwinds.com",
            "https://apis.threatwinds.com/?x=1",
            "",
        ] {
            let e = parse_base_url(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Invalid, "{bad}");
            assert!(e.to_string().starts_with("The server address"), "{e}");
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
    }
}
