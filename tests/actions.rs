//! The life of an action, from click to outcome, with `Desk` against a real `compute-sim`
//! and the keyring of the private D-Bus session (`bash .ci/session cargo test`): bulks
//! paced under the rate budget, each row's outcome as it comes, "Stop the rest", a
//! sign-out or a refused sign-in in the middle of a bulk, and answers that come back after
//! the sign-in that asked for them has ended.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::screen::Screen;
use common::{assert_in_session, eventually, Sim, EMAIL, KEY, SECRET};
use compute_desk::desk::{ActionResult, Desk, Run};
use compute_desk::history::{Entry, Outcome};
use compute_desk::vault::Vault;
use compute_desk::watch::{CreateSeen, Policy};
use serde_json::json;

/// A simulator whose service allows `power` power actions a minute (a bulk takes two
/// thirds of them: 3 give turns of 2 a minute), its other limits the service's own.
fn sim_with_power_limit(power: u32, args: &[&str]) -> Sim {
    let limit = format!("instances.power={power}");
    let mut all = vec!["--limit", limit.as_str()];
    all.extend_from_slice(args);
    Sim::start(&all)
}

/// A desk signed in with the key pair, its watcher running (and writing the history)
/// into the returned screen; its actions paced by the limits the simulator states.
async fn paced_desk(sim: &Sim, config: &std::path::Path, keyring: &str) -> (Arc<Desk>, Screen) {
    desk_with_policy(sim, config, keyring, Policy::default()).await
}

/// Sends `run` as the window does, in a task of its own.
fn send_in_background(desk: &Arc<Desk>, run: Run) -> tokio::task::JoinHandle<Vec<ActionResult>> {
    let desk = desk.clone();
    tokio::spawn(async move { desk.send(run).await })
}

/// The ids of the running machines on the screen; at least `n` of them.
fn running(seen: &Screen, n: usize) -> Vec<String> {
    let ids = seen.running_ids();
    assert!(ids.len() >= n, "only {} running machines", ids.len());
    ids
}

async fn posts(sim: &Sim) -> usize {
    sim.requests()
        .await
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] != "/api/auth/v2/session")
        .count()
}

/// The history's entries for `what` on `id`, oldest first.
fn entries_for(desk: &Desk, what: &str, id: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = desk
        .history(None)
        .unwrap()
        .entries
        .into_iter()
        .filter(|e| e.what == what && e.machine_id.as_deref() == Some(id))
        .collect();
    entries.reverse();
    entries
}

fn said_key(entry: &Entry) -> Option<&str> {
    entry.said.text.as_ref().map(|t| t.key.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_shows_each_rows_outcome_as_it_comes_and_stops_when_asked() {
    assert_in_session();
    let sim = sim_with_power_limit(3, &["--instances", "24"]);
    let config = tempfile::tempdir().unwrap();
    let (desk, seen) = paced_desk(&sim, config.path(), "app.computedesk.test.bulk").await;
    let ids: Vec<String> = running(&seen, 5)[..5].to_vec();
    // The first machine refuses at once; two requests a minute hold the rest back.
    sim.fault(
        json!({"method": "POST", "path": format!("/api/compute/v1/instances/{}/stop", ids[0]),
                     "kind": "status", "status": 400, "message": "Machine is locked", "times": 1}),
    )
    .await;
    let run = desk.act(&ids, "stop").await.unwrap();
    let planned = run.planned().clone();
    assert_eq!((planned.sending, planned.skipped.len()), (5, 0));
    // The rows are marked before anything is sent: two whose turn is now say what they
    // do, the three whose turn is a minute away say they wait for it.
    let marked = desk.watcher().snapshot().await;
    assert!(marked.seq >= planned.seq);
    let row = |snap: &compute_desk::watch::Snapshot, id: &str| {
        snap.machines.iter().find(|r| r.id == id).cloned().unwrap()
    };
    for (i, id) in ids.iter().enumerate() {
        let pending = row(&marked, id).pending.expect("marked at once");
        let said = if i < 2 {
            "progress.stop"
        } else {
            "progress.queued"
        };
        assert_eq!(pending.label.key, said, "row {i}");
        assert!(!pending.sent, "row {i} is not sent yet");
    }
    let sender = send_in_background(&desk, run);
    // The refusal is on its row within moments, while the rest still wait their turn.
    let shown = eventually(Duration::from_secs(5), || async {
        seen.last().is_some_and(|s| {
            row(&s, &ids[0]).error.is_some() && s.bulks.first().is_some_and(|b| b.left == 3)
        })
    })
    .await;
    let snap = seen.last().unwrap();
    assert!(
        shown,
        "no early outcome: {:?} {:?}",
        row(&snap, &ids[0]),
        snap.bulks
    );
    assert_eq!(
        row(&snap, &ids[0]).error.unwrap().server_message.as_deref(),
        Some("Machine is locked")
    );
    assert!(
        row(&snap, &ids[1]).pending.unwrap().sent,
        "the second was sent"
    );
    assert_eq!(snap.bulks[0].total, 5);
    assert_eq!(
        row(&snap, &ids[3]).can,
        Default::default(),
        "nothing to click twice"
    );
    assert!(!sender.is_finished(), "the bulk is still sending");

    // "Stop the rest": what was not sent is not sent, at once.
    assert!(desk.stop_run(planned.run));
    let results: Vec<ActionResult> = tokio::time::timeout(Duration::from_secs(3), sender)
        .await
        .expect("the bulk ended when stopped")
        .unwrap();
    assert_eq!(results.len(), 5);
    assert_eq!(results[0].error.as_ref().unwrap().kind, "invalid");
    assert!(results[1].ok);
    assert!(
        results[2..].iter().all(|r| r.not_sent && !r.ok),
        "{results:?}"
    );
    assert_eq!(posts(&sim).await, 2, "two sent, three stopped");
    assert_eq!(desk.run_results(planned.run).await.unwrap().len(), 5);
    let cleared = eventually(Duration::from_secs(3), || async {
        seen.last().is_some_and(|s| {
            s.bulks.is_empty() && ids[2..].iter().all(|id| row(&s, id).pending.is_none())
        })
    })
    .await;
    assert!(cleared, "{:?}", seen.last().unwrap().bulks);

    // The history says the same.
    let first = entries_for(&desk, "stop", &ids[0]);
    assert_eq!(first[0].outcome, Outcome::Failed);
    assert_eq!(first[0].said.error_id.as_ref().map(String::len), Some(36));
    for id in &ids[2..] {
        let e = &entries_for(&desk, "stop", id)[0];
        assert_eq!(
            (e.outcome, said_key(e)),
            (Outcome::NotSent, Some("history.stopped"))
        );
    }
    let second = &entries_for(&desk, "stop", &ids[1])[0];
    assert!(
        matches!(second.outcome, Outcome::Waiting | Outcome::Done),
        "{second:?}"
    );
    desk.sign_out().await;
}

/// Issue 32: the service counts every client of an account. When colleagues used most of
/// this minute's power actions, the bulk's confirmation says what is really left (from
/// `/limits/usage`), and the bulk sends no more than that until the window starts again:
/// nothing answered 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_goes_no_further_than_what_the_service_says_is_left_this_minute() {
    assert_in_session();
    // The service's own limits: 60 power actions a minute.
    let sim = Sim::start(&["--instances", "40"]);
    let config = tempfile::tempdir().unwrap();
    let (desk, seen) = paced_desk(&sim, config.path(), "app.computedesk.test.bulk_usage").await;
    let ids: Vec<String> = running(&seen, 15)[..15].to_vec();
    // A colleague's script, on the same account: 52 power actions this minute.
    for _ in 0..52 {
        let r = sim
            .raw(
                reqwest::Method::POST,
                "/api/compute/v1/instances/elsewhere/restart",
            )
            .await;
        assert_eq!(r.status(), 404, "counted, then not found");
    }
    sim.clear_requests().await;

    // Asked as the confirmation asks: 8 go now (not the 40 of the app's own count).
    let pacing = desk.pacing("stop", ids.len()).await.unwrap();
    assert_eq!(pacing.now, 8, "{pacing:?}");
    assert!(pacing.seconds > 0, "{pacing:?}");
    let asked = sim
        .requests()
        .await
        .iter()
        .filter(|r| r["path"] == "/api/billing/v1/limits/usage")
        .count();
    assert_eq!(asked, 1, "the usage asked once");

    // Sent: eight go, the rest wait for the window; nothing is refused.
    let run = desk.act(&ids, "stop").await.unwrap();
    let sender = send_in_background(&desk, run);
    let eight = eventually(Duration::from_secs(5), || async { posts(&sim).await >= 8 }).await;
    assert!(eight, "the eight left went at once");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let requests = sim.requests().await;
    assert_eq!(posts(&sim).await, 8, "more than what was left went");
    assert!(
        requests.iter().all(|r| r["status"] != 429),
        "a request was answered 429"
    );
    desk.sign_out().await;
    let _ = tokio::time::timeout(Duration::from_secs(5), sender).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_during_a_bulk_sends_nothing_more_and_ends_its_history() {
    assert_in_session();
    let sim = sim_with_power_limit(5, &["--instances", "24"]);
    let config = tempfile::tempdir().unwrap();
    let (desk, seen) = paced_desk(&sim, config.path(), "app.computedesk.test.bulk_sign_out").await;
    let ids = running(&seen, 6);
    let run = desk.act(&ids, "stop").await.unwrap();
    let sender = send_in_background(&desk, run);
    let three = eventually(Duration::from_secs(5), || async { posts(&sim).await == 3 }).await;
    assert!(three, "the first three go at once");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(posts(&sim).await, 3, "the rest wait for their turn");

    desk.sign_out().await;
    let results = tokio::time::timeout(Duration::from_secs(3), sender)
        .await
        .expect("the bulk ended with the sign-in")
        .unwrap();
    assert_eq!(results.iter().filter(|r| r.ok).count(), 3);
    assert!(results[3..].iter().all(|r| r.not_sent));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(posts(&sim).await, 3, "a POST after sign-out");

    // The same person signs in again: every entry of that bulk has reached an end.
    desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    let history = desk.history(None).unwrap();
    assert!(
        history.entries.iter().all(|e| !e.outcome.is_open()),
        "{:?}",
        history.entries
    );
    let not_sent: Vec<&Entry> = history
        .entries
        .iter()
        .filter(|e| e.outcome == Outcome::NotSent)
        .collect();
    assert_eq!(not_sent.len(), ids.len() - 3);
    assert!(not_sent
        .iter()
        .all(|e| said_key(e) == Some("history.signed_out_before_sent")));
    desk.sign_out().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_sign_in_ends_the_bulk_and_keeps_what_was_accepted() {
    assert_in_session();
    let sim = sim_with_power_limit(5, &["--instances", "24"]);
    let config = tempfile::tempdir().unwrap();
    let (desk, seen) = paced_desk(&sim, config.path(), "app.computedesk.test.bulk_401").await;
    let ids: Vec<String> = running(&seen, 6)[..6].to_vec();
    // The third request is refused: the key was revoked a moment ago.
    sim.fault(
        json!({"method": "POST", "path": format!("/api/compute/v1/instances/{}/stop", ids[2]),
                     "kind": "status", "status": 401, "times": 1}),
    )
    .await;
    let results = tokio::time::timeout(Duration::from_secs(10), desk.act_and_wait(&ids, "stop"))
        .await
        .expect("the bulk ended at the refusal, not a minute later")
        .unwrap();
    let accepted: Vec<&ActionResult> = results.iter().filter(|r| r.ok).collect();
    let refused: Vec<&ActionResult> = results.iter().filter(|r| r.error.is_some()).collect();
    let not_sent = results.iter().filter(|r| r.not_sent).count();
    assert_eq!(
        (accepted.len(), refused.len(), not_sent),
        (2, 1, 3),
        "{results:?}"
    );
    assert_eq!(refused[0].id, ids[2]);
    assert_eq!(refused[0].error.as_ref().unwrap().kind, "auth");
    assert_eq!(posts(&sim).await, 3);
    // What the server accepted is still followed; the rest is as it was.
    let snap = desk.watcher().snapshot().await;
    for r in &snap.machines {
        if accepted.iter().any(|a| a.id == r.id) {
            assert!(
                r.error.is_none() && (r.pending.is_some() || r.state == "stopped"),
                "{r:?}"
            );
        } else if ids[3..].contains(&r.id) {
            assert!(r.pending.is_none() && r.error.is_none(), "{r:?}");
        }
    }
    let view = desk.view().await;
    assert_eq!(
        view.sign_in_reason.map(|r| r.key).as_deref(),
        Some("desk.sign_in_ended")
    );
    desk.sign_out().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_refusal_for_a_signed_out_account_touches_nothing_of_the_next() {
    assert_in_session();
    let sim = Sim::start(&["--instances", "6"]);
    let config = tempfile::tempdir().unwrap();
    let desk = Arc::new(common::desk_at(
        config.path(),
        &Vault::new("app.computedesk.test.late_401"),
    ));
    let seen = Screen::default();
    tokio::spawn(desk.watcher().clone().run(desk.recording(seen.clone())));
    desk.email_start(&sim.base, EMAIL).await.unwrap();
    desk.email_verify(&sim.latest_code().await).await.unwrap();
    let email_sign_in = desk.sign_in_number();
    assert!(
        eventually(Duration::from_secs(5), || async {
            seen.last().is_some_and(|s| s.loaded)
        })
        .await
    );
    let id = running(&seen, 1).remove(0);
    // The shutdown is slow to answer, and by the time it does the session has ended.
    sim.fault(
        json!({"method": "POST", "path": "/api/compute/v1/instances/*",
                     "kind": "latency", "ms": 1500, "times": 0}),
    )
    .await;
    let run = desk.act(std::slice::from_ref(&id), "stop").await.unwrap();
    let sender = send_in_background(&desk, run);
    tokio::time::sleep(Duration::from_millis(300)).await;
    sim.end_sessions().await;
    // The person signs out and in with a key pair while the answer is on its way.
    desk.sign_out().await;
    desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    let results = sender.await.unwrap();
    assert_eq!(
        results[0].error.as_ref().unwrap().kind,
        "auth",
        "{results:?}"
    );
    // The window hands the desk the watcher's late news of the ended session too.
    desk.auth_lost(email_sign_in, &results[0].error.clone().unwrap())
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let view = desk.view().await;
    assert!(
        view.account.signed_in,
        "the key pair's sign-in was marked lost"
    );
    assert_eq!(view.sign_in_reason, None);
    assert!(
        desk.history(None)
            .unwrap()
            .entries
            .iter()
            .all(|e| e.what != "stop"),
        "the other account's action is in this history"
    );
    sim.clear_faults().await;
    let works = desk.act_and_wait(std::slice::from_ref(&id), "stop").await;
    assert!(works.is_ok_and(|r| r[0].ok || r[0].skipped));
    desk.sign_out().await;
}

/// A desk as [`desk_with_budget`] makes one, with `policy`.
async fn desk_with_policy(
    sim: &Sim,
    config: &std::path::Path,
    keyring: &str,
    policy: Policy,
) -> (Arc<Desk>, Screen) {
    common::signed_in_desk(sim, config, keyring, policy).await
}

/// A simulator for creates: two machines, no plan limit, a list lagging `lag` seconds
/// behind the creates.
fn creating_sim(lag: &str) -> Sim {
    Sim::start(&[
        "--instances",
        "2",
        "--quota",
        "-1",
        "--speed",
        "4",
        "--list-lag",
        lag,
    ])
}

/// The id of the machine the first unanswered create was found to be, once it is.
async fn the_create_found(seen: &Screen) -> String {
    let found = eventually(Duration::from_secs(15), || async {
        !seen.creates_seen.lock().unwrap().is_empty()
    })
    .await;
    assert!(found, "the machine was never looked for");
    let CreateSeen::Found { id, .. } = seen.creates_seen.lock().unwrap()[0].clone() else {
        panic!("{:?}", seen.creates_seen.lock().unwrap())
    };
    id
}

/// The history's create entries, oldest first.
fn creates(desk: &Desk) -> Vec<Entry> {
    let mut entries: Vec<Entry> = desk
        .history(None)
        .unwrap()
        .entries
        .into_iter()
        .filter(|e| e.what == "create")
        .collect();
    entries.reverse();
    entries
}

/// A real service lists a new machine only once its record is written: a create whose
/// machine the next reads do not list is waited for (read alone) and ends well, with no
/// failure on the way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_machine_the_list_lags_behind_is_waited_for() {
    assert_in_session();
    let sim = creating_sim("6");
    let config = tempfile::tempdir().unwrap();
    let (desk, seen) = paced_desk(&sim, config.path(), "app.computedesk.test.lag").await;
    let row = desk
        .create("ubuntu-22-standard", "default-network", None)
        .await
        .unwrap();
    // Reads at the fast rhythm go on while the list lags: the row stays, nothing fails.
    let done = eventually(Duration::from_secs(30), || async {
        seen.finished().iter().any(|f| f.id == row.id)
    })
    .await;
    assert!(done, "the create never ended");
    let finished = seen.finished();
    let f = finished.iter().find(|f| f.id == row.id).unwrap();
    assert!(f.ok, "{f:?}");
    assert!(
        sim.count("GET", &format!("/api/compute/v1/instances/{}", row.id))
            .await
            > 0,
        "the machine was read alone while the list lagged"
    );
    let entries = creates(&desk);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].outcome, Outcome::Done);
    assert_eq!(entries[0].template.as_deref(), Some("ubuntu-22-standard"));
    desk.sign_out().await;
}

/// Issue 32: an unanswered create is told from the machines that were there by a list
/// read for this sign-in. Before the first list came (it hangs here), there is none: the
/// desk reads the list first, so a machine of the same template already there is not
/// taken for the new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_create_before_the_first_list_is_told_apart_by_a_list_read_first() {
    assert_in_session();
    let sim = creating_sim("0");
    let before = sim.listed("templateId").await;
    let template = before[0].1.clone();
    let config = tempfile::tempdir().unwrap();
    let desk = Arc::new(Desk::new(
        config.path(),
        Vault::new("app.computedesk.test.unanswered_first"),
        Policy::default(),
        compute_desk::desk::Options::default(),
    ));
    let seen = Screen::default();
    tokio::spawn(desk.watcher().clone().run(desk.recording(seen.clone())));
    // The first list read hangs for a while.
    sim.fault(json!({"method": "GET", "path": "/api/compute/v1/instances",
        "kind": "latency", "ms": 6000, "times": 1}))
        .await;
    desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    sim.fault(
        json!({"method": "POST", "path": "/api/compute/v1/instances", "kind": "answer_lost"}),
    )
    .await;
    assert!(
        !seen.last().is_some_and(|s| s.loaded),
        "the list came before the create"
    );
    let lost = desk
        .create(&template, "default-network", None)
        .await
        .unwrap_err();
    assert_eq!(lost.text.key, "desk.create_unanswered", "{lost:?}");
    let id = the_create_found(&seen).await;
    assert!(
        before.iter().all(|(old, _)| *old != id),
        "{id} was there before the create"
    );
    desk.sign_out().await;
}

/// A create whose answer was lost (the server made the machine): not a failure but not
/// known; Create waits meanwhile, the machine is found in the next reads and the entry
/// is settled by it. One that never reached the server is not seen within the bound and
/// says so, and Create works again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_without_an_answer_is_looked_for_and_create_waits_meanwhile() {
    assert_in_session();
    let sim = creating_sim("3");
    let config = tempfile::tempdir().unwrap();
    let policy = Policy {
        created_list_lag: Duration::from_secs(8),
        ..Policy::default()
    };
    let (desk, seen) = desk_with_policy(
        &sim,
        config.path(),
        "app.computedesk.test.unanswered",
        policy,
    )
    .await;
    sim.fault(
        json!({"method": "POST", "path": "/api/compute/v1/instances", "kind": "answer_lost"}),
    )
    .await;
    let lost = desk
        .create("ubuntu-22-standard", "default-network", None)
        .await
        .unwrap_err();
    assert_eq!(lost.text.key, "desk.create_unanswered", "{lost:?}");
    let entries = creates(&desk);
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (
            entries[0].outcome,
            entries[0].template.as_deref(),
            entries[0].machine.as_deref()
        ),
        (Outcome::Waiting, Some("ubuntu-22-standard"), None),
        "not known yet, with its template"
    );
    let says = eventually(Duration::from_secs(2), || async {
        seen.last().is_some_and(|s| s.looking_for_create)
    })
    .await;
    assert!(says, "the screen says Create waits");
    // The list lags: the machine is not seen yet, and a second create is refused.
    let posts_before = sim.count("POST", "/api/compute/v1/instances").await;
    let wait = desk
        .create("ubuntu-22-standard", "default-network", None)
        .await
        .unwrap_err();
    assert_eq!(wait.text.key, "desk.create_wait");
    assert_eq!(
        sim.count("POST", "/api/compute/v1/instances").await,
        posts_before,
        "no second POST"
    );
    // The machine appears: the entry is about it, and ends when it runs.
    let id = the_create_found(&seen).await;
    let done = eventually(Duration::from_secs(20), || async {
        creates(&desk)[0].outcome == Outcome::Done
    })
    .await;
    assert!(done, "{:?}", creates(&desk));
    assert_eq!(creates(&desk)[0].machine_id.as_deref(), Some(id.as_str()));
    assert!(!seen.last().unwrap().looking_for_create);

    // Never reached the server: nothing appears within the bound; then Create works.
    sim.fault(json!({"method": "POST", "path": "/api/compute/v1/instances", "kind": "drop"}))
        .await;
    let lost = desk
        .create("ubuntu-22-standard", "default-network", None)
        .await
        .unwrap_err();
    assert_eq!(lost.text.key, "desk.create_unanswered");
    let ended = eventually(Duration::from_secs(15), || async {
        creates(&desk)
            .last()
            .is_some_and(|e| e.outcome == Outcome::Unknown)
    })
    .await;
    assert!(ended, "{:?}", creates(&desk));
    let last = creates(&desk).pop().unwrap();
    assert_eq!(
        last.said.text.as_ref().unwrap().key,
        "history.create_not_seen"
    );
    assert!(desk
        .create("ubuntu-22-standard", "default-network", None)
        .await
        .is_ok());
    desk.sign_out().await;
}

/// The history entry of `what` on the machine `id`, as it is now.
fn entry_of(desk: &Desk, what: &str, id: &str) -> Entry {
    desk.history(None)
        .unwrap()
        .entries
        .into_iter()
        .find(|e| e.what == what && e.machine_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no {what} entry for {id}"))
}

/// An action asked for on a machine whose earlier action has not ended replaces it, and
/// the earlier one's entry says so: "not sent" when it still waited for its turn, "not
/// known" when it had been sent (a Force reset over a shutdown under way).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_replaced_before_it_ended_says_so_in_the_history() {
    assert_in_session();
    // Shutdowns take a while here: the first is still under way when it is replaced.
    let sim = sim_with_power_limit(2, &["--instances", "4", "--speed", "0.2"]);
    let config = tempfile::tempdir().unwrap();
    let (desk, seen) = paced_desk(&sim, config.path(), "app.computedesk.test.replaced").await;
    let ids = running(&seen, 2);
    let (sent, queued) = (ids[0].clone(), ids[1].clone());
    // One request a minute: the first shutdown goes, the second waits for its turn.
    let first = desk.act(std::slice::from_ref(&sent), "stop").await.unwrap();
    let first = send_in_background(&desk, first);
    let posted = eventually(Duration::from_secs(5), || async { posts(&sim).await == 1 }).await;
    assert!(posted, "the first shutdown was sent");
    let second = desk
        .act(std::slice::from_ref(&queued), "stop")
        .await
        .unwrap();
    let second_run = second.planned().run;
    let second = send_in_background(&desk, second);
    let waiting = entry_of(&desk, "stop", &queued);
    assert_eq!(waiting.outcome, Outcome::Queued, "{waiting:?}");

    // A restart asked for over the waiting shutdown: that one is not sent, and says why.
    let restart = desk
        .act(std::slice::from_ref(&queued), "restart")
        .await
        .unwrap();
    let replaced = entry_of(&desk, "stop", &queued);
    assert_eq!(replaced.outcome, Outcome::NotSent, "{replaced:?}");
    assert_eq!(said_key(&replaced), Some("history.replaced"));

    // A Force reset over the shutdown under way: how that one ended is not known.
    let stopping = eventually(Duration::from_secs(10), || async {
        seen.last().is_some_and(|s| {
            s.machines
                .iter()
                .any(|r| r.id == sent && r.status == "STOPPING")
        })
    })
    .await;
    assert!(stopping, "the first machine never showed it was stopping");
    let reset = desk
        .act(std::slice::from_ref(&sent), "reset")
        .await
        .unwrap();
    let replaced = entry_of(&desk, "stop", &sent);
    assert_eq!(replaced.outcome, Outcome::Unknown, "{replaced:?}");
    assert_eq!(said_key(&replaced), Some("history.replaced"));
    assert_eq!(entry_of(&desk, "reset", &sent).outcome, Outcome::Queued);
    // Nothing more is sent: the runs still waiting for their turns are stopped.
    for run in [restart, reset] {
        let number = run.planned().run;
        let sending = send_in_background(&desk, run);
        desk.stop_run(number);
        sending.await.unwrap();
    }
    desk.stop_run(second_run);
    first.await.unwrap();
    second.await.unwrap();
    assert_eq!(
        said_key(&entry_of(&desk, "stop", &queued)),
        Some("history.replaced"),
        "an entry replaced stays so"
    );
    desk.sign_out().await;
}

/// A shutdown whose answer is lost on the way back (the server did it; the app never
/// heard): the row keeps following the machine, the entry says nobody knows yet, and once
/// the machine is seen stopped the entry is done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_power_action_whose_answer_is_lost_is_followed_to_its_end() {
    assert_in_session();
    let sim = sim_with_power_limit(90, &["--instances", "2", "--speed", "5"]);
    let config = tempfile::tempdir().unwrap();
    let (desk, seen) = paced_desk(&sim, config.path(), "app.computedesk.test.answer_lost").await;
    let id = running(&seen, 1).remove(0);
    sim.fault(
        json!({"method": "POST", "path": "/api/compute/v1/instances/*",
                     "kind": "answer_lost", "times": 1}),
    )
    .await;
    let results = desk
        .act_and_wait(std::slice::from_ref(&id), "stop")
        .await
        .unwrap();
    assert!(results[0].unknown && !results[0].ok, "{results:?}");
    let entry = entry_of(&desk, "stop", &id);
    assert_eq!(entry.outcome, Outcome::Waiting, "{entry:?}");
    assert_eq!(said_key(&entry), Some("history.no_answer"));
    let row = seen
        .last()
        .unwrap()
        .machines
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert!(row.pending.is_some(), "the row stopped following: {row:?}");

    let ended = eventually(Duration::from_secs(20), || async {
        entry_of(&desk, "stop", &id).outcome == Outcome::Done
    })
    .await;
    assert!(ended, "{:?}", entry_of(&desk, "stop", &id));
    let row = seen
        .last()
        .unwrap()
        .machines
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert_eq!(
        (row.status.as_str(), row.pending.is_none()),
        ("STOPPED", true)
    );
    desk.sign_out().await;
}
