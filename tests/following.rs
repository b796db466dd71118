//! Cost follows change, with `Desk` against a real `compute-sim` and the keyring of the
//! private D-Bus session (`bash .ci/session cargo test`): a few moving machines are each
//! read alone (`GET /instances/{id}`) at the quick rhythm while the whole list keeps the
//! idle one; a machine read alone and not found is gone from the screen without waiting
//! for the list; past the limit of machines followed alone, the whole list is read at
//! the quick rhythm, as before.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::screen::Screen;
use common::{assert_in_session, eventually, Sim, KEY, SECRET};
use compute_desk::desk::{Desk, Options};
use compute_desk::vault::Vault;
use compute_desk::watch::Policy;
use serde_json::Value;

const LIST: &str = "/api/compute/v1/instances";

/// The quick rhythm a quarter of the app's, so that a test sees many rounds in seconds.
fn quick(alone_limit: usize) -> Policy {
    Policy {
        fast: Duration::from_millis(500),
        alone_limit,
        ..Policy::default()
    }
}

/// Reads of the whole list and of single machines the simulator has answered so far.
async fn reads(sim: &Sim) -> (usize, usize) {
    let requests = sim.requests().await;
    let gets = requests.iter().filter(|r| r["method"] == "GET");
    let path = |r: &Value| r["path"].as_str().unwrap_or_default().to_owned();
    let (mut lists, mut singles) = (0, 0);
    for r in gets {
        let path = path(r);
        if path == LIST {
            lists += 1;
        } else if path
            .strip_prefix("/api/compute/v1/instances/")
            .is_some_and(|id| !id.contains('/'))
        {
            singles += 1;
        }
    }
    (lists, singles)
}

async fn signed_in(sim: &Sim, config: &std::path::Path, policy: Policy) -> (Arc<Desk>, Screen) {
    let desk = Arc::new(Desk::new(
        config,
        Vault::new("app.computedesk.test.following"),
        policy,
        Options::default(),
    ));
    let seen = Screen::default();
    tokio::spawn(desk.watcher().clone().run(desk.recording(seen.clone())));
    desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    let loaded = eventually(Duration::from_secs(5), || async {
        seen.last().is_some_and(|s| s.loaded)
    })
    .await;
    assert!(loaded, "the list never came");
    (desk, seen)
}

/// The server's word for the machine `id` on the screen, if it is there.
fn status_on_screen(seen: &Screen, id: &str) -> Option<String> {
    let last = seen.last()?;
    let row = last.machines.iter().find(|r| r.id == id)?;
    Some(row.status.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moving_machine_is_read_alone_and_the_list_at_the_idle_rhythm_until_it_is_gone() {
    assert_in_session();
    // Shutdowns hang: the machine stays in STOPPING until something else happens to it.
    let sim = Sim::start(&[
        "--rate-limit",
        "0",
        "--instances",
        "6",
        "--shutdowns-hang",
        "--speed",
        "10",
    ]);
    let config = tempfile::tempdir().unwrap();
    let (desk, seen) = signed_in(&sim, config.path(), quick(20)).await;
    // The machines still provisioning at the start have settled (0.8 s at speed 10).
    assert!(
        eventually(Duration::from_secs(5), || async {
            seen.running_ids().len() >= 4
        })
        .await
    );
    let id = seen.running_ids()[0].clone();
    desk.act_and_wait(std::slice::from_ref(&id), "stop")
        .await
        .unwrap();
    let stopping = eventually(Duration::from_secs(5), || async {
        status_on_screen(&seen, &id).as_deref() == Some("STOPPING")
    })
    .await;
    assert!(stopping, "{:?}", status_on_screen(&seen, &id));

    // Five seconds of a machine that moves: read alone every half second, the list not
    // at all (its idle rhythm is 30 s; the read after the action is behind us).
    let (lists, singles) = reads(&sim).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (lists_after, singles_after) = reads(&sim).await;
    let alone = singles_after - singles;
    assert_eq!(lists_after - lists, 0, "the whole list was read again");
    // Ten rounds, give or take one at each end (and a machine still settling from the
    // simulator's start may share a round).
    assert!((8..=13).contains(&alone), "{alone} single reads in 5 s");

    // Someone else deletes it: the read alone finds it gone (404), and the screen drops
    // it without a read of the list.
    let deleted = sim
        .raw(reqwest::Method::DELETE, &format!("{LIST}/{id}"))
        .await;
    assert!(deleted.status().is_success(), "{}", deleted.status());
    let gone = eventually(Duration::from_secs(10), || async {
        seen.last()
            .is_some_and(|s| !s.machines.iter().any(|r| r.id == id))
    })
    .await;
    assert!(gone, "the machine stayed on screen");
    let (lists_end, singles_end) = reads(&sim).await;
    assert_eq!(
        lists_end - lists_after,
        0,
        "the list was read to find it gone"
    );
    assert!(singles_end > singles_after);
    // Nothing moves any more: no more single reads.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(reads(&sim).await.1, singles_end, "read alone after it went");
    assert_eq!(seen.last().unwrap().machines.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_limit_of_machines_read_alone_the_whole_list_is_read_quickly() {
    assert_in_session();
    let sim = Sim::start(&[
        "--rate-limit",
        "0",
        "--instances",
        "6",
        "--shutdowns-hang",
        "--speed",
        "10",
    ]);
    let config = tempfile::tempdir().unwrap();
    // Three machines may be followed alone; four shut down at once.
    let (desk, seen) = signed_in(&sim, config.path(), quick(3)).await;
    assert!(
        eventually(Duration::from_secs(5), || async {
            seen.running_ids().len() >= 4
        })
        .await
    );
    let ids: Vec<String> = seen.running_ids().into_iter().take(4).collect();
    desk.act_and_wait(&ids, "stop").await.unwrap();
    let stopping = eventually(Duration::from_secs(5), || async {
        ids.iter()
            .all(|id| status_on_screen(&seen, id).as_deref() == Some("STOPPING"))
    })
    .await;
    assert!(stopping);
    let (lists, singles) = reads(&sim).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (lists_after, singles_after) = reads(&sim).await;
    assert_eq!(
        singles_after - singles,
        0,
        "machines read alone past the limit"
    );
    let quick_lists = lists_after - lists;
    assert!(
        (4..=7).contains(&quick_lists),
        "{quick_lists} list reads in 3 s"
    );
}
