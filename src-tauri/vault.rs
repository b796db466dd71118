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

/// The server whose credentials the entry `name` holds: the address before the identity
/// (an earlier version's entry is the address alone). The credentials go there, nowhere
/// else (`api::Client::with_saved_credentials`).
pub fn entry_server(name: &str) -> &str {
    name.split_once(' ').map_or(name, |(base, _)| base)
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
    #[error("This sign-in is too long for the secure password storage, so you will need to sign in again next time. Nothing secret was saved.")]
    TooLong,
}

impl VaultError {
    fn from_keyring(e: keyring::Error) -> VaultError {
        match e {
            keyring::Error::NoDefaultStore => VaultError::Unavailable,
            keyring::Error::NoStorageAccess(_) => VaultError::Locked,
            // A name or value past the store's own limits (Windows': a 513-byte user name).
            keyring::Error::TooLong(..) => VaultError::TooLong,
            // The error texts name the store, never the secret.
            other => VaultError::Failed(other.to_string()),
        }
    }
}

/// The most a keyring entry may hold, in bytes: Windows' Credential Manager takes at most
/// 2,560 (`CRED_MAX_CREDENTIAL_BLOB_SIZE`), and the keyring stores the text there as UTF-16,
/// two bytes a unit. Held on every system, so that a sign-in kept on one is kept on all.
pub const PAYLOAD_MAX_BYTES: usize = 2560;

/// The bytes `payload` takes in the strictest store (UTF-16).
fn stored_bytes(payload: &str) -> usize {
    payload.encode_utf16().count().saturating_mul(2)
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
    /// One too long for every store ([`PAYLOAD_MAX_BYTES`]) is not saved anywhere.
    pub fn save(&self, name: &str, credentials: &StoredCredentials) -> Result<(), VaultError> {
        let payload = credentials.encode();
        if stored_bytes(&payload) > PAYLOAD_MAX_BYTES {
            return Err(VaultError::TooLong);
        }
        self.entry(name)?
            .set_password(&payload)
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

    /// Every kind of sign-in fits Windows' limit: a key pair of 64 and 128 characters, and a
    /// session as our simulator issues them (a 64-hex bearer, a 32-hex id). The service
    /// documents no lengths, so the longest bearer that still fits beside such a session is
    /// worked out here, not assumed. One past the limit is refused before any store is
    /// asked, and nothing is written.
    #[test]
    fn every_kind_of_sign_in_fits_the_strictest_store_and_one_too_long_is_refused() {
        let key_pair = StoredCredentials::KeyPair {
            key: "k".repeat(64),
            secret: Secret::new("s".repeat(128)),
        };
        let session = |bearer: usize| StoredCredentials::Session {
            bearer: Secret::new("b".repeat(bearer)),
            session_id: "x".repeat(32),
            identity: Some(format!("user:{}", "u".repeat(36))),
        };
        for c in [&key_pair, &session(64)] {
            let bytes = stored_bytes(&c.encode());
            assert!(bytes <= PAYLOAD_MAX_BYTES, "{c:?}: {bytes} bytes");
        }
        let longest = (64..4096)
            .take_while(|&n| stored_bytes(&session(n).encode()) <= PAYLOAD_MAX_BYTES)
            .last()
            .unwrap();
        assert_eq!(stored_bytes(&session(longest).encode()), PAYLOAD_MAX_BYTES);
        assert!(
            longest > 1_100,
            "a session's bearer may be {longest} characters"
        );
        // The bound counts UTF-16 units, as Windows stores them: "é" is one unit, two bytes.
        assert_eq!(stored_bytes("é"), 2);
        assert_eq!(stored_bytes("😀"), 4);
        // The longest that fits, and one unit more.
        let overhead = stored_bytes(
            &StoredCredentials::KeyPair {
                key: String::new(),
                secret: Secret::new(""),
            }
            .encode(),
        );
        let fits = (PAYLOAD_MAX_BYTES - overhead) / 2;
        let at = |n: usize| StoredCredentials::KeyPair {
            key: String::new(),
            secret: Secret::new("s".repeat(n)),
        };
        assert_eq!(stored_bytes(&at(fits).encode()), PAYLOAD_MAX_BYTES);
        // Refused before the keyring is touched: a service no keyring has is never reached.
        let vault = Vault::new("compute-desk-test-never-written");
        assert_eq!(
            vault.save("too-long", &at(fits + 1)),
            Err(VaultError::TooLong)
        );
        // A store's own limit (Windows': an entry name past 513 bytes) reads the same way.
        assert_eq!(
            VaultError::from_keyring(keyring::Error::TooLong("user".into(), 513)),
            VaultError::TooLong
        );
    }

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
