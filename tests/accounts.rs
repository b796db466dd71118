//! Several accounts side by side, with `Desk` against real `compute-sim` processes and the
//! keyring of the private D-Bus session (`bash .ci/session cargo test`): two servers, and
//! two keys on one server, each its own account with its own keyring entry, list and
//! history; switching stops what the account left had not sent; signing out of one leaves
//! the others; a relaunch reopens the last one silently; no secret reaches the settings.

mod common;

use std::time::Duration;

use common::screen::Screen;
use common::{assert_in_session, eventually, Sim, KEY, SECRET};
use compute_desk::desk::AppView;
use compute_desk::vault::Vault;

const KEY_2: &str = "tw-key-second-0002";
const SECRET_2: &str = "second-secret-value-0002";

fn who(view: &AppView) -> String {
    let a = &view.account;
    format!(
        "{} ({})",
        a.user.clone().unwrap_or_default(),
        a.key_name.clone().unwrap_or_default()
    )
}

/// The names of the machines on screen once the list of the account on screen is in.
async fn machines_on_screen(seen: &Screen, count: usize) -> Vec<String> {
    let loaded = eventually(Duration::from_secs(10), || async {
        seen.last()
            .is_some_and(|s| s.loaded && s.machines.len() == count)
    })
    .await;
    assert!(
        loaded,
        "{count} machines never came: {:?}",
        seen.last().map(|s| s.machines.len())
    );
    let mut names: Vec<String> = seen
        .last()
        .unwrap()
        .machines
        .iter()
        .map(|r| r.name.clone())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_on_two_servers_and_two_keys_on_one_stay_apart() {
    assert_in_session();
    // Two servers: three machines on one, five on the other, which takes a second key.
    let one = Sim::start(&["--rate-limit", "0", "--instances", "3", "--speed", "10"]);
    let more_key = format!("{KEY_2}:{SECRET_2}");
    let two = Sim::start(&[
        "--rate-limit",
        "0",
        "--instances",
        "5",
        "--speed",
        "10",
        "--accept-delay",
        "20",
        "--more-key",
        &more_key,
    ]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.accounts");
    let (desk, seen) = common::recorded_desk(config.path(), &vault);

    // Added one after the other, without signing out: three accounts.
    desk.sign_in_with_key(&one.base, KEY, SECRET).await.unwrap();
    let first = machines_on_screen(&seen, 3).await;
    desk.sign_in_with_key(&two.base, KEY, SECRET).await.unwrap();
    desk.sign_in_with_key(&two.base, KEY_2, SECRET_2)
        .await
        .unwrap();
    let view = desk.view().await;
    assert_eq!(view.accounts.len(), 3, "{:?}", view.accounts);
    assert!(who(&view).contains("Key 2"), "{}", who(&view));
    assert_eq!(view.notice, None);
    // The same sign-in again is the same account, and the person is told.
    let view = desk
        .sign_in_with_key(&two.base, KEY_2, SECRET_2)
        .await
        .unwrap();
    assert_eq!(view.accounts.len(), 3);
    assert_eq!(
        view.notice.map(|n| n.key).as_deref(),
        Some("accounts.already_added")
    );
    let ids: Vec<String> = view.accounts.iter().map(|a| a.id.clone()).collect();
    assert_eq!(view.accounts.iter().filter(|a| a.active).count(), 1);
    assert!(view.accounts[2].active);
    // Each has its own keyring entry: two keys on one server do not overwrite each other.
    for entry in [one.keyring_for_key(), two.keyring_for_key()] {
        assert!(vault.load(&entry).unwrap().is_some(), "{entry}");
    }

    // On the second server's first key: an action still moving when the person switches.
    desk.switch_account(&ids[1]).await.unwrap();
    let second = machines_on_screen(&seen, 5).await;
    assert_ne!(first, second);
    let running = seen.running_ids();
    desk.act_and_wait(&running[..1], "stop").await.unwrap();
    let waiting = desk.history(None).unwrap().entries[0].clone();
    assert_eq!(waiting.what, "stop");
    assert!(waiting.outcome.is_open(), "{waiting:?}");

    // The first server's account: its own list and history; nothing of the other.
    let view = desk.switch_account(&ids[0]).await.unwrap();
    assert!(view.accounts[0].active);
    assert_eq!(machines_on_screen(&seen, 3).await, first);
    let history = desk.history(None).unwrap();
    assert!(
        history.entries.iter().all(|e| e.what != "stop"),
        "{:?}",
        history.entries
    );
    assert!(seen
        .last()
        .unwrap()
        .machines
        .iter()
        .all(|r| r.pending.is_none()));
    // Back on the second: the stop left behind was closed when the person switched.
    desk.switch_account(&ids[1]).await.unwrap();
    machines_on_screen(&seen, 5).await;
    let stop = desk
        .history(None)
        .unwrap()
        .entries
        .into_iter()
        .find(|e| e.id == waiting.id)
        .unwrap();
    assert_eq!(
        stop.said.text.unwrap().key,
        "history.switched_away",
        "{:?}",
        stop.outcome
    );

    // Signing out of it leaves the others, and the next one opens.
    let view = desk.sign_out().await;
    assert_eq!(view.accounts.len(), 2);
    assert!(view.account.signed_in, "the next account opened");
    assert_eq!(
        vault.load(&two.keyring_for_key()).unwrap(),
        None,
        "its entry is deleted"
    );
    assert!(vault.load(&one.keyring_for_key()).unwrap().is_some());

    // The settings name the accounts, never a secret.
    let settings = std::fs::read_to_string(config.path().join("settings.json")).unwrap();
    for secret in [SECRET, SECRET_2] {
        assert!(!settings.contains(secret), "a secret in the settings");
    }
    let active = desk
        .view()
        .await
        .accounts
        .into_iter()
        .find(|a| a.active)
        .unwrap();
    drop(desk);

    // A relaunch reopens the account used last, silently, with the other still saved.
    let again = common::desk_at(config.path(), &vault);
    let view = again.started().await;
    assert!(view.account.signed_in);
    assert_eq!(view.accounts.len(), 2);
    assert_eq!(
        view.accounts.iter().find(|a| a.active).unwrap().id,
        active.id
    );
    for id in view
        .accounts
        .iter()
        .map(|a| a.id.clone())
        .collect::<Vec<_>>()
    {
        again.remove_account(&id).await.unwrap();
    }
    let view = again.view().await;
    assert!(view.accounts.is_empty() && !view.account.signed_in);
    assert_eq!(vault.load(&one.keyring_for_key()).unwrap(), None);
    assert_eq!(vault.load(&two.keyring_for_key()).unwrap(), None);
}

/// A damaged settings file is set aside; the keyring entry of the account it named stays
/// (signing in again finds it replaced, not lost).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_settings_file_loses_no_keyring_entry() {
    assert_in_session();
    let sim = Sim::start(&["--rate-limit", "0", "--instances", "1"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.accounts-damaged");
    let desk = common::desk_at(config.path(), &vault);
    desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    drop(desk);
    let settings = config.path().join("settings.json");
    std::fs::write(&settings, b"{\"accounts\": [oops").unwrap();
    let again = common::desk_at(config.path(), &vault);
    let view = again.started().await;
    assert_eq!(
        view.settings_warning.map(|w| w.key).as_deref(),
        Some("settings.damaged")
    );
    assert!(
        vault.load(&sim.keyring_for_key()).unwrap().is_some(),
        "the entry stays"
    );
    vault.delete(&sim.keyring_for_key()).unwrap();
}

/// Named and coloured by the person (a bad name refused, nothing changed); an account
/// switched back to shows its last list at once, marked as not read, and only its own; a
/// key the service no longer accepts is marked in the menu until it is signed in again;
/// the demo is one more place to switch to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_are_named_and_show_their_last_list_and_a_revoked_key_is_marked() {
    assert_in_session();
    let one = Sim::start(&["--rate-limit", "0", "--instances", "3", "--speed", "10"]);
    let two = Sim::start(&["--rate-limit", "0", "--instances", "5", "--speed", "10"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.accounts-named");
    let (desk, seen) = common::recorded_desk(config.path(), &vault);
    desk.sign_in_with_key(&one.base, KEY, SECRET).await.unwrap();
    machines_on_screen(&seen, 3).await;
    let view = desk.sign_in_with_key(&two.base, KEY, SECRET).await.unwrap();
    machines_on_screen(&seen, 5).await;
    let (first, second) = (view.accounts[0].clone(), view.accounts[1].clone());
    assert_ne!(first.colour, second.colour, "each its own colour");

    // Named and coloured; the window's title says the name of the account on screen.
    let view = desk
        .edit_account(&first.id, "  Production ", "red")
        .await
        .unwrap();
    let named = &view.accounts[0];
    assert_eq!(
        (named.name.as_str(), named.colour.as_str()),
        ("Production", "red")
    );
    assert_eq!(view.title().key, "window.title_account");
    assert_eq!(
        view.account_name(),
        Some(common::EMAIL),
        "the one on screen is the other, unnamed: its own name"
    );
    // A bad name or colour is refused with its reason, and nothing changes.
    for (name, colour, reason) in [
        (&*"x".repeat(41), "red", "desk.account_name_long"),
        ("Pro\nduction", "red", "desk.account_name_line"),
        ("Test", "pink", "desk.account_colour_unknown"),
    ] {
        let refused = desk
            .edit_account(&first.id, name, colour)
            .await
            .unwrap_err();
        assert_eq!(
            (refused.kind, refused.text.key.as_str()),
            ("invalid", reason)
        );
    }
    let refused = desk
        .edit_account("no-such-id", "X", "red")
        .await
        .unwrap_err();
    assert_eq!(refused.text.key, "desk.unknown_account");
    assert_eq!(desk.view().await.accounts[0].name, "Production");
    let settings = std::fs::read_to_string(config.path().join("settings.json")).unwrap();
    assert!(settings.contains("\"Production\""), "{settings}");

    // Back to the first: its own list as last seen, at once, marked as not read and with
    // no button to press, while the read is slow to answer; then the read replaces it.
    one.fault(
        serde_json::json!({"method": "GET", "path": "/api/compute/v1/instances",
        "kind": "latency", "ms": 3000, "times": 1}),
    )
    .await;
    let view = desk.switch_account(&first.id).await.unwrap();
    assert_eq!(
        view.title().params.get("account").map(String::as_str),
        Some("Production")
    );
    let shown = desk.watcher().snapshot().await;
    assert!(
        shown.loaded && shown.unread,
        "{:?}",
        (shown.loaded, shown.unread)
    );
    assert_eq!(shown.machines.len(), 3, "its own list, not the other's");
    assert!(shown.machines.iter().all(|r| r.can == Default::default()));
    let read = common::eventually(Duration::from_secs(10), || async {
        !desk.watcher().snapshot().await.unread
    })
    .await;
    assert!(read, "the list was never read");
    assert!(desk
        .watcher()
        .snapshot()
        .await
        .machines
        .iter()
        .any(|r| r.can != Default::default()));

    // The second account's key is revoked meanwhile: switching to it asks to sign in
    // again, and the menu marks that account alone.
    two.revoke_key(KEY).await;
    let view = desk.switch_account(&second.id).await.unwrap();
    assert!(!view.account.signed_in);
    assert_eq!(
        view.sign_in_reason.map(|r| r.key).as_deref(),
        Some("desk.saved_sign_in_expired")
    );
    let refused: Vec<bool> = view.accounts.iter().map(|a| a.refused).collect();
    assert_eq!(refused, [false, true]);
    assert_eq!(view.server, two.base, "the sign-in screen is on its server");
    // Its last list is not shown to a sign-in screen, and no other account's either.
    assert!(!desk.watcher().snapshot().await.loaded);
    // The first account is still there to go back to, unmarked.
    let view = desk.switch_account(&first.id).await.unwrap();
    assert!(view.account.signed_in);
    machines_on_screen(&seen, 3).await;

    // The demo is one more place in the menu: none of the saved accounts is in use there.
    let view = desk
        .switch_account(compute_desk::desk::DEMO_ACCOUNT)
        .await
        .unwrap();
    assert!(view.demo && view.account.signed_in);
    assert!(view.accounts.iter().all(|a| !a.active));
    assert_eq!(view.title().key, "window.title_demo");
    let view = desk.switch_account(&first.id).await.unwrap();
    assert!(!view.demo && view.accounts[0].active);

    for a in desk.view().await.accounts {
        desk.remove_account(&a.id).await.unwrap();
    }
}

/// A settings file naming an account whose keyring entry is gone (deleted by hand, or by
/// another program): after launch the menu shows it signed out, and opening it asks to
/// sign in again; the account on screen is untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_whose_keyring_entry_is_gone_is_shown_signed_out() {
    assert_in_session();
    let one = Sim::start(&["--rate-limit", "0", "--instances", "1"]);
    let two = Sim::start(&["--rate-limit", "0", "--instances", "2"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.accounts-gone");
    let desk = common::desk_at(config.path(), &vault);
    desk.sign_in_with_key(&one.base, KEY, SECRET).await.unwrap();
    desk.sign_in_with_key(&two.base, KEY, SECRET).await.unwrap();
    drop(desk);
    vault.delete(&one.keyring_for_key()).unwrap();

    let again = common::desk_at(config.path(), &vault);
    let view = again.started().await;
    assert!(view.account.signed_in, "the account used last opens");
    assert!(!view.accounts.iter().any(|a| a.signed_out), "not known yet");
    assert!(again.check_saved_entries().await);
    let view = again.view().await;
    let marks: Vec<(bool, bool)> = view
        .accounts
        .iter()
        .map(|a| (a.active, a.signed_out))
        .collect();
    assert_eq!(marks, [(false, true), (true, false)]);
    let view = again.switch_account(&view.accounts[0].id).await.unwrap();
    assert_eq!(
        view.sign_in_reason.map(|r| r.key).as_deref(),
        Some("desk.saved_sign_in_expired")
    );
    // Signed in again: no longer marked.
    let view = again
        .sign_in_with_key(&one.base, KEY, SECRET)
        .await
        .unwrap();
    assert!(
        view.accounts.iter().all(|a| !a.signed_out),
        "{:?}",
        view.accounts
    );
    for a in view.accounts {
        again.remove_account(&a.id).await.unwrap();
    }
}
