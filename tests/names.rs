//! Names people give machines, run by the desk against the simulator: a name and a note
//! given to a machine of the account on screen show on its row at once, name it in an
//! action's results, its notification and its history (the given name first, the
//! service's beside it); a name too long is refused and the one kept stays; another
//! account's rows know nothing of it; `names.json` holds no secret.

mod common;

use std::time::Duration;

use common::{assert_in_session, eventually, signed_in_desk, Sim, KEY, SECRET};
use compute_desk::settings::LabelChange;
use compute_desk::watch::Policy;

/// A change of a machine's name and note alone.
fn named(name: &str, note: &str) -> LabelChange {
    LabelChange {
        name: Some(name.into()),
        note: Some(note.into()),
        ..LabelChange::default()
    }
}

/// The row of machine `id` on the screen, as (given name, note).
fn given_on_screen(
    seen: &common::screen::Screen,
    id: &str,
) -> Option<(Option<String>, Option<String>)> {
    let snapshot = seen.last()?;
    let row = snapshot.machines.iter().find(|r| r.id == id)?;
    Some((row.given.clone(), row.note.clone()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_given_here_names_the_machine_everywhere_for_its_account_alone() {
    assert_in_session();
    let sim = Sim::start(&["--instances", "4", "--speed", "10"]);
    let other = Sim::start(&["--instances", "2", "--speed", "10"]);
    let config = tempfile::tempdir().unwrap();
    let (desk, seen) = signed_in_desk(
        &sim,
        config.path(),
        "app.computedesk.test.names",
        Policy::default(),
    )
    .await;
    let (id, service) = sim.running().await.remove(0);

    desk.set_name(
        &id,
        named("  Accounting  PC ", "Ana's test machine: do not delete"),
    )
    .await
    .unwrap();
    let shown = (
        Some("Accounting PC".to_owned()),
        Some("Ana's test machine: do not delete".to_owned()),
    );
    assert!(
        eventually(Duration::from_secs(5), || async {
            given_on_screen(&seen, &id).as_ref() == Some(&shown)
        })
        .await,
        "the row shows the name and note: {:?}",
        given_on_screen(&seen, &id)
    );
    // Too long: refused, said, and the name kept stays.
    let refused = desk
        .set_name(&id, named(&"x".repeat(81), ""))
        .await
        .unwrap_err();
    assert_eq!(refused.text.key, "names.problem.name_too_long");
    assert_eq!(given_on_screen(&seen, &id), Some(shown.clone()));

    // An action names it as a person does: its result, its end, its history.
    let both = format!("Accounting PC ({service})");
    let results = desk
        .act_and_wait(std::slice::from_ref(&id), "stop")
        .await
        .unwrap();
    assert_eq!(results[0].name, both);
    assert!(
        eventually(Duration::from_secs(15), || async {
            seen.finished().iter().any(|f| f.id == id)
        })
        .await
    );
    let finished = seen.finished().into_iter().find(|f| f.id == id).unwrap();
    assert_eq!(finished.name, both, "what a notification names");
    let history = desk.history(None).unwrap();
    let entry = history.entries.iter().find(|e| e.what == "stop").unwrap();
    assert_eq!(entry.machine.as_deref(), Some(both.as_str()));
    assert_eq!(entry.machine_id.as_deref(), Some(id.as_str()));

    // Another account on screen: nothing of it.
    desk.sign_in_with_key(&other.base, KEY, SECRET)
        .await
        .unwrap();
    assert!(
        eventually(Duration::from_secs(10), || async {
            seen.last()
                .is_some_and(|s| s.loaded && s.machines.len() == 2)
        })
        .await
    );
    assert!(seen
        .last()
        .unwrap()
        .machines
        .iter()
        .all(|r| r.given.is_none()));
    // Back: named again.
    common::switch_to_the_other_account(&desk).await;
    assert!(
        eventually(Duration::from_secs(10), || async {
            given_on_screen(&seen, &id).as_ref() == Some(&shown)
        })
        .await
    );
    // Kept on this computer, with nothing secret in it; forgotten when cleared.
    let kept = std::fs::read_to_string(config.path().join("names.json")).unwrap();
    assert!(
        kept.contains("Accounting PC") && !kept.contains(SECRET),
        "{kept}"
    );
    desk.set_name(&id, named("", "")).await.unwrap();
    assert!(
        eventually(Duration::from_secs(5), || async {
            given_on_screen(&seen, &id) == Some((None, None))
        })
        .await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_name_of_a_machine_gone_is_kept_thirty_days_then_dropped() {
    assert_in_session();
    let sim = Sim::start(&["--instances", "3", "--speed", "20"]);
    let config = tempfile::tempdir().unwrap();
    // Office hours' clock follows the simulator's, which the test moves a month on.
    let desk = std::sync::Arc::new(compute_desk::desk::Desk::new(
        config.path(),
        compute_desk::vault::Vault::new("app.computedesk.test.names.gone"),
        Policy::default(),
        compute_desk::desk::Options {
            clock_from: Some(sim.base.clone()),
            ..compute_desk::desk::Options::default()
        },
    ));
    let seen = common::screen::Screen::default();
    tokio::spawn(desk.watcher().clone().run(desk.recording(seen.clone())));
    desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    let d = desk.clone();
    tokio::spawn(async move { d.run_schedules(&|_| {}).await });
    let (id, _) = sim.running().await.remove(0);
    assert!(
        eventually(Duration::from_secs(10), || async {
            given_on_screen(&seen, &id).is_some()
        })
        .await
    );
    desk.set_name(&id, named("Old reception PC", ""))
        .await
        .unwrap();
    let kept = || std::fs::read_to_string(config.path().join("names.json")).unwrap_or_default();
    // Still listed: nothing changes, nothing is written.
    assert!(!desk.keep_names_current().await);

    // Deleted (by anyone): once a list no longer shows it, its name is marked gone.
    sim.client().delete_instance(&id).await.unwrap();
    desk.watcher().update(|w| w.refresh_now()).await;
    assert!(
        eventually(Duration::from_secs(20), || async {
            desk.watcher().update(|w| w.refresh_now()).await;
            given_on_screen(&seen, &id).is_none()
        })
        .await,
        "the list never stopped showing it"
    );
    assert!(desk.keep_names_current().await);
    assert!(
        kept().contains("goneSince") && kept().contains("Old reception PC"),
        "{}",
        kept()
    );
    // 29 days on: kept (the history still names it); 31: dropped.
    sim.move_clock(Duration::from_secs(29 * 86_400)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!desk.keep_names_current().await);
    assert!(kept().contains("Old reception PC"));
    sim.move_clock(Duration::from_secs(2 * 86_400)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(desk.keep_names_current().await);
    assert!(!kept().contains("Old reception PC"), "{}", kept());
}
