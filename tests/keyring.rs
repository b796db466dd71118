//! The vault against a real Secret Service: gnome-keyring in the private D-Bus session
//! that `bash .ci/session` starts. Nothing here touches a real user's keyring.

use std::process::Command;

use compute_desk::api::Secret;
use compute_desk::vault::{StoredCredentials, Vault, VaultError};

fn vault(test: &str) -> Vault {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "the keyring tests need a D-Bus session with gnome-keyring; run them with `bash .ci/session cargo test`"
    );
    Vault::new(format!("app.computedesk.test.{test}"))
}

#[test]
fn a_key_pair_is_stored_found_again_and_deleted() {
    let vault = vault("key_pair");
    let server = "https://apis.threatwinds.com/";
    vault.delete(server).unwrap();
    assert_eq!(vault.load(server).unwrap(), None);
    let credentials = StoredCredentials::KeyPair {
        key: "key-1".into(),
        secret: Secret::new("secret-1"),
    };
    vault.save(server, &credentials).unwrap();
    // A fresh handle (as a relaunched app has) finds the same entry.
    assert_eq!(vault.clone().load(server).unwrap(), Some(credentials));
    vault.delete(server).unwrap();
    assert_eq!(vault.load(server).unwrap(), None);
    // Deleting what is not there is not an error (sign-out twice).
    vault.delete(server).unwrap();
}

#[test]
fn each_server_has_its_own_entry_and_saving_replaces() {
    let vault = vault("servers");
    let (a, b) = ("http://127.0.0.1:1/", "http://127.0.0.1:2/");
    let session = |token: &str| StoredCredentials::Session {
        bearer: Secret::new(token),
        session_id: "s".into(),
        identity: Some("user:u-1".into()),
    };
    vault.save(a, &session("token-a")).unwrap();
    vault.save(b, &session("token-b")).unwrap();
    vault.save(a, &session("token-a2")).unwrap();
    assert_eq!(vault.load(a).unwrap(), Some(session("token-a2")));
    assert_eq!(vault.load(b).unwrap(), Some(session("token-b")));
    vault.delete(a).unwrap();
    vault.delete(b).unwrap();
}

/// Run in a child process without a session bus: keyring decides once per process
/// whether a store exists, so this cannot share the parent's process.
#[test]
#[ignore = "run by no_session_bus_means_no_secure_storage in a child process"]
fn child_without_session_bus() {
    let err = Vault::new("app.computedesk.test.none")
        .save(
            "https://apis.threatwinds.com/",
            &StoredCredentials::KeyPair {
                key: "k".into(),
                secret: Secret::new("s"),
            },
        )
        .unwrap_err();
    assert_eq!(err, VaultError::Unavailable);
    assert!(err.to_string().contains("no secure password storage"));
}

#[test]
fn no_session_bus_means_no_secure_storage() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_without_session_bus",
            "--nocapture",
        ])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_RUNTIME_DIR", "/nonexistent")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("1 passed"), "{text}");
}
