//! Credentials in the operating system's keyring (Secret Service, Keychain, Credential
//! Manager): the only module that touches the `keyring` crate, and the only place a secret
//! is ever stored. Nothing here writes a file.
//!
//! Every call blocks (D-Bus on Linux), so callers run it off the UI thread.

use std::fmt;

use serde::Deserialize;
use serde_json::json;

use crate::api::Secret;

/// The keyring service name entries are filed under. Each account has an entry of its
/// own, named by its server and identity ([`entry_name`]), so one computer stays signed in
/// to several accounts, on one server or several, and none overwrites another. (Earlier
/// versions named the one entry by the server address alone; it is read once and moved.)
pub const SERVICE: &str = "app.computedesk.desktop";

/// The keyring entry of the account `identity` (`user:<id>`, `key:<fingerprint>`, never a
/// secret) on the server `base`.
pub fn entry_name(base: &str, identity: &str) -> String {
    format!("{base} {identity}")
}

/// What is kept to sign in again without asking.
#[derive(Clone, PartialEq, Eq)]
pub enum StoredCredentials {
    KeyPair {
        key: String,
        secret: Secret,
    },
    Session {
        bearer: Secret,
        session_id: String,
        /// Whose session it is (`user:<id>`), so that an offline launch knows whose history
        /// to open; `None` in entries saved by earlier versions.
        identity: Option<String>,
    },
}

impl fmt::Debug for StoredCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoredCredentials::KeyPair { .. } => f.write_str("KeyPair(<redacted>)"),
            StoredCredentials::Session { session_id, .. } => {
                write!(f, "Session({session_id}, <redacted>)")
            }
        }
    }
}

/// The keyring entry's payload. Private so the encoded secret never leaves this module.
#[derive(Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
enum Payload {
    KeyPair {
        key: String,
        secret: String,
    },
    Session {
        bearer: String,
        #[serde(rename = "sessionId")]
        session_id: String,
        #[serde(default)]
        identity: Option<String>,
    },
}

impl StoredCredentials {
    fn encode(&self) -> String {
        match self {
            StoredCredentials::KeyPair { key, secret } => {
                json!({"method": "key_pair", "key": key, "secret": secret.expose()})
            }
            StoredCredentials::Session {
                bearer,
                session_id,
                identity,
            } => {
                json!({"method": "session", "bearer": bearer.expose(), "sessionId": session_id,
                       "identity": identity})
            }
        }
        .to_string()
    }

    fn decode(text: &str) -> Option<StoredCredentials> {
        Some(match serde_json::from_str::<Payload>(text).ok()? {
            Payload::KeyPair { key, secret } => StoredCredentials::KeyPair {
                key,
                secret: Secret::new(secret),
            },
            Payload::Session {
                bearer,
                session_id,
                identity,
            } => StoredCredentials::Session {
                bearer: Secret::new(bearer),
                session_id,
                identity,
            },
        })
    }
}

/// Why the keyring could not be used, in words for the banner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    #[error("This computer has no secure password storage, so you will need to sign in again next time. Nothing secret was saved.")]
    Unavailable,
    #[error("Your keyring is locked, so you will need to sign in again next time. Unlock it (or sign in to your desktop again) to stay signed in. Nothing secret was saved.")]
    Locked,
    #[error("The secure password storage did not work ({0}), so you will need to sign in again next time. Nothing secret was saved.")]
    Failed(String),
}

impl VaultError {
    fn from_keyring(e: keyring::Error) -> VaultError {
        match e {
            keyring::Error::NoDefaultStore => VaultError::Unavailable,
            keyring::Error::NoStorageAccess(_) => VaultError::Locked,
            // The error texts name the store, never the secret.
            other => VaultError::Failed(other.to_string()),
        }
    }
}

/// The keyring, for one service name.
#[derive(Clone, Debug)]
pub struct Vault {
    service: String,
}

impl Default for Vault {
    fn default() -> Self {
        Vault::new(SERVICE)
    }
}

impl Vault {
    pub fn new(service: impl Into<String>) -> Self {
        Vault {
            service: service.into(),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, VaultError> {
        keyring::Entry::new(&self.service, name).map_err(VaultError::from_keyring)
    }

    /// Stores the credentials in the entry `name` ([`entry_name`]), replacing any there were.
    pub fn save(&self, name: &str, credentials: &StoredCredentials) -> Result<(), VaultError> {
        self.entry(name)?
            .set_password(&credentials.encode())
            .map_err(VaultError::from_keyring)
    }

    /// The credentials stored in the entry `name`, if any. An entry this app cannot read
    /// (another program's, or an older format) counts as none.
    pub fn load(&self, name: &str) -> Result<Option<StoredCredentials>, VaultError> {
        match self.entry(name)?.get_password() {
            Ok(text) => {
                let decoded = StoredCredentials::decode(&text);
                if decoded.is_none() {
                    log::warn!("vault: the stored entry {name} is not in a known format");
                }
                Ok(decoded)
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(VaultError::from_keyring(e)),
        }
    }

    /// Removes the entry `name`; having none is not an error.
    pub fn delete(&self, name: &str) -> Result<(), VaultError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(VaultError::from_keyring(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_and_debug_hides_secrets() {
        let key_pair = StoredCredentials::KeyPair {
            key: "k-1".into(),
            secret: Secret::new("s3cret-value"),
        };
        let session = StoredCredentials::Session {
            bearer: Secret::new("bearer-value"),
            session_id: "sid".into(),
            identity: Some("user:u-1".into()),
        };
        for c in [key_pair, session] {
            assert_eq!(StoredCredentials::decode(&c.encode()).as_ref(), Some(&c));
            let debug = format!("{c:?}");
            assert!(
                !debug.contains("s3cret") && !debug.contains("bearer-value"),
                "{debug}"
            );
        }
        // An entry saved before sessions said whose they are.
        assert_eq!(
            StoredCredentials::decode(r#"{"method":"session","bearer":"b","sessionId":"sid"}"#),
            Some(StoredCredentials::Session {
                bearer: Secret::new("b"),
                session_id: "sid".into(),
                identity: None
            })
        );
        assert_eq!(StoredCredentials::decode("not json"), None);
        assert_eq!(StoredCredentials::decode(r#"{"method":"other"}"#), None);
    }
}
