//! The app without its window (`Desk`) against a real `compute-sim` process and the
//! keyring of the private D-Bus session (`bash .ci/session cargo test`): how an email
//! session is kept alive, and what happens once the server ends it.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{eventually, Sim, EMAIL};
use compute_desk::desk::{AccountNews, Desk, Options};
use compute_desk::vault::Vault;
use compute_desk::watch::Policy;

async fn requests_to(sim: &Sim, path: &str, status: u64) -> usize {
    sim.requests()
        .await
        .iter()
        .filter(|r| r["path"] == path && r["status"] == status)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_extended_before_it_expires_and_a_revoked_one_is_given_up_once() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run with `bash .ci/session cargo test` (the sign-in is kept in the keyring)"
    );
    // Sessions last four seconds unless extended.
    let sim = Sim::start(&["--rate-limit", "0", "--session-ttl", "4"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.desk");
    let desk = Arc::new(Desk::new(
        config.path(),
        vault.clone(),
        Policy::default(),
        Options::default(),
    ));
    desk.email_start(&sim.base, EMAIL).await.unwrap();
    let view = desk.email_verify(&sim.latest_code().await).await.unwrap();
    assert!(view.account.signed_in);

    let lost = Arc::new(Mutex::new(Vec::new()));
    let keeper = {
        let (desk, lost) = (desk.clone(), lost.clone());
        tokio::spawn(async move {
            desk.keep_sessions_alive(|news| {
                if let AccountNews::Lost(f) = news {
                    lost.lock().unwrap().push(f)
                }
            })
            .await
        })
    };

    // Past two lifetimes, the session still works: it was extended in time.
    tokio::time::sleep(Duration::from_secs(9)).await;
    let extended = requests_to(&sim, "/api/auth/v2/session/extend", 200).await;
    assert!(extended >= 2, "extended {extended} times in 9 s");
    assert!(lost.lock().unwrap().is_empty());
    assert!(desk.view().await.account.signed_in);
    assert!(
        desk.create_options().await.is_ok(),
        "the session still works"
    );

    // The server ends every session: the next extension is refused once, the app says
    // so, and it does not keep asking.
    sim.end_sessions().await;
    let noticed = eventually(Duration::from_secs(10), || async {
        !lost.lock().unwrap().is_empty()
    })
    .await;
    assert!(noticed, "the ended session was not noticed");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(lost.lock().unwrap().len(), 1);
    assert_eq!(lost.lock().unwrap()[0].kind, "auth");
    let refused = requests_to(&sim, "/api/auth/v2/session/extend", 401).await;
    assert_eq!(refused, 1, "a refused session is not asked again");
    let view = desk.view().await;
    assert!(!view.account.signed_in);
    assert!(
        view.sign_in_reason
            .as_deref()
            .is_some_and(|r| r.contains("Sign in again")),
        "{:?}",
        view.sign_in_reason
    );

    keeper.abort();
    desk.sign_out().await;
    let account = compute_desk::api::Client::builder(&sim.base)
        .build()
        .unwrap()
        .base_url()
        .to_string();
    assert_eq!(
        vault.load(&account).unwrap(),
        None,
        "sign-out emptied the keyring"
    );
}
