//! The app without its window (`Desk`) against a real `compute-sim` process and the
//! keyring of the private D-Bus session (`bash .ci/session cargo test`): how an email
//! session is kept alive, and what happens once the server ends it.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::screen::Screen;
use common::{assert_in_session, eventually, Sim, EMAIL, KEY, SECRET};
use compute_desk::desk::{AccountNews, Desk, Options};
use compute_desk::failure::Failure;
use compute_desk::history::Outcome;
use compute_desk::text::Text;
use compute_desk::vault::{StoredCredentials, Vault};
use compute_desk::watch::Policy;
use serde_json::json;

async fn requests_to(sim: &Sim, path: &str, status: u64) -> usize {
    sim.requests()
        .await
        .iter()
        .filter(|r| r["path"] == path && r["status"] == status)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_extended_before_it_expires_and_a_revoked_one_is_given_up_once() {
    assert_in_session();
    // Sessions last four seconds unless extended.
    let sim = Sim::start(&["--rate-limit", "0", "--session-ttl", "4"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.desk");
    let desk = Arc::new(common::desk_at(config.path(), &vault));
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
    assert_eq!(
        view.sign_in_reason.map(|r| r.key).as_deref(),
        Some("desk.sign_in_ended")
    );

    keeper.abort();
    desk.sign_out().await;
    assert_eq!(
        vault.load(&sim.keyring_for_session()).unwrap(),
        None,
        "sign-out emptied the keyring"
    );
}

/// A key-pair sign-in saved in `vault` by a desk over `config` that then closes, as a
/// previous run of the app leaves it.
async fn saved_key_pair(config: &std::path::Path, vault: &Vault, sim: &Sim) {
    common::desk_at(config, vault)
        .sign_in_with_key(&sim.base, KEY, SECRET)
        .await
        .unwrap();
}

/// A desk over `config`, signed in with an emailed code.
async fn signed_in_by_email(config: &std::path::Path, vault: &Vault, sim: &Sim) -> Desk {
    let desk = common::desk_at(config, vault);
    desk.email_start(&sim.base, EMAIL).await.unwrap();
    desk.email_verify(&sim.latest_code().await).await.unwrap();
    desk
}

/// A desk over `config` with its watcher running into `seen`.
fn desk_watched(config: &std::path::Path, vault: &Vault, options: Options) -> (Arc<Desk>, Screen) {
    let desk = Arc::new(Desk::new(config, vault.clone(), Policy::default(), options));
    let seen = Screen::default();
    tokio::spawn(desk.watcher().clone().run(seen.clone()));
    (desk, seen)
}

/// The network is down at launch: the saved key pair is kept, the machines screen says
/// ThreatWinds cannot be reached, and when it returns the list and the account fill in
/// with no sign-in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_sign_in_survives_a_launch_without_the_network() {
    assert_in_session();
    let sim = Sim::start(&["--rate-limit", "0", "--instances", "3"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.offline");
    saved_key_pair(config.path(), &vault, &sim).await;
    // Every connection is cut, as with no network.
    sim.fault(json!({"kind": "drop", "times": 0})).await;
    let (desk, seen) = desk_watched(config.path(), &vault, Options::default());
    let news = Arc::new(Mutex::new(Vec::new()));
    let keeper = {
        let (desk, news) = (desk.clone(), news.clone());
        tokio::spawn(async move {
            desk.keep_sessions_alive(|n| news.lock().unwrap().push(format!("{n:?}")))
                .await
        })
    };
    let view = desk.started().await;
    assert!(view.account.signed_in, "the saved sign-in was kept");
    assert_eq!(view.sign_in_reason, None);
    // Whose it is is not known yet: the page says "checking" in its own words, and the
    // history is the account's own (the key is its identity), with what it did before.
    assert_eq!(
        (view.account.user.as_deref(), view.account.checking),
        (None, true)
    );
    let whats = |desk: &Desk| {
        desk.history(None)
            .map(|h| h.entries.iter().map(|e| e.what.clone()).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    assert_eq!(
        whats(&desk),
        ["sign_in"],
        "the account's history while checking"
    );
    let offline = eventually(Duration::from_secs(5), || async {
        seen.last().is_some_and(|s| s.offline && !s.loaded)
    })
    .await;
    assert!(offline, "the screen says ThreatWinds cannot be reached");
    assert!(vault.load(&sim.keyring_for_key()).unwrap().is_some());

    // The network is back: the list fills in and the account says whose it is.
    sim.clear_faults().await;
    let back = eventually(Duration::from_secs(20), || async {
        seen.last()
            .is_some_and(|s| s.loaded && !s.offline && s.machines.len() == 3)
    })
    .await;
    assert!(back, "the list came back by itself");
    let confirmed = eventually(Duration::from_secs(10), || async {
        desk.view().await.account.user.as_deref() == Some(EMAIL)
    })
    .await;
    assert!(confirmed, "{:?}", desk.view().await.account);
    assert!(!desk.view().await.account.checking);
    // Told just after the account changed (the keeper reports once it let go of the state).
    let told = eventually(Duration::from_secs(2), || async {
        news.lock().unwrap().iter().any(|n| n == "Confirmed")
    })
    .await;
    assert!(told, "{:?}", news.lock().unwrap());
    assert_eq!(whats(&desk), ["sign_in"], "the same history once confirmed");
    keeper.abort();
    desk.sign_out().await;
}

/// A session saved by an earlier version does not say whose it is, and this account has
/// no name to give: launched while the session cannot be checked, what is done is kept,
/// and it joins the account's own history (by the user id, not a name) once the server
/// answers; the keyring entry then says whose it is, and every later launch opens that
/// same history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_history_follows_the_account_through_an_unchecked_launch_and_restarts() {
    assert_in_session();
    let sim = Sim::start(&["--rate-limit", "0", "--instances", "3", "--nameless"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.identity");
    let account = sim.keyring_for_session();
    signed_in_by_email(config.path(), &vault, &sim).await;
    // As an earlier version saved it: no identity.
    let Some(StoredCredentials::Session {
        bearer,
        session_id,
        identity,
    }) = vault.load(&account).unwrap()
    else {
        panic!("a session in the keyring")
    };
    assert_eq!(
        identity.as_deref(),
        Some("user:550e8400-e29b-41d4-a716-446655440000")
    );
    // An earlier version kept it under the server's address, and the settings knew no
    // accounts.
    vault.delete(&account).unwrap();
    vault
        .save(
            &sim.keyring_named_by_server(),
            &StoredCredentials::Session {
                bearer,
                session_id,
                identity: None,
            },
        )
        .unwrap();
    let settings = config.path().join("settings.json");
    let mut old: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    old.as_object_mut().unwrap().remove("accounts");
    old.as_object_mut().unwrap().remove("active");
    std::fs::write(&settings, old.to_string()).unwrap();

    // The session cannot be checked at launch; the machines can be reached.
    sim.fault(json!({"method": "GET", "path": "/api/auth/v2/session", "kind": "drop", "times": 0}))
        .await;
    let (desk, seen) = desk_watched(config.path(), &vault, Options::default());
    let keeper = {
        let desk = desk.clone();
        tokio::spawn(async move { desk.keep_sessions_alive(|_| {}).await })
    };
    let view = desk.started().await;
    assert_eq!(
        (view.account.user.as_deref(), view.account.checking),
        (None, true)
    );
    assert!(
        eventually(Duration::from_secs(10), || async {
            seen.last().is_some_and(|s| s.loaded)
        })
        .await,
        "the list while the sign-in is checked"
    );
    let running = seen.running_ids();
    desk.act_and_wait(&running[..1], "stop").await.unwrap();
    let whats = |desk: &Desk| {
        desk.history(None)
            .map(|h| {
                h.entries
                    .iter()
                    .rev()
                    .map(|e| e.what.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        whats(&desk),
        ["stop"],
        "kept while nobody knows whose it is"
    );

    // The server answers: the stop joins the account's history, after its sign-in.
    sim.clear_faults().await;
    let joined = eventually(Duration::from_secs(20), || async {
        whats(&desk) == ["sign_in", "stop"]
    })
    .await;
    assert!(joined, "{:?}", whats(&desk));
    let view = desk.view().await;
    assert_eq!(
        (view.account.user.as_deref(), view.account.checking),
        (None, false)
    );
    let Some(StoredCredentials::Session { identity, .. }) = vault.load(&account).unwrap() else {
        panic!("a session in the keyring")
    };
    assert!(identity.is_some(), "the keyring entry now says whose it is");
    assert_eq!(
        vault.load(&sim.keyring_named_by_server()).unwrap(),
        None,
        "the earlier version's entry moved to the account's own"
    );
    keeper.abort();
    drop(desk);

    // Launched again, online: the same history.
    let again = common::desk_at(config.path(), &vault);
    again.started().await;
    assert_eq!(whats(&again), ["sign_in", "stop"]);
    again.sign_out().await;
}

/// A 401 at launch is the server saying the credentials are bad: sign-in screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_sign_in_the_server_refuses_asks_to_sign_in_again() {
    assert_in_session();
    let sim = Sim::start(&["--rate-limit", "0"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.refused");
    saved_key_pair(config.path(), &vault, &sim).await;
    sim.fault(json!({"path": "/api/auth/v2/keypair", "kind": "status", "status": 401}))
        .await;
    let desk = common::desk_at(config.path(), &vault);
    let view = desk.started().await;
    assert!(!view.account.signed_in);
    assert_eq!(
        view.sign_in_reason.unwrap().key,
        "desk.saved_sign_in_expired"
    );
    vault.delete(&sim.keyring_for_key()).unwrap();
}

/// A launch while ThreatWinds answers 503 with `Retry-After: 30`, or does not answer at
/// all: the machines screen opens (saying it cannot be reached) within seconds instead of
/// waiting out the client's retries, and the saved sign-in is kept for the background
/// checks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_launch_against_a_silent_or_overloaded_service_gives_way_within_seconds() {
    assert_in_session();
    let sim = Sim::start(&["--rate-limit", "0"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.boot_patience");
    saved_key_pair(config.path(), &vault, &sim).await;
    let faults = [
        json!({"path": "/api/auth/v2/keypair", "kind": "status", "status": 503, "retryAfter": 30, "times": 0}),
        json!({"path": "/api/auth/v2/keypair", "kind": "latency", "ms": 120000, "times": 0}),
    ];
    for fault in faults {
        sim.clear_faults().await;
        sim.fault(fault.clone()).await;
        let desk = common::desk_at(config.path(), &vault);
        let started = std::time::Instant::now();
        let view = desk.started().await;
        let took = started.elapsed();
        println!("boot screen with {fault}: {} ms", took.as_millis());
        assert!(
            took < Duration::from_secs(7),
            "{fault}: {took:?} on the boot screen"
        );
        assert!(
            view.account.signed_in,
            "{fault}: the saved sign-in was kept"
        );
        assert_eq!(view.sign_in_reason, None);
    }
    vault.delete(&sim.keyring_for_key()).unwrap();
}

/// Sign-out forgets at once, keyring first; the server is told in the background.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_does_not_wait_for_a_slow_server() {
    assert_in_session();
    let sim = Sim::start(&["--rate-limit", "0"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.signout");
    let desk = signed_in_by_email(config.path(), &vault, &sim).await;
    assert!(vault.load(&sim.keyring_for_session()).unwrap().is_some());
    sim.fault(json!({"method": "DELETE", "path": "/api/auth/v2/session/*", "kind": "latency", "ms": 8000}))
        .await;
    let started = std::time::Instant::now();
    let view = desk.sign_out().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(!view.account.signed_in);
    assert_eq!(vault.load(&sim.keyring_for_session()).unwrap(), None);
    let closed = eventually(Duration::from_secs(15), || async {
        sim.requests()
            .await
            .iter()
            .any(|r| r["method"] == "DELETE" && r["status"] == 200)
    })
    .await;
    assert!(closed, "the server was still told");
}

/// An action refused with 429 was not performed: it is sent again after the wait, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_refused_for_the_rate_is_sent_again_once() {
    assert_in_session();
    let sim = Sim::start(&["--rate-limit", "0", "--instances", "3", "--speed", "10"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.429");
    let (desk, seen) = desk_watched(config.path(), &vault, Options::default());
    desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    let loaded = eventually(Duration::from_secs(5), || async {
        seen.last().is_some_and(|s| s.loaded)
    })
    .await;
    assert!(loaded);
    let running = seen.running_ids();
    sim.fault(
        json!({"method": "POST", "path": "/api/compute/v1/instances/*", "kind": "status",
                     "status": 429, "retryAfter": 1, "times": 1}),
    )
    .await;
    let results = desk.act_and_wait(&running, "stop").await.unwrap();
    assert!(results.iter().all(|r| r.ok), "{results:?}");
    let posts = sim
        .requests()
        .await
        .iter()
        .filter(|r| r["method"] == "POST")
        .count();
    assert_eq!(posts, running.len() + 1, "one refused, sent again once");

    // Refused twice: the second refusal is reported, not retried again.
    sim.fault(
        json!({"method": "POST", "path": "/api/compute/v1/instances/*", "kind": "status",
                     "status": 429, "retryAfter": 1, "times": 2}),
    )
    .await;
    let stopped = wait_until_state(&seen, &running[0], "stopped").await;
    assert!(stopped);
    let results = desk.act_and_wait(&running[..1], "start").await.unwrap();
    assert_eq!(results[0].error.as_ref().unwrap().kind, "rate_limited");
    desk.sign_out().await;
}

async fn wait_until_state(seen: &Screen, id: &str, state: &str) -> bool {
    eventually(Duration::from_secs(20), || async {
        seen.last().is_some_and(|s| {
            s.machines
                .iter()
                .any(|r| r.id == id && r.state == state && r.pending.is_none())
        })
    })
    .await
}

/// Another person signing in on the same server never sees the previous one's list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_as_someone_else_starts_from_an_empty_list() {
    assert_in_session();
    let sim = Sim::start(&["--rate-limit", "0", "--instances", "2"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.other");
    let (desk, seen) = desk_watched(config.path(), &vault, Options::default());
    desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    assert!(
        eventually(Duration::from_secs(5), || async {
            seen.last().is_some_and(|s| s.loaded)
        })
        .await
    );
    // The key stops working (revoked); someone else signs in by email.
    desk.auth_lost(
        desk.sign_in_number(),
        &Failure::plain("auth", Text::new("desk.sign_in_ended"), "revoked"),
    )
    .await;
    desk.email_start(&sim.base, EMAIL).await.unwrap();
    // The new person's first list read is slow, so what the screen holds meanwhile is
    // seen (without it the read can answer before the look, and the check would race).
    sim.fault(json!({"method": "GET", "path": "/api/compute/v1/instances",
        "kind": "latency", "ms": 3000, "times": 1}))
        .await;
    desk.email_verify(&sim.latest_code().await).await.unwrap();
    let snap = desk.watcher().snapshot().await;
    assert!(
        !snap.loaded && snap.machines.is_empty(),
        "the previous list is gone"
    );
    assert!(
        eventually(Duration::from_secs(10), || async {
            let snap = desk.watcher().snapshot().await;
            snap.loaded && snap.machines.len() == 2
        })
        .await,
        "the new person's own read fills the list"
    );
    desk.sign_out().await;
}

/// The history: an action waits until the watcher sees the machine get there, not the
/// 202; one still waiting when the sign-in is lost ends unknown; sign-ins and sign-outs
/// are there, and the history is the same after signing in again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_settles_an_action_when_the_machine_is_seen_to_get_there() {
    assert_in_session();
    // A 202 changes the record half a second later (5 s at speed 10).
    let sim = Sim::start(&[
        "--rate-limit",
        "0",
        "--instances",
        "3",
        "--speed",
        "10",
        "--accept-delay",
        "5",
    ]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.history");
    let (desk, seen) = common::recorded_desk(config.path(), &vault);
    desk.email_start(&sim.base, EMAIL).await.unwrap();
    desk.email_verify(&sim.latest_code().await).await.unwrap();
    assert!(
        eventually(Duration::from_secs(5), || async {
            seen.last().is_some_and(|s| s.loaded)
        })
        .await
    );
    let machines = seen.last().unwrap().machines;
    let running = machines.iter().find(|r| r.state == "running").unwrap();
    let stopped = machines.iter().find(|r| r.state == "stopped").unwrap();

    desk.act_and_wait(std::slice::from_ref(&running.id), "stop")
        .await
        .unwrap();
    let newest = |desk: &Desk| desk.history(None).unwrap().entries[0].clone();
    let entry = newest(&desk);
    assert_eq!(
        (entry.what.as_str(), entry.machine.as_deref(), entry.outcome),
        ("stop", Some(running.name.as_str()), Outcome::Waiting),
        "accepted is not done"
    );
    assert!(!entry.who.is_empty());
    let done = eventually(Duration::from_secs(15), || async {
        newest(&desk).outcome == Outcome::Done
    })
    .await;
    assert!(done, "{:?}", newest(&desk));

    // Waiting when the sign-in is lost (the server ends the session): the app will never
    // see how it ended.
    desk.act_and_wait(std::slice::from_ref(&stopped.id), "start")
        .await
        .unwrap();
    sim.end_sessions().await;
    let unknown = eventually(Duration::from_secs(15), || async {
        newest(&desk).outcome == Outcome::Unknown
    })
    .await;
    let entry = newest(&desk);
    assert!(unknown, "{entry:?}");
    assert_eq!(entry.what, "start");
    assert!(entry.said.message.unwrap().contains("sign-in ended"));
    assert_eq!(entry.said.text.unwrap().key, "history.sign_in_lost");

    desk.sign_out().await;
    assert!(desk.history(None).is_none(), "nobody's history is open");
    desk.email_start(&sim.base, EMAIL).await.unwrap();
    desk.email_verify(&sim.latest_code().await).await.unwrap();
    let whats: Vec<(String, Outcome)> = desk
        .history(None)
        .unwrap()
        .entries
        .iter()
        .rev()
        .map(|e| (e.what.clone(), e.outcome))
        .collect();
    assert_eq!(
        whats,
        [
            ("sign_in".to_owned(), Outcome::Done),
            ("stop".to_owned(), Outcome::Done),
            ("start".to_owned(), Outcome::Unknown),
            ("sign_out".to_owned(), Outcome::Done),
            ("sign_in".to_owned(), Outcome::Done),
        ]
    );
    assert_eq!(desk.view().await.history_warning, None);
    desk.sign_out().await;

    // A file damaged on disk is set aside and a new history started: the History panel
    // and a banner on the machines screen say so (in the person's language, from the
    // catalog), until sign-out.
    // What was queued for the disk is on it.
    compute_desk::history::Writer::shared().flush();
    let files: Vec<_> = std::fs::read_dir(config.path().join("history"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let kept = std::fs::read_to_string(&files[0]).unwrap();
    std::fs::write(&files[0], format!("{{\"what\": 7}}\n{kept}")).unwrap();
    desk.email_start(&sim.base, EMAIL).await.unwrap();
    desk.email_verify(&sim.latest_code().await).await.unwrap();
    let banner = desk.view().await.history_warning.expect("a banner");
    assert_eq!(banner.key, "history.damaged");
    let aside = files[0].with_extension("jsonl.damaged");
    assert_eq!(banner.params["file"], aside.display().to_string());
    assert!(std::fs::read_to_string(&aside).unwrap().ends_with(&kept));
    let history = desk.history(None).unwrap();
    assert_eq!(history.warning, Some(banner));
    assert_eq!(history.entries.len(), 1, "a new history: {history:?}");
    desk.sign_out().await;
    assert_eq!(desk.view().await.history_warning, None);
}
