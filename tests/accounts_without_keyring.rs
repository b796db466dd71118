//! A computer whose keyring cannot be used: accounts are kept for this run only, the menu
//! and the banner say so, switching between them works from memory, and nothing of them
//! is written (a relaunch knows none of them). Its own test binary (one process): the
//! D-Bus session address is pointed at nothing before any keyring call, so the keyring
//! fails as it does on a desktop without a Secret Service.

mod common;

use common::{Sim, KEY, SECRET};
use compute_desk::vault::Vault;

const KEY_2: &str = "tw-key-second-0002";
const SECRET_2: &str = "second-secret-value-0002";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_keyring_accounts_are_kept_for_this_run_only() {
    // Before any thread of this process talks to D-Bus.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/compute-desk-bus",
    );
    let vault = Vault::new("app.computedesk.test.no-keyring");
    assert!(
        vault.load("anything").is_err(),
        "the keyring must be unusable here"
    );

    let more_key = format!("{KEY_2}:{SECRET_2}");
    let sim = Sim::start(&[
        "--rate-limit",
        "0",
        "--instances",
        "2",
        "--more-key",
        &more_key,
    ]);
    let config = tempfile::tempdir().unwrap();
    let desk = common::desk_at(config.path(), &vault);
    let view = desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    assert!(view.account.signed_in);
    assert!(
        view.keyring_problem.is_some(),
        "the banner says the keyring failed"
    );
    let view = desk
        .sign_in_with_key(&sim.base, KEY_2, SECRET_2)
        .await
        .unwrap();
    assert_eq!(view.accounts.len(), 2, "{:?}", view.accounts);
    assert!(view.accounts.iter().all(|a| a.this_run_only));
    assert!(view.accounts[1].active);

    // Switching works from memory, both ways, and names and colours are kept meanwhile.
    let first = view.accounts[0].id.clone();
    desk.edit_account(&first, "Kept for now", "purple")
        .await
        .unwrap();
    let view = desk.switch_account(&first).await.unwrap();
    assert!(view.account.signed_in, "{:?}", view.sign_in_reason);
    assert!(view.accounts[0].active && view.accounts[0].name == "Kept for now");
    assert_eq!(view.account.key_name.as_deref(), Some("Demo key"));
    let view = desk.switch_account(&view.accounts[1].id).await.unwrap();
    assert_eq!(view.account.key_name.as_deref(), Some("Key 2"));

    // Nothing of them is written: no secret, and no account a relaunch could not open.
    let settings = std::fs::read_to_string(config.path().join("settings.json")).unwrap();
    for secret in [SECRET, SECRET_2] {
        assert!(!settings.contains(secret), "a secret in the settings");
    }
    drop(desk);
    let again = common::desk_at(config.path(), &vault);
    let view = again.started().await;
    assert!(view.accounts.is_empty(), "{:?}", view.accounts);
    assert!(!view.account.signed_in);
}
