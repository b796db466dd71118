//! The watchful eye run by the desk against the simulator: a watched machine stopped by
//! someone else (another program with the account's key, as a colleague would) is told and
//! written in its account's history, on an account not on screen as on the one on screen;
//! a stop asked from this computer is not; the account on screen is seen through the
//! list its screen reads, and read by the eye only while the window is hidden. Limits
//! on, as the service has them. The idle period is 2 s here (the app's is 30 s).

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{assert_in_session, eventually, signed_in_desk, Sim};
use compute_desk::api::PowerAction;
use compute_desk::desk::{Desk, WatchNews};
use compute_desk::history::Outcome;
use compute_desk::watch::Policy;

/// The policy of these tests: everything as the app has it, but a 2 s idle period.
fn quick() -> Policy {
    Policy {
        slow: Duration::from_secs(2),
        ..Policy::default()
    }
}

/// Runs the desk's watchful eye, collecting what it says.
fn run_eye(desk: &Arc<Desk>) -> Arc<Mutex<Vec<WatchNews>>> {
    let news = Arc::new(Mutex::new(Vec::new()));
    let (d, n) = (desk.clone(), news.clone());
    tokio::spawn(async move {
        d.run_watching(&move |item| n.lock().unwrap().push(item))
            .await
    });
    news
}

/// Shuts machine `id` down as someone else would: another program, the same key.
async fn stopped_elsewhere(sim: &Sim, id: &str) {
    sim.client().power(id, PowerAction::Stop).await.unwrap();
    let stopped = eventually(Duration::from_secs(10), || async {
        sim.listed("status")
            .await
            .iter()
            .any(|(m, s)| m == id && s == "STOPPED")
    })
    .await;
    assert!(stopped, "the simulator never stopped {id}");
}

/// The machines told about so far, as (account, machine, catalog key).
fn told(news: &Arc<Mutex<Vec<WatchNews>>>) -> Vec<(String, String, String)> {
    news.lock()
        .unwrap()
        .iter()
        .filter_map(|n| match n {
            WatchNews::Left {
                account,
                machine,
                text,
            } => Some((account.clone(), machine.clone(), text.key.clone())),
            WatchNews::CannotWatch { .. } => None,
        })
        .collect()
}

async fn told_within(news: &Arc<Mutex<Vec<WatchNews>>>, n: usize, within: Duration) -> bool {
    eventually(within, || async { told(news).len() >= n }).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_machine_stopped_by_someone_else_on_an_account_not_on_screen_is_told_and_kept_in_its_history(
) {
    assert_in_session();
    let one = Sim::start(&["--instances", "3", "--speed", "10"]);
    let two = Sim::start(&["--instances", "2", "--speed", "10"]);
    let config = tempfile::tempdir().unwrap();
    let (desk, seen) = signed_in_desk(
        &one,
        config.path(),
        "app.computedesk.test.watch.elsewhere",
        quick(),
    )
    .await;
    desk.set_watching(true).await.unwrap();
    // Another account on screen, not watched.
    desk.sign_in_with_key(&two.base, common::KEY, common::SECRET)
        .await
        .unwrap();
    assert!(
        !desk.schedules_view().await.watching,
        "the switch is per account"
    );
    let news = run_eye(&desk);
    // The eye has looked at the first account once: what runs there is known.
    one.clear_requests().await;
    assert!(
        eventually(Duration::from_secs(10), || async {
            one.reads_of_each_kind().await.0 >= 1
        })
        .await,
        "the watched account was never read"
    );
    let (id, name) = one.running().await.remove(0);
    stopped_elsewhere(&one, &id).await;
    // And one of the account on screen, which nobody watches.
    let (other, _) = two.running().await.remove(0);
    stopped_elsewhere(&two, &other).await;

    assert!(
        told_within(&news, 1, Duration::from_secs(20)).await,
        "the stop was never told"
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        told(&news),
        [(
            "demo@computedesk.example".to_owned(),
            name.clone(),
            "notify.watch.stopped".to_owned()
        )],
        "the watched account's machine alone, named with its account"
    );
    // Within the budget: no read of either account was answered 429.
    for sim in [&one, &two] {
        assert!(
            sim.requests().await.iter().all(|r| r["status"] != 429),
            "a read ran into the limit"
        );
    }
    // Nothing of it in the history of the account on screen...
    let here = desk.history(None).unwrap();
    assert!(here.entries.iter().all(|e| e.what != "watch"));
    // ...and in the watched account's own, read when it is opened again.
    common::switch_to_the_other_account(&desk).await;
    let history = desk.history(None).unwrap();
    let entry = history
        .entries
        .iter()
        .find(|e| e.what == "watch")
        .expect("written in its history");
    assert_eq!(entry.machine_id.as_deref(), Some(id.as_str()));
    assert_eq!(entry.machine.as_deref(), Some(name.as_str()));
    assert_eq!(entry.outcome, Outcome::Noticed);
    assert_eq!(
        entry.said.text.as_ref().map(|t| t.key.as_str()),
        Some("history.watch.stopped")
    );
    drop(seen);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_account_on_screen_a_stop_asked_here_is_not_told_and_the_screens_reads_are_used() {
    assert_in_session();
    let sim = Sim::start(&["--instances", "8", "--speed", "10"]);
    let config = tempfile::tempdir().unwrap();
    let (desk, _seen) = signed_in_desk(
        &sim,
        config.path(),
        "app.computedesk.test.watch.here",
        quick(),
    )
    .await;
    desk.set_watching(true).await.unwrap();
    assert!(desk.schedules_view().await.watching);
    let news = run_eye(&desk);
    let machines = sim.running().await;
    assert!(machines.len() >= 3, "{machines:?}");

    // While the window shows the list, the eye reads nothing of its own: the list is
    // read at the screen's rhythm (one read every 2 s here), not twice as often.
    tokio::time::sleep(Duration::from_secs(3)).await;
    sim.clear_requests().await;
    tokio::time::sleep(Duration::from_secs(12)).await;
    let (lists, singles) = sim.reads_of_each_kind().await;
    assert!(
        lists <= 8 && singles == 0,
        "{lists} list reads and {singles} single reads in 12 s"
    );

    // Shut down from this computer: not told.
    let results = desk
        .act_and_wait(std::slice::from_ref(&machines[0].0), "stop")
        .await
        .unwrap();
    assert!(results[0].ok, "{results:?}");
    assert!(
        eventually(Duration::from_secs(10), || async {
            sim.listed("status")
                .await
                .iter()
                .any(|(m, s)| *m == machines[0].0 && s == "STOPPED")
        })
        .await
    );
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(
        told(&news).is_empty(),
        "told of a stop asked here: {:?}",
        told(&news)
    );

    // Shut down by someone else: told, named, and in the history.
    stopped_elsewhere(&sim, &machines[1].0).await;
    assert!(
        told_within(&news, 1, Duration::from_secs(15)).await,
        "never told"
    );
    assert_eq!(told(&news)[0].1, machines[1].1);
    let history = desk.history(None).unwrap();
    let noticed: Vec<_> = history
        .entries
        .iter()
        .filter(|e| e.what == "watch")
        .collect();
    assert_eq!(noticed.len(), 1, "{noticed:?}");
    assert_eq!(
        noticed[0].machine_id.as_deref(),
        Some(machines[1].0.as_str())
    );

    // The window hidden (closed to the tray): the screen reads nothing, the eye reads
    // for itself, and still tells.
    desk.watcher().update(|w| w.set_visible(false)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    stopped_elsewhere(&sim, &machines[2].0).await;
    assert!(
        told_within(&news, 2, Duration::from_secs(15)).await,
        "never told while hidden"
    );
    assert_eq!(told(&news)[1].1, machines[2].1);
    assert_eq!(told(&news)[1].2, "notify.watch.stopped");
}

/// A group watched as one, the whole account not: a machine of the group stopped by
/// someone else is told; one outside the group, stopped the same way, is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_watched_as_one_is_told_of_its_own_machines_alone() {
    assert_in_session();
    let sim = Sim::start(&["--instances", "8", "--speed", "10"]);
    let config = tempfile::tempdir().unwrap();
    let (desk, _seen) = signed_in_desk(
        &sim,
        config.path(),
        "app.computedesk.test.watch.group",
        quick(),
    )
    .await;
    let machines = sim.running().await;
    assert!(machines.len() >= 2, "{machines:?}");
    let change = compute_desk::settings::LabelChange {
        groups: Some(vec!["Test lab".into()]),
        ..Default::default()
    };
    desk.set_name(&machines[0].0, change).await.unwrap();
    let view = desk.set_group_watching("test lab", true).await.unwrap();
    assert!(
        !view.watching && view.watch_groups == ["test lab"],
        "{view:?}"
    );
    let news = run_eye(&desk);
    // The eye's first look: what runs now.
    tokio::time::sleep(Duration::from_secs(4)).await;

    stopped_elsewhere(&sim, &machines[1].0).await;
    stopped_elsewhere(&sim, &machines[0].0).await;
    assert!(
        told_within(&news, 1, Duration::from_secs(15)).await,
        "never told"
    );
    // A look more: the machine outside the group is still not told.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let names: Vec<String> = told(&news).into_iter().map(|(_, m, _)| m).collect();
    assert_eq!(names, [machines[0].1.clone()], "only the group's machine");
    desk.sign_out().await;
}
