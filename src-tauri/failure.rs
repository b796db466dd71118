//! The one shape in which a failure reaches the web view: a kind the UI branches on, a
//! plain sentence that says what happened and what to do, and the support code.

use serde::Serialize;

use crate::api::{ApiError, ErrorKind};
use crate::vault::VaultError;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// auth, quota, rate_limited, not_found, invalid, server, network, timeout, keyring,
    /// unexpected.
    pub kind: &'static str,
    pub message: String,
    /// The server's `x-error-id`, offered as "Copy support code".
    pub error_id: Option<String>,
    /// The server's own words (`x-error`), shown under "Details".
    pub server_message: Option<String>,
    /// For a 429: how long until the app tries again.
    pub retry_after_secs: Option<u64>,
}

impl Failure {
    /// A failure with only a sentence, for checks made before any request.
    pub fn plain(kind: &'static str, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
            error_id: None,
            server_message: None,
            retry_after_secs: None,
        }
    }
}

impl From<&ApiError> for Failure {
    fn from(e: &ApiError) -> Self {
        let kind = match e.kind() {
            ErrorKind::Auth => "auth",
            ErrorKind::Quota => "quota",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Server => "server",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            _ => "unexpected",
        };
        Failure {
            kind,
            message: e.to_string(),
            error_id: e.error_id().map(str::to_owned),
            server_message: e.server_message().map(str::to_owned),
            retry_after_secs: e.retry_after().map(|d| d.as_secs_f64().ceil() as u64),
        }
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::from(&e)
    }
}

impl From<VaultError> for Failure {
    fn from(e: VaultError) -> Self {
        Failure::plain("keyring", e.to_string())
    }
}
