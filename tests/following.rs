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
use common::{assert_in_session, eventually, Sim};
use compute_desk::desk::Desk;
use compute_desk::watch::Policy;

const LIST: &str = "/api/compute/v1/instances";

/// The quick rhythm a quarter of the app's, so that a test sees many rounds in seconds.
fn quick(alone_limit: usize) -> Policy {
    Policy {
        fast: Duration::from_millis(500),
        alone_limit,
        ..Policy::default()
    }
}

/// Six machines whose shutdowns hang (a machine stays in STOPPING until something else
/// happens to it), a desk signed in with `policy`, and four of the machines running.
async fn four_running(config: &std::path::Path, policy: Policy) -> (Sim, Arc<Desk>, Screen) {
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
    let (desk, seen) =
        common::signed_in_desk(&sim, config, "app.computedesk.test.following", policy).await;
    // The machines still provisioning at the start have settled (0.8 s at speed 10).
    let settled = eventually(Duration::from_secs(5), || async {
        seen.running_ids().len() >= 4
    })
    .await;
    assert!(settled, "four machines never ran");
    (sim, desk, seen)
}

/// The server's word for the machine `id` on the screen, if it is there.
fn status_on_screen(seen: &Screen, id: &str) -> Option<String> {
    let last = seen.last()?;
    let row = last.machines.iter().find(|r| r.id == id)?;
    Some(row.status.clone())
}

/// Shuts `ids` down and waits until the screen shows each stopping.
async fn shut_down(desk: &Desk, seen: &Screen, ids: &[String]) {
    desk.act_and_wait(ids, "stop").await.unwrap();
    let stopping = eventually(Duration::from_secs(5), || async {
        ids.iter()
            .all(|id| status_on_screen(seen, id).as_deref() == Some("STOPPING"))
    })
    .await;
    assert!(stopping, "not all of {ids:?} shown stopping");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moving_machine_is_read_alone_and_the_list_at_the_idle_rhythm_until_it_is_gone() {
    let config = tempfile::tempdir().unwrap();
    let (sim, desk, seen) = four_running(config.path(), quick(20)).await;
    let id = seen.running_ids()[0].clone();
    shut_down(&desk, &seen, std::slice::from_ref(&id)).await;

    // Five seconds of a machine that moves: read alone every half second, the list not
    // at all (its idle rhythm is 30 s; the read after the action is behind us).
    let (lists, singles) = sim.reads_of_each_kind().await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (lists_after, singles_after) = sim.reads_of_each_kind().await;
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
    let (lists_end, singles_end) = sim.reads_of_each_kind().await;
    assert_eq!(
        lists_end - lists_after,
        0,
        "the list was read to find it gone"
    );
    assert!(singles_end > singles_after);
    // Nothing moves any more: no more single reads.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        sim.reads_of_each_kind().await.1,
        singles_end,
        "read alone after it went"
    );
    assert_eq!(seen.last().unwrap().machines.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_limit_of_machines_read_alone_the_whole_list_is_read_quickly() {
    let config = tempfile::tempdir().unwrap();
    // Three machines may be followed alone; four shut down at once.
    let (sim, desk, seen) = four_running(config.path(), quick(3)).await;
    let ids: Vec<String> = seen.running_ids().into_iter().take(4).collect();
    shut_down(&desk, &seen, &ids).await;
    let (lists, singles) = sim.reads_of_each_kind().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (lists_after, singles_after) = sim.reads_of_each_kind().await;
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
